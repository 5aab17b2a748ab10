/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the Windows status server's decision on one request
 * (win-realserver/win_request.c, portable, built natively): the answers the
 * wine test (win-realserver/tests/win-check.sh) expects of the exe, decided
 * here without http.sys, each limit at its edge, and the error bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "agent-proto/http_request.h"
#include "win-realserver/win_request.h"

/* A GET /v1/status?query over HTTP/1.1 with Host and User-Agent. */
static void base(struct win_request *r, const char *query)
{
	memset(r, 0, sizeof(*r));
	r->verb = "GET";
	r->verb_len = 3;
	r->major = 1;
	r->minor = 1;
	r->path = "/v1/status";
	r->path_len = 10;
	r->query = query;
	r->query_len = strlen(query);
	r->url_units = 30 + r->query_len;
	r->n_known = 2;
}

static enum http_error decide(const struct win_request *r, struct win_answer *a)
{
	return win_request_decide(r, a);
}

static void answers(void **state)
{
	static const struct {
		const char *query;
		enum http_error e;
	} q[] = {
		{ "", HTTP_ERR_NONE },
		{ "vip=192.0.2.100&port=80", HTTP_ERR_NONE },
		{ "wait=1.5&after=7", HTTP_ERR_NONE },
		{ "vip=nonsense", HTTP_ERR_BAD_REQUEST },
		{ "wait=-1", HTTP_ERR_BAD_REQUEST },
		{ "wait=1e3", HTTP_ERR_BAD_REQUEST },
		{ "wait=.5", HTTP_ERR_BAD_REQUEST },
		{ "wait=3601", HTTP_ERR_BAD_REQUEST },
		{ "after=7", HTTP_ERR_BAD_REQUEST },
		{ "wait=1&after=0x10", HTTP_ERR_BAD_REQUEST },
		{ "wait=1&wait=2", HTTP_ERR_BAD_REQUEST },
		/* protocol 1.2's beats: http.sys sends no interim response */
		{ "wait=30&after=7&beat=0.850", HTTP_ERR_BAD_REQUEST },
	};
	struct win_request r;
	struct win_answer a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		base(&r, q[i].query);
		assert_int_equal(decide(&r, &a), q[i].e);
		if (q[i].e != HTTP_ERR_NONE)
			assert_int_equal(a.disconnect, 0);   /* a bad query keeps the connection */
	}
	base(&r, "wait=30&after=7&beat=0.850");
	assert_int_equal(decide(&r, &a), HTTP_ERR_BAD_REQUEST);
	assert_non_null(strstr(a.why, "beat is not supported"));
	base(&r, "wait=1.5&after=7");
	assert_int_equal(decide(&r, &a), HTTP_ERR_NONE);
	assert_int_equal(win_request_hold_ms(&a.q), 1500);
	base(&r, "wait=3600&after=7");
	assert_int_equal(decide(&r, &a), HTTP_ERR_NONE);
	assert_int_equal(win_request_hold_ms(&a.q), HTTP_WAIT_CAP_MS);
	base(&r, "wait=0&after=7");
	assert_int_equal(decide(&r, &a), HTTP_ERR_NONE);
	assert_int_equal(win_request_hold_ms(&a.q), 0);

	base(&r, "");
	r.path = "/v1/nope";
	r.path_len = 8;
	assert_int_equal(decide(&r, &a), HTTP_ERR_NOT_FOUND);
	base(&r, "");
	r.verb = "POST";
	r.verb_len = 4;
	assert_int_equal(decide(&r, &a), HTTP_ERR_METHOD);
	r.verb = "get";
	r.verb_len = 3;
	assert_int_equal(decide(&r, &a), HTTP_ERR_METHOD);
	base(&r, "");
	r.minor = 2;
	assert_int_equal(decide(&r, &a), HTTP_ERR_VERSION);
	base(&r, "");
	r.transfer_encoding_len = 7;
	assert_int_equal(decide(&r, &a), HTTP_ERR_TRANSFER_ENCODING);
}

static void limits(void **state)
{
	struct win_request_header h[HTTP_MAX_HEADERS + 1];
	char long_path[HTTP_MAX_PATH + 1];
	struct win_request r;
	struct win_answer a;
	size_t i;

	(void)state;
	base(&r, "");
	r.url_units = HTTP_MAX_REQUEST_LINE;
	assert_int_equal(decide(&r, &a), HTTP_ERR_NONE);
	r.url_units++;
	assert_int_equal(decide(&r, &a), HTTP_ERR_URI_TOO_LONG);
	assert_int_equal(a.disconnect, 1);

	for (i = 0; i <= HTTP_MAX_HEADERS; i++)
		h[i] = (struct win_request_header){ "X-Many", 6, "x", 1 };
	base(&r, "");
	r.unknown = h;
	r.n_unknown = HTTP_MAX_HEADERS - r.n_known;
	assert_int_equal(decide(&r, &a), HTTP_ERR_NONE);
	r.n_unknown++;
	assert_int_equal(decide(&r, &a), HTTP_ERR_HEADERS_TOO_LARGE);

	base(&r, "");
	r.content_length = "1024";
	r.content_length_len = 4;
	assert_int_equal(decide(&r, &a), HTTP_ERR_NONE);
	r.content_length = "1025";
	assert_int_equal(decide(&r, &a), HTTP_ERR_BODY_TOO_LARGE);
	r.content_length = "12ab";
	assert_int_equal(decide(&r, &a), HTTP_ERR_BAD_REQUEST);

	/* the path's and the query's buffers, to the byte */
	memset(long_path, 'a', sizeof(long_path));
	base(&r, "");
	r.path = long_path;
	r.path_len = HTTP_MAX_PATH - 1;
	assert_int_equal(decide(&r, &a), HTTP_ERR_NOT_FOUND);
	r.path_len = HTTP_MAX_PATH;
	assert_int_equal(decide(&r, &a), HTTP_ERR_BAD_REQUEST);
	assert_string_equal(a.why, "bad URL");
	base(&r, "");
	r.url_bad = 1;
	assert_int_equal(decide(&r, &a), HTTP_ERR_BAD_REQUEST);
}

static void directors(void **state)
{
	struct win_request_header h[HTTP_MAX_DIRECTOR_REPORTS + 1];
	const char *v = "lvs1; vip=192.0.2.100; port=80; weight=0; active=3; inactive=1";
	struct win_request r;
	struct win_answer a;
	size_t i;

	(void)state;
	for (i = 0; i <= HTTP_MAX_DIRECTOR_REPORTS; i++)
		h[i] = (struct win_request_header){ i % 2 ? "dsr-director" : "DSR-Director", 12, v, strlen(v) };
	base(&r, "wait=1&after=3");
	r.unknown = h;
	r.n_unknown = 1;
	assert_int_equal(decide(&r, &a), HTTP_ERR_NONE);
	assert_int_equal(a.n_dirs, 1);
	assert_string_equal(a.dirs[0].name, "lvs1");
	assert_int_equal(a.dirs[0].active, 3);
	r.n_unknown = HTTP_MAX_DIRECTOR_REPORTS;
	assert_int_equal(decide(&r, &a), HTTP_ERR_NONE);
	assert_int_equal(a.n_dirs, HTTP_MAX_DIRECTOR_REPORTS);
	r.n_unknown++;
	assert_int_equal(decide(&r, &a), HTTP_ERR_BAD_REQUEST);
	assert_string_equal(a.why, "too many DSR-Director headers");

	h[0].value = "lvs1; vip=nonsense; weight=0; active=0; inactive=0";
	h[0].value_len = strlen(h[0].value);
	r.n_unknown = 1;
	assert_int_equal(decide(&r, &a), HTTP_ERR_BAD_REQUEST);
	assert_int_equal(strncmp(a.why, "DSR-Director: ", 14), 0);
	h[0].value = "lvs1;\x01 vip=192.0.2.100; weight=0; active=0; inactive=0";
	h[0].value_len = strlen(h[0].value);
	assert_int_equal(decide(&r, &a), HTTP_ERR_BAD_REQUEST);
	assert_string_equal(a.why, "control byte in a header value");
	/* another header of that length is not one */
	h[0] = (struct win_request_header){ "DSR-Directox", 12, "\x01", 1 };
	assert_int_equal(decide(&r, &a), HTTP_ERR_NONE);
	assert_int_equal(a.n_dirs, 0);
}

static void error_bodies(void **state)
{
	struct win_error_reply r;
	char body[256], small[8];
	size_t n;

	(void)state;
	n = win_request_error_render(HTTP_ERR_METHOD, "only GET", &r, body, sizeof(body));
	assert_int_equal(r.status, 405);
	assert_string_equal(r.allow, "GET");
	assert_string_equal(body, "{\"error\":\"only GET\"}\n");
	assert_int_equal(n, strlen(body));
	n = win_request_error_render(HTTP_ERR_NOT_FOUND, "no such path", &r, body, sizeof(body));
	assert_int_equal(r.status, 404);
	assert_null(r.allow);
	assert_int_equal(n, strlen("{\"error\":\"no such path\"}\n"));
	/* one that does not fit: no body rather than a cut one */
	n = win_request_error_render(HTTP_ERR_NOT_FOUND, "no such path", &r, small, sizeof(small));
	assert_int_equal(n, 0);
	assert_string_equal(small, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answers),
		cmocka_unit_test(limits),
		cmocka_unit_test(directors),
		cmocka_unit_test(error_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
