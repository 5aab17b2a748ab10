# SPDX-License-Identifier: Apache-2.0
# bench: where=lab timeout=2700 mem=768M
# failover: a keepalived VRRP pair of directors (tests/lab/ha-lib.sh) with
# BENCH_SESSIONS long-lived client sessions (a request every 100 ms, every
# answer checked); the master dies (SIGKILL of keepalived + link down) and
# the backup takes over.  One row per set-up, side by side in one run:
# IPVS connection sync both ways or off, VRRPv2 advert_int 1 or VRRPv3
# sub-second adverts.  Then three directors behind an ECMP router
# (tests/lab/ecmp-lib.sh), 100 sessions: one director's BGP session down,
# one dying silently with BFD and with the BGP hold timer alone, under `mh`
# and under `wlc`.  Then how often the backup wrongly takes over (both
# masters: flapping) while the master is alive, per advert interval.
# BENCH_FAILOVER_PARTS ("pair ecmp") picks the parts: under User-Mode Linux
# on an idle 2-core machine the pair takes about 13 minutes, the ECMP part 8.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
. tests/lab/ha-lib.sh
. tests/lab/ecmp-lib.sh
N=${BENCH_SESSIONS:-50}
FLAP_SECS=${FLAP_SECS:-20}
PARTS=" ${BENCH_FAILOVER_PARTS:-pair ecmp} "
if [[ $PARTS == *" pair "* ]]; then
	ha_topology >/dev/null 2>&1 || { echo "bench: topology failed"; exit 1; }

	declare -a ROWS
	# row NAME SYNC ADVERT VERSION WAIT
	row() {
		local name=$1 sync=$2 adv=$3 ver=$4 wait=$5 line
		ha_boot dir1 "$sync" 150 "$adv" "$ver" && ha_boot dir2 "$sync" 100 "$adv" "$ver" || return 1
		wait_for 30 ha_holds dir1 || { ROWS+=("$name: dir1 never became master"); return 1; }
		ha_sessions_start "$N" || { ROWS+=("$name: sessions did not start"); return 1; }
		[ "$sync" = sync ] && wait_for 30 bash -c "[ \$(ha_conns dir2) -ge $N ]"
		ha_period >/dev/null
		ha_mark
		ha_crash dir1
		wait_for 30 ha_holds dir2
		sleep "$wait"
		line=$(ha_period)
		ROWS+=("$(printf '%-34s %6s %10s %8s %7s %7s %9s' "$name" "$(field "$line" gap_ms)" "$(field "$line" mark_ms)" \
			"$(field "$line" alive)/$N" "$(field "$line" resets)" "$(field "$line" lost)" "$(field "$line" stall_ms)")")
		ha_sessions_stop
		ha_stop dir1
		ha_stop dir2
	}

	export -f ha_conns
	row "sync on,  VRRPv2 advert_int 1" sync 1 2 10
	row "sync on,  VRRPv3 advert_int 0.2" sync 0.2 3 5
	row "sync on,  VRRPv3 advert_int 0.1" sync 0.1 3 5
	row "sync off, VRRPv3 advert_int 0.2" nosync 0.2 3 5

	echo "failover of a director pair, $N sessions, a request every 100 ms each"
	printf '%-34s %6s %10s %8s %7s %7s %9s\n' "set-up" "gap" "after" "kept" "resets" "lost" "stall"
	printf '%-34s %6s %10s %8s %7s %7s %9s\n' "" "ms" "kill ms" "" "" "" "max ms"
	for r in "${ROWS[@]}"; do echo "$r"; done
	echo "gap: last answer through the old master to the first through the new one;"
	echo "after kill: from the kill to that first answer; stall: the longest any one request waited."

	# Flapping: both directors up, no fault; count the backup's transitions to
	# MASTER in FLAP_SECS seconds for each advert interval.
	echo
	echo "flapping with both directors up for ${FLAP_SECS}s (the backup's wrong takeovers)"
	for adv in 1 0.2 0.1 0.05 0.03; do
		ver=3
		[ "$adv" = 1 ] && ver=2
		ha_boot dir1 nosync 150 "$adv" "$ver" && ha_boot dir2 nosync 100 "$adv" "$ver" || exit 1
		wait_for 30 ha_holds dir1
		sleep 2
		n0=$(grep -c "Entering MASTER STATE" /tmp/ka-dir2.log)
		sleep "$FLAP_SECS"
		n1=$(grep -c "Entering MASTER STATE" /tmp/ka-dir2.log)
		printf 'advert_int %-5s vrrp_version %s: %s takeovers by the backup\n' "$adv" "$ver" "$((n1 - n0))"
		ha_stop dir1
		ha_stop dir2
	done

	echo
	lab_down
	rm -rf "$AGENT_PKI"   # a new CA: dsrkit-pki never overwrites one
fi
[[ $PARTS == *" ecmp "* ]] || exit 0

# ECMP: a fresh lab in the same guest (the pair's hosts go first)
N=${BENCH_ECMP_SESSIONS:-100}
HA_RS=$ECMP_RS
ecmp_topology >/tmp/ecmp-topology.log 2>&1 || { echo "bench: ECMP topology failed: $(tail -3 /tmp/ecmp-topology.log)"; exit 1; }
ecmp_monitor_start
for i in $(seq 1 "$ECMP_DIRS"); do ecmp_checkd "$i" mh; done
ecmp_wait_nexthops "$ECMP_DIRS" 60 || { echo "bench: the router never had $ECMP_DIRS next hops"; exit 1; }
declare -a EROWS
# erow NAME DOWN UP NH: one ECMP fault with fresh sessions
erow() {
	ha_sessions_start "$N" >/dev/null || { EROWS+=("$1: sessions did not start"); return 1; }
	ha_period >/dev/null
	ecmp_fault "$@" 3 2 >/dev/null
	EROWS+=("$ROW")
	ha_sessions_stop
}
erow "mh, BGP session down" ecmp_bgp_down ecmp_bgp_up
erow "mh, silent death, BFD 100 ms x 3" ecmp_cut ecmp_uncut
ecmp_router_bfd off; sleep 2; ecmp_wait_nexthops 3 40
erow "mh, silent death, BGP hold time 3 s" ecmp_cut ecmp_uncut
ecmp_router_bfd on; sleep 2; ecmp_wait_nexthops 3 40
ecmp_sched wlc >/dev/null
erow "wlc, BGP session down" ecmp_bgp_down ecmp_bgp_up
erow "wlc, silent death, BFD 100 ms x 3" ecmp_cut ecmp_uncut
echo "three directors behind an ECMP router (BIRD 2, BGP), $N sessions, a request every 100 ms each"
ecmp_row_head
for r in "${EROWS[@]}"; do echo "$r"; done
echo "route: from the fault to the router's route without that director (ip monitor);"
echo "gap: the longest time no session had an answer; stall: the longest one request waited"
echo "(the director's share of sessions is silent until the router drops it); kept: sessions that never broke."
exit 0
