# SPDX-License-Identifier: Apache-2.0
# tests/lab/lib.sh - sourced by every lab test and the demo, inside the guest.
#
# Topology: lab_up reads a short declarative description, one host a line:
#
#   ROLE NAME ADDRESS [key=value ...]
#
#   ROLE     client | director | rs (real server) | host (plain)
#   ADDRESS  IPv4 on the lab segment 192.0.2.0/24 (with or without /24)
#   vip=A[,B]  director: VIPs held on eth0 (it answers ARP for them);
#              rs: VIPs held as /32 (/128) on lo, the correct DR set-up
#   v6=ADDR    an IPv6 address on 2001:db8::/64 as well
#   http=PORT  rs: run labhttpd answering its own NAME on PORT
#   arp=default  rs: leave arp_ignore/arp_announce at the kernel defaults
#
# Every host is a network namespace with eth0 on the bridge br0 of the
# guest's root namespace.  Results: lab_pass / lab_fail / lab_check write
# PASS/FAIL lines that tests/lab/run reports.

LAB_BR=br0
export LAB_BIN=${DSRLAB_BIN:-$PWD/build/bin}
export LAB_OUT=${DSRLAB_OUT:-/tmp}
export LAB_STEP_TIMEOUT=${LAB_STEP_TIMEOUT:-20}
export PATH="$LAB_BIN:$PATH"

lab_log() { echo "[lab $(date +%T)] $*"; }

lab_pass() { echo "PASS $1" >>"$LAB_OUT/results"; lab_log "PASS $1"; }

# lab_fail NAME WHY...
lab_fail() {
	local n=$1
	shift
	echo "FAIL $n: $*" >>"$LAB_OUT/results"
	lab_log "FAIL $n: $*"
}

# lab_check NAME CMD...: passes when CMD exits 0 within LAB_STEP_TIMEOUT.
lab_check() {
	local n=$1 out rc
	shift
	# bash -c so that CMD may be one of the functions below (exported).
	out=$(timeout -k 2 "$LAB_STEP_TIMEOUT" bash -c '"$@"' lab_check "$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		lab_pass "$n"
	elif [ $rc -eq 124 ]; then
		lab_fail "$n" "timed out after ${LAB_STEP_TIMEOUT}s: $*"
	else
		lab_fail "$n" "exit $rc from '$*': $(echo "$out" | tail -3 | tr '\n' ' ')"
	fi
	return $rc
}

# lab_expect NAME GOT WANT: equality check with both values in the reason.
lab_expect() {
	if [ "$2" = "$3" ]; then lab_pass "$1"; else lab_fail "$1" "got '$2', expected '$3'"; fi
}

# in_ns NS CMD...: run CMD inside host NS, bounded by LAB_STEP_TIMEOUT.
in_ns() {
	local ns=$1
	shift
	timeout -k 2 "$LAB_STEP_TIMEOUT" ip netns exec "$ns" "$@"
}

# bg_ns NS LOGNAME CMD...: start a daemon inside NS, output to /tmp/LOGNAME.log.
bg_ns() {
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$@" >"/tmp/$log.log" 2>&1 &
	echo $! >"/tmp/$log.pid"
}

# wait_for T CMD...: retry CMD every 0.2 s for up to T seconds.
wait_for() {
	local t=$1 i=0
	shift
	while [ $i -lt $((t * 5)) ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# wait_true T EXPR: EXPR, a shell expression evaluated afresh each time (so
# a "$(...)" in it is read again, unlike an argument of wait_for), every
# 0.2 s until it is true, for up to T seconds.  Quote it in single quotes.
wait_true() {
	local _wt_t=$1 _wt_i=0
	while [ $_wt_i -lt $((_wt_t * 5)) ]; do
		eval "$2" >/dev/null 2>&1 && return 0
		sleep 0.2
		_wt_i=$((_wt_i + 1))
	done
	return 1
}

LAB_HOSTS=()
declare -A LAB_ROLE LAB_ADDR LAB_V6 LAB_MAC

_lab_sysctl() { ip netns exec "$1" sysctl -q -w "$2" >/dev/null; }

lab_add_host() {
	local role=$1 name=$2 addr=${3%/24}
	shift 3
	local vips="" v6="" http="" arp=dr kv
	for kv in "$@"; do
		case "$kv" in
		vip=*) vips=${kv#vip=} ;;
		v6=*) v6=${kv#v6=} ;;
		http=*) http=${kv#http=} ;;
		arp=*) arp=${kv#arp=} ;;
		*) echo "lab_up: unknown option '$kv' for $name" >&2; return 1 ;;
		esac
	done
	ip netns add "$name" || return 1
	ip link add "v-$name" type veth peer name eth0 netns "$name" || return 1
	ip link set "v-$name" master "$LAB_BR" up
	ip -n "$name" link set lo up
	ip -n "$name" link set eth0 up
	ip -n "$name" addr add "$addr/24" dev eth0
	_lab_sysctl "$name" net.ipv6.conf.all.accept_dad=0
	_lab_sysctl "$name" net.ipv6.conf.eth0.accept_dad=0
	[ -n "$v6" ] && ip -n "$name" addr add "${v6%/64}/64" dev eth0 nodad
	LAB_HOSTS+=("$name")
	LAB_ROLE[$name]=$role
	LAB_ADDR[$name]=$addr
	LAB_V6[$name]=$v6
	LAB_MAC[$name]=$(ip -n "$name" -br link show eth0 | awk '{print $3}')
	local v
	case "$role" in
	director)
		for v in ${vips//,/ }; do
			case "$v" in
			*:*) ip -n "$name" addr add "$v/128" dev eth0 nodad ;;
			*) ip -n "$name" addr add "$v/32" dev eth0 ;;
			esac
		done
		;;
	rs)
		if [ "$arp" = dr ]; then
			lab_rs_arp "$name" 1 2
		fi
		for v in ${vips//,/ }; do
			case "$v" in
			*:*) ip -n "$name" addr add "$v/128" dev lo ;;
			*) ip -n "$name" addr add "$v/32" dev lo ;;
			esac
		done
		if [ -n "$http" ]; then
			bg_ns "$name" "http-$name" "$LAB_BIN/labhttpd" --port "$http" --name "$name"
		fi
		;;
	client | host) ;;
	*) echo "lab_up: unknown role '$role'" >&2; return 1 ;;
	esac
}

# lab_rs_arp NS IGNORE ANNOUNCE: the ARP sysctls on all and eth0.
lab_rs_arp() {
	local n=$1 i=$2 a=$3 d
	for d in all eth0; do
		_lab_sysctl "$n" "net.ipv4.conf.$d.arp_ignore=$i"
		_lab_sysctl "$n" "net.ipv4.conf.$d.arp_announce=$a"
	done
}

# lab_up < DESCRIPTION
lab_up() {
	local line
	ip link add "$LAB_BR" type bridge || return 1
	ip link set "$LAB_BR" type bridge forward_delay 0 2>/dev/null
	ip link set "$LAB_BR" up
	while read -r line; do
		line=${line%%#*}
		[ -z "${line// /}" ] && continue
		# shellcheck disable=SC2086
		lab_add_host $line || { echo "lab_up: cannot create: $line" >&2; return 1; }
	done
	# HTTP services must be listening before a test starts.
	local h
	for h in "${LAB_HOSTS[@]}"; do
		if [ "${LAB_ROLE[$h]}" = rs ] && [ -f "/tmp/http-$h.pid" ]; then
			wait_for 5 ip netns exec "$h" sh -c "ss -Hltn | grep -q ." || {
				echo "lab_up: labhttpd did not start on $h" >&2; return 1; }
		fi
	done
}

# lab_down: every host goes (its processes killed, its namespace deleted),
# then the bridge, so that lab_up can build another topology in this guest
# (a namespace whose processes live on keeps its veth, and the next host of
# that name cannot be created).
lab_down() {
	local ns
	for ns in $(ip netns list | awk '{print $1}'); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	done
	sleep 0.5
	# a veth goes with either end: the root namespace's ends go now, not
	# when the kernel gets round to destroying their namespaces (behind
	# any other dying namespace, IPVS sync daemons included)
	for ns in $(ip -o link show | awk -F': ' '$2 ~ /^v-/ {sub(/@.*/, "", $2); print $2}'); do
		ip link del "$ns" 2>/dev/null
	done
	for ns in $(ip netns list | awk '{print $1}'); do ip netns del "$ns"; done
	ip link del "$LAB_BR" 2>/dev/null
	wait_true 10 '! ip -o link show | grep -q " v-"'
	rm -f /tmp/*.pid
	LAB_HOSTS=()
}

# The standard lab: client, director with the VIP, N correct DR real servers.
LAB_VIP=192.0.2.100
LAB_VIP6=2001:db8::100
LAB_CLIENT=192.0.2.2
LAB_DIRECTOR=192.0.2.1
lab_rs_addr() { echo "192.0.2.$((10 + $1))"; }

lab_standard() {
	local n=${1:-2} i
	# process substitution, not a pipe: lab_up must run in this shell so the
	# LAB_* tables it fills stay visible to the test.
	lab_up < <(
		echo "client client 192.0.2.2 v6=2001:db8::2"
		echo "director director 192.0.2.1 v6=2001:db8::1 vip=$LAB_VIP,$LAB_VIP6"
		for i in $(seq 1 "$n"); do
			echo "rs rs$i $(lab_rs_addr "$i") v6=2001:db8::$((10 + i)) vip=$LAB_VIP,$LAB_VIP6 http=80"
		done
	)
}

# lab_get NS URL: one HTTP GET from NS with curl; prints the body.
lab_get() {
	local ns=$1 url=$2
	ip netns exec "$ns" curl -sS --max-time 3 --noproxy '*' "$url"
}

# lab_requests NS URL N: N requests, each on a fresh connection (so the
# scheduler sees every one), in one curl process; prints "SERVER CODE" per
# request ("- 000" for a failure).
lab_requests() {
	local ns=$1 url=$2 n=$3 urls=() i
	for i in $(seq 1 "$n"); do urls+=("$url"); done
	LAB_STEP_TIMEOUT=$((n + 10)) in_ns "$ns" curl -sS --max-time 2 --noproxy '*' -H 'Connection: close' \
		-w ' %{http_code}\n' "${urls[@]}" 2>/dev/null |
		awk '/^ [0-9]+$/ {print (prev == "" ? "-" : prev), $1; prev = ""; next} {prev = $0}'
}

# ipvs_settle: IPVS folds its per-CPU counters into the totals that
# ipvsadm and netlink report from the estimator timer, every 2 seconds; wait
# for one round before reading counters.
ipvs_settle() { sleep 2.5; }

# lab_expect_settled NAME EXPECTED CMD...: lab_expect on CMD's output, read
# again each second for up to LAB_SETTLE_TIMEOUT (15) seconds until it is
# EXPECTED.  For counters that must reach a value: under load the guest's
# timers run late, and one estimator round (ipvs_settle) is not always one.
lab_expect_settled() {
	local name=$1 want=$2 got i
	shift 2
	for ((i = 0; i <= ${LAB_SETTLE_TIMEOUT:-15}; i++)); do
		got=$("$@")
		[ "$got" = "$want" ] && break
		sleep 1
	done
	lab_expect "$name" "$got" "$want"
}

# ipvs_counter NS FIELD: sum of a column of "ipvsadm -Ln --stats" service rows
# (FIELD: conns inpkts outpkts inbytes outbytes).
ipvs_counter() {
	local ns=$1 col
	case "$2" in
	conns) col=3 ;; inpkts) col=4 ;; outpkts) col=5 ;; inbytes) col=6 ;; outbytes) col=7 ;;
	*) return 1 ;;
	esac
	ip netns exec "$ns" ipvsadm -Ln --stats --exact | awk -v c="$col" '$1 ~ /^(TCP|UDP|SCTP|FWM)$/ {s += $c} END {print s + 0}'
}

export -f in_ns bg_ns wait_for lab_get lab_requests lab_log ipvs_counter ipvs_settle lab_expect_settled
