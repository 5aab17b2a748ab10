#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# lab: timeout=1500 mem=640M
# fault-matrix: dsr-checkd in standalone mode (it drives IPVS) against each
# fault of the reliability matrix while a client sends one request every
# 50 ms through the VIP (tests/lab/tools/loopclient.py).  Each row reports:
# detected (did IPVS drain rs1, or for a director-side fault: did it hold),
# the verdict code, the detection time (ms from injection to drain) and the
# requests lost between injection and repair.  Rows are written to
# $LAB_OUT/matrix.tsv; doc/reliability.md holds the table of the last run.
# Kinds: drain  rs1 must reach weight 0 (a real fault)
#        hold   no weight may change although checks fail (fail-safe)
#        quiet  no weight may change and nothing may fail (rotations, restart)
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
. tests/lab/ka-lib.sh
KA_LOG=/tmp/checkd.log
RS1=$(lab_rs_addr 1) RS2=$(lab_rs_addr 2)
TOOLS=$PWD/tests/lab/tools
MATRIX=$LAB_OUT/matrix.tsv
now_ms() { date +%s%3N; }

lab_standard 2 || { lab_fail topology "lab_up failed"; exit 1; }
for ns in director rs1 rs2; do
	ip netns exec $ns sysctl -qw net.ipv6.conf.eth0.keep_addr_on_down=1
done
agent_pki rs1 rs2 || { lab_fail pki "dsrkit-pki failed"; exit 1; }
agent_start rs1 && agent_start rs2 || { lab_fail agents-start "$(cat /tmp/agent-rs*.log)"; exit 1; }
checker_conf "timeout = 800ms"
cat >/tmp/checkd.conf <<EOT
dsr_checkd {
    interval 500ms
    timeout 800ms
    rise 2
    fall 3
    standalone yes
    listen 127.0.0.1:9445
    socket off
}
virtual_server $LAB_VIP 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server $RS1 80 { weight 1 }
    real_server $RS2 80 { weight 1 }
}
EOT
start_checkd() {
	bg_ns director checkd dsr-checkd -f /tmp/checkd.conf --dsrkit-conf /tmp/dsrkit.conf
	wait_for 5 sh -c "ip netns exec director curl -s --max-time 1 http://127.0.0.1:9445/healthz | grep -q ok"
}
start_checkd || { lab_fail checkd-start "$(cat /tmp/checkd.log)"; exit 1; }
metrics() { ip netns exec director curl -s --max-time 2 http://127.0.0.1:9445/metrics; }
status() { ip netns exec director curl -s --max-time 2 http://127.0.0.1:9445/status; }
expect_weight start-rs1-in "$RS1" 1 10
expect_weight start-rs2-in "$RS2" 1 10

# the weights of both real servers, every change with its instant (reading
# /proc/net/ip_vs every 100 ms: no fork per sample)
ip netns exec director python3 "$TOOLS/ipvswatch.py" "$LAB_VIP" 80 /tmp/weights.log "$RS1" "$RS2" &
WATCH=$!
wait_secs 120 test -s /tmp/weights.log || lab_fail ipvs-watch-runs "no /tmp/weights.log"
# cur_w: "W1 W2" now; both_up: both at weight 1
cur_w() { local l; l=$(tail -n1 /tmp/weights.log); echo "${l#* }"; }
both_up() { [ "$(cur_w)" = "1 1" ]; }
# waits here count wall-clock seconds: a loaded guest forks slowly
wait_both_up() { local end=$((SECONDS + $1)); while [ $SECONDS -lt $end ]; do both_up && return 0; sleep 0.2; done; both_up; }
wait_secs() { local end=$((SECONDS + $1)); shift; while [ $SECONDS -lt $end ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }
ip netns exec client python3 "$TOOLS/loopclient.py" "$LAB_VIP" 80 /tmp/loop.log 50 400 &
LOOP=$!
wait_secs 120 grep -q OK /tmp/loop.log || lab_fail loop-client-runs "$(tail -2 /tmp/loop.log)"
printf 'row\tkind\tdetected\tcode\tdetect_ms\tlost\tsent\n' >"$MATRIX"

# errors of the loop client between two instants, and requests sent
lost_between() { awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && $2 == "ERR"' /tmp/loop.log | wc -l; }
sent_between() { awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b' /tmp/loop.log | wc -l; }
# first instant at or after T when rs1's weight was W
weight_at() { awk -v t="$1" -v w="$2" '$1 >= t && $2 == w {print $1; exit}' /tmp/weights.log; }
# did any weight differ from 1 between two instants?
weights_changed() { awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && ($2 != "1" || $3 != "1")' /tmp/weights.log | head -1; }
rs1_code() { metrics | grep "^dsrkit_checkd_target_failing{real_server=\"$RS1\"" | sed 's/.*code="\([^"]*\)".*/\1/' | head -1; }

# row NAME KIND INJECT REPAIR [WANT_CODE]: inject, judge, repair, report.
row() {
	local name=$1 kind=$2 inject=$3 repair=$4 want=${5:-} t0 t1 t2 code= det=no dms=- lost sent i
	wait_both_up 15 || lab_log "row $name: weights not back to 1 before the row: $(cur_w)"
	sleep 0.5
	lab_log "row $name: inject"
	t0=$(now_ms)
	eval "$inject"
	case $kind in
	drain)
		local end=$((SECONDS + 20))
		while [ $SECONDS -lt $end ]; do
			case "$(cur_w)" in 0\ *) break ;; esac
			sleep 0.2
		done
		code=$(rs1_code)
		t1=$(weight_at "$t0" 0)
		if [ -n "$t1" ]; then det=yes; dms=$((t1 - t0)); fi
		;;
	hold|quiet)
		sleep "${HOLD_S:-5}"
		code=$(rs1_code)
		;;
	esac
	eval "$repair"
	wait_both_up 20 || lab_log "row $name: weights not back to 1 after the repair: $(cur_w)"
	sleep 0.3
	t2=$(now_ms)
	lost=$(lost_between "$t0" "$t2")
	sent=$(sent_between "$t0" "$t2")
	case $kind in
	drain)
		if [ $det = yes ] && { [ -z "$want" ] || [ "$code" = "$want" ]; }; then lab_pass "row-$name"
		else lab_fail "row-$name" "detected $det in ${dms}ms, code '$code' (want '${want:-any}')"; fi
		;;
	hold|quiet)
		local ch
		ch=$(weights_changed "$t0" "$t2")
		if [ -z "$ch" ]; then det=held; lab_pass "row-$name-no-drain"
		else det=DRAINED; lab_fail "row-$name-no-drain" "weights changed: $ch"; fi
		if [ $kind = quiet ] && [ -n "$code" ]; then lab_fail "row-$name-no-failure" "failing $code"; fi
		;;
	esac
	lab_log "row $name: $kind detected=$det code=${code:--} detect_ms=$dms lost=$lost/$sent"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$kind" "$det" "${code:--}" "$dms" "$lost" "$sent" >>"$MATRIX"
}

# one misbehaving agent process for every row, switched by SIGHUP
echo off >/tmp/fake.mode
bg_ns rs1 fake-rs1 python3 "$TOOLS/fakeagent.py" /tmp/fake.mode "$AGENT_PORT" "$AGENT_PKI/rs1.crt" "$AGENT_PKI/rs1.key"
fake_agent() {   # fake_agent MODE: rs1's agent replaced by a misbehaving one
	wait_secs 120 test -f /tmp/fake.mode.ready || lab_log "fakeagent.py not ready"
	agent_stop rs1
	echo "$1" >/tmp/fake.mode
	kill -HUP "$(cat /tmp/fake-rs1.pid)"
}
fake_stop() { echo off >/tmp/fake.mode; kill -HUP "$(cat /tmp/fake-rs1.pid)"; sleep 0.3; agent_start rs1; }
# agent_cert NAME: rs1's agent restarted with /tmp/certs/NAME.crt
agent_cert() {
	agent_stop rs1
	cat >/tmp/agent-rs1-$1.conf <<EOT
tls_cert = /tmp/certs/$1.crt
tls_key = /tmp/certs/$1.key
tls_ca = ${2:-$AGENT_PKI/ca.crt}
vip = $LAB_VIP 80
facts_cache_ms = 200
EOT
	bg_ns rs1 agent-rs1 dsr-agent serve --config /tmp/agent-rs1-$1.conf
	wait_for 5 ip netns exec rs1 sh -c "ss -Hltn 'sport = :$AGENT_PORT' | grep -q ."
}
mkdir -p /tmp/certs
# every certificate the rows need, made in two python runs (slow to start here)
mkdir -p /tmp/ca2; dsrkit-pki --dir /tmp/ca2 ca --name "dsrkit lab CA 2" >/dev/null
C=/tmp/certs
python3 "$TOOLS/mkcert.py" "$AGENT_PKI" $C/rs1-expired agent -7200 -3600 "$RS1" $C/rs1-wrong-san agent -60 86400 192.0.2.99 \
	$C/rs1-future agent 600 86400 "$RS1" $C/director-expired checker -7200 -3600 - \
	$C/director-new checker -60 86400 - $C/rs1-new agent -60 86400 "$RS1" || lab_fail mkcert "lab CA"
python3 "$TOOLS/mkcert.py" /tmp/ca2 $C/rs1-ca2 agent -60 86400 "$RS1" $C/director-ca2 checker -60 86400 - ||
	lab_fail mkcert "CA 2"

lab_log "== real server"
pin_vip_to_director
row vip-removed drain "ip -n rs1 addr del $LAB_VIP/32 dev lo" "ip -n rs1 addr add $LAB_VIP/32 dev lo" VIP_MISSING
row vip-as-24 drain "ip -n rs1 addr del $LAB_VIP/32 dev lo; ip -n rs1 addr add $LAB_VIP/24 dev lo" \
	"ip -n rs1 addr del $LAB_VIP/24 dev lo; ip -n rs1 addr add $LAB_VIP/32 dev lo"
row vip-on-nic drain "ip -n rs1 addr del $LAB_VIP/32 dev lo; ip -n rs1 addr add $LAB_VIP/32 dev eth0" \
	"ip -n rs1 addr del $LAB_VIP/32 dev eth0; ip -n rs1 addr add $LAB_VIP/32 dev lo" VIP_ON_ARP_IFACE
row arp-reset drain "lab_rs_arp rs1 0 0" "lab_rs_arp rs1 1 2" ARP_IGNORE
row not-listening drain "kill \$(cat /tmp/http-rs1.pid)" \
	"bg_ns rs1 http-rs1 labhttpd --port 80 --name rs1; wait_for 3 ip netns exec rs1 sh -c \"ss -Hltn 'sport = :80' | grep -q .\"" \
	NO_LISTENER
row agent-stopped drain "agent_stop rs1" "agent_start rs1" CONNECT_REFUSED
row agent-hung drain "fake_agent hang" fake_stop TLS_TIMEOUT
row agent-garbage drain "fake_agent garbage" fake_stop
row agent-10MiB-body drain "fake_agent big" fake_stop
row agent-1-byte-per-s drain "fake_agent slow" fake_stop HTTP_TIMEOUT
row agent-host-link-down drain "ip -n rs1 link set eth0 down" "ip -n rs1 link set eth0 up"
unpin_vip

lab_log "== certificates"
row wrong-ca drain "agent_stop rs1; agent_start_foreign_ca rs1" "agent_stop rs1; agent_start rs1" TLS_VERIFY
row agent-cert-expired drain "agent_cert rs1-expired" "agent_stop rs1; agent_start rs1" TLS_VERIFY
row agent-cert-wrong-ip-san drain "agent_cert rs1-wrong-san" "agent_stop rs1; agent_start rs1" TLS_VERIFY
# clock skew: nothing in the status document is judged against a clock; a
# clock that is an hour off matters only through certificate validity.
# An agent certificate issued by a clock 10 min ahead (or a checker clock
# an hour behind an agent certificate issued < 1 h ago): not yet valid.
row skew-agent-cert-not-yet-valid drain "agent_cert rs1-future" "agent_stop rs1; agent_start rs1" TLS_VERIFY
# the checker's certificate expired as the agents see it: a director-side
# fault, every agent refuses it at once
cp /tmp/dsrkit.conf /tmp/dsrkit.conf.good
HOLD_S=5 row checker-cert-expired hold \
	"sed -i 's|^cert = .*|cert = /tmp/certs/director-expired.crt|; s|^key = .*|key = /tmp/certs/director-expired.key|' /tmp/dsrkit.conf; kill -HUP \$(cat /tmp/checkd.pid)" \
	"cp /tmp/dsrkit.conf.good /tmp/dsrkit.conf; kill -HUP \$(cat /tmp/checkd.pid)"
# rotations, nothing restarted but the agent (it reads its certificate at start)
HOLD_S=3 row rotate-checker-cert-in-place quiet \
	"cp $C/director-new.key $AGENT_PKI/director.key.new; cp $C/director-new.crt $AGENT_PKI/director.crt.new; mv $AGENT_PKI/director.key.new $AGENT_PKI/director.key; mv $AGENT_PKI/director.crt.new $AGENT_PKI/director.crt; kill -HUP \$(cat /tmp/checkd.pid)" ":"
HOLD_S=3 row rotate-agent-cert quiet "agent_cert rs1-new" ":"
# the CA: a new one; both trusted during the overlap (a bundle), agents and
# checker move to it one at a time, then the old CA goes
cat $AGENT_PKI/ca.crt /tmp/ca2/ca.crt >/tmp/ca-bundle.pem
HOLD_S=3 row rotate-ca-1-bundle-everywhere quiet \
	"sed -i 's|^ca = .*|ca = /tmp/ca-bundle.pem|' /tmp/dsrkit.conf; kill -HUP \$(cat /tmp/checkd.pid); agent_cert rs1-new /tmp/ca-bundle.pem" ":"
HOLD_S=3 row rotate-ca-2-agent-on-new-ca quiet "agent_cert rs1-ca2 /tmp/ca-bundle.pem" ":"
HOLD_S=3 row rotate-ca-3-checker-on-new-ca quiet \
	"sed -i 's|^cert = .*|cert = /tmp/certs/director-ca2.crt|; s|^key = .*|key = /tmp/certs/director-ca2.key|' /tmp/dsrkit.conf; kill -HUP \$(cat /tmp/checkd.pid)" ":"
# back to the lab's CA for the rows that follow (agent_start uses it)
sed -i "s|^ca = .*|ca = $AGENT_PKI/ca.crt|; s|^cert = .*|cert = $AGENT_PKI/director.crt|; s|^key = .*|key = $AGENT_PKI/director.key|" /tmp/dsrkit.conf
kill -HUP "$(cat /tmp/checkd.pid)"
agent_stop rs1; agent_start rs1

lab_log "== director"
restart_checkd() {
	kill -9 "$(cat /tmp/checkd.pid)"
	RESTART_T0=$(now_ms)
	start_checkd
	local end=$((SECONDS + 20))
	while [ $SECONDS -lt $end ]; do
		[ "$(status | grep -o '"state":"up"' | wc -l)" = 2 ] && break
		sleep 0.1
	done
	RESTART_UP_MS=$(( $(now_ms) - RESTART_T0 ))
}
HOLD_S=2 row checkd-killed-restarted quiet "restart_checkd" ":"
lab_log "dsr-checkd back with both targets up ${RESTART_UP_MS} ms after the kill (interval 500 ms)"
[ "$RESTART_UP_MS" -le 5000 ] && lab_pass checkd-restart-state-back ||
	lab_fail checkd-restart-state-back "$RESTART_UP_MS ms"
lab_expect checkd-restart-no-ipvs-op "$(grep -c 'dsr-checkd: ipvs:' /tmp/checkd.log)" 0

linkdown() {
	ip -n director link set eth0 down
	sleep 4
	status >/tmp/failsafe-status.json
	metrics >/tmp/failsafe-metrics.txt
}
HOLD_S=1 row director-link-down hold "linkdown" "ip -n director link set eth0 up"
lab_expect failsafe-status-active "$(grep -o '"active_services":[0-9]*' /tmp/failsafe-status.json)" '"active_services":1'
lab_expect failsafe-metric "$(grep -c "^dsrkit_checkd_failsafe_active{service=\"$LAB_VIP:80\",protocol=\"TCP\"} 1$" /tmp/failsafe-metrics.txt)" 1
lab_expect failsafe-held-both "$(grep -o '"failsafe_held":true' /tmp/failsafe-status.json | wc -l)" 2
lab_expect failsafe-logged-once "$(grep -c 'FAILSAFE ON' /tmp/checkd.log)" 1
wait_secs 20 grep -q 'FAILSAFE OFF' /tmp/checkd.log && lab_pass failsafe-ends ||
	lab_fail failsafe-ends "$(grep FAILSAFE /tmp/checkd.log)"
# the fail-safe over, a single real fault drains again
pin_vip_to_director
row after-failsafe-vip-removed drain "ip -n rs1 addr del $LAB_VIP/32 dev lo" "ip -n rs1 addr add $LAB_VIP/32 dev lo" VIP_MISSING
unpin_vip

kill $LOOP $WATCH 2>/dev/null
kill "$(cat /tmp/checkd.pid)" 2>/dev/null
lab_log "matrix:"
column -t -s "$(printf '\t')" "$MATRIX" 2>/dev/null || cat "$MATRIX"
cp /tmp/checkd.log "$LAB_OUT/checkd.log" 2>/dev/null
exit 0
