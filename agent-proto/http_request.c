/* SPDX-License-Identifier: Apache-2.0 */
/* http_request.c - see http_request.h.  Accepts what curl, OpenSSL s_client
 * and the checker send; refuses obsolete line folding, bare CR, NUL, a
 * Content-Length that is repeated or not a number, and Transfer-Encoding
 * (request smuggling vectors). */
#include "agent-proto/http_request.h"
#include "bounded/ipaddr.h"
#include "bounded/strparse.h"

#include <errno.h>
#include <string.h>

const struct http_error_info http_error_table[HTTP_ERR_COUNT] = {
	[HTTP_ERR_NONE] = { 200, "OK" },
	[HTTP_ERR_BAD_REQUEST] = { 400, "Bad Request" },
	[HTTP_ERR_NOT_FOUND] = { 404, "Not Found" },
	[HTTP_ERR_METHOD] = { 405, "Method Not Allowed" },
	[HTTP_ERR_BODY_TOO_LARGE] = { 413, "Content Too Large" },
	[HTTP_ERR_URI_TOO_LONG] = { 414, "URI Too Long" },
	[HTTP_ERR_HEADERS_TOO_LARGE] = { 431, "Request Header Fields Too Large" },
	[HTTP_ERR_TRANSFER_ENCODING] = { 501, "Not Implemented" },
	[HTTP_ERR_VERSION] = { 505, "HTTP Version Not Supported" },
	[HTTP_ERR_UNAVAILABLE] = { 503, "Service Unavailable" },
};

static int bad(struct http_request *req, enum http_error e, const char *why)
{
	req->error = e;
	req->why = why;
	return -EBADMSG;
}

/* RFC 9110 tchar */
static int is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Find the end of the line starting at s (up to n bytes): the offset of
 * the LF, -1 if none yet, -2 on a NUL or a CR not followed by LF. */
static long line_end(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			return (long)i;
		if (s[i] == '\0')
			return -2;
		if (s[i] == '\r' && i + 1 < n && s[i + 1] != '\n')
			return -2;
	}
	return -1;
}

static int parse_request_line(const char *s, size_t n, struct http_request *req, unsigned methods)
{
	size_t i = 0, m, t0, tl, q;

	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	m = i;
	if (m == 0 || i >= n || s[i] != ' ')
		return bad(req, HTTP_ERR_BAD_REQUEST, "malformed request line");
	t0 = ++i;
	while (i < n && s[i] != ' ')
		i++;
	tl = i - t0;
	if (tl == 0 || i >= n)
		return bad(req, HTTP_ERR_BAD_REQUEST, "malformed request line");
	i++;
	if (n - i != 8 || memcmp(s + i, "HTTP/1.", 7) != 0) {
		if (n - i >= 5 && memcmp(s + i, "HTTP/", 5) == 0)
			return bad(req, HTTP_ERR_VERSION, "HTTP version not 1.0 or 1.1");
		return bad(req, HTTP_ERR_BAD_REQUEST, "malformed request line");
	}
	if (s[i + 7] != '0' && s[i + 7] != '1')
		return bad(req, HTTP_ERR_VERSION, "HTTP version not 1.0 or 1.1");
	req->minor = s[i + 7] - '0';
	req->keep_alive = req->minor == 1;
	for (q = t0; q < t0 + tl; q++)
		if ((unsigned char)s[q] <= 0x20 || (unsigned char)s[q] >= 0x7f)
			return bad(req, HTTP_ERR_BAD_REQUEST, "control or non-ASCII byte in the target");
	if (s[t0] != '/')
		return bad(req, HTTP_ERR_BAD_REQUEST, "target is not an absolute path");
	for (q = t0; q < t0 + tl && s[q] != '?'; q++)
		;
	if (q - t0 >= sizeof(req->path))
		return bad(req, HTTP_ERR_URI_TOO_LONG, "path too long");
	memcpy(req->path, s + t0, q - t0);
	req->path[q - t0] = '\0';
	if (q < t0 + tl) {
		size_t ql = t0 + tl - q - 1;

		memcpy(req->query, s + q + 1, ql); /* ql < request line limit */
		req->query[ql] = '\0';
	}
	/* methods are case-sensitive */
	if (m == 3 && memcmp(s, "GET", 3) == 0)
		req->method = HTTP_METHOD_GET;
	else if (m == 4 && memcmp(s, "HEAD", 4) == 0)
		req->method = HTTP_METHOD_HEAD;
	if (!(req->method & methods))
		return bad(req, HTTP_ERR_METHOD, methods & HTTP_METHOD_HEAD ? "method not GET or HEAD" : "method not GET");
	return 0;
}

static int parse_header(const char *s, size_t n, struct http_request *req, int *seen_cl, size_t base)
{
	size_t i = 0, vs, ve;
	uint32_t cl;

	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i >= n || s[i] != ':')
		return bad(req, HTTP_ERR_BAD_REQUEST, "malformed header line");
	vs = i + 1;
	while (vs < n && (s[vs] == ' ' || s[vs] == '\t'))
		vs++;
	ve = n;
	while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t'))
		ve--;
	for (size_t k = vs; k < ve; k++)
		if (((unsigned char)s[k] < 0x20 && s[k] != '\t') || s[k] == 0x7f)
			return bad(req, HTTP_ERR_BAD_REQUEST, "control byte in a header value");
	if (span_eq_ci(s, i, "content-length")) {
		if (*seen_cl)
			return bad(req, HTTP_ERR_BAD_REQUEST, "repeated Content-Length");
		*seen_cl = 1;
		if (parse_u32n(s + vs, ve - vs, &cl, 0, UINT32_MAX) < 0)
			return bad(req, HTTP_ERR_BAD_REQUEST, "Content-Length not a number");
		if (cl > HTTP_MAX_BODY)
			return bad(req, HTTP_ERR_BODY_TOO_LARGE, "body longer than the limit");
		req->content_length = cl;
	} else if (span_eq_ci(s, i, "transfer-encoding")) {
		return bad(req, HTTP_ERR_TRANSFER_ENCODING, "Transfer-Encoding not accepted");
	} else if (span_eq_ci(s, i, "dsr-director")) {
		const char *why = NULL;

		if (req->n_directors >= HTTP_MAX_DIRECTOR_REPORTS)
			return bad(req, HTTP_ERR_BAD_REQUEST, "too many DSR-Director headers");
		if (http_director_parse(s + vs, ve - vs, &req->directors[req->n_directors], &why) < 0)
			return bad(req, HTTP_ERR_BAD_REQUEST, why);
		req->n_directors++;
	} else if (span_eq_ci(s, i, "authorization")) {
		if (req->auth_len)
			return bad(req, HTTP_ERR_BAD_REQUEST, "repeated Authorization");
		req->auth_off = base + vs;
		req->auth_len = ve - vs;
	} else if (span_eq_ci(s, i, "connection")) {
		if (span_has_token(s + vs, ve - vs, "close"))
			req->keep_alive = 0;
		else if (span_has_token(s + vs, ve - vs, "keep-alive"))
			req->keep_alive = 1;
	}
	return 0;
}

int http_request_parse(const char *data, size_t len, struct http_request *req)
{
	return http_request_parse_methods(data, len, req, HTTP_METHOD_GET);
}

int http_request_parse_methods(const char *data, size_t len, struct http_request *req, unsigned methods)
{
	size_t pos, head, nheaders = 0;
	long e;
	int seen_cl = 0, r;

	memset(req, 0, sizeof(*req));
	/* the request line */
	e = line_end(data, len < HTTP_MAX_REQUEST_LINE + 2 ? len : HTTP_MAX_REQUEST_LINE + 2);
	if (e == -2)
		return bad(req, HTTP_ERR_BAD_REQUEST, "NUL or bare CR in the request line");
	if (e < 0)
		return len >= HTTP_MAX_REQUEST_LINE + 2 ?
			bad(req, HTTP_ERR_URI_TOO_LONG, "request line longer than the limit") : 0;
	{
		size_t l = (size_t)e;

		if (l && data[l - 1] == '\r')
			l--;
		if (l > HTTP_MAX_REQUEST_LINE)
			return bad(req, HTTP_ERR_URI_TOO_LONG, "request line longer than the limit");
		r = parse_request_line(data, l, req, methods);
		if (r < 0)
			return r;
	}
	pos = (size_t)e + 1;
	head = pos;
	/* header lines, up to the empty line */
	for (;;) {
		size_t avail = len - pos, l;
		size_t cap = HTTP_MAX_HEADER_LINE + 2;

		if (pos - head > HTTP_MAX_HEADER_BYTES)
			return bad(req, HTTP_ERR_HEADERS_TOO_LARGE, "headers longer than the limit");
		e = line_end(data + pos, avail < cap ? avail : cap);
		if (e == -2)
			return bad(req, HTTP_ERR_BAD_REQUEST, "NUL or bare CR in a header");
		if (e < 0) {
			if (avail >= cap)
				return bad(req, HTTP_ERR_HEADERS_TOO_LARGE, "header line longer than the limit");
			return 0;
		}
		l = (size_t)e;
		if (l && data[pos + l - 1] == '\r')
			l--;
		if (l == 0) {
			pos += (size_t)e + 1;
			break;
		}
		if (data[pos] == ' ' || data[pos] == '\t')
			return bad(req, HTTP_ERR_BAD_REQUEST, "obsolete header line folding");
		if (l > HTTP_MAX_HEADER_LINE)
			return bad(req, HTTP_ERR_HEADERS_TOO_LARGE, "header line longer than the limit");
		if (++nheaders > HTTP_MAX_HEADERS)
			return bad(req, HTTP_ERR_HEADERS_TOO_LARGE, "too many headers");
		r = parse_header(data + pos, l, req, &seen_cl, pos);
		if (r < 0)
			return r;
		pos += (size_t)e + 1;
	}
	if (len - pos < req->content_length)
		return 0;
	return (int)(pos + req->content_length);
}

/* Percent-decode s[0..n) into out (cap bytes with the NUL). -EINVAL on a
 * broken escape, a NUL, or overflow. */
static int pct_decode(const char *s, size_t n, char *out, size_t cap, size_t *outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= n)
				return -EINVAL;
			h = hex_digit_value(s[i + 1]);
			l = hex_digit_value(s[i + 2]);
			if (h < 0 || l < 0)
				return -EINVAL;
			c = h * 16 + l;
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (c == 0 || o + 1 >= cap)
			return -EINVAL;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*outlen = o;
	return 0;
}

/* "S" or "S.d", "S.dd", "S.ddd" seconds, 0-HTTP_WAIT_PARAM_MAX, to ms. */
static int parse_wait(const char *v, uint32_t *ms)
{
	const char *dot = strchr(v, '.');
	size_t il = dot ? (size_t)(dot - v) : strlen(v);
	uint32_t sec, frac = 0;

	if (il == 0 || parse_u32n(v, il, &sec, 0, HTTP_WAIT_PARAM_MAX) < 0)
		return -EINVAL;
	if (dot) {
		size_t fl = strlen(dot + 1), k;

		if (fl < 1 || fl > 3)
			return -EINVAL;
		for (k = 0; k < 3; k++) {
			char c = k < fl ? dot[1 + k] : '0';

			if (c < '0' || c > '9')
				return -EINVAL;
			frac = frac * 10 + (uint32_t)(c - '0');
		}
	}
	if (sec == HTTP_WAIT_PARAM_MAX && frac)
		return -EINVAL;
	*ms = sec * 1000 + frac;
	return 0;
}

int http_query_parse(const char *query, struct http_query *q, const char **why)
{
	const char *p = query;
	int have_port = 0;

	memset(q, 0, sizeof(*q));
	while (*p) {
		const char *amp = strchr(p, '&'), *eq;
		size_t n = amp ? (size_t)(amp - p) : strlen(p), kl;
		char val[IPADDR_STRLEN + 16];
		size_t vl;

		eq = memchr(p, '=', n);
		if (!eq) {
			*why = "query parameter without '='";
			return -EINVAL;
		}
		kl = (size_t)(eq - p);
		if (pct_decode(eq + 1, n - kl - 1, val, sizeof(val), &vl) < 0) {
			*why = "bad percent-escape or value too long in the query";
			return -EINVAL;
		}
		if (kl == 3 && memcmp(p, "vip", 3) == 0) {
			if (q->has_target++) {
				*why = "vip given twice";
				return -EINVAL;
			}
			if (ipaddr_parse(val, &q->target.vip) < 0) {
				*why = "vip is not an IP address";
				return -EINVAL;
			}
		} else if (kl == 4 && memcmp(p, "port", 4) == 0) {
			uint32_t port;

			if (have_port++) {
				*why = "port given twice";
				return -EINVAL;
			}
			if (parse_u32(val, &port, 1, 65535) < 0) {
				*why = "port is not a number in 1-65535";
				return -EINVAL;
			}
			q->target.port = (uint16_t)port;
		} else if (kl == 4 && memcmp(p, "wait", 4) == 0) {
			if (q->has_wait++) {
				*why = "wait given twice";
				return -EINVAL;
			}
			if (parse_wait(val, &q->wait_ms) < 0) {
				*why = "wait is not a number of seconds in 0-3600 (up to 3 decimals)";
				return -EINVAL;
			}
		} else if (kl == 4 && memcmp(p, "beat", 4) == 0) {
			if (q->has_beat++) {
				*why = "beat given twice";
				return -EINVAL;
			}
			if (parse_wait(val, &q->beat_ms) < 0 || q->beat_ms < HTTP_BEAT_MIN_MS) {
				*why = "beat is not a number of seconds in 0.1-3600 (up to 3 decimals)";
				return -EINVAL;
			}
		} else if (kl == 5 && memcmp(p, "after", 5) == 0) {
			if (q->has_after++) {
				*why = "after given twice";
				return -EINVAL;
			}
			if (parse_u32(val, &q->after, 0, UINT32_MAX) < 0) {
				*why = "after is not a generation number (0-4294967295)";
				return -EINVAL;
			}
		} else {
			*why = "unknown query parameter";
			return -EINVAL;
		}
		p += n;
		if (*p == '&') {
			p++;
			if (!*p) {
				*why = "empty query parameter";
				return -EINVAL;
			}
		}
	}
	if (have_port && !q->has_target) {
		*why = "port without vip";
		return -EINVAL;
	}
	if (q->has_after && !q->has_wait) {
		*why = "after without wait";
		return -EINVAL;
	}
	if (q->has_beat && !q->has_after) {
		*why = "beat without wait and after";
		return -EINVAL;
	}
	return 0;
}

int http_query_target(const char *query, struct status_target *t, const char **why)
{
	struct http_query q;
	int r = http_query_parse(query, &q, why);

	memset(t, 0, sizeof(*t));
	if (r < 0)
		return r;
	if (q.has_wait) {
		*why = "unknown query parameter";
		return -EINVAL;
	}
	*t = q.target;
	return q.has_target;
}

static int name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == ':';
}

int http_director_parse(const char *v, size_t n, struct http_director_report *out, const char **why)
{
	size_t i = 0, s;
	int have_vip = 0, have_weight = 0, have_active = 0, have_inactive = 0, have_port = 0;

	memset(out, 0, sizeof(*out));
	while (i < n && name_char((unsigned char)v[i]))
		i++;
	if (i == 0 || i >= HTTP_DIRECTOR_NAME_MAX) {
		*why = "DSR-Director: name missing, too long or with a bad byte";
		return -EINVAL;
	}
	memcpy(out->name, v, i);
	out->name[i] = '\0';
	while (i < n) {
		size_t ks, kl, vs2, vl;
		char val[IPADDR_STRLEN + 1];
		uint32_t u;

		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i >= n || v[i] != ';') {
			*why = "DSR-Director: expected ';' between fields";
			return -EINVAL;
		}
		i++;
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		ks = i;
		while (i < n && v[i] >= 'a' && v[i] <= 'z')
			i++;
		kl = i - ks;
		if (kl == 0 || i >= n || v[i] != '=') {
			*why = "DSR-Director: field is not key=value";
			return -EINVAL;
		}
		vs2 = ++i;
		while (i < n && v[i] != ';' && v[i] != ' ' && v[i] != '\t')
			i++;
		vl = i - vs2;
		if (vl == 0 || vl >= sizeof(val)) {
			*why = "DSR-Director: empty or overlong value";
			return -EINVAL;
		}
		memcpy(val, v + vs2, vl);
		val[vl] = '\0';
		s = ks;
#define KEY_IS(k) (kl == sizeof(k) - 1 && memcmp(v + s, k, kl) == 0)
		if (KEY_IS("vip")) {
			if (have_vip++ || ipaddr_parse(val, &out->vip) < 0) {
				*why = "DSR-Director: vip repeated or not an IP address";
				return -EINVAL;
			}
		} else if (KEY_IS("port")) {
			if (have_port++ || parse_u32(val, &u, 1, 65535) < 0) {
				*why = "DSR-Director: port repeated or not in 1-65535";
				return -EINVAL;
			}
			out->port = (uint16_t)u;
		} else if (KEY_IS("weight")) {
			if (have_weight++ || parse_u32(val, &u, 0, 65535) < 0) {
				*why = "DSR-Director: weight repeated or not in 0-65535";
				return -EINVAL;
			}
			out->weight = (int32_t)u;
		} else if (KEY_IS("active")) {
			if (have_active++ || parse_u32(val, &out->active, 0, UINT32_MAX) < 0) {
				*why = "DSR-Director: active repeated or not a number";
				return -EINVAL;
			}
		} else if (KEY_IS("inactive")) {
			if (have_inactive++ || parse_u32(val, &out->inactive, 0, UINT32_MAX) < 0) {
				*why = "DSR-Director: inactive repeated or not a number";
				return -EINVAL;
			}
		} else {
			*why = "DSR-Director: unknown field";
			return -EINVAL;
		}
#undef KEY_IS
	}
	if (!have_vip || !have_weight || !have_active || !have_inactive) {
		*why = "DSR-Director: vip, weight, active and inactive are required";
		return -EINVAL;
	}
	return 0;
}
