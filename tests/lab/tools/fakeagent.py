#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""fakeagent.py MODE PORT CERT KEY: a misbehaving dsr-agent on PORT for the
fault-matrix lab test.  MODE:
  hang     accept TCP, never speak TLS
  garbage  complete TLS, answer every request with bytes that are not HTTP
  big      complete TLS, answer 200 with a 10 MiB body
  slow     complete TLS, answer a status document one byte a second
Each connection is served by its own thread (the checker reconnects)."""
import socket, ssl, sys, threading, time

mode, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("0.0.0.0", port))
ls.listen(64)
held = []

def serve(c):
    if mode == "hang":
        held.append(c)          # keep it open, say nothing
        return
    try:
        t = ctx.wrap_socket(c, server_side=True)
        t.settimeout(30)
        while True:
            buf = b""
            while b"\r\n\r\n" not in buf:
                b = t.recv(4096)
                if not b:
                    return
                buf += b
            if mode == "garbage":
                t.sendall(b"\x00\xffNOT HTTP AT ALL\x01\x02\r\n\r\n\xde\xad" * 8)
            elif mode == "big":
                n = 10 << 20
                t.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % n)
                chunk = b"{" + b" " * 65535
                for _ in range(n // len(chunk)):
                    t.sendall(chunk)
            elif mode == "slow":
                doc = b'{"schema":"dsrkit-agent-status","version":1}'
                t.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(doc))
                for i in range(len(doc)):
                    t.sendall(doc[i:i + 1])
                    time.sleep(1)
    except (OSError, ssl.SSLError):
        pass
    finally:
        if mode != "hang":
            try:
                c.close()
            except OSError:
                pass

while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
