#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""promcheck.py - a strict parser of the Prometheus text exposition format
(0.0.4), for lab tests where promtool is missing (and as a second opinion
where it is not).  Reads stdin; exits 1 with the first problem.

Checks: every line is a HELP, a TYPE, or a sample; metric and label names
are valid; label values are properly quoted and escaped; values are
numbers; each family has one TYPE, given before its samples, and its
samples are contiguous; no sample (name and label set) appears twice;
counters end in _total."""
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
VALUE = r'(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)'
SAMPLE = re.compile(r'^(' + NAME + r')(\{(.*)\})? (' + VALUE + r')( -?\d+)?$')
LABELPAIR = re.compile(r'(' + LABEL + r')="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)')
TYPES = {'counter', 'gauge', 'histogram', 'summary', 'untyped'}


def fail(n, line, why):
    print(f"line {n}: {why}: {line[:200]!r}")
    sys.exit(1)


def main():
    types, seen, done, current = {}, set(), set(), None
    samples = 0
    for n, line in enumerate(sys.stdin.read().split('\n')[:-1], 1):
        if line.startswith('# HELP '):
            parts = line.split(' ', 3)
            if len(parts) < 4 or not re.fullmatch(NAME, parts[2]):
                fail(n, line, 'bad HELP')
            continue
        if line.startswith('# TYPE '):
            parts = line.split(' ')
            if len(parts) != 4 or not re.fullmatch(NAME, parts[2]) or parts[3] not in TYPES:
                fail(n, line, 'bad TYPE')
            if parts[2] in types:
                fail(n, line, 'TYPE given twice')
            if parts[3] == 'counter' and not parts[2].endswith('_total'):
                fail(n, line, 'counter not named *_total')
            if current:
                done.add(current)
            types[parts[2]] = parts[3]
            current = parts[2]
            continue
        if line.startswith('#') or not line:
            fail(n, line, 'stray comment or empty line')
        m = SAMPLE.match(line)
        if not m:
            fail(n, line, 'not a sample')
        name, labels = m.group(1), m.group(3) or ''
        if name != current:
            fail(n, line, 'sample outside its family (no TYPE just before, or not contiguous)')
        pos, keys = 0, []
        while pos < len(labels):
            lm = LABELPAIR.match(labels, pos)
            if not lm:
                fail(n, line, f'bad label set at {labels[pos:pos+30]!r}')
            keys.append(lm.group(1))
            pos = lm.end()
        if len(keys) != len(set(keys)):
            fail(n, line, 'label repeated')
        key = (name, labels)
        if key in seen:
            fail(n, line, 'sample repeated')
        seen.add(key)
        samples += 1
    print(f"ok: {len(types)} families, {samples} samples")


main()
