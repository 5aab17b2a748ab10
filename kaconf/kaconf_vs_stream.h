/* SPDX-License-Identifier: Apache-2.0 */
/* kaconf_vs_stream.h - keepalived's virtual servers, read block by block.
 *
 * kaconf_parse_file then kaconf_vs_collect hold the whole statement tree
 * and the whole list of services at once: 12 MB and 9 MB for a 2.5 MB file
 * of 10,000 services.  This reader hands each virtual_server block's
 * services on as soon as the block is read, then drops the block's
 * statements (kaconf_hook) and its services, so neither exists whole.  What
 * it returns, the errors and the warnings are those of the two steps, in
 * the same order.
 */
#ifndef DSRKIT_KACONF_VS_STREAM_H
#define DSRKIT_KACONF_VS_STREAM_H

#include <stddef.h>

#include "bounded/buf.h"
#include "kaconf/kaconf_vs.h"

struct kaconf_vs_sink {
	/* l holds the services of one virtual_server block (a group's:
	 * several), blocks in file order; they and the statements they point
	 * to are valid during the call only.  Returns 0, or a negative errno
	 * that stops the reading and is its result. */
	int (*each)(const struct kaconf_vs_list *l, void *arg);
	void *arg;
};

/* Reads path (flags as kaconf_parse_file) and gives every virtual server to
 * sink->each.  Returns 0; the parse's negative errno ("file:line: ..." in
 * err); -EINVAL when virtual servers are wrong ("file:line: ..." lines in
 * err, those of virtual_server_group blocks first, as kaconf_vs_collect);
 * -E2BIG, -ENOMEM, or what each returned.  each is called only while no
 * mistake has been found, but one may be found later: what it built is to
 * be thrown away when this returns an error.  l ends with no services and
 * the warnings (always initialised; free it with kaconf_vs_list_free).
 *
 * `virtual_server group NAME` may name a group written after it: from the
 * first such block on, virtual_server blocks stay in the tree until the
 * file is read (so the services keep the file's order). */
__attribute__((warn_unused_result))
int kaconf_vs_stream_file(const char *path, unsigned flags, const struct kaconf_vs_sink *sink,
			  struct kaconf_vs_list *l, struct buf *err);

/* The same from memory, as kaconf_parse_mem. */
__attribute__((warn_unused_result))
int kaconf_vs_stream_mem(const char *name, const char *data, size_t len, unsigned flags,
			 const struct kaconf_vs_sink *sink, struct kaconf_vs_list *l, struct buf *err);

#endif
