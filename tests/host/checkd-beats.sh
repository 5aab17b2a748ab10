#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# checkd-beats: protocol 1.2's beats, both ways, on this host.
#   1. A real dsr-agent (1.2), asked as a 1.1 client would: a long-poll
#      without `beat` gets its 304 with no interim response; with
#      `beat=0.2` it gets a "102 Processing" every 0.2 s, then the 304;
#      `beat=0.05` is a 400 with the reason; every answer says
#      DSR-Protocol: 1.2.
#   2. dsr-checkd against that agent: UP; the agent stopped (SIGSTOP: a
#      silent host, its connection open) is DOWN within the heartbeat
#      although its request is held 30 s; back UP on SIGCONT.
#   3. dsr-checkd against agents that speak 1.1 (dsrkit-tlsresp without
#      --beats: it ignores `beat`, so a checker that asked for beats would
#      hear nothing and drain) and 1.2 (--beats): it asks beats of the
#      second only (the responder's counts), and a stopped one of either
#      is DOWN within the heartbeat.
# No IPVS is needed: a private network namespace (unshare) on the host,
# as tests/host/haproxy-agent-check.sh does; the VIP (192.0.2.100) is only
# a fact on that namespace's lo.  Part of `make unit` (so of make check).
set -u
B=${BUILD:-build}
export PATH="$PWD/$B/bin:$PATH"
. "$(dirname "$0")/host-lib.sh"
host_test_enter checkd-beats "dsr-agent dsr-checkd dsrkit-tlsresp dsrkit-pki labhttpd python3" "$@"
ms() { echo $(($(date +%s%N) / 1000000)); }

ip link set lo up
ip addr add 192.0.2.100/32 dev lo
sysctl -q -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
labhttpd --port 80 --name rs1 >"$W/http.log" 2>&1 &
{ dsrkit-pki --dir "$W/pki" ca && dsrkit-pki --dir "$W/pki" agent agent --ip 127.0.0.1 &&
	dsrkit-pki --dir "$W/pki" checker checker; } >/dev/null || { bad pki "dsrkit-pki failed"; host_test_finish; }
cat >"$W/agent.conf" <<EOT
listen = 127.0.0.1
port = 9443
tls_cert = $W/pki/agent.crt
tls_key = $W/pki/agent.key
tls_ca = $W/pki/ca.crt
vip = 192.0.2.100 80
EOT
dsr-agent serve --config "$W/agent.conf" >"$W/agent.log" 2>&1 &
AGENT=$!
for _ in $(seq 50); do ss -Hltn 'sport = :9443' | grep -q . && break; sleep 0.1; done

# --- 1: the agent, asked by hand --------------------------------------------
python3 - "$W/pki" >"$W/raw.txt" 2>&1 <<'EOF'
import json, socket, ssl, sys, time
pki = sys.argv[1]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.load_verify_locations(pki + "/ca.crt")
ctx.load_cert_chain(pki + "/checker.crt", pki + "/checker.key")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", 9443), timeout=10))
buf = b""
def response():
    """the heads of the interim responses, then the final one's head and body"""
    global buf
    heads = []
    while True:
        while b"\r\n\r\n" not in buf:
            d = s.recv(65536)
            if not d:
                raise SystemExit("closed")
            buf += d
        head, buf = buf.split(b"\r\n\r\n", 1)
        head = head.decode()
        code = int(head.split()[1])
        heads.append((round(time.monotonic() - t0, 2), head))
        if code >= 200:
            n = 0
            for line in head.split("\r\n")[1:]:
                k, v = line.split(":", 1)
                if k.lower() == "content-length":
                    n = int(v)
            while len(buf) < n:
                buf += s.recv(65536)
            body, buf = buf[:n], buf[n:]
            return heads, body
def get(q):
    global t0
    t0 = time.monotonic()
    s.sendall(("GET /v1/status%s HTTP/1.1\r\nHost: a\r\n\r\n" % q).encode())
    return response()
heads, body = get("")
g = json.loads(body)["generation"]
for name, q in (("plain", "?wait=1&after=%d" % g), ("beats", "?wait=1&after=%d&beat=0.2" % g),
                ("tooshort", "?wait=1&after=%d&beat=0.05" % g)):
    heads, body = get(q)
    for t, h in heads:
        first = h.split("\r\n")[0]
        proto = [l for l in h.split("\r\n") if l.lower().startswith("dsr-protocol:")]
        print(name, t, first, proto[0] if proto else "-", body.decode().strip() if first.split()[1] >= "200" else "")
EOF
plain_interim=$(grep -c "^plain .* 102 " "$W/raw.txt")
if grep -q "^plain .* 304 Not Modified DSR-Protocol: 1.2" "$W/raw.txt" && [ "$plain_interim" -eq 0 ]; then
	ok "1-plain-long-poll: 304, no interim response, DSR-Protocol: 1.2"
else
	bad 1-plain-long-poll "$(tr '\n' '|' <"$W/raw.txt")"
fi
n=$(grep -c "^beats .* HTTP/1.1 102 Processing" "$W/raw.txt")
if [ "$n" -ge 3 ] && [ "$n" -le 5 ] && grep -q "^beats .* 304 Not Modified DSR-Protocol: 1.2" "$W/raw.txt"; then
	ok "1-beats: $n interim 102 in a wait of 1 s at beat=0.2, then 304 ($(grep '^beats' "$W/raw.txt" | awk '{printf "%s ", $2}')s)"
else
	bad 1-beats "$n beats: $(tr '\n' '|' <"$W/raw.txt")"
fi
if grep -q "^tooshort .* 400 Bad Request DSR-Protocol: 1.2 .*beat is not a number of seconds in 0.1-3600" "$W/raw.txt"; then
	ok "1-beat-under-0.1s-is-400-with-reason"
else
	bad 1-beat-under-0.1s "$(tr '\n' '|' <"$W/raw.txt")"
fi

# --- a checker against one agent -------------------------------------------
# checkd_up NAME AGENT_PORT: dsr-checkd with one real server whose agent is
# on AGENT_PORT; waits (10 s) for its UP line
CPID=
checkd_up() {
	cat >"$W/$1.conf" <<EOT
dsr_checkd {
    interval 1s
    timeout 3s
    heartbeat 1s
    listen off
    socket off
}
virtual_server 192.0.2.100 80 {
    lb_kind DR
    protocol TCP
    real_server 127.0.0.1 80 {
        MISC_CHECK {
            misc_path "/usr/bin/dsr-check --rs 127.0.0.1 --vip 192.0.2.100 --port 80 --agent-port $2"
        }
    }
}
EOT
	cat >"$W/dsrkit.conf" <<EOT
ca = $W/pki/ca.crt
cert = $W/pki/checker.crt
key = $W/pki/checker.key
EOT
	dsr-checkd -f "$W/$1.conf" --dsrkit-conf "$W/dsrkit.conf" >"$W/$1.log" 2>&1 &
	CPID=$!
	for _ in $(seq 100); do grep -q "^UP " "$W/$1.log" && return 0; sleep 0.1; done
	return 1
}
checkd_stop() { kill "$CPID" 2>/dev/null; wait "$CPID" 2>/dev/null; CPID=; }
# silent NAME PID: stop PID (its connections stay open, nothing answers),
# and echo the ms until the checker's DOWN line (or "none" after 5 s);
# PID runs again after
silent() {
	local t0 t i
	kill -STOP "$2"
	t0=$(ms)
	for i in $(seq 250); do
		if grep -q "^DOWN " "$W/$1.log"; then
			t=$(($(ms) - t0))
			kill -CONT "$2"
			echo "$t"
			return
		fi
		sleep 0.02
	done
	kill -CONT "$2"
	echo none
}
# within the heartbeat (1 s), its 50 ms of overtime, and this host's noise
BOUND=1600
silent_ok() { # NAME TIME WHAT
	case $2 in
	none) bad "$1" "$3: no DOWN line within 5 s: $(tail -3 "$W/$1.log" | tr '\n' '|')" ;;
	*) if [ "$2" -lt "$BOUND" ]; then ok "$1: $3 down after $2 ms (bound $BOUND ms)"; else bad "$1" "$3 down after $2 ms (bound $BOUND ms)"; fi ;;
	esac
}

# --- 2: dsr-checkd and the real agent ----------------------------------------
if checkd_up real 9443; then
	ok "2-checker-up"
	sleep 3
	t=$(silent real "$AGENT")
	silent_ok 2-silent-agent "$t" "a stopped 1.2 agent (its request held 30 s)"
	grep -q "HTTP_TIMEOUT" "$W/real.log" && ok "2-reason-is-the-heartbeat" ||
		bad 2-reason "$(grep '^DOWN' "$W/real.log" | head -1)"
	for _ in $(seq 100); do [ "$(grep -c '^UP ' "$W/real.log")" -ge 2 ] && break; sleep 0.1; done
	[ "$(grep -c '^UP ' "$W/real.log")" -ge 2 ] && ok "2-up-again" || bad 2-up-again "$(tail -3 "$W/real.log" | tr '\n' '|')"
else
	bad 2-checker-up "$(tail -5 "$W/real.log" | tr '\n' '|')"
fi
checkd_stop

# --- 3: agents of 1.1 and 1.2 (dsrkit-tlsresp) -------------------------------
for proto in 1.1 1.2; do
	flag=; [ "$proto" = 1.2 ] && flag=--beats
	port=$([ "$proto" = 1.2 ] && echo 9445 || echo 9444)
	dsrkit-tlsresp --base "$port" --count 1 --cert "$W/pki/agent.crt" --key "$W/pki/agent.key" --ca "$W/pki/ca.crt" \
		--stats "$W/resp-$proto.stats" --generation 7 $flag >"$W/resp-$proto.log" 2>&1 &
	RESP=$!
	sleep 0.3
	if ! checkd_up "c$proto" "$port"; then
		bad "3-$proto-checker-up" "$(tail -5 "$W/c$proto.log" | tr '\n' '|')"
		checkd_stop; kill "$RESP"; continue
	fi
	sleep 4
	kill -USR1 "$RESP"; sleep 0.3
	read -r _ req _ hs _ nm _ beats <"$W/resp-$proto.stats"
	if [ "$proto" = 1.1 ] && [ "$beats" -eq 0 ] && [ "$nm" -ge 3 ] && ! grep -q "^DOWN" "$W/c$proto.log"; then
		ok "3-1.1-no-beats-asked: $req requests, $nm 304s in 4 s, still UP"
	elif [ "$proto" = 1.2 ] && [ "$beats" -ge 3 ] && [ "$req" -le 3 ] && ! grep -q "^DOWN" "$W/c$proto.log"; then
		ok "3-1.2-beats: $req requests, $beats beats in 4 s, still UP"
	else
		bad "3-$proto-counts" "requests $req 304s $nm beats $beats; $(grep -m1 '^DOWN' "$W/c$proto.log")"
	fi
	t=$(silent "c$proto" "$RESP")
	silent_ok "3-$proto-silent-agent" "$t" "a stopped $proto agent"
	checkd_stop
	kill "$RESP" 2>/dev/null; wait "$RESP" 2>/dev/null
done
kill "$AGENT" 2>/dev/null
host_test_finish
