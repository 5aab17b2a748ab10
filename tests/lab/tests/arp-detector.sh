# SPDX-License-Identifier: Apache-2.0
# lab: timeout=150
# The ARP-problem detector (dsrctl arp-check): a real server left with
# arp_ignore=0 is named by address and MAC within one round; with the right
# settings there is no finding in 100 rounds.
. tests/lab/lib.sh
RS1=$(lab_rs_addr 1) RS2=$(lab_rs_addr 2)

lab_up <<EOT || { lab_fail topology "lab_up failed"; exit 1; }
client   client   192.0.2.2
director director 192.0.2.1  vip=$LAB_VIP
rs       rs1      192.0.2.11 vip=$LAB_VIP http=80
rs       rs2      192.0.2.12 vip=$LAB_VIP http=80 arp=default
EOT

out=$(in_ns director dsrctl arp-check --iface eth0 --rs "$RS1" --rs "$RS2" --window 300 "$LAB_VIP")
rc=$?
lab_log "arp-check: $out"
lab_expect arp-ignore-0-exit-1 "$rc" 1
case "$out" in
*"ARP_PROBLEM eth0: $RS2 (${LAB_MAC[rs2]}) answers ARP for VIP $LAB_VIP"*) lab_pass names-rs2-by-address-and-mac ;;
*) lab_fail names-rs2-by-address-and-mac "got: $out" ;;
esac
case "$out" in
*"${LAB_MAC[rs1]}"*) lab_fail correct-rs1-not-named "rs1 named: $out" ;;
*) lab_pass correct-rs1-not-named ;;
esac

# Without --rs the neighbour table names the server (the director talked to it).
in_ns director ping -c 1 -W 1 "$RS2" >/dev/null
out=$(in_ns director dsrctl arp-check --window 300 --json "$LAB_VIP")
lab_log "arp-check --json: $out"
echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); f=d["findings"]; sys.exit(0 if len(f)==1 and f[0]["server"]=="'"$RS2"'" and f[0]["code"]=="ARP_PROBLEM" else 1)' &&
	lab_pass json-names-rs2-from-neighbour-table || lab_fail json-names-rs2-from-neighbour-table "$out"

# A VRRP peer or virtual MAC may be allowed.
out=$(in_ns director dsrctl arp-check --window 300 --allow-mac "${LAB_MAC[rs2]}" "$LAB_VIP")
lab_expect allowed-mac-not-reported "$?" 0

# IPv6: Linux answers neighbour solicitations only for addresses on the
# receiving interface, so a VIP on lo is safe; a VIP on eth0 answers.
ip -n director addr add "$LAB_VIP6/128" dev eth0 nodad
ip -n rs1 addr add "$LAB_VIP6/128" dev lo
ip -n rs2 addr add "$LAB_VIP6/128" dev eth0 nodad
out=$(in_ns director dsrctl arp-check --iface eth0 --rs "$RS1" --rs "$RS2" --window 300 "$LAB_VIP6")
rc=$?
lab_log "arp-check (IPv6): $out"
lab_expect v6-vip-on-eth0-exit-1 "$rc" 1
case "$out" in
*"ARP_PROBLEM eth0: $RS2 (${LAB_MAC[rs2]}) answers ND for VIP $LAB_VIP6"*) lab_pass v6-names-rs2 ;;
*) lab_fail v6-names-rs2 "got: $out" ;;
esac
ip -n rs2 addr del "$LAB_VIP6/128" dev eth0
ip -n rs2 addr add "$LAB_VIP6/128" dev lo
out=$(in_ns director dsrctl arp-check --iface eth0 --window 300 "$LAB_VIP6")
lab_expect v6-vip-on-lo-no-finding "$?" 0

lab_rs_arp rs2 1 2
# The passive watch: rs1 (correct ARP settings) announces the VIP unasked,
# as a mis-set keepalived or a failing-over service would.
in_ns director dsrctl arp-check --iface eth0 --rs "$RS1" --window 3000 "$LAB_VIP" >/tmp/grat.out &
watcher=$!
sleep 1
in_ns rs1 arping -q -U -c 2 -I eth0 -s "$LAB_VIP" "$LAB_VIP"
wait "$watcher"
lab_log "gratuitous: $(cat /tmp/grat.out)"
grep -q "ARP_PROBLEM eth0: $RS1 (${LAB_MAC[rs1]}) announces VIP $LAB_VIP" /tmp/grat.out &&
	lab_pass gratuitous-announcement-named || lab_fail gratuitous-announcement-named "$(cat /tmp/grat.out)"

LAB_STEP_TIMEOUT=120 in_ns director dsrctl arp-check --rs "$RS1" --rs "$RS2" --window 50 --rounds 100 "$LAB_VIP" "$LAB_VIP6" >/tmp/clean.out
rc=$?
lab_log "after the fix: $(cat /tmp/clean.out)"
lab_expect fixed-no-finding-in-100-rounds "$rc" 0
