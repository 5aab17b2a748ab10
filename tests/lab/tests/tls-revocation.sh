# SPDX-License-Identifier: Apache-2.0
# lab: timeout=170
# tls-revocation (issue 16, findings 7 and 10): both ends load the CRL that
# `dsrkit-pki revoke` writes (tls_crl) and reload it when it changes, with
# no restart: a revoked agent certificate makes the running dsr-checkd
# fail rs1 with a TLS reason; a revoked checker certificate makes the
# running agent refuse the checker, which dsr-checkd reports as the TLS
# failure it is (TLS 1.3: the refusal comes after the client's handshake;
# it used to read "[http] HTTP_SEND").  A checker from a CA the agent does
# not trust gets a TLS reason every time.  Private keys others can read
# are refused at start by both ends.  The agent rotates its certificate on
# SIGHUP without a restart.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
RS1=$(lab_rs_addr 1)

lab_standard 1 || { lab_fail topology "lab_up failed"; exit 1; }
agent_pki rs1 && dsrkit-pki --dir "$AGENT_PKI" crl >/dev/null || { lab_fail pki "dsrkit-pki failed"; exit 1; }
dsrkit-pki --dir /tmp/pki2 ca >/dev/null && dsrkit-pki --dir /tmp/pki2 checker rogue >/dev/null ||
	lab_fail pki2 "second CA failed"
agent_start rs1 "tls_crl = $AGENT_PKI/crl.pem" || { lab_fail agent-starts "$(cat /tmp/agent-rs1.log)"; exit 1; }
checker_conf "timeout = 1s" "tls_crl = $AGENT_PKI/crl.pem" "daemon_socket = /tmp/checkd.sock"
CHECK="dsr-check --config /tmp/dsrkit.conf --rs $RS1 --vip $LAB_VIP --port 80"

# 1. a checker certificate from another CA: a TLS reason, every time (5 s:
# the guest may be slow, and a timeout would be a different reason)
for i in 1 2 3 4 5; do
	in_ns director $CHECK --timeout 5s --cert /tmp/pki2/rogue.crt --key /tmp/pki2/rogue.key
done >/tmp/rogue.out 2>&1
lab_log "rogue checker: $(sort /tmp/rogue.out | uniq -c | tr '\n' ' ')"
lab_expect rogue-checker-tls-reason "$(grep -c '^DOWN .*: \[tls\] .*(TLS_REJECTED)$' /tmp/rogue.out)" 5

# 2. dsr-checkd checks rs1 over a kept-alive connection
cat >/tmp/checkd.conf <<EOT
dsr_checkd {
    interval 500ms
    timeout 1s
    socket /tmp/checkd.sock
    listen off
}
virtual_server $LAB_VIP 80 {
    lb_kind DR
    protocol TCP
    real_server $RS1 80 {
        weight 1
    }
}
EOT
bg_ns director checkd dsr-checkd -f /tmp/checkd.conf --dsrkit-conf /tmp/dsrkit.conf
wait_for 5 test -S /tmp/checkd.sock || { lab_fail checkd-start "$(cat /tmp/checkd.log)"; exit 1; }
checkd_pid=$(cat /tmp/checkd.pid) agent_pid=$(cat /tmp/agent-rs1.pid)
daemon() { ip netns exec director $CHECK --daemon 2>&1; }
says() { daemon | grep -q "$1"; }
export -f daemon says; export CHECK
wait_for 10 says '^UP ' && lab_pass checkd-rs1-up || lab_fail checkd-rs1-up "$(daemon)"

# 3. revoke the agent's certificate: the running dsr-checkd fails rs1 (TLS)
dsrkit-pki --dir "$AGENT_PKI" revoke rs1 >/dev/null
wait_for 15 says 'certificate revoked (TLS_VERIFY)' && lab_pass agent-revoked-checker-fails-tls ||
	lab_fail agent-revoked-checker-fails-tls "$(daemon)"
lab_log "after revoking rs1: $(daemon)"

# 4. a new certificate for rs1 (the agent restarts to read it): up again
agent_stop rs1
dsrkit-pki --dir "$AGENT_PKI" agent rs1 --ip "$RS1" >/dev/null
agent_start rs1 "tls_crl = $AGENT_PKI/crl.pem" || lab_fail agent-restarts "$(cat /tmp/agent-rs1.log)"
agent_pid=$(cat /tmp/agent-rs1.pid)
wait_for 15 says '^UP ' && lab_pass new-agent-cert-up || lab_fail new-agent-cert-up "$(daemon)"

# 5. revoke the checker's certificate: the running agent refuses it, and
# dsr-checkd says TLS (the agent's alert), not HTTP
dsrkit-pki --dir "$AGENT_PKI" revoke director >/dev/null
wait_for 15 says '\[tls\] .*certificate revoked (TLS_REJECTED)' && lab_pass checker-revoked-agent-refuses ||
	lab_fail checker-revoked-agent-refuses "$(daemon)"
lab_log "after revoking director: $(daemon)"
grep 'tls_crl' /tmp/agent-rs1.log | tail -2
lab_check agent-reloaded-crl grep -q "tls_crl $AGENT_PKI/crl.pem reloaded: 2 revoked" /tmp/agent-rs1.log
lab_expect no-restarts "$(cat /tmp/checkd.pid) $(cat /tmp/agent-rs1.pid) $(kill -0 "$checkd_pid" "$agent_pid" && echo alive)" \
	"$checkd_pid $agent_pid alive"

# 6. rotation without a restart: new files for rs1's agent and a SIGHUP;
# new connections get the new certificate from the same process, and a
# file that does not load leaves the one in use (a checker certificate
# issued now, as the director's is revoked)
dsrkit-pki --dir "$AGENT_PKI" checker fresh >/dev/null
serial() { echo | ip netns exec director openssl s_client -connect "$RS1:$AGENT_PORT" -cert "$AGENT_PKI/fresh.crt" \
	-key "$AGENT_PKI/fresh.key" -CAfile "$AGENT_PKI/ca.crt" 2>/dev/null | openssl x509 -noout -serial 2>/dev/null; }
agent_pid=$(cat /tmp/agent-rs1.pid)
s_before=$(serial)
cp -p "$AGENT_PKI/rs1.crt" /tmp/rs1.crt.kept
echo "not a certificate" >"$AGENT_PKI/rs1.crt"
kill -HUP "$agent_pid"
wait_for 5 grep -q 'SIGHUP: the certificate files did not load; serving with the old ones' /tmp/agent-rs1.log &&
	lab_pass agent-sighup-bad-file-kept || lab_fail agent-sighup-bad-file-kept "$(tail -3 /tmp/agent-rs1.log)"
lab_expect agent-sighup-bad-file-same-cert "$(serial)" "$s_before"
rm -f "$AGENT_PKI/rs1.crt" "$AGENT_PKI/rs1.key"
dsrkit-pki --dir "$AGENT_PKI" agent rs1 --ip "$RS1" >/dev/null || lab_fail reissue "dsrkit-pki agent rs1"
s_new=$(openssl x509 -in "$AGENT_PKI/rs1.crt" -noout -serial)
kill -HUP "$agent_pid"
wait_for 5 grep -q 'SIGHUP: certificate .*rs1.crt, key, CA .* reloaded for new connections' /tmp/agent-rs1.log &&
	lab_pass agent-sighup-reloaded || lab_fail agent-sighup-reloaded "$(tail -3 /tmp/agent-rs1.log)"
lab_expect agent-sighup-new-cert "$(serial)|$(cat /tmp/agent-rs1.pid)" "$s_new|$agent_pid"
lab_log "rs1's agent: $s_before, then $s_new after the SIGHUP, pid $agent_pid throughout"

# 7. private keys that others may read are refused at start, with the reason
dsrkit-pki --dir "$AGENT_PKI" checker open >/dev/null && chmod 0644 "$AGENT_PKI/open.key"
in_ns director $CHECK --cert "$AGENT_PKI/open.crt" --key "$AGENT_PKI/open.key" >/tmp/open.out 2>&1
lab_check checker-refuses-open-key grep -q "mode 0644: others may read.*(TLS_CONFIG)" /tmp/open.out
agent_stop rs1
chmod 0644 "$AGENT_PKI/rs1.key"
in_ns rs1 dsr-agent serve --config /tmp/agent-rs1.conf >/tmp/agent-open.log 2>&1
rc=$?
lab_log "agent with an open key: $(cat /tmp/agent-open.log)"
lab_expect agent-refuses-open-key "$rc|$(grep -c 'refusing .*rs1.key: mode 0644 lets every account read the private key' /tmp/agent-open.log)" "1|1"
kill "$checkd_pid" 2>/dev/null
