# SPDX-License-Identifier: Apache-2.0
# bench: where=lab timeout=400 mem=768M
# CPU per data-path probe in dsr-checkd beside keepalived's TCP_CHECK on the
# same real servers, in one run.  dsr-checkd runs twice with the same agent
# checks, once with data_path tcp and once without: the difference is what
# the probes cost.  keepalived's checker process (TCP_CHECK to each real
# server's own address) is measured alone.  Probes and checks are counted,
# not assumed (/metrics, and the director's Tcp ActiveOpens).
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
SECS=${SECS:-30}

lab_standard 2 >/dev/null || { echo "bench: lab_up failed"; exit 1; }
agent_pki rs1 rs2 && agent_start rs1 && agent_start rs2 || exit 1
checker_conf
checkd_conf() {
	cat <<EOT
dsr_checkd {
    interval 50ms
    timeout 1s
    listen 127.0.0.1:9445
    socket off
    data_path $1
    data_path_set_sysctls yes
}
virtual_server $LAB_VIP 80 {
    lb_kind DR
    real_server $(lab_rs_addr 1) 80 {
    }
    real_server $(lab_rs_addr 2) 80 {
    }
}
EOT
}
ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
active_opens() { ip netns exec director awk '/^Tcp:/ && ++n == 2 {print $6}' /proc/net/snmp; }
probes() {
	ip netns exec director curl -s http://127.0.0.1:9445/metrics |
		awk '/^dsrkit_checkd_datapath_probes_total/ {s += $NF} END {print s + 0}'
}

# run_checkd MODE: prints "CPU_MS PROBES"
run_checkd() {
	checkd_conf "$1" >/tmp/checkd-$1.conf
	bg_ns director checkd-$1 dsr-checkd -f /tmp/checkd-$1.conf --dsrkit-conf /tmp/dsrkit.conf
	local pid
	sleep 3
	pid=$(pgrep -n -x dsr-checkd)
	local c0 p0 c1 p1
	c0=$(ticks "$pid"); p0=$(probes)
	sleep "$SECS"
	c1=$(ticks "$pid"); p1=$(probes)
	kill "$pid"; sleep 1
	echo "$(( (c1 - c0) * 1000 / hz )) $((p1 - p0))"
}
read -r cpu_off _ <<<"$(run_checkd off)"
read -r cpu_on n_probes <<<"$(run_checkd tcp)"

{
	echo "global_defs {"
	echo "}"
	for i in $(seq 1 10); do
		echo "virtual_server $LAB_VIP $((8000 + i)) {"
		echo "  delay_loop 1"
		echo "  lb_algo rr"
		echo "  lb_kind DR"
		echo "  protocol TCP"
		for rs in $(lab_rs_addr 1) $(lab_rs_addr 2); do
			echo "  real_server $rs $((8000 + i)) {"
			echo "    weight 1"
			echo "    TCP_CHECK {"
			echo "      connect_port 80"
			echo "      connect_timeout 1"
			echo "    }"
			echo "  }"
		done
		echo "}"
	done
} >/tmp/ka-tcp.conf
bg_ns director ka-tcp keepalived -n -l -G -C -f /tmp/ka-tcp.conf -p /tmp/kad-tcp.pid -c /tmp/kac-tcp.pid
wait_for 10 test -s /tmp/kac-tcp.pid || { echo "bench: keepalived did not start"; exit 1; }
sleep 3
kpid=$(cat /tmp/kac-tcp.pid)
o0=$(active_opens); k0=$(ticks "$kpid")
sleep "$SECS"
o1=$(active_opens); k1=$(ticks "$kpid")
kill "$(cat /tmp/kad-tcp.pid)"
ka_cpu=$(( (k1 - k0) * 1000 / hz ))
ka_checks=$((o1 - o0))

[ "$n_probes" -gt 0 ] && [ "$ka_checks" -gt 0 ] || { echo "bench: nothing counted ($n_probes probes, $ka_checks checks)"; exit 1; }
awk -v on="$cpu_on" -v off="$cpu_off" -v n="$n_probes" -v kc="$ka_cpu" -v kn="$ka_checks" -v t="$SECS" 'BEGIN {
	dp = (on - off) / n; if (dp < 0) dp = 0
	ka = kc / kn
	printf "data-path probe in dsr-checkd vs keepalived TCP_CHECK (lab, %d s each)\n", t
	printf "  dsr-checkd, agent checks only:        %6d ms CPU\n", off
	printf "  dsr-checkd, agent checks + probes:    %6d ms CPU, %d probes through the VIP\n", on, n
	printf "  keepalived TCP_CHECK (own address):   %6d ms CPU, %d checks\n", kc, kn
	printf "  CPU per data-path probe: %.3f ms;  per TCP_CHECK: %.3f ms;  ratio %.2fx\n", dp, ka, (ka > 0 ? dp / ka : 0)
}'
echo "  (UML guest: absolute times are inflated by User-Mode Linux system calls; compare the ratio)"
