# bench: where=lab timeout=900 mem=2G
# ipvs-apply: 10,000 DR services with 4 real servers each, side by side:
#   full load from empty   dsrctl apply          vs ipvsadm -R (same table)
#   no-op re-apply         dsrctl apply          vs ipvsadm -Sn (listing it)
#   1% change (100 svcs)   dsrctl apply --partial (a file of the changed
#                          services) and dsrctl apply (the whole file)
#                                                vs one ipvsadm process per change
# and the memory dsrctl and the kernel use at 10,000 services.  Targets (issue
# 3): load >= 5x faster, change >= 50x faster, no-op no slower than -Sn.
. tests/lab/lib.sh
set -u
N=${BENCH_SERVICES:-10000}
export DSRCTL_STATE_DIR=/tmp/dsrctl-state

# The measurements run inside the director's namespace itself, so that no
# `ip netns exec` start-up is counted on either side.
if [ "${1:-}" != --inner ]; then
	lab_up <<EOT || { echo "bench: lab_up failed"; exit 1; }
director director 192.0.2.1
EOT
	exec ip netns exec director bash "$0" --inner
fi

# VIPs 198.51.100.1-100 x ports 1000-..., real servers 192.0.2.11-14 on the
# VIP's port (DR keeps ports).  WEIGHT_CHANGE services get weight 2 on rs1.
gen_conf() {
	awk -v n="$N" -v change="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			vip = "198.51.100." (i % 100 + 1); port = 1000 + int(i / 100)
			w = (i < change) ? 2 : 1
			printf "virtual_server %s %d {\n\tlb_algo wlc\n\tlb_kind DR\n\tprotocol TCP\n", vip, port
			for (r = 1; r <= 4; r++)
				printf "\treal_server 192.0.2.%d %d {\n\t\tweight %d\n\t}\n", 10 + r, port, (r == 1 ? w : 1)
			printf "}\n"
		}
	}'
}
gen_ipvsadm() {
	awk -v n="$N" 'BEGIN {
		for (i = 0; i < n; i++) {
			vip = "198.51.100." (i % 100 + 1); port = 1000 + int(i / 100)
			printf "-A -t %s:%d -s wlc\n", vip, port
			for (r = 1; r <= 4; r++)
				printf "-a -t %s:%d -r 192.0.2.%d:%d -g -w 1\n", vip, port, 10 + r, port
		}
	}'
}
CHANGE=$((N / 100))
gen_conf 0 >/tmp/full.conf
gen_conf "$CHANGE" >/tmp/change.conf
# the changed services alone: the first CHANGE virtual_server blocks
awk -v n="$CHANGE" '/^virtual_server/ {k++} k <= n' /tmp/change.conf >/tmp/partial.conf
# the same services with weight 3: alternating the two, every run changes 100
sed 's/^\t\tweight 2$/\t\tweight 3/' /tmp/partial.conf >/tmp/partial3.conf
gen_ipvsadm >/tmp/full.ipvsadm
awk -v n="$CHANGE" 'BEGIN { for (i = 0; i < n; i++) {
	vip = "198.51.100." (i % 100 + 1); port = 1000 + int(i / 100)
	printf "ipvsadm -e -t %s:%d -r 192.0.2.11:%d -g -w 2\n", vip, port, port } }' >/tmp/change.sh

now() { echo "$EPOCHREALTIME"; } # no process: nothing but the command is timed
# tm VAR CMD...: seconds CMD took, into VAR
tm() {
	local var=$1 t0 t1
	shift
	t0=$(now)
	"$@"
	t1=$(now)
	printf -v "$var" '%.3f' "$(echo "$t1 - $t0" | bc)"
}
slab() { awk '/^Slab:/ {print $2}' /proc/meminfo; }
ratio() { echo "scale=1; $1 / $2" | bc; }

echo "bench ipvs-apply: $N DR services x 4 real servers ($((N * 5)) objects), UML guest, kernel $(uname -r)"
echo

# --- full load (dsrctl), then no-op, then the change ---
slab0=$(slab)
tm t_load /usr/bin/time -f '%M' -o /tmp/rss.load dsrctl apply -q /tmp/full.conf >/tmp/load.out
slab1=$(slab)
h_load=$(ipvsadm -Sn | sort | md5sum)
cat /tmp/load.out

tm t_noop /usr/bin/time -f '%M' -o /tmp/rss.noop dsrctl apply -q /tmp/full.conf >/tmp/noop.out
tm t_noopfull dsrctl apply -q --full /tmp/full.conf >/tmp/noopfull.out
tm t_list sh -c 'ipvsadm -Sn >/dev/null'
cat /tmp/noop.out /tmp/noopfull.out

# one process is at the mercy of one scheduling delay: median of 5 runs,
# each of them changing the 100 services (weight 2, 3, 2, 3, 2)
runs=()
for f in partial partial3 partial partial3 partial; do
	tm t dsrctl apply -q --partial "/tmp/$f.conf" >/tmp/partial.out
	runs+=("$t")
done
t_partial=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p)
echo "--partial runs: ${runs[*]} (median $t_partial)"
h_change=$(ipvsadm -Sn | sort | md5sum)
dsrctl apply -q /tmp/full.conf >/dev/null # back to the full table
tm t_change dsrctl apply -q /tmp/change.conf >/tmp/change.out
[ "$(ipvsadm -Sn | sort | md5sum)" = "$h_change" ] || h_change=mismatch
dsrctl apply -q /tmp/full.conf >/dev/null # back to the full table
tm t_changefull dsrctl apply -q --full /tmp/change.conf >/tmp/changefull.out
dsrctl apply -q /tmp/full.conf >/dev/null
cat /tmp/partial.out /tmp/change.out /tmp/changefull.out

# --- the same with ipvsadm ---
tm t_procs sh /tmp/change.sh
[ "$(ipvsadm -Sn | sort | md5sum)" = "$h_change" ] && same2=identical || same2=DIFFERENT
ipvsadm -C
tm t_restore sh -c 'ipvsadm -R </tmp/full.ipvsadm'
[ "$(ipvsadm -Sn | sort | md5sum)" = "$h_load" ] && same=identical || same=DIFFERENT

r_load=$(ratio "$t_restore" "$t_load")
r_noop=$(ratio "$t_list" "$t_noop")
r_noopfull=$(ratio "$t_list" "$t_noopfull")
r_change=$(ratio "$t_procs" "$t_change")
r_partial=$(ratio "$t_procs" "$t_partial")
r_changefull=$(ratio "$t_procs" "$t_changefull")
verdict() { if [ "$(echo "$1 >= $2" | bc)" = 1 ]; then echo "met"; else echo "MISSED"; fi; }
echo
printf '%-34s %10s   %-28s %10s   %7s  %s\n' "case" "dsrctl" "reference" "reference" "speedup" "target"
printf '%-34s %9ss   %-28s %9ss   %6sx  >= 5x: %s\n' "full load from empty" "$t_load" "ipvsadm -R" "$t_restore" "$r_load" "$(verdict "$r_load" 5)"
printf '%-34s %9ss   %-28s %9ss   %6sx  >= 1x: %s\n' "no-op re-apply" "$t_noop" "ipvsadm -Sn (listing)" "$t_list" "$r_noop" "$(verdict "$r_noop" 1)"
printf '%-34s %9ss   %-28s %9ss   %6sx  >= 1x: %s\n' "no-op re-apply --full" "$t_noopfull" "ipvsadm -Sn (listing)" "$t_list" "$r_noopfull" "$(verdict "$r_noopfull" 1)"
printf '%-34s %9ss   %-28s %9ss   %6sx  >= 50x: %s\n' "1% change, --partial (median of 5)" "$t_partial" "$CHANGE ipvsadm processes" "$t_procs" "$r_partial" "$(verdict "$r_partial" 50)"
printf '%-34s %9ss   %-28s %9ss   %6sx  >= 50x: %s\n' "1% change, whole $N-service file" "$t_change" "$CHANGE ipvsadm processes" "$t_procs" "$r_change" "$(verdict "$r_change" 50)"
printf '%-34s %9ss   %-28s %9ss   %6sx  (informative)\n' "1% change, whole file --full" "$t_changefull" "$CHANGE ipvsadm processes" "$t_procs" "$r_changefull"
echo
echo "tables: dsrctl load vs ipvsadm -R $same; dsrctl change vs ipvsadm processes $same2"
echo "memory at $N services: dsrctl peak RSS $(( $(cat /tmp/rss.load) / 1024 )) MiB (full load)," \
	"$(( $(cat /tmp/rss.noop) / 1024 )) MiB (no-op); kernel slab +$(( (slab1 - slab0) / 1024 )) MiB for the IPVS table"
[ "$same" = identical ] && [ "$same2" = identical ]
