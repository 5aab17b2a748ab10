#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench: where=host timeout=900
# dsr-checkd: CPU time per check and memory per real server with N agents
# (real mutual-TLS endpoints on 127.0.0.1, one-second interval), on this
# machine for N = 100, 1,000, 10,000; then, in a lab guest (the host kernel
# has no IPVS, which keepalived needs to start), dsr-checkd beside
# keepalived's SSL_GET on the same endpoints, and their ratio.
#   CHECKD_BENCH_N="100 1000 10000"  CHECKD_BENCH_SECONDS=20  CHECKD_BENCH_KA_N="100 500"
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
. tests/bench/checkd-lib.sh
. tests/lab/boot.sh
NS=${CHECKD_BENCH_N-"100 1000 10000"}   # empty: the lab part only
DUR=${CHECKD_BENCH_SECONDS:-20}
out=${DSRLAB_OUT:-$root/build/bench/checkd}
mkdir -p "$out"
work=$(mktemp -d /tmp/checkd-bench.XXXXXX)
trap 'resp_stop "$work" 2>/dev/null; kill $cpid 2>/dev/null; rm -rf "$work"' EXIT
cpid=
bench_pki "$work/pki" || { echo "bench: PKI failed"; exit 1; }
echo "== dsr-checkd on this host ($(nproc) cores, shared), interval 1 s, ${DUR} s per point"
declare -A RSS
for n in $NS; do
	base=$(free_base "$n") || { echo "no free port range for $n agents"; exit 1; }
	resp_start "$work" "$base" "$n"
	if [ "$(wc -l <"$work/resp.pids")" -ne "$(ls "$work"/resp.*.log | wc -l)" ] ||
		grep -q "in use" "$work"/resp.*.log; then
		echo "agents did not start: $(grep -h tlsresp "$work"/resp.*.log | tail -2)"; exit 1
	fi
	checkd_conf_gen "$work/checkd.conf" "$work" "$base" "$n"
	"$BENCH_BIN/dsr-checkd" -f "$work/checkd.conf" --dsrkit-conf "$work/dsrkit.conf" >"$work/checkd.log" 2>&1 &
	cpid=$!
	# first probes spread over one interval, then the full handshakes settle
	resp_settle "$work" 120 || echo "   (handshakes still going on after 120 s)"
	if ! kill -0 $cpid 2>/dev/null; then
		echo "dsr-checkd died:"; tail -5 "$work/checkd.log"; exit 1
	fi
	measure "dsr-checkd" $cpid "$work" "$DUR" "$n" >"$work/line"
	tee -a "$out/host.txt" <"$work/line"
	RSS[$n]=$M_RSS
	down=$(grep -c '^DOWN' "$work/checkd.log")
	[ "$down" -eq 0 ] || echo "   ($down DOWN lines: $(grep -m1 '^DOWN' "$work/checkd.log"))"
	kill $cpid; wait $cpid 2>/dev/null; cpid=
	resp_stop "$work"
done
set -- $NS
if [ $# -ge 2 ] && [ -n "${RSS[$1]:-}" ]; then
	first=$1; eval "last=\${$#}"
	awk -v a="${RSS[$first]}" -v b="${RSS[$last]}" -v na="$first" -v nb="$last" 'BEGIN {
		printf "memory per real server (marginal, N=%d..%d): %.1f KiB\n", na, nb, (b - a) / (nb - na) }'
fi

echo "== dsr-checkd beside keepalived SSL_GET, same agents, in a lab guest"
if lab_boot_preflight; then
	mkdir -p "$out/lab"
	CHECKD_BENCH_SECONDS=$DUR lab_boot "$root/tests/bench/checkd-ka.inc" "$out/lab" 600 1G >"$out/lab/console.log" 2>&1
	cat "$out/lab/test.log" 2>/dev/null | grep -v '^\[lab' || echo "lab part failed (see $out/lab)"
else
	echo "no lab: keepalived comparison skipped"
fi
