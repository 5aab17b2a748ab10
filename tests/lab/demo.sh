# SPDX-License-Identifier: Apache-2.0
# The demo run inside the lab guest: a DR service at work.
. tests/lab/lib.sh
set -u
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Topology (one bridge, documentation addresses)"
lab_standard 2 || { echo "demo: cannot build the lab"; exit 1; }
cat <<EOT
  client    192.0.2.2    ${LAB_MAC[client]}
  director  192.0.2.1    ${LAB_MAC[director]}   holds VIP $LAB_VIP on eth0 (answers ARP)
  rs1       192.0.2.11   ${LAB_MAC[rs1]}   VIP $LAB_VIP/32 on lo, arp_ignore=1 arp_announce=2
  rs2       192.0.2.12   ${LAB_MAC[rs2]}   VIP $LAB_VIP/32 on lo, arp_ignore=1 arp_announce=2
EOT

say "Director: a Direct Routing service (ipvsadm -g)"
in_ns director ipvsadm -A -t "$LAB_VIP:80" -s rr
in_ns director ipvsadm -a -t "$LAB_VIP:80" -r 192.0.2.11:80 -g -w 1
in_ns director ipvsadm -a -t "$LAB_VIP:80" -r 192.0.2.12:80 -g -w 1
in_ns director ipvsadm -Ln

say "Client: 6 requests to http://$LAB_VIP/"
for i in 1 2 3 4 5 6; do
	printf '  request %d answered by: %s\n' "$i" "$(lab_get client "http://$LAB_VIP/")"
done

ipvs_settle
say "Director's IPVS counters (OutPkts 0: replies went straight to the client)"
in_ns director ipvsadm -Ln --stats
for f in tests/lab/demo.d/*.sh; do
	[ -e "$f" ] || continue
	. "$f"
done
exit 0
