#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench: where=lab timeout=900 mem=1G
# dsr-checkd's probes under a scrape storm (issue 16 #5): N mutual-TLS agents
# (dsrkit-tlsresp, one-second interval) and an IPVS table of S services on
# this guest's real kernel; each agent's probe intervals (from the agent's
# side: the time between two requests it answered) with no scraper, then
# with R scrapes/s of /metrics and 64 idle connections held.  With
# CHECKD_SCRAPE_OLD=DIR (a dsr-checkd built from an older tree) the same for
# it, side by side.
#   CHECKD_SCRAPE_N=200 CHECKD_SCRAPE_SVCS=2000 CHECKD_SCRAPE_RATE=200 CHECKD_SCRAPE_SECONDS=20
. tests/bench/checkd-lib.sh
ulimit -n 20000 2>/dev/null
N=${CHECKD_SCRAPE_N:-200}
SVCS=${CHECKD_SCRAPE_SVCS:-2000}
RATE=${CHECKD_SCRAPE_RATE:-200}
DUR=${CHECKD_SCRAPE_SECONDS:-20}
ip link set lo up
modprobe ip_vs 2>/dev/null
work=$(mktemp -d /tmp/checkd-scrape.XXXXXX)
bench_pki "$work/pki" || { echo "PKI failed"; exit 1; }

# an IPVS table to dump: SVCS services of two destinations each
{
	for ((i = 0; i < SVCS; i++)); do
		v="198.51.$((100 + i / 250)).$((i % 250 + 1))"
		echo "-A -t $v:80 -s rr"
		echo "-a -t $v:80 -r 203.0.113.1:80 -g -w 1"
		echo "-a -t $v:80 -r 203.0.113.2:80 -g -w 1"
	done
} | ipvsadm -R || { echo "ipvsadm -R failed"; exit 1; }
echo "IPVS: $(ipvsadm -Ln | grep -c '^TCP') services"

# intervals FILE FROM_MS TO_MS: p50 p99 max (ms) of the gaps between two
# requests to the same agent, both inside the window
intervals() {
	awk -v a="$2" -v b="$3" '$2 >= a && $2 <= b { if ($1 in last) print $2 - last[$1]; last[$1] = $2 }' "$1" |
		sort -n >"$work/gaps"
	awk '{ d[NR] = $1 } END { if (!NR) { print "0 0 0 0"; exit }
		printf "%d %d %d %d\n", d[int((NR - 1) * 0.5) + 1], d[int((NR - 1) * 0.99) + 1], d[NR], NR }' "$work/gaps"
}
now_ms() { python3 -c 'import time; print(int(time.monotonic() * 1000))'; }

run_one() {
	local label=$1 bin=$2 t0 t1 t2 t3 p q
	: >"$work/resp.pids"
	rm -f "$work"/times
	"$BENCH_BIN/dsrkit-tlsresp" --base 10000 --count "$N" --cert "$work/pki/agent.crt" --key "$work/pki/agent.key" \
		--ca "$work/pki/ca.crt" --stats "$work/resp.0.stats" --times "$work/times" >"$work/resp.0.log" 2>&1 &
	echo "$! 0" >"$work/resp.pids"
	sleep 1
	checkd_conf_gen "$work/checkd.conf" "$work" 10000 "$N"
	sed -i 's/^    listen off/    listen 127.0.0.1:9445/' "$work/checkd.conf"
	"$bin" -f "$work/checkd.conf" --dsrkit-conf "$work/dsrkit.conf" >"$work/checkd.log" 2>&1 &
	cpid=$!
	resp_settle "$work" 60 >/dev/null
	curl -s --max-time 10 http://127.0.0.1:9445/metrics >"$work/m.txt"
	echo "$label: /metrics is $(wc -c <"$work/m.txt") bytes"
	# the times file uses CLOCK_MONOTONIC ms; /proc/uptime is the same clock here
	t0=$(now_ms); sleep "$DUR"; t1=$(now_ms)
	# the storm: R scrapes/s from 4 clients, 64 idle connections held
	local storm=()
	for q in 1 2 3 4; do
		python3 tests/lab/tools/scrapestorm.py 127.0.0.1 9445 --idle 16 --rate "$(awk -v r="$RATE" 'BEGIN {print r / 4}')" \
			--seconds "$DUR" --timeout 5 >"$work/storm.$q" 2>&1 &
		storm+=($!)
	done
	t2=$(now_ms); wait "${storm[@]}"; t3=$(now_ms)
	resp_signal "$work"; sleep 1
	ticks_total=$(ticks $cpid)
	kill $cpid; wait $cpid 2>/dev/null
	resp_stop "$work"
	read -r q50 q99 qmax qn <<<"$(intervals "$work/times" "$t0" "$t1")"
	read -r s50 s99 smax sn <<<"$(intervals "$work/times" "$((t2 + 1000))" "$t3")"
	local sc ok
	sc=$(cat "$work"/storm.? | awk '{s += $2; o += $4} END {print s + 0, o + 0}')
	printf "%-12s quiet: probe interval p50 %d ms p99 %d ms max %d ms (%d intervals)\n" "$label" "$q50" "$q99" "$qmax" "$qn"
	printf "%-12s storm: probe interval p50 %d ms p99 %d ms max %d ms (%d intervals); scrapes %s answered %s in %d s (%.0f/s)\n" \
		"$label" "$s50" "$s99" "$smax" "$sn" ${sc% *} ${sc#* } "$DUR" "$(awk -v n="${sc#* }" -v d="$DUR" 'BEGIN {print n / d}')"
	grep -h '^scrapes' "$work"/storm.? | sed "s/^/$label   client: /"
}

echo "== $N agents, interval 1 s, $SVCS IPVS services, storm: $RATE scrapes/s + 64 idle connections, ${DUR} s each"
run_one "dsr-checkd" "$BENCH_BIN/dsr-checkd"
if [ -n "${CHECKD_SCRAPE_OLD:-}" ]; then
	run_one "old" "$CHECKD_SCRAPE_OLD/dsr-checkd"
fi
exit 0
