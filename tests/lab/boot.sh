# SPDX-License-Identifier: Apache-2.0
# tests/lab/boot.sh - boots a User-Mode Linux guest with the host's files as
# its root and runs one script inside it.  Sourced by tests/lab/run,
# tests/lab/demo and tests/bench/run.

lab_boot_preflight() {
	if ! command -v linux.uml >/dev/null 2>&1; then
		echo "lab: linux.uml not found: run 'make deps' (package user-mode-linux)" >&2
		return 1
	fi
	local v
	v=$(linux.uml --version 2>/dev/null | head -1)
	if [ -z "$v" ] || [ ! -e "/lib/modules/$v/modules.dep" ]; then
		echo "lab: UML modules for '$v' not under /lib/modules: run 'make deps'" >&2
		return 1
	fi
	return 0
}

# lab_boot SCRIPT OUTDIR TIMEOUT MEM [VERBOSE]
# Runs SCRIPT inside a fresh guest; OUTDIR (absolute, in the host tree) gets
# results, test.log, rc and done.  The whole guest is killed after TIMEOUT
# seconds (returns 124).  With VERBOSE=1 the script's output goes to the
# console (our stderr) instead of test.log.
lab_boot() {
	local script=$1 out=$2 timeout=$3 mem=$4 verbose=${5:-0}
	local root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	local umldir
	umldir=$(mktemp -d "$( [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo /tmp)/dsrlab.XXXXXX")
	# BENCH_* variables of this shell reach the guest (guest-init reads them)
	local v
	: >"$out/guest.env"
	for v in $(compgen -e); do
		[[ $v =~ ^BENCH_[A-Z0-9_]+$ ]] && declare -p "$v" >>"$out/guest.env"
	done
	# UML keeps guest memory in a file under TMPDIR.
	TMPDIR=$umldir setsid linux.uml mem="$mem" root=/dev/root rootfstype=hostfs rootflags=/ rw \
		init="$root/tests/lab/guest-init" con=null con0=null,fd:2 quiet loglevel=1 \
		DSRLAB_ROOT="$root" DSRLAB_SCRIPT="$script" DSRLAB_OUT="$out" \
		DSRLAB_TIMEOUT="${LAB_INNER_TIMEOUT:-$((timeout - 10))}" DSRLAB_VERBOSE="$verbose" </dev/null &
	local pid=$! t=0 rc
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$t" -ge "$((timeout * 5))" ]; then
			kill -KILL -- "-$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			rm -rf "$umldir"
			return 124
		fi
		sleep 0.2
		t=$((t + 1))
	done
	wait "$pid"
	rc=$?
	# UML helper processes share the session; make sure none outlive the guest.
	kill -KILL -- "-$pid" 2>/dev/null
	rm -rf "$umldir"
	return $rc
}
