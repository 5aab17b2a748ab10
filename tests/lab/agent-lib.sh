# SPDX-License-Identifier: Apache-2.0
# tests/lab/agent-lib.sh - helpers for the dsr-agent lab tests and demo,
# sourced after lib.sh.  Certificates and configs live under the guest's
# /tmp (tmpfs), never in the host's /etc.

AGENT_PKI=/tmp/pki
export AGENT_PKI AGENT_PORT=9443

# agent_pki RS...: a CA, one agent certificate per real server (IP SAN = its
# address) and a checker client certificate for the director.
agent_pki() {
	local rs
	dsrkit-pki --dir "$AGENT_PKI" ca >/dev/null || return 1
	for rs in "$@"; do
		dsrkit-pki --dir "$AGENT_PKI" agent "$rs" --ip "${LAB_ADDR[$rs]}" \
			${LAB_V6[$rs]:+--ip "${LAB_V6[$rs]}"} >/dev/null || return 1
	done
	dsrkit-pki --dir "$AGENT_PKI" checker director >/dev/null
}

# checker_conf [LINE...]: /tmp/dsrkit.conf, the checker's side of that PKI
# (the CA and the director's certificate), then each LINE ("timeout = 1s").
checker_conf() {
	{
		echo "ca = $AGENT_PKI/ca.crt"
		echo "cert = $AGENT_PKI/director.crt"
		echo "key = $AGENT_PKI/director.key"
		local l
		for l in "$@"; do echo "$l"; done
	} >/tmp/dsrkit.conf
}

# agent_start RS [extra config lines...]: dsr-agent serve in RS's namespace.
agent_start() {
	local rs=$1 conf=/tmp/agent-$1.conf
	shift
	{
		echo "tls_cert = $AGENT_PKI/$rs.crt"
		echo "tls_key = $AGENT_PKI/$rs.key"
		echo "tls_ca = $AGENT_PKI/ca.crt"
		echo "vip = $LAB_VIP 80"
		echo "facts_cache_ms = 200"
		local l
		for l in "$@"; do echo "$l"; done
	} >"$conf"
	bg_ns "$rs" "agent-$rs" dsr-agent serve --config "$conf"
	wait_for 5 ip netns exec "$rs" sh -c "ss -Hltn 'sport = :$AGENT_PORT' | grep -q ."
}

agent_stop() {
	[ -f "/tmp/agent-$1.pid" ] && kill "$(cat "/tmp/agent-$1.pid")" 2>/dev/null
	rm -f "/tmp/agent-$1.pid"
}

# agent_get NS RS [QUERY] [CERT]: GET /v1/status from NS with the checker's
# certificate (or CERT, a basename under the PKI dir, or "none").  RS is
# rsN (its IPv4 address), rsN-v6 (its IPv6 address) or an address.  Works
# in child shells too (no arrays needed).
agent_get() {
	local ns=$1 rs=$2 q=${3:-} cert=${4:-director} dir=${AGENT_CA_DIR:-$AGENT_PKI} host
	local args=(--cacert "$AGENT_PKI/ca.crt")
	case "$rs" in
	rs*-v6) host=${rs%-v6}; host="[2001:db8::$((10 + ${host#rs}))]" ;;
	rs*) host=192.0.2.$((10 + ${rs#rs})) ;;
	*:*) host="[$rs]" ;;
	*) host=$rs ;;
	esac
	[ "$cert" != none ] && args+=(--cert "$dir/$cert.crt" --key "$dir/$cert.key")
	ip netns exec "$ns" curl -sS --max-time 3 --noproxy '*' -g "${args[@]}" \
		"https://$host:$AGENT_PORT/v1/status${q:+?$q}"
}

# status_codes: the finding codes in a document (stdin), sorted, one line.
# The agent writes compact JSON; python would cost a second a call in UML.
status_codes() {
	grep -o '"code":"[A-Z_]*"' | sed 's/.*:"\(.*\)"/\1/' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# status_verdict: the verdict of the first evaluation (stdin: document).
status_verdict() {
	grep -o '"verdict":"[a-z]*"' | head -1 | sed 's/.*:"\(.*\)"/\1/'
}

# status_field EXPR: a Python expression over the document d.
status_field() {
	python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

export -f agent_get status_codes status_verdict status_field
