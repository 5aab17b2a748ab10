/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: dsrctl's readers of outside input and its lint.  The
 * same bytes go through the configuration reader (conf_table_load_mem), the
 * state file and journal readers (conf_table_load, conf_keys_load: files
 * dsrctl wrote itself, or someone edited), and, parsed as keepalived.conf,
 * the DR lint over a fake routing table.  Whatever is accepted must write
 * back and read again to the same number of services. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounded/buf.h"
#include "ipvs-plugin/dsrctl/dr_lint.h"
#include "ipvs-plugin/dsrctl/dsrctl_conf.h"
#include "kaconf/kaconf.h"
#include "kaconf/kaconf_vs.h"

static char path[64];

static enum route_kind fake_route(void *ctx, const struct ip_addr *a)
{
	(void)ctx;
	if (a->family == IP_FAMILY_V4 && a->b[3] == 100)
		return ROUTE_LOCAL;
	if (a->family == IP_FAMILY_V4 && a->b[0] == 192)
		return ROUTE_CONNECTED;
	if (a->family == IP_FAMILY_V6 && a->b[0] == 0x20)
		return ROUTE_CONNECTED;
	return a->b[0] & 1 ? ROUTE_GATEWAY : ROUTE_NONE;
}

static void emit(const struct lint_finding *f, void *arg)
{
	if ((unsigned)f->code >= LINT_COUNT || !f->file || !memchr(f->text, 0, sizeof(f->text)))
		abort();
	++*(size_t *)arg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "/dev/shm/dsrkit-fuzz-dsrctl.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipvs_table *t = NULL, *t2 = NULL;
	struct kaconf *cf = NULL;
	struct kaconf_vs_list l;
	struct lint_routes routes = { .lookup = fake_route };
	struct buf err, warn;
	size_t n = 0;
	FILE *f;

	buf_init(&err, 64 * 1024);
	buf_init(&warn, 64 * 1024);
	if (conf_table_load_mem("fuzz.conf", (const char *)data, size, &t, &err) == 0) {
		/* what was accepted writes out and reads back the same */
		f = fopen(path, "w");
		if (!f || conf_table_write(t, SIZE_MAX, f) < 0)
			abort();
		fclose(f);
		buf_reset(&err);
		if (conf_table_load(path, &t2, &err, &warn) < 0 ||
		    ipvs_table_service_count(t2) != ipvs_table_service_count(t))
			abort();
		ipvs_table_free(t2);
		ipvs_table_free(t);
	} else if (err.len == 0) {
		abort();
	}
	/* the same bytes as a state file and as a journal */
	f = fopen(path, "w");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	buf_reset(&err);
	t = NULL;
	if (conf_table_load(path, &t, &err, &warn) == 0)
		ipvs_table_free(t);
	buf_reset(&err);
	t = NULL;
	if (conf_keys_load(path, &t, &err) == 0)
		ipvs_table_free(t);
	/* lint */
	buf_reset(&err);
	if (kaconf_parse_mem("fuzz.conf", (const char *)data, size, KACONF_NO_INCLUDE, &cf, &err) == 0) {
		if (kaconf_vs_collect(cf, &l, &err) == 0)
			(void)dr_lint_run(cf, &l, &routes, emit, &n);
		kaconf_vs_list_free(&l);
		kaconf_free(cf);
	}
	buf_free(&err);
	buf_free(&warn);
	return 0;
}
