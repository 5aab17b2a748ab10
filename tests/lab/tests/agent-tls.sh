# SPDX-License-Identifier: Apache-2.0
# lab: timeout=150
# agent-tls: the status endpoint answers only clients with a certificate
# from its CA (none: no data; another CA: no data), the client verifies the
# agent, TLS 1.3 by default, the request limits give 4xx, and 500 idle
# (slowloris) connections neither stop a proper client from getting its
# answer within one second nor live past client_timeout.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh

lab_standard 1 || { lab_fail topology "lab_up failed"; exit 1; }
agent_pki rs1 || { lab_fail pki "dsrkit-pki failed"; exit 1; }
# a second, unrelated CA with its own checker and agent certificates
dsrkit-pki --dir /tmp/pki2 ca >/dev/null && dsrkit-pki --dir /tmp/pki2 checker rogue >/dev/null &&
	dsrkit-pki --dir /tmp/pki2 agent rs1 --ip 192.0.2.11 >/dev/null || lab_fail pki2 "second CA failed"
agent_start rs1 "client_timeout_ms = 3000" || lab_fail agent-starts "$(cat /tmp/agent-rs1.log)"

lab_check proper-client-gets-status bash -c "agent_get client rs1 | grep -q '\"schema\":\"dsrkit-agent-status\"'"
out=$(agent_get client rs1 "" none 2>&1)
if echo "$out" | grep -q schema; then lab_fail no-cert-no-data "got data: $out"; else lab_pass no-cert-no-data; fi
out=$(AGENT_CA_DIR=/tmp/pki2 agent_get client rs1 "" rogue 2>&1)
if echo "$out" | grep -q schema; then lab_fail other-ca-no-data "got data: $out"; else lab_pass other-ca-no-data; fi
lab_check agent-log-names-tls-failure grep -q "TLS handshake failed" /tmp/agent-rs1.log
# the client side: an agent certificate from another CA is refused by the client
out=$(in_ns client curl -sS --max-time 3 --cacert /tmp/pki2/ca.crt --cert /tmp/pki/director.crt \
	--key /tmp/pki/director.key https://192.0.2.11:9443/v1/status 2>&1)
if echo "$out" | grep -q schema; then lab_fail client-verifies-agent "accepted: $out"; else lab_pass client-verifies-agent; fi
# the IP SAN is checked: the certificate does not name 192.0.2.100
out=$(in_ns client curl -sS --max-time 3 --resolve rs:9443:192.0.2.11 --cacert /tmp/pki/ca.crt \
	--cert /tmp/pki/director.crt --key /tmp/pki/director.key https://rs:9443/v1/status 2>&1)
if echo "$out" | grep -q schema; then lab_fail client-checks-ip-san "accepted a name not in the SAN"; else lab_pass client-checks-ip-san; fi
lab_check tls12-refused-by-default bash -c "! ip netns exec client curl -sS --max-time 3 --tls-max 1.2 --cacert /tmp/pki/ca.crt \
	--cert /tmp/pki/director.crt --key /tmp/pki/director.key https://192.0.2.11:9443/v1/status 2>/dev/null"

# request limits and errors: a status and a log line each
code() { in_ns client curl -s -o /dev/null -w '%{http_code}' --max-time 3 --cacert /tmp/pki/ca.crt \
	--cert /tmp/pki/director.crt --key /tmp/pki/director.key "$@"; }
lab_expect post-405 "$(code -X POST https://192.0.2.11:9443/v1/status)" 405
lab_expect path-404 "$(code https://192.0.2.11:9443/v1/nothing)" 404
lab_expect bad-query-400 "$(code 'https://192.0.2.11:9443/v1/status?vip=banana')" 400
lab_expect long-header-431 "$(code -H "X-Long: $(head -c 2000 /dev/zero | tr '\0' a)" https://192.0.2.11:9443/v1/status)" 431
lab_expect one-vip-query "$(agent_get client rs1 "vip=$LAB_VIP6&port=80" | grep -o '"evaluations":\[{"vip":"[^"]*","port":[0-9]*')" '"evaluations":[{"vip":"2001:db8::100","port":80'
lab_check errors-logged grep -q "405 Method Not Allowed" /tmp/agent-rs1.log

# 500 idle connections (and one half request) against a 3 s client_timeout
rm -f /tmp/idle.out
ip netns exec client python3 tests/lab/tools/idle-clients.py 192.0.2.11 9443 500 6 /tmp/idle.out \
	/tmp/pki/ca.crt /tmp/pki/director.crt /tmp/pki/director.key >/tmp/idle.log 2>&1 &
idle=$!
wait_for 20 grep -q '^open 500' /tmp/idle.out || lab_fail idle-clients-connect "$(cat /tmp/idle.log /tmp/idle.out 2>/dev/null)"
lab_log "agent holds $(ip netns exec rs1 ss -Htn state established 'sport = :9443' | wc -l) connections"
t=$(in_ns client curl -sS -o /tmp/busy.json -w '%{time_total}' --max-time 3 --cacert /tmp/pki/ca.crt \
	--cert /tmp/pki/director.crt --key /tmp/pki/director.key https://192.0.2.11:9443/v1/status)
lab_log "a proper client beside 500 idle ones: ${t}s"
if grep -q schema /tmp/busy.json && awk -v t="$t" 'BEGIN {exit !(t < 1.0)}'; then
	lab_pass answer-within-1s-beside-500-idle
else
	lab_fail answer-within-1s-beside-500-idle "took ${t}s: $(head -c 100 /tmp/busy.json)"
fi
wait $idle
lab_log "$(cat /tmp/idle.out | tr '\n' ' ')"
lab_expect idle-cut-after-timeout "$(sed -n 's/^closed \([0-9]*\) of.*/\1/p' /tmp/idle.out)" 500
lab_expect half-request-cut "$(sed -n 's/^half //p' /tmp/idle.out)" cut
lab_check timeouts-logged grep -q "timed out after 3000 ms" /tmp/agent-rs1.log
lab_check still-serving bash -c "agent_get client rs1 | grep -q schema"

# TLS 1.2 only when configured
agent_stop rs1
sleep 0.3
agent_start rs1 "tls_min_version = 1.2"
lab_check tls12-by-config bash -c "ip netns exec client curl -sS --max-time 3 --tls-max 1.2 --cacert /tmp/pki/ca.crt \
	--cert /tmp/pki/director.crt --key /tmp/pki/director.key https://192.0.2.11:9443/v1/status | grep -q schema"
agent_stop rs1
