# SPDX-License-Identifier: Apache-2.0
# lab: timeout=120
# ipvs-readback: every service and destination attribute written by
# libdsrkit-ipvs (through dsrctl apply) reads back identically through
# ipvsadm, the independent oracle: the same table is built with ipvsadm in a
# second namespace and `ipvsadm -Sn` / `-Ln --thresholds` must match.  Then
# the library reads the ipvsadm-built table: a full compare plans nothing.
# IPv4, IPv6, TCP/UDP/SCTP, fwmark, every scheduler, mh/sh flags, one-packet,
# persistence with netmask, DR/TUN/NAT, weights and thresholds.
. tests/lab/lib.sh

lab_up <<EOT || { lab_fail topology "lab_up failed"; exit 1; }
director director 192.0.2.1 v6=2001:db8::1
host     oracle   192.0.2.3 v6=2001:db8::3
EOT
export DSRCTL_STATE_DIR=/tmp/dsrctl-state

conf=/tmp/readback.conf
cmds=/tmp/readback.ipvsadm
: >"$conf"; : >"$cmds"
port=8000
for s in rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh; do
	port=$((port + 1))
	cat >>"$conf" <<EOC
virtual_server 198.51.100.1 $port {
	lb_algo $s
	lb_kind DR
	protocol TCP
	real_server 192.0.2.11 $port { weight 1 }
	real_server 192.0.2.12 $port {
		weight 3
		uthreshold 100
		lthreshold 10
	}
}
EOC
	echo "-A -t 198.51.100.1:$port -s $s" >>"$cmds"
	echo "-a -t 198.51.100.1:$port -r 192.0.2.11:$port -g -w 1" >>"$cmds"
	echo "-a -t 198.51.100.1:$port -r 192.0.2.12:$port -g -w 3 -x 100 -y 10" >>"$cmds"
done
cat >>"$conf" <<'EOC'
virtual_server 198.51.100.2 53 {
	lb_algo mh
	mh-fallback
	mh-port
	ops
	lb_kind DR
	protocol UDP
	real_server 192.0.2.11 53 { weight 5 }
	real_server 192.0.2.13 53 { weight 0 }
}
virtual_server 198.51.100.3 443 {
	lb_algo sh
	sh-port
	lb_kind TUN
	protocol SCTP
	persistence_timeout 600
	persistence_granularity 255.255.255.0
	real_server 192.0.2.14 443 { weight 2 }
}
virtual_server 198.51.100.4 80 {
	lb_algo wrr
	lb_kind NAT
	protocol TCP
	persistence_timeout 30
	real_server 192.0.2.15 8080 { weight 7 }
	real_server 192.0.2.16 80 {
		weight 1
		lb_kind DR
	}
}
virtual_server 2001:db8::100 80 {
	lb_algo wlc
	lb_kind DR
	protocol TCP
	persistence_timeout 120
	persistence_granularity 64
	real_server 2001:db8::11 80 {
		weight 4
		uthreshold 9
	}
	real_server 2001:db8::12 80 { weight 2 }
}
virtual_server fwmark 7 {
	lb_algo rr
	lb_kind DR
	real_server 192.0.2.11 0 { weight 1 }
	real_server 192.0.2.12 0 { weight 2 }
}
virtual_server fwmark 8 {
	ip_family inet6
	lb_algo lc
	lb_kind DR
	real_server 2001:db8::11 0 { weight 1 }
}
EOC
cat >>"$cmds" <<'EOC'
-A -u 198.51.100.2:53 -s mh -b mh-fallback,mh-port -o
-a -u 198.51.100.2:53 -r 192.0.2.11:53 -g -w 5
-a -u 198.51.100.2:53 -r 192.0.2.13:53 -g -w 0
-A --sctp-service 198.51.100.3:443 -s sh -b sh-port -p 600 -M 255.255.255.0
-a --sctp-service 198.51.100.3:443 -r 192.0.2.14:443 -i -w 2
-A -t 198.51.100.4:80 -s wrr -p 30
-a -t 198.51.100.4:80 -r 192.0.2.15:8080 -m -w 7
-a -t 198.51.100.4:80 -r 192.0.2.16:80 -g -w 1
-A -t [2001:db8::100]:80 -s wlc -p 120 -M 64
-a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -g -w 4 -x 9
-a -t [2001:db8::100]:80 -r [2001:db8::12]:80 -g -w 2
-A -f 7 -s rr
-a -f 7 -r 192.0.2.11 -g -w 1
-a -f 7 -r 192.0.2.12 -g -w 2
-A -f 8 -6 -s lc
-a -f 8 -6 -r [2001:db8::11]:0 -g -w 1
EOC

lab_check dsrctl-apply in_ns director dsrctl apply "$conf"
lab_check ipvsadm-restore in_ns oracle ipvsadm -R <"$cmds"

for view in "-Sn" "-Ln" "-Ln --thresholds" "-Ln --persistent-conn"; do
	# shellcheck disable=SC2086
	in_ns director ipvsadm $view | sort >/tmp/got
	# shellcheck disable=SC2086
	in_ns oracle ipvsadm $view | sort >/tmp/want
	name="readback-ipvsadm${view// /}"
	if [ -s /tmp/want ] && diff -u /tmp/want /tmp/got >/tmp/diff; then
		lab_pass "$name"
	else
		lab_fail "$name" "$(head -20 /tmp/diff | tr '\n' '|')"
	fi
done
n=$(in_ns oracle ipvsadm -Sn | grep -c '^-A')
lab_expect services-read-by-oracle "$n" 19

# The library reads the table that ipvsadm built: a full compare finds it
# identical to the file, attribute by attribute.
out=$(in_ns oracle dsrctl apply --dry-run --full "$conf" 2>&1)
echo "$out"
case "$out" in
*"plan: 0 operations"*) lab_pass library-reads-ipvsadm-table ;;
*) lab_fail library-reads-ipvsadm-table "$(echo "$out" | head -5 | tr '\n' '|')" ;;
esac

# Status sees every real server with its forwarding method.
in_ns director dsrctl status
st=$(in_ns director dsrctl status --json)
ok=$(echo "$st" | python3 -c '
import json, sys
d = json.load(sys.stdin)
svcs = d["services"]
fw = sorted({r["forward"] for s in svcs for r in s["real_servers"]})
print(len(svcs), ",".join(fw))')
lab_expect status-json "$ok" "19 DR,NAT,TUN"

# Errors carry the operation, the object and the kernel's own errno.
out=$(in_ns director dsrctl drain 198.51.100.9:80 192.0.2.11 2>&1)
case "$out" in
*"get service TCP 198.51.100.9:80: No such process"*) lab_pass error-names-object ;;
*) lab_fail error-names-object "$out" ;;
esac

# Colour: on a terminal only (script(1) gives dsrctl a pseudo-terminal), a
# non-DR real server red, never with NO_COLOR, never into a pipe.
esc=$'\033['
on_pty() { in_ns director env "$@" 2>&1 </dev/null; }
out=$(on_pty -u NO_COLOR TERM=xterm script -qefc 'dsrctl status' /dev/null)
case "$out" in *"${esc}31m"*NAT*) lab_pass status-colour-on-terminal ;; *) lab_fail status-colour-on-terminal "$(echo "$out" | head -3 | cat -v)" ;; esac
out=$(on_pty NO_COLOR=1 TERM=xterm script -qefc 'dsrctl status' /dev/null)
case "$out" in *"$esc"*) lab_fail status-no-color "$(echo "$out" | head -3 | cat -v)" ;; *NAT*) lab_pass status-no-color ;; *) lab_fail status-no-color "no output: $out" ;; esac
out=$(in_ns director env -u NO_COLOR TERM=xterm dsrctl status | cat)
case "$out" in *"$esc"*) lab_fail status-pipe-plain "coloured" ;; *NAT*) lab_pass status-pipe-plain ;; *) lab_fail status-pipe-plain "no output" ;; esac
