/* SPDX-License-Identifier: Apache-2.0 */
/* linux_parse.h - what the Linux agent reads from the kernel, parsed from a
 * buffer: a /proc/sys value, /proc/loadavg, a /proc/net/tcp{,6} line and a
 * datagram of a sock_diag dump.  agent_linux.c does the reading (open, read,
 * recv) and hands the bytes here, so that the unit tests and the libFuzzer
 * targets (tests/fuzz/fuzz_agent_proc.c, fuzz_agent_diag.c) call the same
 * code with bytes of their own.  No OS call in linux_parse.c, and no OS
 * header here.
 */
#ifndef DSRKIT_AGENT_LINUX_PARSE_H
#define DSRKIT_AGENT_LINUX_PARSE_H

#include <stddef.h>

#include "agent-proto/facts-t.h"

/* The longest /proc/net/tcp{,6} line the reader takes whole: longer ones
 * are parsed from their first LINUX_TCP_LINE_MAX - 1 bytes (a real line is
 * 150 bytes for tcp, 180 for tcp6). */
#define LINUX_TCP_LINE_MAX 512

/* A /proc/sys/net/ipv4/conf value ("1\n"): 0..255, or FACTS_UNKNOWN when
 * the first line of buf[0..len) is not a number in that range. */
int linux_parse_sysctl(const char *buf, size_t len);

/* The weight hint (0 busy .. 100 idle) from /proc/loadavg's first field
 * ("2.54 2.22 2.21 5/156 22617", read to two decimals) on ncpu processors
 * (< 1 is taken as 1), or -EIO when that field is not a decimal number. */
__attribute__((warn_unused_result))
int linux_parse_load_weight(const char *buf, size_t len, long ncpu);

/* One line of /proc/net/tcp (v6 = 0) or /proc/net/tcp6 (v6 = 1), without
 * its header: a socket in state LISTEN (0A) is added to f's listeners with
 * v6only FACTS_UNKNOWN; any other line, or one that does not parse, is
 * skipped.  buf need not be NUL-terminated; it is read up to len bytes,
 * a NUL or LINUX_TCP_LINE_MAX - 1 bytes, whichever comes first. */
void linux_parse_tcp_line(struct facts *f, const char *buf, size_t len, int v6);

/* One datagram of a SOCK_DIAG_BY_FAMILY dump (netlink messages of
 * inet_diag_msg with attributes), buf 4-byte aligned as recv() fills a
 * netlink buffer: each socket is added to f's listeners with its
 * INET_DIAG_SKV6ONLY flag when the kernel sent one.  Returns 1 when the dump
 * ended (NLMSG_DONE), 0 when more datagrams are to come, or the negative
 * errno of an NLMSG_ERROR (-EIO when that message is short or carries no
 * negative errno).  Messages that are too short are skipped; the walk stops
 * at the first header that does not fit in len. */
__attribute__((warn_unused_result))
int linux_parse_diag(struct facts *f, const void *buf, size_t len);

#endif
