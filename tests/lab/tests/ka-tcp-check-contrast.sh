# SPDX-License-Identifier: Apache-2.0
# lab: timeout=150
# The reason dsrkit exists, shown by the suite itself: keepalived's own
# TCP_CHECK connects to the real server's own address, so a DR real server
# that lost its VIP stays in rotation and the client's requests to it fail.
. tests/lab/lib.sh

lab_standard 2 || { lab_fail topology "lab_up failed"; exit 1; }
cat >/tmp/ka.conf <<EOT
global_defs {
    router_id lab-director
}
virtual_server $LAB_VIP 80 {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server $(lab_rs_addr 1) 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server $(lab_rs_addr 2) 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
EOT
bg_ns director keepalived keepalived -n -l -G -D -C -f /tmp/ka.conf -p /tmp/ka.pid -c /tmp/ka-checkers.pid

rs_in_ipvs() { in_ns director ipvsadm -Ln | grep -q "$1:80"; }
wait_for 15 rs_in_ipvs "$(lab_rs_addr 1)" && wait_for 15 rs_in_ipvs "$(lab_rs_addr 2)" &&
	lab_pass keepalived-adds-both || { lab_fail keepalived-adds-both "$(in_ns director ipvsadm -Ln | tr '\n' ' ') $(tail -5 /tmp/keepalived.log)"; exit 1; }

# Break rs1 the DR way: it keeps its own address and service, loses the VIP.
in_ns rs1 ip addr del "$LAB_VIP/32" dev lo
sleep 4   # several TCP_CHECK rounds
if rs_in_ipvs "$(lab_rs_addr 1)"; then
	lab_pass tcp-check-keeps-broken-rs1
else
	lab_fail tcp-check-keeps-broken-rs1 "keepalived removed rs1; TCP_CHECK was expected to miss the fault"
fi

# 20 fresh connections: round robin sends half of them to rs1, which drops them.
lab_requests client "http://$LAB_VIP/" 20 >/tmp/answers
ok=$(grep -c ' 200$' /tmp/answers)
failed=$((20 - ok))
lab_log "with TCP_CHECK and rs1 without its VIP: $ok succeeded, $failed failed"
if [ "$failed" -ge 5 ] && [ "$ok" -ge 5 ]; then
	lab_pass client-requests-black-holed
else
	lab_fail client-requests-black-holed "expected about half to fail: $ok ok, $failed failed"
fi
kill "$(cat /tmp/keepalived.pid)" 2>/dev/null
