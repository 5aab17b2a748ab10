#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""soakctl.py: the controller of the soak (tests/lab/soak.sh, `make soak`).

Runs inside the director's namespace of the lab guest once soak.sh has built
the hosts and the certificates.  It starts and owns every daemon of the soak
(one dsr-agent per real-server address, dsr-checkd in standalone mode), so
that it sees each exit, then for SOAK_MINUTES:

  - every SOAK_FAULT_S seconds injects one fault, a random kind on a random
    real server, and repairs it after a random 2-10 s; the ledger keeps what
    is broken and since when (faults.tsv);
  - every SOAK_VERDICT_S seconds reads /status and judges each real server
    against the ledger (disagreements.tsv);
  - every SOAK_RSS_S seconds samples the RSS of dsr-checkd and of one agent
    that is never restarted (rss.tsv);
  - every SOAK_RELOAD_S seconds reloads dsr-checkd (SIGHUP), adding or
    removing a spare real server so that each reload changes something;
  - every SOAK_ROTATE_S seconds rotates the checker's certificate in place
    (same files, new content) with a SIGHUP, and restarts one agent with a
    new certificate.

At the end it repairs everything, checks that every server comes back,
stops the daemons with SIGTERM (LeakSanitizer runs at a clean exit), keeps
the sanitizer reports, and writes soak-report.txt and PASS/FAIL lines into
$LAB_OUT/results.

Input: SOAK_DIR/servers ("NS ADDRESS NAME" a line) and the SOAK_* variables
read below.  The module can be imported (tests of the judging rules)."""
import glob
import heapq
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

mono = time.monotonic
AGENT_PORT = 9443
STATUS = "http://127.0.0.1:9445/status"
METRICS = "http://127.0.0.1:9445/metrics"
# /status is rendered at most once a second and shared within that second:
# what a request gets may be up to this old
RENDER_S = 1.0
HUP_GAP_S = 5.0
NS_KINDS = ("vip", "arp")          # break all the addresses of a namespace
ADDR_KINDS = ("agent", "addr")     # break one address
FAULT_KINDS = NS_KINDS + ADDR_KINDS
# per-address events outside the random draw: an agent restarted with a new
# certificate, and an agent that exited by itself (restarted as a repair)
PLANNED_KINDS = ("cert", "crash")
# what a sanitizer or glibc's allocator checks print
REPORT_RE = re.compile(r"runtime error:|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|"
                       r"double free|free\(\): |malloc\(\): |realloc\(\): |corrupted (size|double-linked|top size)|"
                       r"malloc_consolidate")


def env_int(name, default):
    return int(os.environ.get(name, default))


def env_float(name, default):
    return float(os.environ.get(name, default))


class Params:
    def __init__(self):
        self.dir = os.environ.get("SOAK_DIR", "/tmp/soak")
        self.out = os.environ.get("LAB_OUT", "/tmp")
        self.pki = os.environ.get("SOAK_PKI", "/tmp/pki")
        self.vip = os.environ.get("SOAK_VIP", "192.0.2.100")
        self.spare = os.environ.get("SOAK_SPARE", "192.0.2.250")
        self.director = os.environ.get("SOAK_DIRECTOR", "192.0.2.1")
        self.minutes = env_float("SOAK_MINUTES", 60)
        self.fault_s = env_float("SOAK_FAULT_S", 3)
        self.repair_min = env_float("SOAK_REPAIR_MIN_S", 2)
        self.repair_max = env_float("SOAK_REPAIR_MAX_S", 10)
        self.verdict_s = env_float("SOAK_VERDICT_S", 5)
        self.rss_s = env_float("SOAK_RSS_S", 10)
        self.reload_s = env_float("SOAK_RELOAD_S", 60)
        self.rotate_s = env_float("SOAK_ROTATE_S", 300)
        self.interval = env_float("SOAK_INTERVAL_S", 1)
        self.timeout = env_float("SOAK_TIMEOUT_S", 2)
        self.heartbeat = env_float("SOAK_HEARTBEAT_S", 1)
        self.rise = env_int("SOAK_RISE", 2)
        self.fall = env_int("SOAK_FALL", 2)
        self.slack = env_float("SOAK_SLACK_S", 2)
        self.watch_ms = env_int("SOAK_WATCH_MS", 500)
        self.rss_max_pct = env_float("SOAK_RSS_MAX_PCT", 10)
        self.start_wait = env_float("SOAK_START_WAIT_S", 300)
        self.seed = env_int("SOAK_SEED", int(time.time()))
        self.sanitizers = os.environ.get("SOAK_SANITIZERS", "asan+ubsan")
        self.san_note = os.environ.get("SOAK_SAN_NOTE", "")
        self.malloc_debug = os.environ.get("SOAK_MALLOC_DEBUG", "")
        self.san_dir = os.environ.get("SOAK_SAN_DIR", "/tmp/san")
        # no: dsr-checkd judges and serves /status without IPVS (a host run,
        # tests/lab/host-run, where the kernel may have no IPVS)
        self.standalone = os.environ.get("SOAK_STANDALONE", "yes")
        # A fault must have shown by then: the agent pushes it (or the
        # heartbeat goes unanswered) and fall failures at most an interval
        # apart drain the server.
        self.t_down = self.interval * self.fall + self.heartbeat + self.slack
        # A repaired server must be up by then: rise successes an interval
        # apart, after a check that was in flight at the repair and can take
        # up to the timeout to fail (a connect to an address that was gone).
        self.t_up = self.interval * self.rise + self.timeout + self.slack


def expected_state(p, fault_times, last_clear, t_snap):
    """What a server must be in a /status snapshot taken at t_snap (or at
    any time after it): "down", "up", or None (in transition, not judged).
    fault_times: when each fault now active on it was in place;
    last_clear: when the last fault on it was repaired."""
    if fault_times:
        return "down" if t_snap - min(fault_times) > p.t_down else None
    return "up" if t_snap - last_clear > p.t_up else None


def quarter_growth(rows, duration):
    """rows: (elapsed_s, kib or None).  The mean of the second quarter of the
    run (after warm-up) and of the last; None when either has no sample."""
    q2 = [v for t, v in rows if v is not None and duration / 4 <= t < duration / 2]
    q4 = [v for t, v in rows if v is not None and t >= 3 * duration / 4]
    if not q2 or not q4:
        return None
    a, b = sum(q2) / len(q2), sum(q4) / len(q4)
    return a, b, b - a, (b - a) * 100.0 / a if a else 0.0


class Server:
    def __init__(self, ns, addr, name, p):
        self.ns, self.addr, self.name = ns, addr, name
        self.conf = os.path.join(p.dir, "agent-%s.conf" % name)
        self.log = os.path.join(p.dir, "agent-%s.log" % name)
        self.proc = None
        self.faults = set()     # the Fault objects active on it
        self.last_clear = 0.0


class Fault:
    seq = 0

    def __init__(self, kind, scope, servers):
        Fault.seq += 1
        self.id = Fault.seq
        self.kind, self.scope, self.servers = kind, scope, servers
        self.t = None           # in place since (monotonic)
        self.tries = 0


class Soak:
    def __init__(self, p):
        self.p = p
        self.rng = random.Random(p.seed)
        self.servers = []
        self.by_ns = {}
        for line in open(os.path.join(p.dir, "servers")):
            f = line.split()
            if len(f) == 3:
                s = Server(f[0], f[1], f[2], p)
                self.servers.append(s)
                self.by_ns.setdefault(s.ns, []).append(s)
        # the agent whose RSS is sampled is never restarted
        self.sentinel = self.servers[-1]
        self.active = {}        # (kind, scope) -> Fault
        self.heap = []
        self.hseq = 0
        self.checkd = None
        self.spare_on = False
        self.last_hup = 0.0
        self.t0 = None
        self.ran_s = 0.0
        self.rss = []           # (elapsed, checkd kib, agent kib, all agents kib, agents running, faults)
        self.n = {k: 0 for k in FAULT_KINDS + PLANNED_KINDS}
        self.c = dict(skipped=0, inject_failures=0, repair_failures=0, reloads=0, checker_rotations=0,
                      agent_rotations=0, passes=0, judged_down=0, judged_up=0, transition=0,
                      disagreements=0, status_errors=0, crashes=0, kill9=0, failsafe_passes=0,
                      reload_not_ok=0)
        self.problems = []      # harness trouble, reported as FAIL soak-harness
        self.opened = []
        self.faults_tsv = self.tsv("faults.tsv", "elapsed_s\tevent\tkind\tscope\tfault\tnote")
        self.dis_tsv = self.tsv("disagreements.tsv",
                                "elapsed_s\taddress\tns\texpected\tgot\tcode\tfaults\tsince_clear_s")
        self.rss_tsv = self.tsv("rss.tsv", "elapsed_s\tcheckd_kib\tagent_kib\tagents_total_kib"
                                "\tagents_running\tfaults_active")
        base = dict(os.environ)
        ubsan = "print_stacktrace=1:halt_on_error=1:log_path=%s/ubsan-%%s" % p.san_dir
        asan = "detect_leaks=1:log_path=%s/asan-%%s:malloc_context_size=20" % p.san_dir
        # the quarantine keeps freed memory from reuse (default 256 MiB a
        # process): 200 agents get a small one, and dsr-checkd one that fills
        # within the warm-up quarter, before RSS is compared
        self.env_agent = dict(base, UBSAN_OPTIONS=ubsan % "agent",
                              ASAN_OPTIONS=asan % "agent" + ":quarantine_size_mb=4")
        self.env_checkd = dict(base, UBSAN_OPTIONS=ubsan % "checkd",
                               ASAN_OPTIONS=asan % "checkd" + ":quarantine_size_mb=16")
        if p.malloc_debug:
            # without ASan: glibc's own heap checks (abort on a corrupted
            # chunk or a bad free) and freed memory overwritten
            for e in (self.env_agent, self.env_checkd):
                e.update(LD_PRELOAD=p.malloc_debug, MALLOC_CHECK_="3", MALLOC_PERTURB_="165")
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # ---- output ----
    def tsv(self, name, header):
        f = open(os.path.join(self.p.out, name), "w", buffering=1)
        f.write(header + "\n")
        self.opened.append(f)
        return f

    def el(self):
        return mono() - self.t0 if self.t0 is not None else 0.0

    def log(self, msg):
        print("[soak %s %7.1f] %s" % (time.strftime("%H:%M:%S"), self.el(), msg), flush=True)

    def result(self, ok, name, why=""):
        line = ("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why))
        with open(os.path.join(self.p.out, "results"), "a") as f:
            f.write(line + "\n")
        self.log(line)

    def problem(self, what):
        self.problems.append(what)
        self.log("PROBLEM " + what)

    def ledger(self, event, f, note=""):
        self.faults_tsv.write("%.1f\t%s\t%s\t%s\t%d\t%s\n" % (self.el(), event, f.kind, f.scope, f.id, note))

    # ---- commands ----
    def run(self, cmd, timeout=20):
        try:
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout, text=True)
            return r.returncode, r.stdout.strip()
        except subprocess.TimeoutExpired:
            return 124, "timed out after %ss: %s" % (timeout, " ".join(cmd))

    def get(self, url, timeout=10):
        with self.opener.open(url, timeout=timeout) as r:
            return r.read()

    # ---- agents ----
    def write_agent_conf(self, s):
        with open(s.conf, "w") as f:
            f.write("listen = %s\nport = %d\n" % (s.addr, AGENT_PORT))
            f.write("tls_cert = %s/%s.crt\ntls_key = %s/%s.key\ntls_ca = %s/ca.crt\n"
                    % (self.p.pki, s.name, self.p.pki, s.name, self.p.pki))
            f.write("vip = %s 80\nfacts_cache_ms = 200\nwatch_interval_ms = %d\nchecker_allow = %s\n"
                    % (self.p.vip, self.p.watch_ms, self.p.director))

    def agent_start(self, s):
        with open(s.log, "ab") as lf:
            s.proc = subprocess.Popen(["ip", "netns", "exec", s.ns, "dsr-agent", "serve", "--config", s.conf],
                                      stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT,
                                      env=self.env_agent)

    def agent_listening(self, s, wait_s):
        end = mono() + wait_s
        while mono() < end:
            if s.proc is None or s.proc.poll() is not None:
                return False
            try:
                with socket.create_connection((s.addr, AGENT_PORT), timeout=1):
                    return True
            except OSError:
                time.sleep(0.2)
        return False

    def agent_stop(self, s, wait_s=15):
        """SIGTERM, then SIGKILL after wait_s.  The exit code (None: none ran)."""
        p = s.proc
        if p is None:
            return None
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(wait_s)
            except subprocess.TimeoutExpired:
                self.c["kill9"] += 1
                self.problem("agent %s did not stop within %ss of SIGTERM: killed" % (s.addr, wait_s))
                p.kill()
                p.wait()
        if p.returncode != 0:
            self.problem("agent %s exited %s on SIGTERM (log %s)" % (s.addr, p.returncode, s.log))
        return p.returncode

    def log_tail(self, path, n=3):
        try:
            with open(path, errors="replace") as f:
                return " | ".join(f.read().splitlines()[-n:])
        except OSError:
            return ""

    # ---- dsr-checkd ----
    def write_checkd_conf(self):
        p = self.p
        rs = [s.addr for s in self.servers] + ([p.spare] if self.spare_on else [])
        tmp = os.path.join(p.dir, "checkd.conf.new")
        with open(tmp, "w") as f:
            f.write("dsr_checkd {\n    interval %dms\n    timeout %dms\n    rise %d\n    fall %d\n"
                    "    heartbeat %dms\n    standalone %s\n    listen 127.0.0.1:9445\n    socket off\n}\n"
                    % (p.interval * 1000, p.timeout * 1000, p.rise, p.fall, p.heartbeat * 1000, p.standalone))
            f.write("virtual_server %s 80 {\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n" % p.vip)
            for a in rs:
                f.write("    real_server %s 80 { weight 1 }\n" % a)
            f.write("}\n")
        os.rename(tmp, os.path.join(p.dir, "checkd.conf"))

    def checkd_start(self):
        self.write_checkd_conf()
        with open(os.path.join(self.p.dir, "checkd.log"), "ab") as lf:
            self.checkd = subprocess.Popen(["dsr-checkd", "-f", os.path.join(self.p.dir, "checkd.conf"),
                                            "--dsrkit-conf", os.path.join(self.p.dir, "dsrkit.conf")],
                                           stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT,
                                           env=self.env_checkd)

    def checkd_alive(self):
        return self.checkd is not None and self.checkd.poll() is None

    def status(self):
        return json.loads(self.get(STATUS))

    def states(self, doc):
        got = {}
        for rs in doc.get("real_servers", []):
            tg = rs.get("targets") or [{}]
            got[rs.get("address")] = (tg[0].get("state"), (tg[0].get("last") or {}).get("code"))
        return got

    def hup(self):
        # dsr-checkd takes SIGHUPs that come before its reload has run as one
        # reload: keep them apart, or its count would differ from ours
        time.sleep(max(0.0, self.last_hup + HUP_GAP_S - mono()))
        self.c["reloads"] += 1
        self.checkd.send_signal(signal.SIGHUP)
        self.last_hup = mono()

    # ---- faults ----
    def busy(self, s):
        """A per-address fault (or planned restart) is active on s."""
        return any(f.kind in ADDR_KINDS + PLANNED_KINDS for f in s.faults)

    def inject_cmd(self, f, on):
        """The command that breaks (on) or repairs f, for the kinds that are one command."""
        s = f.servers[0]
        if f.kind == "vip":
            return ["ip", "-n", s.ns, "addr", "del" if on else "add", self.p.vip + "/32", "dev", "lo"]
        if f.kind == "arp":
            v = 0 if on else 1
            return ["ip", "netns", "exec", s.ns, "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=%d" % v,
                    "net.ipv4.conf.eth0.arp_ignore=%d" % v]
        if f.kind == "addr":
            return ["ip", "-n", s.ns, "addr", "del" if on else "add", s.addr + "/24", "dev", "eth0"]
        return None

    def put_in_place(self, f, note=""):
        f.t = mono()
        for s in f.servers:
            s.faults.add(f)
        self.active[(f.kind, f.scope)] = f
        self.ledger("inject", f, note)

    def inject(self, kind, s):
        scope = s.ns if kind in NS_KINDS else s.addr
        f = Fault(kind, scope, self.by_ns[s.ns] if kind in NS_KINDS else [s])
        if kind == "agent":
            self.agent_stop(s)
        else:
            rc, out = self.run(self.inject_cmd(f, True))
            if rc != 0:
                self.c["inject_failures"] += 1
                self.problem("inject %s on %s: exit %d: %s" % (kind, scope, rc, out))
                self.run(self.inject_cmd(f, False))   # undo whatever half of it happened
                return None
        self.n[kind] += 1
        self.put_in_place(f)
        self.at(mono() + self.rng.uniform(self.p.repair_min, self.p.repair_max), lambda: self.repair(f))
        return f

    def repair(self, f):
        if self.active.get((f.kind, f.scope)) is not f:
            return True
        f.tries += 1
        if f.kind in ("agent", "cert", "crash"):
            s = f.servers[0]
            if s.proc is not None and s.proc.poll() is None:
                self.agent_stop(s)
            self.agent_start(s)
            ok = self.agent_listening(s, 15)
            why = "" if ok else "agent did not listen within 15 s: %s" % self.log_tail(s.log)
        else:
            rc, out = self.run(self.inject_cmd(f, False))
            ok, why = rc == 0, "exit %d: %s" % (rc, out)
        if not ok:
            # stays in the ledger (the server must then be down) and is tried again
            self.c["repair_failures"] += 1
            self.problem("repair %s on %s (try %d): %s" % (f.kind, f.scope, f.tries, why))
            self.ledger("repair-failed", f, why)
            if f.tries < 20:
                self.at(mono() + 5, lambda: self.repair(f))
            return False
        t = mono()
        del self.active[(f.kind, f.scope)]
        for s in f.servers:
            s.faults.discard(f)
            s.last_clear = max(s.last_clear, t)
        self.ledger("repair", f, "%.1f s" % (t - f.t))
        return True

    def fault_tick(self):
        self.check_agents()
        for _ in range(20):
            kind = self.rng.choice(FAULT_KINDS)
            s = self.rng.choice(self.servers)
            if kind in NS_KINDS:
                if (kind, s.ns) not in self.active:
                    self.inject(kind, s)
                    return
            elif s is not self.sentinel and not self.busy(s):
                self.inject(kind, s)
                return
        self.c["skipped"] += 1

    def check_agents(self):
        """An agent that exited by itself: counted, and restarted as a repair."""
        for s in self.servers:
            if s.proc is not None and s.proc.poll() is not None and not any(
                    f.kind in ("agent", "cert", "crash") for f in s.faults):
                self.c["crashes"] += 1
                self.problem("agent %s exited by itself (%s): %s" % (s.addr, s.proc.returncode, self.log_tail(s.log)))
                f = Fault("crash", s.addr, [s])
                self.n["crash"] += 1
                self.put_in_place(f, "exit %s" % s.proc.returncode)
                self.at(mono() + 2, lambda f=f: self.repair(f))

    # ---- periodic work ----
    def verdict_pass(self, final=False):
        t_req = mono()
        try:
            doc = self.status()
        except (OSError, ValueError) as e:
            self.c["status_errors"] += 1
            self.log("status: %s" % e)
            return None
        self.c["passes"] += 1
        if doc.get("last_reload_ok") is False:
            self.c["reload_not_ok"] += 1
        if (doc.get("failsafe") or {}).get("active_services"):
            self.c["failsafe_passes"] += 1
        got = self.states(doc)
        t_snap = t_req - RENDER_S
        bad = 0
        for s in self.servers:
            want = expected_state(self.p, [f.t for f in s.faults], s.last_clear, t_snap)
            if want is None:
                self.c["transition"] += 1
                continue
            self.c["judged_" + want] += 1
            state, code = got.get(s.addr, ("absent", None))
            if state != want:
                bad += 1
                self.c["disagreements"] += 1
                faults = ",".join("%s@%.1fs" % (f.kind, t_snap - f.t) for f in s.faults) or "-"
                self.dis_tsv.write("%.1f\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\n" % (
                    self.el(), s.addr, s.ns, want, state, code or "-", faults, t_snap - s.last_clear))
        if bad:
            self.log("verdicts: %d disagree%s (disagreements.tsv)" % (bad, " in the final pass" if final else ""))
        return bad

    def rss_sample(self):
        def vmrss(pid):
            try:
                with open("/proc/%d/status" % pid) as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            return int(line.split()[1])
            except (OSError, ValueError):
                pass
            return None
        ck = vmrss(self.checkd.pid) if self.checkd_alive() else None
        ag = vmrss(self.sentinel.proc.pid) if self.sentinel.proc else None
        total = running = 0
        for s in self.servers:
            if s.proc is not None and s.proc.poll() is None:
                v = vmrss(s.proc.pid)
                if v:
                    total += v
                    running += 1
        row = (self.el(), ck, ag, total, running, len(self.active))
        self.rss.append(row)
        self.rss_tsv.write("%.1f\t%s\t%s\t%d\t%d\t%d\n" % tuple(x if x is not None else "-" for x in row))

    def reload_tick(self):
        # each reload changes the table: the spare real server (no host
        # behind it, so it stays down and is never judged) comes and goes
        self.spare_on = not self.spare_on
        self.write_checkd_conf()
        self.hup()

    def rotate_tick(self):
        p = self.p
        # the checker: a new key and certificate written over the files
        # dsrkit.conf names (same inodes), then a reload
        rc, out = self.run(["dsrkit-pki", "--dir", p.pki, "renew", "director"], 60)
        if rc != 0:
            self.problem("dsrkit-pki renew director: %s" % out)
        else:
            for ext in ("crt", "key"):
                with open(os.path.join(p.pki, "director." + ext), "rb") as src:
                    data = src.read()
                with open(os.path.join(p.dir, "checker", "director." + ext), "wb") as dst:
                    dst.write(data)
            self.c["checker_rotations"] += 1
            self.hup()
            self.log("checker certificate rotated in place, SIGHUP")
        # one agent: a new certificate and key over its files, then a
        # SIGHUP: it reloads them for new connections without a restart,
        # so this is no fault: the server must stay up throughout
        free = [s for s in self.servers if s is not self.sentinel and not self.busy(s)]
        if not free:
            return
        s = self.rng.choice(free)
        rc, out = self.run(["dsrkit-pki", "--dir", p.pki, "renew", s.name], 60)
        if rc != 0:
            self.problem("dsrkit-pki renew %s: %s" % (s.name, out))
            return
        before = self.log_count(s.log, "SIGHUP: certificate ")
        s.proc.send_signal(signal.SIGHUP)
        end = mono() + 10
        while mono() < end and self.log_count(s.log, "SIGHUP: certificate ") == before:
            time.sleep(0.2)
        if self.log_count(s.log, "SIGHUP: certificate ") == before:
            self.problem("agent %s: no reload logged 10 s after SIGHUP: %s" % (s.addr, self.log_tail(s.log)))
            return
        self.c["agent_rotations"] += 1
        self.log("agent %s: certificate rotated in place, SIGHUP (no restart)" % s.addr)

    def log_count(self, path, text):
        try:
            with open(path, errors="replace") as f:
                return f.read().count(text)
        except OSError:
            return 0

    # ---- the schedule ----
    def at(self, due, fn):
        self.hseq += 1
        heapq.heappush(self.heap, (due, self.hseq, fn))

    def every(self, period, fn, first):
        """fn at first, then every period (a late run delays the next one)."""
        due = first

        def tick():
            nonlocal due
            fn()
            due = max(due + period, mono())
            self.at(due, tick)
        self.at(first, tick)

    # ---- phases ----
    def start(self):
        p = self.p
        self.log("%d real servers in %d namespaces; sanitizers %s; seed %d" % (
            len(self.servers), len(self.by_ns), p.sanitizers, p.seed))
        t = mono()
        for s in self.servers:
            self.write_agent_conf(s)
            self.agent_start(s)
        dead = [s for s in self.servers if not self.agent_listening(s, 30)]
        if dead:
            self.result(False, "soak-start", "%d agents not listening (first %s: %s)" % (
                len(dead), dead[0].addr, self.log_tail(dead[0].log)))
            return False
        self.log("agents listening after %.1f s" % (mono() - t))
        self.checkd_start()
        end = mono() + p.start_wait
        up = 0
        got, why = {}, "no /status read yet"
        while mono() < end:
            if not self.checkd_alive():
                self.result(False, "soak-start", "dsr-checkd exited %s: %s" % (
                    self.checkd.returncode, self.log_tail(os.path.join(p.dir, "checkd.log"), 5)))
                return False
            try:
                got = self.states(self.status())
                why = ""
                up = sum(1 for s in self.servers if got.get(s.addr, ("",))[0] == "up")
                if up == len(self.servers):
                    break
            except (OSError, ValueError) as e:
                why = "/status: %s" % e
            time.sleep(2)
        if up != len(self.servers):
            # what the last /status said of the first server not up, and
            # the checker's log: enough to tell a broken set-up from a slow one
            first = next((s for s in self.servers if got.get(s.addr, ("",))[0] != "up"), self.servers[0])
            self.result(False, "soak-start", "%d of %d real servers up after %ds; %s; %s: %s; checkd.log: %s" % (
                up, len(self.servers), p.start_wait, why or "%d in /status" % len(got), first.addr,
                got.get(first.addr, "not in /status"), self.log_tail(os.path.join(p.dir, "checkd.log"), 3)))
            return False
        self.log("all %d real servers up %.1f s after the agents started" % (up, mono() - t))
        self.result(True, "soak-start")
        return True

    def soak(self):
        p = self.p
        self.t0 = mono()
        for s in self.servers:
            s.last_clear = self.t0 - p.t_up - RENDER_S - 1   # all up: judged from the first pass on
        end = self.t0 + p.minutes * 60
        self.every(p.fault_s, self.fault_tick, self.t0 + p.fault_s)
        self.every(p.verdict_s, self.verdict_pass, self.t0 + 1)
        self.every(p.rss_s, self.rss_sample, self.t0)
        self.every(p.reload_s, self.reload_tick, self.t0 + p.reload_s)
        # the first rotation early (a short run has one too), half a reload
        # period off the reloads
        self.every(p.rotate_s, self.rotate_tick, self.t0 + min(p.rotate_s, 1.5 * p.reload_s))
        last_note = self.t0
        while True:
            now = mono()
            if now >= end:
                break
            if not self.checkd_alive():
                self.problem("dsr-checkd exited %s during the soak: %s" % (
                    self.checkd.returncode, self.log_tail(os.path.join(p.dir, "checkd.log"), 5)))
                break
            due, _, fn = self.heap[0]
            if due > now:
                time.sleep(min(due - now, end - now, 1.0))
                continue
            heapq.heappop(self.heap)
            fn()
            if now - last_note >= 300:
                last_note = now
                self.log("progress: faults %s, passes %d, disagreements %d" % (
                    sum(self.n.values()), self.c["passes"], self.c["disagreements"]))
        self.ran_s = self.el()

    def finish(self):
        """Repair all, one last judgement (everything up), stop, collect."""
        p = self.p
        final_bad = None
        if self.checkd_alive():
            for f in sorted(self.active.values(), key=lambda f: f.t):
                self.repair(f)
            if not self.active:
                last = max(s.last_clear for s in self.servers)
                time.sleep(max(0.0, last + p.t_up + RENDER_S + 1 - mono()))
                final_bad = self.verdict_pass(final=True)
            self.rss_sample()
        metrics = ""
        try:
            metrics = self.get(METRICS).decode(errors="replace")
        except OSError as e:
            self.log("metrics: %s" % e)
        checkd_rc, unclean = self.stop_daemons()
        self.report(final_bad, metrics, checkd_rc, unclean)

    def stop_daemons(self):
        """SIGTERM to all: a clean exit, where LeakSanitizer looks for leaks.
        dsr-checkd's exit code, and the agents that exited other than 0."""
        checkd_rc = None
        if self.checkd_alive():
            self.checkd.send_signal(signal.SIGTERM)
            try:
                checkd_rc = self.checkd.wait(120)
            except subprocess.TimeoutExpired:
                self.problem("dsr-checkd did not stop within 120 s of SIGTERM: killed")
                self.checkd.kill()
                checkd_rc = self.checkd.wait()
        elif self.checkd is not None:
            checkd_rc = self.checkd.returncode
        for s in self.servers:
            if s.proc is not None and s.proc.poll() is None:
                s.proc.send_signal(signal.SIGTERM)
        unclean = []
        for s in self.servers:
            rc = self.agent_stop(s, 60)
            if rc not in (0, None):
                unclean.append("%s:%s" % (s.addr, rc))
        for f in self.opened:
            f.flush()
        return checkd_rc, unclean

    def abort(self):
        """After a failed start: stop, keep the logs, look for reports."""
        self.stop_daemons()
        self.keep_logs()
        found, flagged = self.sanitizer_reports()
        self.result(not found and not flagged, "soak-sanitizers",
                    "%d report files, %d logs with reports (copied to sanitizer/)" % (len(found), len(flagged)))

    # ---- the report ----
    def sanitizer_reports(self):
        """Sanitizer report files, and logs in which a sanitizer or glibc's
        allocator said something; copied under $LAB_OUT/sanitizer/."""
        dst = os.path.join(self.p.out, "sanitizer")
        found = []
        for path in sorted(glob.glob(os.path.join(self.p.san_dir, "*"))):
            if os.path.isfile(path) and os.path.getsize(path) > 0:
                found.append(os.path.basename(path))
        logs = [os.path.join(self.p.dir, "checkd.log")] + [s.log for s in self.servers]
        flagged = []
        for path in logs:
            try:
                with open(path, errors="replace") as f:
                    if REPORT_RE.search(f.read()):
                        flagged.append(path)
            except OSError:
                pass
        if found or flagged:
            os.makedirs(dst, exist_ok=True)
            for name in found:
                shutil.copy(os.path.join(self.p.san_dir, name), dst)
            for path in flagged:
                shutil.copy(path, dst)
        return found, [os.path.basename(x) for x in flagged]

    def keep_logs(self):
        """The daemons' logs beside the report (the agents' in one folder)."""
        p = self.p
        if os.path.exists(os.path.join(p.dir, "checkd.log")):
            shutil.copy(os.path.join(p.dir, "checkd.log"), p.out)
        os.makedirs(os.path.join(p.out, "agents"), exist_ok=True)
        for s in self.servers:
            if os.path.exists(s.log):
                shutil.copy(s.log, os.path.join(p.out, "agents"))

    def report(self, final_bad, metrics, checkd_rc, unclean):
        p, c = self.p, self.c
        self.keep_logs()
        found, flagged = self.sanitizer_reports()
        m_reloads = re.search(r"^dsrkit_checkd_config_reloads_total (\d+)", metrics, re.M)
        m_refused = re.search(r"^dsrkit_checkd_config_reload_failures_total (\d+)", metrics, re.M)
        reloads_seen = int(m_reloads.group(1)) if m_reloads else None
        refused = int(m_refused.group(1)) if m_refused else None
        planned = p.minutes * 60
        full = self.ran_s >= planned - max(p.fault_s, 5)
        rss_lines, rss_fail = [], []
        for col, what in ((1, "dsr-checkd"), (2, "dsr-agent %s" % self.sentinel.addr)):
            g = quarter_growth([(r[0], r[col]) for r in self.rss], self.ran_s)
            if g is None:
                rss_lines.append("RSS %s: too few samples" % what)
                rss_fail.append("%s: too few samples" % what)
                continue
            a, b, d, pct = g
            rss_lines.append("RSS %s: second quarter %.0f KiB, last quarter %.0f KiB, growth %+.0f KiB (%+.1f %%)"
                             % (what, a, b, d, pct))
            if pct > p.rss_max_pct:
                rss_fail.append("%s grew %+.1f %% (%+.0f KiB)" % (what, pct, d))
        lines = [
            "dsrkit soak report (make soak; doc/reliability.md \"Soak\")",
            "date: %s" % time.strftime("%Y-%m-%d %H:%M:%S"),
            "sanitizers: %s%s" % (p.sanitizers, (" (%s)" % p.san_note) if p.san_note else ""),
            "minutes: %.1f run of %.1f planned%s" % (self.ran_s / 60, p.minutes, "" if full else " (CUT SHORT)"),
            "real servers: %d (%d namespaces), one dsr-agent each, bound to its address (listen)" % (
                len(self.servers), len(self.by_ns)),
            "dsr-checkd: %s, interval %gs, timeout %gs, rise %d, fall %d, heartbeat %gs" % (
                "standalone (drives IPVS)" if p.standalone == "yes" else "not standalone (no IPVS: a host run)",
                p.interval, p.timeout, p.rise, p.fall, p.heartbeat),
            "judged: down when a fault is older than %.1f s, up when none for %.1f s "
            "(times of the snapshot, %.0f s before each request); seed %d" % (p.t_down, p.t_up, RENDER_S, p.seed),
            "faults injected: " + ", ".join("%s %d" % (k, self.n[k]) for k in FAULT_KINDS) +
            " (one every %gs; draws skipped %d)" % (p.fault_s, c["skipped"]),
            "agent certificates rotated in place (SIGHUP, no restart): %d; checker certificate rotations: %d" % (
                c["agent_rotations"], c["checker_rotations"]),
            "reloads: %d sent (SIGHUP, rotations included), dsr-checkd counted %s, refused %s; "
            "passes that saw last_reload_ok false: %d" % (c["reloads"], reloads_seen, refused, c["reload_not_ok"]),
            "verdict passes: %d (status unreadable %d); judged down %d, judged up %d, in transition %d" % (
                c["passes"], c["status_errors"], c["judged_down"], c["judged_up"], c["transition"]),
            "disagreements: %d%s" % (c["disagreements"], " (disagreements.tsv)" if c["disagreements"] else ""),
            "final pass after repairing everything: %s" % (
                "not run" if final_bad is None else "%d servers not up" % final_bad),
            "fail-safe active in %d passes" % c["failsafe_passes"],
            "agents that exited by themselves: %d; exits other than 0 on SIGTERM: %s; dsr-checkd exit: %s" % (
                c["crashes"], ", ".join(unclean) or "none", checkd_rc),
            "sanitizer report files: %s" % (", ".join(found) or "none"),
            "logs with sanitizer or allocator messages: %s" % (", ".join(flagged) or "none"),
        ] + rss_lines + ["harness problems: %d%s" % (len(self.problems), "".join(
            "\n  " + x for x in self.problems[:30]))]
        with open(os.path.join(p.out, "soak-report.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        for line in lines:
            self.log(line)
        self.result(full and self.checkd is not None and checkd_rc == 0, "soak-ran",
                    "ran %.1f of %.1f minutes, dsr-checkd exit %s" % (self.ran_s / 60, p.minutes, checkd_rc))
        self.result(c["disagreements"] == 0 and final_bad == 0 and c["passes"] > 0, "soak-verdicts",
                    "%d disagreements in %d passes, final pass %s (disagreements.tsv)" % (
                        c["disagreements"], c["passes"], "not run" if final_bad is None else final_bad))
        self.result(not found and not flagged, "soak-sanitizers",
                    "%d report files, %d logs with reports (copied to sanitizer/)" % (len(found), len(flagged)))
        self.result(not rss_fail, "soak-rss", "; ".join(rss_fail))
        self.result(c["crashes"] == 0 and not unclean and c["kill9"] == 0, "soak-agents",
                    "%d exited by themselves, %d unclean exits, %d killed" % (c["crashes"], len(unclean), c["kill9"]))
        self.result(reloads_seen == c["reloads"] and refused == 0 and c["reload_not_ok"] == 0, "soak-reloads",
                    "sent %d, counted %s, refused %s" % (c["reloads"], reloads_seen, refused))
        self.result(not self.problems, "soak-harness", "%d problems: %s" % (
            len(self.problems), " / ".join(self.problems[:3])))


def main():
    p = Params()
    s = Soak(p)
    os.makedirs(p.san_dir, exist_ok=True)
    if not s.start():
        s.abort()
        return 1
    s.soak()
    s.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
