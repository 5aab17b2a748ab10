#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""fakeagent.py MODEFILE PORT CERT KEY: misbehaving dsr-agents for the
fault-matrix lab test, one process for every row (python starts slowly in
a loaded UML guest).  On SIGHUP it reads the mode from MODEFILE:
  off      close the listener and every connection (the real agent's turn)
  hang     accept TCP, never speak TLS
  garbage  complete TLS, answer every request with bytes that are not HTTP
  big      complete TLS, answer 200 with a 10 MiB body
  slow     complete TLS, answer a status document one byte a second
Each connection is served by its own thread."""
import signal, socket, ssl, sys, threading, time

modefile, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
state = {"mode": "off", "ls": None, "gen": 0}
conns = []
lock = threading.Lock()

def serve(c, mode, gen):
    if mode == "hang":
        return                  # keep it open, say nothing (closed on "off")
    try:
        t = ctx.wrap_socket(c, server_side=True)
        t.settimeout(30)
        while state["gen"] == gen:
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
                    if state["gen"] != gen:
                        return
                    t.sendall(doc[i:i + 1])
                    time.sleep(1)
    except (OSError, ssl.SSLError, ValueError):
        pass

def accept_loop(ls, mode, gen):
    while state["gen"] == gen:
        try:
            c, _ = ls.accept()
        except OSError:
            return
        with lock:
            conns.append(c)
        threading.Thread(target=serve, args=(c, mode, gen), daemon=True).start()

def switch(*_):
    mode = open(modefile).read().strip()
    with lock:
        state["gen"] += 1
        if state["ls"]:
            state["ls"].close()
            state["ls"] = None
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        conns.clear()
        state["mode"] = mode
        if mode == "off":
            return
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for _ in range(50):
            try:
                ls.bind(("0.0.0.0", port))
                break
            except OSError:
                time.sleep(0.1)
        ls.listen(64)
        state["ls"] = ls
        threading.Thread(target=accept_loop, args=(ls, mode, state["gen"]), daemon=True).start()

signal.signal(signal.SIGHUP, switch)
open(modefile + ".ready", "w").write("ready\n")
while True:
    time.sleep(3600)
