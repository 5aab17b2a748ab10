# SPDX-License-Identifier: Apache-2.0
# tests/bench/checkd-lib.sh - helpers of the dsr-checkd bench (sourced by
# tests/bench/checkd.sh on the host and tests/bench/checkd-ka.inc in a lab
# guest): many TLS agents from dsrkit-tlsresp, dsr-checkd and keepalived's
# SSL_GET against the same endpoints, CPU from /proc/PID/stat.

BENCH_BIN=${BENCH_BIN:-$PWD/build/bin}
HZ=$(getconf CLK_TCK)
PER_RESP=4000   # listeners per responder process (2 fds each, under the fd limit)

bench_pki() {
	local dir=$1 pki=$PWD/pki/dsrkit-pki
	mkdir -p "$dir"
	"$pki" --dir "$dir" ca >/dev/null && "$pki" --dir "$dir" agent agent --ip 127.0.0.1 >/dev/null &&
		"$pki" --dir "$dir" checker checker >/dev/null
}

# free_base N: the first of a few port ranges below the ephemeral range with
# no listener in BASE..BASE+N-1 (other programs on this machine keep theirs)
free_base() {
	local n=$1 b
	for b in 20000 10000 22000 12000; do
		[ $((b + n)) -le 32000 ] || continue
		ss -Hltn | awk -v lo="$b" -v hi=$((b + n)) '{sub(/.*:/, "", $4); if ($4 + 0 >= lo && $4 + 0 < hi) bad = 1}
			END {exit bad}' && { echo "$b"; return 0; }
	done
	return 1
}

# resp_start DIR BASE N: agents on 127.0.0.1 ports BASE..BASE+N-1
resp_start() {
	local dir=$1 base=$2 n=$3 i=0 c
	: >"$dir/resp.pids"
	while [ $i -lt "$n" ]; do
		c=$((n - i > PER_RESP ? PER_RESP : n - i))
		"$BENCH_BIN/dsrkit-tlsresp" --base $((base + i)) --count $c --cert "$dir/pki/agent.crt" \
			--key "$dir/pki/agent.key" --ca "$dir/pki/ca.crt" --stats "$dir/resp.$i.stats" \
			>"$dir/resp.$i.log" 2>&1 &
		echo "$! $i" >>"$dir/resp.pids"
		i=$((i + c))
	done
	sleep 1
}

# resp_signal DIR: every responder writes its counters now;
# resp_read DIR (a second later): their sum of requests answered
resp_signal() {
	local pid i
	while read -r pid i; do kill -USR1 "$pid" 2>/dev/null; done <"$1/resp.pids"
}
resp_read() {
	local dir=$1 field=${2:-2} pid i sum=0 n
	while read -r pid i; do
		n=$(awk -v f="$field" '{print $f}' "$dir/resp.$i.stats" 2>/dev/null)
		sum=$((sum + ${n:-0}))
	done <"$dir/resp.pids"
	echo $sum
}

# resp_settle DIR [MAX]: wait until no new TLS handshakes happen (the
# checker's start-up connections are made), at most MAX seconds
resp_settle() {
	local dir=$1 max=${2:-60} t=0 h0 h1
	resp_signal "$dir"; sleep 1; h0=$(resp_read "$dir" 4)
	while [ $t -lt "$max" ]; do
		resp_signal "$dir"; sleep 1; h1=$(resp_read "$dir" 4)
		[ "$h1" -gt 0 ] && [ "$h1" -eq "$h0" ] && return 0
		h0=$h1; t=$((t + 1))
	done
	return 1
}

resp_stop() {
	local pid i
	while read -r pid i; do kill "$pid" 2>/dev/null; done <"$1/resp.pids"
	sleep 0.3
}

# user+system ticks of PID
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# checkd_conf_gen FILE DIR BASE N: one DR service per agent (each its own
# agent port, named in the MISC_CHECK line as keepalived.conf would)
checkd_conf_gen() {
	local f=$1 dir=$2 base=$3 n=$4 i
	{
		echo "dsr_checkd {"
		echo "    interval 1s"
		echo "    timeout 3s"
		echo "    listen off"
		echo "    socket off"
		echo "}"
		for ((i = 0; i < n; i++)); do
			echo "virtual_server 192.0.2.100 $((base + i)) {
    lb_kind DR
    protocol TCP
    real_server 127.0.0.1 80 {
        MISC_CHECK {
            misc_path \"/usr/bin/dsr-check --rs 127.0.0.1 --vip 192.0.2.100 --port 80 --agent-port $((base + i))\"
        }
    }
}"
		done
	} >"$f"
	cat >"$dir/dsrkit.conf" <<EOT
ca = $dir/pki/ca.crt
cert = $dir/pki/checker.crt
key = $dir/pki/checker.key
timeout = 3s
EOT
}

# ka_conf_gen FILE DIR BASE N: keepalived SSL_GET on the same agents
ka_conf_gen() {
	local f=$1 dir=$2 base=$3 n=$4 i
	{
		echo "global_defs { router_id bench }"
		echo "SSL {"
		echo "    ca $dir/pki/ca.crt"
		echo "    certificate $dir/pki/checker.crt"
		echo "    key $dir/pki/checker.key"
		echo "}"
		for ((i = 0; i < n; i++)); do
			echo "virtual_server 192.0.2.100 $((base + i)) {
    delay_loop 1
    lb_kind DR
    protocol TCP
    real_server 127.0.0.1 $((base + i)) {
        SSL_GET {
            url {
                path /v1/status
                status_code 200
            }
            connect_timeout 3
            retry 1
            delay_before_retry 1
        }
    }
}"
		done
	} >"$f"
}

# measure NAME PID DIR DUR N: CPU and requests over DUR seconds; prints one
# line and sets M_CHECKS M_TICKS M_RSS
measure() {
	local name=$1 pid=$2 dir=$3 dur=$4 n=$5 r0 r1 t0 t1 h0 h1
	resp_signal "$dir"
	t0=$(ticks "$pid")
	sleep 1
	r0=$(resp_read "$dir")
	h0=$(resp_read "$dir" 4)
	sleep $((dur - 1))
	resp_signal "$dir"
	t1=$(ticks "$pid")
	sleep 1
	r1=$(resp_read "$dir")
	h1=$(resp_read "$dir" 4)
	M_HS=$((h1 - h0))
	M_CHECKS=$((r1 - r0))
	M_TICKS=$((t1 - t0))
	M_RSS=$(rss_kb "$pid")
	awk -v name="$name" -v n="$n" -v c="$M_CHECKS" -v t="$M_TICKS" -v hz="$HZ" -v d="$dur" -v rss="$M_RSS" -v hs="$M_HS" 'BEGIN {
		cpu = t / hz; per = c ? cpu / c * 1e6 : 0
		printf "%-19s N=%-6d checks/s=%-6.0f handshakes/s=%-6.0f cpu=%5.1f%% of a core %7.1f us/check  rss=%d KiB (%.1f KiB/rs)\n",
			name, n, c / d, hs / d, 100 * cpu / d, per, rss, rss / n }'
}
