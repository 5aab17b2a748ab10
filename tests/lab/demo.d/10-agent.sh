# SPDX-License-Identifier: Apache-2.0
# demo fragment: dsr-agent on rs1 (sourced by tests/lab/demo.sh inside the
# standard lab).  Shows check, the status endpoint over mutual TLS, a broken
# VIP found with its fix, and setup repairing it.
. tests/lab/agent-lib.sh

say "dsr-agent: mutual TLS in one step each (dsrkit-pki), the agent on rs1"
agent_pki rs1
agent_start rs1 || { echo "demo: the agent did not start"; cat /tmp/agent-rs1.log; }
echo "  dsrkit-pki --dir $AGENT_PKI ca; ... agent rs1 --ip 192.0.2.11; ... checker director"
echo "  ip netns exec rs1 dsr-agent serve --config /tmp/agent-rs1.conf"

say "rs1: dsr-agent check --vip $LAB_VIP --port 80 (a correct DR real server)"
in_ns rs1 dsr-agent check --vip $LAB_VIP --port 80
echo "  exit $?"

say "Director: GET /v1/status?vip=$LAB_VIP&port=80 over mutual TLS (excerpt)"
agent_get director rs1 "vip=$LAB_VIP&port=80" |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"agent": d["agent"], "admin": d["admin"], "linux_all": d["linux_all"], "evaluations": d["evaluations"]}, indent=2))'

say "Break rs1: the VIP is removed from lo (ip addr del $LAB_VIP/32 dev lo)"
ip -n rs1 addr del $LAB_VIP/32 dev lo
in_ns rs1 dsr-agent check --vip $LAB_VIP --port 80
echo "  exit $?"
echo "  /v1/status now says: $(sleep 0.3; agent_get director rs1 "vip=$LAB_VIP&port=80" | status_codes) ($(agent_get director rs1 "vip=$LAB_VIP&port=80" | status_verdict))"

say "Repair: dsr-agent setup --vip $LAB_VIP"
in_ns rs1 dsr-agent setup --vip $LAB_VIP
in_ns rs1 dsr-agent check --vip $LAB_VIP --port 80
echo "  exit $?"
agent_stop rs1
