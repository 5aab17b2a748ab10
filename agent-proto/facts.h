/* SPDX-License-Identifier: Apache-2.0 */
/* facts.h - filling and querying the facts model (facts-t.h).  Portable C. */
#ifndef DSRKIT_AGENT_PROTO_FACTS_H
#define DSRKIT_AGENT_PROTO_FACTS_H

#include "agent-proto/facts-t.h"

/* Empty facts for an OS: every setting FACTS_UNKNOWN, admin up, no weight.
 * Only the scalars and counts are written: the tables' entries are zeroed
 * as they are added, so compare and copy with the two below, never with
 * memcmp/memcpy of the whole struct (what lies past a count is stale). */
void facts_init(struct facts *f, enum facts_os os);

/* 1 when a and b hold the same facts (every field and entry in use). */
int facts_equal(const struct facts *a, const struct facts *b);

/* dst = src, copying only the entries in use. */
void facts_copy(struct facts *dst, const struct facts *src);

/* Append an interface; returns its position, or -ENOSPC (f->truncated set). */
__attribute__((warn_unused_result))
int facts_iface_add(struct facts *f, const char *name, uint32_t index, int up, int loopback);

/* Append an address of interface position `iface`; 0, -EINVAL or -ENOSPC. */
__attribute__((warn_unused_result))
int facts_addr_add(struct facts *f, size_t iface, const struct ip_addr *a, unsigned prefix_len);

/* Append a listening socket unless an identical one is known; 0 or -ENOSPC. */
__attribute__((warn_unused_result))
int facts_listener_add(struct facts *f, enum facts_proto proto, const struct ip_addr *a,
		       uint16_t port, int v6only);

/* Position of the interface named `name`, or -ENOENT. */
int facts_iface_find(const struct facts *f, const char *name);

/* Copy s into a fixed field of size n, truncating; never overflows. */
void facts_text_set(char *dst, size_t n, const char *s);

/* Names for the enums ("linux", "drain", "tcp"); NULL when out of range. */
const char *facts_os_name(enum facts_os os);
const char *admin_state_name(enum admin_state s);
const char *facts_proto_name(enum facts_proto p);

/* The reverse: 0 and *out set, or -EINVAL. */
__attribute__((warn_unused_result))
int facts_os_parse(const char *s, enum facts_os *out);
__attribute__((warn_unused_result))
int admin_state_parse(const char *s, enum admin_state *out);
__attribute__((warn_unused_result))
int facts_proto_parse(const char *s, enum facts_proto *out);

#endif
