#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench: where=host timeout=1800
# longpoll: what pushed faults cost in the steady state (issue 19), on
# this host, one dsr-checkd at interval 1s in three modes:
#   poll            heartbeat off: one GET and one status document per
#                   agent per second, as before issue 19
#   long-poll 1s    the default, to agents of protocol 1.2: a GET held
#                   3 s, with a beat (an interim "102 Processing") every
#                   heartbeat less a grace (850 ms on time) and a 304 at
#                   the end: one request per 3 s, a little over one beat
#                   a second per agent
#   lp-1s-proto1.1  the same heartbeat to agents of 1.1 (the Windows
#                   agent), no beats: a GET held 850 ms and answered 304
#                   with no body, a little over one a second per agent
#   long-poll 2s    heartbeat 2s (1.2): a beat every 1.85 s
# Part 1, the checker: N agents (LONGPOLL_N, 1,000) from dsrkit-tlsresp
# (one process answering as agents of protocol 1.2, or 1.1, whose facts
# do not change; they share 127.0.0.1, so the checker's per-address lookups run
# longer than with N addresses), dsr-checkd's CPU per agent per second.
# Part 2, the agents: M real dsr-agent processes (LONGPOLL_AGENTS, 20), the
# CPU each spends (/proc/PID/schedstat, ns) per second, in the three modes
# and idle (no checker at all): most of an agent's CPU is its watcher, the
# same in every mode, so the report shows each mode's cost above idle too,
# what the checker's requests cost the agent.  LONGPOLL_SECONDS
# (31: a long-poll with beats is renewed every 30 s, so each window holds
# every agent's renewal once) per mode, LONGPOLL_ROUNDS (3) rounds of the modes in turn, each
# mode's median reported.  LONGPOLL_PARTS ("1 2") picks the parts.  The
# facts judge failing here (no VIP on this host's lo), the same in every
# mode.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
. tests/bench/checkd-lib.sh
N=${LONGPOLL_N:-1000}
DUR=${LONGPOLL_SECONDS:-31}
work=$(mktemp -d /tmp/longpoll-bench.XXXXXX)
cpid=
trap 'resp_stop "$work" 2>/dev/null; [ -n "$cpid" ] && kill $cpid 2>/dev/null; rm -rf "$work"' EXIT
bench_pki "$work/pki" || { echo "bench: PKI failed"; exit 1; }
base=$(free_base "$N") || { echo "bench: no free port range for $N agents"; exit 1; }
resp_ticks() {
	local pid i sum=0
	while read -r pid i; do sum=$((sum + $(ticks "$pid"))); done <"$work/resp.pids"
	echo $sum
}

# run MODE HEARTBEAT [--beats]: "MODE requests/s checkd-ticks resp-ticks not-modified/s beats/s"
run() {
	local mode=$1 hb=$2 c0 c1 a0 a1 r0 r1 m0 m1 b0 b1
	PER_RESP=4000
	: >"$work/resp.pids"
	"$BENCH_BIN/dsrkit-tlsresp" --base "$base" --count "$N" --cert "$work/pki/agent.crt" --key "$work/pki/agent.key" \
		--ca "$work/pki/ca.crt" --stats "$work/resp.0.stats" --generation 7 ${3:-} >"$work/resp.0.log" 2>&1 &
	echo "$! 0" >"$work/resp.pids"
	sleep 1
	checkd_conf_gen "$work/checkd.conf" "$work" "$base" "$N"
	sed -i "s/^    interval 1s$/    interval 1s\n    heartbeat $hb/" "$work/checkd.conf"
	"$BENCH_BIN/dsr-checkd" -f "$work/checkd.conf" --dsrkit-conf "$work/dsrkit.conf" >"$work/checkd-$mode.log" 2>&1 &
	cpid=$!
	resp_settle "$work" 120 >/dev/null || echo "   (handshakes still going on after 120 s)" >&2
	sleep 3
	kill -0 $cpid 2>/dev/null || { echo "bench: dsr-checkd died: $(tail -3 "$work/checkd-$mode.log")" >&2; exit 1; }
	resp_signal "$work"; c0=$(ticks $cpid); a0=$(resp_ticks); sleep 1
	r0=$(resp_read "$work"); m0=$(resp_read "$work" 6); b0=$(resp_read "$work" 8)
	sleep $((DUR - 1))
	resp_signal "$work"; c1=$(ticks $cpid); a1=$(resp_ticks); sleep 1
	r1=$(resp_read "$work"); m1=$(resp_read "$work" 6); b1=$(resp_read "$work" 8)
	down=$(grep -c '^DOWN' "$work/checkd-$mode.log")
	kill $cpid; wait $cpid 2>/dev/null; cpid=
	resp_stop "$work"
	[ "$down" -eq 0 ] || echo "   ($mode: $down DOWN lines: $(grep -m1 '^DOWN' "$work/checkd-$mode.log"))" >&2
	echo "$mode $(( (r1 - r0) / DUR )) $((c1 - c0)) $((a1 - a0)) $(( (m1 - m0) / DUR )) $(( (b1 - b0) / DUR ))"
}

ROUNDS=${LONGPOLL_ROUNDS:-3}
# median_rows FILE: one row per mode (the first field, in first-seen
# order), each other field the median of that mode's rows
median_rows() {
	awk '{ if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } n[$1]++; for (f = 2; f <= NF; f++) v[$1, f, n[$1]] = $f; nf[$1] = NF }
	END {
		for (i = 1; i <= k; i++) {
			m = order[i]; line = m
			for (f = 2; f <= nf[m]; f++) {
				c = n[m]
				for (a = 1; a <= c; a++) x[a] = v[m, f, a] + 0
				for (a = 2; a <= c; a++) { t = x[a]; for (b = a - 1; b >= 1 && x[b] > t; b--) x[b + 1] = x[b]; x[b + 1] = t }
				line = line " " (c % 2 ? x[(c + 1) / 2] : (x[c / 2] + x[c / 2 + 1]) / 2)
			}
			print line
		}
	}' "$1"
}
PARTS=${LONGPOLL_PARTS:-1 2}
if [[ " $PARTS " == *" 1 "* ]]; then
echo "== part 1: dsr-checkd with $N agents (dsrkit-tlsresp), interval 1s, ${DUR} s each, on this host ($(nproc) cores)"
# the modes in turn, ROUNDS times: a host's own drift (the responder, the
# clock speed) lands on every mode alike; each mode's median is reported
: >"$work/part1.raw"
for ((round = 1; round <= ROUNDS; round++)); do
	run poll off --beats >>"$work/part1.raw" || exit 1
	run long-poll-1s 1s --beats >>"$work/part1.raw" || exit 1
	run lp-1s-proto1.1 1s >>"$work/part1.raw" || exit 1
	run long-poll-2s 2s --beats >>"$work/part1.raw" || exit 1
done
echo "  rounds (mode requests/s checkd-ticks responder-ticks 304s/s beats/s):"
sed 's/^/    /' "$work/part1.raw"
median_rows "$work/part1.raw" | awk -v hz="$HZ" -v n="$N" -v d="$DUR" '
{ m[NR] = $1; rq[NR] = $2; ct[NR] = $3; nm[NR] = $5; bt[NR] = $6 }
END {
	printf "  %-14s %10s %8s %8s %18s %12s\n", "mode", "requests/s", "304s/s", "beats/s", "dsr-checkd CPU", "vs poll"
	for (i = 1; i <= NR; i++) {
		c[i] = ct[i] / hz / d
		printf "  %-14s %10d %8d %8d %6.1f%% %6.1f us/agent/s %8.2fx\n", m[i], rq[i], nm[i], bt[i], 100 * c[i],
			c[i] / n * 1e6, c[1] ? c[i] / c[1] : 0
	}
	if (!c[1]) { print "bench: no CPU counted"; exit 1 }
}' | tee "$work/part1"
fi

# part 2: M real agents, their own CPU
: >"$work/part2"
if [[ " $PARTS " == *" 2 "* ]]; then
agent_cpu_ns() { # the agents' CPU so far (ns)
	local pid sum=0 v
	for pid in $(cat "$work/agents.pids"); do v=$(awk '{print $1}' "/proc/$pid/schedstat" 2>/dev/null); sum=$((sum + ${v:-0})); done
	echo $sum
}
run_agents() {
	local mode=$1 hb=$2 i a0 a1 c0 c1
	: >"$work/agents.pids"
	for ((i = 0; i < M; i++)); do
		cat >"$work/agent$i.conf" <<EOT
listen = 127.0.0.1
port = $((base + i))
tls_cert = $work/pki/agent.crt
tls_key = $work/pki/agent.key
tls_ca = $work/pki/ca.crt
vip = 192.0.2.100 $((base + i))
EOT
		"$BENCH_BIN/dsr-agent" serve --config "$work/agent$i.conf" >"$work/agent$i.log" 2>&1 &
		echo $! >>"$work/agents.pids"
	done
	sleep 1
	if [ "$hb" != none ]; then
		checkd_conf_gen "$work/checkd.conf" "$work" "$base" "$M"
		sed -i "s/^    interval 1s$/    interval 1s\n    heartbeat $hb/" "$work/checkd.conf"
		"$BENCH_BIN/dsr-checkd" -f "$work/checkd.conf" --dsrkit-conf "$work/dsrkit.conf" >"$work/checkd-a-$mode.log" 2>&1 &
		cpid=$!
	fi
	sleep 5
	a0=$(agent_cpu_ns)
	sleep "$DUR"
	a1=$(agent_cpu_ns)
	if [ -n "$cpid" ]; then
		kill $cpid; wait $cpid 2>/dev/null; cpid=
	fi
	kill $(cat "$work/agents.pids"); wait 2>/dev/null
	echo "$mode $((a1 - a0))"
}
M=${LONGPOLL_AGENTS:-20}
echo "== part 2: $M real dsr-agent processes, one dsr-checkd, ${DUR} s each"
: >"$work/part2.raw"
for ((round = 1; round <= ROUNDS; round++)); do
	run_agents idle none >>"$work/part2.raw"
	run_agents poll off >>"$work/part2.raw"
	run_agents long-poll-1s 1s >>"$work/part2.raw"
	run_agents long-poll-2s 2s >>"$work/part2.raw"
done
echo "  rounds (mode agents-ns):"
sed 's/^/    /' "$work/part2.raw"
# row 1 is idle, row 2 poll; the last field stays the whole CPU against
# polling's (the target below), the one before it what is above idle
median_rows "$work/part2.raw" | awk -v m="$M" -v d="$DUR" '
{ mode[NR] = $1; ns[NR] = $2 }
END {
	printf "  %-13s %22s %20s %16s %12s\n", "mode", "dsr-agent CPU", "above idle", "above, vs poll", "vs poll"
	for (i = 1; i <= 4; i++) {
		up = ns[i] - ns[1]; pup = ns[2] - ns[1]
		printf "  %-13s %8.1f us/agent/s %8.1f us/agent/s %15s %11.2fx\n", mode[i], ns[i] / m / d / 1000,
			up / m / d / 1000, (i > 1 && pup > 0) ? sprintf("%.2fx", up / pup) : "-", (ns[2] ? ns[i] / ns[2] : 0)
	}
	if (!ns[2]) { print "bench: no agent CPU counted"; exit 1 }
}' | tee "$work/part2"
fi
# targets: the default (long-poll 1s) below polling, for the checker and
# the agents (a part not run is not judged); a missed target is reported,
# as in the other benches, not an error of the bench
[ -f "$work/part1" ] || : >"$work/part1"
[ -f "$work/part2" ] || : >"$work/part2"
awk 'FNR > 1 && $1 == "long-poll-1s" {sub(/x$/, "", $NF); print (FILENAME ~ /part1$/ ? "c" : "a"), $NF}' \
	"$work/part1" "$work/part2" | awk '
{ v[$1] = $2; have[$1] = 1 }
END {
	ok = 1
	for (k in v) if (v[k] >= 1) ok = 0
	printf "long-poll at the default heartbeat / poll: dsr-checkd %s, dsr-agent %s (target: below 1x): %s\n",
		have["c"] ? sprintf("%.2fx", v["c"]) : "not run", have["a"] ? sprintf("%.2fx", v["a"]) : "not run",
		ok ? "met" : "MISSED"
}'
