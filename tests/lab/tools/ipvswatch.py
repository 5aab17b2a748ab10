#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ipvswatch.py VIP PORT OUT RS...: run inside the director's namespace;
reads /proc/net/ip_vs every 100 ms (no fork, cheap in a UML guest) and
appends "EPOCH_MS W1 W2 ..." to OUT each time the weight of one of the real
servers RS (IPv4 addresses, same port) of VIP:PORT changes ("absent" when
it is not there).  The fault-matrix lab test reads drain instants from it."""
import socket, struct, sys, time

vip, port, out, rss = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
def hexaddr(a, p):
    return "%08X:%04X" % (struct.unpack("!I", socket.inet_aton(a))[0], p)
svc = hexaddr(vip, port)
want = [hexaddr(r, port) for r in rss]
f = open(out, "a", buffering=1)
last = None
while True:
    w = {}
    try:
        cur = None
        for line in open("/proc/net/ip_vs"):
            p = line.split()
            if len(p) >= 2 and p[0] in ("TCP", "UDP", "SCTP"):
                cur = p[1]
            elif cur == svc and len(p) >= 4 and p[0] == "->":
                w[p[1]] = p[3]
    except OSError:
        pass
    now = [w.get(k, "absent") for k in want]
    if now != last:
        f.write("%d %s\n" % (time.time() * 1000, " ".join(now)))
        last = now
    time.sleep(0.1)
