/* SPDX-License-Identifier: Apache-2.0 */
/* http_resp.c - bounded HTTP/1.1 response parser; see http_resp.h. */
#include "checker/lib/http_resp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bounded/strparse.h"

void http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->head, HTTP_RESP_MAX_HEAD);
	buf_init(&r->body, HTTP_RESP_MAX_BODY);
}

void http_resp_free(struct http_resp *r)
{
	buf_free(&r->head);
	buf_free(&r->body);
}

void http_resp_reset(struct http_resp *r)
{
	struct buf h = r->head, b = r->body;

	buf_reset(&h);
	buf_reset(&b);
	memset(r, 0, sizeof(*r));
	r->head = h;
	r->body = b;
}

static int fail(struct http_resp *r, int err, const char *why)
{
	snprintf(r->error, sizeof(r->error), "%s", why);
	return err;
}

/* Trim optional whitespace around a header value. */
static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static int parse_head(struct http_resp *r)
{
	const char *p = r->head.data, *end = p + r->head.len, *eol;
	int http11, close_tok = 0, keep_tok = 0;
	uint32_t st;

	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol || eol == p || eol[-1] != '\r')
		return fail(r, -EPROTO, "malformed status line");
	if ((size_t)(eol - p) < 13 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') ||
	    p[8] != ' ' || (p[12] != ' ' && p + 12 != eol - 1))
		return fail(r, -EPROTO, "malformed status line");
	http11 = p[7] == '1';
	if (parse_u32n(p + 9, 3, &st, 100, 599) < 0)
		return fail(r, -EPROTO, "malformed status code");
	r->status = st;
	p = eol + 1;
	while (p < end) {
		const char *colon, *v;
		size_t nl, vl;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol || eol == p || eol[-1] != '\r')
			return fail(r, -EPROTO, "malformed header line");
		if (eol - p == 1)
			break; /* the empty line */
		colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon || colon == p)
			return fail(r, -EPROTO, "header without a name");
		nl = (size_t)(colon - p);
		if (memchr(p, ' ', nl) || memchr(p, '\t', nl))
			return fail(r, -EPROTO, "whitespace in a header name");
		v = colon + 1;
		vl = (size_t)(eol - 1 - v);
		trim(&v, &vl);
		if (span_eq_ci(p, nl, "content-length")) {
			uint64_t cl;

			if (r->has_length)
				return fail(r, -EPROTO, "duplicate Content-Length");
			if (parse_u64n(v, vl, &cl, 0, UINT64_MAX) < 0)
				return fail(r, -EPROTO, "bad Content-Length");
			if (cl > HTTP_RESP_MAX_BODY)
				return fail(r, -EMSGSIZE, "body larger than 1 MiB");
			r->content_length = (size_t)cl;
			r->has_length = 1;
		} else if (span_eq_ci(p, nl, "transfer-encoding")) {
			if (!span_has_token(v, vl, "chunked"))
				return fail(r, -EPROTO, "unsupported Transfer-Encoding");
			r->chunked = 1;
		} else if (span_eq_ci(p, nl, "dsr-protocol")) {
			/* the agent's protocol revision, "1.2": 102; anything else
			 * is no revision (an agent that cannot say it gets no beats) */
			const char *dot = memchr(v, '.', vl);
			uint32_t ma, mi;

			if (dot && parse_u32n(v, (size_t)(dot - v), &ma, 1, 99) == 0 &&
			    parse_u32n(dot + 1, vl - (size_t)(dot - v) - 1, &mi, 0, 99) == 0)
				r->dsr_protocol = ma * 100 + mi;
		} else if (span_eq_ci(p, nl, "connection")) {
			close_tok |= span_has_token(v, vl, "close");
			keep_tok |= span_has_token(v, vl, "keep-alive");
		}
		p = eol + 1;
	}
	if (r->chunked && r->has_length)
		return fail(r, -EPROTO, "both Content-Length and chunked");
	if (st < 200) {
		/* an interim response (a 1.2 agent's beat is 102): counted, and
		 * the final one is still to come; never a protocol switch */
		unsigned n = r->interim + 1;

		if (st == 101)
			return fail(r, -EPROTO, "unexpected 101 Switching Protocols");
		http_resp_reset(r);
		r->interim = n;
		return 0;
	}
	r->keep_alive = http11 ? !close_tok : keep_tok;
	if (r->chunked) {
		r->state = HTTP_RESP_CHUNK_SIZE;
		buf_reset(&r->head); /* reused as the chunk-size line buffer */
	} else if (r->has_length) {
		r->state = r->content_length ? HTTP_RESP_BODY : HTTP_RESP_DONE;
	} else if (r->status == 204 || r->status == 304) {
		r->state = HTTP_RESP_DONE;
	} else {
		r->state = HTTP_RESP_UNTIL_CLOSE;
		r->keep_alive = 0;
	}
	return 0;
}

static int parse_chunk_size(struct http_resp *r)
{
	const char *s = r->head.data;
	size_t n = r->head.len, i, v = 0;

	/* "HEX[;ext]\r\n" */
	if (n < 3 || s[n - 2] != '\r')
		return fail(r, -EPROTO, "malformed chunk size");
	n -= 2;
	for (i = 0; i < n && s[i] != ';'; i++) {
		int d = hex_digit_value(s[i]);

		if (d < 0)
			return fail(r, -EPROTO, "malformed chunk size");
		v = v * 16 + (size_t)d;
		if (v > HTTP_RESP_MAX_BODY)
			return fail(r, -EMSGSIZE, "chunk larger than 1 MiB");
	}
	if (i == 0)
		return fail(r, -EPROTO, "malformed chunk size");
	buf_reset(&r->head);
	r->chunk_left = v;
	r->state = v ? HTTP_RESP_CHUNK_DATA : HTTP_RESP_TRAILER;
	return 0;
}

static int add_body(struct http_resp *r, const char *p, size_t n)
{
	if (buf_append(&r->body, p, n) < 0)
		return fail(r, -EMSGSIZE, "body larger than 1 MiB");
	return 0;
}

int http_resp_feed(struct http_resp *r, const char *p, size_t n, size_t *used)
{
	size_t i = 0;
	int ret;

	while (i < n && r->state != HTTP_RESP_DONE) {
		switch (r->state) {
		case HTTP_RESP_HEAD: {
			/* byte by byte until the blank line: heads are small */
			if (buf_append(&r->head, p + i, 1) < 0)
				return fail(r, -EMSGSIZE, "response head larger than 8 KiB");
			i++;
			if (r->head.len >= 4 && memcmp(r->head.data + r->head.len - 4, "\r\n\r\n", 4) == 0) {
				ret = parse_head(r);
				if (ret < 0)
					return ret;
			}
			break;
		}
		case HTTP_RESP_BODY: {
			size_t take = n - i;

			if (take > r->content_length - r->body.len)
				take = r->content_length - r->body.len;
			if ((ret = add_body(r, p + i, take)) < 0)
				return ret;
			i += take;
			if (r->body.len == r->content_length)
				r->state = HTTP_RESP_DONE;
			break;
		}
		case HTTP_RESP_UNTIL_CLOSE:
			if ((ret = add_body(r, p + i, n - i)) < 0)
				return ret;
			i = n;
			break;
		case HTTP_RESP_CHUNK_SIZE:
		case HTTP_RESP_TRAILER:
			if (buf_append(&r->head, p + i, 1) < 0)
				return fail(r, -EPROTO, "chunk line too long");
			i++;
			if (r->head.len >= 2 && r->head.data[r->head.len - 1] == '\n') {
				if (r->state == HTTP_RESP_CHUNK_SIZE) {
					if ((ret = parse_chunk_size(r)) < 0)
						return ret;
				} else if (r->head.len == 2 && r->head.data[0] == '\r') {
					r->state = HTTP_RESP_DONE;
				} else {
					buf_reset(&r->head); /* a trailer field: ignored */
				}
			}
			break;
		case HTTP_RESP_CHUNK_DATA: {
			size_t take = n - i;

			if (take > r->chunk_left)
				take = r->chunk_left;
			if ((ret = add_body(r, p + i, take)) < 0)
				return ret;
			i += take;
			r->chunk_left -= take;
			if (!r->chunk_left)
				r->state = HTTP_RESP_CHUNK_CRLF;
			break;
		}
		case HTTP_RESP_CHUNK_CRLF:
			if (buf_append(&r->head, p + i, 1) < 0)
				return fail(r, -EPROTO, "malformed chunk end");
			i++;
			if (r->head.len == 2) {
				if (memcmp(r->head.data, "\r\n", 2) != 0)
					return fail(r, -EPROTO, "malformed chunk end");
				buf_reset(&r->head);
				r->state = HTTP_RESP_CHUNK_SIZE;
			}
			break;
		default:
			return fail(r, -EPROTO, "parser state broken");
		}
	}
	*used = i;
	return r->state == HTTP_RESP_DONE ? 1 : 0;
}

int http_resp_eof(struct http_resp *r)
{
	if (r->state == HTTP_RESP_UNTIL_CLOSE) {
		r->state = HTTP_RESP_DONE;
		return 1;
	}
	if (r->state == HTTP_RESP_DONE)
		return 1;
	return fail(r, -EPROTO, r->state == HTTP_RESP_HEAD ? "connection closed before a response"
							    : "connection closed in the middle of the body");
}
