# SPDX-License-Identifier: Apache-2.0
# lab: timeout=220
# dsr-checkd with the data-path probe and the ARP-problem detector: private
# fwmark probe services while it runs (removed on exit, leftovers of a
# killed checker removed at start), a firewall dropping the VIP's traffic
# caught as layer datapath while the agent's facts pass, a real server
# answering ARP for the VIP named in /status and /metrics and taken down,
# client traffic unaffected.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
RS1=$(lab_rs_addr 1) RS2=$(lab_rs_addr 2)

lab_up <<EOT || { lab_fail topology "lab_up failed"; exit 1; }
client   client   192.0.2.2
director director 192.0.2.1  vip=$LAB_VIP
rs       rs1      192.0.2.11 vip=$LAB_VIP http=80
rs       rs2      192.0.2.12 vip=$LAB_VIP http=80 arp=default
EOT
agent_pki rs1 rs2 && agent_start rs1 && agent_start rs2 || { lab_fail agents "did not start"; exit 1; }
checker_conf "timeout = 1s"
cat >/tmp/checkd.conf <<EOT
dsr_checkd {
    interval 500ms
    timeout 1s
    listen 127.0.0.1:9445
    socket off
    data_path tcp
    data_path_set_sysctls yes
    arp_check 1s
    arp_iface eth0
    arp_fail_server yes
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
}
EOT
# the client's own service (not dsr-checkd's): rs1 only
in_ns director ipvsadm -A -t "$LAB_VIP:80" -s rr
in_ns director ipvsadm -a -t "$LAB_VIP:80" -r "$RS1:80" -g

status() { ip netns exec director curl -s --max-time 2 http://127.0.0.1:9445/status; }
metrics() { ip netns exec director curl -s --max-time 2 http://127.0.0.1:9445/metrics; }
# target_field RS EXPR: a Python expression over the target t of RS (port 80)
target_field() {
	status | python3 -c "import json,sys
d=json.load(sys.stdin)
for r in d['real_servers']:
    if r['address'] == '$1':
        for t in r['targets']:
            print($2)" 2>/dev/null
}
fwm_count() { ip netns exec director ipvsadm -Ln | grep -c '^FWM'; }
expect_eventually() { # NAME SECONDS CMD... (passes when CMD prints WANT)
	local n=$1 t=$2 i got
	shift 2
	for i in $(seq 1 $((t * 5))); do
		got=$("$@")
		[ "$got" = "$WANT" ] && { lab_pass "$n"; return 0; }
		sleep 0.2
	done
	lab_fail "$n" "got '$got', expected '$WANT'; checkd: $(tail -3 /tmp/checkd.log | tr '\n' ' ')"
}

# A killed checker's leftovers: two probe services in the default mark range.
in_ns director ipvsadm -A -f $((0x44530000 + 7))
in_ns director ipvsadm -A -f $((0x44530000 + 8))
bg_ns director checkd dsr-checkd -f /tmp/checkd.conf --dsrkit-conf /tmp/dsrkit.conf
wait_for 10 sh -c "ip netns exec director curl -s http://127.0.0.1:9445/status | grep -q real_servers" ||
	{ lab_fail checkd-start "$(cat /tmp/checkd.log)"; exit 1; }
wait_for 5 grep -q "removed 2 leftover" /tmp/checkd.log && lab_pass leftovers-removed-at-start ||
	lab_fail leftovers-removed-at-start "$(head -5 /tmp/checkd.log | tr '\n' ' ')"
WANT=2 expect_eventually one-probe-service-per-real-server 5 fwm_count

WANT="True up" expect_eventually rs1-datapath-up 10 target_field "$RS1" "t['datapath']['up'], t['state']"

lab_log "rs2 answers ARP for the VIP (arp_ignore=0)"
# its agent says why (the facts come first); the detector saw it on the wire
WANT="down ARP_IGNORE" expect_eventually rs2-down-agent-says-why 10 target_field "$RS2" "t['state'], t['last']['code']"
WANT="$RS2 ${LAB_MAC[rs2]}" expect_eventually status-names-rs2 5 sh -c \
	"ip netns exec director curl -s http://127.0.0.1:9445/status | python3 -c 'import json,sys; f=json.load(sys.stdin)[\"arp\"][\"findings\"]; print(\" \".join(x[\"server\"] + \" \" + x[\"mac\"] for x in f))'"
metrics | grep -q "^dsrkit_checkd_arp_problem{vip=\"$LAB_VIP\",mac=\"${LAB_MAC[rs2]}\",server=\"$RS2\"} 1" &&
	lab_pass metrics-arp-problem || lab_fail metrics-arp-problem "$(metrics | grep arp_problem)"
# kept for the host's checks (tests/prometheus/check-names), and promtool's word
metrics >"$LAB_OUT/metrics-arp.txt"
lab_check promtool-metrics-arp-problem sh -c "out=\$(promtool check metrics <'$LAB_OUT/metrics-arp.txt' 2>&1); rc=\$?; echo \"\$out\"; [ \$rc -eq 0 ] && [ -z \"\$out\" ]"
lab_rs_arp rs2 1 2
WANT="up" expect_eventually rs2-fixed-up 10 target_field "$RS2" "t['state']"

lab_log "rs1 drops the VIP's traffic in a firewall: facts pass, the data path fails"
in_ns rs1 iptables-legacy -A INPUT -d "$LAB_VIP" -p tcp --dport 80 -j DROP
WANT="datapath DATAPATH_TIMEOUT" expect_eventually firewall-rs1-down-datapath 10 target_field "$RS1" "t['last']['layer'], t['last']['code']"
target_field "$RS1" "t['last']['reason']" | grep -q "firewall or weak-host send" && lab_pass firewall-reason ||
	lab_fail firewall-reason "$(target_field "$RS1" "t['last']['reason']")"
metrics | grep -q "^dsrkit_checkd_datapath_up{.*$RS1.*code=\"DATAPATH_TIMEOUT\"} 0" && lab_pass metrics-datapath-down ||
	lab_fail metrics-datapath-down "$(metrics | grep datapath_up)"
metrics >"$LAB_OUT/metrics-datapath.txt"
lab_check promtool-metrics-datapath-down sh -c "out=\$(promtool check metrics <'$LAB_OUT/metrics-datapath.txt' 2>&1); rc=\$?; echo \"\$out\"; [ \$rc -eq 0 ] && [ -z \"\$out\" ]"
in_ns rs1 iptables-legacy -D INPUT -d "$LAB_VIP" -p tcp --dport 80 -j DROP
WANT="True up" expect_eventually firewall-removed-rs1-up 10 target_field "$RS1" "t['datapath']['up'], t['state']"

lab_log "client traffic beside the probes"
ipvs_settle
before=$(ip netns exec director ipvsadm -Ln --stats --exact -t "$LAB_VIP:80" | awk '$1 == "TCP" {print $3}')
ok=$(lab_requests client "http://$LAB_VIP/" 20 | grep -c ' 200$')
ipvs_settle
counted() { echo $(( $(ip netns exec director ipvsadm -Ln --stats --exact -t "$LAB_VIP:80" | awk '$1 == "TCP" {print $3}') - before )); }
lab_expect client-requests-ok "$ok" 20
lab_expect_settled client-service-counts-only-clients 20 counted

lab_log "a clean stop removes the probe services"
kill "$(cat /tmp/checkd.pid)"
wait_for 5 sh -c "! kill -0 $(cat /tmp/checkd.pid) 2>/dev/null"
lab_expect stop-leaves-no-probe-service "$(fwm_count)" 0
lab_expect stop-leaves-client-service "$(ip netns exec director ipvsadm -Ln | grep -c "$LAB_VIP:80")" 1

lab_log "a killed checker: its leftovers go at the next start"
bg_ns director checkd dsr-checkd -f /tmp/checkd.conf --dsrkit-conf /tmp/dsrkit.conf
WANT=2 expect_eventually restart-creates-probe-services 10 fwm_count
kill -9 "$(cat /tmp/checkd.pid)"
sleep 0.5
lab_expect kill-9-leaves-leftovers "$(fwm_count)" 2
bg_ns director checkd dsr-checkd -f /tmp/checkd.conf --dsrkit-conf /tmp/dsrkit.conf
wait_for 10 grep -q "removed 2 leftover" /tmp/checkd.log && lab_pass restart-removes-leftovers ||
	lab_fail restart-removes-leftovers "$(head -5 /tmp/checkd.log | tr '\n' ' ')"
WANT=2 expect_eventually restart-has-exactly-its-own 10 fwm_count
kill "$(cat /tmp/checkd.pid)"
exit 0
