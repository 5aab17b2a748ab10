#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""routetimes.py PREFIX LOG: reads what `ip -ts monitor route` wrote to LOG
and prints one line "EPOCH NEXTHOPS" per change of the route to PREFIX
(e.g. 192.0.2.100; NEXTHOPS 0 when it was deleted), EPOCH in seconds with
microseconds, in the clock `date +%s.%N` reads.  The ECMP lab test takes
the moment the router dropped or added a director from it: a poll would
measure its own forks in the guest."""
import datetime, re, sys

prefix, path = sys.argv[1], sys.argv[2]
entry = []  # lines of the current entry: the first one starts with [timestamp]
stamp = None

def flush():
    if stamp is None or not entry:
        return
    head = entry[0]
    deleted = head.startswith("Deleted ")
    dst = head.split()[1] if deleted else head.split()[0]
    if dst not in (prefix, prefix + "/32", prefix + "/128"):
        return
    n = 0 if deleted else sum(1 for l in entry if re.search(r"\bvia\b", l))
    print("%.6f %d" % (stamp, n))

for line in open(path, errors="replace"):
    m = re.match(r"\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)\](.*)", line.rstrip("\n"))
    if m:
        flush()
        t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f")
        stamp = t.replace(tzinfo=datetime.datetime.now().astimezone().tzinfo).timestamp()
        entry = [m.group(2).strip()]
    elif line.startswith((" ", "\t")) and stamp is not None:
        entry.append(line.strip())
flush()
