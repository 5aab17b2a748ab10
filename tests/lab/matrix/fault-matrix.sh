#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# lab: timeout=1500 mem=640M
# fault-matrix: dsr-checkd in standalone mode (it drives IPVS) against each
# fault of the reliability matrix while a client sends one request every
# 50 ms through the VIP (tests/lab/tools/loopclient.py).  Each row reports:
# detected (did IPVS drain rs1, or for a director-side fault: did it hold),
# the verdict code, the detection time (ms from injection to drain) and the
# requests lost between injection and repair.  Rows are written to
# $LAB_OUT/matrix.tsv; doc/reliability.md holds the table of the last run.
# Kinds: drain  rs1 must reach weight 0 (a real fault)
#        hold   no weight may change although checks fail (fail-safe)
#        quiet  no weight may change and nothing may fail (rotations, restart)
# This file: the real-server and certificate rows; the director's rows are
# in fault-matrix-director.sh.  Common part: tests/lab/matrix-lib.sh.
. tests/lab/matrix-lib.sh
# one misbehaving agent process for every row, switched by SIGHUP
echo off >/tmp/fake.mode
bg_ns rs1 fake-rs1 python3 "$TOOLS/fakeagent.py" /tmp/fake.mode "$AGENT_PORT" "$AGENT_PKI/rs1.crt" "$AGENT_PKI/rs1.key"
fake_agent() {   # fake_agent MODE: rs1's agent replaced by a misbehaving one
	wait_secs 120 test -f /tmp/fake.mode.ready || lab_log "fakeagent.py not ready"
	agent_stop rs1
	echo "$1" >/tmp/fake.mode
	kill -HUP "$(cat /tmp/fake-rs1.pid)"
}
fake_stop() { echo off >/tmp/fake.mode; kill -HUP "$(cat /tmp/fake-rs1.pid)"; sleep 0.3; agent_start rs1; }
# every certificate the rows need, made in two python runs (slow to start here)
mkdir -p /tmp/ca2; dsrkit-pki --dir /tmp/ca2 ca --name "dsrkit lab CA 2" >/dev/null
C=/tmp/certs
python3 "$TOOLS/mkcert.py" "$AGENT_PKI" $C/rs1-expired agent -7200 -3600 "$RS1" $C/rs1-wrong-san agent -60 86400 192.0.2.99 \
	$C/rs1-future agent 600 86400 "$RS1" $C/director-expired checker -7200 -3600 - \
	$C/director-new checker -60 86400 - $C/rs1-new agent -60 86400 "$RS1" || lab_fail mkcert "lab CA"
python3 "$TOOLS/mkcert.py" /tmp/ca2 $C/rs1-ca2 agent -60 86400 "$RS1" $C/director-ca2 checker -60 86400 - ||
	lab_fail mkcert "CA 2"
# private keys: the agent refuses one every account may read
chmod 600 $C/*.key


lab_log "== real server"
pin_vip_to_director
row vip-removed drain "ip -n rs1 addr del $LAB_VIP/32 dev lo" "ip -n rs1 addr add $LAB_VIP/32 dev lo" VIP_MISSING
row vip-as-24 drain "ip -n rs1 addr del $LAB_VIP/32 dev lo; ip -n rs1 addr add $LAB_VIP/24 dev lo" \
	"ip -n rs1 addr del $LAB_VIP/24 dev lo; ip -n rs1 addr add $LAB_VIP/32 dev lo"
# on eth0 first, then off lo: never a moment without the VIP (the agent
# pushes each state it sees, and VIP_MISSING would come first)
ROW_CODE_WAIT=5 row vip-on-nic drain "ip -n rs1 addr add $LAB_VIP/32 dev eth0; ip -n rs1 addr del $LAB_VIP/32 dev lo" \
	"ip -n rs1 addr add $LAB_VIP/32 dev lo; ip -n rs1 addr del $LAB_VIP/32 dev eth0" VIP_ON_ARP_IFACE
row arp-reset drain "lab_rs_arp rs1 0 0" "lab_rs_arp rs1 1 2" ARP_IGNORE
row not-listening drain "kill \$(cat /tmp/http-rs1.pid)" \
	"bg_ns rs1 http-rs1 labhttpd --port 80 --name rs1; wait_for 3 ip netns exec rs1 sh -c \"ss -Hltn 'sport = :80' | grep -q .\"" \
	NO_LISTENER
row agent-stopped drain "agent_stop rs1" "agent_start rs1" CONNECT_REFUSED
ROW_CODE_WAIT=15 row agent-hung drain "fake_agent hang" fake_stop TLS_TIMEOUT
row agent-garbage drain "fake_agent garbage" fake_stop
row agent-10MiB-body drain "fake_agent big" fake_stop
ROW_CODE_WAIT=15 row agent-1-byte-per-s drain "fake_agent slow" fake_stop HTTP_TIMEOUT
row agent-host-link-down drain "ip -n rs1 link set eth0 down" "ip -n rs1 link set eth0 up"
unpin_vip

lab_log "== certificates"
ROW_CODE_WAIT=15 row wrong-ca drain "agent_stop rs1; agent_start_foreign_ca rs1" "agent_stop rs1; agent_start rs1" TLS_VERIFY
ROW_CODE_WAIT=15 row agent-cert-expired drain "agent_cert rs1-expired" "agent_stop rs1; agent_start rs1" TLS_VERIFY
ROW_CODE_WAIT=15 row agent-cert-wrong-ip-san drain "agent_cert rs1-wrong-san" "agent_stop rs1; agent_start rs1" TLS_VERIFY
# clock skew: nothing in the status document is judged against a clock; a
# clock that is an hour off matters only through certificate validity.
# An agent certificate issued by a clock 10 min ahead (or a checker clock
# an hour behind an agent certificate issued < 1 h ago): not yet valid.
ROW_CODE_WAIT=15 row skew-agent-cert-not-yet-valid drain "agent_cert rs1-future" "agent_stop rs1; agent_start rs1" TLS_VERIFY
# the checker's certificate expired as the agents see it: a director-side
# fault, every agent refuses it at once
cp /tmp/dsrkit.conf /tmp/dsrkit.conf.good
HOLD_S=5 row checker-cert-expired hold \
	"sed -i 's|^cert = .*|cert = /tmp/certs/director-expired.crt|; s|^key = .*|key = /tmp/certs/director-expired.key|' /tmp/dsrkit.conf; kill -HUP \$(cat /tmp/checkd.pid)" \
	"cp /tmp/dsrkit.conf.good /tmp/dsrkit.conf; kill -HUP \$(cat /tmp/checkd.pid)"
# rotations, nothing restarted: the files rewritten in place (a new file
# renamed over the old) and a SIGHUP, for dsr-checkd and dsr-agent alike
cp -p $AGENT_PKI/rs1.crt /tmp/rs1.crt.orig; cp -p $AGENT_PKI/rs1.key /tmp/rs1.key.orig
cp -p $AGENT_PKI/ca.crt /tmp/ca.crt.orig
agent_files() {   # agent_files CERT_BASENAME [CA_FILE]: rs1's agent's files replaced, SIGHUP
	install -m 644 "$1.crt" $AGENT_PKI/rs1.crt.new && mv $AGENT_PKI/rs1.crt.new $AGENT_PKI/rs1.crt
	install -m 600 "$1.key" $AGENT_PKI/rs1.key.new && mv $AGENT_PKI/rs1.key.new $AGENT_PKI/rs1.key
	if [ -n "${2:-}" ]; then install -m 644 "$2" $AGENT_PKI/ca.crt.new && mv $AGENT_PKI/ca.crt.new $AGENT_PKI/ca.crt; fi
	kill -HUP "$(cat /tmp/agent-rs1.pid)"
}
HOLD_S=3 row rotate-checker-cert-in-place quiet \
	"cp $C/director-new.key $AGENT_PKI/director.key.new; cp $C/director-new.crt $AGENT_PKI/director.crt.new; mv $AGENT_PKI/director.key.new $AGENT_PKI/director.key; mv $AGENT_PKI/director.crt.new $AGENT_PKI/director.crt; kill -HUP \$(cat /tmp/checkd.pid)" ":"
HOLD_S=3 row rotate-agent-cert quiet "agent_files $C/rs1-new" ":"
# the CA: a new one; both trusted during the overlap (a bundle), agents and
# checker move to it one at a time, then the old CA goes
cat $AGENT_PKI/ca.crt /tmp/ca2/ca.crt >/tmp/ca-bundle.pem
HOLD_S=3 row rotate-ca-1-bundle-everywhere quiet \
	"sed -i 's|^ca = .*|ca = /tmp/ca-bundle.pem|' /tmp/dsrkit.conf; kill -HUP \$(cat /tmp/checkd.pid); agent_files $C/rs1-new /tmp/ca-bundle.pem" ":"
HOLD_S=3 row rotate-ca-2-agent-on-new-ca quiet "agent_files $C/rs1-ca2" ":"
HOLD_S=3 row rotate-ca-3-checker-on-new-ca quiet \
	"sed -i 's|^cert = .*|cert = /tmp/certs/director-ca2.crt|; s|^key = .*|key = /tmp/certs/director-ca2.key|' /tmp/dsrkit.conf; kill -HUP \$(cat /tmp/checkd.pid)" ":"
# back to the lab's CA for the rows that follow (agent_start uses it)
sed -i "s|^ca = .*|ca = $AGENT_PKI/ca.crt|; s|^cert = .*|cert = $AGENT_PKI/director.crt|; s|^key = .*|key = $AGENT_PKI/director.key|" /tmp/dsrkit.conf
kill -HUP "$(cat /tmp/checkd.pid)"
cp -p /tmp/rs1.crt.orig $AGENT_PKI/rs1.crt; cp -p /tmp/rs1.key.orig $AGENT_PKI/rs1.key
cp -p /tmp/ca.crt.orig $AGENT_PKI/ca.crt
agent_stop rs1; agent_start rs1

finish_matrix
exit 0
