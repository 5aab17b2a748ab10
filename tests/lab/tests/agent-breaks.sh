# SPDX-License-Identifier: Apache-2.0
# lab: timeout=150
# agent-breaks: each DR prerequisite broken on a live real server (VIP
# removed, VIP /24, VIP on eth0, arp_ignore reset, listener stopped) shows
# the right code in both `dsr-agent check` and /v1/status, and
# `dsr-agent setup` repairs it (after refusing, with the reason, while the
# VIP sits on eth0; a stopped service is restarted by the test).
. tests/lab/lib.sh
. tests/lab/agent-lib.sh

lab_standard 1 || { lab_fail topology "lab_up failed"; exit 1; }
agent_pki rs1 || { lab_fail pki "dsrkit-pki failed"; exit 1; }
agent_start rs1 || lab_fail agent-rs1-starts "$(cat /tmp/agent-rs1.log)"
Q="vip=$LAB_VIP&port=80"
lab_check healthy-check in_ns rs1 dsr-agent check --vip $LAB_VIP --port 80

# expect_code NAME CODE [NS VIA]: both check and /v1/status (fetched from
# NS over VIA: rs1 or rs1-v6) report CODE on rs1
expect_code() {
	local name=$1 code=$2 ns=${3:-director} via=${4:-rs1} out rc codes
	out=$(in_ns rs1 dsr-agent check --vip $LAB_VIP --port 80)
	rc=$?
	if [ $rc -ne 0 ] && echo "$out" | grep -q " $code: "; then lab_pass $name-check; else
		lab_fail $name-check "rc $rc, no $code in: $(echo "$out" | tr '\n' ' ')"; fi
	if wait_for 3 bash -c "agent_get $ns $via '$Q' | status_codes | grep -qw $code"; then
		lab_pass $name-status
	else
		lab_fail $name-status "no $code in /v1/status: $(agent_get $ns $via "$Q" | status_codes)"
	fi
}

# expect_repaired NAME: setup, then check exits 0 and /v1/status says ok
expect_repaired() {
	local name=$1
	lab_check $name-setup in_ns rs1 dsr-agent setup --vip $LAB_VIP
	lab_check $name-repaired in_ns rs1 dsr-agent check --vip $LAB_VIP --port 80
	if wait_for 3 bash -c "agent_get director rs1 '$Q' | status_verdict | grep -qx ok"; then
		lab_pass $name-status-ok
	else
		lab_fail $name-status-ok "$(agent_get director rs1 "$Q" | status_codes)"
	fi
}

ip -n rs1 addr del $LAB_VIP/32 dev lo
expect_code vip-removed VIP_MISSING
expect_repaired vip-removed

ip -n rs1 addr del $LAB_VIP/32 dev lo
ip -n rs1 addr add $LAB_VIP/24 dev lo
# with 192.0.2.0/24 local on rs1 its IPv4 replies go to lo: ask over IPv6,
# from the client (the director holds the IPv6 VIP and would source from it)
expect_code vip-24 VIP_PREFIX client rs1-v6
expect_repaired vip-24

ip -n rs1 addr del $LAB_VIP/32 dev lo
ip -n rs1 addr add $LAB_VIP/32 dev eth0
expect_code vip-on-eth0 VIP_ON_ARP_IFACE
out=$(in_ns rs1 dsr-agent setup --vip $LAB_VIP 2>&1)
rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "refusing: VIP $LAB_VIP is on eth0"; then lab_pass vip-on-eth0-setup-refuses; else
	lab_fail vip-on-eth0-setup-refuses "rc $rc: $out"; fi
lab_expect vip-on-eth0-untouched "$(ip -n rs1 -br addr show dev eth0 | grep -c "$LAB_VIP/32")" 1
in_ns rs1 ip addr del $LAB_VIP/32 dev eth0   # the fix the finding names
expect_repaired vip-on-eth0

lab_rs_arp rs1 0 2
expect_code arp-ignore-reset ARP_IGNORE
expect_repaired arp-ignore-reset

kill "$(cat /tmp/http-rs1.pid)"
wait_for 3 sh -c "! ip netns exec rs1 ss -Hltn 'sport = :80' | grep -q ."
expect_code listener-stopped NO_LISTENER
bg_ns rs1 http-rs1 labhttpd --port 80 --name rs1
wait_for 3 ip netns exec rs1 sh -c "ss -Hltn 'sport = :80' | grep -q ."
lab_check listener-restarted in_ns rs1 dsr-agent check --vip $LAB_VIP --port 80

agent_stop rs1
