/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the keepalived virtual_server subset: mapping to IPVS,
 * hostile values refused at file:line, skipped blocks, the state file
 * round trip, and the DR lint rules over a fake routing table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipvs-plugin/dsrctl/dr_lint.h"
#include "ipvs-plugin/ipvs-int.h"
#include "ipvs-plugin/dsrctl/dsrctl_conf.h"

static struct ipvs_table *load_ok(const char *text)
{
	struct ipvs_table *t = NULL;
	struct buf err;

	buf_init(&err, 8192);
	if (conf_table_load_mem("t.conf", text, strlen(text), &t, &err) != 0)
		fail_msg("refused: %s", buf_str(&err));
	buf_free(&err);
	return t;
}

static const char full_conf[] =
	"global_defs {\n router_id lb\n}\n"
	"vrrp_instance VI_1 {\n state MASTER\n virtual_ipaddress {\n  192.0.2.100/32 dev eth0\n }\n}\n"
	"virtual_server 192.0.2.100 80 {\n"          /* line 10 */
	" delay_loop 6\n lb_algo mh\n mh-port\n mh-fallback\n lb_kind DR\n protocol TCP\n"
	" persistence_timeout 300\n persistence_granularity 255.255.255.0\n"
	" real_server 192.0.2.11 80 {\n  weight 3\n  uthreshold 100\n  lthreshold 5\n"
	"  TCP_CHECK {\n   connect_timeout 3\n  }\n }\n"
	" real_server 192.0.2.12 80 {\n  MISC_CHECK {\n   misc_path \"/bin/true\"\n  }\n }\n"
	"}\n"
	"virtual_server 2001:db8::100 53 {\n lvs_sched sh\n sh-port\n ops\n lvs_method TUN\n protocol udp\n"
	" real_server 2001:db8::11 53 {\n  weight 0\n }\n}\n"
	"virtual_server fwmark 7 {\n ip_family inet6\n lb_kind DR\n"
	" real_server 2001:db8::12 {\n  weight 1\n }\n}\n"
	"virtual_server 198.51.100.1 443 {\n lb_kind NAT\n protocol SCTP\n"
	" real_server 192.0.2.13 8443 {\n  weight 2\n  lb_kind DR\n }\n}\n";

static void mapping(void **state)
{
	struct ipvs_table *t = load_ok(full_conf);
	const struct ipvs_service *s;
	const struct ipvs_dest *d;
	(void)state;

	assert_int_equal(ipvs_table_service_count(t), 4);
	s = ipvs_table_service(t, 0);
	assert_int_equal(s->af, AF_INET);
	assert_int_equal(s->protocol, IPPROTO_TCP);
	assert_int_equal(s->port, 80);
	assert_string_equal(s->sched, "mh");
	assert_int_equal(s->flags, IPVS_SVC_F_PERSISTENT | IPVS_SVC_F_SCHED1 | IPVS_SVC_F_SCHED2);
	assert_int_equal(s->timeout, 300);
	assert_int_equal(s->netmask, 24);
	assert_int_equal(ipvs_table_dest_count(t, 0), 2);
	d = ipvs_table_dest(t, 0, 0);
	assert_int_equal(d->fwd, IPVS_FWD_DR);
	assert_int_equal(d->weight, 3);
	assert_int_equal(d->u_threshold, 100);
	assert_int_equal(d->l_threshold, 5);
	assert_int_equal(ipvs_table_dest(t, 0, 1)->weight, 1); /* default */
	s = ipvs_table_service(t, 1);
	assert_int_equal(s->af, AF_INET6);
	assert_int_equal(s->protocol, IPPROTO_UDP);
	assert_int_equal(s->flags, IPVS_SVC_F_ONEPACKET | IPVS_SVC_F_SCHED2);
	assert_int_equal(ipvs_table_dest(t, 1, 0)->fwd, IPVS_FWD_TUN);
	assert_int_equal(ipvs_table_dest(t, 1, 0)->weight, 0);
	s = ipvs_table_service(t, 2);
	assert_int_equal(s->fwmark, 7);
	assert_int_equal(s->af, AF_INET6);
	assert_string_equal(s->sched, "wlc"); /* default */
	assert_int_equal(ipvs_table_dest(t, 2, 0)->port, 0);
	s = ipvs_table_service(t, 3);
	assert_int_equal(s->protocol, IPPROTO_SCTP);
	assert_int_equal(ipvs_table_dest(t, 3, 0)->fwd, IPVS_FWD_DR); /* its own lb_kind */
	ipvs_table_free(t);
}

struct bad {
	const char *text;
	const char *err;
};

static void hostile_values(void **state)
{
	static const struct bad cases[] = {
		{ "virtual_server 192.0.2.300 80 {\n}\n", "t.conf:1: virtual_server: '192.0.2.300' is not an IP address" },
		{ "virtual_server 192.0.2.1 65536 {\n}\n", "t.conf:1: virtual_server: '65536' is not a port" },
		{ "virtual_server 192.0.2.1 -1 {\n}\n", "t.conf:1: virtual_server: '-1' is not a port" },
		{ "virtual_server {\n}\n", "t.conf:1: virtual_server needs 'IP [PORT]', 'fwmark N' or 'group NAME'" },
		{ "virtual_server 192.0.2.1 80 1 {\n}\n", "t.conf:1: virtual_server needs" },
		{ "virtual_server 192.0.2.1 80\n", "t.conf:1: virtual_server without a { } block" },
		{ "virtual_server fwmark 0 {\n}\n", "t.conf:1: virtual_server fwmark: '0' is not a mark" },
		{ "virtual_server fwmark 4294967296 {\n}\n", "t.conf:1: virtual_server fwmark: '4294967296'" },
		{ "virtual_server 192.0.2.1 80 {\n lb_kind FOO\n}\n", "t.conf:2: lb_kind: 'FOO' is not NAT, DR or TUN" },
		{ "virtual_server 192.0.2.1 80 {\n lb_kind\n}\n", "t.conf:2: lb_kind takes one value, got 0" },
		{ "virtual_server 192.0.2.1 80 {\n protocol ICMP\n}\n", "t.conf:2: protocol: 'ICMP' is not TCP" },
		{ "virtual_server 192.0.2.1 80 {\n lb_algo abcdefghijklmnopq\n}\n", "t.conf:2: lb_algo: 'abcdefghijklmnopq' is not a scheduler" },
		{ "virtual_server 192.0.2.1 80 {\n persistence_timeout 0\n}\n", "t.conf:2: persistence_timeout: '0' is not a number from 1" },
		{ "virtual_server 192.0.2.1 80 {\n persistence_timeout 1x\n}\n", "t.conf:2: persistence_timeout: '1x'" },
		{ "virtual_server 192.0.2.1 80 {\n persistence_granularity 255.0.255.0\n}\n", "t.conf:2: persistence_granularity: '255.0.255.0' is not a contiguous" },
		{ "virtual_server 192.0.2.1 80 {\n persistence_granularity 33\n}\n", "t.conf:1: persistence_granularity longer than the address" },
		{ "virtual_server 192.0.2.1 80 {\n persistence_granularity 2001:db8::\n}\n", "t.conf:2: persistence_granularity: '2001:db8::' is neither" },
		{ "virtual_server 192.0.2.1 80 {\n ip_family inet6\n}\n", "t.conf:1: ip_family does not match" },
		{ "virtual_server 192.0.2.1 80 {\n real_server\n}\n", "t.conf:2: real_server needs an address and a port" },
		{ "virtual_server 192.0.2.1 80 {\n real_server 192.0.2.2 80 {\n  weight -1\n }\n}\n", "t.conf:3: weight: '-1' is not a number from 0 to 65535" },
		{ "virtual_server 192.0.2.1 80 {\n real_server 192.0.2.2 80 {\n  weight 65536\n }\n}\n", "t.conf:3: weight: '65536'" },
		{ "virtual_server 192.0.2.1 80 {\n real_server 192.0.2.2 80 {\n  weight 1 2\n }\n}\n", "t.conf:3: weight takes one value, got 2" },
		{ "virtual_server 192.0.2.1 80 {\n real_server 192.0.2.2 99999 {\n }\n}\n", "t.conf:2: real_server: '99999' is not a port" },
		{ "virtual_server 192.0.2.1 80 {\n real_server 192.0.2.2 80 {\n }\n real_server 192.0.2.2 80 {\n }\n}\n",
		  "t.conf:4: real_server 192.0.2.2 80 is listed twice (first at line 2)" },
		{ "virtual_server 192.0.2.1 80 {\n real_server 192.0.2.2 80\n}\nvirtual_server 192.0.2.1 80 {\n real_server 192.0.2.2 80\n}\n",
		  "t.conf:4: virtual_server listed twice" },
		{ "virtual_server 192.0.2.1 80 {\n real_server 192.0.2.2 80 {\n  uthreshold 2147483648\n }\n}\n", "t.conf:3: uthreshold: '2147483648'" },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ipvs_table *t = NULL;
		struct buf err;
		int r;

		buf_init(&err, 8192);
		r = conf_table_load_mem("t.conf", cases[i].text, strlen(cases[i].text), &t, &err);
		if (r == 0)
			fail_msg("case %zu accepted: %s", i, cases[i].text);
		assert_null(t);
		if (strncmp(buf_str(&err), cases[i].err, strlen(cases[i].err)) != 0)
			fail_msg("case %zu: error '%s', want '%s...'", i, buf_str(&err), cases[i].err);
		buf_free(&err);
	}
}

static void several_errors_at_once(void **state)
{
	struct ipvs_table *t = NULL;
	struct buf err;
	const char *text = "virtual_server 192.0.2.1 80 {\n lb_kind X\n protocol Y\n}\n";
	(void)state;

	buf_init(&err, 8192);
	assert_int_equal(conf_table_load_mem("t.conf", text, strlen(text), &t, &err), -EINVAL);
	assert_non_null(strstr(buf_str(&err), "t.conf:2:"));
	assert_non_null(strstr(buf_str(&err), "t.conf:3:"));
	buf_free(&err);
}

/* What dsrctl writes as its state reads back as the same table. */
static void state_roundtrip(void **state)
{
	struct ipvs_table *a = load_ok(full_conf), *b;
	char *text = NULL;
	size_t len = 0, i, j;
	FILE *f = open_memstream(&text, &len);
	(void)state;

	assert_non_null(f);
	assert_int_equal(conf_table_write(a, SIZE_MAX, f), 0);
	fclose(f);
	b = load_ok(text);
	assert_int_equal(ipvs_table_service_count(a), ipvs_table_service_count(b));
	for (i = 0; i < ipvs_table_service_count(a); i++) {
		const struct ipvs_service *s = ipvs_table_service(a, i);
		int k = ipvs_table_service_find(b, s);

		assert_true(k >= 0);
		assert_true(ipvs_service_attrs_equal(s, ipvs_table_service(b, (size_t)k)));
		assert_int_equal(ipvs_table_dest_count(a, i), ipvs_table_dest_count(b, (size_t)k));
		for (j = 0; j < ipvs_table_dest_count(a, i); j++) {
			const struct ipvs_dest *d = ipvs_table_dest(a, i, j);
			int m = ipvs_table_dest_find(b, (size_t)k, d);

			assert_true(m >= 0);
			assert_true(ipvs_dest_attrs_equal(d, ipvs_table_dest(b, (size_t)k, (size_t)m)));
		}
	}
	ipvs_table_free(b);
	free(text);
	/* leaving one service out */
	text = NULL;
	f = open_memstream(&text, &len);
	assert_int_equal(conf_table_write(a, 1, f), 0);
	fclose(f);
	b = load_ok(text);
	assert_int_equal(ipvs_table_service_count(b), 3);
	assert_int_equal(ipvs_table_service_find(b, ipvs_table_service(a, 1)), -ENOENT);
	ipvs_table_free(b);
	free(text);
	ipvs_table_free(a);
}

/* The --partial journal: keys appended run after run (so repeated), read
 * back as one set of services; a torn append is an error, not a guess. */
static void journal_keys(void **state)
{
	struct ipvs_table *a = load_ok(full_conf), *b = NULL;
	char path[] = "/tmp/dsrkit-journal.XXXXXX";
	struct buf j, err;
	size_t i;
	int fd, round;
	(void)state;

	buf_init(&j, 1 << 20);
	buf_init(&err, 4096);
	for (round = 0; round < 2; round++)
		for (i = 0; i < ipvs_table_service_count(a); i++)
			assert_int_equal(conf_key_append(&j, ipvs_table_service(a, i)), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, j.data, j.len), (ssize_t)j.len);
	assert_int_equal(conf_keys_load(path, &b, &err), 0);
	assert_int_equal(ipvs_table_service_count(b), ipvs_table_service_count(a));
	for (i = 0; i < ipvs_table_service_count(a); i++)
		assert_true(ipvs_table_service_find(b, ipvs_table_service(a, i)) >= 0);
	ipvs_table_free(b);
	b = NULL;
	/* torn in the middle of the last block */
	assert_int_equal(ftruncate(fd, (off_t)j.len - 3), 0);
	assert_true(conf_keys_load(path, &b, &err) < 0);
	assert_null(b);
	close(fd);
	unlink(path);
	buf_free(&j);
	buf_free(&err);
	ipvs_table_free(a);
}

/* ---- lint ---- */

static enum route_kind fake_route(void *ctx, const struct ip_addr *a)
{
	char s[IPADDR_STRLEN];
	(void)ctx;

	ipaddr_format(a, s);
	if (strcmp(s, "192.0.2.100") == 0 || strcmp(s, "2001:db8::100") == 0)
		return ROUTE_LOCAL;
	if (strncmp(s, "192.0.2.", 8) == 0 || strncmp(s, "2001:db8::", 10) == 0)
		return ROUTE_CONNECTED;
	if (strncmp(s, "203.0.113.", 10) == 0)
		return ROUTE_GATEWAY;
	return ROUTE_NONE;
}

struct found {
	char lines[1024];
};

static void collect(const struct lint_finding *f, void *arg)
{
	struct found *x = arg;
	size_t n = strlen(x->lines);

	snprintf(x->lines + n, sizeof(x->lines) - n, "%u:%s ", f->line, lint_codes[f->code].name);
}

static size_t lint_text(const char *text, struct found *x)
{
	struct kaconf *cf = NULL;
	struct kaconf_vs_list l;
	struct lint_routes routes = { .lookup = fake_route };
	struct buf err;
	size_t n;

	buf_init(&err, 4096);
	assert_int_equal(kaconf_parse_mem("t.conf", text, strlen(text), 0, &cf, &err), 0);
	assert_int_equal(kaconf_vs_collect(cf, &l, &err), 0);
	memset(x, 0, sizeof(*x));
	n = dr_lint_run(cf, &l, &routes, collect, x);
	kaconf_vs_list_free(&l);
	kaconf_free(cf);
	buf_free(&err);
	return n;
}

static void lint_rules(void **state)
{
	struct found x;
	size_t n;
	(void)state;

	assert_int_equal(lint_text("virtual_server 192.0.2.100 80 {\n lb_kind DR\n"
				   " real_server 192.0.2.11 80 {\n }\n}\n", &x), 0);
	n = lint_text("virtual_server 192.0.2.100 80 {\n lb_kind DR\n"
				   " real_server 192.0.2.11 8080 {\n }\n"    /* 3 port */
				   " real_server 203.0.113.5 80 {\n }\n"     /* 5 gateway */
				   " real_server 198.51.100.5 80 {\n }\n"    /* 7 no route */
				   " real_server 2001:db8::11 80 {\n }\n"    /* 9 family */
				   " real_server 192.0.2.12 80 {\n  lb_kind NAT\n }\n" /* 11 not DR */
				   "}\n"
				   "virtual_server 198.51.100.1 80 {\n"     /* 15 NAT default, VIP */
				   " real_server 192.0.2.11 8080 {\n }\n}\n"
				   "virtual_server 198.51.100.2 80 {\n lb_kind DR\n}\n" /* held by vrrp: clean */
				   "vrrp_instance V {\n virtual_ipaddress {\n  198.51.100.2/32 dev eth0\n }\n}\n",
				   &x);
	assert_string_equal(x.lines, "3:DR_PORT_REMAP 5:DR_RS_NOT_CONNECTED 7:DR_RS_NOT_CONNECTED "
				     "9:DR_FAMILY_MIX 11:DR_NOT_DR 15:DR_NOT_DR 15:DR_VIP_NOT_LOCAL ");
	assert_int_equal(n, 7);
}

static void lint_vrrp_holds_vip(void **state)
{
	struct found x;
	(void)state;

	assert_int_equal(lint_text("virtual_server 198.51.100.2 80 {\n lb_kind DR\n}\n"
				   "vrrp_instance V {\n virtual_ipaddress {\n  198.51.100.2/32 dev eth0\n }\n}\n",
				   &x), 0);
	assert_int_equal(lint_text("virtual_server fwmark 3 {\n lb_kind DR\n"
				   " real_server 192.0.2.11 0 {\n }\n}\n", &x), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mapping),
		cmocka_unit_test(hostile_values),
		cmocka_unit_test(several_errors_at_once),
		cmocka_unit_test(state_roundtrip),
		cmocka_unit_test(journal_keys),
		cmocka_unit_test(lint_rules),
		cmocka_unit_test(lint_vrrp_holds_vip),
	};

	return cmocka_run_group_tests_name("ipvs_conf", tests, NULL, NULL);
}
