/* SPDX-License-Identifier: Apache-2.0 */
/* win_facts.h - from a Windows snapshot (win_facts-t.h) to the portable
 * facts the rules judge.  Portable C: tests run it on fake snapshots. */
#ifndef DSRKIT_WIN_FACTS_H
#define DSRKIT_WIN_FACTS_H

#include "agent-proto/facts-t.h"
#include "win-realserver/win_facts-t.h"

/* Empty snapshot: no adapters, no notes. */
void win_snapshot_init(struct win_snapshot *s);

/* Default options: find the loopback by identity, name a new one "Loopback". */
void win_options_init(struct win_options *o);

/* Record a fact the OS would not give (kept, first WIN_NOTES_MAX). */
__attribute__((format(printf, 2, 3)))
void win_snapshot_note(struct win_snapshot *s, const char *fmt, ...);

/* Append an adapter with every setting unknown; returns it, or NULL when
 * the snapshot is full (s->truncated set).  The snapshot owns it. */
struct win_adapter *win_snapshot_adapter_add(struct win_snapshot *s, const char *alias,
					     uint32_t index, uint64_t luid);

/* Append an address / a listener; 0 or -ENOSPC (s->truncated set). */
__attribute__((warn_unused_result))
int win_snapshot_addr_add(struct win_snapshot *s, const struct ip_addr *a, unsigned prefix_len,
			  uint32_t index, int skip_as_source);
__attribute__((warn_unused_result))
int win_snapshot_listener_add(struct win_snapshot *s, const struct ip_addr *a, uint16_t port,
			      int v6only);

/* Is this the adapter DR wants the VIPs on?  With o->loopback set, the
 * adapter of that alias (and only it); else the KM-TEST loopback adapter,
 * by hardware id *MSLOOP or by its driver description.  Never the
 * "Loopback Pseudo-Interface" (software loopback, 127.0.0.1). */
int win_adapter_is_loopback(const struct win_adapter *a, const struct win_options *o);

/* The adapter at this interface index, or NULL. */
const struct win_adapter *win_snapshot_adapter_by_index(const struct win_snapshot *s,
							uint32_t index);

/* Fill f (facts_init'ed for FACTS_OS_WINDOWS by the caller) from s.  The
 * weak-host flags of an interface are its IPv4 ones when IPv4 is bound,
 * else its IPv6 ones.  Returns 0; -ENOSPC means f is truncated (and says
 * so), which is still a usable result. */
__attribute__((warn_unused_result))
int win_facts_build(const struct win_snapshot *s, const struct win_options *o, struct facts *f);

#endif
