/* SPDX-License-Identifier: Apache-2.0 */
/* agent_win32.h - the Windows platform layer of dsr-agent (agent_win32.c).
 * No Windows header here: the CLI and the tests include it. */
#ifndef DSRKIT_AGENT_WIN32_H
#define DSRKIT_AGENT_WIN32_H

#include "agent-proto/facts-t.h"
#include "win-realserver/win_facts-t.h"
#include "win-realserver/win_setup.h"

/* The real Windows calls behind setup (IP Helper, SetupAPI, firewall COM). */
extern const struct win_ops win32_ops;

/* Loopback and NIC overrides (--loopback, --nic); read by win32_facts_read
 * and setup. */
extern struct win_options win32_options;

/* Test seam: hide_export(name) true makes that run-time resolved export
 * look missing, to prove the "unknown, never a crash" path. */
struct win32_hooks {
	int (*hide_export)(const char *name);
};
void win32_hooks_set(const struct win32_hooks *h);

/* Read the OS into f (facts_init'ed, FACTS_OS_WINDOWS).  0 or a negative
 * errno.  The snapshot it read, with its notes, stays available through
 * win32_last_snapshot() until the next call (not thread-safe). */
__attribute__((warn_unused_result))
int win32_facts_read(struct facts *f);
const struct win_snapshot *win32_last_snapshot(void);

/* 1 when the process runs with administrator rights. */
int win32_is_admin(void);

/* Idle CPU share over 100 ms, 0-100 (100 idle), or a negative errno. */
int win32_load_weight(void);

#endif
