# SPDX-License-Identifier: Apache-2.0
# lab: timeout=150
# dsr-checkd's status endpoint as Prometheus and operators meet it
# (issue 21, issue 16 #5): one real server checked in standalone mode (so
# /metrics carries the IPVS families), then: the scrape is valid for
# promtool and saved for the host's checks (tests/prometheus/check-names:
# the Grafana dashboard and the alerting rules name only metrics it has);
# HTTP/1.1 keep-alive, HEAD (pipelined), 404, 405 with Allow; and a scraper
# that still gets every answer while 100 idle connections and 4 readers
# that never read are held, with no real server flapping meanwhile.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
. tests/lab/ka-lib.sh
KA_LOG=/tmp/checkd.log KA_WAIT=10
RS1=$(lab_rs_addr 1)

lab_standard 1 || { lab_fail topology "lab_up failed"; exit 1; }
agent_pki rs1 || { lab_fail pki "dsrkit-pki failed"; exit 1; }
agent_start rs1 || { lab_fail agents-start "$(cat /tmp/agent-rs1.log)"; exit 1; }
checker_conf "timeout = 1s"
cat >/tmp/checkd.conf <<EOT
dsr_checkd {
    interval 500ms
    timeout 1s
    standalone yes
    listen 127.0.0.1:9445
    socket off
}
virtual_server $LAB_VIP 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server $RS1 80 {
        weight 1
    }
}
EOT
bg_ns director checkd dsr-checkd -f /tmp/checkd.conf --dsrkit-conf /tmp/dsrkit.conf
U=http://127.0.0.1:9445
metrics() { in_ns director curl -s --max-time 3 $U/metrics; }
expect_weight rs1-up "$RS1" 1 || { lab_fail checkd-start "$(cat /tmp/checkd.log)"; exit 1; }
all_requests_ok requests-ok

lab_log "a real scrape: promtool's word, kept for the host"
metrics >/tmp/metrics.txt
cp /tmp/metrics.txt "$LAB_OUT/metrics.txt"
# a missing promtool is a failure (build-aux/deps installs prometheus)
LAB_STEP_TIMEOUT=60 lab_check promtool-check-metrics sh -c 'out=$(promtool check metrics </tmp/metrics.txt 2>&1); rc=$?; echo "$out"; [ $rc -eq 0 ] && [ -z "$out" ]'
grep -q '^dsrkit_ipvs_backend_weight{' /tmp/metrics.txt && lab_pass scrape-has-ipvs-families ||
	lab_fail scrape-has-ipvs-families "$(grep -c . /tmp/metrics.txt) lines, no dsrkit_ipvs_backend_weight"

lab_log "HTTP/1.1 as Prometheus and curl speak it: keep-alive, HEAD, 404, 405"
lab_expect keep-alive-two-requests-one-connection \
	"$(in_ns director curl -sv -o /dev/null -o /dev/null $U/healthz $U/metrics 2>&1 | grep -c '^\* Re-using existing connection')" 1
cat >/tmp/pipeline.py <<'EOT'
import socket
s = socket.create_connection(("127.0.0.1", 9445), timeout=3)
# HEAD then GET pipelined on one connection: the HEAD answer has a
# Content-Length and no body, so the next bytes are the GET's status line
s.sendall(b"HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data = b""
while True:
    c = s.recv(65536)
    if not c:
        break
    data += c
head, rest = data.split(b"\r\n\r\n", 1)
cl = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
print(head.split(b"\r\n")[0].decode(), "length>0" if cl and int(cl[0].split(b":")[1]) > 0 else "no-length",
      "|", rest.split(b"\r\n")[0].decode(), "|", rest.split(b"\r\n\r\n", 1)[-1].decode().strip())
EOT
lab_expect head-no-body-then-pipelined-get "$(in_ns director python3 /tmp/pipeline.py 2>&1)" \
	"HTTP/1.1 200 OK length>0 | HTTP/1.1 200 OK | ok"
lab_expect unknown-path-404 "$(in_ns director curl -s -o /dev/null -w '%{http_code}' $U/nope)" 404
lab_expect post-405-with-allow \
	"$(in_ns director curl -s -D - -o /dev/null -X POST $U/metrics | tr -d '\r' | grep -E '^(HTTP|Allow)' | tr '\n' ' ')" \
	"HTTP/1.1 405 Method Not Allowed Allow: GET, HEAD "

lab_log "100 idle connections and 4 readers that never read held: the scraper still gets its answers"
downs_before=$(grep -c '^DOWN' /tmp/checkd.log)
# python's start in a loaded guest takes seconds: its own bound, not in_ns's 20 s
timeout -k 2 90 ip netns exec director python3 tests/lab/tools/scrapestorm.py 127.0.0.1 9445 --idle 100 --slow 4 --rate 10 --seconds 6 \
	--out "$LAB_OUT/storm.txt" >/tmp/storm.out 2>&1
lab_log "storm: $(cat /tmp/storm.out)"
read -r _ n _ ok _ failed _ _ _ _ _ _ _ held <<<"$(tail -1 /tmp/storm.out)"
[ "${held:-0}" -ge 100 ] && lab_pass idle-connections-held || lab_fail idle-connections-held "$(cat /tmp/storm.out)"
# every scrape answered (a loaded guest may lose one to its 3 s timeout)
[ "${n:-0}" -ge 20 ] && [ "${failed:-99}" -le 1 ] && lab_pass scraper-answered-despite-idle ||
	lab_fail scraper-answered-despite-idle "$(cat /tmp/storm.out)"
ev=$(metrics | awk '$1 == "dsrkit_checkd_http_connections_evicted_total" {print $2}')
[ "${ev:-0}" -gt 0 ] && lab_pass idle-evictions-counted || lab_fail idle-evictions-counted "evicted '$ev'"
lab_expect no-server-went-down-during-storm "$(grep -c '^DOWN' /tmp/checkd.log)" "$downs_before"
kill "$(cat /tmp/checkd.pid)" 2>/dev/null
exit 0
