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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(http_table),
		cmocka_unit_test(http_limits),
		cmocka_unit_test(http_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
