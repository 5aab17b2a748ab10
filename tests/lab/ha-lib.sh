# SPDX-License-Identifier: Apache-2.0
# tests/lab/ha-lib.sh - a keepalived VRRP pair of directors with IPVS
# connection sync, for the HA lab tests and the demo; sourced after lib.sh,
# agent-lib.sh.  Every file lives on the guest's tmpfs.
#
# Directors dir1 (192.0.2.1) and dir2 (192.0.2.3) share VIP 192.0.2.100 by
# VRRP; each runs keepalived with its own config and pid files, the same
# virtual_server (dsr-check as MISC_CHECK against the agents), and - with
# sync on - both kernel sync daemons: a master with its own sync id (dir1: 1,
# dir2: 2) and a backup listening for the peer's id.  keepalived's
# lvs_sync_daemon drives only one of the two daemons, switching with the
# VRRP state, so a director that boots as BACKUP learns the table but the
# one that is MASTER never does until it stops being MASTER; ipvsadm starts
# both, once, before keepalived (see doc/ha.md).

HA_VRID=51
HA_RS=${HA_RS:-2}
declare -A HA_ADDR=([dir1]=192.0.2.1 [dir2]=192.0.2.3)
declare -A HA_SYNCID=([dir1]=1 [dir2]=2)
declare -A HA_PEER=([dir1]=dir2 [dir2]=dir1)

# ha_topology: client, HA_RS real servers with agents; directors come later.
ha_topology() {
	local i names=()
	lab_up < <(
		echo "client client 192.0.2.2"
		for i in $(seq 1 "$HA_RS"); do
			echo "rs rs$i $(lab_rs_addr "$i") vip=$LAB_VIP http=80"
		done
	) || return 1
	for i in $(seq 1 "$HA_RS"); do names+=("rs$i"); done
	agent_pki "${names[@]}" || return 1
	for i in "${names[@]}"; do agent_start "$i" || return 1; done
	checker_conf "timeout = 5s"
}

# ha_conf DIR PRIO ADVERT VERSION [EXTRA...]: DIR's keepalived.conf on stdout;
# EXTRA lines go into the vrrp_instance (nopreempt, preempt_delay 8).
ha_conf() {
	local d=$1 prio=$2 adv=$3 ver=$4 i
	shift 4
	local check="$LAB_BIN/dsr-check --config /tmp/dsrkit.conf --vip $LAB_VIP --port 80"
	cat <<EOT
global_defs {
    router_id $d
    script_user root
    vrrp_version $ver
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id $HA_VRID
    priority $prio
    advert_int $adv
$(for i in "$@"; do echo "    $i"; done)
    virtual_ipaddress {
        $LAB_VIP/32 dev eth0
    }
}
virtual_server $LAB_VIP 80 {
    delay_loop 10
    lb_algo wlc
    lb_kind DR
    protocol TCP
    # a check timed out on a loaded machine leaves the server at weight 0
    # (its connections go on) instead of removing it
    inhibit_on_failure
EOT
	for i in $(seq 1 "$HA_RS"); do
		cat <<EOT
    real_server $(lab_rs_addr "$i") 80 {
        weight 1
        MISC_CHECK {
            misc_path "$check --rs $(lab_rs_addr "$i") --dynamic --weight 1"
            misc_timeout 8
            misc_dynamic
        }
    }
EOT
	done
	echo "}"
}

# ha_boot DIR SYNC PRIO ADVERT VERSION [EXTRA...]: DIR comes up as a freshly
# booted director: a new namespace (no IPVS table, no connection), the sync
# daemons when SYNC is "sync", then keepalived.
ha_boot() {
	local d=$1 sync=$2
	shift 2
	ip netns del "$d" 2>/dev/null
	# the old namespace's veth may outlive it for a moment
	ip link del "v-$d" 2>/dev/null
	wait_for 10 bash -c "! ip link show v-$d" 2>/dev/null
	lab_add_host director "$d" "${HA_ADDR[$d]}" || return 1
	if [ "$sync" = sync ]; then
		in_ns "$d" ipvsadm --start-daemon master --syncid "${HA_SYNCID[$d]}" --mcast-interface eth0 || return 1
		in_ns "$d" ipvsadm --start-daemon backup --syncid "${HA_SYNCID[${HA_PEER[$d]}]}" --mcast-interface eth0 || return 1
	fi
	ha_conf "$d" "$@" >"/tmp/ka-$d.conf"
	# a reboot empties /run: no pid file of the killed keepalived survives
	# it (left here, keepalived takes an unreaped child's pid for a running
	# daemon: "daemon is already running", and does not start)
	rm -f "/tmp/ka-$d-main.pid" "/tmp/ka-$d-vrrp.pid" "/tmp/ka-$d-check.pid"
	bg_ns "$d" "ka-$d" keepalived -n -l -G -D -B -f "/tmp/ka-$d.conf" -p "/tmp/ka-$d-main.pid" \
		-r "/tmp/ka-$d-vrrp.pid" -c "/tmp/ka-$d-check.pid"
}

# ha_serving DIR: DIR's IPVS table has every real server with a weight
# (keepalived's checker has set it up).
ha_serving() {
	[ "$(ip netns exec "$1" ipvsadm -Ln -t "$LAB_VIP:80" 2>/dev/null | awk '$3 == "Route" && $4 > 0' | wc -l)" -ge "$HA_RS" ]
}

# ha_holds DIR: DIR has the VIP on eth0 (it is the VRRP master).
ha_holds() { ip -n "$1" -br addr show dev eth0 2>/dev/null | grep -q " $LAB_VIP/32"; }

# ha_conns DIR: established connections to the VIP in DIR's IPVS table.
ha_conns() {
	ip netns exec "$1" ipvsadm -Lnc 2>/dev/null | awk -v v="$LAB_VIP:80" '$3 == "ESTABLISHED" && $5 == v {n++} END {print n + 0}'
}

# ha_crash DIR: what a director dying looks like: SIGKILL to every
# keepalived process (parent, VRRP and checker children) and its link down.
ha_crash() {
	local d=$1 main
	main=$(cat "/tmp/ka-$d-main.pid" 2>/dev/null)
	if [ -n "$main" ]; then
		# the children by their parent's pid, then the parent: all at once
		pkill -KILL -P "$main" 2>/dev/null
		kill -KILL "$main" 2>/dev/null
	fi
	ip -n "$d" link set eth0 down
}

# ha_stop DIR: a clean stop of DIR's keepalived, then its namespace.
ha_stop() {
	local d=$1
	[ -f "/tmp/ka-$d-main.pid" ] && kill "$(cat "/tmp/ka-$d-main.pid")" 2>/dev/null
	sleep 0.5
	ip netns del "$d" 2>/dev/null
	return 0
}

# Sessions: labsessions in the client, one line per period in /tmp/sess.out.
HA_SESS_OUT=/tmp/sess.out
ha_sessions_start() {
	wait_for 60 ha_serving dir1 || wait_for 5 ha_serving dir2 || return 1
	: >"$HA_SESS_OUT"
	ip netns exec client labsessions --host "$LAB_VIP" --port 80 --sessions "$1" \
		--interval-ms 100 --out "$HA_SESS_OUT" >/tmp/sess.log 2>&1 &
	HA_SESS_PID=$!
	wait_for 20 grep -q '^ready' "$HA_SESS_OUT"
}

# ha_period: closes the sessions' period and prints its line; a client
# that is gone prints a line that no expectation accepts.
ha_period() {
	local n
	n=$(grep -c '^alive' "$HA_SESS_OUT")
	kill -USR1 "$HA_SESS_PID" 2>/dev/null
	if wait_true 10 '[ "$(grep -c "^alive" "$HA_SESS_OUT")" -gt "$n" ]'; then
		grep '^alive' "$HA_SESS_OUT" | tail -1
	else
		echo "alive=none labsessions-gone: $(tail -2 /tmp/sess.log | tr '\n' ' ')"
	fi
}

# ha_mark: tells the sessions "the failover starts now" (see labsessions).
ha_mark() { kill -USR2 "$HA_SESS_PID"; sleep 0.05; }

ha_sessions_stop() {
	kill "$HA_SESS_PID" 2>/dev/null
	wait "$HA_SESS_PID" 2>/dev/null
}

# field LINE KEY: the value of KEY=... in a period line.
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# now_s: CLOCK_REALTIME in seconds with milliseconds.
now_s() { date +%s.%3N; }

# --- the HA tests' steps (N: the test's number of sessions) ---

# expect_kept NAME LINE: every session alive, none reset, no answer lost.
expect_kept() {
	local got
	got="alive=$(field "$2" alive) broken=$(field "$2" broken) lost=$(field "$2" lost) wrong=$(field "$2" wrong)"
	lab_expect "$1" "$got" "alive=$N broken=0 lost=0 wrong=0"
	[ "$(field "$2" answers)" -gt 0 ] || lab_fail "$1-answers" "no answer in the period: $2"
}

# takeover NAME DIR: wait until DIR holds the VIP.
takeover() {
	if wait_for "${3:-20}" ha_holds "$2"; then lab_pass "$1"; else
		lab_fail "$1" "$2 never took the VIP; log: $(tail -3 "/tmp/ka-$2.log" | tr '\n' ' ')"; return 1; fi
}

# synced NAME DIR: DIR's table holds (at least) every session.
synced() {
	local i c
	for i in $(seq 1 50); do
		c=$(ha_conns "$2")
		[ "$c" -ge "$N" ] && break
		sleep 0.3
	done
	if [ "$c" -ge "$N" ]; then lab_pass "$1"; else lab_fail "$1" "$2 holds $c of $N connections"; fi
}

# failover NAME LINE: prints the failover time of the period.
declare -A FIG
failover() {
	local gap mark
	gap=$(field "$2" gap_ms) mark=$(field "$2" mark_ms)
	lab_log "$1: $2"
	lab_log "$1: failover ${gap} ms (last answer through the old master to the first through the new one); first answer ${mark} ms after the kill"
	FIG[$1]="failover $gap ms, first answer $mark ms after the kill"
}
