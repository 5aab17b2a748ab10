# SPDX-License-Identifier: Apache-2.0
# lab: timeout=330
# Real keepalived, real IPVS, real agents: keepalived on the director runs
# dsr-check (MISC_CHECK, misc_dynamic) against dsr-agent on two real
# servers over mutual TLS set up with dsrkit-pki.  Each fault takes the
# server out (read back from the IPVS table) and the client's requests keep
# succeeding through the other server; each repair brings it back.  The
# checks run as the README configures them, with a keeper (dsr-check(8)):
# after the first, each check is answered by the keeper, which asks the
# agent at once on a kept-alive connection; every fault below is seen
# through it, and it exits when keepalived stops.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
. tests/lab/ka-lib.sh
KA_LOG=/tmp/keepalived.log
RS1=$(lab_rs_addr 1) RS2=$(lab_rs_addr 2)

lab_standard 2 || { lab_fail topology "lab_up failed"; exit 1; }
ka_director_tune || lab_fail director-tune "net.ipv4.vs.expire_nodest_conn"
agent_pki rs1 rs2 || { lab_fail pki "dsrkit-pki failed"; exit 1; }
: >/tmp/state-rs1
agent_start rs1 "state_file = /tmp/state-rs1" && agent_start rs2 ||
	{ lab_fail agents-start "$(cat /tmp/agent-rs1.log /tmp/agent-rs2.log)"; exit 1; }

KEEPER_DIR=/tmp/dsrkit-check
checker_conf "timeout = 5s" "ticket_dir = $KEEPER_DIR" "keeper = 10s"
# Generous deadlines: CI runs two guests on two busy cores, where a check
# can stall for seconds.  A false failure there removes a healthy server
# (IPVS then drops its established connections), which is not what any
# step tests: every fault below fails fast (refused, wrong CA, findings).
CHECK="$LAB_BIN/dsr-check --config /tmp/dsrkit.conf --vip $LAB_VIP --port 80"
ka_rs() {
	cat <<EOT
    real_server $1 80 {
        weight 1
        MISC_CHECK {
            misc_path "$CHECK --rs $1 --dynamic --weight 1"
            misc_timeout 8
            misc_dynamic
        }
    }
EOT
}
cat >/tmp/ka.conf <<EOT
global_defs {
    router_id lab-director
    script_user root
}
virtual_server $LAB_VIP 80 {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
$(ka_rs "$RS1")
$(ka_rs "$RS2")
}
EOT
bg_ns director keepalived keepalived -n -l -G -D -C -f /tmp/ka.conf -p /tmp/ka.pid -c /tmp/ka-checkers.pid

# check_says NAME ADDR CODE: dsr-check run by hand names the fault.
check_says() { says_code "$1" "$3" in_ns director $CHECK --rs "$2"; }

lab_log "step 1: both real servers healthy"
expect_weight 1-rs1-in "$RS1" 1 20
expect_weight 1-rs2-in "$RS2" 1
all_requests_ok 1-requests-ok

lab_log "step 1b: a keeper holds one connection to each agent"
# its pid is in its lock file; its sockets in the director's namespace
keeper_pid() { cat "$KEEPER_DIR"/keeper-*.lock 2>/dev/null | head -1; }
keeper_conns() { in_ns director ss -Htnp state established "( dport = :$AGENT_PORT )" | grep -c "pid=$1,"; }
wait_true 10 '[ -n "$(keeper_pid)" ] && kill -0 "$(keeper_pid)"' ||
	lab_fail 1b-keeper-started "no keeper: $(ls -la "$KEEPER_DIR" 2>&1 | tr '\n' ' ')"
KPID=$(keeper_pid)
wait_true 10 '[ "$(keeper_conns "$KPID")" = 2 ]'
lab_expect 1b-keeper-holds-both-agents "$(keeper_conns "$KPID")" 2
lab_expect 1b-keeper-socket "$(ls "$KEEPER_DIR" | grep -c '^keeper-.*\.sock$')" 1

lab_log "step 2: the VIP removed from rs1's lo"
in_ns rs1 ip addr del "$LAB_VIP/32" dev lo
expect_weight 2-vip-missing-rs1-out "$RS1" absent
check_says 2-reason-vip-missing "$RS1" VIP_MISSING
all_requests_ok 2-requests-ok-through-rs2
in_ns rs1 dsr-agent setup --vip "$LAB_VIP" >/dev/null
expect_weight 2-repaired-rs1-back "$RS1" 1

lab_log "step 3a: arp_ignore reset to 0 on rs1"
pin_vip_to_director
lab_rs_arp rs1 0 2
expect_weight 3a-arp-ignore-rs1-out "$RS1" absent
check_says 3a-reason-arp-ignore "$RS1" ARP_IGNORE
all_requests_ok 3a-requests-ok-through-rs2
in_ns rs1 dsr-agent setup --vip "$LAB_VIP" >/dev/null
expect_weight 3a-repaired-rs1-back "$RS1" 1
unpin_vip

lab_log "step 3b: the agent on rs1 stopped"
agent_stop rs1
expect_weight 3b-agent-stopped-rs1-out "$RS1" absent
check_says 3b-reason-connect "$RS1" CONNECT_REFUSED
all_requests_ok 3b-requests-ok-through-rs2
agent_start rs1 "state_file = /tmp/state-rs1"
expect_weight 3b-repaired-rs1-back "$RS1" 1

lab_log "step 4: rs1's agent presents a certificate from another CA"
agent_stop rs1
agent_start_foreign_ca rs1
expect_weight 4-foreign-ca-rs1-out "$RS1" absent
check_says 4-reason-tls "$RS1" TLS_VERIFY
agent_stop rs1
agent_start rs1 "state_file = /tmp/state-rs1"
expect_weight 4-repaired-rs1-back "$RS1" 1

lab_log "step 5: the admin drains rs1; established connections finish"
# Hold a keep-alive connection that IPVS scheduled to rs1.
cat >/tmp/hold.py <<'EOT'
import socket, sys, time
vip = sys.argv[1]
for attempt in range(10):
    s = socket.create_connection((vip, 80), timeout=2)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    if b"rs1" in s.recv(4096):
        break
    s.close()
else:
    print("never reached rs1"); sys.exit(2)
print("holding", flush=True)
answers = []
for i in range(24):           # 12 s of requests on the same connection
    time.sleep(0.5)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    answers.append(s.recv(4096).split(b"\r\n\r\n")[-1].strip().decode())
print("answers:", " ".join(sorted(set(answers))), len(answers))
EOT
ip netns exec client python3 /tmp/hold.py "$LAB_VIP" >/tmp/hold.out 2>&1 &
hold=$!
# python's start in a loaded guest takes seconds: the connection must be
# held before the drain, or it could never reach rs1
wait_for 40 grep -q holding /tmp/hold.out ||
	lab_fail 5-connection-held-before-drain "$(cat /tmp/hold.out)"
echo "admin_state = drain" >/tmp/state-rs1
expect_weight 5-drain-weight-0 "$RS1" 0
new=$(for i in $(seq 1 10); do lab_get client "http://$LAB_VIP/"; done | sort -u | tr '\n' ' ')
lab_expect 5-new-connections-to-rs2 "$new" "rs2 "
wait "$hold"
lab_expect 5-established-connection-finishes "$(grep answers /tmp/hold.out)" "answers: rs1 24"

lab_log "step 6: every fault repaired"
: >/tmp/state-rs1
expect_weight 6-rs1-back "$RS1" 1
expect_weight 6-rs2-still-in "$RS2" 1
all_requests_ok 6-requests-ok
lab_log "step 7: keepalived stops; the keeper, asked no more, exits"
lab_expect 7-same-keeper-throughout "$(keeper_pid)" "$KPID"
kill "$(cat /tmp/keepalived.pid)" 2>/dev/null
wait_true 25 '! kill -0 "$KPID"' && lab_pass 7-keeper-exits-when-idle ||
	lab_fail 7-keeper-exits-when-idle "pid $KPID still runs 25 s after keepalived stopped (keeper = 10s)"
lab_expect 7-keeper-socket-removed "$(ls "$KEEPER_DIR" | grep -c '^keeper-.*\.sock$')" 0
exit 0
