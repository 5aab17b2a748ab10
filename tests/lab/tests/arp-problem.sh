# SPDX-License-Identifier: Apache-2.0
# lab: timeout=120
# arp-problem: a real server left at the kernel's ARP defaults answers ARP
# requests for the VIP it holds on lo (the ARP problem); with arp_ignore=1 and
# arp_announce=2 only the director ever answers.
. tests/lab/lib.sh

lab_up <<EOT || { lab_fail topology "lab_up failed"; exit 1; }
client   client   192.0.2.2
director director 192.0.2.1  vip=$LAB_VIP
rs       rs1      192.0.2.11 vip=$LAB_VIP http=80
rs       rs2      192.0.2.12 vip=$LAB_VIP http=80 arp=default
EOT

# macs_answering: the set of MACs that answer ARP for the VIP from the client.
macs_answering() {
	in_ns client arping -c 3 -w 4 -I eth0 "$LAB_VIP" 2>/dev/null |
		sed -n 's/.*\[\([0-9A-Fa-f:]*\)\].*/\1/p' | tr 'A-F' 'a-f' | sort -u
}

dir_mac=${LAB_MAC[director]}
rs1_mac=${LAB_MAC[rs1]}
rs2_mac=${LAB_MAC[rs2]}
lab_log "director $dir_mac, rs1 $rs1_mac, rs2 $rs2_mac"

macs=$(macs_answering)
lab_log "with rs2 at kernel defaults, answering MACs: $(echo $macs)"
echo "$macs" | grep -qx "$dir_mac" && lab_pass defaults-director-answers ||
	lab_fail defaults-director-answers "director $dir_mac did not answer (got: $(echo $macs))"
echo "$macs" | grep -qx "$rs2_mac" && lab_pass defaults-rs2-answers-arp-problem ||
	lab_fail defaults-rs2-answers-arp-problem "rs2 $rs2_mac did not answer for the VIP (got: $(echo $macs))"
echo "$macs" | grep -qx "$rs1_mac" && lab_fail defaults-rs1-silent "rs1 $rs1_mac answered although arp_ignore=1" ||
	lab_pass defaults-rs1-silent

lab_rs_arp rs2 1 2
macs=$(macs_answering)
lab_log "with arp_ignore=1/arp_announce=2 everywhere, answering MACs: $(echo $macs)"
lab_expect correct-only-director "$(echo $macs)" "$dir_mac"
