/* SPDX-License-Identifier: Apache-2.0 */
/* ha_lint_cmd.c - `dsrctl lint [--sync-external] A.conf B.conf`: reads both
 * directors' keepalived.conf and prints every difference that breaks a
 * failover (ha_lint.c), "file:line: CODE: what [fix: ...]". */
#include "ipvs-plugin/dsrctl/ha_lint_cmd.h"

#include <stdio.h>
#include <string.h>

#include "bounded/buf.h"
#include "ipvs-plugin/dsrctl/ha_lint.h"

#define ERRBUF_MAX (256 * 1024)

const char ha_lint_cmd_usage[] =
	"usage: dsrctl lint [--sync-external] A.conf B.conf\n"
	"  Compares the keepalived.conf of two directors of a VRRP pair and names every\n"
	"  difference that breaks a failover, 'file:line: CODE: what [fix: ...]':\n"
	"  services, real servers, weights, schedulers, persistence or lb_kind that\n"
	"  differ; vrrp_instances, virtual_router_id, VIPs, authentication or advert\n"
	"  interval that differ; the same priority without nopreempt; connection sync\n"
	"  missing (no lvs_sync_daemon in either) or one-way.\n"
	"  --sync-external  the sync daemons are started outside keepalived\n"
	"                   (ipvsadm --start-daemon, both ways; doc/ha.md)\n"
	"  Exit 0 only when the pair is clean; 1 on findings or a file that does not parse.\n";

static void print_finding(const struct lint_finding *f, void *arg)
{
	(void)arg;
	lint_finding_print(f, stdout);
}

/* Reads one file into cf and vs; prints the file:line reason on failure. */
static int load(const char *path, struct kaconf **cf, struct kaconf_vs_list *vs, struct buf *err)
{
	buf_reset(err);
	if (kaconf_parse_file(path, 0, cf, err) < 0) {
		fputs(buf_str(err), stderr);
		memset(vs, 0, sizeof(*vs));
		return -1;
	}
	if (kaconf_vs_collect(*cf, vs, err) < 0) {
		fputs(buf_str(&vs->warnings), stderr);
		fputs(buf_str(err), stderr);
		return -1;
	}
	fputs(buf_str(&vs->warnings), stderr);
	return 0;
}

int ha_lint_cmd(int argc, char **argv)
{
	struct kaconf *ca = NULL, *cb = NULL;
	struct kaconf_vs_list la, lb;
	const char *files[2] = { NULL, NULL };
	struct buf err;
	int sync_external = 0, nf = 0, i, rc = 1, ok;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sync-external") == 0)
			sync_external = 1;
		else if (argv[i][0] != '-' && nf < 2)
			files[nf++] = argv[i];
		else
			nf = 3;
	}
	if (nf != 2) {
		fputs(ha_lint_cmd_usage, stderr);
		return 1;
	}
	buf_init(&err, ERRBUF_MAX);
	memset(&la, 0, sizeof(la));
	memset(&lb, 0, sizeof(lb));
	ok = load(files[0], &ca, &la, &err) == 0;
	ok = (load(files[1], &cb, &lb, &err) == 0) && ok;
	if (ok) {
		struct ha_side a = { .cf = ca, .vs = &la, .path = files[0] };
		struct ha_side b = { .cf = cb, .vs = &lb, .path = files[1] };
		size_t n = ha_lint_run(&a, &b, sync_external, print_finding, NULL);

		printf("lint: pair %s + %s: %zu and %zu virtual servers, %zu finding%s\n", files[0], files[1],
		       la.n, lb.n, n, n == 1 ? "" : "s");
		rc = n ? 1 : 0;
	}
	if (ca)
		kaconf_vs_list_free(&la);
	if (cb)
		kaconf_vs_list_free(&lb);
	kaconf_free(ca);
	kaconf_free(cb);
	buf_free(&err);
	return rc;
}
