# SPDX-License-Identifier: Apache-2.0
# lab: timeout=300
# The keepalived matrix of ka-dsr-check, with keepalived's MISC_CHECK asking
# dsr-checkd (`dsr-check --daemon`) instead of fetching itself: dsr-checkd
# reads the same keepalived.conf, checks each real server once per interval
# over one kept-alive mutual-TLS connection, and answers from its cache.
# keepalived's dsr-check gets a config whose CA does not exist, so a verdict
# that did not come from the daemon would be a TLS_CONFIG failure.  Also: a
# hung agent (accepts TCP, never answers) on rs3 does not delay the others.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
. tests/lab/ka-lib.sh
KA_LOG=/tmp/keepalived.log KA_WAIT=10
RS1=$(lab_rs_addr 1) RS2=$(lab_rs_addr 2) RS3=$(lab_rs_addr 3)

lab_standard 3 || { lab_fail topology "lab_up failed"; exit 1; }
ka_director_tune || lab_fail director-tune "net.ipv4.vs.expire_nodest_conn"
agent_pki rs1 rs2 || { lab_fail pki "dsrkit-pki failed"; exit 1; }
: >/tmp/state-rs1
agent_start rs1 "state_file = /tmp/state-rs1" && agent_start rs2 ||
	{ lab_fail agents-start "$(cat /tmp/agent-rs1.log /tmp/agent-rs2.log)"; exit 1; }
# rs3: an agent that accepts TCP and never says a word
cat >/tmp/hung.py <<'EOT'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9443)); s.listen(64)
held = []
while True:
    c, _ = s.accept(); held.append(c)
EOT
bg_ns rs3 hung python3 /tmp/hung.py

checker_conf "timeout = 1s" "daemon_socket = /tmp/checkd.sock"
# what keepalived's dsr-check reads: the socket, and TLS files that do not exist
cat >/tmp/dsrkit-daemon.conf <<EOT
ca = /nonexistent/ca.pem
daemon_socket = /tmp/checkd.sock
EOT
CHECK="$LAB_BIN/dsr-check --config /tmp/dsrkit-daemon.conf --daemon --vip $LAB_VIP --port 80"
ka_rs() {
	cat <<EOT
    real_server $1 80 {
        weight 1
        MISC_CHECK {
            misc_path "$CHECK --rs $1 --dynamic --weight 1"
            misc_timeout 3
            misc_dynamic
            retry 0
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
$(ka_rs "$RS3")
}
EOT
cat >/tmp/checkd.conf <<EOT
dsr_checkd {
    keepalived_conf /tmp/ka.conf
    interval 500ms
    timeout 1s
    listen 127.0.0.1:9445
}
EOT
bg_ns director checkd dsr-checkd -f /tmp/checkd.conf --dsrkit-conf /tmp/dsrkit.conf
wait_for 5 test -S /tmp/checkd.sock || { lab_fail checkd-start "$(cat /tmp/checkd.log)"; exit 1; }
lab_pass checkd-started
bg_ns director keepalived keepalived -n -l -D -C -f /tmp/ka.conf -p /tmp/ka.pid -c /tmp/ka-checkers.pid

# daemon_says NAME ADDR CODE: dsr-check --daemon, as keepalived runs it, names the fault
daemon_says() { says_code "$1" "$3" in_ns director $CHECK --rs "$2"; }
status() { in_ns director curl -s --max-time 2 http://127.0.0.1:9445/status; }

lab_log "step 1: both real servers healthy, rs3's agent hung"
expect_weight 1-rs1-in "$RS1" 1 15
expect_weight 1-rs2-in "$RS2" 1
expect_weight 1-hung-rs3-absent "$RS3" absent
daemon_says 1-hung-rs3-reason "$RS3" TLS_TIMEOUT
all_requests_ok 1-requests-ok
# the hung agent costs its own timeout, never the others' time: over 3 s,
# rs1 and rs2 are always checked within their heartbeat.  Their checks are
# long-polls held 850 ms (the heartbeat, 1 s, less the grace for the
# answer); one held up by rs3's 1 s TLS timeout would show 1.85 s or more
worst=$(in_ns director python3 - "$RS1" "$RS2" <<'EOT'
import json, sys, time, urllib.request
worst = 0
for i in range(6):
    d = json.load(urllib.request.urlopen("http://127.0.0.1:9445/status", timeout=2))
    for r in d["real_servers"]:
        if r["address"] in sys.argv[1:]:
            age = r["last_check_age_ms"]
            worst = max(worst, 99999 if age is None else age, r["last_check_duration_ms"])
    time.sleep(0.5)
print(worst)
EOT
)
lab_log "worst age/duration of rs1/rs2 checks beside the hung rs3: ${worst} ms"
[ "$worst" -lt 1250 ] && lab_pass 1-hung-agent-delays-nobody ||
	lab_fail 1-hung-agent-delays-nobody "rs1/rs2 checks were ${worst} ms old or long (long-polls of 850 ms, bound 1250)"

lab_log "step 2: the VIP removed from rs1's lo"
in_ns rs1 ip addr del "$LAB_VIP/32" dev lo
expect_weight 2-vip-missing-rs1-out "$RS1" absent
daemon_says 2-reason-vip-missing "$RS1" VIP_MISSING
all_requests_ok 2-requests-ok-through-rs2
in_ns rs1 dsr-agent setup --vip "$LAB_VIP" >/dev/null
expect_weight 2-repaired-rs1-back "$RS1" 1

lab_log "step 3a: arp_ignore reset to 0 on rs1"
pin_vip_to_director
lab_rs_arp rs1 0 2
expect_weight 3a-arp-ignore-rs1-out "$RS1" absent
daemon_says 3a-reason-arp-ignore "$RS1" ARP_IGNORE
in_ns rs1 dsr-agent setup --vip "$LAB_VIP" >/dev/null
expect_weight 3a-repaired-rs1-back "$RS1" 1
unpin_vip

lab_log "step 3b: the agent on rs1 stopped"
agent_stop rs1
expect_weight 3b-agent-stopped-rs1-out "$RS1" absent
daemon_says 3b-reason-connect "$RS1" CONNECT_REFUSED
all_requests_ok 3b-requests-ok-through-rs2
agent_start rs1 "state_file = /tmp/state-rs1"
expect_weight 3b-repaired-rs1-back "$RS1" 1

lab_log "step 4: rs1's agent presents a certificate from another CA"
agent_stop rs1
agent_start_foreign_ca rs1
expect_weight 4-foreign-ca-rs1-out "$RS1" absent
daemon_says 4-reason-tls "$RS1" TLS_VERIFY
agent_stop rs1
agent_start rs1 "state_file = /tmp/state-rs1"
expect_weight 4-repaired-rs1-back "$RS1" 1

lab_log "step 5: the admin drains rs1"
echo "admin_state = drain" >/tmp/state-rs1
expect_weight 5-drain-weight-0 "$RS1" 0
new=$(lab_requests client "http://$LAB_VIP/" 6 | awk '{print $1}' | sort -u | tr '\n' ' ')
lab_expect 5-new-connections-to-rs2 "$new" "rs2 "

lab_log "step 6: every fault repaired"
: >/tmp/state-rs1
expect_weight 6-rs1-back "$RS1" 1
expect_weight 6-rs2-still-in "$RS2" 1
all_requests_ok 6-requests-ok
# the verdicts came from the daemon: one TLS connection per real server, kept
hs=$(status | python3 -c 'import json,sys; d=json.load(sys.stdin); print([r["tls_handshakes"] for r in d["real_servers"] if r["address"] == sys.argv[1]][0])' "$RS2")
lab_log "rs2: $hs TLS handshake(s) over the whole test"
lab_expect 6-rs2-one-handshake "$hs" 1
kill "$(cat /tmp/keepalived.pid)" "$(cat /tmp/checkd.pid)" "$(cat /tmp/hung.pid)" 2>/dev/null
exit 0
