/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the keepalived-syntax reader and the virtual_server
 * subset on any bytes.  Whatever is accepted must give a tree whose nodes
 * all carry a file and a line, and whose every virtual_server converts
 * without reading out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kaconf/kaconf.h"
#include "kaconf/kaconf_vs.h"

static size_t walk(const struct kaconf_node *n, unsigned depth)
{
	size_t count = 0, i;

	for (; n; n = n->next) {
		if (!n->file || n->line == 0 || !n->word || depth > KACONF_NEST_MAX)
			abort();
		for (i = 0; i < n->nargs; i++)
			if (strlen(n->args[i]) > KACONF_WORD_MAX)
				abort();
		count += 1 + walk(n->child, depth + 1);
	}
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kaconf *cf = NULL;
	struct kaconf_vs_list l;
	struct buf err;

	buf_init(&err, 64 * 1024);
	if (kaconf_parse_mem("fuzz.conf", (const char *)data, size, KACONF_NO_INCLUDE, &cf, &err) == 0) {
		if (walk(kaconf_root(cf), 0) != kaconf_node_count(cf))
			abort();
		if (kaconf_vs_collect(cf, &l, &err) == 0) {
			size_t i;

			for (i = 0; i < l.n; i++)
				if (l.vs[i].nrs && !l.vs[i].rs)
					abort();
		}
		kaconf_vs_list_free(&l);
		kaconf_free(cf);
	} else if (cf || err.len == 0) {
		abort(); /* a refusal always says why, and returns nothing */
	}
	buf_free(&err);
	return 0;
}
