# SPDX-License-Identifier: Apache-2.0
# lab: timeout=150
# dsrctl-state-plant (issue 16, finding 2): the dsrkit account of the
# network-facing daemons owns /run/dsrkit, where dsrctl (root) used to keep
# its state and followed symlinks.  As that account (nobody stands in for
# it) we plant a symlink at every path the old dsrctl wrote (state, its
# temporary file, the --partial journal, the drained weights and its
# temporary file), each pointing at a root-owned file, and a forged
# "applied" state naming a service dsrctl never made.  Root's apply,
# --partial apply, drain and restore must truncate, append to or chmod no
# target and delete no foreign service; a state folder another account owns
# (DSRCTL_STATE_DIR=/run/dsrkit) is refused before IPVS is touched; the
# default folder is root's own, mode 0700.
. tests/lab/lib.sh

lab_up <<EOT || { lab_fail topology "lab_up failed"; exit 1; }
director director 192.0.2.1
EOT
unset DSRCTL_STATE_DIR
as_dsrkit() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# /run/dsrkit as systemd makes it for User=dsrkit (RuntimeDirectory)
mkdir -p /run/dsrkit && chown 65534:65534 /run/dsrkit && chmod 0755 /run/dsrkit
ns=$(in_ns director stat -L -c %i /proc/self/ns/net)
for v in applied-tmp partial drained drained-tmp; do
	echo "precious $v" >/tmp/victim-$v
	chmod 0644 /tmp/victim-$v
done
old=/run/dsrkit/ipvs
as_dsrkit ln -s /tmp/victim-applied-tmp "$old-applied.$ns.conf.tmp"
as_dsrkit ln -s /tmp/victim-partial "$old-applied.$ns.conf.partial"
as_dsrkit ln -s /tmp/victim-drained "$old-drained.$ns.conf"
as_dsrkit ln -s /tmp/victim-drained-tmp "$old-drained.$ns.conf.tmp"
# the forged state: "dsrctl applied 198.51.100.99:80 last time"
as_dsrkit sh -c "cat >$old-applied.$ns.conf" <<EOC
virtual_server 198.51.100.99 80 {
	protocol TCP
	lb_algo rr
	lb_kind DR
}
EOC
[ -L "$old-applied.$ns.conf.tmp" ] && [ -f "$old-applied.$ns.conf" ] || lab_fail planted "the plants are not there"

# a service someone else made (ipvsadm), the one the forged state names
in_ns director ipvsadm -A -t 198.51.100.99:80 -s rr
cat >/tmp/dr.conf <<EOC
virtual_server 198.51.100.1 80 {
	lb_algo rr
	lb_kind DR
	protocol TCP
	real_server 192.0.2.11 80 {
		weight 2
	}
}
EOC
# apply, --partial apply, drain, restore, apply again: each as root
{
	in_ns director dsrctl apply /tmp/dr.conf && echo apply-ok
	in_ns director dsrctl apply --partial /tmp/dr.conf && echo partial-ok
	in_ns director dsrctl drain 198.51.100.1:80 192.0.2.11
	in_ns director dsrctl restore 198.51.100.1:80 192.0.2.11
	in_ns director dsrctl apply /tmp/dr.conf && echo again-ok
} >/tmp/steps.out 2>&1
lab_expect commands-ran "$(grep -cE '^(apply-ok|partial-ok|drained |restored .* weight 2|again-ok)' /tmp/steps.out)" 5

cd /tmp && got=$(cat victim-applied-tmp victim-partial victim-drained victim-drained-tmp | tr '\n' ' ')$(stat -c %a victim-* | sort -u) && cd - >/dev/null
lab_expect victims-untouched "$got" "precious applied-tmp precious partial precious drained precious drained-tmp 644"
ip netns exec director ipvsadm -Ln >/tmp/ipvs.out
lab_expect foreign-service-kept "$(grep -c '198.51.100.99:80' /tmp/ipvs.out)" 1
lab_expect own-service-applied "$(grep -c '192.0.2.11:80 .* 2 ' /tmp/ipvs.out)" 1
lab_expect state-folder "$(stat -c '%U %a' /run/dsrctl)|$(ls /run/dsrctl | grep -c "^ipvs-applied.$ns.conf\$")" "root 700|1"

# a state folder another account owns is refused before anything is applied
ip netns exec director ipvsadm -D -t 198.51.100.1:80
DSRCTL_STATE_DIR=/run/dsrkit in_ns director dsrctl apply /tmp/dr.conf >/tmp/foreign.out 2>&1
lab_expect foreign-folder-refused "$?|$(grep -c 'owned by uid 65534.*nothing applied' /tmp/foreign.out)|$(ip netns exec director ipvsadm -Ln | grep -c 198.51.100.1:80)" "1|1|0"
# ... and so is a symlink in place of root's own folder
mkdir -p /tmp/elsewhere && chmod 700 /tmp/elsewhere
ln -s /tmp/elsewhere /tmp/linked-state
DSRCTL_STATE_DIR=/tmp/linked-state in_ns director dsrctl apply /tmp/dr.conf >/tmp/linked.out 2>&1
lab_expect symlinked-folder-refused "$?" 1
# a state file planted as a symlink in root's folder is not followed
echo "precious own" >/tmp/victim-own
mkdir -p /tmp/own && chmod 700 /tmp/own
ln -s /tmp/victim-own "/tmp/own/ipvs-applied.$ns.conf"
DSRCTL_STATE_DIR=/tmp/own in_ns director dsrctl apply /tmp/dr.conf >/tmp/own.out 2>&1
lab_expect own-symlink-not-followed "$(cat /tmp/victim-own)|$(stat -c %F "/tmp/own/ipvs-applied.$ns.conf")" "precious own|regular file"
