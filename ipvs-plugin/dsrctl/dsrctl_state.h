/* SPDX-License-Identifier: Apache-2.0 */
/* dsrctl_state.h - dsrctl's memory between runs (see dsrctl_state.c). */
#ifndef DSRKIT_DSRCTL_STATE_H
#define DSRKIT_DSRCTL_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "dsrkit/ipvs.h"

/* DIR/ipvs-KIND.NETNS.conf into out; returns out. */
char *state_file_path(const char *kind, char *out, size_t n);

/* Writes t (without service `skip`, SIZE_MAX for none) to a temporary file
 * renamed over path.  0 or -errno. */
__attribute__((warn_unused_result))
int state_table_write(const char *path, const struct ipvs_table *t, size_t skip);

/* The table in path; NULL when missing or unreadable (said on stderr).
 * Owned by the caller. */
struct ipvs_table *state_table_read(const char *path);

/* A copy of prev without the services `drop` names; NULL if prev is NULL or
 * memory ran out (callers then compare everything). */
struct ipvs_table *state_table_without(const struct ipvs_table *prev, const struct ipvs_table *drop);

/* Adds the services of `given` to the journal of services changed by
 * --partial since the last full apply.  0 or -errno. */
__attribute__((warn_unused_result))
int state_partial_note(const char *partial, const struct ipvs_table *given);

/* The services named in that journal (keys only); NULL when missing or
 * unreadable (said on stderr). */
struct ipvs_table *state_dirty_read(const char *path);

/* Weight of (s, d) in the state file path, or -1. */
int32_t state_weight_find(const char *path, const struct ipvs_service *s, const struct ipvs_dest *d);

/* Remembers d's weight as drained (remove = 0) or forgets it (remove = 1). */
__attribute__((warn_unused_result))
int state_drained_update(const struct ipvs_service *s, const struct ipvs_dest *d, int remove);

#endif
