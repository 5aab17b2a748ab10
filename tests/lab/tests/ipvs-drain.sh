# SPDX-License-Identifier: Apache-2.0
# lab: timeout=120
# ipvs-drain: `dsrctl drain` sets weight 0: an established TCP connection
# from the client keeps working (same server answers on it) while every new
# connection goes to the other server; `dsrctl restore` puts the configured
# weight back and new connections reach both again.
. tests/lab/lib.sh
export DSRCTL_STATE_DIR=/tmp/dsrctl-state

lab_standard 2 || { lab_fail topology "lab_up failed"; exit 1; }
cat >/tmp/dr.conf <<EOC
virtual_server $LAB_VIP 80 {
	lb_algo rr
	lb_kind DR
	protocol TCP
	real_server $(lab_rs_addr 1) 80 {
		weight 3
	}
	real_server $(lab_rs_addr 2) 80 {
		weight 3
	}
}
EOC
lab_check apply in_ns director dsrctl apply /tmp/dr.conf || exit 1

# A kept-alive connection: a request every 0.3 s, each answer logged.
cat >/tmp/keep.py <<'EOP'
import socket, sys, time
s = socket.create_connection((sys.argv[1], 80), timeout=3)
out = open(sys.argv[2], "w", buffering=1)
f = s.makefile("rb")
for i in range(int(sys.argv[3])):
    s.sendall(b"GET / HTTP/1.1\r\nHost: vip\r\n\r\n")
    n = 0
    while True:
        line = f.readline()
        if not line:
            out.write("closed\n"); sys.exit(1)
        if line.lower().startswith(b"content-length:"):
            n = int(line.split(b":")[1])
        if line in (b"\r\n", b"\n"):
            break
    out.write(f.read(n).decode().strip() + "\n")
    time.sleep(0.3)
out.write("done\n")
EOP
bg_ns client keep python3 /tmp/keep.py "$LAB_VIP" /tmp/keep.answers 40
wait_for 5 test -s /tmp/keep.answers || { lab_fail keepalive-started "no answer: $(cat /tmp/keep.log)"; exit 1; }
held=$(head -1 /tmp/keep.answers)
other=rs2; [ "$held" = rs2 ] && other=rs1
held_addr=$(lab_rs_addr "${held#rs}")
lab_log "the kept-alive connection is on $held ($held_addr)"

out=$(in_ns director dsrctl drain "$LAB_VIP:80" "$held_addr" 2>&1)
lab_check drain-command test "$(echo "$out" | grep -c 'drained')" = 1
in_ns director dsrctl status
w=$(in_ns director ipvsadm -Ln | awk -v a="$held_addr:80" '$2 == a {print $4}')
lab_expect drained-weight-zero "$w" 0

# new connections during the drain: all on the other server
for i in $(seq 1 20); do lab_get client "http://$LAB_VIP/"; done >/tmp/new.answers
lab_expect new-connections-avoid-drained "$(sort -u /tmp/new.answers | tr '\n' ' ')" "$other "
wait_for 20 grep -q done /tmp/keep.answers
lab_expect established-connection-kept "$(grep -v '^done$' /tmp/keep.answers | sort -u | tr '\n' ' ')" "$held "
lab_expect established-connection-finished "$(tail -1 /tmp/keep.answers)" done
lab_expect established-connection-all-answers "$(grep -c "^$held$" /tmp/keep.answers)" 40
active=$(in_ns director dsrctl status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(r["inactive"] + r["active"] for s in d["services"] for r in s["real_servers"] if r["weight"] == 0))')
lab_log "connections on the drained server seen by IPVS: $active"

out=$(in_ns director dsrctl restore "$LAB_VIP:80" "$held_addr" 2>&1); echo "$out"
lab_expect restore-configured-weight "$(echo "$out" | grep -o 'to weight [0-9]*')" "to weight 3"
for i in $(seq 1 20); do lab_get client "http://$LAB_VIP/"; done >/tmp/after.answers
lab_expect restored-server-gets-new "$(sort -u /tmp/after.answers | wc -l)" 2
# restore without an applied state falls back to the weight before the drain
rm -f /tmp/dsrctl-state/ipvs-applied.*
in_ns director dsrctl drain "$LAB_VIP:80" "$held_addr" >/dev/null
out=$(in_ns director dsrctl restore "$LAB_VIP:80" "$held_addr" 2>&1)
lab_expect restore-from-drain-memory "$(echo "$out" | grep -o 'to weight [0-9]* (before the drain)')" \
	"to weight 3 (before the drain)"
