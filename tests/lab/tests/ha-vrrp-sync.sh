# SPDX-License-Identifier: Apache-2.0
# lab: timeout=1500 mem=768M
# ha-vrrp-sync: a keepalived VRRP pair of directors (dir1 priority 150, dir2
# 100) with IPVS connection sync both ways, dsr-check judging the real
# servers on both.  HA_SESSIONS long-lived client sessions (a request every
# 100 ms on one TCP connection, every answer checked) go through the VIP
# while the master dies (SIGKILL of keepalived + link down) and comes back
# freshly booted with preemption (preempt_delay): no session breaks, no
# answer is lost; the failover time at advert_int 1 (VRRPv2) is printed.
# The contrast: the same failover with sync off resets every session, since
# the new master has no entry for their packets (not SYNs: IPVS does not
# schedule them, the director's own stack answers for its VIP with a
# reset).  ha-vrrp-fast does VRRPv3 sub-second adverts and nopreempt.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
. tests/lab/ha-lib.sh
N=${HA_SESSIONS:-50}
FAST=${HA_FAST_ADVERT:-0.2}

ha_topology || { lab_fail topology "lab_up/agents failed"; exit 1; }

lab_log "=== A: VRRPv2 advert_int 1, sync both ways, preempt with preempt_delay"
ha_boot dir1 sync 150 1 2 "preempt_delay 8" && ha_boot dir2 sync 100 1 2 || { lab_fail a-boot "boot failed"; exit 1; }
takeover a-dir1-master dir1
ha_sessions_start "$N" || { lab_fail a-sessions "$(cat /tmp/sess.log "$HA_SESS_OUT")"; exit 1; }
synced a-dir2-has-the-table dir2
# dsrctl sync (generic netlink) says what ipvsadm says, on both directors
for d in dir1 dir2; do
	want=$(in_ns "$d" ipvsadm -L --daemon | sed -E 's/^(master|backup) sync daemon \(mcast=([^,]+), syncid=([0-9]+).*group=([^,]+), port=([0-9]+).*/\1 \3 \2 \4 \5/' | sort | tr '\n' ';')
	got=$(in_ns "$d" dsrctl sync | awk '$1 == "master" || $1 == "backup" {print $1, $3, $5, $7, $9}' | sort | tr '\n' ';')
	lab_expect "a-dsrctl-sync-$d" "$got" "$want"
done
lab_log "dsrctl sync on dir2: $(in_ns dir2 dsrctl sync | tr '\n' ' ')"
lab_expect a-dsrctl-sync-table-size "$(in_ns dir2 dsrctl sync | sed -n 's/^connections: [0-9]* (\([0-9]*\) established)/\1/p')" "$(ha_conns dir2)"
before=$(ha_period)
expect_kept a-before "$before"
lab_log "sessions on $(field "$before" servers) real servers"
ha_mark
ha_crash dir1
takeover a-dir2-takes-over dir2
sleep 8
line=$(ha_period)
expect_kept a-master-killed-sessions-kept "$line"
failover a-v2-advert1-kill "$line"
ha_boot dir1 sync 150 1 2 "preempt_delay 8"
synced a-rebooted-dir1-learns-the-table dir1
if ha_holds dir1; then lab_fail a-table-before-vip "dir1 took the VIP before it held the table"; else lab_pass a-table-before-vip; fi
ha_mark
takeover a-dir1-preempts dir1 30
wait_for 10 sh -c '! ip -n dir2 -br addr show dev eth0 | grep -q " '$LAB_VIP'/32"'
sleep 3
line=$(ha_period)
expect_kept a-preempt-sessions-kept "$line"
failover a-v2-preempt "$line"
ha_sessions_stop
ha_stop dir1; ha_stop dir2

lab_log "=== C: the contrast: the same failover with sync off"
ha_boot dir1 nosync 150 1 2 && ha_boot dir2 nosync 100 1 2 || { lab_fail c-boot "boot failed"; exit 1; }
takeover c-dir1-master dir1
ha_sessions_start "$N" || { lab_fail c-sessions "$(cat /tmp/sess.log "$HA_SESS_OUT")"; exit 1; }
sleep 3
lab_expect c-dir2-has-no-table "$(ha_conns dir2)" 0
expect_kept c-before "$(ha_period)"
ha_crash dir1
takeover c-dir2-takes-over dir2
sleep 4
line=$(ha_period)
lab_log "c-sync-off: $line"
lab_expect c-sync-off-every-session-breaks "broken=$(field "$line" broken) resets=$(field "$line" resets)" "broken=$N resets=$N"
FIG[c-sync-off-broken]="$(field "$line" broken) of $N"
ha_sessions_stop
ha_stop dir1; ha_stop dir2

lab_log "=== figures"
for k in a-v2-advert1-kill a-v2-preempt c-sync-off-broken; do
	lab_log "figure $k: ${FIG[$k]:-none}"
done
exit 0
