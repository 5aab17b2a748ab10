# SPDX-License-Identifier: Apache-2.0
# lab: timeout=300
# keepalived itself is the oracle of how dsrctl reads keepalived.conf.
# Every configuration of the corpus (tests/lab/ka-oracle/*.conf, and the
# samples with virtual servers that Debian's keepalived ships, moved to lab
# addresses) is loaded twice: by keepalived 2.2 (checker process only,
# health checkers and scripts stripped: no probe traffic, no VRRP) and by
# `dsrctl apply` (the file as written, checkers included).  Each load gets a
# network namespace of its own, so each has its own empty IPVS table (no
# flush between loads).  The two `ipvsadm -Sn` dumps,
# sorted, must be the same; a difference fails with the file and the diff.
. tests/lab/lib.sh
C=tests/lab/ka-oracle
SAMPLES=/usr/share/doc/keepalived/samples
W=/tmp/oracle
mkdir -p "$W"

command -v keepalived >/dev/null || { lab_fail keepalived "keepalived is not installed (make deps)"; exit 1; }
names=()
for f in "$C"/*.conf; do
	n=$(basename "$f" .conf)
	cp "$f" "$W/$n.dsr"
	names+=("$n")
done
# Debian's samples are read where the package put them (GPL-2: not copied
# into the tree); a missing folder fails, as a missing tool does.
if [ -d "$SAMPLES" ]; then
	for f in $(grep -l '^virtual_server' "$SAMPLES"/keepalived.conf.*); do
		n=debian-${f##*keepalived.conf.}
		awk -f "$C/lab-addr.awk" "$f" >"$W/$n.dsr"
		names+=("$n")
	done
else
	lab_fail debian-samples "$SAMPLES is missing (keepalived's documentation: make deps)"
fi
lab_log "corpus: ${#names[@]} files: ${names[*]}"

# dsrctl first: one process a file, each in its own namespace (IPVS needs
# no interface, not even lo up)
t0=$SECONDS
i=0
for n in "${names[@]}"; do
	i=$((i + 1))
	# lo up: without a local route table the kernel takes every IPv4
	# real server for a broadcast address and refuses it (EINVAL)
	ip netns add "ds$i" && ip -n "ds$i" link set lo up
	if grep -q BAD-ADDRESS "$W/$n.dsr"; then
		echo "an address outside the lab ranges (tests/lab/ka-oracle/lab-addr.awk)" >"$W/$n.dsr.log"
		continue
	fi
	DSRCTL_STATE_DIR=$W/state$i ip netns exec "ds$i" dsrctl apply --quiet "$W/$n.dsr" >"$W/$n.dsr.log" 2>&1 ||
		echo "dsrctl apply exit $?" >>"$W/$n.dsr.log"
done
lab_log "dsrctl applied ${#names[@]} files in $((SECONDS - t0)) s"

# has_started LOG: keepalived's checker has built its table (or keepalived
# gave up on the file).  Bash builtins only: a fork costs in this guest.
has_started() {
	local lines
	mapfile -t lines <"$1"
	[[ "${lines[*]}" == *"Startup complete"* || "${lines[*]}" == *"Stopped Keepalived"* ]]
}
# keepalived BATCH files at a time: each lives only until its checker has
# built the table, then is killed outright (-9: its table stays in its
# namespace for the comparison, and no slow shutdown).
BATCH=5
t0=$SECONDS
compare() {
	local n=$1 i=$2 d
	ip netns exec "ds$i" ipvsadm -Sn | sort >"$W/$n.ds.table"
	if grep -q "apply exit\|^ipvs:" "$W/$n.dsr.log"; then
		lab_fail "$n" "dsrctl apply failed: $(tr '\n' '|' <"$W/$n.dsr.log")"
	elif [ ! -s "$W/$n.ka.table" ]; then
		lab_fail "$n" "keepalived built no table: $(grep -v '^$' "$W/$n.ka.log" | tail -3 | tr '\n' '|')"
	elif d=$(diff -u "$W/$n.ka.table" "$W/$n.ds.table"); then
		lab_pass "$n"
	else
		lab_fail "$n" "keepalived (-) and dsrctl apply (+) differ: $(echo "$d" | tail -n +3 | tr '\n' '|') dsrctl said: $(tr '\n' '|' <"$W/$n.dsr.log")"
	fi
}
total=${#names[@]}
for ((first = 0; first < total; first += BATCH)); do
	batch=()
	for ((k = first; k < first + BATCH && k < total; k++)); do
		n=${names[$k]} i=$((k + 1))
		batch+=("$k")
		awk -f "$C/strip.awk" "$W/$n.dsr" >"$W/$n.ka"
		ip netns add "ka$i" && ip -n "ka$i" link set lo up
		ip netns exec "ka$i" keepalived -n -l -D -C -f "$W/$n.ka" -p "$W/ka$i.pid" -c "$W/kac$i.pid" \
			>"$W/$n.ka.log" 2>&1 &
	done
	for k in "${batch[@]}"; do
		n=${names[$k]} i=$((k + 1))
		for ((tries = 0; tries < 600; tries++)); do
			has_started "$W/$n.ka.log" && break
			sleep 0.1
		done
		has_started "$W/$n.ka.log" || lab_log "$n: keepalived did not say it started"
	done
	sleep 0.3
	for k in "${batch[@]}"; do
		n=${names[$k]} i=$((k + 1))
		ip netns exec "ka$i" ipvsadm -Sn | sort >"$W/$n.ka.table"
		ip netns pids "ka$i" | xargs -r kill -9
		compare "$n" "$i"
	done
done 2>/dev/null
lab_log "keepalived loaded ${#names[@]} files in $((SECONDS - t0)) s"

# track_file: what keepalived does when the file goes away (dsr-checkd
# deletes the file of a target a reload removed: checkd-standalone).  A
# VRRP instance alone on a dummy interface, weight 0: non-zero is a fault.
lab_log "track_file: a deleted or moved file"
ip netns add trk && ip -n trk link set lo up && ip -n trk link add trk0 type dummy &&
	ip -n trk link set trk0 up && ip -n trk addr add 192.0.2.1/24 dev trk0
echo 1 >"$W/tf"
cat >"$W/track.conf" <<EOT
track_file TF {
    file $W/tf
    weight 0
}
vrrp_instance V1 {
    interface trk0
    state BACKUP
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.200/32
    }
    track_file {
        TF
    }
}
EOT
ip netns exec trk keepalived -n -l -D -P -f "$W/track.conf" -p "$W/kt.pid" -r "$W/ktr.pid" >"$W/track.log" 2>&1 &
ktrack=$!
faults() { grep -c "tracked file TF now FAULT\|entering FAULT state (tracked file TF" "$W/track.log"; }
oks() { grep -c "tracked file TF leaving FAULT" "$W/track.log"; }
# expect_track NAME FAULTS OKS: the counts of transitions keepalived logged
expect_track() {
	if wait_for 30 sh -c "[ \$(grep -c 'tracked file TF now FAULT\|entering FAULT state (tracked file TF' $W/track.log) -ge $2 ] &&
		[ \$(grep -c 'tracked file TF leaving FAULT' $W/track.log) -ge $3 ]"; then
		lab_pass "$1"
	else
		lab_fail "$1" "faults $(faults) (want $2), leaving fault $(oks) (want $3): $(grep TF "$W/track.log" | tail -3 | tr '\n' '|')"
	fi
}
expect_track track-1-is-fault 1 0
rm "$W/tf"
expect_track track-deleted-file-reads-0 1 1
echo 1 >"$W/tf"
expect_track track-recreated-1-is-fault 2 1
mv "$W/tf" "$W/tf.old"
expect_track track-moved-away-reads-0 2 2
ip netns pids trk | xargs -r kill -9
exit 0
