/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the pair lint: a clean pair has no finding; each change of
 * one side that breaks a failover gives its code at the right file:line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipvs-plugin/dsrctl/ha_lint.h"

/* One director's file; %PRIO% etc. are replaced by the test. */
static const char base[] =
	"global_defs {\n router_id d\n}\n"                                   /* 1-3 */
	"vrrp_instance VI_1 {\n state BACKUP\n interface eth0\n"             /* 4-6 */
	" virtual_router_id 51\n priority 150\n advert_int 1\n"              /* 7-9 */
	" authentication {\n  auth_type PASS\n  auth_pass secret1\n }\n"     /* 10-13 */
	" virtual_ipaddress {\n  192.0.2.100/32 dev eth0\n }\n}\n"           /* 14-17 */
	"virtual_server 192.0.2.100 80 {\n lb_algo wlc\n lb_kind DR\n"       /* 18-20 */
	" protocol TCP\n"                                                    /* 21 */
	" real_server 192.0.2.11 80 {\n  weight 1\n }\n"                     /* 22-24 */
	" real_server 192.0.2.12 80 {\n  weight 1\n }\n}\n";                 /* 25-28 */

struct got {
	char lines[32][600];
	size_t n;
};

static void collect(const struct lint_finding *f, void *arg)
{
	struct got *g = arg;

	if (g->n < 32)
		snprintf(g->lines[g->n++], sizeof(g->lines[0]), "%s:%u: %s: %s", f->file, f->line,
			 f->info->name, f->text);
}

/* text with the first `from` replaced by `to` (NULL: unchanged) */
static char *edit(const char *text, const char *from, const char *to)
{
	static char out[4][4096];
	static int k;
	char *o = out[k++ & 3];
	const char *p = from ? strstr(text, from) : NULL;

	if (!p) {
		assert_null(from);
		snprintf(o, 4096, "%s", text);
		return o;
	}
	snprintf(o, 4096, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
	return o;
}

/* Lints A (base with an edit) against B (base with prio 100 and an edit). */
static struct got lint_pair(const char *a_text, const char *b_text, int sync_external)
{
	struct kaconf *ca = NULL, *cb = NULL;
	struct kaconf_vs_list la, lb;
	struct buf err;
	struct got g;

	memset(&g, 0, sizeof(g));
	buf_init(&err, 8192);
	if (kaconf_parse_mem("a.conf", a_text, strlen(a_text), 0, &ca, &err) < 0 ||
	    kaconf_parse_mem("b.conf", b_text, strlen(b_text), 0, &cb, &err) < 0)
		fail_msg("parse: %s", buf_str(&err));
	assert_int_equal(kaconf_vs_collect(ca, &la, &err), 0);
	assert_int_equal(kaconf_vs_collect(cb, &lb, &err), 0);
	{
		struct ha_side a = { ca, &la, "a.conf" }, b = { cb, &lb, "b.conf" };

		size_t n = ha_lint_run(&a, &b, sync_external, collect, &g);

		assert_int_equal(n, g.n);
	}
	kaconf_vs_list_free(&la);
	kaconf_vs_list_free(&lb);
	kaconf_free(ca);
	kaconf_free(cb);
	buf_free(&err);
	return g;
}

static char b_base[4096];

static const char *peer(void)
{
	snprintf(b_base, sizeof(b_base), "%s", edit(base, "priority 150", "priority 100"));
	return b_base;
}

/* exactly one finding, starting with want */
static void expect_one(struct got g, const char *want)
{
	size_t i;

	for (i = 0; i < g.n; i++)
		print_message("  %s\n", g.lines[i]);
	assert_int_equal(g.n, 1);
	if (strncmp(g.lines[0], want, strlen(want)) != 0)
		fail_msg("got '%s', want '%s...'", g.lines[0], want);
}

static void clean_pair(void **state)
{
	(void)state;
	assert_int_equal(lint_pair(base, peer(), 1).n, 0);
}

static void sync_missing_and_one_way(void **state)
{
	char a[4096];

	(void)state;
	expect_one(lint_pair(base, peer(), 0), "a.conf:4: HA_SYNC_MISSING");
	snprintf(a, sizeof(a), "%s", edit(base, " router_id d\n", " router_id d\n lvs_sync_daemon eth0 VI_1 id 5\n"));
	expect_one(lint_pair(a, peer(), 0), "a.conf:3: HA_SYNC_ONE_WAY");
	{
		char b[4096];

		snprintf(b, sizeof(b), "%s",
			 edit(peer(), " router_id d\n", " router_id d\n lvs_sync_daemon eth0 VI_1 id 6\n"));
		expect_one(lint_pair(a, b, 0), "a.conf:3: HA_SYNC_ONE_WAY: lvs_sync_daemon id 5 here, id 6 in b.conf:3");
		snprintf(b, sizeof(b), "%s",
			 edit(peer(), " router_id d\n", " router_id d\n lvs_sync_daemon eth0 VI_1 id 5\n"));
		assert_int_equal(lint_pair(a, b, 0).n, 0);
	}
}

static void service_differences(void **state)
{
	(void)state;
	expect_one(lint_pair(edit(base, "  weight 1\n }\n}\n", "  weight 3\n }\n}\n"), peer(), 1),
		   "a.conf:25: HA_WEIGHT: real_server 192.0.2.12 80: weight 3 here, 1 in b.conf:25");
	expect_one(lint_pair(edit(base, "lb_algo wlc", "lb_algo rr"), peer(), 1),
		   "a.conf:18: HA_SCHED: TCP 192.0.2.100:80: lb_algo rr");
	expect_one(lint_pair(edit(base, " protocol TCP\n", " protocol TCP\n persistence_timeout 300\n"), peer(), 1),
		   "a.conf:18: HA_PERSIST");
	expect_one(lint_pair(edit(base, "lb_kind DR", "lb_kind NAT"), peer(), 1), "a.conf:18: HA_FWD");
	/* a real server only b has: reported at b's line */
	expect_one(lint_pair(edit(base, " real_server 192.0.2.12 80 {\n  weight 1\n }\n", ""), peer(), 1),
		   "b.conf:25: HA_RS_MISSING: real_server 192.0.2.12 80 of TCP 192.0.2.100:80 is not in a.conf:18");
}

static void vs_missing_both_ways(void **state)
{
	struct got g;

	(void)state;
	g = lint_pair(edit(base, "virtual_server 192.0.2.100 80", "virtual_server 192.0.2.101 80"), peer(), 1);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.lines[0], "a.conf:18: HA_VS_MISSING: virtual_server TCP 192.0.2.101:80 is not in b.conf");
	assert_string_equal(g.lines[1], "b.conf:18: HA_VS_MISSING: virtual_server TCP 192.0.2.100:80 is not in a.conf");
}

static void vrrp_differences(void **state)
{
	struct got g;

	(void)state;
	expect_one(lint_pair(edit(base, "virtual_router_id 51", "virtual_router_id 52"), peer(), 1),
		   "a.conf:7: HA_VRID: virtual_router_id 52 here, 51 in b.conf:4");
	g = lint_pair(edit(base, "192.0.2.100/32 dev", "192.0.2.99/32 dev"), peer(), 1);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.lines[0], "a.conf:15: HA_VIPS: VIP 192.0.2.99/32 of vrrp_instance VI_1 is not in b.conf:4");
	assert_string_equal(g.lines[1], "b.conf:15: HA_VIPS: VIP 192.0.2.100/32 of vrrp_instance VI_1 is not in a.conf:4");
	g = lint_pair(edit(base, "auth_pass secret1", "auth_pass secret2"), peer(), 1);
	expect_one(g, "a.conf:10: HA_AUTH: auth_pass differs from b.conf:10");
	assert_null(strstr(g.lines[0], "secret")); /* never printed */
	expect_one(lint_pair(edit(base, "auth_type PASS", "auth_type AH"), peer(), 1), "a.conf:10: HA_AUTH: auth_type AH");
	expect_one(lint_pair(edit(base, "advert_int 1", "advert_int 0.2"), peer(), 1), "a.conf:9: HA_ADVERT");
}

static void same_priority(void **state)
{
	(void)state;
	expect_one(lint_pair(base, base, 1), "a.conf:8: HA_SAME_PRIORITY: priority 150 on both");
	/* nopreempt on one side settles it */
	assert_int_equal(lint_pair(edit(base, " advert_int 1\n", " advert_int 1\n nopreempt\n"), base, 1).n, 0);
}

static void instance_paired_by_router_id(void **state)
{
	struct got g;

	(void)state;
	/* another name, same interface and id: the same router, no finding */
	assert_int_equal(lint_pair(edit(base, "vrrp_instance VI_1", "vrrp_instance VI_X"), peer(), 1).n, 0);
	/* another name and another id: missing on both sides */
	g = lint_pair(edit(edit(base, "vrrp_instance VI_1", "vrrp_instance VI_X"), "virtual_router_id 51",
			   "virtual_router_id 9"), peer(), 1);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.lines[0], "a.conf:4: HA_VRRP_MISSING: vrrp_instance VI_X is not in b.conf");
	assert_string_equal(g.lines[1], "b.conf:4: HA_VRRP_MISSING: vrrp_instance VI_1 is not in a.conf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_pair),
		cmocka_unit_test(sync_missing_and_one_way),
		cmocka_unit_test(service_differences),
		cmocka_unit_test(vs_missing_both_ways),
		cmocka_unit_test(vrrp_differences),
		cmocka_unit_test(same_priority),
		cmocka_unit_test(instance_paired_by_router_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
