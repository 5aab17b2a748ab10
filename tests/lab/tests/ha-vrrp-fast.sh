# SPDX-License-Identifier: Apache-2.0
# lab: timeout=1500 mem=768M
# ha-vrrp-fast: the pair of ha-vrrp-sync (tests/lab/ha-lib.sh) tuned for
# fast failover: VRRPv3 with HA_FAST_ADVERT (0.2 s) adverts, dir1 with
# nopreempt.  HA_SESSIONS long-lived sessions go on while dir1 dies; dir1
# comes back freshly booted and stays backup while it learns the table
# from dir2 (sync both ways); then dir2 dies and dir1 serves every session
# from the table it learned as backup.  Failover times are printed.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
. tests/lab/ha-lib.sh
N=${HA_SESSIONS:-50}
FAST=${HA_FAST_ADVERT:-0.2}

ha_topology || { lab_fail topology "lab_up/agents failed"; exit 1; }

lab_log "=== B: VRRPv3 advert_int $FAST, sync both ways, dir1 nopreempt"
ha_boot dir1 sync 150 "$FAST" 3 nopreempt && ha_boot dir2 sync 100 "$FAST" 3 || { lab_fail b-boot "boot failed"; exit 1; }
takeover b-dir1-master dir1
ha_sessions_start "$N" || { lab_fail b-sessions "$(cat /tmp/sess.log "$HA_SESS_OUT")"; exit 1; }
synced b-dir2-has-the-table dir2
# dsr-checkd on both directors shows the pair (/metrics)
for d in dir1 dir2; do
	cat >"/tmp/checkd-$d.conf" <<EOT
dsr_checkd {
    keepalived_conf /tmp/ka-$d.conf
    interval 2s
    timeout 5s
    listen 127.0.0.1:9445
    socket /tmp/checkd-$d.sock
}
EOT
	bg_ns "$d" "checkd-$d" dsr-checkd -f "/tmp/checkd-$d.conf" --dsrkit-conf /tmp/dsrkit.conf
done
# metric NS PREFIX: the value of the first line of NS's /metrics starting with PREFIX
metric() {
	ip netns exec "$1" curl -s --max-time 3 --noproxy '*' http://127.0.0.1:9445/metrics |
		awk -v m="$2" 'index($0, m) == 1 {print $NF; exit}'
}
held() { metric "$1" "dsrkit_director_vip_held{vip=\"$LAB_VIP\"}"; }
wait_true 30 '[ -n "$(held dir2)" ]'
lab_expect b-checkd-dir1-holds-the-vip "$(held dir1)" 1
lab_expect b-checkd-dir2-does-not "$(held dir2)" 0
lab_expect b-checkd-dir2-sync-daemons \
	"$(metric dir2 'dsrkit_ipvs_sync_daemon{role="master",syncid="2",interface="eth0"') $(metric dir2 'dsrkit_ipvs_sync_daemon{role="backup",syncid="1",interface="eth0"')" "1 1"
t=$(metric dir2 'dsrkit_ipvs_connection_table_entries{state="established"}')
if [ "${t:-0}" -ge "$N" ]; then lab_pass b-checkd-dir2-table-size; else lab_fail b-checkd-dir2-table-size "'$t' < $N"; fi
lab_log "dsr-checkd on dir2: $(ip netns exec dir2 curl -s --max-time 3 --noproxy '*' http://127.0.0.1:9445/metrics | grep -E '^dsrkit_(ipvs_sync|ipvs_connection_table|director_vip)' | tr '\n' ' ')"
expect_kept b-before "$(ha_period)"
ha_mark
ha_crash dir1
takeover b-dir2-takes-over dir2
kill "$(cat /tmp/checkd-dir1.pid)" 2>/dev/null
sleep 4
lab_expect b-checkd-dir2-holds-the-vip-now "$(held dir2)" 1
line=$(ha_period)
expect_kept b-master-killed-sessions-kept "$line"
failover b-v3-fast-kill "$line"
ha_boot dir1 sync 150 "$FAST" 3 nopreempt
synced b-rebooted-dir1-learns-the-table dir1
sleep 3
if ha_holds dir1; then lab_fail b-nopreempt-stays-backup "dir1 took the VIP back"; else lab_pass b-nopreempt-stays-backup; fi
line=$(ha_period)
expect_kept b-nopreempt-sessions-kept "$line"
lab_log "then dir2 dies too: dir1 serves from the table it learned as backup"
ha_mark
ha_crash dir2
takeover b-dir1-takes-over-again dir1
sleep 4
line=$(ha_period)
expect_kept b-second-kill-sessions-kept "$line"
failover b-v3-fast-kill-back "$line"
ha_sessions_stop
ha_stop dir1; ha_stop dir2

kill "$(cat /tmp/checkd-dir2.pid)" 2>/dev/null
lab_log "=== figures"
for k in b-v3-fast-kill b-v3-fast-kill-back; do
	lab_log "figure $k: ${FIG[$k]:-none}"
done
exit 0
