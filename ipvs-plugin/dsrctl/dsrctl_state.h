/* SPDX-License-Identifier: Apache-2.0 */
/* dsrctl_state.h - dsrctl's memory between runs (see dsrctl_state.c). */
#ifndef DSRKIT_DSRCTL_STATE_H
#define DSRKIT_DSRCTL_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "dsrkit/ipvs.h"

/* The state folder: DSRCTL_STATE_DIR, else /run/dsrctl. */
const char *state_dir_default(void);

/* DIR/ipvs-KIND.NETNS.conf into out; returns out. */
char *state_file_path(const char *kind, char *out, size_t n);

/* Every function below opens the folder of its path (creating it 0700 if
 * missing) and uses it only when it is the effective user's and writable
 * by no one else; files in it are opened without following symlinks, and
 * are trusted only when they are regular files of that user.  This one
 * checks just that: 0, or -errno with the reason in why. */
__attribute__((warn_unused_result))
int state_dir_check(const char *path, char *why, size_t n);

/* Removes path from its verified folder; 0 (also when absent) or -errno. */
int state_file_remove(const char *path);

/* 1 when path exists in its verified folder (a symlink counts), 0 when
 * not, -errno when the folder cannot be trusted. */
int state_file_exists(const char *path);

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
