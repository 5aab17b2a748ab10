# SPDX-License-Identifier: Apache-2.0
# tests/lab/detect-lib.sh - fault-to-drain measurement shared by the
# checkd-events lab test and the detect benchmark; sourced after lib.sh,
# agent-lib.sh and ka-lib.sh, in the standard lab with agents on rs1 (state
# file /tmp/state-rs1) and rs2.  The faults are on rs1; the director's IPVS
# weight of rs1 is the oracle (dsrkit-drainwatch reads it every ms).
DETECT_RS=$(lab_rs_addr 1)

# detect_checkd_start NAME: dsr-checkd in standalone mode on the director
# for VIP:80 with rs1 and rs2 (interval 1s, rise 2, fall 3, its default
# heartbeat), logging to /tmp/NAME.log, pid in /tmp/NAME.pid.
detect_checkd_start() {
	cat >/tmp/checkd.conf <<EOT
dsr_checkd {
    interval 1s
    timeout 1s
    rise 2
    fall 3
    standalone yes
    listen 127.0.0.1:9445
    socket /tmp/checkd.sock
}
virtual_server $LAB_VIP 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server $(lab_rs_addr 1) 80 { weight 1 }
    real_server $(lab_rs_addr 2) 80 { weight 1 }
}
EOT
	bg_ns director "$1" dsr-checkd -f /tmp/checkd.conf --dsrkit-conf /tmp/dsrkit.conf
}

# The four kinds of fault: effect spec for drainwatch --effect (evaluated
# at each fault: the agent's pid changes), the fault, its repair.
DETECT_KINDS=${BENCH_DETECT_KINDS:-vip-removed arp-ignore-reset agent-stopped link-down}
detect_effect() {
	case "$1" in
	vip-removed) echo "addr-gone:rs1:$LAB_VIP" ;;
	# the kernel applies max(all, eth0): the fault is there when the
	# second of the two writes (eth0) lands, some ms after the first
	arp-ignore-reset) echo "sysctl:rs1:net/ipv4/conf/eth0/arp_ignore:0" ;;
	agent-stopped) echo "exit:$(cat /tmp/agent-rs1.pid)" ;;
	link-down) echo "link-down:rs1:eth0" ;;
	esac
}
detect_fault() {
	case "$1" in
	vip-removed) echo "ip -n rs1 addr del $LAB_VIP/32 dev lo" ;;
	arp-ignore-reset) echo "ip netns exec rs1 sysctl -q -w net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.eth0.arp_ignore=0" ;;
	agent-stopped) echo "kill $(cat /tmp/agent-rs1.pid)" ;;
	# the switch port goes down (in the guest's root namespace, where the
	# bridge is; the fault runs in the director's): rs1 keeps its
	# addresses, nothing reaches it
	link-down) echo "nsenter --net=/proc/1/ns/net ip link set v-rs1 down" ;;
	esac
}
detect_repair() {
	case "$1" in
	vip-removed) ip netns exec rs1 ip addr add "$LAB_VIP/32" dev lo 2>/dev/null ;;
	arp-ignore-reset) lab_rs_arp rs1 1 2 ;;
	agent-stopped) agent_start rs1 "state_file = /tmp/state-rs1" >/dev/null ;;
	link-down) ip link set v-rs1 up ;;
	esac
}

# detect_weight_back ADDR WANT SECONDS: quietly wait for the weight.
detect_weight_back() {
	local i
	for i in $(seq 1 $(($3 * 10))); do [ "$(rs_weight "$1")" = "$2" ] && return 0; sleep 0.1; done
	return 1
}

# detect_measure TAG KIND N TIMEOUT_MS: N faults of KIND, one line per fault
# in /tmp/detect-TAG-KIND: effect-to-drain and start-to-drain (ms), or
# "timeout" (see drainwatch.c).  After each repair waits for rs1 to be back
# at weight 1 (the checker's rise) and 0.3 s more.  Returns 1 when rs1
# does not come back within 20 s.
detect_measure() {
	local tag=$1 kind=$2 n=$3 timeout=$4 i ms
	local out="/tmp/detect-$tag-$kind"
	: >"$out"
	for i in $(seq 1 "$n"); do
		ms=$(ip netns exec director dsrkit-drainwatch --effect "$(detect_effect "$kind")" \
			"$LAB_VIP" 80 "$DETECT_RS" "$timeout" -- sh -c "$(detect_fault "$kind")")
		echo "${ms:-error}" >>"$out"
		detect_repair "$kind"
		detect_weight_back "$DETECT_RS" 1 20 || { echo "rs1 not back after $kind fault $i"; return 1; }
		sleep 0.3
	done
}

# detect_stats TAG KIND [COLUMN]: "p50 p99 max" (ms) of /tmp/detect-TAG-KIND;
# a timeout (not drained) counts as infinite and shows as "-".
detect_stats() {
	sed 's/^timeout$/inf inf/; s/^error$/inf inf/' "/tmp/detect-$1-$2" | awk -v c="${3:-1}" '{print $c}' |
		sort -g | awk '{v[NR] = $1} END {
		if (!NR) { print "- - -"; exit }
		p50 = v[int((NR + 1) / 2)]; i99 = int(NR * 0.99 + 0.999); if (i99 > NR) i99 = NR
		for (k = 0; k < 3; k++) { x = k == 0 ? p50 : k == 1 ? v[i99] : v[NR]; printf "%s%s", (x == "inf" ? "-" : x), (k < 2 ? " " : "\n") } }'
}

# detect_missed TAG KIND: how many faults were not drained within the timeout.
detect_missed() { grep -c -v '^[0-9]' "/tmp/detect-$1-$2"; }
