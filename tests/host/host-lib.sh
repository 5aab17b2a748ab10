# SPDX-License-Identifier: Apache-2.0
# tests/host/host-lib.sh - what the host tests share (sourced): private
# network, mount and PID namespaces, a private tmpfs, the ok/bad counters.

# host_test_enter NAME "TOOL..." [ARGS...]: outside, check the tools and
# run the calling script again inside its own namespaces (unshare); the
# PID namespace ends every process it started when the script (its init)
# ends or is killed (--kill-child).  Inside, W is a fresh directory with
# a tmpfs of this mount namespace (gone with it), and the counters are 0.
host_test_enter() {
	local name=$1 tools=$2 t
	shift 2
	HOST_TEST_NAME=$name
	if [ -z "${DSRKIT_HOST_TEST_INNER:-}" ]; then
		for t in unshare $tools; do
			command -v "$t" >/dev/null ||
				{ echo "FAIL $name: $t not installed"; echo "$name: 0 passed, 1 failed"; exit 1; }
		done
		DSRKIT_HOST_TEST_INNER=1 exec unshare --net --mount --pid --fork --kill-child --mount-proc -- "$0" "$@"
	fi
	W=$(mktemp -d "/tmp/dsrkit-$name.XXXXXX")
	mount -t tmpfs tmpfs "$W"
	passed=0 failed=0
}
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
# the summary line, and the exit status: 0 when nothing failed
host_test_finish() {
	echo "$HOST_TEST_NAME: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
