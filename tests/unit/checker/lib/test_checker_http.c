/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the checker's HTTP response parser: good responses fed in
 * every split, and a table of hostile ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "checker/lib/http_resp.h"

/* Feed s in pieces of `step` bytes; returns the final parser result. */
static int feed_steps(struct http_resp *r, const char *s, size_t n, size_t step, size_t *total_used)
{
	size_t off = 0;
	int ret = 0;

	*total_used = 0;
	while (off < n) {
		size_t k = n - off < step ? n - off : step, used = 0;

		ret = http_resp_feed(r, s + off, k, &used);
		*total_used += used;
		if (ret != 0)
			return ret;
		off += k;
	}
	return ret;
}

static void good_responses_any_split(void **state)
{
	static const char *const good[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2;x=y\r\nlo\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.1 200\r\ncontent-length:5\r\n\r\nhello",
	};
	size_t i, step;
	(void)state;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		for (step = 1; step <= strlen(good[i]); step++) {
			struct http_resp r;
			size_t used;

			http_resp_init(&r);
			assert_int_equal(feed_steps(&r, good[i], strlen(good[i]), step, &used), 1);
			assert_int_equal(r.status, 200);
			assert_int_equal(r.body.len, 5);
			assert_memory_equal(r.body.data, "hello", 5);
			assert_true(r.keep_alive);
			http_resp_free(&r);
		}
	}
}

/* Beats (protocol 1.2): interim responses before the final one, in any
 * split; the agent's DSR-Protocol revision. */
static void interim_beats_any_split(void **state)
{
	static const char s[] = "HTTP/1.1 102 Processing\r\n\r\n"
				"HTTP/1.1 102 Processing\r\nDSR-Generation: 7\r\n\r\n"
				"HTTP/1.1 100 Continue\r\n\r\n"
				"HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\nDSR-Protocol: 1.2\r\n\r\n";
	static const struct {
		const char *v;
		unsigned want;
	} revs[] = { { "1.2", 102 }, { " 1.10 ", 110 }, { "2.0", 200 }, { "1", 0 }, { "1.x", 0 },
		     { "0.9", 0 }, { "1.100", 0 }, { "", 0 }, { ".2", 0 } };
	size_t step, used, i;
	(void)state;

	for (step = 1; step <= sizeof(s) - 1; step++) {
		struct http_resp r;

		http_resp_init(&r);
		assert_int_equal(feed_steps(&r, s, sizeof(s) - 1, step, &used), 1);
		assert_int_equal(r.status, 304);
		assert_int_equal(r.interim, 3);
		assert_int_equal(r.dsr_protocol, 102);
		assert_true(r.keep_alive);
		http_resp_free(&r);
	}
	for (i = 0; i < sizeof(revs) / sizeof(revs[0]); i++) {
		char in[128];
		struct http_resp r;

		snprintf(in, sizeof(in), "HTTP/1.1 200 OK\r\nDSR-Protocol: %s\r\nContent-Length: 0\r\n\r\n", revs[i].v);
		http_resp_init(&r);
		assert_int_equal(http_resp_feed(&r, in, strlen(in), &used), 1);
		if (r.dsr_protocol != revs[i].want)
			fail_msg("DSR-Protocol '%s': %u, want %u", revs[i].v, r.dsr_protocol, revs[i].want);
		http_resp_free(&r);
	}
	/* beats and then a close: no answer */
	{
		struct http_resp r;
		const char *b = "HTTP/1.1 102 Processing\r\n\r\n";

		http_resp_init(&r);
		assert_int_equal(http_resp_feed(&r, b, strlen(b), &used), 0);
		assert_int_equal(r.interim, 1);
		assert_true(http_resp_eof(&r) < 0);
		http_resp_free(&r);
	}
}

static void pipelined_leftover(void **state)
{
	const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
	struct http_resp r;
	size_t used;
	(void)state;

	http_resp_init(&r);
	assert_int_equal(http_resp_feed(&r, s, strlen(s), &used), 1);
	assert_int_equal(used, strlen("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
	http_resp_reset(&r);
	assert_int_equal(r.state, HTTP_RESP_HEAD);
	http_resp_free(&r);
}

static void close_delimited_and_connection(void **state)
{
	const char *s = "HTTP/1.0 200 OK\r\n\r\nabc";
	const char *c = "HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n";
	struct http_resp r;
	size_t used;
	(void)state;

	http_resp_init(&r);
	assert_int_equal(http_resp_feed(&r, s, strlen(s), &used), 0);
	assert_int_equal(http_resp_eof(&r), 1);
	assert_string_equal(r.body.data, "abc");
	assert_false(r.keep_alive);
	http_resp_free(&r);

	http_resp_init(&r);
	assert_int_equal(http_resp_feed(&r, c, strlen(c), &used), 1);
	assert_false(r.keep_alive);
	http_resp_free(&r);
}

struct hostile {
	const char *what;
	const char *in;
	int want;   /* the error, or 0 meaning "incomplete, then EOF is an error" */
};

static void hostile_table(void **state)
{
	static const struct hostile cases[] = {
		{ "empty status", "\r\n\r\n", -EPROTO },
		{ "no CR", "HTTP/1.1 200 OK\n\n", 0 },
		{ "wrong protocol", "HTTX/1.1 200 OK\r\n\r\n", -EPROTO },
		{ "HTTP/2 text", "HTTP/2.0 200 OK\r\n\r\n", -EPROTO },
		{ "status too small", "HTTP/1.1 099 X\r\n\r\n", -EPROTO },
		{ "status too big", "HTTP/1.1 600 X\r\n\r\n", -EPROTO },
		{ "status letters", "HTTP/1.1 2x0 X\r\n\r\n", -EPROTO },
		{ "status 4 digits", "HTTP/1.1 2000 X\r\n\r\n", -EPROTO },
		{ "protocol switch", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", -EPROTO },
		{ "bad interim head", "HTTP/1.1 102 Processing\r\nbogus\r\n\r\n", -EPROTO },
		{ "header no colon", "HTTP/1.1 200 OK\r\nbogus\r\n\r\n", -EPROTO },
		{ "header empty name", "HTTP/1.1 200 OK\r\n: v\r\n\r\n", -EPROTO },
		{ "space in name", "HTTP/1.1 200 OK\r\nContent Length: 1\r\n\r\n", -EPROTO },
		{ "negative length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", -EPROTO },
		{ "length junk", "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n", -EPROTO },
		{ "length overflow", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", -EPROTO },
		{ "length over 1 MiB", "HTTP/1.1 200 OK\r\nContent-Length: 1048577\r\n\r\n", -EMSGSIZE },
		{ "duplicate length", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", -EPROTO },
		{ "length and chunked", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
		  -EPROTO },
		{ "gzip encoding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", -EPROTO },
		{ "chunk size junk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", -EPROTO },
		{ "chunk size empty", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", -EPROTO },
		{ "chunk too big", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n",
		  -EMSGSIZE },
		{ "chunk bad end", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXY", -EPROTO },
		{ "truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0 },
		{ "truncated head", "HTTP/1.1 200 OK\r\nContent-Len", 0 },
		{ "nothing", "", 0 },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_resp r;
		size_t used;
		int ret;

		http_resp_init(&r);
		ret = http_resp_feed(&r, cases[i].in, strlen(cases[i].in), &used);
		if (cases[i].want == 0) {
			if (ret != 0 || http_resp_eof(&r) != -EPROTO)
				fail_msg("case '%s': accepted", cases[i].what);
		} else if (ret != cases[i].want) {
			fail_msg("case '%s': got %d, want %d", cases[i].what, ret, cases[i].want);
		}
		if (ret < 0 && r.error[0] == '\0')
			fail_msg("case '%s': no reason given", cases[i].what);
		http_resp_free(&r);
	}
}

static void oversized_head_and_body(void **state)
{
	static char big[HTTP_RESP_MAX_HEAD + 100];
	struct http_resp r;
	size_t used;
	char head[128];
	int n;
	(void)state;

	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(big + 20, 'a', sizeof(big) - 20);
	http_resp_init(&r);
	assert_int_equal(http_resp_feed(&r, big, sizeof(big), &used), -EMSGSIZE);
	http_resp_free(&r);

	/* close-delimited body that never ends: cut at 1 MiB */
	http_resp_init(&r);
	n = snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\n\r\n");
	assert_int_equal(http_resp_feed(&r, head, (size_t)n, &used), 0);
	{
		static char chunk[65536];
		int i, ret = 0;

		memset(chunk, 'b', sizeof(chunk));
		for (i = 0; i < 20 && ret == 0; i++)
			ret = http_resp_feed(&r, chunk, sizeof(chunk), &used);
		assert_int_equal(ret, -EMSGSIZE);
		assert_true(r.body.len <= HTTP_RESP_MAX_BODY);
	}
	http_resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_responses_any_split),
		cmocka_unit_test(interim_beats_any_split),
		cmocka_unit_test(pipelined_leftover),
		cmocka_unit_test(close_delimited_and_connection),
		cmocka_unit_test(hostile_table),
		cmocka_unit_test(oversized_head_and_body),
	};
	return cmocka_run_group_tests_name("checker_http_resp", tests, NULL, NULL);
}
