# SPDX-License-Identifier: Apache-2.0
# Demo fragment: keepalived on the director checks both real servers with
# dsr-check (MISC_CHECK) against dsr-agent over mutual TLS; one real server
# loses its VIP, keepalived takes it out, the repair brings it back.
. tests/lab/agent-lib.sh

say "keepalived + dsr-check: mutual TLS with dsrkit-pki"
in_ns director ipvsadm -C
for rs in rs1 rs2; do agent_stop "$rs"; done
rm -rf "$AGENT_PKI"
agent_pki rs1 rs2 && agent_start rs1 && agent_start rs2 || { echo "demo: agents did not start"; exit 1; }
echo "  CA, agent certificates for 192.0.2.11 and 192.0.2.12 (IP SANs), a checker certificate"
checker_conf "timeout = 1s"
demo_rs() {
	cat <<EOT
    real_server $1 80 {
        weight 1
        MISC_CHECK {
            misc_path "$LAB_BIN/dsr-check --config /tmp/dsrkit.conf --rs $1 --vip $LAB_VIP --port 80 --dynamic --weight 1"
            misc_timeout 3
            misc_dynamic
        }
    }
EOT
}
cat >/tmp/ka-demo.conf <<EOT
global_defs {
    script_user root
}
virtual_server $LAB_VIP 80 {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
$(demo_rs 192.0.2.11)
$(demo_rs 192.0.2.12)
}
EOT
sed -n '/virtual_server/,/^    }/p' /tmp/ka-demo.conf | sed 's/^/  /'
echo "  ..."
bg_ns director ka-demo keepalived -n -l -G -C -f /tmp/ka-demo.conf -p /tmp/kad-demo.pid -c /tmp/kac-demo.pid
both_in() { [ "$(ip netns exec director ipvsadm -Ln | grep -c Route)" = 2 ]; }
wait_for 15 both_in
in_ns director ipvsadm -Ln

say "Break rs1 the silent way: its VIP disappears from lo (its own address still answers)"
in_ns rs1 ip addr del "$LAB_VIP/32" dev lo
echo "  curl http://192.0.2.11/ (its own address) still works: $(lab_get client http://192.0.2.11/)"
echo "  dsr-check says:"
echo "    $(in_ns director "$LAB_BIN/dsr-check" --config /tmp/dsrkit.conf --rs 192.0.2.11 --vip "$LAB_VIP" --port 80)"
rs1_out() { ! ip netns exec director ipvsadm -Ln | grep -q 192.0.2.11; }
wait_for 10 rs1_out
echo "  keepalived's reaction (log):"
grep -i "192.0.2.11" /tmp/ka-demo.log | tail -2 | sed 's/^/    /'
in_ns director ipvsadm -Ln
echo "  6 client requests: $(lab_requests client "http://$LAB_VIP/" 6 | awk '{print $1}' | tr '\n' ' ')"

say "Repair with dsr-agent setup on rs1"
in_ns rs1 dsr-agent setup --vip "$LAB_VIP" | sed 's/^/  /'
wait_for 10 both_in
in_ns director ipvsadm -Ln
echo "  6 client requests: $(lab_requests client "http://$LAB_VIP/" 6 | awk '{print $1}' | tr '\n' ' ')"
kill "$(cat /tmp/kad-demo.pid)" 2>/dev/null
