# lab: timeout=110
# agent-facts: dsr-agent on each real server reports the right facts; each
# DR prerequisite broken on a live real server (VIP removed, VIP /24, VIP on
# eth0, arp_ignore reset, listener stopped) shows the right code in both
# `dsr-agent check` and /v1/status, and `dsr-agent setup` repairs it.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh

lab_standard 2 || { lab_fail topology "lab_up failed"; exit 1; }
agent_pki rs1 rs2 || { lab_fail pki "dsrkit-pki failed"; exit 1; }
printf 'admin_state = up\n' >/tmp/rs1.state
agent_start rs1 "state_file = /tmp/rs1.state" "agent_check_port = 9444" || lab_fail agent-rs1-starts "$(cat /tmp/agent-rs1.log)"
agent_start rs2 || lab_fail agent-rs2-starts "$(cat /tmp/agent-rs2.log)"
Q="vip=$LAB_VIP&port=80"

# --- facts of healthy real servers ------------------------------------------
for rs in rs1 rs2; do
	doc=$(agent_get director $rs "$Q")
	# one python run per document: hostname, VIPs on lo, own address, ARP
	# sysctls (all, eth0), a listener on 80, the verdict
	got=$(echo "$doc" | status_field '"|".join(map(str, [d["agent"]["hostname"],
		[(a["address"], a["prefix_len"]) for i in d["interfaces"] if i["name"] == "lo" for a in i["addresses"] if a["address"].endswith("::100") or a["address"].endswith(".100")],
		[a["address"] + "/" + str(a["prefix_len"]) for i in d["interfaces"] if i["name"] == "eth0" for a in i["addresses"] if ":" not in a["address"]],
		(d["linux_all"]["arp_ignore"], d["linux_all"]["arp_announce"]),
		[(i["linux"]["arp_ignore"], i["linux"]["arp_announce"]) for i in d["interfaces"] if i["name"] == "eth0"],
		any(l["port"] == 80 for l in d["listeners"]), d["evaluations"][0]["verdict"]]))')
	lab_expect $rs-facts "$got" "$(hostname)|[('192.0.2.100', 32), ('2001:db8::100', 128)]|['${LAB_ADDR[$rs]}/24']|(1, 2)|[(1, 2)]|True|ok"
	lab_check $rs-check-ok in_ns $rs dsr-agent check --vip $LAB_VIP --vip $LAB_VIP6 --port 80
done
lab_expect default-evaluations "$(agent_get director rs2 | grep -o '"evaluations":\[{"vip":"[^"]*","port":[0-9]*')" '"evaluations":[{"vip":"192.0.2.100","port":80' 
lab_check check-json-valid sh -c "ip netns exec rs1 dsr-agent check --vip $LAB_VIP --json | python3 -m json.tool >/dev/null"

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

# setup is idempotent: a second run changes nothing and prints no command
lab_expect setup-idempotent "$(in_ns rs1 dsr-agent setup --vip $LAB_VIP --vip $LAB_VIP6)" "setup done"
in_ns rs1 dsr-agent setup --vip $LAB_VIP --persist --root /tmp/persist >/dev/null
lab_check setup-persist-files sh -c "grep -q 'net.ipv4.conf.all.arp_ignore = 1' /tmp/persist/etc/sysctl.d/90-dsrkit-dr.conf &&
	grep -q 'ip addr replace $LAB_VIP/32 dev lo' /tmp/persist/etc/systemd/system/dsrkit-vips.service &&
	[ -L /tmp/persist/etc/systemd/system/multi-user.target.wants/dsrkit-vips.service ]"

# the administrator drains rs1 through the state file
printf 'admin_state = drain\nweight = 0\nadmin_reason = patching\n' >/tmp/rs1.state
if wait_for 3 bash -c "agent_get director rs1 '$Q' | grep -q '\"admin\":{\"state\":\"drain\"'"; then
	lab_pass admin-drain-status; else lab_fail admin-drain-status "$(agent_get director rs1 "$Q" | head -c 300)"; fi
lab_expect admin-drain-finding "$(agent_get director rs1 "$Q" | status_codes)" "ADMIN_DRAIN"
lab_expect agent-check-line-drain "$(in_ns director bash -c 'exec 3<>/dev/tcp/192.0.2.11/9444; cat <&3')" "drain"
printf 'admin_state = up\nweight = 75\n' >/tmp/rs1.state
sleep 0.3
lab_expect agent-check-line-up "$(in_ns director bash -c 'exec 3<>/dev/tcp/192.0.2.11/9444; cat <&3')" "up 75%"
ip -n rs1 addr del $LAB_VIP/32 dev lo
sleep 0.3
lab_expect agent-check-line-down "$(in_ns director bash -c 'exec 3<>/dev/tcp/192.0.2.11/9444; cat <&3')" "down # dr"
lab_check agent-check-off-by-default sh -c "! ip netns exec director bash -c 'exec 3<>/dev/tcp/192.0.2.12/9444' 2>/dev/null"
# facts are read without root
lab_check facts-without-root in_ns rs2 setpriv --reuid=65534 --regid=65534 --clear-groups dsr-agent check --vip $LAB_VIP --port 80
agent_stop rs1
agent_stop rs2
