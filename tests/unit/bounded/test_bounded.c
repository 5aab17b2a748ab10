/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of bounded/: the buffer invariant, the number parser and the
 * address parser, each with a table of hostile inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "bounded/buf.h"
#include "bounded/ipaddr.h"
#include "bounded/strparse.h"
#include "bounded/utf8.h"
#include "bounded/textesc.h"

static void buf_respects_max(void **state)
{
	struct buf b;
	(void)state;

	buf_init(&b, 8);
	assert_int_equal(buf_append_str(&b, "12345678"), 0);
	assert_int_equal(b.len, 8);
	assert_int_equal(buf_append(&b, "x", 1), -ENOSPC);
	assert_int_equal(b.len, 8);
	assert_string_equal(buf_str(&b), "12345678");
	buf_consume(&b, 3);
	assert_string_equal(buf_str(&b), "45678");
	assert_int_equal(buf_appendf(&b, "%d", 123), 0);
	assert_string_equal(buf_str(&b), "45678123");
	assert_int_equal(buf_appendf(&b, "%s", "z"), -ENOSPC);
	assert_true(b.len <= b.cap && b.cap <= b.max);
	buf_reset(&b);
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
	assert_string_equal(buf_str(&b), "");
}

/* Lines go whole or not at all: what fits stays, the rest is dropped. */
static void buf_lines_whole(void **state)
{
	struct buf src, dst;
	(void)state;

	buf_init(&src, 64);
	assert_int_equal(buf_append_str(&src, "a:1: x\nb:2: yy\nc"), 0);
	buf_init(&dst, 64);
	assert_int_equal(buf_append_lines(&dst, &src), 0);
	assert_string_equal(buf_str(&dst), "a:1: x\nb:2: yy\nc");
	buf_free(&dst);
	buf_init(&dst, 9);
	assert_int_equal(buf_append_lines(&dst, &src), -ENOSPC);
	assert_string_equal(buf_str(&dst), "a:1: x\nc");
	buf_free(&dst);
	buf_free(&src);
}

static void buf_zero_max(void **state)
{
	struct buf b;
	(void)state;

	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "", 0), 0);
	assert_int_equal(buf_append(&b, "a", 1), -ENOSPC);
	buf_free(&b);
}

struct u32_case {
	const char *in;
	uint32_t min, max;
	int ret;
	uint32_t want;
};

static void u32_table(void **state)
{
	static const struct u32_case cases[] = {
		{ "0", 0, 10, 0, 0 },
		{ "10", 0, 10, 0, 10 },
		{ "11", 0, 10, -ERANGE, 0 },
		{ "4294967295", 0, UINT32_MAX, 0, UINT32_MAX },
		{ "4294967296", 0, UINT32_MAX, -ERANGE, 0 },
		{ "99999999999999999999", 0, UINT32_MAX, -ERANGE, 0 },
		{ "999999999999999999999999", 0, UINT32_MAX, -ERANGE, 0 },
		{ "", 0, 10, -EINVAL, 0 },
		{ "-1", 0, 10, -EINVAL, 0 },
		{ "+1", 0, 10, -EINVAL, 0 },
		{ " 1", 0, 10, -EINVAL, 0 },
		{ "1 ", 0, 10, -EINVAL, 0 },
		{ "0x10", 0, 100, -EINVAL, 0 },
		{ "1e3", 0, 10000, -EINVAL, 0 },
		{ "5", 6, 10, -ERANGE, 0 },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t v = 12345;
		int r = parse_u32(cases[i].in, &v, cases[i].min, cases[i].max);

		assert_int_equal(r, cases[i].ret);
		if (r == 0)
			assert_int_equal(v, cases[i].want);
		else
			assert_int_equal(v, 12345);
	}
	assert_int_equal(parse_u32(NULL, &(uint32_t){0}, 0, 1), -EINVAL);
}

static void u32_span_and_hex(void **state)
{
	uint32_t v;
	(void)state;

	assert_int_equal(parse_u32n("80abc", 2, &v, 0, 65535), 0);
	assert_int_equal(v, 80);
	assert_int_equal(parse_u32n("80", 0, &v, 0, 65535), -EINVAL);
	assert_int_equal(parse_u32_hex("0x1f", &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(parse_u32_hex("100000000", &v), -ERANGE);
	assert_int_equal(parse_u32_hex("0x", &v), -EINVAL);
	assert_int_equal(parse_u32_hex("g", &v), -EINVAL);
	assert_true(span_eq_ci("GET", 3, "get"));
	assert_false(span_eq_ci("GE", 2, "get"));
	assert_false(span_eq_ci("GETS", 4, "get"));
	assert_true(span_has_token("keep-alive, Close", 17, "close"));
	assert_true(span_has_token(" ,chunked ", 10, "chunked"));
	assert_false(span_has_token("closed", 6, "close"));
	assert_false(span_has_token("", 0, "close"));
}

static void durations(void **state)
{
	uint32_t ms;
	(void)state;

	assert_int_equal(parse_duration_ms("3", &ms, 1, 60000), 0);
	assert_int_equal(ms, 3000);
	assert_int_equal(parse_duration_ms("3s", &ms, 1, 60000), 0);
	assert_int_equal(ms, 3000);
	assert_int_equal(parse_duration_ms("250ms", &ms, 1, 60000), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(parse_duration_ms("61s", &ms, 1, 60000), -ERANGE);
	assert_int_equal(parse_duration_ms("0ms", &ms, 1, 60000), -ERANGE);
	assert_int_equal(parse_duration_ms("ms", &ms, 1, 60000), -EINVAL);
	assert_int_equal(parse_duration_ms("s", &ms, 1, 60000), -EINVAL);
	assert_int_equal(parse_duration_ms("1.5s", &ms, 1, 60000), -EINVAL);
	assert_int_equal(parse_duration_ms("-1", &ms, 1, 60000), -EINVAL);
	assert_int_equal(parse_duration_ms("99999999999999999999999", &ms, 1, 60000), -ERANGE);
	assert_int_equal(parse_duration_ms("4294967296ms", &ms, 1, UINT32_MAX), -ERANGE);
	assert_int_equal(parse_duration_ms("5000000s", &ms, 1, UINT32_MAX), -ERANGE);
}

struct addr_case {
	const char *in;
	int ok;
	const char *canon;
};

static void ipaddr_table(void **state)
{
	static const struct addr_case cases[] = {
		{ "192.0.2.1", 1, "192.0.2.1" },
		{ "0.0.0.0", 1, "0.0.0.0" },
		{ "255.255.255.255", 1, "255.255.255.255" },
		{ "256.0.0.1", 0, NULL },
		{ "192.0.2", 0, NULL },
		{ "192.0.2.1.5", 0, NULL },
		{ "192.0.2.01", 0, NULL },
		{ "192.0.2.", 0, NULL },
		{ ".192.0.2.1", 0, NULL },
		{ "192.0.2.1 ", 0, NULL },
		{ "192..2.1", 0, NULL },
		{ "", 0, NULL },
		{ "2001:db8::1", 1, "2001:db8::1" },
		{ "2001:DB8:0:0:0:0:0:1", 1, "2001:db8::1" },
		{ "::", 1, "::" },
		{ "::1", 1, "::1" },
		{ "1::", 1, "1::" },
		{ "2001:db8:0:1:0:0:0:1", 1, "2001:db8:0:1::1" },
		{ "2001:0:0:1:0:0:0:1", 1, "2001:0:0:1::1" },
		{ "2001:0:0:1:1:0:0:1", 1, "2001::1:1:0:0:1" },
		{ "::ffff:192.0.2.1", 1, "::ffff:c000:201" },
		{ "1:2:3:4:5:6:7:8", 1, "1:2:3:4:5:6:7:8" },
		{ "1:2:3:4:5:6:7:8:9", 0, NULL },
		{ "1:2:3:4:5:6:7", 0, NULL },
		{ "1::2::3", 0, NULL },
		{ ":1:2", 0, NULL },
		{ "1:2:", 0, NULL },
		{ "12345::1", 0, NULL },
		{ "g::1", 0, NULL },
		{ "1:2:3:4:5:6:7::", 1, "1:2:3:4:5:6:7:0" },
		{ "1:2:3:4:5:6:7:8::", 0, NULL },
		{ "1:2:3:4:5:6:7:1.2.3.4", 0, NULL },
		{ "::1.2.3.4.5", 0, NULL },
		{ "2001:db8::1%eth0", 0, NULL },
		{ "[2001:db8::1]", 0, NULL },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 1, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "0000:0000:0000:0000:0000:0000:0000:00000", 0, NULL },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ip_addr a;
		char txt[IPADDR_STRLEN];
		int r = ipaddr_parse(cases[i].in, &a);

		if (cases[i].ok) {
			assert_int_equal(r, 0);
			assert_string_equal(ipaddr_format(&a, txt), cases[i].canon);
		} else {
			if (r == 0)
				fail_msg("accepted hostile address '%s'", cases[i].in);
		}
	}
}

static void ipaddr_prefixes(void **state)
{
	struct ip_addr a, b;
	unsigned plen;
	(void)state;

	assert_int_equal(ipaddr_parse_prefix("192.0.2.100/32", &a, &plen), 0);
	assert_int_equal(plen, 32);
	assert_int_equal(ipaddr_parse_prefix("192.0.2.100", &a, &plen), 0);
	assert_int_equal(plen, 32);
	assert_int_equal(ipaddr_parse_prefix("192.0.2.100/33", &a, &plen), -EINVAL);
	assert_int_equal(ipaddr_parse_prefix("192.0.2.100/", &a, &plen), -EINVAL);
	assert_int_equal(ipaddr_parse_prefix("2001:db8::1/128", &a, &plen), 0);
	assert_int_equal(plen, 128);
	assert_int_equal(ipaddr_parse("192.0.2.200", &b), 0);
	assert_int_equal(ipaddr_parse("192.0.2.100", &a), 0);
	assert_true(ipaddr_same_prefix(&a, &b, 24));
	assert_false(ipaddr_same_prefix(&a, &b, 25));
	assert_true(ipaddr_same_prefix(&a, &b, 0));
	assert_false(ipaddr_equal(&a, &b));
}

/* bounded/utf8: the one definition of valid text, at every edge. */
static void utf8_table(void **state)
{
	static const struct { const char *s; size_t n; int valid; } cases[] = {
		{ "", 0, 1 }, { "abc", 3, 1 }, { "\x7f", 1, 1 },
		{ "\xc2\x80", 2, 1 }, { "\xdf\xbf", 2, 1 },               /* U+0080, U+07FF */
		{ "\xc0\x85", 2, 0 }, { "\xc1\xbf", 2, 0 },               /* overlong 2-byte */
		{ "\xe0\xa0\x80", 3, 1 }, { "\xe0\x9f\xbf", 3, 0 },       /* U+0800; overlong */
		{ "\xed\x9f\xbf", 3, 1 }, { "\xed\xa0\x80", 3, 0 },       /* U+D7FF; surrogate */
		{ "\xed\xbf\xbf", 3, 0 }, { "\xee\x80\x80", 3, 1 },       /* U+DFFF; U+E000 */
		{ "\xef\xbf\xbf", 3, 1 },                                /* U+FFFF */
		{ "\xf0\x90\x80\x80", 4, 1 }, { "\xf0\x8f\xbf\xbf", 4, 0 }, /* U+10000; overlong */
		{ "\xf4\x8f\xbf\xbf", 4, 1 }, { "\xf4\x90\x80\x80", 4, 0 }, /* U+10FFFF; past it */
		{ "\xf5\x80\x80\x80", 4, 0 }, { "\xff", 1, 0 }, { "\x80", 1, 0 },
		{ "\xe2\x82", 2, 0 }, { "\xe2\x82\x41", 3, 0 },            /* cut; bad continuation */
	};
	char s[16];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (utf8_valid(cases[i].s, cases[i].n) != cases[i].valid)
			fail_msg("case %zu: want %d", i, cases[i].valid);
	/* sanitize keeps the length and leaves valid text */
	memcpy(s, "a\xc0\x85\xe2\x82\xac\xff", 8);
	s[8] = 0;
	assert_int_equal(utf8_sanitize(s), 3);
	assert_string_equal(s, "a??\xe2\x82\xac?");
	/* cutting never splits a character */
	assert_int_equal(utf8_cut_len("ab\xe2\x82\xac", 4), 2);
	assert_int_equal(utf8_cut_len("ab\xe2\x82\xac", 5), 5);
	assert_int_equal(utf8_cut_len("ab\xe2\x82\xac", 3), 2);
	assert_int_equal(utf8_cut_len("abc", 2), 2);
	assert_int_equal(utf8_cut_len("a\xf0\x9f\x98\x80", 4), 1);
}

/* Finding 8 of issue 16: a reason from an agent must not forge a log line
 * or drive a terminal. */
#define T(in, out) { in, sizeof(in) - 1, out }
static void text_escape_table(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} t[] = {
		T("plain ok", "plain ok"),
		T("drain\nUP 192.0.2.11: VIP 192.0.2.100 ok", "drain\\nUP 192.0.2.11: VIP 192.0.2.100 ok"),
		T("a\r\n\tb", "a\\r\\n\\tb"),
		T("back\\slash", "back\\\\slash"),
		T("\x1b[2J\x1b]0;owned\x07", "\\x1b[2J\\x1b]0;owned\\x07"),
		T("del\x7f", "del\\x7f"),
		T("nul\0x", "nul\\x00x"),
		T("J\xc3\xb6rg \xe2\x80\x94 caf\xc3\xa9", "J\xc3\xb6rg \xe2\x80\x94 caf\xc3\xa9"),
		T("c1 \xc2\x9b" "31m", "c1 \\u009b31m"),
		T("rlo \xe2\x80\xae" "gpj", "rlo \\u202egpj"),
		T("overlong \xc0\x8a", "overlong \\xc0\\x8a"),
		T("lone \x80 cont", "lone \\x80 cont"),
		T("cut \xe2\x80", "cut \\xe2\\x80"),
		T("surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80"),
		T("past \xf4\x90\x80\x80", "past \\xf4\\x90\\x80\\x80"),
		T("emoji \xf0\x9f\x98\x80", "emoji \xf0\x9f\x98\x80"),
	};
	char out[TEXT_ESC_SIZE(64)], small[12];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		text_escape_n(t[i].in, t[i].n, out, sizeof(out));
		if (strcmp(out, t[i].out) != 0)
			fail_msg("case %zu: got '%s', expected '%s'", i, out, t[i].out);
		/* nothing below 0x20 survives, whatever the input */
		for (size_t k = 0; out[k]; k++)
			assert_true((unsigned char)out[k] >= 0x20 && out[k] != 0x7f);
	}
	assert_string_equal(text_escape("a\nb", out, sizeof(out)), "a\\nb");
	/* too small: cut at a whole escape, marked, terminated */
	assert_string_equal(text_escape("\n\n\n\n\n\n", small, sizeof(small)), "\\n\\n\\n\\n...");
	assert_string_equal(text_escape("abcdefghijk", small, sizeof(small)), "abcdefghijk");
	assert_string_equal(text_escape("abcdefghijkl", small, sizeof(small)), "abcdefgh...");
	assert_string_equal(text_escape("\x01\x01\x01", small, sizeof(small)), "\\x01\\x01...");
	/* the worst case fits TEXT_ESC_SIZE without a cut */
	{
		char in[32], big[TEXT_ESC_SIZE(32)];

		memset(in, 0x01, sizeof(in));
		text_escape_n(in, sizeof(in), big, sizeof(big));
		assert_int_equal(strlen(big), 4 * sizeof(in));
		for (i = 0; i < 16; i++)
			memcpy(in + 2 * i, "\xc2\x85", 2);
		text_escape_n(in, sizeof(in), big, sizeof(big));
		assert_int_equal(strlen(big), 6 * 16);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_respects_max),
		cmocka_unit_test(utf8_table),
		cmocka_unit_test(buf_zero_max),
		cmocka_unit_test(buf_lines_whole),
		cmocka_unit_test(u32_table),
		cmocka_unit_test(u32_span_and_hex),
		cmocka_unit_test(durations),
		cmocka_unit_test(ipaddr_table),
		cmocka_unit_test(ipaddr_prefixes),
		cmocka_unit_test(text_escape_table),
	};
	return cmocka_run_group_tests_name("bounded", tests, NULL, NULL);
}
