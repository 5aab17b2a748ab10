# SPDX-License-Identifier: Apache-2.0
# lab: timeout=150
# dr-basic: a DR service (ipvsadm -g) over 2 real servers answers 200 client
# requests with no failure, spread over both, and the director's IPVS OutPkts
# stays 0 because the replies go straight from the real servers to the client.
. tests/lab/lib.sh
EXPECT_SERVERS=${EXPECT_SERVERS:-2}

lab_standard 2 || { lab_fail topology "lab_up failed"; exit 1; }
lab_check ipvs-service in_ns director ipvsadm -A -t "$LAB_VIP:80" -s rr &&
lab_check ipvs-dest-rs1 in_ns director ipvsadm -a -t "$LAB_VIP:80" -r "$(lab_rs_addr 1):80" -g -w 1 &&
lab_check ipvs-dest-rs2 in_ns director ipvsadm -a -t "$LAB_VIP:80" -r "$(lab_rs_addr 2):80" -g -w 1 || exit 1

lab_requests client "http://$LAB_VIP/" 200 >/tmp/answers
ok=$(grep -c ' 200$' /tmp/answers)
lab_expect requests-all-succeed "$ok" 200
nservers=$(awk '$2 == 200 {print $1}' /tmp/answers | sort -u | wc -l)
lab_expect spread-over-servers "$nservers" "$EXPECT_SERVERS"
for s in rs1 rs2; do
	c=$(grep -c "^$s 200$" /tmp/answers)
	lab_log "$s answered $c requests"
done

ipvs_settle
in_ns director ipvsadm -Ln --stats --exact
inpkts=$(ipvs_counter director inpkts)
outpkts=$(ipvs_counter director outpkts)
if [ "$inpkts" -gt 0 ]; then lab_pass director-saw-requests; else lab_fail director-saw-requests "InPkts is 0"; fi
lab_expect director-outpkts-zero "$outpkts" 0
