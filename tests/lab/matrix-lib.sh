# SPDX-License-Identifier: Apache-2.0
# tests/lab/matrix-lib.sh - the fault-matrix lab tests' common part, sourced by
# tests/lab/tests/fault-matrix.sh and fault-matrix-director.sh: the lab, the
# agents, dsr-checkd standalone, the loop client, the IPVS watcher, row().
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
checker_conf "timeout = 2s"
cat >/tmp/checkd.conf <<EOT
dsr_checkd {
    interval 500ms
    timeout 2s
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

# waits here count wall-clock seconds: a loaded guest forks slowly
wait_secs() { local end=$((SECONDS + $1)); shift; while [ $SECONDS -lt $end ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }
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
ip netns exec client python3 "$TOOLS/loopclient.py" "$LAB_VIP" 80 /tmp/loop.log 50 1000 &
LOOP=$!
wait_secs 120 grep -q OK /tmp/loop.log || lab_fail loop-client-runs "$(tail -2 /tmp/loop.log)"
printf 'row\tkind\tdetected\tcode\tdetect_ms\tlost\tsent\n' >"$MATRIX"

# errors of the loop client between two instants, and requests sent
lost_between() { awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && $2 == "ERR"' /tmp/loop.log | wc -l; }
sent_between() { awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b' /tmp/loop.log | wc -l; }
# first instant at or after T when rs1's weight was W
weight_at() { awk -v t="$1" -v w="$2" '$1 >= t && $2 == w {print $1; exit}' /tmp/weights.log; }
# how long (ms) some weight differed from 1 between two instants
weights_off_ms() { awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b {
		off = ($2 != "1" || $3 != "1")
		if (off && !since) since = $1
		if (!off && since) { sum += $1 - since; since = 0 }
	} END { if (since) sum += b - since; print sum + 0 }' /tmp/weights.log; }
# did any weight differ from 1 between two instants?
weights_changed() { awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && ($2 != "1" || $3 != "1")' /tmp/weights.log | head -1; }
rs1_code() { metrics | grep "^dsrkit_checkd_target_failing{real_server=\"$RS1\"" | sed 's/.*code="\([^"]*\)".*/\1/' | head -1; }
# rs1_failing CODE: CODE is among rs1's failing codes now
rs1_failing() { metrics | grep "^dsrkit_checkd_target_failing{real_server=\"$RS1\"" | grep -q "code=\"$1\""; }

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
		# a fault brought in by replacing rs1's agent (a fake, a restart
		# with other certificates) shows CONNECT_REFUSED first, while no
		# agent listens, and a fault with two findings may name the other
		# first: wait for the code of the fault itself, and time it
		if [ -n "${ROW_CODE_WAIT:-}" ] && [ -n "$want" ] && [ "$code" != "$want" ]; then
			local first=$code cend=$((SECONDS + ROW_CODE_WAIT))
			while [ $SECONDS -lt $cend ]; do
				rs1_failing "$want" && { code=$want; break; }
				sleep 0.2
			done
			[ "$code" = "$want" ] && lab_log "row $name: $first first (the agent being replaced, or a second finding), then $code $(($(now_ms) - t0)) ms after the injection"
		fi
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
		local ch off
		ch=$(weights_changed "$t0" "$t2")
		off=$(weights_off_ms "$t0" "$t2")
		if [ -z "$ch" ]; then det=held; lab_pass "row-$name-no-drain"
		elif [ -n "${HOLD_TRANSIENT_MS:-}" ] && [ "$off" -le "$HOLD_TRANSIENT_MS" ]; then
			# the fail-safe engages when the share is over its threshold:
			# the first server to fail (pushed: at once) is drained until
			# its peers' failures arrive, then restored (doc/reliability.md)
			det="held after ${off} ms"
			lab_pass "row-$name-no-drain"
			lab_log "row $name: one server drained for $off ms before the fail-safe held it (bound $HOLD_TRANSIENT_MS ms)"
		else det=DRAINED; lab_fail "row-$name-no-drain" "weights off 1 for $off ms (first change: $ch)"; fi
		if [ $kind = quiet ] && [ -n "$code" ]; then lab_fail "row-$name-no-failure" "failing $code"; fi
		;;
	esac
	lab_log "row $name: $kind detected=$det code=${code:--} detect_ms=$dms lost=$lost/$sent"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$kind" "$det" "${code:--}" "$dms" "$lost" "$sent" >>"$MATRIX"
}

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
# finish_matrix: stop the client and watcher, print the table, keep the logs
finish_matrix() {
	kill $LOOP $WATCH 2>/dev/null
	kill "$(cat /tmp/checkd.pid)" 2>/dev/null
	lab_log "matrix:"
	column -t -s "$(printf '\t')" "$MATRIX" 2>/dev/null || cat "$MATRIX"
	cp /tmp/checkd.log /tmp/loop.log /tmp/weights.log "$LAB_OUT/" 2>/dev/null
}
