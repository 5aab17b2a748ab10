# SPDX-License-Identifier: Apache-2.0
# Demo fragment (sourced by tests/lab/demo.sh after the ipvsadm service is
# up): the same table through dsrctl, and a drain/restore at work.
say "dsrctl status: the same table, DR-focused"
in_ns director dsrctl status

say "dsrctl drain $LAB_VIP:80 192.0.2.12: weight 0, new connections avoid rs2"
in_ns director dsrctl drain "$LAB_VIP:80" 192.0.2.12
for i in 1 2 3 4; do
	printf '  request %d answered by: %s\n' "$i" "$(lab_get client "http://$LAB_VIP/")"
done

say "dsrctl restore: the weight rs2 had before the drain"
in_ns director dsrctl restore "$LAB_VIP:80" 192.0.2.12
for i in 1 2 3 4; do
	printf '  request %d answered by: %s\n' "$i" "$(lab_get client "http://$LAB_VIP/")"
done
