# SPDX-License-Identifier: Apache-2.0
# lab: timeout=300
# dsr-checkd in standalone mode, without keepalived: it owns the DR service
# of its configuration through libdsrkit-ipvs, drains a failing real server
# (weight 0: established connections go on), restores it when healthy, and
# never touches a service it was not given.  The fault matrix of
# ka-dsr-check (with keepalived track files written), then: /metrics parsed as Prometheus text (promtool and a
# strict parser), SIGHUP reload by diff, and a restart that leaves IPVS
# exactly as it was.  It polls (`heartbeat off`): the polling path, which
# agents of protocol 1.0 still get, stays proven here, with reconnects and
# TLS resumption in step 4b; checkd-events proves the long-poll default.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
. tests/lab/ka-lib.sh
KA_LOG=/tmp/checkd.log KA_WAIT=8
RS1=$(lab_rs_addr 1) RS2=$(lab_rs_addr 2)
OTHER=192.0.2.200

lab_standard 2 || { lab_fail topology "lab_up failed"; exit 1; }
agent_pki rs1 rs2 || { lab_fail pki "dsrkit-pki failed"; exit 1; }
: >/tmp/state-rs1
agent_start rs1 "state_file = /tmp/state-rs1" && agent_start rs2 ||
	{ lab_fail agents-start "$(cat /tmp/agent-rs1.log /tmp/agent-rs2.log)"; exit 1; }
# a service that is not dsr-checkd's: it must stay exactly as it is
in_ns director ipvsadm -A -t "$OTHER:8080" -s sh
in_ns director ipvsadm -a -t "$OTHER:8080" -r "$RS1:8080" -g -w 7
other_before=$(in_ns director ipvsadm -Sn | grep "$OTHER")

checker_conf "timeout = 1s"
checkd_conf() {
	cat <<EOT
dsr_checkd {
    interval 500ms
    timeout 1s
    heartbeat off
    standalone yes
    listen 127.0.0.1:9445
    socket /tmp/checkd.sock
    track_dir /tmp/track
}
virtual_server $LAB_VIP 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
EOT
	local rs
	for rs in "$@"; do
		echo "    real_server $rs 80 {"
		echo "        weight 1"
		echo "    }"
	done
	echo "}"
}
checkd_conf "$RS1" "$RS2" >/tmp/checkd.conf
start_checkd() {
	bg_ns director checkd dsr-checkd -f /tmp/checkd.conf --dsrkit-conf /tmp/dsrkit.conf
	wait_for 5 test -S /tmp/checkd.sock
}
start_checkd || { lab_fail checkd-start "$(cat /tmp/checkd.log)"; exit 1; }

metrics() { in_ns director curl -s --max-time 3 http://127.0.0.1:9445/metrics; }

lab_log "step 1: dsr-checkd creates the service; both real servers healthy"
expect_weight 1-rs1-in "$RS1" 1 10
expect_weight 1-rs2-in "$RS2" 1
lab_expect 1-service-dr-rr "$(in_ns director ipvsadm -Sn | grep -c -- "-a -t $LAB_VIP:80 -r .* -g -w 1")" 2
all_requests_ok 1-requests-ok

lab_log "step 2: the VIP removed from rs1's lo: drained, not deleted"
lab_expect 2-track-file-up "$(cat "/tmp/track/${RS1}_${LAB_VIP}_80" 2>&1)" 0
in_ns rs1 ip addr del "$LAB_VIP/32" dev lo
expect_weight 2-vip-missing-rs1-drained "$RS1" 0
lab_expect 2-track-file-down "$(cat "/tmp/track/${RS1}_${LAB_VIP}_80" 2>&1)" 1
all_requests_ok 2-requests-ok-through-rs2
in_ns rs1 dsr-agent setup --vip "$LAB_VIP" >/dev/null
expect_weight 2-repaired-rs1-back "$RS1" 1

lab_log "step 3a: arp_ignore reset to 0 on rs1"
pin_vip_to_director
lab_rs_arp rs1 0 2
expect_weight 3a-arp-ignore-rs1-drained "$RS1" 0
in_ns rs1 dsr-agent setup --vip "$LAB_VIP" >/dev/null
expect_weight 3a-repaired-rs1-back "$RS1" 1
unpin_vip

lab_log "step 3b: the agent on rs1 stopped"
agent_stop rs1
expect_weight 3b-agent-stopped-rs1-drained "$RS1" 0
all_requests_ok 3b-requests-ok-through-rs2
agent_start rs1 "state_file = /tmp/state-rs1"
expect_weight 3b-repaired-rs1-back "$RS1" 1

lab_log "step 4: rs1's agent presents a certificate from another CA"
agent_stop rs1
agent_start_foreign_ca rs1
expect_weight 4-foreign-ca-rs1-drained "$RS1" 0
lab_expect 4-reason-tls "$(metrics | grep -c "dsrkit_checkd_target_failing{real_server=\"$RS1\".*code=\"TLS_VERIFY\"} 1")" 1
agent_stop rs1
agent_start rs1 "state_file = /tmp/state-rs1"
expect_weight 4-repaired-rs1-back "$RS1" 1

lab_log "step 4b: rs1's agent hangs up idle connections: each reconnect resumes the TLS session"
# client_timeout_ms 200 against checks every 500ms: the agent closes the
# kept-alive connection between any two checks
agent_stop rs1
agent_start rs1 "state_file = /tmp/state-rs1" "client_timeout_ms = 200"
# both counters from one scrape: a check may finish between two scrapes
counter_of() { awk -v p="$2{real_server=\"$RS1\"" 'index($0, p) == 1 {print $2}' "$1"; }
expect_weight 4b-rs1-up "$RS1" 1
sleep 1
metrics >/tmp/m0
hs0=$(counter_of /tmp/m0 dsrkit_checkd_real_server_tls_handshakes_total)
rs0=$(counter_of /tmp/m0 dsrkit_checkd_real_server_tls_resumptions_total)
sleep 3
metrics >/tmp/m1
hs1=$(counter_of /tmp/m1 dsrkit_checkd_real_server_tls_handshakes_total)
rs1=$(counter_of /tmp/m1 dsrkit_checkd_real_server_tls_resumptions_total)
lab_log "rs1 over 3 s: handshakes $hs0 -> $hs1, resumed $rs0 -> $rs1"
[ $((hs1 - hs0)) -ge 3 ] && lab_pass 4b-reconnects-each-check || lab_fail 4b-reconnects-each-check "handshakes $hs0 -> $hs1"
[ $((rs1 - rs0)) -ge 3 ] && [ $((rs1 - rs0)) -eq $((hs1 - hs0)) ] && lab_pass 4b-every-reconnect-resumed ||
	lab_fail 4b-every-reconnect-resumed "handshakes $hs0 -> $hs1, resumed $rs0 -> $rs1"
all_requests_ok 4b-requests-ok
agent_stop rs1
agent_start rs1 "state_file = /tmp/state-rs1"
expect_weight 4b-rs1-back "$RS1" 1

lab_log "step 5: the admin drains rs1; an established connection goes on"
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
for i in range(8):            # 4 s of requests on the same connection
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
new=$(lab_requests client "http://$LAB_VIP/" 6 | awk '{print $1}' | sort -u | tr '\n' ' ')
lab_expect 5-new-connections-to-rs2 "$new" "rs2 "
wait "$hold"
lab_expect 5-established-connection-goes-on "$(grep answers /tmp/hold.out)" "answers: rs1 8"
: >/tmp/state-rs1
expect_weight 5-undrained-rs1-back "$RS1" 1

lab_log "step 6: the service it was not given is untouched"
lab_expect 6-other-service-untouched "$(in_ns director ipvsadm -Sn | grep "$OTHER")" "$other_before"

lab_log "step 7: /metrics is valid Prometheus text with the IPVS counters"
metrics >/tmp/metrics.txt
# kept for the host's checks (the Grafana dashboard and the alerting rules
# name only metrics a real scrape has: tests/prometheus/check-names)
cp /tmp/metrics.txt "$LAB_OUT/metrics.txt"
# a missing promtool is a failure (build-aux/deps installs prometheus)
lab_check 7-promtool-check-metrics sh -c 'out=$(promtool check metrics </tmp/metrics.txt 2>&1); rc=$?; echo "$out"; [ $rc -eq 0 ] && [ -z "$out" ]'
lab_check 7-strict-parser python3 tests/lab/tools/promcheck.py </tmp/metrics.txt
lab_expect 7-rs-up-metric "$(grep -cE "^dsrkit_checkd_real_server_up\{real_server=\"($RS1|$RS2)\",agent_port=\"9443\"\} 1$" /tmp/metrics.txt)" 2
lab_expect 7-ipvs-backend-weight "$(grep -c "^dsrkit_ipvs_backend_weight{local_address=\"$LAB_VIP\",local_port=\"80\",local_mark=\"\",proto=\"TCP\",remote_address=\"$RS1\",remote_port=\"80\"} 1$" /tmp/metrics.txt)" 1
conns=$(awk -v p="dsrkit_ipvs_service_connections_total{local_address=\"$LAB_VIP\"" 'index($0, p) == 1 {print $2}' /tmp/metrics.txt)
lab_log "IPVS connections to $LAB_VIP:80 so far: $conns"
[ "${conns:-0}" -gt 0 ] && lab_pass 7-ipvs-connections-counted || lab_fail 7-ipvs-connections-counted "got '$conns'"

lab_log "step 8: SIGHUP reload by diff"
hs_of() { metrics | awk -v p="dsrkit_checkd_real_server_tls_handshakes_total{real_server=\"$1\"" 'index($0, p) == 1 {print $2}'; }
hs_before=$(hs_of "$RS2")
kill -HUP "$(cat /tmp/checkd.pid)"
sleep 1.5
lab_expect 8-reload-same-config-keeps-connection "$(hs_of "$RS2")" "$hs_before"
checkd_conf "$RS1" >/tmp/checkd.conf
kill -HUP "$(cat /tmp/checkd.pid)"
expect_weight 8-reload-rs2-removed-from-ipvs "$RS2" absent
# keepalived reads a deleted track file as 0 (ka-oracle shows it): the
# file of a target dsr-checkd no longer judges goes
lab_expect 8-reload-rs2-track-file-deleted "$(ls /tmp/track/ | grep -c "^${RS2}_")" 0
checkd_conf "$RS1" "$RS2" >/tmp/checkd.conf
kill -HUP "$(cat /tmp/checkd.pid)"
expect_weight 8-reload-rs2-back "$RS2" 1
wait_for 5 test -f "/tmp/track/${RS2}_${LAB_VIP}_80"
lab_expect 8-reload-rs2-track-file-back "$(cat "/tmp/track/${RS2}_${LAB_VIP}_80" 2>&1)" 0
lab_expect 8-other-service-still-untouched "$(in_ns director ipvsadm -Sn | grep "$OTHER")" "$other_before"

lab_log "step 9: a restart leaves IPVS untouched"
before=$(in_ns director ipvsadm -Sn)
kill "$(cat /tmp/checkd.pid)"
wait_for 5 sh -c "! kill -0 $(cat /tmp/checkd.pid) 2>/dev/null"
lab_expect 9-stop-leaves-ipvs "$(in_ns director ipvsadm -Sn)" "$before"
start_checkd || lab_fail 9-restart "$(tail -3 /tmp/checkd.log)"
sleep 3   # several checks of every real server
lab_expect 9-restart-leaves-ipvs "$(in_ns director ipvsadm -Sn)" "$before"
lab_expect 9-restart-sent-no-ipvs-operation "$(grep -c 'dsr-checkd: ipvs:' /tmp/checkd.log)" 0
all_requests_ok 9-requests-ok
kill "$(cat /tmp/checkd.pid)" 2>/dev/null
exit 0
