#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""scrapestorm - hostile and busy clients of dsr-checkd's status endpoint.

    scrapestorm.py HOST PORT [--idle N] [--rate R] [--seconds S]
                   [--slow N] [--path /metrics] [--out FILE]

--idle N   hold N connections that never send a byte (reopened when the
           server closes them), as an attacker or a leaky client would;
--slow N   N clients that send a request and never read the answer;
--rate R   scrapes per second, each on a new connection (HTTP/1.1, read to
           the end of Content-Length), for S seconds.

Prints one line: "scrapes N ok N failed N p50_ms X p99_ms X max_ms X
idle_held N" and, with --out, each scrape's "ok|fail latency_ms" lines.
Exits 0 (the caller judges the numbers)."""
import argparse
import selectors
import socket
import sys
import time


def scrape(host, port, path, timeout):
    t0 = time.monotonic()
    try:
        s = socket.create_connection((host, port), timeout=timeout)
        s.settimeout(timeout)
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                raise OSError("closed before the headers")
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        status = head.split(b" ", 2)[1]
        length = None
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v.strip())
        while length is not None and len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                raise OSError("closed in the body")
            body += chunk
        s.close()
        return status == b"200", (time.monotonic() - t0) * 1000
    except OSError:
        return False, (time.monotonic() - t0) * 1000


def pct(v, p):
    if not v:
        return 0.0
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--idle", type=int, default=0)
    ap.add_argument("--slow", type=int, default=0)
    ap.add_argument("--rate", type=float, default=1)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--path", default="/metrics")
    ap.add_argument("--timeout", type=float, default=3)
    ap.add_argument("--out")
    a = ap.parse_args()

    sel = selectors.DefaultSelector()
    held = set()

    def open_idle(kind):
        try:
            s = socket.socket(socket.AF_INET6 if ":" in a.host else socket.AF_INET)
            s.setblocking(False)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect_ex((a.host, a.port))
        except OSError:
            return
        held.add(s)
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, kind)

    for _ in range(a.idle):
        open_idle("idle")
    for _ in range(a.slow):
        open_idle("slow")
    time.sleep(0.2)

    results = []
    end = time.monotonic() + a.seconds
    next_scrape = time.monotonic()
    max_held = 0
    while time.monotonic() < end:
        # keep the hostile connections held: reopen what the server closed
        for key, ev in sel.select(timeout=0):
            s, kind = key.fileobj, key.data
            if ev & selectors.EVENT_WRITE:
                if kind == "slow":
                    try:
                        s.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
                    except OSError:
                        pass
                sel.modify(s, selectors.EVENT_READ, kind)
            elif ev & selectors.EVENT_READ and kind == "idle":
                try:
                    gone = s.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    gone = True
                if gone:
                    sel.unregister(s)
                    held.discard(s)
                    s.close()
                    open_idle(kind)
        max_held = max(max_held, len(held))
        now = time.monotonic()
        if now >= next_scrape:
            results.append(scrape(a.host, a.port, a.path, a.timeout))
            next_scrape += 1.0 / a.rate
            if next_scrape < now - 1:
                next_scrape = now  # fell behind: do not burst
        else:
            time.sleep(min(0.005, next_scrape - now))
    lat = [ms for ok, ms in results if ok]
    print("scrapes %d ok %d failed %d p50_ms %.1f p99_ms %.1f max_ms %.1f idle_held %d" % (
        len(results), len(lat), len(results) - len(lat), pct(lat, 50), pct(lat, 99),
        max(lat) if lat else 0.0, max_held))
    if a.out:
        with open(a.out, "w") as f:
            for ok, ms in results:
                f.write("%s %.1f\n" % ("ok" if ok else "fail", ms))
    for s in held:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
