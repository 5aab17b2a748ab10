/* SPDX-License-Identifier: Apache-2.0 */
/* kaconf-check FILE: read FILE (with its includes) with dsrkit's
 * keepalived.conf reader (kaconf/) and its virtual_server subset; exit 0
 * when both accept it, 1 with the reason on stderr.  The differential test
 * (tests/fuzz/kaconf-diff) compares this with `keepalived -t`. */
#include <stdio.h>

#include "kaconf/kaconf.h"
#include "kaconf/kaconf_vs.h"

int main(int argc, char **argv)
{
	struct kaconf *cf = NULL;
	struct kaconf_vs_list l;
	struct buf err;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: kaconf-check FILE\n");
		return 2;
	}
	buf_init(&err, 64 * 1024);
	r = kaconf_parse_file(argv[1], 0, &cf, &err);
	if (r == 0) {
		r = kaconf_vs_collect(cf, &l, &err);
		kaconf_vs_list_free(&l);
		kaconf_free(cf);
	}
	if (r < 0)
		fprintf(stderr, "%s", buf_str(&err));
	buf_free(&err);
	return r < 0;
}
