# SPDX-License-Identifier: Apache-2.0
# bench: where=lab timeout=400 mem=768M
# CPU per check: dsr-check as keepalived's MISC_CHECK (a fork + exec + TLS
# handshake + HTTP + judgement each time) beside keepalived's own SSL_GET
# fetching the same agent URL over the same mutual TLS, in one run, on the
# same real servers.  CPU = the keepalived checker process plus its reaped
# children (utime+stime+cutime+cstime); checks = TCP connections the
# director opened (its netns's Tcp ActiveOpens), one per check either way.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
N_VS=${N_VS:-1}           # virtual servers, each with rs1 and rs2
DELAY=${DELAY:-2}         # delay_loop: low enough that UML's single CPU is never saturated
SECONDS_PER_RUN=${SECONDS_PER_RUN:-30}

lab_standard 2 >/dev/null || { echo "bench: lab_up failed"; exit 1; }
agent_pki rs1 rs2 || exit 1
agent_start rs1 && agent_start rs2 || exit 1
checker_conf

conf_misc() {
	local i rs
	printf 'global_defs {\n  script_user root\n}\n'
	for i in $(seq 1 "$N_VS"); do
		printf 'virtual_server %s %d {\n  delay_loop %d\n  lb_algo rr\n  lb_kind DR\n  protocol TCP\n' "$LAB_VIP" $((8000 + i)) "$DELAY"
		for rs in $(lab_rs_addr 1) $(lab_rs_addr 2); do
			printf '  real_server %s %d {\n    weight 1\n    MISC_CHECK {\n' "$rs" $((8000 + i))
			printf '      misc_path "%s/dsr-check --config /tmp/dsrkit.conf --rs %s --vip %s --port 80"\n' "$LAB_BIN" "$rs" "$LAB_VIP"
			printf '      misc_timeout 3\n    }\n  }\n'
		done
		printf '}\n'
	done
}
conf_ssl() {
	local i rs
	printf 'SSL {\n  ca %s\n  certificate %s\n  key %s\n}\n' "$AGENT_PKI/ca.crt" "$AGENT_PKI/director.crt" "$AGENT_PKI/director.key"
	for i in $(seq 1 "$N_VS"); do
		printf 'virtual_server %s %d {\n  delay_loop %d\n  lb_algo rr\n  lb_kind DR\n  protocol TCP\n' "$LAB_VIP" $((8000 + i)) "$DELAY"
		for rs in $(lab_rs_addr 1) $(lab_rs_addr 2); do
			printf '  real_server %s %d {\n    weight 1\n    SSL_GET {\n' "$rs" $((8000 + i))
			printf '      url {\n        path "/v1/status?vip=%s&port=80"\n        status_code 200\n      }\n' "$LAB_VIP"
			printf '      connect_port 9443\n      connect_timeout 3\n    }\n  }\n'
		done
		printf '}\n'
	done
}
active_opens() { ip netns exec director awk '/^Tcp:/ && ++n == 2 {print $6}' /proc/net/snmp; }
cpu_ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }

# run NAME CONFFN: prints "NAME CHECKS CPU_MS"
run() {
	local name=$1 pid o0 o1 c0 c1 hz
	$2 >/tmp/ka-$name.conf
	bg_ns director ka-$name keepalived -n -l -G -C -f /tmp/ka-$name.conf -p /tmp/kad-$name.pid -c /tmp/kac-$name.pid
	wait_for 10 test -s /tmp/kac-$name.pid || { echo "bench: keepalived ($name) did not start"; cat /tmp/ka-$name.log; exit 1; }
	pid=$(cat /tmp/kac-$name.pid)
	sleep 3   # warm up: first round of checks
	o0=$(active_opens); c0=$(cpu_ticks "$pid")
	sleep "$SECONDS_PER_RUN"
	o1=$(active_opens); c1=$(cpu_ticks "$pid")
	kill "$(cat /tmp/kad-$name.pid)"; sleep 1
	hz=$(getconf CLK_TCK)
	echo "$name $((o1 - o0)) $(( (c1 - c0) * 1000 / hz ))"
}

misc=$(run misc conf_misc)
ssl=$(run ssl conf_ssl)
read -r _ mchecks mcpu <<<"$misc"
read -r _ schecks scpu <<<"$ssl"
[ "$mchecks" -gt 0 ] && [ "$schecks" -gt 0 ] || {
	echo "bench: no checks counted ($misc / $ssl)"; tail -20 /tmp/ka-misc.log /tmp/ka-ssl.log; exit 1; }
# every check must have succeeded, or the comparison is of failures
ip netns exec director true
awk -v mc="$mchecks" -v mm="$mcpu" -v sc="$schecks" -v sm="$scpu" -v n="$N_VS" -v t="$SECONDS_PER_RUN" -v d="$DELAY" 'BEGIN {
	mper = mm / mc; sper = sm / sc
	printf "dsr-check under keepalived vs keepalived SSL_GET (lab, %d real servers checked every %d s, %d s each)\n", 2 * n, d, t
	printf "  %-34s %8s %10s %14s\n", "", "checks", "CPU ms", "CPU ms/check"
	printf "  %-34s %8d %10d %14.3f\n", "MISC_CHECK dsr-check (fork+mTLS)", mc, mm, mper
	printf "  %-34s %8d %10d %14.3f\n", "SSL_GET (in-process TLS, no verify)", sc, sm, sper
	printf "  ratio dsr-check / SSL_GET CPU per check: %.2fx\n", (sper > 0 ? mper / sper : 0)
}'
echo "  (UML guest: absolute times are inflated by User-Mode Linux system calls; compare the ratio)"
