#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# win-realserver/tests/win-check.sh - the Windows agent under wine (make win-check).
#
# Everything runs inside one network namespace made for this run (two veth
# pairs: dsrlo holding the VIP 192.0.2.100/32 and dsreth with 192.0.2.11/24,
# documentation addresses only), with a fresh WINEPREFIX under build/wine,
# so the host's own network and wine settings are never touched.  wine maps
# the namespace's Linux interfaces to Windows adapters; there is no KM-TEST
# adapter under wine, so the loopback is named with --loopback dsrlo.
#
# Checks: the Windows layer on fake facts (test_win_layer.exe); the exe
# (size, imports, no plain HTTP in the shipped build); the real IP Helper
# read path, and breaking each prerequisite; setup --dry-run for a fresh
# and a half-configured server (golden files); the status endpoint in the
# test build's plain-HTTP mode, fetched with curl and judged on the Linux
# side by the checker's parser and the shared rules; the agent-check port;
# the service lifecycle with sc and with `service ...`; the MSI (msiinfo,
# msiextract, msiexec /i and /x).  Ends with "win-check: N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
B=${WIN_BUILD:-build/win}
OUT=$B/check
JUDGE=${WIN_JUDGE:-build/tests/win-judge-status}
GOLDEN=win-realserver/tests/golden
NS=dsrkit-win-$$
VIP=192.0.2.100
RIP=192.0.2.11
PORT=18443
CHECK_PORT=18444
pass=0 fail=0

export WINEPREFIX=$root/build/wine/check-prefix
export WINEDEBUG=-all DISPLAY= WINEARCH=win64 WINEDLLOVERRIDES="mscoree,mshtml="

ok() { echo "ok   $1"; pass=$((pass + 1)); }
# every failure again at the end, where a CI log's tail shows it
FAILS=
bad() {
	echo "FAIL $1: ${2:-}"
	fail=$((fail + 1))
	FAILS="$FAILS
FAIL $1: $(printf '%s' "${2:-}" | tr '\n' ' ' | cut -c1-300)"
}
# a test program's own FAIL lines join the list at the end (they are
# already counted through its summary line), each with the indented lines
# of reasons printed just before it
sub_fails() {  # LABEL FILE
	local l
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		FAILS="$FAILS
FAIL ($1) $(printf '%s' "$l" | cut -c1-400)"
	done <<EOF_SUB
$(awk '/^  / { why = why " |" $0; next }
	/^FAIL / { sub(/^FAIL /, ""); print $0 why }
	{ why = "" }' "$2")
EOF_SUB
}

if [ "$(id -u)" -ne 0 ] || ! command -v wine >/dev/null || ! command -v ip >/dev/null; then
	echo "win-check: needs root, wine and iproute2 (make deps)" >&2
	echo "win-check: 0 passed, 1 failed"
	exit 1
fi

rm -rf "$OUT" "$WINEPREFIX"
# wine creates the prefix, but not the folders above it (a clean clone has none)
mkdir -p "$(dirname "$WINEPREFIX")"
mkdir -p "$OUT/layer"
started=$(date +%s)

in_ns() { ip netns exec "$NS" "$@"; }

# wrun NAME ARGS...: wine ARGS inside the namespace; output (CRs removed)
# in $OUT/NAME.out; returns wine's exit code.
wrun() {
	local n=$1 rc
	shift
	in_ns timeout -k 5 90 wine "$@" >"$OUT/$n.raw" 2>&1
	rc=$?
	tr -d '\r' <"$OUT/$n.raw" >"$OUT/$n.out"
	return $rc
}

LISTENER=
listener_start() {
	ip netns exec "$NS" python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'$VIP'", 80)); s.listen(8); time.sleep(3600)' &
	LISTENER=$!
	for _ in $(seq 1 50); do
		in_ns ss -Hltn "src $VIP:80" | grep -q . && return 0
		sleep 0.1
	done
}
listener_stop() {
	[ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null && wait "$LISTENER" 2>/dev/null
	LISTENER=
}

SERVE=
cleanup() {
	listener_stop
	[ -n "$SERVE" ] && kill "$SERVE" 2>/dev/null
	in_ns wineserver -k >/dev/null 2>&1
	sleep 0.5
	# whatever this run left in its namespace (and only there)
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT

ip netns add "$NS" || { echo "win-check: cannot create a network namespace"; exit 1; }
in_ns ip link set lo up
in_ns ip link add dsrlo type veth peer name dsrlo-p
in_ns ip link add dsreth type veth peer name dsreth-p
for i in dsrlo dsrlo-p dsreth dsreth-p; do in_ns ip link set "$i" up; done
in_ns ip addr add $VIP/32 dev dsrlo
in_ns ip addr add $RIP/24 dev dsreth

# Windows path of a file of this tree (wine's Z: is /).
winpath() { echo "Z:$(readlink -f "$1")" | tr / '\\'; }

echo "== wineboot (fresh prefix $WINEPREFIX)"
in_ns wineboot -i >"$OUT/wineboot.out" 2>&1
# http.sys is a demand-start driver under wine; start it before the agent
# needs it, so a slow machine does not time out the first HttpInitialize
in_ns wineserver -w
for i in $(seq 1 30); do
	wrun http-start sc start HTTP
	wrun http-query sc query HTTP
	grep -q RUNNING "$OUT/http-query.out" && break
	sleep 1
done
grep -q RUNNING "$OUT/http-query.out" && ok "wine's http.sys (service HTTP) is running" ||
	bad "http.sys" "the HTTP driver does not start: $(cat "$OUT/http-start.out")"
echo "   $(($(date +%s) - started)) s"

# --- the Windows layer on fake facts ---------------------------------------
echo "== Windows layer with fake facts"
# absolute Windows paths, as for every other program here: a relative one
# depends on the drive wine maps the working folder to
wrun layer $B/test_win_layer.exe "$(winpath "$GOLDEN")" "$(winpath "$OUT/layer")"
sed 's/^/   /' "$OUT/layer.out"
line=$(grep -E '^win-layer: [0-9]+ passed, [0-9]+ failed' "$OUT/layer.out")
if [ -n "$line" ]; then
	lp=$(echo "$line" | sed -E 's/.* ([0-9]+) passed.*/\1/')
	lf=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	pass=$((pass + lp))
	fail=$((fail + lf))
	sub_fails layer "$OUT/layer.out"
else
	bad "test_win_layer.exe" "no summary line (crashed?)"
fi

# --- the HTTPS transport's client-certificate check ---------------------------
echo "== client certificates against the configured CA (crypt32 under wine)"
T=$OUT/tls
mkdir -p "$T"
mk_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" -out "$T/$1.pem" \
		-days 2 -subj "/CN=dsrkit test $1" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
mk_leaf() {  # NAME CA EKU DAYS
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" -out "$T/$1.csr" \
		-subj "/CN=dsrkit test $1" 2>/dev/null
	printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\n' "$3" >"$T/$1.ext"
	openssl x509 -req -in "$T/$1.csr" -CA "$T/$2.pem" -CAkey "$T/$2.key" -CAcreateserial -days "$4" \
		-extfile "$T/$1.ext" -out "$T/$1.pem" 2>/dev/null
	openssl x509 -in "$T/$1.pem" -outform der -out "$T/$1.der"
}
mk_ca ca
mk_ca other
openssl x509 -in "$T/ca.pem" -outform der -out "$T/ca.der"
mk_leaf client ca clientAuth 2
mk_leaf stranger other clientAuth 2
mk_leaf serveronly ca serverAuth 2
mk_leaf expired ca clientAuth 0
sleep 1
# the agent's server certificate as a PFX (RSA: wine's crypt32 imports RSA
# keys only; Windows takes ECDSA too), with its password file
openssl req -newkey rsa:2048 -nodes -keyout "$T/agent.key" -out "$T/agent.csr" -subj "/CN=dsrkit test agent" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:%s\n' "$RIP" >"$T/agent.ext"
openssl x509 -req -in "$T/agent.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
	-extfile "$T/agent.ext" -out "$T/agent.pem" 2>/dev/null
echo "dsrkit-test-secret" >"$T/agent.pass"
chmod 600 "$T/agent.pass"   # a secret: the agent refuses one every account may read
openssl pkcs12 -export -inkey "$T/agent.key" -in "$T/agent.pem" -out "$T/agent.pfx" -passout file:"$T/agent.pass"
fp=$(openssl x509 -in "$T/agent.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
tp() { echo "$1:$(winpath "$T/$2.der")"; }
for ca in ca.pem ca.der; do
	wrun tls-$ca $B/test_win_tls.exe "$(winpath "$T/$ca")" "$(tp ok client)" "$(tp no stranger)" \
		"$(tp no serveronly)" "$(tp no expired)" "pfx:$(winpath "$T/agent.pfx")|$(winpath "$T/agent.pass")|$fp"
	sed "s/^/   ($ca) /" "$OUT/tls-$ca.out"
	line=$(grep -E '^win-tls: [0-9]+ passed, [0-9]+ failed' "$OUT/tls-$ca.out")
	if [ -n "$line" ]; then
		pass=$((pass + $(echo "$line" | sed -E 's/.* ([0-9]+) passed.*/\1/')))
		fail=$((fail + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
		sub_fails "tls $ca" "$OUT/tls-$ca.out"
	else
		bad "test_win_tls.exe ($ca)" "no summary line"
	fi
done

# the shipped exe's HTTPS start under wine: the CA loads, the PFX is
# imported, the certificate bound; wine's http.sys then has no https
cat >"$T/agent.conf" <<EOF
port = 18460
tls_cert = $(winpath "$T/agent.pfx")
tls_key = $(winpath "$T/agent.pass")
tls_ca = $(winpath "$T/ca.pem")
vip = $VIP 80
EOF
wrun tls-serve $B/dsr-agent.exe serve --config "$(winpath "$T/agent.conf")"
rc=$?
if [ $rc -eq 1 ] && grep -q 'cannot listen on https://+:18460/ (HttpAddUrlToUrlGroup' "$OUT/tls-serve.out" &&
	! grep -q 'cannot start' "$OUT/tls-serve.out"; then
	ok "shipped exe: CA, PFX import and certificate binding pass; stops cleanly at wine's missing https"
else
	bad "shipped exe TLS start" "exit $rc: $(cat "$OUT/tls-serve.out")"
fi
# StrictModes (issue 16, finding 3): wine turns the unix mode into a DACL
# (o+w: an Everyone write ACE), which the agent reads with
# GetNamedSecurityInfo as it does Windows' own: a configuration every
# account may write, and a key password every account may read, are refused
# before anything is imported or bound
chmod 666 "$T/agent.conf"
wrun trust-conf $B/dsr-agent.exe serve --config "$(winpath "$T/agent.conf")"
rc=$?
chmod 644 "$T/agent.conf"
[ $rc -eq 1 ] && grep -q 'refusing .*agent.conf: Everyone may write it (icacls' "$OUT/trust-conf.out" &&
	! grep -q 'cannot listen' "$OUT/trust-conf.out" &&
	ok "a configuration every account may write is refused (DACL)" ||
	bad "config DACL check" "exit $rc: $(cat "$OUT/trust-conf.out")"
chmod 644 "$T/agent.pass"
wrun trust-key $B/dsr-agent.exe serve --config "$(winpath "$T/agent.conf")"
rc=$?
chmod 600 "$T/agent.pass"
[ $rc -eq 1 ] && grep -q 'refusing .*agent.pass: Everyone may read this secret' "$OUT/trust-key.out" &&
	ok "a key password every account may read is refused (DACL)" ||
	bad "key DACL check" "exit $rc: $(cat "$OUT/trust-key.out")"

# --- the exe ------------------------------------------------------------------
echo "== the exe"
size=$(stat -c %s $B/dsr-agent.exe)
[ "$size" -lt 1048576 ] && ok "dsr-agent.exe is $size bytes (< 1 MiB)" || bad "exe size" "$size bytes"
dlls=$(x86_64-w64-mingw32-objdump -p $B/dsr-agent.exe | sed -n 's/.*DLL Name: //p' | tr 'A-Z' 'a-z' | sort | tr '\n' ' ')
extra=$(echo "$dlls" | tr ' ' '\n' | grep -vxE 'advapi32.dll|crypt32.dll|httpapi.dll|iphlpapi.dll|kernel32.dll|msvcrt.dll|ole32.dll|oleaut32.dll|setupapi.dll|shell32.dll|ws2_32.dll|' || true)
[ -z "$extra" ] && ok "imports system DLLs only ($dlls)" || bad "imports" "non-system DLLs: $extra"
if ! grep -q "TEST BUILD" $B/dsr-agent.exe && ! grep -qa 'http://' $B/dsr-agent.exe && grep -q "TEST BUILD" $B/dsr-agent-test.exe; then
	ok "the shipped exe has no plain-HTTP mode (only the test build)"
else
	bad "plain HTTP" "the shipped exe carries the test build's plain-HTTP transport"
fi
wrun version $B/dsr-agent.exe --version && grep -q "dsr-agent .* (windows)" "$OUT/version.out" &&
	ok "dsr-agent.exe --version: $(cat "$OUT/version.out")" || bad "--version" "$(cat "$OUT/version.out")"

# --- the real read path --------------------------------------------------------
echo "== real IP Helper read path (network namespace, wine adapters)"
listener_start
# judge NAME JUDGE-ARGS... < document
nj=0
judge() {
	local n=$1 f
	shift
	nj=$((nj + 1))
	f=$OUT/judge-$nj.out
	if $JUDGE "$@" >"$f" 2>&1; then
		ok "$n ($(head -1 "$f"))"
	else
		bad "$n" "$(tr '\n' ' ' <"$f")"
	fi
}
wrun check-json $B/dsr-agent-test.exe --loopback dsrlo check --vip $VIP --port 80 --json
judge "check --json: VIP /32 on dsrlo, listener seen, weak host unknown under wine" \
	--vip $VIP --port 80 --os windows --iface dsrlo --addr $VIP/32 --loopback \
	--verdict warning --has FACT_UNKNOWN --not NO_LISTENER --not VIP_MISSING <"$OUT/check-json.out"
wrun check-text $B/dsr-agent-test.exe --loopback dsrlo check --vip $VIP --port 80
rc=$?
if [ $rc -eq 2 ] && grep -q "note: GetIpInterfaceEntry" "$OUT/check-text.out" && grep -q "^firewall $VIP:" "$OUT/check-text.out"; then
	ok "check: exit 2 (warnings), the missing export is a note, the firewall line is there"
else
	bad "check text" "exit $rc: $(tail -5 "$OUT/check-text.out" | tr '\n' ' ')"
fi
in_ns ip addr add 2001:db8::100/128 dev dsrlo nodad
wrun check-v6 $B/dsr-agent-test.exe --loopback dsrlo check --vip 2001:db8::100 --json
judge "IPv6 VIP 2001:db8::100/128 on dsrlo" --vip 2001:db8::100 --iface dsrlo --addr 2001:db8::100/128 \
	--loopback --not VIP_MISSING --not VIP_PREFIX --not VIP_ON_ARP_IFACE <"$OUT/check-v6.out"
in_ns ip addr del 2001:db8::100/128 dev dsrlo
# break each prerequisite on the live namespace
listener_stop
wrun check-nolistener $B/dsr-agent-test.exe --loopback dsrlo check --vip $VIP --port 80 --json
rc=$?
judge "listener stopped: NO_LISTENER" --vip $VIP --port 80 --has NO_LISTENER --verdict critical <"$OUT/check-nolistener.out"
[ $rc -eq 1 ] && ok "check exits 1 on a critical finding" || bad "check exit" "$rc, want 1"
in_ns ip addr del $VIP/32 dev dsrlo
in_ns ip addr add $VIP/24 dev dsrlo
wrun check-prefix $B/dsr-agent-test.exe --loopback dsrlo check --vip $VIP --json
judge "VIP as /24: VIP_PREFIX" --vip $VIP --has VIP_PREFIX --iface dsrlo --addr $VIP/24 <"$OUT/check-prefix.out"
in_ns ip addr del $VIP/24 dev dsrlo
in_ns ip addr add $VIP/32 dev dsreth
wrun check-onnic $B/dsr-agent-test.exe --loopback dsrlo check --vip $VIP --json
judge "VIP moved to the NIC: VIP_ON_ARP_IFACE and VIP_MISSING" --vip $VIP --has VIP_ON_ARP_IFACE \
	--has VIP_MISSING <"$OUT/check-onnic.out"
in_ns ip addr del $VIP/32 dev dsreth
in_ns ip addr add $VIP/32 dev dsrlo
wrun check-noloop $B/dsr-agent-test.exe check --vip $VIP --json
judge "no KM-TEST adapter (no --loopback): LOOPBACK_MISSING" --vip $VIP --has LOOPBACK_MISSING \
	--has VIP_ON_ARP_IFACE <"$OUT/check-noloop.out"

# --- setup --dry-run, golden ---------------------------------------------------------
echo "== setup --dry-run"
# golden NAME FILE: compare with the golden file
golden() {
	if diff -u "$GOLDEN/$1" "$2" >"$OUT/$1.diff"; then
		ok "setup --dry-run matches $GOLDEN/$1"
	else
		bad "setup --dry-run $1" "differs: $(head -20 "$OUT/$1.diff" | tr '\n' ' ')"
	fi
}
# fresh: no KM-TEST adapter, the VIP nowhere
in_ns ip addr del $VIP/32 dev dsrlo
wrun dry-fresh $B/dsr-agent-test.exe setup --vip $VIP --dry-run
golden wine-setup-fresh.ps1 "$OUT/dry-fresh.out"
# the real actions: wine implements neither SetupAPI device creation nor
# CreateUnicastIpAddressEntry; setup must name the failing step and stop
wrun setup-real-create $B/dsr-agent-test.exe setup --vip $VIP
rc=$?
[ $rc -eq 1 ] && grep -q '^setup: create-loopback failed: SetupDi' "$OUT/setup-real-create.out" &&
	ok "real setup under wine: SetupAPI creation fails cleanly, named, exit 1" ||
	bad "real setup (create)" "exit $rc: $(cat "$OUT/setup-real-create.out")"
wrun setup-real-addr $B/dsr-agent-test.exe --loopback dsrlo setup --vip $VIP
rc=$?
[ $rc -eq 1 ] && grep -q '^setup: add-address failed: CreateUnicastIpAddressEntry' "$OUT/setup-real-addr.out" &&
	ok "real setup under wine: the unimplemented CreateUnicastIpAddressEntry is caught, named, exit 1" ||
	bad "real setup (address)" "exit $rc: $(cat "$OUT/setup-real-addr.out")"
in_ns ip -br addr show dsrlo | grep -q "$VIP" && bad "real setup" "the namespace's address changed" ||
	ok "the host side is untouched (no address appeared on dsrlo)"
# half-configured: the adapter exists (dsrlo), the VIP is /24 on it
in_ns ip addr add $VIP/24 dev dsrlo
wrun dry-half $B/dsr-agent-test.exe --loopback dsrlo setup --vip $VIP --dry-run
golden wine-setup-half.ps1 "$OUT/dry-half.out"
in_ns ip addr add $VIP/24 dev dsreth 2>/dev/null
wrun dry-refuse $B/dsr-agent-test.exe --loopback dsrlo setup --vip $VIP --dry-run
rc=$?
[ $rc -ne 0 ] && grep -q 'refused: VIP 192.0.2.100 is on "dsreth"' "$OUT/dry-refuse.out" &&
	ok "setup refuses a VIP on the NIC, before changing anything" || bad "setup refusal" "exit $rc: $(cat "$OUT/dry-refuse.out")"
in_ns ip addr del $VIP/24 dev dsreth
in_ns ip addr del $VIP/24 dev dsrlo
in_ns ip addr add $VIP/32 dev dsrlo

# --- the status endpoint (test build, plain HTTP) ------------------------------------
echo "== /v1/status over plain HTTP (test build), judged on the Linux side"
mkdir -p "$OUT/state"
cat >"$OUT/agent.conf" <<EOF
listen = 0.0.0.0
port = $PORT
vip = $VIP 80
weight = 75
agent_check_port = $CHECK_PORT
state_file = $(winpath "$OUT/state/agent.state")
EOF
CONF=$(winpath "$OUT/agent.conf")
listener_start
ip netns exec "$NS" wine $B/dsr-agent-test.exe --loopback dsrlo serve --config "$CONF" >"$OUT/serve.out" 2>&1 &
SERVE=$!
url=http://$RIP:$PORT/v1/status
for i in $(seq 1 100); do in_ns curl -s -o /dev/null "$url" && break; sleep 0.2; done
in_ns curl -s -i "$url?vip=$VIP&port=80" | tr -d '\r' >"$OUT/status-one.http"
if head -1 "$OUT/status-one.http" | grep -q "200 OK" && grep -qi '^content-type: application/json' "$OUT/status-one.http" &&
	grep -q "serving /v1/status on http://+:$PORT/ (plain http (TEST BUILD" "$OUT/serve.out"; then
	ok "GET /v1/status?vip=&port=: 200 application/json"
else
	bad "status" "$(head -3 "$OUT/status-one.http" | tr '\n' ' ') (serve: $(tail -3 "$OUT/serve.out" | tr '\n' ' '))"
fi
sed '1,/^$/d' "$OUT/status-one.http" >"$OUT/status-one.json"
judge "status judged by the checker's parser and rules" --vip $VIP --port 80 --os windows \
	--iface dsrlo --addr $VIP/32 --loopback --not NO_LISTENER --verdict warning <"$OUT/status-one.json"
n_eval=$(grep -o '"verdict"' "$OUT/status-one.json" | wc -l)
[ "$n_eval" -eq 1 ] && ok "?vip=&port= gives exactly one evaluation" || bad "evaluations" "$n_eval"
in_ns curl -s "$url" >"$OUT/status-all.json"
judge "GET /v1/status (configured VIPs)" --vip $VIP --port 80 --os windows <"$OUT/status-all.json"
grep -q '"weight":75' "$OUT/status-all.json" && ok "weight hint from the configuration" || bad "weight" "not 75"
code() { in_ns curl -s -o "$OUT/body" -w '%{http_code}' "$@"; }
[ "$(code "http://$RIP:$PORT/v1/nope")" = 404 ] && grep -q '"error"' "$OUT/body" && ok "404 with a JSON error body" || bad "404" "$(cat "$OUT/body")"
[ "$(code -X POST "$url")" = 405 ] && ok "405 for POST" || bad "405" ""
[ "$(code "$url?vip=nonsense")" = 400 ] && ok "400 for a bad query" || bad "400" ""
long=$(head -c 1100 /dev/zero | tr '\0' a)
c=$(code "$url?$long")
[ "$c" = 414 ] && ok "414 for a request line over 1,024 bytes" || bad "414" "got $c"
hdrs=()
for i in $(seq 1 40); do hdrs+=(-H "X-Many-$i: x"); done
c=$(code "${hdrs[@]}" "$url")
[ "$c" = 431 ] && ok "431 for more than 32 header lines" || bad "431" "got $c"
head -c 5000 /dev/zero >"$OUT/big-body"
c=$(code -X GET --data-binary @"$OUT/big-body" "$url")
[ "$c" = 413 ] && ok "413 for a body over 1,024 bytes" || bad "413" "got $c"
c=$(code -X GET -H 'Transfer-Encoding: chunked' --data-binary x "$url")
[ "$c" = 501 ] && ok "501 for Transfer-Encoding" || bad "501" "got $c"
line=$(in_ns timeout 5 bash -c "cat </dev/tcp/$RIP/$CHECK_PORT" | tr -d '\r')
[ "$line" = "up ready 75%" ] && ok "agent-check port: '$line'" || bad "agent-check" "'$line'"
listener_stop
# listeners send no notification: the periodic re-read or a request's own
# re-read after facts_cache (1 s) sees it; 5 s at most on a slow machine
t0=$(date +%s.%N)
for i in $(seq 1 50); do
	in_ns curl -s "$url" >"$OUT/status-broken.json"
	grep -q NO_LISTENER "$OUT/status-broken.json" && break
	sleep 0.1
done
seen=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
judge "listener stopped: the endpoint reports NO_LISTENER ($seen s after)" --vip $VIP --port 80 --has NO_LISTENER \
	--verdict critical <"$OUT/status-broken.json"
line=$(in_ns timeout 5 bash -c "cat </dev/tcp/$RIP/$CHECK_PORT" | tr -d '\r')
[ "$line" = "down # dr" ] && ok "agent-check port: '$line'" || bad "agent-check down" "'$line'"
if [ -x build/bin/dsr-check ]; then
	echo "   (build/bin/dsr-check exists but speaks mutual TLS only; wine's http.sys has none)"
fi

# --- protocol 1.1: generation, long-poll, DSR-Director (issue 19) ----------------
echo "== protocol 1.1: generation, long-poll, pushed changes, DSR-Director"
# gen: the current generation ("" when the document has none)
gen() { in_ns curl -s "$url" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("generation", ""))' 2>/dev/null; }
# poll NAME QUERY: a long-poll; "CODE SECONDS" on stdout, head and body in $OUT/NAME.http
poll() {
	in_ns curl -s -i -m 40 -o "$OUT/$1.raw" -w '%{http_code} %{time_total}' "$url?$2"
	tr -d '\r' <"$OUT/$1.raw" >"$OUT/$1.http"
}
# settled GEN: wait (10 s at most) until the agent has seen a change made
# after it served generation GEN
settled() { poll settle "wait=10&after=$1" >/dev/null; }
g=$(gen)
case "$g" in
'' | *[!0-9]*) bad "generation" "the document has no generation ('$g')" ;;
*) ok "the document carries a generation ($g)" ;;
esac
# a long-poll after the current generation: held for its wait, then 304
# with DSR-Generation and no body (the facts do not change meanwhile: the
# listener is stopped, the VIP stays)
set -- $(poll lp-304 "wait=1.5&after=$g")
if [ "$1" = 304 ] && grep -qix "DSR-Generation: $g" "$OUT/lp-304.http" &&
	awk -v t="$2" 'BEGIN { exit !(t >= 1.4 && t < 5) }'; then
	ok "wait=1.5&after=current: 304 with DSR-Generation: $g after $2 s"
else
	bad "long-poll 304" "code $1 after $2 s: $(head -12 "$OUT/lp-304.http" | tr '\n' ' ')"
fi
g=$(gen)
set -- $(poll lp-old "wait=10&after=$((g + 1))")
[ "$1" = 200 ] && awk -v t="$2" 'BEGIN { exit !(t < 3) }' && grep -q "\"generation\":$g" "$OUT/lp-old.http" &&
	ok "after=another generation: 200 with the document at once ($2 s)" || bad "long-poll stale after" "code $1 after $2 s"
for q in "wait=-1" "wait=1e3" "wait=.5" "wait=3601" "after=$g" "wait=1&after=0x10" "wait=1&wait=2"; do
	c=$(code "$url?$q")
	if [ "$c" = 400 ] && grep -q '"error":"[a-z]' "$OUT/body"; then
		ok "$q: 400 ($(sed 's/.*"error":"\([^"]*\)".*/\1/' "$OUT/body"))"
	else
		bad "bad long-poll $q" "got $c: $(cat "$OUT/body")"
	fi
done
# one warning, once, where the IP Helper notifications are stubs (wine 8)
nw=$(grep -c 'no pushed address or interface changes' "$OUT/serve.out")
if [ "$nw" -gt 0 ]; then
	[ "$nw" -eq 1 ] && ok "IP Helper notifications missing here: one warning ($(sed -n 's/.*changes here (\(.*\)): the re-read.*/\1/p' "$OUT/serve.out"))" ||
		bad "notification warning" "$nw lines"
else
	ok "IP Helper notifications registered"
fi
# the admin state changes (dsr-agent drain writes the state file): a held
# long-poll is answered at once with the new document, not at its wait
g=$(gen)
poll lp-drain "wait=20&after=$g" >"$OUT/lp-drain.res" &
lp=$!
sleep 1
wrun drain-set $B/dsr-agent-test.exe drain --config "$CONF"
t0=$(date +%s.%N)
wait $lp
t1=$(date +%s.%N)
set -- $(cat "$OUT/lp-drain.res")
lag=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
why=$(grep -o 'the facts changed ([^)]*)' "$OUT/serve.out" | tail -1)
if [ "$1" = 200 ] && grep -q '"admin":{"state":"drain"' "$OUT/lp-drain.http" &&
	awk -v t="$2" 'BEGIN { exit !(t < 15) }'; then
	ok "drain during a long-poll (wait=20): 200 with admin drain after $2 s, $lag s after drain returned ($why)"
else
	bad "long-poll on drain" "code $1 after $2 s: $(tail -c 300 "$OUT/lp-drain.http")"
fi
g=$(gen)
wrun ready-set $B/dsr-agent-test.exe ready --config "$CONF"
settled "$g"
# the VIP removed: where wine gives no address notification, the periodic
# re-read (watch_interval_ms) still answers the held long-poll early
g=$(gen)
poll lp-vip "wait=20&after=$g" >"$OUT/lp-vip.res" &
lp=$!
sleep 1
in_ns ip addr del $VIP/32 dev dsrlo
wait $lp
set -- $(cat "$OUT/lp-vip.res")
why=$(grep -o 'the facts changed ([^)]*)' "$OUT/serve.out" | tail -1)
if [ "$1" = 200 ] && grep -q VIP_MISSING "$OUT/lp-vip.http" && awk -v t="$2" 'BEGIN { exit !(t < 10) }'; then
	ok "VIP removed during a long-poll (wait=20): 200 with VIP_MISSING after $2 s ($why)"
else
	bad "long-poll on VIP removal" "code $1 after $2 s ($why)"
fi
g=$(gen)
in_ns ip addr add $VIP/32 dev dsrlo
settled "$g"
# DSR-Director: parsed by the Linux agent's parser, recorded, and shown by
# drain --wait from STATE_FILE.directors
c=$(code -H "DSR-Director: lvs1; vip=$VIP; port=80; weight=0; active=3; inactive=1" "$url")
[ "$c" = 200 ] && ok "DSR-Director header accepted (200)" || bad "DSR-Director" "got $c: $(cat "$OUT/body")"
c=$(code -H "DSR-Director: lvs1; vip=nonsense; weight=0; active=0; inactive=0" "$url")
[ "$c" = 400 ] && grep -q '"error":"DSR-Director: ' "$OUT/body" && ok "a malformed DSR-Director: 400 ($(cat "$OUT/body"))" ||
	bad "bad DSR-Director" "got $c: $(cat "$OUT/body")"
c=$(code -H "DSR-Director: lvs1; vip=$VIP; port=80; weight=0; active=3; inactive=1" "$url?wait=1&after=$(gen)")
[ "$c" = 304 ] && ok "DSR-Director on a long-poll: held, 304" || bad "DSR-Director long-poll" "got $c"
wrun drain-wait $B/dsr-agent-test.exe drain --wait --json --timeout 2 --config "$CONF"
rc=$?
if grep -q '"director":"lvs1","vip":"'$VIP'","port":80,"weight":0,"active":3,"inactive":1' "$OUT/drain-wait.out" &&
	[ $rc -eq 1 ]; then
	ok "drain --wait --json: lvs1 reports 3 active, exit 1 at the timeout"
else
	bad "drain --wait --json" "exit $rc: $(cat "$OUT/drain-wait.out")"
fi
# the director reports at each request, as dsr-checkd does at its heartbeat
# (drain --wait counts a report older than 5 s as gone)
(while :; do
	in_ns curl -s -o /dev/null -H "DSR-Director: lvs1; vip=$VIP; port=80; weight=0; active=0; inactive=4" "$url"
	sleep 0.5
done) &
reporter=$!
wrun drain-done $B/dsr-agent-test.exe drain --wait --json --timeout 5 --config "$CONF"
rc=$?
kill $reporter 2>/dev/null
wait $reporter 2>/dev/null
[ $rc -eq 0 ] && grep -q '"drained":true' "$OUT/drain-done.out" && ok "drain --wait: exit 0 once lvs1 reports no active connection" ||
	bad "drain --wait done" "exit $rc: $(cat "$OUT/drain-done.out")"
wrun ready-end $B/dsr-agent-test.exe ready --config "$CONF"
kill "$SERVE" 2>/dev/null
wait "$SERVE" 2>/dev/null
SERVE=

# --- the service ---------------------------------------------------------------
echo "== service lifecycle"
# svc_state: RUNNING, STOPPED, ... or NONE
svc_state() {
	wrun sc-query sc query dsr-agent
	sed -n 's/.*STATE *: [0-9]* *\([A-Z_]*\).*/\1/p' "$OUT/sc-query.out" | head -1 | grep . || echo NONE
}
wait_state() {
	local i s
	for i in $(seq 1 40); do
		s=$(svc_state)
		[ "$s" = "$1" ] && return 0
		sleep 0.5
	done
	return 1
}
EXE=$(winpath $B/dsr-agent-test.exe)
listener_start
wrun sc-create sc create dsr-agent binPath= "\"$EXE\" --loopback dsrlo serve --service --config \"$CONF\"" &&
	ok "sc create" || bad "sc create" "$(cat "$OUT/sc-create.out")"
wrun sc-start sc start dsr-agent
wait_state RUNNING && ok "sc start: RUNNING" || bad "sc start" "state $(svc_state)"
for i in $(seq 1 50); do in_ns curl -s -o /dev/null "$url" && break; sleep 0.2; done
in_ns curl -s "$url" >"$OUT/status-svc.json"
judge "the service serves /v1/status" --vip $VIP --port 80 --os windows --not NO_LISTENER <"$OUT/status-svc.json"
wrun sc-stop sc stop dsr-agent
wait_state STOPPED && ok "sc stop: STOPPED" || bad "sc stop" "state $(svc_state)"
svclog="$WINEPREFIX/drive_c/ProgramData/dsrkit/dsr-agent.log"
grep -q "serving /v1/status" "$svclog" 2>/dev/null && grep -q "stopped" "$svclog" &&
	ok "the service's own log (ProgramData\\dsrkit\\dsr-agent.log): serving, stopped" ||
	bad "service log" "$(cat "$svclog" 2>&1 | tail -3)"
wrun sc-delete sc delete dsr-agent && ok "sc delete" || bad "sc delete" "$(cat "$OUT/sc-delete.out")"
wrun svc-install $B/dsr-agent-test.exe service install --config "$CONF" &&
	ok "dsr-agent.exe service install" || bad "service install" "$(cat "$OUT/svc-install.out")"
wrun svc-start $B/dsr-agent-test.exe service start && [ "$(svc_state)" = RUNNING ] &&
	ok "dsr-agent.exe service start: RUNNING" || bad "service start" "$(cat "$OUT/svc-start.out")"
wrun svc-stop $B/dsr-agent-test.exe service stop && [ "$(svc_state)" = STOPPED ] &&
	ok "dsr-agent.exe service stop: STOPPED" || bad "service stop" "$(cat "$OUT/svc-stop.out")"
wrun svc-uninstall $B/dsr-agent-test.exe service uninstall &&
	ok "dsr-agent.exe service uninstall" || bad "service uninstall" "$(cat "$OUT/svc-uninstall.out")"
# a broken configuration: the service does not start, and its log says why
printf 'port = %s\nvip = not-an-address\n' "$PORT" >"$OUT/broken.conf"
wrun svc-install-broken $B/dsr-agent-test.exe service install --config "$(winpath "$OUT/broken.conf")"
wrun svc-start-broken $B/dsr-agent-test.exe service start
rc=$?
if [ $rc -ne 0 ] && grep -q "broken.conf:2: vip" "$svclog"; then
	ok "broken configuration: the service stops, its log names file:line ($(grep -o 'broken.conf:2: [^(]*' "$svclog" | head -1))"
else
	bad "broken configuration" "start exit $rc; log: $(tail -3 "$svclog")"
fi
wrun svc-uninstall-broken $B/dsr-agent-test.exe service uninstall
# An uninstalled service can stay "marked for deletion" a moment; the MSI
# installs a service of the same name, and failed now and then (msiexec
# exit 91, ERROR_FUNCTION_FAILED 1627 in 8 bits) when it came too soon.
wait_state NONE && ok "broken service removed" || bad "broken service removed" "still $(svc_state)"
listener_stop

# --- the MSI ---------------------------------------------------------------------------
echo "== MSI"
MSI=$B/dsr-agent.msi
msiinfo export $MSI ServiceInstall >"$OUT/msi-svc" 2>&1
msiinfo export $MSI ServiceControl >"$OUT/msi-ctl" 2>&1
if grep -qP '^DsrAgentService\tdsr-agent\t.*\t16\t2\t.*\tserve --service\t' "$OUT/msi-svc" && grep -qP '^DsrAgentServiceControl\tdsr-agent\t163\t' "$OUT/msi-ctl"; then
	ok "msiinfo: own-process auto-start service, started on install, stopped and removed on uninstall"
else
	bad "msiinfo" "$(cat "$OUT/msi-svc" "$OUT/msi-ctl" | tr '\n' ' ')"
fi
rm -rf "$OUT/msi-x"
mkdir -p "$OUT/msi-x"
msiextract -C "$OUT/msi-x" "$MSI" >"$OUT/msi-list" 2>&1
cmp -s "$OUT/msi-x/dsrkit/dsr-agent.exe" $B/dsr-agent.exe &&
	ok "msiextract: the MSI carries the shipped dsr-agent.exe ($(tr '\n' ' ' <"$OUT/msi-list"))" ||
	bad "msiextract" "$(cat "$OUT/msi-list")"
if cmp -s "$OUT/msi-x/dsrkit/LICENSE.txt" $B/LICENSE.txt && grep -q 'Apache License' "$OUT/msi-x/dsrkit/LICENSE.txt" &&
	grep -q 'GCC RUNTIME LIBRARY EXCEPTION' "$OUT/msi-x/dsrkit/THIRD-PARTY-NOTICES.txt" &&
	grep -q 'ZPL-2.1' "$OUT/msi-x/dsrkit/THIRD-PARTY-NOTICES.txt" &&
	msiinfo export $MSI Property | grep -qP '^ARPCOMMENTS\t.*Apache License, Version 2.0' &&
	msiinfo suminfo $MSI | grep -q 'Apache License'; then
	ok "MSI: shows Apache-2.0 (summary, Programs and Features) and carries LICENSE.txt and the static-link notices"
else
	bad "MSI license" "$(cat "$OUT/msi-list"; msiinfo suminfo $MSI)"
fi
msiinfo export $MSI CustomAction >"$OUT/msi-ca" 2>&1
msiinfo export $MSI InstallExecuteSequence >"$OUT/msi-seq" 2>&1
# 3090: an exe from an installed file (18), deferred (1024), not
# impersonated (2048); between InstallFiles and StartServices
seq=$(tr -d '\r' <"$OUT/msi-seq" | awk -F'\t' '$1 == "LockDataDir" { print $3 }')
if grep -qP '^LockDataDir\t3090\tDsrAgentExe\tservice lock-datadir' "$OUT/msi-ca" &&
	[ "${seq:-0}" -gt 4000 ] && [ "$seq" -lt 5900 ]; then
	ok "msiinfo: LockDataDir runs the installed exe as SYSTEM (deferred, no impersonation) at $seq, before StartServices"
else
	bad "msiinfo LockDataDir" "$(cat "$OUT/msi-ca" "$OUT/msi-seq" | tr '\n' ' ')"
fi
# A local user got there first (issue 16, finding 3): the data folder and a
# config in it that every account may write.  The install takes the folder
# back; the planted file keeps its own ACL, and serve refuses it (above).
pf="$WINEPREFIX/drive_c/Program Files/dsrkit"
pd="$WINEPREFIX/drive_c/ProgramData/dsrkit"
rm -rf "$pd"
mkdir -p "$pd"
chmod 777 "$pd"
wrun msi-dir-before $B/dsr-agent.exe check --vip 192.0.2.100
grep -q 'data folder C:\\ProgramData\\dsrkit: Everyone may write it' "$OUT/msi-dir-before.out" &&
	ok "check: a data folder every account may write is named, with the fix" ||
	bad "check data folder before" "$(grep -i 'data folder' "$OUT/msi-dir-before.out")"
wrun msi-install msiexec /qn /i "$(winpath $MSI)"
rc=$?
if [ $rc -eq 0 ] && [ -f "$pf/dsr-agent.exe" ] && [ "$(svc_state)" != NONE ]; then
	ok "msiexec /i: exe installed, service registered ($(svc_state))"
else
	bad "msiexec /i" "exit $rc: $(cat "$OUT/msi-install.out")"
fi
wrun msi-dir-after "$pf/dsr-agent.exe" check --vip 192.0.2.100
if grep -q 'data folder C:\\ProgramData\\dsrkit: only SYSTEM and Administrators may write it' "$OUT/msi-dir-after.out" &&
	[ "$(stat -c %a "$pd")" != 777 ]; then
	ok "msiexec /i: the squatted data folder is SYSTEM and Administrators only (mode $(stat -c %a "$pd") under wine)"
else
	bad "msiexec /i data folder ACL" "mode $(stat -c %a "$pd"): $(grep -i 'data folder' "$OUT/msi-dir-after.out")"
fi
wrun msi-reg reg query 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\dsr-agent' &&
	ok "msiexec /i: Event Log source registered" || bad "event log source" "$(cat "$OUT/msi-reg.out")"
wrun msi-remove msiexec /qn /x "$(winpath $MSI)"
rc=$?
if [ $rc -eq 0 ] && [ ! -e "$pf/dsr-agent.exe" ] && [ "$(svc_state)" = NONE ] &&
	! wrun msi-reg2 reg query 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\dsr-agent'; then
	ok "msiexec /x: exe, service and Event Log source removed"
else
	bad "msiexec /x" "exit $rc, service $(svc_state): $(cat "$OUT/msi-remove.out")"
fi

echo "   ($(($(date +%s) - started)) s in all)"
[ -n "$FAILS" ] && echo "win-check: what failed:$FAILS"
echo "win-check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
