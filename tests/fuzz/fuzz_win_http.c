/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the Windows status server's answer to one request
 * (win_request_decide, win-realserver/win_request.c: portable C, built
 * natively).  The input is an HTTP/1.x request as a client writes it; the
 * target does what http.sys does before the agent sees it: splits the
 * request line into verb, URL and version, the URL into a percent-decoded
 * ("cooked") path and the raw query, trims the header values and sorts the
 * headers into the ones http.sys knows by name (counted; Content-Length
 * and Transfer-Encoding handed over) and the rest (DSR-Director among
 * them).  Every field is copied into a buffer of its exact size, so ASan
 * sees a read past any one of them.  Checked: the decision is one of the
 * answers, an error names a static reason that makes a valid JSON body,
 * a document is only served for GET /v1/status over HTTP/1.0 or 1.1, and
 * a long-poll is never held longer than HTTP_WAIT_CAP_MS. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto/http_request.h"
#include "bounded/strparse.h"
#include "win-realserver/win_request.h"

#define MAX_UNKNOWN 64   /* more than HTTP_MAX_HEADERS: the agent refuses those */
#define MAX_COPIES  (MAX_UNKNOWN * 2 + 8)

/* The headers http.sys knows by name (HTTP_HEADER_ID, request side). */
static const char *const known[] = {
	"cache-control", "connection", "date", "keep-alive", "pragma", "trailer", "transfer-encoding",
	"upgrade", "via", "warning", "allow", "content-length", "content-type", "content-encoding",
	"content-language", "content-location", "content-md5", "content-range", "expires", "last-modified",
	"accept", "accept-charset", "accept-encoding", "accept-language", "authorization", "cookie", "expect",
	"from", "host", "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since",
	"max-forwards", "proxy-authorization", "referer", "range", "te", "translate", "user-agent",
};
#define N_KNOWN (sizeof(known) / sizeof(known[0]))

struct copies {
	void *p[MAX_COPIES];
	size_t n;
};

/* An exact-size copy of s[0..n) (NULL when n is 0 or there is no room). */
static const char *dup_exact(struct copies *c, const char *s, size_t n)
{
	char *d;

	if (!n || c->n >= MAX_COPIES)
		return NULL;
	d = malloc(n);
	if (!d)
		abort();
	memcpy(d, s, n);
	c->p[c->n++] = d;
	return d;
}

/* Next line of data[*off..n), without its "\r\n" or "\n". */
static int next_line(const char *data, size_t n, size_t *off, const char **line, size_t *len)
{
	size_t s = *off, e;

	if (s >= n)
		return 0;
	for (e = s; e < n && data[e] != '\n'; e++)
		;
	*off = e < n ? e + 1 : n;
	*line = data + s;
	*len = e - s;
	if (*len && data[s + *len - 1] == '\r')
		(*len)--;
	return 1;
}

static int only_static_text(const char *why)
{
	size_t i;

	if (!why || !why[0])
		return 0;
	for (i = 0; why[i]; i++)
		if ((unsigned char)why[i] < 0x20 || why[i] == '"' || why[i] == '\\' || why[i] == 0x7f)
			return 0;
	return 1;
}

static void check(const struct win_request *req, const struct win_answer *a, const char *path, size_t path_len)
{
	struct win_error_reply r;
	char body[256], small[24];
	size_t n, i;

	if ((unsigned)a->error >= HTTP_ERR_COUNT)
		abort();
	if (a->error != HTTP_ERR_NONE) {
		if (!only_static_text(a->why))
			abort();
		n = win_request_error_render(a->error, a->why, &r, body, sizeof(body));
		if (r.status < 400 || r.status > 599 || !r.phrase || (r.allow != NULL) != (a->error == HTTP_ERR_METHOD))
			abort();
		if (n >= sizeof(body) || strlen(body) != n)
			abort();
		if (n && (memcmp(body, "{\"error\":\"", 10) != 0 || memcmp(body + n - 3, "\"}\n", 3) != 0))
			abort();
		/* too small a buffer: an empty body, never a cut one */
		n = win_request_error_render(a->error, a->why, &r, small, sizeof(small));
		if (n ? strlen(small) != n || small[n - 1] != '\n' : small[0] != '\0')
			abort();
		return;
	}
	if (req->verb_len != 3 || memcmp(req->verb, "GET", 3) != 0 || req->major != 1 || req->minor > 1)
		abort();
	if (req->transfer_encoding_len || req->url_units > HTTP_MAX_REQUEST_LINE)
		abort();
	/* "/v1/status", or that followed by a decoded NUL */
	if (path_len < 10 || memcmp(path, "/v1/status", 10) != 0 || (path_len > 10 && path[10] != '\0'))
		abort();
	if (a->n_dirs > HTTP_MAX_DIRECTOR_REPORTS)
		abort();
	for (i = 0; i < a->n_dirs; i++)
		if (!a->dirs[i].name[0] || strlen(a->dirs[i].name) >= HTTP_DIRECTOR_NAME_MAX ||
		    a->dirs[i].weight < 0 || a->dirs[i].weight > 65535)
			abort();
	if (a->q.has_after && !a->q.has_wait)
		abort();
	if (a->q.has_wait && a->q.wait_ms > HTTP_WAIT_PARAM_MAX * 1000u)
		abort();
	n = win_request_hold_ms(&a->q);
	if (n > HTTP_WAIT_CAP_MS || (n && !(a->q.has_wait && a->q.has_after)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *line, *url = "", *sp;
	struct win_request_header hdrs[MAX_UNKNOWN];
	struct win_request req;
	struct win_answer a;
	struct copies c = { .n = 0 };
	char path[HTTP_MAX_REQUEST_LINE * 2];
	size_t off = 0, len, url_len = 0, host_len = 0, path_len = 0, i, q;
	int seen[N_KNOWN] = { 0 };

	memset(&req, 0, sizeof(req));
	if (!next_line(s, size, &off, &line, &len))
		return 0;
	/* request line: VERB SP URL SP HTTP/D.D */
	sp = memchr(line, ' ', len);
	req.verb_len = sp ? (size_t)(sp - line) : len;
	req.verb = dup_exact(&c, line, req.verb_len);
	if (sp) {
		const char *u = sp + 1, *end = line + len, *sp2 = memchr(u, ' ', (size_t)(end - u));

		url = u;
		url_len = sp2 ? (size_t)(sp2 - u) : (size_t)(end - u);
		if (sp2 && end - sp2 == 9 && memcmp(sp2 + 1, "HTTP/", 5) == 0 && sp2[6] >= '0' && sp2[6] <= '9' &&
		    sp2[7] == '.' && sp2[8] >= '0' && sp2[8] <= '9') {
			req.major = (unsigned)(sp2[6] - '0');
			req.minor = (unsigned)(sp2[8] - '0');
		}
	}
	/* cooked URL: the path percent-decoded, the query as sent */
	for (q = 0; q < url_len && url[q] != '?'; q++)
		;
	for (i = 0; i < q && path_len < sizeof(path); i++) {
		int h1, h2;

		if (url[i] == '%' && i + 2 < q && (h1 = hex_digit_value(url[i + 1])) >= 0 && (h2 = hex_digit_value(url[i + 2])) >= 0) {
			path[path_len++] = (char)(h1 << 4 | h2);
			i += 2;
		} else {
			path[path_len++] = url[i];
		}
	}
	req.path = dup_exact(&c, path, path_len);
	req.path_len = path_len;
	if (q < url_len) {
		req.query = dup_exact(&c, url + q + 1, url_len - q - 1);
		req.query_len = url_len - q - 1;
	}
	/* a path too long to copy: what a failed conversion gives */
	req.url_bad = path_len == sizeof(path);
	/* headers, trimmed, up to the empty line; the body is never read */
	while (next_line(s, size, &off, &line, &len) && len) {
		const char *colon = memchr(line, ':', len), *v;
		size_t nl, vl, k;

		if (!colon)
			continue;   /* http.sys refuses it itself */
		nl = (size_t)(colon - line);
		v = colon + 1;
		vl = len - nl - 1;
		while (vl && (*v == ' ' || *v == '\t')) {
			v++;
			vl--;
		}
		while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
			vl--;
		for (k = 0; k < N_KNOWN && !span_eq_ci(line, nl, known[k]); k++)
			;
		if (k < N_KNOWN) {
			/* http.sys folds a repeated known header into one */
			if (!vl)
				continue;
			req.n_known += !seen[k];
			seen[k] = 1;
			if (span_eq_ci(line, nl, "content-length")) {
				req.content_length = dup_exact(&c, v, vl);
				req.content_length_len = vl;
			} else if (span_eq_ci(line, nl, "transfer-encoding")) {
				req.transfer_encoding_len = vl;
			} else if (span_eq_ci(line, nl, "host")) {
				host_len = vl;
			}
			continue;
		}
		if (req.n_unknown >= MAX_UNKNOWN) {
			req.n_unknown = MAX_UNKNOWN;   /* past the limit either way */
			continue;
		}
		hdrs[req.n_unknown].name = dup_exact(&c, line, nl);
		hdrs[req.n_unknown].name_len = nl;
		hdrs[req.n_unknown].value = dup_exact(&c, v, vl);
		hdrs[req.n_unknown].value_len = vl;
		if ((nl && !hdrs[req.n_unknown].name) || (vl && !hdrs[req.n_unknown].value))
			break;   /* out of copies */
		req.n_unknown++;
	}
	req.unknown = hdrs;
	/* the full URL: "http://" HOST then the URL as sent */
	req.url_units = 7 + host_len + url_len;
	win_request_decide(&req, &a);
	check(&req, &a, path, path_len);
	for (i = 0; i < c.n; i++)
		free(c.p[i]);
	return 0;
}
