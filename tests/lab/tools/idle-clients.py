#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""idle-clients.py HOST PORT N SECONDS OUT [CA CERT KEY]: opens N TCP
connections to HOST:PORT that never speak (slowloris), plus - with a client
certificate - one that completes TLS and sends half a request; writes
"open N" to OUT once they are up, then after SECONDS how many the server
closed ("closed M of N") and whether the half request was cut."""
import select, socket, ssl, sys, time

host, port, n, secs, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
socks = []
for _ in range(n):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect((host, port))
    s.setblocking(False)
    socks.append(s)
half = None
if len(sys.argv) > 8:
    ctx = ssl.create_default_context(cafile=sys.argv[6])
    ctx.load_cert_chain(sys.argv[7], sys.argv[8])
    raw = socket.create_connection((host, port), timeout=3)
    half = ctx.wrap_socket(raw, server_hostname=host)
    half.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n")  # never finished
with open(out, "w") as f:
    f.write("open %d\n" % len(socks))
closed = set()
end = time.time() + secs
while time.time() < end and len(closed) < n:
    r, _, _ = select.select([s for s in socks if s not in closed], [], [], 0.2)
    for s in r:
        try:
            if not s.recv(1):
                closed.add(s)
        except OSError:
            closed.add(s)
half_cut = "n/a"
if half is not None:
    # the strangers may all be gone long before the agent's client_timeout
    # (an agent bounds them per source): wait for the half request's own cut
    half.settimeout(max(0.5, end - time.time()))
    try:
        half_cut = "cut" if not half.recv(100) else "answered"
    except ssl.SSLError:
        half_cut = "cut"
    except OSError:
        half_cut = "cut" if time.time() >= end else "open"
with open(out, "a") as f:
    f.write("closed %d of %d\nhalf %s\n" % (len(closed), n, half_cut))
