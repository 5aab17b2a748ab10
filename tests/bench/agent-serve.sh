# SPDX-License-Identifier: Apache-2.0
# bench: where=host timeout=300
# agent-serve: dsr-agent serving /v1/status beside nginx serving a static
# JSON file of the same size, both over the same mutual TLS (TLS 1.3, the
# same P-256 certificates) on 127.0.0.1, and beside OpenSSL's own s_server
# (the floor of any OpenSSL 3 server).  Reports each server's resident
# memory after serving 1,000 requests and its CPU time per request, for a
# new TLS connection per request (what a forking checker does) and for
# keep-alive (what dsr-checkd does).  Targets (issue 4): within 2x of
# nginx per request, under 4 MiB resident.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/build/bin
out=${DSRLAB_OUT:-$root/build/bench/agent-serve}
w=$(mktemp -d /tmp/dsrbench.XXXXXX)
N=${BENCH_REQUESTS:-1000}
# free loopback ports (other benchmarks and tests may run on this machine)
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}
AP=$(free_port)
NP=$(free_port)
SP=$(free_port)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$w"; }
trap cleanup EXIT

command -v nginx >/dev/null || { echo "bench: nginx not installed (nginx-light)"; exit 1; }
"$bin/dsrkit-pki" --dir "$w/pki" ca >/dev/null
"$bin/dsrkit-pki" --dir "$w/pki" agent server --ip 127.0.0.1 >/dev/null
"$bin/dsrkit-pki" --dir "$w/pki" checker client >/dev/null

cat >"$w/agent.conf" <<EOT
listen = 127.0.0.1
port = $AP
tls_cert = $w/pki/server.crt
tls_key = $w/pki/server.key
tls_ca = $w/pki/ca.crt
vip = 192.0.2.100 80
EOT
"$bin/dsr-agent" serve --config "$w/agent.conf" 2>"$w/agent.log" &
apid=$!
pids+=("$apid")

CURL=(curl -sS --noproxy '*' --cacert "$w/pki/ca.crt" --cert "$w/pki/client.crt" --key "$w/pki/client.key")
for i in $(seq 50); do "${CURL[@]}" -o "$w/status.json" "https://127.0.0.1:$AP/v1/status" 2>/dev/null && break; sleep 0.1; done
[ -s "$w/status.json" ] || { echo "bench: the agent did not answer"; cat "$w/agent.log"; exit 1; }

mkdir -p "$w/nginx/html" "$w/nginx/tmp"
cp "$w/status.json" "$w/nginx/html/status"
cat >"$w/nginx.conf" <<EOT
daemon off;
master_process off;
worker_processes 1;
error_log $w/nginx/error.log;
pid $w/nginx/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $w/nginx/tmp;
    proxy_temp_path $w/nginx/tmp;
    fastcgi_temp_path $w/nginx/tmp;
    uwsgi_temp_path $w/nginx/tmp;
    scgi_temp_path $w/nginx/tmp;
    server {
        listen 127.0.0.1:$NP ssl;
        ssl_protocols TLSv1.3;
        ssl_certificate $w/pki/server.crt;
        ssl_certificate_key $w/pki/server.key;
        ssl_client_certificate $w/pki/ca.crt;
        ssl_verify_client on;
        location = /v1/status { root $w/nginx/html; default_type application/json; try_files /status =404; }
    }
}
EOT
nginx -c "$w/nginx.conf" -p "$w/nginx" -e "$w/nginx/error.log" &
npid=$!
pids+=("$npid")
for i in $(seq 50); do "${CURL[@]}" -o "$w/nginx.json" "https://127.0.0.1:$NP/v1/status" 2>/dev/null && break; sleep 0.1; done
[ -s "$w/nginx.json" ] || { echo "bench: nginx did not answer"; cat "$w/nginx/error.log"; exit 1; }

# The floor any OpenSSL 3 server stands on: OpenSSL's own `s_server -WWW`
# serving the same file over the same mutual TLS (new connections only; it
# answers HTTP/1.0 and closes).  What it holds resident is libssl,
# libcrypto and libc being used, whatever the server around them does.
mkdir -p "$w/sserver/v1"
cp "$w/status.json" "$w/sserver/v1/status"
(cd "$w/sserver" && exec openssl s_server -quiet -accept "127.0.0.1:$SP" -cert "$w/pki/server.crt" \
	-key "$w/pki/server.key" -CAfile "$w/pki/ca.crt" -Verify 1 -verify_return_error -tls1_3 -WWW \
	>/dev/null 2>"$w/sserver.log") &
spid=$!
pids+=("$spid")
for i in $(seq 50); do "${CURL[@]}" -o "$w/sserver.json" "https://127.0.0.1:$SP/v1/status" 2>/dev/null && break; sleep 0.1; done
cmp -s "$w/sserver.json" "$w/status.json" || { echo "bench: openssl s_server did not answer"; cat "$w/sserver.log"; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
# private (USS): pages only this process holds; PSS: shared pages divided
# among the processes that map them (libcrypto is shared with every OpenSSL
# program on the machine)
uss_kib() { awk '/^Private_(Clean|Dirty)/ {s += $2} END {print s}' "/proc/$1/smaps_rollup"; }
pss_kib() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
hz=$(getconf CLK_TCK)

# run PID PORT MODE: N requests; prints "cpu_us_per_request"
run() {
	local pid=$1 port=$2 mode=$3 cfg c0 c1 i
	cfg=$w/urls.$port.$mode
	: >"$cfg"
	for i in $(seq "$N"); do echo "url = \"https://127.0.0.1:$port/v1/status\"" >>"$cfg"; echo "output = \"/dev/null\"" >>"$cfg"; done
	c0=$(cpu_ticks "$pid")
	if [ "$mode" = new ]; then
		"${CURL[@]}" -H 'Connection: close' -K "$cfg" || return 1
	else
		"${CURL[@]}" -K "$cfg" || return 1
	fi
	c1=$(cpu_ticks "$pid")
	echo $(( (c1 - c0) * 1000000 / hz / N ))
}

size=$(stat -c %s "$w/status.json")
a_new=$(run "$apid" "$AP" new); n_new=$(run "$npid" "$NP" new)
a_ka=$(run "$apid" "$AP" ka); n_ka=$(run "$npid" "$NP" ka)
s_new=$(run "$spid" "$SP" new); s_new2=$(run "$spid" "$SP" new)
a_rss=$(rss_kib "$apid"); n_rss=$(rss_kib "$npid"); s_rss=$(rss_kib "$spid")
a_hwm=$(hwm_kib "$apid"); n_hwm=$(hwm_kib "$npid"); s_hwm=$(hwm_kib "$spid")
a_uss=$(uss_kib "$apid"); n_uss=$(uss_kib "$npid"); s_uss=$(uss_kib "$spid")
a_pss=$(pss_kib "$apid"); n_pss=$(pss_kib "$npid"); s_pss=$(pss_kib "$spid")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

row() { # LABEL UNIT AGENT NGINX SSERVER
	printf '  %-26s %8s %-3s %8s %-3s %7s   %8s %-3s\n' "$1" "$3" "$2" "$4" "$2" "$(ratio "$3" "$4")" "$5" \
		"$([ "$5" = - ] || echo "$2")"
}
echo "agent-serve: GET /v1/status over mutual TLS 1.3 (P-256) on 127.0.0.1, $N requests per run"
echo "  document: $size bytes (nginx and openssl s_server serve the same bytes from a file)"
printf '  %-26s %12s %12s %7s   %12s\n' "" dsr-agent nginx ratio "s_server"
row "CPU per request, new conn" us "$a_new" "$n_new" "$s_new"
row "CPU per request, keep-alive" us "$a_ka" "$n_ka" "-"
row "resident after $((2 * N)) req" KiB "$a_rss" "$n_rss" "$s_rss"
row "peak resident (VmHWM)" KiB "$a_hwm" "$n_hwm" "$s_hwm"
row "private resident (USS)" KiB "$a_uss" "$n_uss" "$s_uss"
row "proportional (PSS)" KiB "$a_pss" "$n_pss" "$s_pss"
cat <<EOT
  (CPU from /proc/PID/stat utime+stime at ${hz} Hz; nginx: one process, master_process off;
   s_server: OpenSSL's own server, $((2 * N)) new connections, the floor of any OpenSSL 3 server)
  targets: CPU within 2x of nginx: $(awk -v a="$a_new" -v b="$n_new" 'BEGIN {print (a <= 2 * b) ? "met" : "NOT met"}') (new conn), $(awk -v a="$a_ka" -v b="$n_ka" 'BEGIN {print (a <= 2 * b) ? "met" : "NOT met"}') (keep-alive); resident under 4 MiB: $([ "$a_rss" -lt 4096 ] && echo met || echo "NOT met") (RSS; s_server $([ "$s_rss" -lt 4096 ] && echo under || echo "over") it too), $([ "$a_uss" -lt 4096 ] && echo met || echo "NOT met") (private)
EOT
