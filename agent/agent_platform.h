/* SPDX-License-Identifier: Apache-2.0 */
/* agent_platform.h - the seam between dsr-agent's portable part and its OS.
 *
 * One whole file per platform implements this table: agent_linux.c
 * (rtnetlink, procfs) and agent_win32.c (IP Helper API, built with
 * mingw-w64).  Tests give the agent fake facts by providing their own
 * table.  Nothing here may include an OS header.
 */
#ifndef DSRKIT_AGENT_PLATFORM_H
#define DSRKIT_AGENT_PLATFORM_H

#include <stddef.h>
#include <stdio.h>

#include "agent-proto/facts-t.h"

struct agent_setup_opts {
	const struct ip_addr *vips;
	size_t n_vips;
	int dry_run;            /* print the exact commands, change nothing */
	int persist;            /* also make it survive a reboot */
	const char *root;       /* prefix for files --persist writes ("" = /) */
	FILE *out;              /* where commands and results are printed */
};

struct agent_platform {
	const char *name;
	enum facts_os os;
	/* Fill f (already facts_init'ed) with what the OS says: interfaces,
	 * addresses, DR settings, listeners, hostname, release.  No admin
	 * state.  Needs no privileges.  Returns 0 or a negative errno. */
	int (*facts_read)(struct facts *f);
	/* Re-read into f (the facts of the last whole read) only what sends
	 * no event, costs little and drains when it changes: on Linux the
	 * arp_ignore of `all` and of each interface the ARP rules judge (not
	 * the loopback, not down, with an IPv4 address).  Run on every
	 * watcher tick, between the whole reads the budget allows, so that a
	 * reset arp_ignore shows within a tick.  Returns 1 when f changed,
	 * else 0.  NULL where the platform has no such subset. */
	int (*facts_quick_reread)(struct facts *f);
	/* Bring the server into DR shape for the VIPs, printing each command
	 * it runs (or, with dry_run, would run) to o->out.  Idempotent.
	 * Refuses with -EEXIST, before changing anything, when a VIP sits on
	 * an interface that answers ARP for it.  0 or a negative errno. */
	int (*setup)(const struct facts *f, const struct agent_setup_opts *o);
	/* Load-based weight hint 0-100 (100 idle), or a negative errno. */
	int (*load_weight)(void);
	/* 1 when f is a terminal that shows colour escapes (Windows: a
	 * console that accepted VT processing), else 0. */
	int (*color_terminal)(FILE *f);
};

/* The platform this binary was built for. */
extern const struct agent_platform agent_platform;

#endif
