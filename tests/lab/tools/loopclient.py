#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""loopclient.py HOST PORT OUT [PERIOD_MS] [TIMEOUT_MS]: one HTTP GET through
HOST:PORT (a VIP) on a fresh connection every PERIOD_MS (default 50), until
killed; one line per request to OUT: "EPOCH_MS OK SERVER" or "EPOCH_MS ERR
WHY".  A request that is not answered within TIMEOUT_MS (default 400) is an
error.  The fault-matrix lab test counts the errors between two instants."""
import socket, sys, time

host, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
period = (int(sys.argv[4]) if len(sys.argv) > 4 else 50) / 1000.0
tmo = (int(sys.argv[5]) if len(sys.argv) > 5 else 400) / 1000.0
f = open(out, "a", buffering=1)
req = b"GET / HTTP/1.0\r\nHost: x\r\nConnection: close\r\n\r\n"  # labhttpd keeps alive otherwise
while True:
    t0 = time.time()
    try:
        s = socket.create_connection((host, port), timeout=tmo)
        s.settimeout(max(0.05, tmo - (time.time() - t0)))
        s.sendall(req)
        data = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        if b" 200 " in head.split(b"\r\n")[0] + b" ":
            f.write("%d OK %s\n" % (t0 * 1000, body.strip().decode(errors="replace") or "?"))
        else:
            f.write("%d ERR status\n" % (t0 * 1000))
    except OSError as e:
        f.write("%d ERR %s\n" % (t0 * 1000, type(e).__name__))
    d = period - (time.time() - t0)
    if d > 0:
        time.sleep(d)
