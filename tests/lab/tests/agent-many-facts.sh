# SPDX-License-Identifier: Apache-2.0
# lab: timeout=220
# agent-many-facts: 300 interfaces and 1,000 listening sockets (issue 16,
# finding 4): the VIP on the last interface, which answers ARP, is seen (a
# 64-row table hid it and passed the server), nothing is truncated, port 80
# still listens.  And the agent's watcher keeps within its read budget
# (a fifth of a core): on 2026-12-05 its 50 ms full re-read took the whole
# core with these tables, and the director's requests timed out at connect.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh

lab_standard 2 || { lab_fail topology "lab_up failed"; exit 1; }
agent_pki rs1 rs2 || { lab_fail pki "dsrkit-pki failed"; exit 1; }
agent_start rs2 || lab_fail agent-rs2-starts "$(cat /tmp/agent-rs2.log)"
Q="vip=$LAB_VIP&port=80"

# 300 interfaces and 1,000 listening sockets (issue 16, finding 4): the VIP
# on the last interface, which answers ARP, is seen (a 64-row table hid
# it and passed the server), nothing is truncated, port 80 still listens.
{ for i in $(seq 1 150); do echo "link add vx$i type veth peer name vy$i"; done; } | ip -n rs2 -batch -
ip -n rs2 link set vy150 up
ip -n rs2 addr add $LAB_VIP/32 dev vy150
bg_ns rs2 listeners python3 -c 'import socket, time
s = []
for p in range(20000, 21000):
    x = socket.socket(); x.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    x.bind(("192.0.2.12", p)); x.listen(1); s.append(x)
open("/tmp/listeners.up", "w").write("%d\n" % len(s))
time.sleep(120)'
wait_for 20 test -s /tmp/listeners.up || lab_fail many-listeners-up "$(cat /tmp/listeners.log)"
lab_log "rs2: $(ip -n rs2 -o link | wc -l) interfaces, $(ip netns exec rs2 ss -Hltn | wc -l) listening sockets"
sleep 0.5
agent_get director rs2 "$Q" >/tmp/many.json
lab_log "status document with them: $(wc -c </tmp/many.json) bytes"
lab_expect many-facts "$(status_field "(len(d['interfaces']), len(d['listeners']) >= 1001, d['truncated'])" </tmp/many.json)" \
	"($(ip -n rs2 -o link | wc -l), True, False)"
lab_expect vip-on-interface-300-seen "$(status_codes </tmp/many.json | grep -ow VIP_ON_ARP_IFACE)" "VIP_ON_ARP_IFACE"
lab_expect many-no-false-no-listener "$(status_codes </tmp/many.json | grep -c NO_LISTENER)" 0
# the watcher's cost with these tables, idle, over 5 s (utime + stime)
apid=$(cat /tmp/agent-rs2.pid)
cpu() { awk '{ print $14 + $15 }' "/proc/$apid/stat"; }
c0=$(cpu); sleep 5; c1=$(cpu)
pct=$(( (c1 - c0) * 100 / (5 * $(getconf CLK_TCK)) ))
lab_log "agent CPU with 300 interfaces and 1,000 listeners, idle: ${pct}% of a core"
lab_check agent-watch-within-budget test "$pct" -le 30
ip -n rs2 addr del $LAB_VIP/32 dev vy150
sleep 0.5
lab_expect many-then-ok "$(agent_get director rs2 "$Q" | status_verdict)" "ok"
kill "$(cat /tmp/listeners.pid)" 2>/dev/null
agent_stop rs2
