/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the status endpoint's HTTP request parser: good requests,
 * a hostile table (truncated, overlong, smuggling, exact limits), and the
 * /v1/status query. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/http_request.h"

struct http_case {
	const char *name;
	const char *req;          /* NULL: built by the test */
	int ret;                  /* >0: expect the whole length; 0 more; <0 error */
	int status;               /* on error */
	int keep_alive;
};

#define FULL 1

static const struct http_case cases[] = {
	{ "curl", "GET /v1/status HTTP/1.1\r\nHost: 192.0.2.11:9443\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", FULL, 0, 1 },
	{ "http/1.0", "GET /v1/status HTTP/1.0\r\n\r\n", FULL, 0, 0 },
	{ "1.0 keep-alive", "GET /v1/status HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", FULL, 0, 1 },
	{ "close", "GET /v1/status HTTP/1.1\r\nConnection: foo, close\r\n\r\n", FULL, 0, 0 },
	{ "bare LF", "GET /v1/status HTTP/1.1\nHost: x\n\n", FULL, 0, 1 },
	{ "query", "GET /v1/status?vip=192.0.2.100&port=80 HTTP/1.1\r\n\r\n", FULL, 0, 1 },
	{ "small body", "GET /v1/status HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", FULL, 0, 1 },
	{ "truncated line", "GET /v1/sta", 0, 0, 0 },
	{ "truncated headers", "GET /v1/status HTTP/1.1\r\nHost: x\r\n", 0, 0, 0 },
	{ "truncated body", "GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", 0, 0, 0 },
	{ "empty", "", 0, 0, 0 },
	{ "post", "POST /v1/status HTTP/1.1\r\n\r\n", -EBADMSG, 405, 0 },
	{ "lowercase get", "get /v1/status HTTP/1.1\r\n\r\n", -EBADMSG, 405, 0 },
	{ "http/2", "GET / HTTP/2.0\r\n\r\n", -EBADMSG, 505, 0 },
	{ "http/1.2", "GET / HTTP/1.2\r\n\r\n", -EBADMSG, 505, 0 },
	{ "no version", "GET /\r\n\r\n", -EBADMSG, 400, 0 },
	{ "two spaces", "GET  / HTTP/1.1\r\n\r\n", -EBADMSG, 400, 0 },
	{ "absolute form", "GET http://x/ HTTP/1.1\r\n\r\n", -EBADMSG, 400, 0 },
	{ "NUL in line", "GET /\0 HTTP/1.1\r\n\r\n", -EBADMSG, 400, 0 },
	{ "bare CR", "GET / HTTP/1.1\rX: y\r\n\r\n", -EBADMSG, 400, 0 },
	{ "folding", "GET / HTTP/1.1\r\nX: a\r\n  b\r\n\r\n", -EBADMSG, 400, 0 },
	{ "no colon", "GET / HTTP/1.1\r\nBroken\r\n\r\n", -EBADMSG, 400, 0 },
	{ "space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", -EBADMSG, 400, 0 },
	{ "chunked", "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", -EBADMSG, 501, 0 },
	{ "two content-length", "GET / HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n", -EBADMSG, 400, 0 },
	{ "negative cl", "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", -EBADMSG, 400, 0 },
	{ "cl junk", "GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", -EBADMSG, 400, 0 },
	{ "cl huge", "GET / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", -EBADMSG, 400, 0 },
	{ "body too large", "GET / HTTP/1.1\r\nContent-Length: 1025\r\n\r\n", -EBADMSG, 413, 0 },
	{ "ctl in value", "GET / HTTP/1.1\r\nX: a\x01" "b\r\n\r\n", -EBADMSG, 400, 0 },
	{ "non-ascii target", "GET /\xc3\xa9 HTTP/1.1\r\n\r\n", -EBADMSG, 400, 0 },
	{ NULL, NULL, 0, 0, 0 },
};

static void http_table(void **state)
{
	const struct http_case *c;
	struct http_request req;
	(void)state;

	for (c = cases; c->name; c++) {
		/* "NUL in line" carries a NUL: its length is known from the literal */
		size_t n = strcmp(c->name, "NUL in line") == 0 ? 20 : strlen(c->req);
		char *copy = malloc(n ? n : 1);   /* exact size: ASan sees overreads */
		int r;

		memcpy(copy, c->req, n);
		r = http_request_parse(copy, n, &req);
		if (c->ret == FULL) {
			if (r != (int)n)
				fail_msg("%s: returned %d, want %zu (%s)", c->name, r, n, req.why ? req.why : "");
			if (req.keep_alive != c->keep_alive)
				fail_msg("%s: keep_alive %d", c->name, req.keep_alive);
		} else if (c->ret == 0) {
			if (r != 0)
				fail_msg("%s: returned %d, want 0 (%s)", c->name, r, req.why ? req.why : "");
		} else {
			if (r != c->ret || http_error_table[req.error].status != c->status)
				fail_msg("%s: returned %d status %d, want %d", c->name, r,
					 http_error_table[req.error].status, c->status);
			assert_non_null(req.why);
		}
		free(copy);
	}
}

static char *repeat(const char *head, char ch, size_t n, const char *tail)
{
	size_t hl = strlen(head), tl = strlen(tail);
	char *s = malloc(hl + n + tl + 1);

	memcpy(s, head, hl);
	memset(s + hl, ch, n);
	memcpy(s + hl + n, tail, tl + 1);
	return s;
}

/* Exact limits: the longest accepted request line and header line pass, one
 * byte more fails with 414 / 431; too many headers fail; an unfinished line
 * past the limit fails without waiting for more. */
static void http_limits(void **state)
{
	struct http_request req;
	char *s, big[HTTP_MAX_HEADER_BYTES + 2048];
	size_t pre = strlen("GET /") + strlen(" HTTP/1.1");
	int i;
	(void)state;

	s = repeat("GET /?", 'a', HTTP_MAX_REQUEST_LINE - pre - 1, " HTTP/1.1\r\n\r\n");
	assert_int_equal(http_request_parse(s, strlen(s), &req), (int)strlen(s));
	free(s);
	s = repeat("GET /", 'a', HTTP_MAX_PATH, " HTTP/1.1\r\n\r\n");
	assert_int_equal(http_request_parse(s, strlen(s), &req), -EBADMSG);
	assert_int_equal(http_error_table[req.error].status, 414);
	free(s);
	s = repeat("GET /?", 'a', HTTP_MAX_REQUEST_LINE - pre, " HTTP/1.1\r\n\r\n");
	assert_int_equal(http_request_parse(s, strlen(s), &req), -EBADMSG);
	assert_int_equal(http_error_table[req.error].status, 414);
	free(s);
	s = repeat("GET /", 'a', 5000, "");
	assert_int_equal(http_request_parse(s, strlen(s), &req), -EBADMSG);
	assert_int_equal(http_error_table[req.error].status, 414);
	free(s);

	s = repeat("GET / HTTP/1.1\r\nX: ", 'b', HTTP_MAX_HEADER_LINE - 3, "\r\n\r\n");
	assert_int_equal(http_request_parse(s, strlen(s), &req), (int)strlen(s));
	free(s);
	s = repeat("GET / HTTP/1.1\r\nX: ", 'b', HTTP_MAX_HEADER_LINE - 2, "\r\n\r\n");
	assert_int_equal(http_request_parse(s, strlen(s), &req), -EBADMSG);
	assert_int_equal(http_error_table[req.error].status, 431);
	free(s);
	s = repeat("GET / HTTP/1.1\r\nX: ", 'b', 4000, "");
	assert_int_equal(http_request_parse(s, strlen(s), &req), -EBADMSG);
	assert_int_equal(http_error_table[req.error].status, 431);
	free(s);

	/* HTTP_MAX_HEADERS pass, one more fails */
	strcpy(big, "GET / HTTP/1.1\r\n");
	for (i = 0; i < HTTP_MAX_HEADERS; i++)
		strcat(big, "A: b\r\n");
	strcat(big, "\r\n");
	assert_int_equal(http_request_parse(big, strlen(big), &req), (int)strlen(big));
	big[strlen(big) - 2] = '\0';
	strcat(big, "A: b\r\n\r\n");
	assert_int_equal(http_request_parse(big, strlen(big), &req), -EBADMSG);
	assert_int_equal(http_error_table[req.error].status, 431);

	/* total header bytes: 9 lines of 1000 bytes pass the line limit but not the total */
	strcpy(big, "GET / HTTP/1.1\r\n");
	for (i = 0; i < 9; i++) {
		s = repeat("X: ", 'c', 990, "\r\n");
		strcat(big, s);
		free(s);
	}
	strcat(big, "\r\n");
	assert_int_equal(http_request_parse(big, strlen(big), &req), -EBADMSG);
	assert_int_equal(http_error_table[req.error].status, 431);
}

static void http_query(void **state)
{
	static const struct { const char *q; int ret; uint16_t port; } qs[] = {
		{ "", 0, 0 },
		{ "vip=192.0.2.100&port=80", 1, 80 },
		{ "port=443&vip=192.0.2.100", 1, 443 },
		{ "vip=192.0.2.100", 1, 0 },
		{ "vip=2001:db8::100&port=80", 1, 80 },
		{ "vip=2001%3adb8%3A%3a100&port=80", 1, 80 },
		{ "vip=192.0.2.100&port=0", -EINVAL, 0 },
		{ "vip=192.0.2.100&port=65536", -EINVAL, 0 },
		{ "vip=192.0.2.100&port=8x", -EINVAL, 0 },
		{ "vip=192.0.2.100&vip=192.0.2.101", -EINVAL, 0 },
		{ "vip=192.0.2.100&port=80&port=81", -EINVAL, 0 },
		{ "vip=192.0.2.300", -EINVAL, 0 },
		{ "port=80", -EINVAL, 0 },
		{ "vip", -EINVAL, 0 },
		{ "vip=192.0.2.100&", -EINVAL, 0 },
		{ "&vip=192.0.2.100", -EINVAL, 0 },
		{ "vip=%", -EINVAL, 0 },
		{ "vip=%4", -EINVAL, 0 },
		{ "vip=%00", -EINVAL, 0 },
		{ "vip=%zz", -EINVAL, 0 },
		{ "x=1", -EINVAL, 0 },
		{ "vip=192.0.2.100192.0.2.100192.0.2.100192.0.2.100192.0.2.100", -EINVAL, 0 },
	};
	struct status_target t;
	const char *why = NULL;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		int r = http_query_target(qs[i].q, &t, &why);

		if (r != qs[i].ret)
			fail_msg("query '%s': %d, want %d", qs[i].q, r, qs[i].ret);
		if (r == 1)
			assert_int_equal(t.port, qs[i].port);
	}
}

/* Long-poll parameters (protocol 1.1): every hostile value is a 400 with a
 * reason, and http_query_target (the 1.0 view) refuses them as unknown. */
static void http_query_longpoll(void **state)
{
	static const struct {
		const char *q;
		int ret, has_wait, has_after;
		uint32_t wait, after;
		const char *why;
	} qs[] = {
		{ "wait=10&after=7", 0, 1, 1, 10000, 7, NULL },
		{ "vip=192.0.2.100&port=80&wait=1&after=4294967295", 0, 1, 1, 1000, 4294967295u, NULL },
		{ "after=3&wait=0", 0, 1, 1, 0, 3, NULL },
		{ "wait=30", 0, 1, 0, 30000, 0, NULL },
		{ "wait=0.5&after=1", 0, 1, 1, 500, 1, NULL },
		{ "wait=0.25&after=1", 0, 1, 1, 250, 1, NULL },
		{ "wait=2.125&after=1", 0, 1, 1, 2125, 1, NULL },
		{ "wait=3600&after=0", 0, 1, 1, 3600000, 0, NULL },
		{ "wait=3600.001&after=0", -EINVAL, 0, 0, 0, 0, "wait is not" },
		{ "wait=0.1234&after=0", -EINVAL, 0, 0, 0, 0, "wait is not" },
		{ "wait=.5&after=0", -EINVAL, 0, 0, 0, 0, "wait is not" },
		{ "wait=1.&after=0", -EINVAL, 0, 0, 0, 0, "wait is not" },
		{ "wait=1.5.5&after=0", -EINVAL, 0, 0, 0, 0, "wait is not" },
		{ "wait=1.-5&after=0", -EINVAL, 0, 0, 0, 0, "wait is not" },
		{ "wait=3601&after=1", -EINVAL, 0, 0, 0, 0, "wait is not" },
		{ "wait=-1&after=1", -EINVAL, 0, 0, 0, 0, "wait is not" },
		{ "wait=&after=1", -EINVAL, 0, 0, 0, 0, "wait is not" },
		{ "wait=1e3&after=1", -EINVAL, 0, 0, 0, 0, "wait is not" },
		{ "wait=%2B5&after=1", -EINVAL, 0, 0, 0, 0, "wait is not" },
		{ "wait= 5&after=1", -EINVAL, 0, 0, 0, 0, "wait is not" },
		{ "wait=99999999999999999999&after=1", -EINVAL, 0, 0, 0, 0, "wait is not" },
		{ "wait=5&after=4294967296", -EINVAL, 0, 0, 0, 0, "after is not" },
		{ "wait=5&after=-1", -EINVAL, 0, 0, 0, 0, "after is not" },
		{ "wait=5&after=0x10", -EINVAL, 0, 0, 0, 0, "after is not" },
		{ "wait=5&after=", -EINVAL, 0, 0, 0, 0, "after is not" },
		{ "after=5", -EINVAL, 0, 0, 0, 0, "after without wait" },
		{ "wait=5&wait=6&after=1", -EINVAL, 0, 0, 0, 0, "wait given twice" },
		{ "wait=5&after=1&after=2", -EINVAL, 0, 0, 0, 0, "after given twice" },
		{ "Wait=5", -EINVAL, 0, 0, 0, 0, "unknown" },
		{ "waits=5", -EINVAL, 0, 0, 0, 0, "unknown" },
	};
	struct http_query q;
	struct status_target t;
	const char *why;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		int r;

		why = NULL;
		r = http_query_parse(qs[i].q, &q, &why);
		if (r != qs[i].ret)
			fail_msg("query '%s': %d, want %d", qs[i].q, r, qs[i].ret);
		if (r == 0) {
			assert_int_equal(q.has_wait, qs[i].has_wait);
			assert_int_equal(q.has_after, qs[i].has_after);
			assert_int_equal(q.wait_ms, qs[i].wait);
			assert_int_equal(q.after, qs[i].after);
		} else {
			assert_non_null(why);
			if (!strstr(why, qs[i].why))
				fail_msg("query '%s': reason '%s', want '%s'", qs[i].q, why, qs[i].why);
		}
	}
	/* beats (1.2): with wait and after, 0.1 s at least */
	assert_int_equal(http_query_parse("wait=30&after=7&beat=0.850", &q, &why), 0);
	assert_true(q.has_beat);
	assert_int_equal(q.beat_ms, 850);
	assert_int_equal(q.wait_ms, 30000);
	assert_int_equal(http_query_parse("beat=1&wait=2&after=7", &q, &why), 0);
	assert_int_equal(q.beat_ms, 1000);
	assert_int_equal(http_query_parse("wait=30&after=7", &q, &why), 0);
	assert_false(q.has_beat);
	{
		static const struct {
			const char *q, *why;
		} bad[] = {
			{ "wait=30&after=7&beat=0.099", "beat is not" },
			{ "wait=30&after=7&beat=0", "beat is not" },
			{ "wait=30&after=7&beat=-1", "beat is not" },
			{ "wait=30&after=7&beat=1e2", "beat is not" },
			{ "wait=30&after=7&beat=3601", "beat is not" },
			{ "wait=30&after=7&beat=", "beat is not" },
			{ "wait=30&after=7&beat=1&beat=2", "beat given twice" },
			{ "wait=30&beat=1", "beat without wait and after" },
			{ "beat=1", "beat without wait and after" },
		};

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			why = NULL;
			if (http_query_parse(bad[i].q, &q, &why) != -EINVAL || !why || !strstr(why, bad[i].why))
				fail_msg("query '%s': reason '%s', want '%s'", bad[i].q, why ? why : "(none)", bad[i].why);
		}
	}
	/* the 1.0 view refuses them */
	assert_int_equal(http_query_target("wait=5&after=1", &t, &why), -EINVAL);
	/* the whole request: a bad wait is 400 at the query, not at the parser */
	{
		struct http_request req;
		const char *r1 = "GET /v1/status?wait=5&after=9 HTTP/1.1\r\n\r\n";

		assert_int_equal(http_request_parse(r1, strlen(r1), &req), (int)strlen(r1));
		assert_string_equal(req.query, "wait=5&after=9");
	}
}

/* DSR-Director headers: parsed into the request, hostile ones refused. */
static void http_director_header(void **state)
{
	static const struct {
		const char *v;
		int ret;
	} hs[] = {
		{ "lvs1; vip=192.0.2.100; port=80; weight=100; active=3; inactive=12", 0 },
		{ "lvs1;vip=2001:db8::100;weight=0;active=0;inactive=0", 0 },
		{ "d.example-1_x; vip=192.0.2.100; weight=65535; active=4294967295; inactive=0", 0 },
		{ "", -EINVAL },
		{ "; vip=192.0.2.100; weight=1; active=0; inactive=0", -EINVAL },
		{ "lvs 1; vip=192.0.2.100; weight=1; active=0; inactive=0", -EINVAL },
		{ "lvs1; vip=192.0.2.100; weight=65536; active=0; inactive=0", -EINVAL },
		{ "lvs1; vip=192.0.2.100; weight=1; active=4294967296; inactive=0", -EINVAL },
		{ "lvs1; vip=192.0.2.100; weight=1; active=0", -EINVAL },
		{ "lvs1; vip=192.0.2.300; weight=1; active=0; inactive=0", -EINVAL },
		{ "lvs1; vip=192.0.2.100; vip=192.0.2.100; weight=1; active=0; inactive=0", -EINVAL },
		{ "lvs1; vip=192.0.2.100; weight=1; active=0; inactive=0; color=red", -EINVAL },
		{ "lvs1; vip=192.0.2.100; weight=1; active=0; inactive=0;", -EINVAL },
		{ "lvs1; vip=192.0.2.100; weight=1; active=-1; inactive=0", -EINVAL },
		{ "lvs1; vip=; weight=1; active=0; inactive=0", -EINVAL },
		{ "lvs1; port=0; vip=192.0.2.100; weight=1; active=0; inactive=0", -EINVAL },
		{ "0123456789012345678901234567890123456789012345678901234567890123; vip=192.0.2.100; weight=1; "
		  "active=0; inactive=0", -EINVAL },
	};
	struct http_director_report d;
	struct http_request req;
	char big[4096];
	const char *why;
	size_t i, n;
	(void)state;

	for (i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
		why = NULL;
		if (http_director_parse(hs[i].v, strlen(hs[i].v), &d, &why) != hs[i].ret)
			fail_msg("header '%s': want %d", hs[i].v, hs[i].ret);
		if (hs[i].ret < 0)
			assert_non_null(why);
	}
	assert_int_equal(http_director_parse(hs[0].v, strlen(hs[0].v), &d, &why), 0);
	assert_string_equal(d.name, "lvs1");
	assert_int_equal(d.port, 80);
	assert_int_equal(d.weight, 100);
	assert_int_equal(d.active, 3);
	assert_int_equal(d.inactive, 12);

	/* in a request: up to 16, the 17th is a 400 */
	n = (size_t)snprintf(big, sizeof(big), "GET /v1/status HTTP/1.1\r\n");
	for (i = 0; i < 16; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
				      "DSR-Director: lvs1; vip=192.0.2.%zu; weight=1; active=%zu; inactive=0\r\n", i + 1, i);
	snprintf(big + n, sizeof(big) - n, "\r\n");
	assert_true(http_request_parse(big, strlen(big), &req) > 0);
	assert_int_equal(req.n_directors, 16);
	assert_int_equal(req.directors[15].active, 15);
	n = strlen(big) - 2;
	snprintf(big + n, sizeof(big) - n, "dsr-director: lvs1; vip=192.0.2.99; weight=1; active=0; inactive=0\r\n\r\n");
	assert_int_equal(http_request_parse(big, strlen(big), &req), -EBADMSG);
	assert_int_equal(http_error_table[req.error].status, 400);
	/* a bad one is a 400 with the reason */
	snprintf(big, sizeof(big), "GET /v1/status HTTP/1.1\r\nDSR-Director: x; vip=1\r\n\r\n");
	assert_int_equal(http_request_parse(big, strlen(big), &req), -EBADMSG);
	assert_int_equal(http_error_table[req.error].status, 400);
	assert_non_null(strstr(req.why, "DSR-Director"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(http_table),
		cmocka_unit_test(http_limits),
		cmocka_unit_test(http_query),
		cmocka_unit_test(http_query_longpoll),
		cmocka_unit_test(http_director_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
