#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""flowmap.py HOST PORT FIRST_SPORT COUNT: one HTTP request per source port
FIRST_SPORT .. FIRST_SPORT+COUNT-1 (each a new TCP connection, so a new
flow for ECMP and the IPVS scheduler) and prints "SPORT SERVER" per flow,
SERVER being the body labhttpd answers (its name) or "-" on failure.  Each
connection ends with a reset (SO_LINGER 0): no TIME_WAIT is left on either
side, so the same flows can be sent again and compared (the ECMP lab test:
how many flows a real server's failure moves under `mh`)."""
import socket, struct, sys

host, port, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

def one(sport):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.settimeout(3)
    try:
        s.bind(("0.0.0.0", sport))
        s.connect((host, port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: lab\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                return "-"
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        length = 0
        for l in head.split(b"\r\n")[1:]:
            k, _, v = l.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v)
        while len(body) < length:
            chunk = s.recv(4096)
            if not chunk:
                return "-"
            body += chunk
        return body[:length].decode(errors="replace").strip() or "-"
    except OSError:
        return "-"
    finally:
        s.close()

for p in range(first, first + count):
    print(p, one(p), flush=True)
