# SPDX-License-Identifier: Apache-2.0
# bench: where=host timeout=300
# win-agent: the Windows agent's footprint.  Reports the size of the shipped
# dsr-agent.exe (one static exe, system DLLs only; target < 1 MiB) and of
# the MSI, then runs the test build's plain-HTTP mode under wine (wine's
# http.sys has no TLS) in its own network namespace, serves N status
# requests (keep-alive, as dsr-checkd does, then a new connection each, as
# a forking checker does) and reports the agent process's resident memory
# (Linux RSS of the wine process: the exe plus wine's own DLLs, an upper
# bound of the Windows working set) and its CPU time per request, with
# wineserver's CPU shown apart.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
B=build/win
N=${BENCH_REQUESTS:-1000}
NS=dsrkit-winbench-$$
VIP=192.0.2.100
RIP=192.0.2.11
PORT=18450
export WINEPREFIX=$root/build/wine/bench-prefix
export WINEDEBUG=-all DISPLAY= WINEARCH=win64 WINEDLLOVERRIDES="mscoree,mshtml="
w=$(mktemp -d /tmp/dsrwinbench.XXXXXX)
AGENT=

cleanup() {
	[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null
	ip netns exec "$NS" wineserver -k >/dev/null 2>&1
	sleep 0.5
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$w"
}
trap cleanup EXIT

for f in $B/dsr-agent.exe $B/dsr-agent-test.exe $B/dsr-agent.msi; do
	[ -f "$f" ] || { echo "bench: $f missing (make win)"; exit 1; }
done
exe=$(stat -c %s $B/dsr-agent.exe)
msi=$(stat -c %s $B/dsr-agent.msi)
dlls=$(x86_64-w64-mingw32-objdump -p $B/dsr-agent.exe | sed -n 's/.*DLL Name: //p' | tr 'A-Z' 'a-z' | sort | tr '\n' ' ')
printf 'dsr-agent.exe (shipped)   %8d bytes  (%d KiB; target < 1024 KiB)\n' "$exe" $((exe / 1024))
printf 'dsr-agent.msi             %8d bytes\n' "$msi"
echo "imports (all part of Windows): $dlls"

ip netns add "$NS" || exit 1
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip link add dsrlo type veth peer name dsrlo-p
ip netns exec "$NS" ip link add dsreth type veth peer name dsreth-p
for i in dsrlo dsrlo-p dsreth dsreth-p; do ip netns exec "$NS" ip link set "$i" up; done
ip netns exec "$NS" ip addr add $VIP/32 dev dsrlo
ip netns exec "$NS" ip addr add $RIP/24 dev dsreth
if [ ! -f "$WINEPREFIX/system.reg" ]; then
	ip netns exec "$NS" wineboot -i >/dev/null 2>&1
	ip netns exec "$NS" wineserver -w
fi
ip netns exec "$NS" wine sc start HTTP >/dev/null 2>&1
cat >"$w/agent.conf" <<EOF
listen = 0.0.0.0
port = $PORT
vip = $VIP 80
EOF
conf="Z:$(echo "$w/agent.conf" | tr / '\\')"
ip netns exec "$NS" wine $B/dsr-agent-test.exe --loopback dsrlo serve --config "$conf" >"$w/serve.log" 2>&1 &
AGENT=$!
url=http://$RIP:$PORT/v1/status
for i in $(seq 1 100); do ip netns exec "$NS" curl -s -o /dev/null "$url" && break; sleep 0.2; done
ip netns exec "$NS" curl -s -o /dev/null "$url" || { echo "bench: the agent did not start"; cat "$w/serve.log"; exit 1; }
doc=$(ip netns exec "$NS" curl -s "$url" | wc -c)
ws_pid=$(pgrep -n -x wineserver64 || pgrep -n wineserver)

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$AGENT/status"; }
anon() { awk '/^RssAnon/ {print $2}' "/proc/$AGENT/status"; }
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$AGENT/status"; }

run() {  # run LABEL FUNCTION COUNT
	local label=$1 n=$3 a0 w0 a1 w1 t0 t1
	a0=$(ticks "$AGENT"); w0=$(ticks "$ws_pid"); t0=$(date +%s%N)
	"$2"
	t1=$(date +%s%N); a1=$(ticks "$AGENT"); w1=$(ticks "$ws_pid")
	printf '%-28s %5d requests in %5d ms; agent CPU %6.1f us/request, wineserver %6.1f us/request\n' \
		"$label" "$n" $(((t1 - t0) / 1000000)) \
		"$(echo "($a1 - $a0) * 1000000 / $hz / $n" | bc -l)" "$(echo "($w1 - $w0) * 1000000 / $hz / $n" | bc -l)"
}
keepalive() {
	# one curl, N URLs: one connection reused
	for _ in $(seq 1 "$N"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url"; done >"$w/urls"
	ip netns exec "$NS" curl -s -K "$w/urls" -o /dev/null
}
# wine's http.sys costs ~25 ms per new connection; 200 of them tell enough
NC=$((N < 200 ? N : 200))
newconn() {
	local i
	for i in $(seq 1 "$NC"); do ip netns exec "$NS" curl -s -m 5 -o /dev/null "$url"; done
}
echo "status document: $doc bytes; agent RSS before: $(rss) KiB"
run "keep-alive (checkd style)" keepalive "$N"
run "new connection each" newconn "$NC"
echo "agent RSS after $((N + NC)) requests: $(rss) KiB (peak $(hwm) KiB; includes wine's own DLLs), of it anonymous (heap, stacks): $(anon) KiB"
