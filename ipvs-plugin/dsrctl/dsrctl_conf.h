/* SPDX-License-Identifier: Apache-2.0 */
/* dsrctl_conf.h - keepalived syntax to an IPVS table and back (the
 * snapshot dsrctl keeps of what it applied is written in the same syntax,
 * so it goes through the same parser). */
#ifndef DSRKIT_DSRCTL_CONF_H
#define DSRKIT_DSRCTL_CONF_H

#include <stdio.h>

#include "bounded/buf.h"
#include "dsrkit/ipvs.h"
#include "kaconf/kaconf_vs.h"

/* The virtual servers of l as an IPVS table; duplicates and bad values are
 * "file:line: ..." lines in err.  Returns 0 or -EINVAL/-ENOMEM; *out owned
 * by the caller. */
__attribute__((warn_unused_result))
int conf_table_from_vs(const struct kaconf_vs_list *l, struct ipvs_table **out, struct buf *err);

/* Parse a keepalived file into a table.  Warnings (skipped blocks) go to
 * warn. */
__attribute__((warn_unused_result))
int conf_table_load(const char *path, struct ipvs_table **out, struct buf *err, struct buf *warn);

/* Only the services (keys) of a file that may name one several times, as
 * the journal of --partial applies does; real servers are not read. */
__attribute__((warn_unused_result))
int conf_keys_load(const char *path, struct ipvs_table **out, struct buf *err);

__attribute__((warn_unused_result))
int conf_keys_load_mem(const char *name, const char *data, size_t len, struct ipvs_table **out,
		       struct buf *err);

/* Appends the key of s ("virtual_server ... { protocol ... }") to b. */
__attribute__((warn_unused_result))
int conf_key_append(struct buf *b, const struct ipvs_service *s);

/* The same from memory (unit tests, fuzzing). */
__attribute__((warn_unused_result))
int conf_table_load_mem(const char *name, const char *data, size_t len, struct ipvs_table **out,
			struct buf *err);

/* Writes t in keepalived syntax, leaving out service `skip` (SIZE_MAX:
 * none); 0 or -errno. */
__attribute__((warn_unused_result))
int conf_table_write(const struct ipvs_table *t, size_t skip, FILE *f);

#endif
