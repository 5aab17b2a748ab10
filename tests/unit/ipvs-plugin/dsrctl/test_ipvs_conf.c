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
#include "kaconf/kaconf.h"

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
		{ "virtual_server 2001:db8::1 80 {\n persistence_granularity 129\n}\n", "t.conf:2: persistence_granularity: '129' is neither" },
		{ "virtual_server 192.0.2.1 80 {\n persistence_granularity 24\n}\n",
		  "t.conf:2: persistence_granularity 24: keepalived 2.2 reads a bare number as the IPv4 netmask 0.0.0.24; write a netmask" },
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
	/* mh: a drained server's flows are dropped unless mh-fallback */
	assert_int_equal(lint_text("virtual_server 192.0.2.100 80 {\n lb_kind DR\n lb_algo mh\n mh-port\n"
				   " real_server 192.0.2.11 80 {\n }\n}\n", &x), 1);
	assert_string_equal(x.lines, "1:DR_MH_NO_FALLBACK ");
	assert_int_equal(lint_text("virtual_server 192.0.2.100 80 {\n lb_kind DR\n lb_algo mh\n mh-port\n"
				   " mh-fallback\n real_server 192.0.2.11 80 {\n }\n}\n", &x), 0);
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


/* ---------- virtual_server_group and the table at start ---------- */

static char *table_text(const struct ipvs_table *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(conf_table_write(t, SIZE_MAX, f), 0);
	fclose(f);
	return text;
}

static void expect_in(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("'%s' not in:\n%s", want, text);
}

static void groups(void **state)
{
	struct ipvs_table *t = load_ok(
		"virtual_server_group G {\n"
		" 192.0.2.60-62 80\n"                  /* 3 */
		" 192.0.2.250-192.0.2.252 81\n"        /* 3, real servers reset to 81 */
		" 192.0.2.8/30 82\n"                   /* 4, network and broadcast included */
		" 2001:db8::a-c 83\n"                  /* hex: a, b, c */
		" 198.51.100.7\n"                      /* no port: the service is made persistent */
		" fwmark 5\n"
		" fwmark 6 inet6\n"
		"}\n"
		"virtual_server group G {\n lb_kind DR\n protocol TCP\n"
		" real_server 192.0.2.11 8080 {\n  weight 2\n }\n"
		" real_server 192.0.2.13 8080 {\n  lvs_method NAT\n }\n}\n");
	char *text = table_text(t);
	(void)state;

	assert_int_equal(ipvs_table_service_count(t), 3 + 3 + 4 + 3 + 1 + 2);
	expect_in(text, "virtual_server 192.0.2.62 80 {\n\tprotocol TCP\n");
	expect_in(text, "virtual_server 192.0.2.252 81 {");
	expect_in(text, "virtual_server 192.0.2.11 82 {");
	expect_in(text, "virtual_server 2001:db8::c 83 {");
	expect_in(text, "virtual_server 198.51.100.7 0 {\n\tprotocol TCP\n\tlb_algo wlc\n\tlb_kind DR\n\tpersistence_timeout 360\n");
	expect_in(text, "virtual_server fwmark 5 {\n\tip_family inet\n");
	expect_in(text, "virtual_server fwmark 6 {\n\tip_family inet6\n");
	/* DR: the service's port (0 for a mark); NAT keeps its own */
	expect_in(text, "\treal_server 192.0.2.11 81 {\n\t\tweight 2\n");
	expect_in(text, "\treal_server 192.0.2.11 0 {\n");
	expect_in(text, "\treal_server 192.0.2.13 8080 {\n\t\tweight 1\n\t\tlb_kind NAT\n");
	free(text);
	ipvs_table_free(t);
}

static void group_hostile(void **state)
{
	static const struct bad cases[] = {
		{ "virtual_server_group G {\n 192.0.2.10-3 80\n}\n", "t.conf:2: virtual_server_group G: '192.0.2.10-3': the range ends before it starts" },
		{ "virtual_server_group G {\n 192.0.2.3-300 80\n}\n", "t.conf:2: virtual_server_group G: '192.0.2.3-300': the range end '300' is not 0-255" },
		{ "virtual_server_group G {\n 192.0.2.3-\n}\n", "t.conf:2: virtual_server_group G: '192.0.2.3-': the range end '' is not 0-255" },
		{ "virtual_server_group G {\n 192.0.2.9-192.0.2.1\n}\n", "t.conf:2: virtual_server_group G: '192.0.2.9-192.0.2.1': the range ends before" },
		{ "virtual_server_group G {\n 192.0.2.256-257\n}\n", "t.conf:2: virtual_server_group G: '192.0.2.256' is not an IP address" },
		{ "virtual_server_group G {\n 2001:db8::1-10000\n}\n", "t.conf:2: virtual_server_group G: '2001:db8::1-10000': the range end '10000' is not 0-ffff" },
		{ "virtual_server_group G {\n 2001:db8::1-xyz\n}\n", "t.conf:2: virtual_server_group G: '2001:db8::1-xyz': the range end 'xyz'" },
		{ "virtual_server_group G {\n 192.0.2.1-2001:db8::5\n}\n", "t.conf:2: virtual_server_group G: '192.0.2.1-2001:db8::5' mixes IPv4 and IPv6" },
		{ "virtual_server_group G {\n 2001:db8::/64 80\n}\n", "t.conf:2: virtual_server_group G: '2001:db8::/64' holds more than 65536 addresses" },
		{ "virtual_server_group G {\n 10.0.0.0-10.1.0.0 80\n}\n", "t.conf:2: virtual_server_group G: '10.0.0.0-10.1.0.0' holds more than 65536" },
		{ "virtual_server_group G {\n 192.0.2.0/33\n}\n", "t.conf:2: virtual_server_group G: '192.0.2.0/33' is not ADDRESS/LENGTH" },
		{ "virtual_server_group G {\n 192.0.2.1 70000\n}\n", "t.conf:2: virtual_server_group G: '70000' is not a port" },
		{ "virtual_server_group G {\n 192.0.2.1 80 81\n}\n", "t.conf:2: virtual_server_group G: '192.0.2.1' takes at most a port" },
		{ "virtual_server_group G {\n fwmark 0\n}\n", "t.conf:2: virtual_server_group G: fwmark '0' is not a mark" },
		{ "virtual_server_group G {\n fwmark\n}\n", "t.conf:2: virtual_server_group G: fwmark needs a mark" },
		{ "virtual_server_group G {\n fwmark 1 inet7\n}\n", "t.conf:2: virtual_server_group G: fwmark 1: 'inet7' is not inet or inet6" },
		/* a group cannot name a group: no loops to follow */
		{ "virtual_server_group G {\n group G\n}\n", "t.conf:2: virtual_server_group G: 'group' is not an address, a range or fwmark" },
		{ "virtual_server_group G {\n 192.0.2.1 80 {\n }\n}\n", "t.conf:2: virtual_server_group G: '192.0.2.1' takes no { } block" },
		{ "virtual_server_group {\n}\n", "t.conf:1: virtual_server_group needs a name and a { } block" },
		{ "virtual_server_group G {\n}\nvirtual_server_group G {\n}\n", "t.conf:3: virtual_server_group G is defined twice (first at line 1)" },
		{ "virtual_server group NOPE {\n real_server 192.0.2.11 80\n}\n", "t.conf:1: virtual_server group NOPE: no virtual_server_group NOPE" },
		{ "virtual_server_group G {\n 192.0.2.1 80\n}\nvirtual_server group G {\n ip_family inet6\n real_server 192.0.2.11 80\n}\n",
		  "t.conf:2: virtual_server_group G: 192.0.2.1 is not of the ip_family" },
		/* the same service from a group and a block of its own */
		{ "virtual_server_group G {\n 192.0.2.1-2 80\n}\nvirtual_server group G {\n protocol TCP\n real_server 192.0.2.11 80\n}\n"
		  "virtual_server 192.0.2.2 80 {\n protocol TCP\n real_server 192.0.2.11 80\n}\n", "t.conf:8: virtual_server listed twice" },
		/* a few lines that expand past the bounds (found by fuzz_kaconf:
		 * the reader ran for minutes before these bounds) */
		{ "virtual_server_group G {\n 2001:db8::0-ffff 80\n}\n"
		  "virtual_server group G {\n}\nvirtual_server group G {\n}\n",
		  "t.conf:2: virtual_server_group G: the expansion makes too many services (more than 65536)" },
		{ "virtual_server_group G {\n 2001:db8::0-ffff 80\n}\n"
		  "virtual_server group G {\n real_server 2001:db8::1:1 80\n real_server 2001:db8::1:2 80\n}\n"
		  "virtual_server_group H {\n 2001:db8::2:0-ffff 80\n}\n"
		  "virtual_server group H {\n ip_family inet6\n real_server 2001:db8::1:1 80\n real_server 2001:db8::1:2 80\n}\n",
		  "t.conf:9: virtual_server_group H: the expansion makes too many services (more than 65536) or real servers in all (more than 1048576)" },
		{ "virtual_server 192.0.2.1 80 {\n lvs_method TUN type vxlan\n}\n", "t.conf:2: lvs_method TUN: type 'vxlan' is not ipip, gue or gre" },
		{ "virtual_server 192.0.2.1 80 {\n lvs_method TUN type gue\n}\n", "t.conf:2: lvs_method TUN type gue needs 'port N'" },
		{ "virtual_server 192.0.2.1 80 {\n lvs_method DR csum\n}\n", "t.conf:2: lvs_method DR takes no more values" },
		{ "virtual_server 192.0.2.1 80 {\n quorum 0\n}\n", "t.conf:2: quorum: '0' is not a number from 1" },
		{ "virtual_server 192.0.2.1 80 {\n inhibit_on_failure maybe\n}\n", "t.conf:2: inhibit_on_failure: 'maybe' is not yes or no" },
		{ "virtual_server 192.0.2.1 80 {\n sorry_server 192.0.2.300 80\n}\n", "t.conf:2: sorry_server: '192.0.2.300' is not an IP address" },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ipvs_table *t = NULL;
		struct buf err;

		buf_init(&err, 8192);
		if (conf_table_load_mem("t.conf", cases[i].text, strlen(cases[i].text), &t, &err) == 0)
			fail_msg("case %zu accepted: %s", i, cases[i].text);
		assert_null(t);
		if (!strstr(buf_str(&err), cases[i].err))
			fail_msg("case %zu: error '%s', want '%s'", i, buf_str(&err), cases[i].err);
		buf_free(&err);
	}
}

/* Warnings name what dsrkit does not model, or what keepalived does that
 * the file does not say, with file:line. */
static void warnings(void **state)
{
	static const char text[] =
		"virtual_server_group E {\n}\n"
		"virtual_server group E {\n real_server 192.0.2.11 80\n}\n"          /* 3: empty group */
		"virtual_server 192.0.2.1 80 {\n lb_kind DR\n"                          /* 6: no protocol */
		" frobnicate 3\n"                                                       /* 8 */
		" real_server 192.0.2.11 80 {\n  colour blue\n  TCP_CHECK {\n  }\n }\n}\n"; /* 10 */
	struct kaconf *cf = NULL;
	struct kaconf_vs_list l;
	struct buf err;
	const char *w;
	(void)state;

	buf_init(&err, 8192);
	assert_int_equal(kaconf_parse_mem("t.conf", text, strlen(text), KACONF_NO_INCLUDE, &cf, &err), 0);
	assert_int_equal(kaconf_vs_collect(cf, &l, &err), 0);
	w = buf_str(&l.warnings);
	expect_in(w, "t.conf:3: virtual_server group E: the group (line 1) is empty: no service\n");
	expect_in(w, "t.conf:6: virtual_server without protocol: UDP, as keepalived 2.2 does\n");
	expect_in(w, "t.conf:8: frobnicate in virtual_server: not known to dsrkit, ignored\n");
	expect_in(w, "t.conf:10: colour in real_server: not known to dsrkit, ignored\n");
	assert_null(strstr(w, "TCP_CHECK"));
	assert_int_equal(l.n, 1);
	assert_int_equal(l.vs[0].protocol, IPPROTO_UDP);
	kaconf_vs_list_free(&l);
	kaconf_free(cf);
	buf_free(&err);
}

static void start_table(void **state)
{
	struct ipvs_table *t = load_ok(
		/* quorum 9 > total weight 4: cut to 4, held: no sorry server */
		"virtual_server 192.0.2.100 80 {\n protocol TCP\n lb_kind DR\n quorum 9\n sorry_server 192.0.2.99 80\n"
		" real_server 192.0.2.11 80\n real_server 192.0.2.12 80 {\n  weight 3\n }\n}\n"
		/* 4 + 2 > 4: not held; the sorry server in, .11 inhibited at 0, .12 out */
		"virtual_server 192.0.2.100 81 {\n protocol TCP\n lb_kind DR\n quorum 4\n hysteresis 2\n sorry_server 192.0.2.99 80\n"
		" real_server 192.0.2.11 80 {\n  inhibit_on_failure\n }\n real_server 192.0.2.12 80 {\n  weight 3\n }\n}\n"
		/* not held, no sorry server: unchanged */
		"virtual_server 192.0.2.100 82 {\n protocol TCP\n lb_kind DR\n quorum 4\n hysteresis 2\n"
		" real_server 192.0.2.11 80\n real_server 192.0.2.12 80 {\n  weight 3\n }\n}\n"
		/* held with sorry_server_inhibit: the sorry server at weight 0, NAT port kept */
		"virtual_server 192.0.2.100 83 {\n protocol TCP\n lb_kind NAT\n sorry_server 192.0.2.99 8080\n sorry_server_inhibit\n"
		" real_server 192.0.2.11 8080\n}\n"
		/* every weight 0: quorum 0, keepalived's hysteresis wraps: not held */
		"virtual_server 192.0.2.100 84 {\n protocol TCP\n lb_kind DR\n sorry_server 192.0.2.99 80\n"
		" real_server 192.0.2.11 80 {\n  weight 0\n }\n}\n"
		/* a sorry server alone: keepalived leaves the service out */
		"virtual_server 192.0.2.100 85 {\n protocol TCP\n lb_kind DR\n sorry_server 192.0.2.99 80\n}\n");
	char *text = table_text(t);
	(void)state;

	assert_int_equal(ipvs_table_service_count(t), 5);
	expect_in(text, "virtual_server 192.0.2.100 80 {\n\tprotocol TCP\n\tlb_algo wlc\n\tlb_kind DR\n"
			"\treal_server 192.0.2.11 80 {\n\t\tweight 1\n\t}\n\treal_server 192.0.2.12 80 {\n\t\tweight 3\n\t}\n}\n");
	expect_in(text, "virtual_server 192.0.2.100 81 {\n\tprotocol TCP\n\tlb_algo wlc\n\tlb_kind DR\n"
			"\treal_server 192.0.2.11 81 {\n\t\tweight 0\n\t}\n\treal_server 192.0.2.99 81 {\n\t\tweight 1\n\t}\n}\n");
	expect_in(text, "virtual_server 192.0.2.100 82 {\n\tprotocol TCP\n\tlb_algo wlc\n\tlb_kind DR\n"
			"\treal_server 192.0.2.11 82 {\n\t\tweight 1\n\t}\n\treal_server 192.0.2.12 82 {\n\t\tweight 3\n\t}\n}\n");
	expect_in(text, "\treal_server 192.0.2.11 8080 {\n\t\tweight 1\n\t}\n\treal_server 192.0.2.99 8080 {\n\t\tweight 0\n\t}\n}\n");
	expect_in(text, "virtual_server 192.0.2.100 84 {\n\tprotocol TCP\n\tlb_algo wlc\n\tlb_kind DR\n"
			"\treal_server 192.0.2.99 84 {\n\t\tweight 1\n\t}\n}\n");
	assert_null(strstr(text, "virtual_server 192.0.2.100 85 "));
	free(text);
	ipvs_table_free(t);
}

/* conf_table_load reads block by block, dropping each block once in the
 * table (kaconf_vs_stream.h): the same table, the same errors in the same
 * order, as the whole tree read first (kaconf_vs_collect, then
 * conf_table_from_vs), groups used before they are written included. */
static void streamed_as_whole(void **state)
{
	static const char *const texts[] = {
		/* groups used before and after they are written */
		"virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 192.0.2.11 80\n}\n"
		"virtual_server group G {\n protocol TCP\n real_server 192.0.2.12 80\n}\n"
		"virtual_server 192.0.2.2 80 {\n protocol TCP\n real_server 192.0.2.13 80\n}\n"
		"virtual_server_group G {\n 192.0.2.50-52 80\n fwmark 7\n}\n"
		"virtual_server group G {\n protocol UDP\n real_server 192.0.2.14 80\n}\n",
		/* a group's mistakes come first, then the blocks' in file order */
		"virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 192.0.2.11 80 {\n  weight x\n }\n}\n"
		"virtual_server_group G {\n banana\n}\n"
		"virtual_server 192.0.2.2 99999 {\n real_server 192.0.2.11 80\n}\n"
		"virtual_server group H {\n real_server 192.0.2.11 80\n}\n"
		"virtual_server 192.0.2.3 80 {\n protocol FOO\n}\n",
		/* duplicates: reported only without other mistakes */
		"virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 192.0.2.11 80\n}\n"
		"virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 192.0.2.12 80\n}\n"
		"virtual_server 192.0.2.2 80 {\n protocol TCP\n sorry_server 192.0.2.11 80\n"
		" real_server 192.0.2.11 80\n quorum 9\n}\n",
		"virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 192.0.2.11 80\n}\n"
		"virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 192.0.2.12 80\n}\n"
		"virtual_server 192.0.2.3 80 {\n protocol FOO\n}\n",
		/* a syntax error after a wrong block: the syntax error alone */
		"virtual_server 192.0.2.1 80 {\n protocol FOO\n}\n}\n",
		"",
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct ipvs_table *t1 = NULL, *t2 = NULL;
		struct kaconf *cf = NULL;
		struct kaconf_vs_list l;
		struct buf e1, e2;
		int r1, r2;

		buf_init(&e1, 8192);
		buf_init(&e2, 8192);
		r1 = conf_table_load_mem("t.conf", texts[i], strlen(texts[i]), &t1, &e1);
		r2 = kaconf_parse_mem("t.conf", texts[i], strlen(texts[i]), KACONF_NO_INCLUDE, &cf, &e2);
		if (r2 == 0) {
			r2 = kaconf_vs_collect(cf, &l, &e2);
			if (r2 == 0)
				r2 = conf_table_from_vs(&l, &t2, &e2);
			kaconf_vs_list_free(&l);
			kaconf_free(cf);
		}
		if (r1 != r2 || strcmp(buf_str(&e1), buf_str(&e2)) != 0)
			fail_msg("text %zu: streamed %d '%s', whole %d '%s'", i, r1, buf_str(&e1), r2, buf_str(&e2));
		assert_true(!t1 == !t2);
		if (t1) {
			char *a = table_text(t1), *b = table_text(t2);

			assert_string_equal(a, b);
			free(a);
			free(b);
		}
		ipvs_table_free(t1);
		ipvs_table_free(t2);
		buf_free(&e1);
		buf_free(&e2);
	}
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
		cmocka_unit_test(groups),
		cmocka_unit_test(group_hostile),
		cmocka_unit_test(warnings),
		cmocka_unit_test(start_table),
		cmocka_unit_test(streamed_as_whole),
	};

	return cmocka_run_group_tests_name("ipvs_conf", tests, NULL, NULL);
}
