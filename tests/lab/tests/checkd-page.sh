# SPDX-License-Identifier: Apache-2.0
# lab: timeout=240
# dsr-checkd's status page at "/" from a real run: standalone, the data path
# and the ARP detector on, three real servers: rs1 correct, rs2 without the
# VIP on lo (a failing row with its reason and fix), rs3 drained by its
# admin with a host name and admin reason full of markup and control bytes
# (an agent is outside the checker's trust: its strings must come out as
# text).  The page is saved as $LAB_OUT/page.html, where the host's
# Chromium test (tests/browser/status-page) loads it.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
RS1=$(lab_rs_addr 1) RS2=$(lab_rs_addr 2) RS3=$(lab_rs_addr 3)
HOSTILE='<script>alert("pwned")</script><img src=x onerror=alert(1)>'

lab_standard 3 || { lab_fail topology "lab_up failed"; exit 1; }
agent_pki rs1 rs2 rs3 || { lab_fail pki "dsrkit-pki failed"; exit 1; }
agent_start rs1 && agent_start rs2 || { lab_fail agents "did not start"; exit 1; }
# rs3: its own UTS namespace, so its host name can be anything the kernel
# takes (no validation on /proc/sys/kernel/hostname), and a hostile reason
cat >/tmp/agent-rs3.conf <<EOT
tls_cert = $AGENT_PKI/rs3.crt
tls_key = $AGENT_PKI/rs3.key
tls_ca = $AGENT_PKI/ca.crt
vip = $LAB_VIP 80
facts_cache_ms = 200
admin_state = drain
admin_reason = $HOSTILE"'
EOT
printf '%s\033\001' "$HOSTILE" >/tmp/rs3-hostname
bg_ns rs3 agent-rs3 unshare --uts sh -c 'head -c 64 /tmp/rs3-hostname >/proc/sys/kernel/hostname && exec dsr-agent serve --config /tmp/agent-rs3.conf'
wait_for 5 ip netns exec rs3 sh -c "ss -Hltn 'sport = :$AGENT_PORT' | grep -q ." ||
	{ lab_fail agent-rs3 "$(cat /tmp/agent-rs3.log)"; exit 1; }
in_ns rs2 ip addr del "$LAB_VIP/32" dev lo

checker_conf "timeout = 1s"
cat >/tmp/checkd.conf <<EOT
dsr_checkd {
    interval 500ms
    timeout 1s
    standalone yes
    listen 127.0.0.1:9445
    socket off
    data_path tcp
    data_path_set_sysctls yes
    arp_check 1s
    arp_iface eth0
}
virtual_server $LAB_VIP 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server $RS1 80 {
        weight 1
    }
    real_server $RS2 80 {
        weight 1
    }
    real_server $RS3 80 {
        weight 1
    }
}
EOT
bg_ns director checkd dsr-checkd -f /tmp/checkd.conf --dsrkit-conf /tmp/dsrkit.conf
page() { in_ns director curl -s --max-time 3 -o "$1" -w '%{http_code} %{content_type}' http://127.0.0.1:9445/; }
# wait until every row has been checked, the data path probed, an ARP round done
ready() {
	page /tmp/page.html >/dev/null &&
		[ "$(grep -c '<tr class="\(up\|down\|drain\)"' /tmp/page.html)" -eq 3 ] &&
		! grep -q 'no probe yet\|no round yet' /tmp/page.html
}
wait_for 20 ready || { lab_fail page-ready "$(cat /tmp/checkd.log; cat /tmp/page.html)"; exit 1; }
lab_requests client "http://$LAB_VIP/" 20 >/dev/null   # some traffic for the counters
sleep 1.2
lab_expect served-as-html "$(page "$LAB_OUT/page.html")" "200 text/html; charset=utf-8"
P=$LAB_OUT/page.html
lab_expect one-table "$(grep -c '<table><thead><tr><th>Real server' "$P")" 1
lab_expect rs1-up "$(grep -c "<tr class=\"up\" data-rs=\"$RS1\">" "$P")" 1
lab_expect rs2-down-marked "$(grep -c "<tr class=\"down\" data-rs=\"$RS2\">" "$P")" 1
lab_expect rs3-drained "$(grep -c "<tr class=\"drain\" data-rs=\"$RS3\">" "$P")" 1
lab_check rs2-reason-and-fix grep -q 'VIP_MISSING.*Fix (VIP_MISSING).*ip addr add 192.0.2.100/32 dev lo' "$P"
lab_check hostile-host-name-as-text grep -qF '&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;\x1b\x01' "$P"
lab_check hostile-reason-as-text grep -qF '&lt;img src=x onerror=alert(1)&gt;&quot;&#39;' "$P"
lab_expect no-foreign-markup "$(grep -c '<script>alert\|<img' "$P")" 0
lab_check datapath-column grep -q '<span class="ok">ok</span> <span class="dim">[0-9]* ms</span>' "$P"
lab_check arp-column grep -q '<span class="ok">quiet</span>' "$P"
lab_check ipvs-weights grep -q "data-rs=\"$RS1\">.*<td class=\"n\">1</td>" "$P"
lab_check sparkline grep -q '<svg class="spark"' "$P"
lab_check no-external-asset sh -c "! grep -qE 'https?://|src=\"' '$P' || exit 1"
