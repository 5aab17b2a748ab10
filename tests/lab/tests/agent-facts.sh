# SPDX-License-Identifier: Apache-2.0
# lab: timeout=220
# agent-facts: dsr-agent on each real server reports the right facts (over
# mutual TLS from the director, and in `check`); setup is idempotent and
# --persist writes its files; the administrator drains through the state
# file; the agent-check line port follows state, weight and DR health; facts
# need no root.  (Breaking each prerequisite: agent-breaks; 300 interfaces
# and 1,000 listeners: agent-many-facts.)
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
lab_check check-json-valid sh -c "ip netns exec rs1 dsr-agent check --vip $LAB_VIP --json | grep -q '^{\"schema\":\"dsrkit-agent-status\"'"

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
lab_expect agent-check-line-up "$(in_ns director bash -c 'exec 3<>/dev/tcp/192.0.2.11/9444; cat <&3')" "up ready 75%"
ip -n rs1 addr del $LAB_VIP/32 dev lo
sleep 0.3
lab_expect agent-check-line-down "$(in_ns director bash -c 'exec 3<>/dev/tcp/192.0.2.11/9444; cat <&3')" "down # dr"
lab_check agent-check-off-by-default sh -c "! ip netns exec director bash -c 'exec 3<>/dev/tcp/192.0.2.12/9444' 2>/dev/null"
# facts are read without root
lab_check facts-without-root in_ns rs2 setpriv --reuid=65534 --regid=65534 --clear-groups dsr-agent check --vip $LAB_VIP --port 80

agent_stop rs1
agent_stop rs2
