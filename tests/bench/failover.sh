# SPDX-License-Identifier: Apache-2.0
# bench: where=lab timeout=1500 mem=768M
# failover: a keepalived VRRP pair of directors (tests/lab/ha-lib.sh) with
# BENCH_SESSIONS long-lived client sessions (a request every 100 ms, every
# answer checked); the master dies (SIGKILL of keepalived + link down) and
# the backup takes over.  One row per set-up, side by side in one run:
# IPVS connection sync both ways or off, VRRPv2 advert_int 1 or VRRPv3
# sub-second adverts.  Then how often the backup wrongly takes over (both
# masters: flapping) while the master is alive, per advert interval.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
. tests/lab/ha-lib.sh
N=${BENCH_SESSIONS:-50}
FLAP_SECS=${FLAP_SECS:-20}

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
exit 0
