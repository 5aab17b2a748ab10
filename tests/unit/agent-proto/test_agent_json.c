/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the JSON writer and the status document: everything the
 * writer emits is checked by a real JSON parser (json-c); the status
 * document round-trips through status_parse to the same facts and the same
 * findings; hostile documents are refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "agent-proto/facts.h"
#include "agent-proto/jsonw.h"
#include "agent-proto/rules.h"
#include "agent-proto/status.h"
#include "bounded/utf8.h"

static struct json_object *parse_strict(const char *s, size_t n)
{
	struct json_tokener *t = json_tokener_new();
	struct json_object *o;

	json_tokener_set_flags(t, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(t, s, (int)n);
	if (json_tokener_get_error(t) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(t);
	return o;
}

static void jsonw_escapes_hostile_strings(void **state)
{
	static const struct { const char *in; size_t n; const char *want; } cases[] = {
		{ "plain", 5, "plain" },
		{ "q\"b\\s/", 6, "q\"b\\s/" },
		{ "nl\n\r\t", 5, "nl\n\r\t" },
		{ "\x01\x1f\x7f", 3, "\x01\x1f\x7f" },
		{ "nul\0in", 6, NULL },                     /* NUL escaped as \u0000 */
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },       /* valid UTF-8 kept */
		{ "bad\xff", 4, "bad?" },                    /* invalid byte -> '?', same length */
		{ "over\xc0\xaf", 6, "over??" },            /* overlong '/' */
		{ "over\xc0\x85", 6, "over??" },            /* overlong U+0045 (json-c takes it) */
		{ "over\xe0\x80\xaf", 7, "over???" },      /* 3-byte overlong */
		{ "sur\xed\xa0\x80", 6, "sur???" },
		{ "big\xf4\x90\x80\x80", 7, "big????" },  /* past U+10FFFF */
		{ "cut\xe2\x82", 5, "cut??" },
		{ "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		struct jsonw w;
		struct json_object *o, *v;

		buf_init(&b, 1024);
		jsonw_init(&w, &b);
		jsonw_object_begin(&w);
		jsonw_key(&w, "k\"ey");
		jsonw_stringn(&w, cases[i].in, cases[i].n);
		jsonw_object_end(&w);
		assert_int_equal(jsonw_finish(&w), 0);
		o = parse_strict(b.data, b.len);
		if (!o)
			fail_msg("case %zu: json-c refused %s", i, b.data);
		assert_true(json_object_object_get_ex(o, "k\"ey", &v));
		if (cases[i].want)
			assert_string_equal(json_object_get_string(v), cases[i].want);
		else
			assert_int_equal(json_object_get_string_len(v), (int)cases[i].n);
		json_object_put(o);
		buf_free(&b);
	}
}

static void jsonw_numbers_and_nesting(void **state)
{
	struct buf b;
	struct jsonw w;
	struct json_object *o, *v;
	(void)state;

	buf_init(&b, 4096);
	jsonw_init(&w, &b);
	jsonw_array_begin(&w);
	jsonw_int(&w, 0);
	jsonw_int(&w, -1);
	jsonw_int(&w, INT64_MIN);
	jsonw_int(&w, INT64_MAX);
	jsonw_bool(&w, 1);
	jsonw_null(&w);
	jsonw_object_begin(&w);
	jsonw_kv_int_or_null(&w, "a", -1);
	jsonw_kv_tristate(&w, "b", 0);
	jsonw_object_end(&w);
	jsonw_array_begin(&w);
	jsonw_array_end(&w);
	jsonw_array_end(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	assert_string_equal(b.data,
			    "[0,-1,-9223372036854775808,9223372036854775807,true,null,{\"a\":null,\"b\":false},[]]");
	o = parse_strict(b.data, b.len);
	assert_non_null(o);
	v = json_object_array_get_idx(o, 2);
	assert_true(json_object_get_int64(v) == INT64_MIN);
	json_object_put(o);
	buf_free(&b);
}

static void jsonw_misuse_is_sticky(void **state)
{
	struct buf b;
	struct jsonw w;
	(void)state;

	/* value without a key inside an object */
	buf_init(&b, 64);
	jsonw_init(&w, &b);
	jsonw_object_begin(&w);
	jsonw_int(&w, 1);
	jsonw_object_end(&w);
	assert_int_equal(jsonw_finish(&w), -EINVAL);
	buf_free(&b);

	/* unbalanced */
	jsonw_init(&w, &b);
	jsonw_array_begin(&w);
	assert_int_equal(jsonw_finish(&w), -EINVAL);
	jsonw_object_end(&w);
	assert_int_equal(jsonw_finish(&w), -EINVAL);
	buf_free(&b);

	/* over the buffer's max: -ENOSPC, and the buffer stays within max */
	buf_init(&b, 10);
	jsonw_init(&w, &b);
	jsonw_array_begin(&w);
	jsonw_string(&w, "0123456789");
	jsonw_array_end(&w);
	assert_int_equal(jsonw_finish(&w), -ENOSPC);
	assert_true(b.len <= 10);
	buf_free(&b);

	/* too deep */
	buf_init(&b, 1024);
	jsonw_init(&w, &b);
	for (int i = 0; i < JSONW_MAX_DEPTH + 2; i++)
		jsonw_array_begin(&w);
	assert_int_equal(jsonw_finish(&w), -EINVAL);
	buf_free(&b);
}

/* A member added to a finished object: after the last member, into an
 * empty one without a comma, trailing newlines dropped; not an object: no. */
static void jsonw_splice_member_cases(void **state)
{
	struct buf doc, m;
	(void)state;

	buf_init(&m, 64);
	assert_int_equal(buf_append_str(&m, "[1,2]"), 0);
	buf_init(&doc, 256);
	assert_int_equal(buf_append_str(&doc, "{\"a\":{}}\n\n"), 0);
	assert_int_equal(jsonw_splice_member(&doc, "b", &m), 0);
	assert_string_equal(buf_str(&doc), "{\"a\":{},\"b\":[1,2]}\n");
	buf_reset(&doc);
	assert_int_equal(buf_append_str(&doc, "{ \n}"), 0);
	assert_int_equal(jsonw_splice_member(&doc, "b", &m), 0);
	assert_string_equal(buf_str(&doc), "{ \n\"b\":[1,2]}\n");
	buf_reset(&doc);
	assert_int_equal(buf_append_str(&doc, "[1]\n"), 0);
	assert_int_equal(jsonw_splice_member(&doc, "b", &m), -EINVAL);
	buf_reset(&doc);
	assert_int_equal(jsonw_splice_member(&doc, "b", &m), -EINVAL);
	buf_free(&doc);

	/* over the max: an error, never past it */
	buf_init(&doc, 12);
	assert_int_equal(buf_append_str(&doc, "{\"a\":1}"), 0);
	assert_true(jsonw_splice_member(&doc, "b", &m) < 0);
	assert_true(doc.len <= 12);
	buf_free(&doc);
	buf_free(&m);
}

static void ip(const char *s, struct ip_addr *a)
{
	assert_int_equal(ipaddr_parse(s, a), 0);
}

static void sample_linux(struct facts *f)
{
	struct ip_addr a;
	int lo, eth;

	facts_init(f, FACTS_OS_LINUX);
	facts_text_set(f->agent_version, sizeof(f->agent_version), "0.1.0");
	facts_text_set(f->os_release, sizeof(f->os_release), "Linux 6.1.0");
	facts_text_set(f->hostname, sizeof(f->hostname), "rs\"1\n");
	f->linux_all = (struct facts_linux_conf){ 1, 2, 0 };
	lo = facts_iface_add(f, "lo", 1, 1, 1);
	eth = facts_iface_add(f, "eth0", 2, 1, 0);
	assert_true(lo == 0 && eth == 1);
	f->ifaces[eth].linux_conf = (struct facts_linux_conf){ 0, FACTS_UNKNOWN, 1 };
	ip("192.0.2.100", &a);
	assert_int_equal(facts_addr_add(f, 0, &a, 24), 0);
	ip("2001:db8::100", &a);
	assert_int_equal(facts_addr_add(f, 0, &a, 128), 0);
	ip("192.0.2.11", &a);
	assert_int_equal(facts_addr_add(f, 1, &a, 24), 0);
	ip("::", &a);
	assert_int_equal(facts_listener_add(f, FACTS_PROTO_TCP, &a, 80, 0), 0);
	ip("127.0.0.1", &a);
	assert_int_equal(facts_listener_add(f, FACTS_PROTO_TCP, &a, 9443, FACTS_UNKNOWN), 0);
	f->admin = ADMIN_STATE_DRAIN;
	f->weight = 40;
	facts_text_set(f->admin_reason, sizeof(f->admin_reason), "patching");
}

static void sample_windows(struct facts *f)
{
	struct ip_addr a;
	int lo, nic;

	facts_init(f, FACTS_OS_WINDOWS);
	facts_text_set(f->agent_version, sizeof(f->agent_version), "0.1.0");
	facts_text_set(f->hostname, sizeof(f->hostname), "WIN-RS1");
	nic = facts_iface_add(f, "Ethernet 2", 4, 1, 0);
	lo = facts_iface_add(f, "Loopback", 9, FACTS_UNKNOWN, 1);
	assert_true(nic == 0 && lo == 1);
	f->ifaces[nic].win_conf.weak_host_receive = 0;
	f->ifaces[lo].win_conf.weak_host_receive = 1;
	f->ifaces[lo].win_conf.weak_host_send = FACTS_UNKNOWN;
	f->ifaces[lo].win_conf.dns_register = 1;
	facts_text_set(f->ifaces[lo].win_conf.description, FACTS_TEXT_LEN, "Microsoft KM-TEST Loopback Adapter");
	facts_text_set(f->ifaces[lo].win_conf.hardware_id, FACTS_TEXT_LEN, "*MSLOOP");
	ip("192.0.2.21", &a);
	assert_int_equal(facts_addr_add(f, 0, &a, 24), 0);
	ip("192.0.2.100", &a);
	assert_int_equal(facts_addr_add(f, 1, &a, 32), 0);
}

static void assert_same_facts(const struct facts *a, const struct facts *b)
{
	size_t i;

	assert_int_equal(a->os, b->os);
	assert_string_equal(a->hostname, b->hostname);
	assert_string_equal(a->agent_version, b->agent_version);
	assert_int_equal(a->admin, b->admin);
	assert_int_equal(a->weight, b->weight);
	assert_string_equal(a->admin_reason, b->admin_reason);
	assert_memory_equal(&a->linux_all, &b->linux_all, sizeof(a->linux_all));
	assert_int_equal(a->n_ifaces, b->n_ifaces);
	for (i = 0; i < a->n_ifaces; i++) {
		assert_string_equal(a->ifaces[i].name, b->ifaces[i].name);
		assert_int_equal(a->ifaces[i].index, b->ifaces[i].index);
		assert_int_equal(a->ifaces[i].up, b->ifaces[i].up);
		assert_int_equal(a->ifaces[i].loopback, b->ifaces[i].loopback);
		if (a->os == FACTS_OS_LINUX)
			assert_memory_equal(&a->ifaces[i].linux_conf, &b->ifaces[i].linux_conf,
					    sizeof(a->ifaces[i].linux_conf));
		else
			assert_memory_equal(&a->ifaces[i].win_conf, &b->ifaces[i].win_conf,
					    sizeof(a->ifaces[i].win_conf));
	}
	assert_int_equal(a->n_addrs, b->n_addrs);
	for (i = 0; i < a->n_addrs; i++) {
		assert_true(ipaddr_equal(&a->addrs[i].addr, &b->addrs[i].addr));
		assert_int_equal(a->addrs[i].prefix_len, b->addrs[i].prefix_len);
		assert_int_equal(a->addrs[i].iface, b->addrs[i].iface);
	}
	assert_int_equal(a->n_listeners, b->n_listeners);
	for (i = 0; i < a->n_listeners; i++) {
		assert_true(ipaddr_equal(&a->listeners[i].addr, &b->listeners[i].addr));
		assert_int_equal(a->listeners[i].port, b->listeners[i].port);
		assert_int_equal(a->listeners[i].v6only, b->listeners[i].v6only);
	}
}

static void round_trip(void (*sample)(struct facts *), const char *want_code)
{
	static struct facts f, back;
	static struct findings fa, fb;
	struct status_target t[2];
	struct buf b;
	struct json_object *o, *ev, *e0, *v;
	char err[160];
	size_t i;

	sample(&f);
	ip("192.0.2.100", &t[0].vip);
	t[0].port = 80;
	ip("2001:db8::100", &t[1].vip);
	t[1].port = 0;
	buf_init(&b, STATUS_DOC_MAX);
	assert_int_equal(status_render(&f, t, 2, &b), 0);
	o = parse_strict(b.data, b.len);
	if (!o)
		fail_msg("json-c refused the status document: %s", b.data);
	assert_true(json_object_object_get_ex(o, "version", &v));
	assert_int_equal(json_object_get_int(v), STATUS_VERSION);
	assert_true(json_object_object_get_ex(o, "evaluations", &ev));
	assert_int_equal(json_object_array_length(ev), 2);
	e0 = json_object_array_get_idx(ev, 0);
	assert_true(json_object_object_get_ex(e0, "verdict", &v));
	assert_string_equal(json_object_get_string(v), "critical");
	assert_non_null(strstr(b.data, want_code));
	json_object_put(o);

	assert_int_equal(status_parse(b.data, b.len, &back, err, sizeof(err)), 0);
	assert_same_facts(&f, &back);
	/* the checker's judgement of the parsed facts equals the agent's */
	for (i = 0; i < 2; i++) {
		findings_init(&fa);
		findings_init(&fb);
		rules_evaluate(&f, &t[i].vip, t[i].port, &fa);
		rules_evaluate(&back, &t[i].vip, t[i].port, &fb);
		assert_int_equal(fa.n, fb.n);
		assert_memory_equal(fa.items, fb.items, fa.n * sizeof(fa.items[0]));
	}
	buf_free(&b);
}

static void status_round_trip_linux(void **state)
{
	(void)state;
	round_trip(sample_linux, "\"VIP_PREFIX\"");
}

static void status_round_trip_windows(void **state)
{
	(void)state;
	round_trip(sample_windows, "\"WEAKHOST_RECV_NIC\"");
}

static void status_render_bounded(void **state)
{
	static struct facts f;
	struct buf b;
	(void)state;

	sample_linux(&f);
	buf_init(&b, 200);
	assert_int_equal(status_render(&f, NULL, 0, &b), -ENOSPC);
	assert_true(b.len <= 200);
	buf_free(&b);
}

#define GOOD_HEAD "{\"schema\":\"dsrkit-agent-status\",\"version\":1,\"agent\":{\"version\":\"1\",\"os\":\"linux\",\"os_release\":\"x\",\"hostname\":\"h\"},\"admin\":{\"state\":\"up\",\"weight\":null,\"reason\":\"\"},\"truncated\":false,"

static void status_parse_hostile(void **state)
{
	static const struct { const char *doc; const char *why; } bad[] = {
		{ "", "not JSON" },
		{ "[]", "not a JSON object" },
		{ "{\"schema\":\"x\",\"version\":1}", "schema" },
		{ "{\"schema\":\"dsrkit-agent-status\",\"version\":2}", "version 2" },
		{ "{\"schema\":\"dsrkit-agent-status\",\"version\":\"1\"}", "not an integer" },
		{ GOOD_HEAD "\"interfaces\":[],\"listeners\":[]} x", "JSON" },
		{ GOOD_HEAD "\"interfaces\":{},\"listeners\":[]}", "interfaces" },
		{ GOOD_HEAD "\"interfaces\":[{\"name\":\"lo\",\"index\":1,\"up\":true,\"loopback\":true,\"addresses\":[{\"address\":\"300.1.1.1\",\"prefix_len\":32}]}],\"listeners\":[]}", "not an IP address" },
		{ GOOD_HEAD "\"interfaces\":[{\"name\":\"lo\",\"index\":1,\"up\":true,\"loopback\":true,\"addresses\":[{\"address\":\"192.0.2.1\",\"prefix_len\":33}]}],\"listeners\":[]}", "prefix length" },
		{ GOOD_HEAD "\"interfaces\":[{\"name\":\"lo\",\"index\":-1,\"up\":true,\"loopback\":true,\"addresses\":[]}],\"listeners\":[]}", "out of range" },
		{ GOOD_HEAD "\"interfaces\":[{\"name\":\"lo\",\"index\":1,\"up\":1,\"loopback\":true,\"addresses\":[]}],\"listeners\":[]}", "not a boolean" },
		{ GOOD_HEAD "\"interfaces\":[],\"listeners\":[{\"proto\":\"sctp\",\"address\":\"::\",\"port\":80,\"v6only\":null}]}", "proto" },
		{ GOOD_HEAD "\"interfaces\":[],\"listeners\":[{\"proto\":\"tcp\",\"address\":\"::\",\"port\":65536,\"v6only\":null}]}", "out of range" },
		{ GOOD_HEAD "\"interfaces\":[{\"name\":\"l\\u0000o\",\"index\":1,\"up\":true,\"loopback\":true,\"addresses\":[]}],\"listeners\":[]}", "NUL" },
		{ "{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", "not JSON" },
		{ "{\"schema\":\"dsrkit-agent-status\",\"version\":1,\"agent\":{\"version\":\"1\",\"os\":\"beos\",\"os_release\":\"x\",\"hostname\":\"h\"}}", "unknown os" },
		{ "{\"schema\":\"dsrkit-agent-status\",\"version\":1,\"agent\":{\"version\":\"1\",\"os\":\"linux\",\"os_release\":\"x\",\"hostname\":\"h\"},\"admin\":{\"state\":\"sleepy\",\"weight\":1,\"reason\":\"\"}}", "admin state" },
		{ "{\"schema\":\"dsrkit-agent-status\",\"version\":1,\"agent\":{\"version\":\"1\",\"os\":\"linux\",\"os_release\":\"x\",\"hostname\":\"h\"},\"admin\":{\"state\":\"up\",\"weight\":101,\"reason\":\"\"}}", "out of range" },
		{ "{\"schema\":\"dsrkit-agent-status\",\"version\":1,\"agent\":{\"version\":\"1\",\"os\":\"linux\",\"os_release\":\"x\",\"hostname\":\"h\"},\"admin\":{\"state\":\"up\",\"weight\":1,\"reason\":\"\"},\"truncated\":false,\"interfaces\":[],\"listeners\":[] ,", "not JSON" },
		{ "{\"schema\":\"dsrkit-agent-status\",\"version\":1,\"version\":1,\"agent\":\"\xff\"}", "not JSON" },
	};
	static struct facts f;
	char err[200];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = status_parse(bad[i].doc, strlen(bad[i].doc), &f, err, sizeof(err));

		if (r == 0)
			fail_msg("case %zu accepted: %s", i, bad[i].doc);
		if (!strstr(err, bad[i].why))
			fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i, err, bad[i].why);
	}
	/* the minimal good document */
	{
		const char *ok = GOOD_HEAD "\"interfaces\":[],\"listeners\":[]}\n";

		assert_int_equal(status_parse(ok, strlen(ok), &f, err, sizeof(err)), 0);
		assert_int_equal(f.os, FACTS_OS_LINUX);
		assert_int_equal(f.weight, FACTS_UNKNOWN);
		/* no linux_all: unknown, not zero */
		assert_int_equal(f.linux_all.arp_ignore, FACTS_UNKNOWN);
	}
}

/* One definition of valid text (bounded/utf8.h): a document whose strings
 * are not strict UTF-8 is refused, even where json-c lets them through. */
static void status_parse_refuses_bad_utf8(void **state)
{
	static const char *const bad[] = {
		"ab\xc0\x85", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80", "\xed\xbf\xbf",
		"\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\x80", "x\xe2\x82",
	};
	static struct facts f;
	char doc[512], err[200];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(doc, sizeof(doc),
			 "{\"schema\":\"dsrkit-agent-status\",\"version\":1,\"agent\":{\"version\":\"1\",\"os\":\"linux\","
			 "\"os_release\":\"x\",\"hostname\":\"%s\"},\"admin\":{\"state\":\"up\",\"weight\":null,"
			 "\"reason\":\"\"},\"truncated\":false,\"interfaces\":[],\"listeners\":[]}", bad[i]);
		if (status_parse(doc, strlen(doc), &f, err, sizeof(err)) == 0)
			fail_msg("case %zu accepted", i);
	}
	/* an escaped lone surrogate: json-c decodes it to U+FFFD, valid text
	 * that renders back unchanged */
	snprintf(doc, sizeof(doc), GOOD_HEAD "\"interfaces\":[{\"name\":\"\\ud800\",\"index\":1,\"up\":true,"
		 "\"loopback\":true,\"addresses\":[]}],\"listeners\":[]}");
	if (status_parse(doc, strlen(doc), &f, err, sizeof(err)) == 0)
		assert_true(utf8_valid(f.ifaces[0].name, strlen(f.ifaces[0].name)));
}

/* Each string field filled to its limit with multi-byte text (and with
 * bytes that are not text, set through facts_text_set) renders to a
 * document that parses back to the same strings: the round trip the
 * fuzz target checks, at every field's edge. */
static void fill(char *dst, size_t n, const char *unit)
{
	char tmp[1024];
	size_t ul = strlen(unit), l = 0;

	while (l + ul < sizeof(tmp) && l + ul < n + 8) {
		memcpy(tmp + l, unit, ul);
		l += ul;
	}
	tmp[l] = '\0';
	facts_text_set(dst, n, tmp);
}

static void status_strings_at_their_limits(void **state)
{
	static const char *const units[] = { "a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\xc0\x85", "\xff", "\"\\\n" };
	static struct facts f, back;
	struct buf b;
	char err[200];
	size_t u;
	(void)state;

	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		int lo;

		facts_init(&f, u % 2 ? FACTS_OS_WINDOWS : FACTS_OS_LINUX);
		fill(f.agent_version, sizeof(f.agent_version), units[u]);
		fill(f.os_release, sizeof(f.os_release), units[u]);
		fill(f.hostname, sizeof(f.hostname), units[u]);
		fill(f.admin_reason, sizeof(f.admin_reason), units[u]);
		lo = facts_iface_add(&f, "x", 1, 1, 1);
		assert_int_equal(lo, 0);
		fill(f.ifaces[0].name, sizeof(f.ifaces[0].name), units[u]);
		fill(f.ifaces[0].win_conf.description, FACTS_TEXT_LEN, units[u]);
		fill(f.ifaces[0].win_conf.hardware_id, FACTS_TEXT_LEN, units[u]);
		/* what facts_text_set stores is valid text, cut on a character */
		assert_true(strlen(f.hostname) <= FACTS_TEXT_LEN - 1);
		assert_true(strlen(f.hostname) >= FACTS_TEXT_LEN - 4);
		buf_init(&b, STATUS_DOC_MAX);
		assert_int_equal(status_render(&f, NULL, 0, &b), 0);
		if (status_parse(b.data, b.len, &back, err, sizeof(err)) != 0)
			fail_msg("unit %zu: %s", u, err);
		assert_string_equal(f.hostname, back.hostname);
		assert_string_equal(f.os_release, back.os_release);
		assert_string_equal(f.agent_version, back.agent_version);
		assert_string_equal(f.admin_reason, back.admin_reason);
		assert_string_equal(f.ifaces[0].name, back.ifaces[0].name);
		if (f.os == FACTS_OS_WINDOWS) {
			assert_string_equal(f.ifaces[0].win_conf.description, back.ifaces[0].win_conf.description);
			assert_string_equal(f.ifaces[0].win_conf.hardware_id, back.ifaces[0].win_conf.hardware_id);
		}
		buf_free(&b);
	}
}

/* facts_init writes the scalars and counts only (a one-shot check no
 * longer touches 680 KiB): what lies past a count is stale, and
 * facts_equal/facts_copy look at what is in use only. */
static void facts_equal_ignores_stale_entries(void **state)
{
	static struct facts a, b, c;
	struct ip_addr ip;
	(void)state;

	assert_int_equal(ipaddr_parse("192.0.2.100", &ip), 0);
	facts_init(&a, FACTS_OS_LINUX);
	assert_int_equal(facts_iface_add(&a, "lo", 1, 1, 1), 0);
	assert_int_equal(facts_iface_add(&a, "eth0", 2, 1, 0), 1);
	assert_int_equal(facts_iface_add(&a, "eth1", 3, 1, 0), 2);
	assert_int_equal(facts_addr_add(&a, 0, &ip, 32), 0);
	assert_int_equal(facts_listener_add(&a, FACTS_PROTO_TCP, &ip, 80, 0), 0);
	assert_int_equal(facts_listener_add(&a, FACTS_PROTO_TCP, &ip, 443, 0), 0);
	/* read again with one interface and one listener fewer: stale tails */
	facts_init(&a, FACTS_OS_LINUX);
	assert_int_equal(a.n_ifaces + a.n_addrs + a.n_listeners, 0);
	assert_string_equal(a.ifaces[2].name, "eth1"); /* stale, past the count */
	assert_int_equal(facts_iface_add(&a, "lo", 1, 1, 1), 0);
	assert_int_equal(facts_iface_add(&a, "eth0", 2, 1, 0), 1);
	assert_int_equal(facts_addr_add(&a, 0, &ip, 32), 0);
	assert_int_equal(facts_listener_add(&a, FACTS_PROTO_TCP, &ip, 80, 0), 0);
	memset(&b, 0x5a, sizeof(b)); /* other garbage everywhere */
	facts_init(&b, FACTS_OS_LINUX);
	assert_int_equal(facts_iface_add(&b, "lo", 1, 1, 1), 0);
	assert_int_equal(facts_iface_add(&b, "eth0", 2, 1, 0), 1);
	assert_int_equal(facts_addr_add(&b, 0, &ip, 32), 0);
	assert_int_equal(facts_listener_add(&b, FACTS_PROTO_TCP, &ip, 80, 0), 0);
	assert_true(facts_equal(&a, &b));
	assert_true(memcmp(&a, &b, sizeof(a)) != 0); /* the bytes differ */
	facts_copy(&c, &b);
	assert_true(facts_equal(&a, &c));
	/* a difference in use is one */
	b.ifaces[1].linux_conf.arp_ignore = 1;
	assert_false(facts_equal(&a, &b));
	facts_copy(&c, &b);
	assert_true(facts_equal(&b, &c));
	b.weight = 7;
	assert_false(facts_equal(&b, &c));
	c.weight = 7;
	assert_int_equal(facts_listener_add(&c, FACTS_PROTO_TCP, &ip, 443, 0), 0);
	assert_false(facts_equal(&b, &c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(facts_equal_ignores_stale_entries),
		cmocka_unit_test(jsonw_escapes_hostile_strings),
		cmocka_unit_test(jsonw_numbers_and_nesting),
		cmocka_unit_test(jsonw_misuse_is_sticky),
		cmocka_unit_test(jsonw_splice_member_cases),
		cmocka_unit_test(status_round_trip_linux),
		cmocka_unit_test(status_round_trip_windows),
		cmocka_unit_test(status_render_bounded),
		cmocka_unit_test(status_parse_hostile),
		cmocka_unit_test(status_parse_refuses_bad_utf8),
		cmocka_unit_test(status_strings_at_their_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
