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
lab_check planted test -L "$old-applied.$ns.conf.tmp" -a -f "$old-applied.$ns.conf"

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
lab_check apply in_ns director dsrctl apply /tmp/dr.conf
lab_check apply-partial in_ns director dsrctl apply --partial /tmp/dr.conf
in_ns director dsrctl drain 198.51.100.1:80 192.0.2.11 >/tmp/drain.out 2>&1
lab_check drain grep -q drained /tmp/drain.out
in_ns director dsrctl restore 198.51.100.1:80 192.0.2.11 >/tmp/restore.out 2>&1
lab_check restore grep -q "restored .* weight 2" /tmp/restore.out
# and a full apply again after the journal
lab_check apply-again in_ns director dsrctl apply /tmp/dr.conf

for v in applied-tmp partial drained drained-tmp; do
	lab_expect "victim-$v-untouched" "$(cat /tmp/victim-$v)|$(stat -c %a /tmp/victim-$v)" "precious $v|644"
done
lab_check foreign-service-kept sh -c "ip netns exec director ipvsadm -Ln | grep -q '198.51.100.99:80'"
lab_check own-service-applied sh -c "ip netns exec director ipvsadm -Ln | grep -q '192.0.2.11:80 .* 2 '"
lab_expect state-folder "$(stat -c '%U %a' /run/dsrctl)" "root 700"
lab_check state-written test -f "/run/dsrctl/ipvs-applied.$ns.conf"

# a state folder another account owns is refused before anything is applied
in_ns director ipvsadm -D -t 198.51.100.1:80
out=$(DSRCTL_STATE_DIR=/run/dsrkit in_ns director dsrctl apply /tmp/dr.conf 2>&1); rc=$?
lab_expect foreign-folder-refused "$rc" 1
echo "$out" >/tmp/foreign.out
lab_check foreign-folder-says grep -q 'owned by uid 65534.*nothing applied' /tmp/foreign.out
lab_check foreign-folder-nothing-applied sh -c "! ip netns exec director ipvsadm -Ln | grep -q '198.51.100.1:80'"
# ... and so is a symlink in place of root's own folder
mkdir -p /tmp/elsewhere && chmod 700 /tmp/elsewhere
ln -s /tmp/elsewhere /tmp/linked-state
out=$(DSRCTL_STATE_DIR=/tmp/linked-state in_ns director dsrctl apply /tmp/dr.conf 2>&1); rc=$?
lab_expect symlinked-folder-refused "$rc" 1
# a state file planted as a symlink in root's folder is not followed
echo "precious own" >/tmp/victim-own
mkdir -p /tmp/own && chmod 700 /tmp/own
ln -s /tmp/victim-own "/tmp/own/ipvs-applied.$ns.conf"
DSRCTL_STATE_DIR=/tmp/own in_ns director dsrctl apply /tmp/dr.conf >/tmp/own.out 2>&1
lab_expect own-symlink-not-followed "$(cat /tmp/victim-own)" "precious own"
lab_check own-symlink-replaced test -f "/tmp/own/ipvs-applied.$ns.conf" -a ! -L "/tmp/own/ipvs-applied.$ns.conf"
