# SPDX-License-Identifier: Apache-2.0
# Demo fragment: the single director gives way to a keepalived VRRP pair
# with IPVS connection sync both ways (doc/ha.md); 50 client sessions hold
# their connections open (a request every 100 ms each, every answer
# checked) while the master is killed; the backup takes over and the demo
# prints what the sessions saw.
. tests/lab/ha-lib.sh

say "A director pair: keepalived VRRP + IPVS connection sync both ways"
# the single director leaves: dir1 takes its address, dir2 is 192.0.2.3
kill "$(cat /tmp/kad-demo.pid)" 2>/dev/null
sleep 1
ip netns del director 2>/dev/null
HA_RS=2
ha_boot dir1 sync 150 0.2 3 && ha_boot dir2 sync 100 0.2 3 || { echo "demo: the pair did not start"; exit 1; }
wait_for 30 ha_holds dir1 || { echo "demo: dir1 never became master"; exit 1; }
cat <<EOT
  dir1  192.0.2.1  keepalived priority 150, VRRPv3 advert_int 0.2  -> MASTER, holds $LAB_VIP
  dir2  192.0.2.3  keepalived priority 100                         -> BACKUP
  both: the same virtual_server (dsr-check on rs1, rs2); sync daemons started with
        ipvsadm --start-daemon master --syncid 1|2 and backup --syncid 2|1
EOT
echo "  dsrctl sync on dir1:"
in_ns dir1 dsrctl sync | sed 's/^/    /'

say "50 client sessions through the VIP, a request every 100 ms each"
ha_sessions_start 50 || { echo "demo: sessions did not start"; exit 1; }
table_full() { [ "$(ha_conns dir2)" -ge 50 ]; }
wait_for 30 table_full
echo "  dsrctl sync on dir2 (the backup already holds every connection):"
in_ns dir2 dsrctl sync | sed 's/^/    /'
ha_period >/dev/null

say "Kill the master: SIGKILL keepalived on dir1 and cut its link"
ha_mark
ha_crash dir1
wait_for 30 ha_holds dir2 && echo "  dir2 holds $LAB_VIP now"
sleep 5
line=$(ha_period)
ha_sessions_stop
cat <<EOT
  what the sessions saw:
    kept $(field "$line" alive) of 50, reset $(field "$line" resets), lost answers $(field "$line" lost), wrong answers $(field "$line" wrong)
    failover: $(field "$line" gap_ms) ms from the last answer through dir1 to the first through dir2
              (first answer $(field "$line" mark_ms) ms after the kill; TCP retransmission included)
EOT
ha_stop dir2
