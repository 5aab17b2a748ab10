#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""agent-pressure.py MODE ...: pressure on dsr-agent's status port.

  flood HOST PORT N EVERY SECS OUT [SRC,SRC...]
      N TCP connections that never speak TLS, all closed and opened again
      every EVERY seconds, for SECS seconds after the first N are open (or
      until the file OUT.stop appears), from the source addresses SRC in turn
      (default: the route's); writes "rounds R opened O" to OUT.
  pipeline HOST PORT N CA CERT KEY
      one mutual-TLS connection carrying N requests written back to back
      (the last asks to close); prints "answers A" (HTTP 200s read).
  hold HOST PORT N SECS CA CERT KEY OUT
      N mutual-TLS connections that finish the handshake and stay silent,
      for SECS seconds; writes "held H" to OUT once they are up.
"""
import os, resource, socket, ssl, sys, time


def fam(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def tls_ctx(ca, cert, key):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.load_cert_chain(cert, key)
    ctx.check_hostname = False
    return ctx


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, n + 64))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def flood(host, port, n, every, secs, out, srcs):
    raise_nofile(n)
    end = None
    rounds = opened = 0
    socks = []
    while end is None or time.time() < end:
        for s in socks:
            s.close()
        socks = []
        for i in range(n):
            s = socket.socket(fam(host), socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                if srcs:
                    s.bind((srcs[i % len(srcs)], 0))
                s.connect((host, port))
            except BlockingIOError:
                pass
            except OSError:
                s.close()
                continue
            socks.append(s)
        opened += len(socks)
        rounds += 1
        if end is None:
            end = time.time() + secs
        with open(out, "w") as f:
            f.write("rounds %d opened %d\n" % (rounds, opened))
        pause = time.time() + max(0.0, min(every, end - time.time()))
        while time.time() < pause and not os.path.exists(out + ".stop"):
            time.sleep(0.2)
        if os.path.exists(out + ".stop"):
            break
    for s in socks:
        s.close()


def pipeline(host, port, n, ca, cert, key):
    raw = socket.create_connection((host, port), timeout=20)
    s = tls_ctx(ca, cert, key).wrap_socket(raw, server_hostname=host)
    req = b"GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n"
    s.sendall(req * (n - 1) + b"GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = bytearray()
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except (OSError, ssl.SSLError):
        pass
    print("answers %d" % data.count(b"HTTP/1.1 200 "))


def hold(host, port, n, secs, ca, cert, key, out):
    raise_nofile(n)
    ctx = tls_ctx(ca, cert, key)
    socks = []
    for _ in range(n):
        try:
            raw = socket.create_connection((host, port), timeout=3)
            socks.append(ctx.wrap_socket(raw, server_hostname=host))
        except (OSError, ssl.SSLError):
            break
    with open(out, "w") as f:
        f.write("held %d\n" % len(socks))
    time.sleep(secs)


mode = sys.argv[1]
a = sys.argv[2:]
if mode == "flood":
    flood(a[0], int(a[1]), int(a[2]), float(a[3]), float(a[4]), a[5], a[6].split(",") if len(a) > 6 else [])
elif mode == "pipeline":
    pipeline(a[0], int(a[1]), int(a[2]), a[3], a[4], a[5])
elif mode == "hold":
    hold(a[0], int(a[1]), int(a[2]), float(a[3]), a[4], a[5], a[6], a[7])
else:
    sys.exit("agent-pressure.py: unknown mode " + mode)
