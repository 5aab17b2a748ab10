# SPDX-License-Identifier: Apache-2.0
# lab: timeout=300
# Pushed faults (issue 19): dsr-checkd keeps one long-poll open per agent
# and drains at once.  Fault-to-drain is measured at the kernel (the IPVS
# weight read over netlink every millisecond by dsrkit-drainwatch) for N
# faults of each kind - VIP removed, arp_ignore reset, agent stopped - from
# the moment the fault takes effect (drainwatch --effect: the RTM_DELADDR,
# the sysctl reading 0, the agent's exit), and the p99 (of 10: the worst)
# is held under DETECT_P99_MS, 250 ms; a silent host (its switch port
# down) under the default heartbeat (1 s, not set here) + that.  The
# issue's 100 ms is the detect bench's target, over 100 faults on an idle
# machine; this test runs beside another guest on CI's two cores, and
# guards against detection falling back to the interval (a second or more).  The time from
# the start of the fault command is logged beside it: under User-Mode Linux
# a fork and exec costs 50-100 ms, so `sh -c "ip ..."` alone adds 100-250 ms
# before the fault exists.  Then maintenance from the real server:
# `dsr-agent drain --wait` with a client connection held returns only after
# it ended, and no new connection reaches the drained server.
# tests/bench/detect.sh measures the same with 100 faults of each kind,
# beside keepalived's SSL_GET and MISC_CHECK.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
. tests/lab/ka-lib.sh
. tests/lab/detect-lib.sh
KA_LOG=/tmp/checkd.log KA_WAIT=10
RS1=$(lab_rs_addr 1) RS2=$(lab_rs_addr 2)
N=${DETECT_N:-10}
BOUND=${DETECT_P99_MS:-250}

lab_standard 2 || { lab_fail topology "lab_up failed"; exit 1; }
agent_pki rs1 rs2 || { lab_fail pki "dsrkit-pki failed"; exit 1; }
: >/tmp/state-rs1
agent_start rs1 "state_file = /tmp/state-rs1" && agent_start rs2 ||
	{ lab_fail agents-start "$(cat /tmp/agent-rs1.log /tmp/agent-rs2.log)"; exit 1; }
checker_conf "timeout = 1s"
detect_checkd_start checkd
wait_for 5 test -S /tmp/checkd.sock || { lab_fail checkd-start "$(cat /tmp/checkd.log)"; exit 1; }
expect_weight 0-rs1-up "$RS1" 1 && expect_weight 0-rs2-up "$RS2" 1 || exit 1

check_p99() {
	local kind=$1 BOUND=${2:-$BOUND} s p99
	s=$(detect_stats ev "$kind")
	p99=${s#* }; p99=${p99%% *}
	lab_log "$kind over $N faults: p50 p99 max = $s ms from the fault's effect (bound $BOUND ms);" \
		"$(detect_stats ev "$kind" 2)  ms from the start of the fault command"
	awk -v p="$p99" -v b="$BOUND" 'BEGIN {exit !(p != "-" && p + 0 < b + 0)}' && lab_pass "1-$kind-p99-under-${BOUND}ms" ||
		lab_fail "1-$kind-p99-under-${BOUND}ms" "p50 p99 max = $s ms: $(tr '\n' ' ' <"/tmp/detect-ev-$kind")"
}
measure() {
	detect_measure ev "$1" "$N" 3000 || { lab_fail "$1-repair" "$(tail -3 /tmp/checkd.log)"; return 1; }
}

lab_log "step 1: $N faults of each kind, fault-to-drain at the kernel"
pin_vip_to_director
for kind in vip-removed arp-ignore-reset agent-stopped; do
	measure "$kind" && check_p99 "$kind"
done
# a silent host (its switch port down): caught by the heartbeat (default 1 s)
measure link-down && check_p99 link-down $((1000 + BOUND))
unpin_vip
lab_expect 1-pushed-drain-logged "$(grep -c 'DOWN 192.0.2.11' /tmp/checkd.log | awk -v n=$((3 * N)) '{print ($1 >= n)}')" 1

lab_log "step 2: dsr-agent drain --wait with a client connection held open"
expect_weight 2-rs1-up "$RS1" 1
cat >/tmp/hold.py <<'EOT'
import socket, sys, time
vip = sys.argv[1]
for attempt in range(20):
    s = socket.create_connection((vip, 80), timeout=2)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    if b"rs1" in s.recv(4096):
        break
    s.close()
else:
    print("never reached rs1", flush=True); sys.exit(2)
print("holding", flush=True)
while True:
    try:
        open("/tmp/release").close()
        break
    except OSError:
        time.sleep(0.1)
print("releasing", flush=True)
s.close()
EOT
rm -f /tmp/release
ip netns exec client python3 /tmp/hold.py "$LAB_VIP" >/tmp/hold.out 2>&1 &
hold=$!
wait_for 40 grep -q holding /tmp/hold.out || lab_fail 2-connection-held "$(cat /tmp/hold.out)"
ip netns exec rs1 dsr-agent drain --wait --timeout 60 --config /tmp/agent-rs1.conf >/tmp/drain.out 2>&1 &
drain=$!
expect_weight 2-drain-weight-0 "$RS1" 0
sleep 3
kill -0 "$drain" 2>/dev/null && lab_pass 2-drain-waits-while-connection-held ||
	lab_fail 2-drain-waits-while-connection-held "returned early: $(cat /tmp/drain.out)"
grep -q "active 1" /tmp/drain.out && lab_pass 2-drain-shows-the-connection-left ||
	lab_fail 2-drain-shows-the-connection-left "$(cat /tmp/drain.out)"
new=$(lab_requests client "http://$LAB_VIP/" 10 | awk '{print $1}' | sort -u | tr '\n' ' ')
lab_expect 2-new-connections-never-to-rs1 "$new" "rs2 "
t0=$(date +%s%N)
touch /tmp/release
wait "$hold"
if wait_for 15 sh -c "! kill -0 $drain 2>/dev/null"; then
	wait "$drain"; rc=$?
	lab_log "drain --wait returned $rc, $((($(date +%s%N) - t0) / 1000000)) ms after the last connection closed"
	lab_expect 2-drain-wait-returns-0-after-last-connection "$rc" 0
else
	lab_fail 2-drain-wait-returns-0-after-last-connection "still waiting: $(tail -3 /tmp/drain.out)"
fi
grep -q "^drained" /tmp/drain.out && lab_pass 2-drain-says-drained || lab_fail 2-drain-says-drained "$(cat /tmp/drain.out)"
json=$(ip netns exec rs1 dsr-agent drain --wait --timeout 5 --json --config /tmp/agent-rs1.conf)
echo "$json" | grep -q '"drained":true' && lab_pass 2-drain-json || lab_fail 2-drain-json "$json"
ip netns exec rs1 dsr-agent ready --config /tmp/agent-rs1.conf >/dev/null
expect_weight 2-ready-rs1-back "$RS1" 1
kill "$(cat /tmp/checkd.pid)" 2>/dev/null
exit 0
