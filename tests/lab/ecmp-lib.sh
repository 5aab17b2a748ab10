# SPDX-License-Identifier: Apache-2.0
# tests/lab/ecmp-lib.sh - directors scaled out behind a BGP router with
# ECMP, for the ECMP lab test and bench; sourced after lib.sh, agent-lib.sh,
# ha-lib.sh (its sessions).  Every file lives on the guest's tmpfs.
#
#   client 198.51.100.2 --- router (BIRD 2, ECMP, L4 hash) 192.0.2.254
#                                 | BGP (+ BFD) to each director
#            br0 192.0.2.0/24: dir1..3 (.21-.23), rs1..N (.11-...)
#
# Each director runs IPVS (the same table, `mh` + mh-port, sloppy_tcp so
# that a flow another director started is taken up mid-stream), BIRD 2
# announcing the VIP by BGP from its `direct` protocol on dsrvip*, and
# dsr-checkd in standalone mode that owns both the IPVS table and the
# announcement (announce_interface dsrvip0: a TUN device the kernel removes
# when dsr-checkd dies).  The real servers answer the client straight
# through the router (DR).  ASNs are the documentation ones (RFC 5398).

ECMP_DIRS=${ECMP_DIRS:-3}
ECMP_RS=${ECMP_RS:-3}
ECMP_ROUTER=192.0.2.254
ECMP_CLIENT=198.51.100.2
ECMP_AS_ROUTER=64496
ECMP_AS_DIRS=64497
ecmp_dir_addr() { echo "192.0.2.$((20 + $1))"; }

# ecmp_bird_router BFD: the router's BIRD configuration, the shipped
# snippet (packaging/bird/router-ecmp.conf) with BFD "on" or "off".
ecmp_bird_router() {
	local i
	echo "router id $ECMP_ROUTER;"
	echo "log stderr all;"
	sed -e "s/@ROUTER@/$ECMP_ROUTER/; s/@ROUTER_AS@/$ECMP_AS_ROUTER/; s/^\( *\)bfd on;/\1bfd $1;/" \
		packaging/bird/router-ecmp.conf
	for i in $(seq 1 "$ECMP_DIRS"); do
		echo "protocol bgp dir$i from director { neighbor $(ecmp_dir_addr "$i") as $ECMP_AS_DIRS; }"
	done
}

# ecmp_bird_dir I: director I's BIRD configuration: the shipped snippet
# (packaging/bird/dsrkit-director.conf) with the lab's addresses.
ecmp_bird_dir() {
	local a
	a=$(ecmp_dir_addr "$1")
	echo "router id $a;"
	sed -e "s/@LOCAL@/$a/; s/@LOCAL_AS@/$ECMP_AS_DIRS/; s/@ROUTER@/$ECMP_ROUTER/; s/@ROUTER_AS@/$ECMP_AS_ROUTER/" \
		packaging/bird/dsrkit-director.conf
}

# ecmp_bird NS CONF: starts BIRD in NS with its own control socket.
ecmp_bird() {
	local ns=$1
	rm -f "/tmp/bird-$ns.ctl"
	bg_ns "$ns" "bird-$ns" bird -f -c "$2" -s "/tmp/bird-$ns.ctl" -P "/tmp/bird-$ns.pidfile"
	wait_for 10 test -S "/tmp/bird-$ns.ctl"
}

# birdc_ns NS CMD...: birdc on NS's BIRD.
birdc_ns() { local ns=$1; shift; ip netns exec "$ns" birdc -s "/tmp/bird-$ns.ctl" "$@"; }

# ecmp_checkd_conf I SCHED: director I's dsr-checkd configuration (the
# services in keepalived's syntax, as on a keepalived director).
ecmp_checkd_conf() {
	local i=$1 sched=$2 flags="" j
	# mh-fallback: IPVS keeps a drained (weight 0) server's slots in the
	# Maglev table so that no other flow moves; without the flag the flows
	# of those slots find no server and are dropped
	[ "$sched" = mh ] && flags=$'    mh-port\n    mh-fallback'
	cat <<EOT
dsr_checkd {
    interval 1s
    timeout 2s
    rise 1
    fall 1
    standalone yes
    listen 127.0.0.1:9445
    socket off
    announce_interface dsrvip0
    announce_min_healthy ${ECMP_MIN_HEALTHY:-1}
    announce_bird_socket /tmp/bird-dir$i.ctl
}
virtual_server $LAB_VIP 80 {
    lb_algo $sched
$flags
    lb_kind DR
    protocol TCP
EOT
	for j in $(seq 1 "$ECMP_RS"); do
		cat <<EOT
    real_server $(lab_rs_addr "$j") 80 {
        weight 1
    }
EOT
	done
	echo "}"
}

# ecmp_checkd I SCHED: (re)starts director I's dsr-checkd.
ecmp_checkd() {
	local i=$1
	ecmp_checkd_conf "$i" "$2" >"/tmp/checkd-dir$i.conf"
	bg_ns "dir$i" "checkd-dir$i" dsr-checkd -f "/tmp/checkd-dir$i.conf" --dsrkit-conf /tmp/dsrkit.conf
}

# ecmp_topology: router, client, real servers with agents, directors with
# BIRD (dsr-checkd comes with ecmp_checkd).
ecmp_topology() {
	local i names=()
	lab_up < <(
		echo "host router $ECMP_ROUTER"
		for i in $(seq 1 "$ECMP_RS"); do
			echo "rs rs$i $(lab_rs_addr "$i") vip=$LAB_VIP http=80"
		done
	) || return 1
	# the client, on its own link behind the router
	ip netns add client || return 1
	ip link add eth1 netns router type veth peer name eth0 netns client || return 1
	ip -n client link set lo up
	ip -n client link set eth0 up
	ip -n client addr add "$ECMP_CLIENT/24" dev eth0
	ip -n client route add default via 198.51.100.1
	ip -n router link set eth1 up
	ip -n router addr add 198.51.100.1/24 dev eth1
	_lab_sysctl router net.ipv4.ip_forward=1
	# ECMP on the flow's 5-tuple (L4), so sessions from one client spread
	_lab_sysctl router net.ipv4.fib_multipath_hash_policy=1
	for i in all default eth0 eth1; do _lab_sysctl router "net.ipv4.conf.$i.rp_filter=0"; done
	for i in $(seq 1 "$ECMP_RS"); do
		ip -n "rs$i" route add default via "$ECMP_ROUTER"
		names+=("rs$i")
	done
	agent_pki "${names[@]}" || return 1
	for i in "${names[@]}"; do agent_start "$i" || return 1; done
	checker_conf "timeout = 2s"
	ecmp_bird_router on >/tmp/bird-router.conf
	ecmp_bird router /tmp/bird-router.conf || return 1
	for i in $(seq 1 "$ECMP_DIRS"); do
		ecmp_dir_up "$i" || return 1
	done
}

# ecmp_dir_up I: director I's namespace, its VIP on lo, IPVS' sloppy TCP,
# BIRD.
ecmp_dir_up() {
	local d=dir$1
	lab_add_host director "$d" "$(ecmp_dir_addr "$1")" || return 1
	ip -n "$d" addr add "$LAB_VIP/32" dev lo
	ip -n "$d" route add default via "$ECMP_ROUTER"
	lab_rs_arp "$d" 1 2
	ip netns exec "$d" ipvsadm -Ln >/dev/null 2>&1   # the ip_vs sysctls exist once IPVS is used
	_lab_sysctl "$d" net.ipv4.vs.sloppy_tcp=1
	ecmp_bird_dir "$1" >"/tmp/bird-$d.conf"
	ecmp_bird "$d" "/tmp/bird-$d.conf"
}

# ecmp_nexthops: the router's next hops for the VIP, sorted, one line.
ecmp_nexthops() {
	ip -n router route show "$LAB_VIP/32" 2>/dev/null | grep -o 'via [0-9.]*' | awk '{print $2}' | sort | tr '\n' ' ' | sed 's/ $//'
}

# ecmp_n_nexthops: how many.
ecmp_n_nexthops() { ecmp_nexthops | wc -w; }

# ecmp_wait_nexthops N [T]: until the router has N next hops for the VIP.
ecmp_wait_nexthops() {
	local n=$1
	wait_true "${2:-30}" '[ "$(ecmp_n_nexthops)" -eq "$n" ]'
}

# ecmp_time_until_nexthops N START: milliseconds from START (now_s) until
# the router has N next hops, polled every 10 ms (up to 20 s; -1 if never).
ecmp_time_until_nexthops() {
	local n=$1 start=$2 i
	for i in $(seq 1 2000); do
		if [ "$(ip -n router route show "$LAB_VIP/32" 2>/dev/null | grep -c 'via')" -eq "$n" ]; then
			echo "$(now_s) $start" | awk '{printf "%d\n", ($1 - $2) * 1000}'
			return 0
		fi
		sleep 0.01
	done
	echo -1
}

# ecmp_dir_conns DIR: IPVS connection entries (any state) to the VIP on DIR.
ecmp_dir_conns() {
	ip netns exec "$1" ipvsadm -Lnc 2>/dev/null | awk -v v="$LAB_VIP:80" '$5 == v {n++} END {print n + 0}'
}

# --- route changes as the router's kernel saw them ---

ECMP_MON=/tmp/route-mon.log
ecmp_monitor_start() {
	ip -n router -ts monitor route >"$ECMP_MON" 2>&1 &
	ECMP_MON_PID=$!
}

# ecmp_route_ms N START: milliseconds from START (now_s) to the first change
# after it that left the VIP's route with N next hops; waits up to 20 s;
# "none" when there was none.
ecmp_route_ms() {
	local n=$1 start=$2 i t
	for i in $(seq 1 100); do
		t=$(python3 tests/lab/tools/routetimes.py "$LAB_VIP" "$ECMP_MON" |
			awk -v s="$start" -v n="$n" '$1 > s && $2 == n {printf "%d\n", ($1 - s) * 1000; exit}')
		[ -n "$t" ] && { echo "$t"; return 0; }
		sleep 0.2
	done
	echo none
}

# --- the faults, each with the moment it started in ECMP_T0 ---

# ecmp_bgp_down I: director I's BGP session goes down cleanly (its BIRD
# protocol disabled: a NOTIFICATION, as a director taken out of service).
ecmp_bgp_down() { ECMP_T0=$(now_s); birdc_ns "dir$1" disable uplink >/dev/null; }
ecmp_bgp_up() { birdc_ns "dir$1" enable uplink >/dev/null; }

# ecmp_cut I: director I dies without a word: its link goes down (no FIN,
# no NOTIFICATION, nothing).
ecmp_cut() { ECMP_T0=$(now_s); ip -n "dir$1" link set eth0 down; }
ecmp_uncut() { ip -n "dir$1" link set eth0 up; ip -n "dir$1" route add default via "$ECMP_ROUTER" 2>/dev/null; return 0; }

# ecmp_router_bfd on|off: the router's BGP sessions with or without BFD
# (a reconfiguration: the sessions come up again).
ecmp_router_bfd() {
	ecmp_bird_router "$1" >/tmp/bird-router.conf
	birdc_ns router configure >/dev/null
}

# ecmp_sched SCHED: every director's dsr-checkd reloads with SCHED.
ecmp_sched() {
	local i
	for i in $(seq 1 "$ECMP_DIRS"); do
		ecmp_checkd_conf "$i" "$1" >"/tmp/checkd-dir$i.conf"
		kill -HUP "$(cat "/tmp/checkd-dir$i.pid")"
	done
	for i in $(seq 1 "$ECMP_DIRS"); do
		wait_for 20 bash -c "ip netns exec dir$i ipvsadm -Ln -t $LAB_VIP:80 | grep -q ' $1'" || return 1
	done
}

# ecmp_agent_cost SECONDS: the agents' CPU (ms per second, all of them
# together) and their largest RSS (KiB) over SECONDS, as "CPU RSS".
ecmp_agent_cost() {
	local secs=$1 i pid t0=0 t1=0 rss=0 r hz
	hz=$(getconf CLK_TCK)
	for i in $(seq 1 "$ECMP_RS"); do
		pid=$(cat "/tmp/agent-rs$i.pid")
		t0=$((t0 + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
	done
	sleep "$secs"
	for i in $(seq 1 "$ECMP_RS"); do
		pid=$(cat "/tmp/agent-rs$i.pid")
		t1=$((t1 + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
		r=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
		[ "$r" -gt "$rss" ] && rss=$r
	done
	echo "$(( (t1 - t0) * 1000 / hz / secs / ECMP_RS )) $rss"
}

# ecmp_agent_checkers RS: the directors holding a connection to RS's agent.
ecmp_agent_checkers() {
	ip netns exec "$1" ss -Htn state established "sport = :$AGENT_PORT" | awk '{sub(/:[0-9]+$/, "", $4); print $4}' | sort -u | wc -l
}

# ecmp_row NAME: one row of the figures from the period line in LINE and
# the route change in ROUTE (the bench's table and the test's log).
ecmp_row() {
	printf '%-40s %7s %6s %7s %8s %7s %6s' "$1" "$ROUTE" "$(field "$LINE" gap_ms)" "$(field "$LINE" stall_ms)" \
		"$(field "$LINE" alive)/$N" "$(field "$LINE" resets)" "$(field "$LINE" lost)"
}
ecmp_row_head() {
	printf '%-40s %7s %6s %7s %8s %7s %6s\n' "event" "route" "gap" "stall" "kept" "resets" "lost"
	printf '%-40s %7s %6s %7s %8s %7s %6s\n' "" "ms" "ms" "max ms" "" "" ""
}

# ecmp_fault NAME DOWN UP I NH: with the sessions running, fault DOWN on
# director I (ecmp_bgp_down, ecmp_cut), the router left with NH next hops;
# then UP and the router back to every director.  Sets LINE (the period of
# the fault), ROUTE (ms until the router dropped I) and ROW.
ecmp_fault() {
	local name=$1 down=$2 up=$3 i=$4 nh=$5
	ha_period >/dev/null
	ha_mark
	"$down" "$i"
	ROUTE=$(ecmp_route_ms "$nh" "$ECMP_T0")
	sleep "${ECMP_SETTLE:-4}"
	LINE=$(ha_period)
	ROW=$(ecmp_row "$name")
	lab_log "$name: $LINE"
	lab_log "$name: the router dropped dir$i after $ROUTE ms"
	"$up" "$i"
	ecmp_wait_nexthops "$ECMP_DIRS" 40
}
