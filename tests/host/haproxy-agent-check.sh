#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# haproxy-agent-check: Debian's HAProxy polls dsr-agent's agent-check line
# port, and its own stats socket is the oracle.  Every transition must
# round-trip: a correct server is UP; its VIP removed turns it DOWN and
# back UP; `dsr-agent drain` turns it DRAIN; `dsr-agent ready` brings it
# back to UP (HAProxy leaves DRAIN or MAINT only on "ready").
#
# No IPVS is needed, so this runs on the host, inside a network namespace
# of its own (unshare): HAProxy, the agent and the backend talk over that
# namespace's 127.0.0.1, and the VIP (192.0.2.100, a documentation
# address) is only a fact on that namespace's lo.  Nothing touches the
# host's network configuration.  Part of `make unit` (so of make check).
set -u
B=${BUILD:-build}
export PATH="$PWD/$B/bin:$PATH"
. "$(dirname "$0")/host-lib.sh"
# a PID namespace too: when this script (its init) ends, the kernel ends
# HAProxy, the agent and the backend with it
host_test_enter haproxy-agent-check "haproxy dsr-agent labhttpd python3" "$@"

ip link set lo up
ip addr add 192.0.2.100/32 dev lo
sysctl -q -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.lo.arp_ignore=1

labhttpd --port 8080 --name rs1 >"$W/http.log" 2>&1 &
# the agent's TLS port is not used here, but serve needs its certificates
dsrkit-pki --dir "$W/pki" ca >/dev/null && dsrkit-pki --dir "$W/pki" agent a --ip 127.0.0.1 >/dev/null ||
	{ bad pki "dsrkit-pki failed"; exit 1; }
cat >"$W/agent.conf" <<EOT
listen = 127.0.0.1
port = 19443
tls_cert = $W/pki/a.crt
tls_key = $W/pki/a.key
tls_ca = $W/pki/ca.crt
vip = 192.0.2.100 8080
state_file = $W/state
agent_check_port = 19444
agent_check_listen = 127.0.0.1
weight = 75
EOT
dsr-agent serve --config "$W/agent.conf" >"$W/agent.log" 2>&1 &
cat >"$W/haproxy.cfg" <<EOT
global
    stats socket $W/haproxy.sock mode 600 level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen web
    bind 127.0.0.1:18080
    server rs1 127.0.0.1:8080 weight 100 check inter 200ms agent-check agent-addr 127.0.0.1 agent-port 19444 agent-inter 200ms
EOT
haproxy -f "$W/haproxy.cfg" -db >"$W/haproxy.log" 2>&1 &

# one command on HAProxy's stats socket
hap() {
	python3 -c 'import socket,sys
s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode() + b"\n")
b = b""
while True:
    d = s.recv(65536)
    if not d: break
    b += d
sys.stdout.write(b.decode())' "$W/haproxy.sock" "$1" 2>/dev/null
}
agent_line() { python3 -c 'import socket; s = socket.create_connection(("127.0.0.1", 19444), 2); print(s.recv(100).decode().strip())' 2>&1; }
# rs1 as HAProxy's stats socket says it (show stat: status field 18, weight 19)
status() { hap "show stat" | awk -F, '$1 == "web" && $2 == "rs1" {print $18}'; }
weight() { hap "show stat" | awk -F, '$1 == "web" && $2 == "rs1" {print $19}'; }
expect_status() {
	local name=$1 want=$2 got i
	for i in $(seq 1 50); do
		got=$(status)
		# "DOWN (agent)": the state, then who set it
		[ "${got%% *}" = "$want" ] && { ok "$name ($got)"; return 0; }
		sleep 0.2
	done
	bad "$name" "HAProxy says '$got', expected '$want'; agent line: '$(agent_line)'"
}

expect_status "correct server is UP" UP
w=$(weight)
[ "$w" = 75 ] && ok "weight from the agent's hint ($w)" || bad "weight from the agent's hint" "weight '$w'"
ip addr del 192.0.2.100/32 dev lo
expect_status "VIP removed: DOWN" DOWN
ip addr add 192.0.2.100/32 dev lo
expect_status "VIP back: UP" UP
dsr-agent drain --config "$W/agent.conf" >/dev/null || bad "dsr-agent drain" "exit $?"
expect_status "dsr-agent drain: DRAIN" DRAIN
dsr-agent ready --config "$W/agent.conf" >/dev/null || bad "dsr-agent ready" "exit $?"
expect_status "dsr-agent ready: UP again (not stuck in DRAIN)" UP
# MAINT last: HAProxy stops checking a server it holds in maintenance,
# so no agent line brings it back from there (set-server ... state ready)
echo "admin_state = maint" >"$W/state"
expect_status "admin_state maint: MAINT" MAINT
hap "show servers state web" | tail -2 | sed 's/^/   /'
host_test_finish
