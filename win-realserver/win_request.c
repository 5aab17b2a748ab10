/* SPDX-License-Identifier: Apache-2.0 */
/* win_request.c - see win_request.h.  Portable: no Windows header. */
#include "win-realserver/win_request.h"

#include <stdio.h>
#include <string.h>

#include "bounded/strparse.h"

static enum http_error fail(struct win_answer *a, enum http_error e, const char *why, int disconnect)
{
	a->error = e;
	a->why = why;
	a->disconnect = disconnect;
	return e;
}

/* DSR-Director headers (protocol 1.1), each through the parser the Linux
 * agent uses.  0 or -1 with a->why set. */
static int directors(const struct win_request *req, struct win_answer *a)
{
	size_t i, k;

	for (i = 0; i < req->n_unknown; i++) {
		const struct win_request_header *h = &req->unknown[i];
		const char *why = "bad DSR-Director header";

		if (!span_eq_ci(h->name, h->name_len, "dsr-director"))
			continue;
		if (a->n_dirs >= HTTP_MAX_DIRECTOR_REPORTS) {
			fail(a, HTTP_ERR_BAD_REQUEST, "too many DSR-Director headers", 1);
			return -1;
		}
		for (k = 0; k < h->value_len; k++) {
			unsigned char c = (unsigned char)h->value[k];

			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				fail(a, HTTP_ERR_BAD_REQUEST, "control byte in a header value", 1);
				return -1;
			}
		}
		if (http_director_parse(h->value, h->value_len, &a->dirs[a->n_dirs], &why) < 0) {
			fail(a, HTTP_ERR_BAD_REQUEST, why, 1);
			return -1;
		}
		a->n_dirs++;
	}
	return 0;
}

enum http_error win_request_decide(const struct win_request *req, struct win_answer *a)
{
	char path[HTTP_MAX_PATH], query[HTTP_MAX_REQUEST_LINE];
	const char *why = "bad query";

	memset(a, 0, sizeof(*a));
	a->why = "";
	if (req->url_units > HTTP_MAX_REQUEST_LINE)
		return fail(a, HTTP_ERR_URI_TOO_LONG, "request line too long", 1);
	if (req->n_unknown > HTTP_MAX_HEADERS || req->n_known > HTTP_MAX_HEADERS - req->n_unknown)
		return fail(a, HTTP_ERR_HEADERS_TOO_LARGE, "too many header lines", 1);
	if (req->major != 1 || req->minor > 1)
		return fail(a, HTTP_ERR_VERSION, "HTTP version not supported", 1);
	/* http.sys names GET only for exactly these bytes; "get" is an unknown verb */
	if (req->verb_len != 3 || memcmp(req->verb, "GET", 3) != 0)
		return fail(a, HTTP_ERR_METHOD, "only GET", 0);
	if (req->transfer_encoding_len)
		return fail(a, HTTP_ERR_TRANSFER_ENCODING, "Transfer-Encoding not accepted", 1);
	if (req->content_length && req->content_length_len) {
		uint32_t len;

		if (parse_u32n(req->content_length, req->content_length_len, &len, 0, UINT32_MAX) < 0)
			return fail(a, HTTP_ERR_BAD_REQUEST, "bad Content-Length", 1);
		if (len > HTTP_MAX_BODY)
			return fail(a, HTTP_ERR_BODY_TOO_LARGE, "request body too large", 1);
	}
	/* the bounds of the buffers the UTF-8 text always went to (one byte
	 * for the NUL) */
	if (req->url_bad || req->path_len >= sizeof(path) || req->query_len >= sizeof(query))
		return fail(a, HTTP_ERR_BAD_REQUEST, "bad URL", 1);
	if (req->path_len)
		memcpy(path, req->path, req->path_len);
	path[req->path_len] = '\0';
	if (req->query_len)
		memcpy(query, req->query, req->query_len);
	query[req->query_len] = '\0';
	if (directors(req, a) < 0)
		return a->error;
	/* a NUL http.sys decoded into the path ends it here, as it always did */
	if (strcmp(path, "/v1/status") != 0)
		return fail(a, HTTP_ERR_NOT_FOUND, "no such path", 0);
	if (http_query_parse(query, &a->q, &why) < 0)
		return fail(a, HTTP_ERR_BAD_REQUEST, why, 0);
	/* http.sys sends no interim response: this agent speaks 1.1, says so
	 * (no DSR-Protocol header), and a checker never asks it for beats */
	if (a->q.has_beat)
		return fail(a, HTTP_ERR_BAD_REQUEST, "beat is not supported by this agent (protocol 1.1)", 0);
	return HTTP_ERR_NONE;
}

uint32_t win_request_hold_ms(const struct http_query *q)
{
	if (!q->has_wait || !q->has_after || q->wait_ms == 0)
		return 0;
	return q->wait_ms < HTTP_WAIT_CAP_MS ? q->wait_ms : HTTP_WAIT_CAP_MS;
}

size_t win_request_error_render(enum http_error e, const char *why, struct win_error_reply *r, char *body,
				size_t cap)
{
	const struct http_error_info *hi = &http_error_table[e];
	int n;

	r->status = hi->status;
	r->phrase = hi->phrase;
	r->allow = e == HTTP_ERR_METHOD ? "GET" : NULL;
	if (!cap)
		return 0;
	n = snprintf(body, cap, "{\"error\":\"%s\"}\n", why);
	if (n < 0 || (size_t)n >= cap) {
		body[0] = '\0';
		return 0;
	}
	return (size_t)n;
}
