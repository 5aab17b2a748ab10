# SPDX-License-Identifier: Apache-2.0
# lab: timeout=150
# dsrctl-dr: a DR service configured by `dsrctl apply` (keepalived syntax,
# with an include and blocks dsrctl does not need) serves the client as in
# dr-basic: 200 requests, no failure, both servers, director OutPkts 0.
# `dsrctl lint` is clean on it and names each problem of a broken one.
. tests/lab/lib.sh
export DSRCTL_STATE_DIR=/tmp/dsrctl-state

lab_standard 2 || { lab_fail topology "lab_up failed"; exit 1; }
mkdir -p /tmp/ka/conf.d
cat >/tmp/ka/keepalived.conf <<EOC
! Configuration File for keepalived
global_defs {
	router_id director   # skipped: dsrctl needs only virtual_server
}
include conf.d/*.conf
EOC
cat >/tmp/ka/conf.d/web.conf <<EOC
virtual_server $LAB_VIP 80 {
	delay_loop 6
	lb_algo rr
	lb_kind DR
	protocol TCP
	real_server $(lab_rs_addr 1) 80 {
		weight 1
		TCP_CHECK {
			connect_timeout 3
		}
	}
	real_server $(lab_rs_addr 2) 80 {
		weight 1
		MISC_CHECK {
			misc_path "/usr/bin/true"
		}
	}
}
EOC
lab_check lint-clean in_ns director dsrctl lint /tmp/ka/keepalived.conf
lab_check apply in_ns director dsrctl apply /tmp/ka/keepalived.conf || exit 1

urls=()
for i in $(seq 1 200); do urls+=("http://$LAB_VIP/"); done
LAB_STEP_TIMEOUT=90 in_ns client curl -sS --max-time 3 --noproxy '*' -H 'Connection: close' \
	-w ' %{http_code}\n' "${urls[@]}" 2>/tmp/curl.err |
	awk '/^ [0-9]+$/ {print (prev == "" ? "-" : prev), $1; prev = ""; next} {prev = $0}' >/tmp/answers
lab_expect requests-all-succeed "$(grep -c ' 200$' /tmp/answers)" 200
lab_expect spread-over-servers "$(awk '$2 == 200 {print $1}' /tmp/answers | sort -u | wc -l)" 2
ipvs_settle
in_ns director dsrctl status
dr_status() {
	in_ns director dsrctl status --json | python3 -c '
import json, sys
s = json.load(sys.stdin)["services"][0]
print(s["inpkts"] > 0, s["outpkts"], sum(r["conns"] for r in s["real_servers"]),
      ",".join(r["forward"] for r in s["real_servers"]))'
}
lab_expect_settled status-counters "True 0 200 DR,DR" dr_status
lab_expect director-outpkts-zero "$(ipvs_counter director outpkts)" 0

# a broken DR file: every rule fires with its code
cat >/tmp/broken.conf <<EOC
virtual_server 198.51.100.50 80 {
	lb_kind DR
	protocol TCP
	real_server $(lab_rs_addr 1) 8080 {
		weight 1
	}
	real_server 203.0.113.9 80 {
		weight 1
	}
	real_server 2001:db8::11 80 {
		weight 1
	}
}
virtual_server 198.51.100.51 80 {
	lb_algo rr
	real_server $(lab_rs_addr 1) 80 {
		weight 1
	}
}
vrrp_instance VI_1 {
	virtual_ipaddress {
		198.51.100.51/32 dev eth0
	}
}
EOC
in_ns director ip route add 203.0.113.0/24 via 192.0.2.2
out=$(in_ns director dsrctl lint /tmp/broken.conf); rc=$?
echo "$out"
lab_expect lint-exit "$rc" 1
codes=$(echo "$out" | grep -o -E 'DR_[A-Z_]+:' | sort | uniq -c | awk '{print $2 $1}' | tr '\n' ' ')
lab_expect lint-codes "$codes" "DR_FAMILY_MIX:1 DR_NOT_DR:1 DR_PORT_REMAP:1 DR_RS_NOT_CONNECTED:1 DR_VIP_NOT_LOCAL:1 "
case "$out" in
*"/tmp/broken.conf:4: DR_PORT_REMAP"*) lab_pass lint-file-line ;;
*) lab_fail lint-file-line "$out" ;;
esac
