/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: keepalived.conf with `include` on.  The input is split
 * at NUL bytes into up to 8 files, written into a private temporary
 * directory as main.conf, f1.conf ... f7.conf; main.conf is parsed with its
 * includes (relative names, globs, nesting, cycles, missing files).  The
 * tree must hold, every node name a file and a line, and a refusal must say
 * why.  Inputs naming absolute or parent paths are skipped: the target
 * stays inside its directory. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kaconf/kaconf.h"
#include "kaconf/kaconf_vs.h"

#define FILES 8

static char dir[64];

static size_t walk(const struct kaconf_node *n, unsigned depth)
{
	size_t count = 0;

	for (; n; n = n->next) {
		if (!n->file || n->line == 0 || !n->word || depth > KACONF_NEST_MAX)
			abort();
		count += 1 + walk(n->child, depth + 1);
	}
	return count;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/dsrkit-fuzz-inc.XXXXXX");
	if (!mkdtemp(dir))
		abort();  /* includes resolve relative to the including file: no chdir */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kaconf *cf = NULL;
	struct kaconf_vs_list l;
	struct buf err;
	size_t start = 0, i, k = 0;
	char name[96];

	if (memchr(data, '/', size) || memchr(data, '\\', size))
		return 0;
	for (i = 0; i < FILES; i++) {
		if (i)
			snprintf(name, sizeof(name), "%s/f%zu.conf", dir, i);
		else
			snprintf(name, sizeof(name), "%s/main.conf", dir);
		unlink(name);
	}
	for (i = 0; i <= size && k < FILES; i++) {
		if (i == size || data[i] == 0) {
			FILE *f;

			if (k)
				snprintf(name, sizeof(name), "%s/f%zu.conf", dir, k);
			else
				snprintf(name, sizeof(name), "%s/main.conf", dir);
			f = fopen(name, "w");
			if (!f)
				abort();
			if (i > start && fwrite(data + start, 1, i - start, f) != i - start)
				abort();
			fclose(f);
			k++;
			start = i + 1;
		}
	}
	buf_init(&err, 64 * 1024);
	snprintf(name, sizeof(name), "%s/main.conf", dir);
	if (kaconf_parse_file(name, 0, &cf, &err) == 0) {
		if (walk(kaconf_root(cf), 0) != kaconf_node_count(cf))
			abort();
		(void)!kaconf_vs_collect(cf, &l, &err);
		kaconf_vs_list_free(&l);  /* always initialised, freed either way */
		kaconf_free(cf);
	} else if (cf || err.len == 0) {
		abort();
	}
	buf_free(&err);
	return 0;
}
