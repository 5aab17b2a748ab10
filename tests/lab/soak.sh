# SPDX-License-Identifier: Apache-2.0
# lab: timeout=4800 mem=6G
# tests/lab/soak.sh - the soak of issue 18 (`make soak`; doc/reliability.md,
# "Soak"): dsr-checkd in standalone mode and 200 dsr-agents, built with
# sanitizers, for SOAK_MINUTES (60) with a random fault every SOAK_FAULT_S (3)
# seconds, a reload every minute and certificate rotations every five.
#
# Outside tests/lab/tests/, so `make check` never runs it.  `make soak` builds
# the binaries and runs it through a wrapper (build/soak-asan/soak.sh) whose
# header sizes the guest's time bound for SOAK_MINUTES (SOAK_MINUTES * 60 +
# 1200 s: set-up, the final checks and the daemons' exits).  The header
# above is the one for 60 minutes, for `make lab LAB=tests/lab/soak.sh`.
#
# Hosts: the director (VIP on eth0) and SOAK_NS (10) real-server namespaces,
# each with SOAK_PER_NS (20) addresses on eth0, one dsr-agent bound to each
# (agent config `listen`), the VIP on lo, the DR ARP sysctls, labhttpd on
# port 80, promote_secondaries so that removing one address keeps the rest.
# tests/lab/tools/soakctl.py, in the director's namespace, does the rest
# and writes $LAB_OUT/soak-report.txt.
. tests/lab/lib.sh

SOAK_MINUTES=${SOAK_MINUTES:-60}
SOAK_FAULT_S=${SOAK_FAULT_S:-3}
SOAK_NS=${SOAK_NS:-10}
SOAK_PER_NS=${SOAK_PER_NS:-20}
SOAK_ASAN_BIN=${SOAK_ASAN_BIN:-$PWD/build/soak-asan/bin}
SOAK_UBSAN_BIN=${SOAK_UBSAN_BIN:-$PWD/build/soak-ubsan/bin}
SOAK_DIR=/tmp/soak
SOAK_PKI=/tmp/pki
SOAK_SAN_DIR=/tmp/san
MALLOC_DEBUG_SO=/usr/lib/x86_64-linux-gnu/libc_malloc_debug.so.0
export SOAK_MINUTES SOAK_FAULT_S SOAK_DIR SOAK_PKI SOAK_SAN_DIR
export SOAK_VIP=$LAB_VIP SOAK_DIRECTOR=$LAB_DIRECTOR SOAK_SPARE=192.0.2.250
mkdir -p "$SOAK_DIR" "$SOAK_SAN_DIR"
# On this host (make soak SOAK_WHERE=host: tests/lab/host-run) there may be
# no IPVS: dsr-checkd judges and serves /status without driving it.
[ "${DSRLAB_HOST:-0}" = 1 ] && export SOAK_STANDALONE=no

# soak_addr N: the address of real server N (1-based) on 192.0.2.0/24,
# from .11 on, stepping over the VIP (.100); .250 is the spare.
soak_addr() {
	local o=$((10 + $1))
	[ $o -ge 100 ] && o=$((o + 1))
	echo "192.0.2.$o"
}
if [ $((SOAK_NS * SOAK_PER_NS)) -gt 238 ]; then
	lab_fail soak-setup "SOAK_NS x SOAK_PER_NS is over 238 (192.0.2.11-249 less the VIP)"
	exit 1
fi

# ASan needs a 47-bit user address space (its shadow ends at 0x10007fff7fff);
# User-Mode Linux 6.1 on x86_64 gives its processes 0x7fc0000000 (39 bits),
# where an ASan program stops at start.  Try it, and fall back to UBSan with
# glibc's heap checks, saying so in the results and the report.
ASAN_OPTIONS=detect_leaks=0 "$SOAK_ASAN_BIN/dsr-agent" --version >"$SOAK_DIR/probe-asan.log" 2>&1
asan_rc=$?
if [ $asan_rc -eq 0 ]; then
	SOAK_SANITIZERS=asan+ubsan
	LAB_BIN=$SOAK_ASAN_BIN
	SOAK_SAN_NOTE=
	SOAK_MALLOC_DEBUG=
elif "$SOAK_UBSAN_BIN/dsr-agent" --version >"$SOAK_DIR/probe-ubsan.log" 2>&1; then
	SOAK_SANITIZERS="ubsan+glibc-malloc-check"
	LAB_BIN=$SOAK_UBSAN_BIN
	why=$(grep -m1 -E 'ERROR|AddressSanitizer|Shadow' "$SOAK_DIR/probe-asan.log" | cut -c1-200)
	SOAK_SAN_NOTE="ASan cannot run in this guest: ${why:-exit $asan_rc} (probe-asan.log)"
	[ -f "$MALLOC_DEBUG_SO" ] && SOAK_MALLOC_DEBUG=$MALLOC_DEBUG_SO || SOAK_MALLOC_DEBUG=
	echo "INFO soak: sanitizers $SOAK_SANITIZERS; $SOAK_SAN_NOTE" >>"$LAB_OUT/results"
else
	lab_fail soak-setup "neither $SOAK_ASAN_BIN/dsr-agent nor $SOAK_UBSAN_BIN/dsr-agent runs here (run make soak): $(tail -2 "$SOAK_DIR/probe-ubsan.log" | tr '\n' ' ')"
	exit 1
fi
cp "$SOAK_DIR"/probe-*.log "$LAB_OUT/" 2>/dev/null
export LAB_BIN SOAK_SANITIZERS SOAK_SAN_NOTE SOAK_MALLOC_DEBUG
export PATH="$LAB_BIN:$PATH"
lab_log "sanitizers: $SOAK_SANITIZERS (binaries from $LAB_BIN) ${SOAK_SAN_NOTE:+- $SOAK_SAN_NOTE}"

t0=$SECONDS
lab_up < <(
	echo "director director $LAB_DIRECTOR vip=$LAB_VIP"
	for k in $(seq 1 "$SOAK_NS"); do
		echo "rs rs$k $(soak_addr $(((k - 1) * SOAK_PER_NS + 1))) vip=$LAB_VIP http=80"
	done
) || { lab_fail soak-setup "lab_up failed"; exit 1; }

# the other addresses of each namespace, and the servers file soakctl reads
: >"$SOAK_DIR/servers"
for k in $(seq 1 "$SOAK_NS"); do
	ip netns exec "rs$k" sysctl -qw net.ipv4.conf.all.promote_secondaries=1 \
		net.ipv4.conf.eth0.promote_secondaries=1 || { lab_fail soak-setup "sysctl in rs$k"; exit 1; }
	for j in $(seq 1 "$SOAK_PER_NS"); do
		a=$(soak_addr $(((k - 1) * SOAK_PER_NS + j)))
		[ "$j" -gt 1 ] && echo "addr add $a/24 dev eth0"
		printf 'rs%d %s rs%d-%02d\n' "$k" "$a" "$k" "$j" >>"$SOAK_DIR/servers"
	done | ip -n "rs$k" -batch - || { lab_fail soak-setup "addresses of rs$k"; exit 1; }
done
lab_log "topology: $(wc -l <"$SOAK_DIR/servers") addresses in $SOAK_NS namespaces ($((SECONDS - t0)) s)"

# the certificates: one per address (its IP SAN), one for the checker,
# which dsrkit.conf reads from a copy that rotations overwrite in place
t0=$SECONDS
dsrkit-pki --dir "$SOAK_PKI" ca >/dev/null || { lab_fail soak-setup "dsrkit-pki ca"; exit 1; }
while read -r ns addr name; do
	dsrkit-pki --dir "$SOAK_PKI" agent "$name" --ip "$addr" >/dev/null ||
		{ lab_fail soak-setup "dsrkit-pki agent $name ($ns $addr)"; exit 1; }
done <"$SOAK_DIR/servers"
dsrkit-pki --dir "$SOAK_PKI" checker director >/dev/null || { lab_fail soak-setup "dsrkit-pki checker"; exit 1; }
install -d -m 700 "$SOAK_DIR/checker"
install -m 644 "$SOAK_PKI/director.crt" "$SOAK_DIR/checker/director.crt"
install -m 600 "$SOAK_PKI/director.key" "$SOAK_DIR/checker/director.key"
cat >"$SOAK_DIR/dsrkit.conf" <<EOT
ca = $SOAK_PKI/ca.crt
cert = $SOAK_DIR/checker/director.crt
key = $SOAK_DIR/checker/director.key
timeout = 2s
EOT
lab_log "certificates: $(wc -l <"$SOAK_DIR/servers") agents and the checker ($((SECONDS - t0)) s)"

# No step bound here: soakctl keeps its own time and stops by itself; the
# guest's bound (header) is the backstop.
ip netns exec director python3 tests/lab/tools/soakctl.py
rc=$?
lab_log "soakctl exited $rc"
[ -f "$LAB_OUT/soak-report.txt" ] && sed 's/^/  /' "$LAB_OUT/soak-report.txt"
lab_down
exit 0
