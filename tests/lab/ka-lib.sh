# SPDX-License-Identifier: Apache-2.0
# tests/lab/ka-lib.sh - helpers of the keepalived / dsr-checkd fault-matrix
# lab tests, sourced after lib.sh and agent-lib.sh.  The test sets
# KA_LOG to the log whose last lines explain a failed expectation.

KA_LOG=${KA_LOG:-/tmp/keepalived.log}
KA_WAIT=${KA_WAIT:-12}   # seconds expect_weight waits by default

# rs_weight ADDR: its weight in the director's IPVS table for VIP:80,
# "absent" if it is not there.
rs_weight() {
	ip netns exec director ipvsadm -Ln -t "$LAB_VIP:80" 2>/dev/null |
		awk -v a="$1:80" '$2 == a {print $4; f = 1} END {if (!f) print "absent"}'
}

# expect_weight NAME ADDR WANT [SECONDS]: wait for the IPVS table to show it.
expect_weight() {
	local i got
	for i in $(seq 1 $((${4:-$KA_WAIT} * 5))); do
		got=$(rs_weight "$2")
		[ "$got" = "$3" ] && { lab_pass "$1"; return 0; }
		sleep 0.2
	done
	lab_fail "$1" "weight of $2 is '$got', expected '$3'; log: $(tail -3 "$KA_LOG" | tr '\n' ' ')"
	return 1
}

# all_requests_ok NAME: 20 fresh connections from the client all answered.
# On a shortfall the log gets which ones failed and the director's
# connection table, to tell a lingering entry from a lost packet.
all_requests_ok() {
	local out
	out=$(lab_requests client "http://$LAB_VIP/" 20)
	if [ "$(echo "$out" | grep -c ' 200$')" != 20 ]; then
		lab_log "$1: answers: $(echo "$out" | awk '{print $1, $2}' | sort | uniq -c | tr '\n' ' ')"
		lab_log "$1: director connections: $(ip netns exec director ipvsadm -Lnc 2>&1 | tail -n +3 |
			awk '{print $3, $5, $6}' | sort | uniq -c | tr '\n' ' ')"
	fi
	lab_expect "$1" "$(echo "$out" | grep -c ' 200$')" 20
}

# ka_director_tune: what a DR director under keepalived should set.  When
# keepalived removes a failed real server, IPVS keeps its connection
# entries (FIN_WAIT, TIME_WAIT: up to 2 min) and, with the default
# expire_nodest_conn=0, silently drops every packet that matches one - a
# new connection whose source port the client recycles included.  With 1
# the entry is expired on its next packet and the connection scheduled to
# a live server (doc/keepalived.md).
ka_director_tune() {
	ip netns exec director sysctl -q -w net.ipv4.vs.expire_nodest_conn=1
}

# agent_start_foreign_ca RS: RS's agent with a certificate from another CA.
agent_start_foreign_ca() {
	local rs=$1
	dsrkit-pki --dir /tmp/pki-other ca >/dev/null 2>&1 || [ -f /tmp/pki-other/ca.crt ] || return 1
	dsrkit-pki --dir /tmp/pki-other agent "$rs" --ip "${LAB_ADDR[$rs]}" >/dev/null || return 1
	cat >"/tmp/agent-$rs-other.conf" <<EOT
tls_cert = /tmp/pki-other/$rs.crt
tls_key = /tmp/pki-other/$rs.key
tls_ca = $AGENT_PKI/ca.crt
vip = $LAB_VIP 80
EOT
	bg_ns "$rs" "agent-$rs" dsr-agent serve --config "/tmp/agent-$rs-other.conf"
	wait_for 5 ip netns exec "$rs" sh -c "ss -Hltn 'sport = :$AGENT_PORT' | grep -q ."
}

# says_code NAME CODE CMD...: CMD's one line names CODE within 5 s (a
# verdict taken just before the fault settled may be the previous one).
says_code() {
	local n=$1 code=$2 out i
	shift 2
	for i in $(seq 1 10); do
		out=$("$@")
		case "$out" in *"($code)"*) break ;; esac
		sleep 0.5
	done
	lab_log "$n: $out"
	case "$out" in
	*"($code)"*) lab_pass "$n" ;;
	*) lab_fail "$n" "said '$out', expected code $code" ;;
	esac
}

# pin_vip_to_director / unpin_vip: while a real server is left with
# arp_ignore=0 it answers ARP for the VIP and the client's neighbour entry
# flips between it and the director (the ARP problem itself, shown by the
# arp-problem and arp-detector tests).  These fault-matrix tests measure
# keepalived's and the checker's reaction, so the client holds the VIP on
# the director's MAC, as a router with a static entry would; unpinning also
# forgets an entry the fault may have poisoned.
pin_vip_to_director() {
	ip -n client neigh replace "$LAB_VIP" lladdr "${LAB_MAC[director]}" dev eth0 nud permanent
}
unpin_vip() {
	ip -n client neigh del "$LAB_VIP" dev eth0 2>/dev/null
	return 0
}
