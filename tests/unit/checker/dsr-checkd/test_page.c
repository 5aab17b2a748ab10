/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of dsr-checkd's status page (page.c): hostile strings from an
 * agent (host name, admin reason, interface name) come out as text, never
 * as markup; a failing row stands out with its reason and fix; the escape
 * function on its own, byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "agent-proto/facts.h"
#include "checker/dsr-checkd/page.h"
#include "checker/dsr-checkd/rs.h"
#include "tests/unit/checker/dsr-checkd/checkd_fixture.h"
#include "tests/unit/checker/good_facts.h"

static struct facts f;
static struct checkd d;

static const char hostile[] = "<script>alert(\"x\")</script>'\x01\x1b[31m&amp;";

static int setup(void **state)
{
	static const char text[] =
		"virtual_server 192.0.2.100 80 {\n lb_kind DR\n real_server 192.0.2.11 80 { weight 100 }\n"
		" real_server 192.0.2.12 80 { weight 100 }\n}\n";
	struct checkd_rs_diff df;
	(void)state;

	checkd_fixture_init(&d, 1, 1);
	checkd_fixture_conf(&d.conf, text);
	assert_int_equal(checkd_rs_table_apply(&d, &d.conf, &df), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	checkd_fixture_free(&d);
	return 0;
}

static void feed(struct checkd_rs *rs, int64_t now)
{
	checkd_fixture_feed(rs, &f, now);
}

static void escape_bytes(void **state)
{
	struct buf b;
	(void)state;

	buf_init(&b, 1024);
	assert_int_equal(page_html_escape(&b, "a<b>&\"'", 7), 0);
	assert_string_equal(buf_str(&b), "a&lt;b&gt;&amp;&quot;&#39;");
	buf_reset(&b);
	/* control bytes, DEL, a lone continuation byte, an overlong, a
	 * surrogate: all visible as \xNN; valid UTF-8 passes */
	assert_int_equal(page_html_escape(&b, "\x01\x7f\x80\xc0\x85\xed\xa0\x80\xc3\xa9", 10), 0);
	assert_string_equal(buf_str(&b), "\\x01\\x7f\\x80\\xc0\\x85\\xed\\xa0\\x80\xc3\xa9");
	buf_reset(&b);
	/* a NUL inside the length is shown, not an end */
	assert_int_equal(page_html_escape(&b, "a\0b", 3), 0);
	assert_string_equal(buf_str(&b), "a\\x00b");
	buf_free(&b);
	buf_init(&b, 4);
	assert_int_equal(page_html_escape(&b, "<<<<", 4), -ENOSPC);
	buf_free(&b);
}

static void hostile_strings_are_text(void **state)
{
	static const uint16_t ports[] = { 80 };
	struct buf out;
	const char *s;
	(void)state;

	/* rs1: correct, with a hostile host name and admin reason */
	good_linux_facts(&f, ports, 1);
	snprintf(f.hostname, sizeof(f.hostname), "%s", hostile);
	snprintf(f.admin_reason, sizeof(f.admin_reason), "%s", hostile);
	feed(d.rs[0], 1000);
	/* rs2: the VIP is missing: a failing row with reason and fix */
	good_linux_facts(&f, ports, 1);
	f.n_addrs = 0;
	snprintf(f.hostname, sizeof(f.hostname), "rs2.example");
	feed(d.rs[1], 1000);

	buf_init(&out, 1 << 20);
	assert_int_equal(checkd_page_render(&d, NULL, 2000, &out), 0);
	s = buf_str(&out);
	/* the only script element is the page's own */
	assert_non_null(strstr(s, "<script>(function(){"));
	assert_null(strstr(s, "<script>alert"));
	assert_null(strstr(s, "alert(\""));
	assert_non_null(strstr(s, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;\\x01\\x1b[31m&amp;amp;"));
	/* no raw control byte anywhere in the page */
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			fail_msg("raw control byte 0x%02x at offset %zu", (unsigned char)*p, (size_t)(p - s));
	/* one table for the service, a row per real server, the failing one marked */
	assert_non_null(strstr(s, "192.0.2.100:80 <span class=\"sum\">1 of 2 real servers up"));
	assert_non_null(strstr(s, "<tr class=\"up\" data-rs=\"192.0.2.11\">"));
	assert_non_null(strstr(s, "<tr class=\"down\" data-rs=\"192.0.2.12\">"));
	assert_non_null(strstr(s, "VIP_MISSING"));
	assert_non_null(strstr(s, "<div class=\"fix\">Fix (VIP_MISSING)"));
	assert_non_null(strstr(s, "ip addr add 192.0.2.100/32 dev lo"));
	/* works without JavaScript: it refreshes itself */
	assert_non_null(strstr(s, "<meta http-equiv=\"refresh\" content=\"5\">"));
	/* nothing fetched from elsewhere */
	assert_null(strstr(s, "http://"));
	assert_null(strstr(s, "https://"));
	assert_null(strstr(s, " src="));
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escape_bytes),
		cmocka_unit_test_setup_teardown(hostile_strings_are_text, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
