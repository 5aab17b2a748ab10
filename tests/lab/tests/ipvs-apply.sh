# SPDX-License-Identifier: Apache-2.0
# lab: timeout=150
# ipvs-apply: declarative apply against the real kernel.
#  - from empty: every service and real server added, table equals the file
#  - no-op: zero operations planned, nothing sent but one dump of the
#    services (the kernel fingerprint; strace)
#  - services deleted or edited by ipvsadm since: the next apply of the same
#    file notices (kernel fingerprint) and repairs them
#  - change: only the changed objects are touched; a service the file never
#    had (made by ipvsadm) is left alone, and so is an unchanged service
#  - a service removed from the file is deleted (it was ours)
#  - an apply of real-server changes alone keeps the fingerprint it read
#    first: the next apply is a no-op, a later foreign change is noticed
. tests/lab/lib.sh

lab_up <<EOT || { lab_fail topology "lab_up failed"; exit 1; }
director director 192.0.2.1 v6=2001:db8::1
EOT
export DSRCTL_STATE_DIR=/tmp/dsrctl-state

gen() { # gen WEIGHT_OF_SVC3_RS1 SCHED_OF_SVC4 EXTRA_SVC(0/1) DROP_SVC5(0/1)
	local i
	for i in 1 2 3 4 5 6; do
		[ "$i" = 5 ] && [ "$4" = 1 ] && continue
		local sched=rr w1=1
		[ "$i" = 4 ] && sched=$2
		[ "$i" = 3 ] && w1=$1
		cat <<EOC
virtual_server 198.51.100.$i 80 {
	lb_algo $sched
	lb_kind DR
	protocol TCP
	real_server 192.0.2.11 80 {
		weight $w1
	}
	real_server 192.0.2.12 80 {
		weight 1
	}
}
EOC
	done
	if [ "$3" = 1 ]; then
		printf 'virtual_server 2001:db8::200 443 {\n\tlb_kind DR\n\tprotocol TCP\n\treal_server 2001:db8::11 443 {\n\t\tweight 1\n\t}\n}\n'
	fi
}

gen 1 rr 0 0 >/tmp/a.conf
in_ns director ipvsadm -A -t 203.0.113.1:25 -s rr   # not ours
in_ns director ipvsadm -a -t 203.0.113.1:25 -r 192.0.2.20:25 -g -w 1

out=$(in_ns director dsrctl apply /tmp/a.conf 2>&1); echo "$out"
case "$out" in
*"plan: 18 operations (services +6 ~0 -0, real servers +12 ~0 -0)"*"applied: 18 ok, 0 failed"*) lab_pass apply-from-empty ;;
*) lab_fail apply-from-empty "$(echo "$out" | tail -3 | tr '\n' '|')" ;;
esac
n=$(in_ns director ipvsadm -Sn | grep -c -- '-a -t 198.51.100')
lab_expect from-empty-dests-in-kernel "$n" 12

# no-op: nothing planned, nothing sent
in_ns director strace -f -e trace=sendto,sendmsg -o /tmp/noop.strace dsrctl apply /tmp/a.conf >/tmp/noop.out 2>&1
cat /tmp/noop.out
sends=$(grep -c -E '^[0-9]+ +(sendto|sendmsg)\(' /tmp/noop.strace)
ipvs_sends=$(grep -E '^[0-9]+ +(sendto|sendmsg)\(' /tmp/noop.strace | grep -c 'nlmsg_type=IPVS')
ipvs_dumps=$(grep -E '^[0-9]+ +(sendto|sendmsg)\(' /tmp/noop.strace | grep 'nlmsg_type=IPVS' | grep -c -E 'NLM_F_DUMP|NLM_F_ROOT|0x300')
if grep -q "plan: 0 operations" /tmp/noop.out && grep -q "applied: 0 ok, 0 failed" /tmp/noop.out; then
	lab_pass noop-plans-nothing
else
	lab_fail noop-plans-nothing "$(tail -2 /tmp/noop.out | tr '\n' '|')"
fi
# the file and the kernel's services as the last apply left them: the
# family lookup and one dump of the services (the kernel fingerprint),
# nothing else sent
lab_expect noop-sends-one-dump "$sends:$ipvs_sends:$ipvs_dumps" "2:1:1"
[ "$ipvs_dumps" = 1 ] || grep -E "^[0-9]+ +(sendto|sendmsg)\(" /tmp/noop.strace | cut -c1-300
out=$(in_ns director dsrctl apply --full /tmp/a.conf 2>&1)
case "$out" in
*"plan: 0 operations"*"7 kernel reads"*) lab_pass noop-full-compare ;;
*) lab_fail noop-full-compare "$(echo "$out" | tail -2 | tr '\n' '|')" ;;
esac

# someone else changes our services behind dsrctl's back (a service deleted,
# one edited): the next apply of the same file notices and repairs both
in_ns director ipvsadm -D -t 198.51.100.2:80
in_ns director ipvsadm -E -t 198.51.100.1:80 -s wlc
out=$(in_ns director dsrctl apply /tmp/a.conf 2>&1); echo "$out"
case "$out" in
*"plan: 4 operations (services +1 ~1 -0, real servers +2 ~0 -0)"*"applied: 4 ok, 0 failed"*) lab_pass foreign-change-noticed ;;
*) lab_fail foreign-change-noticed "$(echo "$out" | tail -3 | tr '\n' '|')" ;;
esac
lab_expect foreign-change-repaired "$(in_ns director ipvsadm -Sn | grep -c -E -- '-A -t 198.51.100.[12]:80 -s rr')" 2
out=$(in_ns director dsrctl apply /tmp/a.conf 2>&1)
lab_expect foreign-change-then-noop "$(echo "$out" | grep -c 'plan: 0 operations')" 1

# a marker on an unchanged service of ours: an apply that touched it would undo it
in_ns director ipvsadm -e -t 198.51.100.6:80 -r 192.0.2.12:80 -g -w 9
before_foreign=$(in_ns director ipvsadm -Sn | grep 203.0.113.1)

gen 5 wlc 1 1 >/tmp/b.conf
out=$(in_ns director dsrctl apply /tmp/b.conf 2>&1); echo "$out"
plan=$(echo "$out" | grep -v -E '^(plan|applied):' | sort)
want=$(sort <<'EOW'
add dest [2001:db8::11]:443 to TCP [2001:db8::200]:443 (DR, weight 1)
add service TCP [2001:db8::200]:443 (wlc)
delete service TCP 198.51.100.5:80
edit dest 192.0.2.11:80 of TCP 198.51.100.3:80 (DR, weight 5)
edit service TCP 198.51.100.4:80 (wlc)
EOW
)
lab_expect change-touches-only-changed "$(echo "$plan" | tr '\n' '|')" "$(echo "$want" | tr '\n' '|')"
case "$out" in *"applied: 5 ok, 0 failed"*) lab_pass change-applied ;; *) lab_fail change-applied "$out" ;; esac
lab_expect foreign-service-untouched "$(in_ns director ipvsadm -Sn | grep 203.0.113.1)" "$before_foreign"
lab_expect unchanged-service-untouched \
	"$(in_ns director ipvsadm -Sn | grep -c -- '-a -t 198.51.100.6:80 -r 192.0.2.12:80 -g -w 9')" 1
lab_expect changed-weight-in-kernel \
	"$(in_ns director ipvsadm -Sn | grep -c -- '-a -t 198.51.100.3:80 -r 192.0.2.11:80 -g -w 5')" 1
lab_expect removed-service-gone "$(in_ns director ipvsadm -Sn | grep -c 198.51.100.5)" 0
lab_expect sched-changed "$(in_ns director ipvsadm -Sn | grep -c -- '-A -t 198.51.100.4:80 -s wlc')" 1
# --full sees the marker and puts the configured weight back
out=$(in_ns director dsrctl apply --full /tmp/b.conf 2>&1)
case "$out" in
*"edit dest 192.0.2.12:80 of TCP 198.51.100.6:80 (DR, weight 1)"*"plan: 1 operations"*) lab_pass full-finds-drift ;;
*) lab_fail full-finds-drift "$(echo "$out" | tr '\n' '|')" ;;
esac
# --partial: a file with only the changed service; nothing else is read
# (no whole-table dump), changed or deleted
printf 'virtual_server 198.51.100.1 80 {\n\tlb_algo rr\n\tlb_kind DR\n\tprotocol TCP\n\treal_server 192.0.2.11 80 {\n\t\tweight 1\n\t}\n\treal_server 192.0.2.12 80 {\n\t\tweight 4\n\t}\n}\n' >/tmp/p.conf
out=$(in_ns director dsrctl apply --partial /tmp/p.conf 2>&1); echo "$out"
case "$out" in
*"edit dest 192.0.2.12:80 of TCP 198.51.100.1:80 (DR, weight 4)"*"plan: 1 operations"*"2 kernel reads"*) lab_pass partial-apply ;;
*) lab_fail partial-apply "$(echo "$out" | tr '\n' '|')" ;;
esac
lab_expect partial-deletes-nothing "$(in_ns director ipvsadm -Sn | grep -c '^-A')" 7
# a second --partial of the same service: nothing to do, and the journal
# of services changed since the last full apply now names it twice
out=$(in_ns director dsrctl apply -q --partial /tmp/p.conf 2>&1)
lab_expect partial-again-noop "$(echo "$out" | grep -c 'plan: 0 operations')" 1
lab_expect partial-journal "$(cat "$DSRCTL_STATE_DIR"/ipvs-applied.*.conf.partial 2>/dev/null | grep -c '^virtual_server 198.51.100.1 80 ')" 2
# the next whole-file apply knows that service changed behind its state
out=$(in_ns director dsrctl apply /tmp/b.conf 2>&1)
case "$out" in
*"edit dest 192.0.2.12:80 of TCP 198.51.100.1:80 (DR, weight 1)"*"plan: 1 operations"*) lab_pass apply-after-partial ;;
*) lab_fail apply-after-partial "$(echo "$out" | tr '\n' '|')" ;;
esac
# that apply changed real servers only, so it kept the kernel fingerprint it
# read before its parse rather than reading /proc/net/ip_vs again: the same
# file again is the stamp's no-op, and a service edited by someone else
# after it is still noticed
out=$(in_ns director dsrctl apply /tmp/b.conf 2>&1)
lab_expect dest-only-apply-then-noop "$(echo "$out" | grep -c 'plan: 0 operations.*as the last apply left them')" 1
in_ns director ipvsadm -E -t 198.51.100.2:80 -s wlc
out=$(in_ns director dsrctl apply /tmp/b.conf 2>&1)
case "$out" in
*"edit service TCP 198.51.100.2:80 (rr)"*"plan: 1 operations"*) lab_pass dest-only-apply-then-foreign-noticed ;;
*) lab_fail dest-only-apply-then-foreign-noticed "$(echo "$out" | tr '\n' '|')" ;;
esac
# bad input: file:line and nothing applied
printf 'virtual_server 198.51.100.7 80 {\n\tlb_kind DR\n\treal_server 192.0.2.300 80 {\n\t}\n\tprotocol TCP\n}\n' >/tmp/bad.conf
out=$(in_ns director dsrctl apply /tmp/bad.conf 2>&1); rc=$?
case "$rc:$out" in
"1:/tmp/bad.conf:3: real_server: '192.0.2.300' is not an IP address"*"nothing applied"*) lab_pass bad-input-file-line ;;
*) lab_fail bad-input-file-line "rc $rc: $out" ;;
esac
lab_expect bad-input-applied-nothing "$(in_ns director ipvsadm -Sn | grep -c 198.51.100.7)" 0

# the kernel refuses: each failed operation is named with the kernel's errno
printf 'virtual_server 198.51.100.8 80 {\n\tlb_algo nosuch\n\tlb_kind DR\n\tprotocol TCP\n\treal_server 192.0.2.11 80 {\n\t}\n}\n' >/tmp/fail.conf
out=$(in_ns director dsrctl apply --partial /tmp/fail.conf 2>&1); rc=$?
echo "$out"
case "$rc:$out" in
"2:"*"ipvs: add service TCP 198.51.100.8:80: No such file or directory"*"ipvs: add dest 192.0.2.11:80 to TCP 198.51.100.8:80: No such process"*"applied: 0 ok, 2 failed"*)
	lab_pass failures-reported ;;
*) lab_fail failures-reported "rc $rc: $(echo "$out" | tr '\n' '|')" ;;
esac
