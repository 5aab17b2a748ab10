# SPDX-License-Identifier: Apache-2.0
# bench: where=lab timeout=1800 mem=1G
# misc-check: what one health check costs the director, for each way a
# keepalived user can check a dsrkit real server, in one run: keepalived
# with N_RS real servers (default 10), delay_loop 1, the same agents and the
# same mutual TLS (keepalived's SSL block for SSL_GET):
#   MISC_CHECK /bin/true        the fork + exec floor
#   SSL_GET                     keepalived's own TLS check of /v1/status
#   MISC_CHECK dsr-check        direct, one-shot (keeper = no): its own
#                               mutual-TLS request, the session resumed
#   MISC_CHECK dsr-check        direct with a keeper (keeper = 60s, as the
#                               README configures it): the keeper asks the
#                               agent on a kept-alive connection per check
#   MISC_CHECK dsr-check --daemon   asks dsr-checkd over its unix socket
# CPU = keepalived's checker process and its reaped children
# (utime+stime+cutime+cstime), plus dsr-checkd's own CPU for --daemon (all
# of it, its own checks of the agents included) and the keeper's for the
# keeper row (it is not keepalived's child: its own /proc counters).  Checks: for MISC_CHECK the
# processes started (the guest's pid counter, less this script's own), for
# SSL_GET the TCP connections the director opened.  Targets (issue 17):
# dsr-check's cost above the /bin/true floor <= SSL_GET's per check;
# --daemon within 1.2x of /bin/true.  Run it on an otherwise idle machine:
# User-Mode Linux charges the time the host takes its CPU away to whatever
# guest process runs, so under host load the CPU figures mean nothing.
. tests/lab/lib.sh
. tests/lab/agent-lib.sh
N_RS=${N_RS:-10}
SECS=${SECONDS_PER_RUN:-20}

echo "setup: $N_RS real servers, agents, PKI ($(date +%T))"
lab_standard "$N_RS" >/dev/null || { echo "bench: lab_up failed"; exit 1; }
rss=() addrs=()
for i in $(seq 1 "$N_RS"); do rss+=("rs$i"); addrs+=("$(lab_rs_addr "$i")"); done
agent_pki "${rss[@]}" || { echo "bench: dsrkit-pki failed"; exit 1; }
for rs in "${rss[@]}"; do agent_start "$rs" || { echo "bench: agent $rs did not start"; exit 1; }; done
echo "setup done ($(date +%T))"
# the ticket directory on the guest's tmpfs, as /run is on a director (the
# host's /run here is hostfs: slower, and no place for a unix socket)
TICKETS=/tmp/dsrkit-check
mkdir -p "$TICKETS" && chmod 700 "$TICKETS"
checker_conf "daemon_socket = /tmp/checkd.sock" "ticket_dir = $TICKETS"
cp /tmp/dsrkit.conf /tmp/dsrkit-keeper.conf && echo "keeper = 60s" >>/tmp/dsrkit-keeper.conf

head_conf() { printf 'global_defs {\n  script_user root\n}\n'; }
vs_open() { printf 'virtual_server %s 80 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind DR\n  protocol TCP\n' "$LAB_VIP"; }
conf_misc() { # conf_misc PATH-PREFIX: misc_path "PREFIX --rs ADDR"
	local a
	head_conf; vs_open
	for a in "${addrs[@]}"; do
		printf '  real_server %s 80 {\n    weight 1\n    MISC_CHECK {\n' "$a"
		printf '      misc_path "%s"\n      misc_timeout 3\n    }\n  }\n' "$(printf "$1" "$a")"
	done
	printf '}\n'
}
conf_true() { conf_misc "/bin/true --rs %s"; }
conf_direct() { conf_misc "$LAB_BIN/dsr-check --config /tmp/dsrkit.conf --rs %s --vip $LAB_VIP --port 80"; }
conf_keeper() { conf_misc "$LAB_BIN/dsr-check --config /tmp/dsrkit-keeper.conf --rs %s --vip $LAB_VIP --port 80"; }
conf_daemon() { conf_misc "$LAB_BIN/dsr-check --config /tmp/dsrkit.conf --daemon --rs %s --vip $LAB_VIP --port 80"; }
conf_ssl() {
	local a
	printf 'SSL {\n  ca %s\n  certificate %s\n  key %s\n}\n' "$AGENT_PKI/ca.crt" "$AGENT_PKI/director.crt" "$AGENT_PKI/director.key"
	head_conf; vs_open
	for a in "${addrs[@]}"; do
		printf '  real_server %s 80 {\n    weight 1\n    SSL_GET {\n' "$a"
		printf '      url {\n        path "/v1/status?vip=%s&port=80"\n        status_code 200\n      }\n' "$LAB_VIP"
		printf '      connect_port 9443\n      connect_timeout 3\n    }\n  }\n'
	done
	printf '}\n'
}
active_opens() { ip netns exec director awk '/^Tcp:/ && ++n == 2 {print $6}' /proc/net/snmp; }
ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }
# the most recently created pid (ns_last_pid is not in the lab kernel)
last_pid() { awk '{print $5}' /proc/loadavg; }
hz=$(getconf CLK_TCK)

# the pids this script itself takes over one window (its $(...) and sleep)
own_pids() {
	local p0 p1 x
	p0=$(last_pid); x=$(active_opens); x=$(ticks $$); sleep 1; p1=$(last_pid)
	echo $((p1 - p0))
}

# run NAME CONFFN [checkd]: "NAME CHECKS TICKS_KA TICKS_CHECKD"
run() {
	local name=$1 pid cpid="" p0 p1 o0 o1 c0 c1 d0=0 d1=0 checks
	$2 >/tmp/ka-$name.conf
	if [ "${3:-}" = checkd ]; then
		cat >/tmp/checkd.conf <<EOT
dsr_checkd {
    keepalived_conf /tmp/ka-$name.conf
    interval 1s
    timeout 2s
}
EOT
		bg_ns director checkd dsr-checkd -f /tmp/checkd.conf --dsrkit-conf /tmp/dsrkit.conf
		cpid=$(cat /tmp/checkd.pid)
		wait_for 10 test -S /tmp/checkd.sock || { echo "bench: dsr-checkd did not start"; cat /tmp/checkd.log; exit 1; }
	fi
	bg_ns director ka-$name keepalived -n -l -D -C -f /tmp/ka-$name.conf -p /tmp/kad-$name.pid -c /tmp/kac-$name.pid
	wait_for 10 test -s /tmp/kac-$name.pid || { echo "bench: keepalived ($name) did not start"; cat /tmp/ka-$name.log; exit 1; }
	pid=$(cat /tmp/kac-$name.pid)
	sleep 4   # warm up: the first rounds (and dsr-checkd's first verdicts)
	if [ "${3:-}" = keeper ]; then
		cpid=$(cat "$TICKETS"/keeper-*.lock 2>/dev/null | head -1)
		[ -n "$cpid" ] && kill -0 "$cpid" || { echo "bench: no keeper ($(ls -la "$TICKETS"))"; exit 1; }
	fi
	[ -n "$cpid" ] && d0=$(ticks "$cpid")
	p0=$(last_pid); o0=$(active_opens); c0=$(ticks "$pid")
	sleep "$SECS"
	p1=$(last_pid); o1=$(active_opens); c1=$(ticks "$pid")
	[ -n "$cpid" ] && d1=$(ticks "$cpid")
	kill "$(cat /tmp/kad-$name.pid)"
	[ -n "$cpid" ] && kill "$cpid"
	sleep 2
	if [ "$name" = ssl ]; then checks=$((o1 - o0)); else checks=$((p1 - p0 - OWN)); fi
	echo "$name $checks $((c1 - c0)) $((d1 - d0)) $((o1 - o0))"
}

OWN=$(( $(own_pids) ))
r_true=$(run true conf_true); echo "run: $r_true"
r_ssl=$(run ssl conf_ssl); echo "run: $r_ssl"
r_direct=$(run direct conf_direct); echo "run: $r_direct"
r_daemon=$(run daemon conf_daemon checkd); echo "run: $r_daemon"
r_keeper=$(run keeper conf_keeper keeper); echo "run: $r_keeper"
echo "(run: name checks ticks-keepalived ticks-dsr-checkd-or-keeper tcp-opens; $hz ticks/s; own pids per window $OWN)"
# the verdicts must be UPs, or the comparison is of failures
ok=$(ip netns exec director "$LAB_BIN/dsr-check" --config /tmp/dsrkit.conf --rs "${addrs[0]}" --vip "$LAB_VIP" --port 80)
echo "one direct check now: $ok"
okk=$(ip netns exec director "$LAB_BIN/dsr-check" --config /tmp/dsrkit-keeper.conf --rs "${addrs[0]}" --vip "$LAB_VIP" --port 80)
echo "one check through a keeper now: $okk"
ip netns exec director ipvsadm -Ln | sed 's/^/  /'

printf '%s\n' "$r_true" "$r_ssl" "$r_direct" "$r_daemon" "$r_keeper" | awk -v hz="$hz" -v n="$N_RS" -v t="$SECS" -v ok="$ok" -v okk="$okk" '
{ name[NR] = $1; checks[NR] = $2; ka[NR] = $3; cd[NR] = $4; opens[NR] = $5 }
END {
	for (i = 1; i <= 5; i++) {
		if (checks[i] <= 0) { printf "bench: no checks counted for %s\n", name[i]; bad = 1; continue }
		per[i] = (ka[i] + cd[i]) * 1000 / hz / checks[i]
		kaper[i] = ka[i] * 1000 / hz / checks[i]
	}
	if (bad) exit 1
	printf "MISC_CHECK vs SSL_GET under keepalived (lab, %d real servers, delay_loop 1, %d s each)\n", n, t
	printf "  %-36s %7s %9s %13s  %s\n", "check", "checks", "CPU ms", "CPU ms/check", "vs floor"
	label[1] = "MISC_CHECK /bin/true (floor)"; label[2] = "SSL_GET (keepalived, mutual TLS)"
	label[3] = "MISC_CHECK dsr-check (one-shot)"; label[4] = "MISC_CHECK dsr-check --daemon"
	label[5] = "MISC_CHECK dsr-check (keeper)"
	for (i = 1; i <= 5; i++)
		printf "  %-36s %7d %9d %13.2f  %.2fx\n", label[i], checks[i], (ka[i] + cd[i]) * 1000 / hz, per[i], per[i] / per[1]
	printf "  (--daemon: keepalived %.2f ms/check + dsr-checkd %.2f ms/check, its own agent checks included;\n", kaper[4], per[4] - kaper[4]
	printf "   keeper: keepalived %.2f ms/check + the keeper %.2f ms/check;\n", kaper[5], per[5] - kaper[5]
	printf "   TCP connections opened: one-shot %d for %d checks, --daemon %d, keeper %d for %d checks)\n",
		opens[3], checks[3], opens[4], opens[5], checks[5]
	above = per[3] - per[1]
	printf "direct dsr-check, one-shot, above the floor: %.2f ms/check = %.2fx SSL_GET (%.2f ms)\n", above, above / per[2], per[2]
	above = per[5] - per[1]
	printf "direct dsr-check with its keeper above the floor: %.2f ms/check = %.2fx SSL_GET; target <= 1x: %s\n",
		above, above / per[2], (above <= per[2] ? "met" : "MISSED")
	printf "--daemon: %.2fx /bin/true; target <= 1.2x: %s\n", per[4] / per[1], (per[4] <= 1.2 * per[1] ? "met" : "MISSED")
	if (ok !~ /^UP /) { print "bench: the direct check is not UP: " ok; exit 1 }
	if (okk !~ /^UP /) { print "bench: the check through the keeper is not UP: " okk; exit 1 }
}'
