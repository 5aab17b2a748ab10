#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# lab: timeout=900 mem=640M
# fault-matrix-director: the director rows of the fault matrix (see
# fault-matrix.sh): dsr-checkd killed and restarted (no flush, no flap, state
# back within one interval), the director's own link down (every agent
# unreachable at once: the fail-safe holds every weight, /status and
# /metrics say so, logged once), then a single real fault drains again.
# A client sends one request every 50 ms through the VIP throughout.
. tests/lab/matrix-lib.sh
lab_log "== director"
restart_checkd() {
	kill -9 "$(cat /tmp/checkd.pid)"
	RESTART_T0=$(now_ms)
	start_checkd
	local end=$((SECONDS + 20))
	while [ $SECONDS -lt $end ]; do
		[ "$(status | grep -o '"state":"up"' | wc -l)" = 2 ] && break
		sleep 0.1
	done
	RESTART_UP_MS=$(( $(now_ms) - RESTART_T0 ))
}
HOLD_S=2 row checkd-killed-restarted quiet "restart_checkd" ":"
lab_log "dsr-checkd back with both targets up ${RESTART_UP_MS} ms after the kill (interval 500 ms)"
[ "$RESTART_UP_MS" -le 5000 ] && lab_pass checkd-restart-state-back ||
	lab_fail checkd-restart-state-back "$RESTART_UP_MS ms"
lab_expect checkd-restart-no-ipvs-op "$(grep -c 'dsr-checkd: ipvs:' /tmp/checkd.log)" 0

linkdown() {
	ip -n director link set eth0 down
	sleep 4
	status >/tmp/failsafe-status.json
	metrics >/tmp/failsafe-metrics.txt
}
on_before=$(grep -c 'FAILSAFE ON' /tmp/checkd.log)
# heartbeat 1 s + interval 0.5 s + 1 s: the first long-poll to time out is
# believed at once, the fail-safe engages when the second one does
HOLD_S=1 HOLD_TRANSIENT_MS=2500 row director-link-down hold "linkdown" "ip -n director link set eth0 up"
lab_expect failsafe-status-active "$(grep -o '"active_services":[0-9]*' /tmp/failsafe-status.json)" '"active_services":1'
lab_expect failsafe-metric "$(grep -c "^dsrkit_checkd_failsafe_active{service=\"$LAB_VIP:80\",protocol=\"TCP\"} 1$" /tmp/failsafe-metrics.txt)" 1
lab_expect failsafe-held-both "$(grep -o '"failsafe_held":true' /tmp/failsafe-status.json | wc -l)" 2
# once for this outage (a loaded guest may have engaged it before, for real)
lab_expect failsafe-logged-once "$(( $(grep -c 'FAILSAFE ON' /tmp/checkd.log) - on_before ))" 1
wait_secs 20 grep -q 'FAILSAFE OFF' /tmp/checkd.log && lab_pass failsafe-ends ||
	lab_fail failsafe-ends "$(grep FAILSAFE /tmp/checkd.log)"
# the fail-safe over, a single real fault drains again
pin_vip_to_director
row after-failsafe-vip-removed drain "ip -n rs1 addr del $LAB_VIP/32 dev lo" "ip -n rs1 addr add $LAB_VIP/32 dev lo" VIP_MISSING
unpin_vip

finish_matrix
exit 0
