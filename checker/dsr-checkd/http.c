/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_http.c - the status endpoint; see http.h. */
#include "checker/dsr-checkd/http.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent-proto/http_request.h"
#include "bounded/strparse.h"
#include "checker/dsr-checkd/listener.h"
#include "checker/dsr-checkd/webauth.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#define IN_MAX 16384

/* A rendered body, shared by the clients writing it. */
struct body {
	unsigned refs;
	int64_t made_ms;
	struct buf b;
};

struct client {
	struct checkd_conn base;   /* first: the listener allocates and lists it */
	SSL *ssl;                  /* NULL: plain HTTP */
	struct buf in;
	struct buf head;           /* the status line and headers being written */
	struct body *body;         /* the body being written (NULL: none) */
	int send_body;             /* 0 for HEAD */
	size_t off;                /* bytes of head + body written */
	int close_after;
	unsigned n_requests;
	int64_t write_until_ms;    /* the whole answer by then */
};

struct checkd_http {
	struct checkd_listener l;  /* first: a client's listener is its server */
	const struct checkd_http_route *routes;
	size_t n_routes;
	struct body **cache;       /* per route: the last body rendered (or NULL) */
	struct checkd_webauth *auth;  /* TLS and users (NULL: plain, open) */
	uint64_t n_tls_failures, n_auth_failures;
};

static struct checkd_http *srv_of(const struct client *c)
{
	return (struct checkd_http *)c->base.l;
}

int checkd_listen_parse(const char *spec, struct ip_addr *a, uint16_t *port)
{
	const char *colon;
	uint32_t p;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (!close || close[1] != ':' || ipaddr_parsen(spec + 1, (size_t)(close - spec - 1), a) < 0 ||
		    a->family != IP_FAMILY_V6)
			return -EINVAL;
		colon = close + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || ipaddr_parsen(spec, (size_t)(colon - spec), a) < 0 || a->family != IP_FAMILY_V4)
			return -EINVAL;
	}
	if (parse_u32(colon + 1, &p, 1, 65535) < 0)
		return -EINVAL;
	*port = (uint16_t)p;
	return 0;
}

static struct body *body_new(size_t max)
{
	struct body *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->refs = 1;
	b->made_ms = loop_clock_ms();
	buf_init(&b->b, max);
	return b;
}

static void body_put(struct body *b)
{
	if (b && --b->refs == 0) {
		buf_free(&b->b);
		free(b);
	}
}

static void client_close(struct client *c)
{
	checkd_conn_close(&c->base);
}

static int client_open(struct checkd_conn *base)
{
	struct client *c = (struct client *)base;

	struct checkd_webauth *a = srv_of(c)->auth;

	buf_init(&c->in, IN_MAX);
	buf_init(&c->head, 1024);
	if (a && a->ctx) {
		c->ssl = SSL_new(a->ctx);
		if (!c->ssl || SSL_set_fd(c->ssl, base->io.fd) != 1)
			return -ENOMEM;
		SSL_set_accept_state(c->ssl);
	}
	return 0;
}

static void client_free(struct checkd_conn *base)
{
	struct client *c = (struct client *)base;

	buf_free(&c->in);
	buf_free(&c->head);
	body_put(c->body);
	c->body = NULL;
	SSL_free(c->ssl);
	c->ssl = NULL;
}

/* What SSL_read/SSL_write's failure means: -EAGAIN with *want set, or
 * -EIO (the peer is gone, or TLS failed: counted). */
static ssize_t ssl_fail(struct client *c, int ret, uint32_t *want)
{
	switch (SSL_get_error(c->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		*want = EPOLLIN;
		return -EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		*want = EPOLLOUT;
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		if (!SSL_is_init_finished(c->ssl))
			srv_of(c)->n_tls_failures++;
		ERR_clear_error();
		return -EIO;
	}
}

/* >0 bytes, 0 at the end, -EAGAIN (wait for *want), -EIO. */
static ssize_t cl_recv(struct client *c, char *p, size_t n, uint32_t *want)
{
	ssize_t r;

	if (c->ssl) {
		int k = SSL_read(c->ssl, p, (int)n);

		return k > 0 ? k : ssl_fail(c, k, want);
	}
	do
		r = recv(c->base.io.fd, p, n, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		*want = EPOLLIN;
		return -EAGAIN;
	}
	return r < 0 ? -EIO : r;
}

static ssize_t cl_send(struct client *c, const char *p, size_t n, int more, uint32_t *want)
{
	ssize_t r;

	if (c->ssl) {
		int k = SSL_write(c->ssl, p, n > (1u << 30) ? (int)(1u << 30) : (int)n);

		return k > 0 ? k : ssl_fail(c, k, want);
	}
	do
		r = send(c->base.io.fd, p, n, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		*want = EPOLLOUT;
		return -EAGAIN;
	}
	return r <= 0 ? -EIO : r;
}

static int set_deadline(struct client *c, int64_t when_ms)
{
	return loop_timer_set(&c->base.l->d->loop, &c->base.timer, when_ms);
}

/* Queue an answer: body is taken over (its reference).  extra: more header
 * lines ("Name: value\r\n"), or NULL. */
static int respond(struct client *c, int status, const char *phrase, const char *ctype, struct body *body,
		   const char *extra)
{
	int64_t now = loop_clock_ms();

	buf_reset(&c->head);
	c->body = body;
	c->off = 0;
	if (buf_appendf(&c->head,
			"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n%s%s\r\n",
			status, phrase, ctype, body ? body->b.len : 0, extra ? extra : "",
			c->close_after ? "Connection: close\r\n" : "") < 0)
		return -ENOMEM;
	checkd_conn_set_idle(&c->base, 0);
	c->write_until_ms = now + CHECKD_HTTP_WRITE_MS;
	return set_deadline(c, now + CHECKD_HTTP_STALL_MS);
}

static int respond_text(struct client *c, int status, const char *phrase, const char *text, const char *extra)
{
	struct body *b = body_new(1024);

	if (!b || buf_append_str(&b->b, text) < 0) {
		body_put(b);
		return -ENOMEM;
	}
	return respond(c, status, phrase, "text/plain; charset=utf-8", b, extra);
}

/* The body of route i: the cached one while it is fresh, else rendered now. */
static struct body *route_body(struct checkd_http *srv, size_t i, int *status)
{
	const struct checkd_http_route *rt = &srv->routes[i];
	struct body *b = srv->cache[i];
	int64_t now = loop_clock_ms();

	*status = 200;
	if (b && rt->cache_ms && now - b->made_ms < (int64_t)rt->cache_ms) {
		b->refs++;
		return b;
	}
	b = body_new(CHECKD_HTTP_BODY_MAX);
	if (!b)
		return NULL;
	if (rt->render(srv->l.d, &b->b) < 0) {
		body_put(b);
		*status = 500;
		return NULL;
	}
	if (rt->cache_ms) {
		body_put(srv->cache[i]);
		srv->cache[i] = b;
		b->refs++;
	}
	return b;
}

static int handle(struct client *c, const struct http_request *req)
{
	struct checkd_http *srv = srv_of(c);
	struct checkd *d = c->base.l->d;
	struct body *b;
	size_t i;
	int status;

	d->stats.http_requests++;
	c->send_body = req->method != HTTP_METHOD_HEAD;
	switch (checkd_webauth_check(srv->auth, req->auth_len ? c->in.data + req->auth_off : NULL, req->auth_len,
				     loop_clock_ms())) {
	case WEBAUTH_OK:
		break;
	case WEBAUTH_DENIED:
		srv->n_auth_failures++;
		return respond_text(c, 401, "Unauthorized", "user name and password wanted\n",
				    "WWW-Authenticate: Basic realm=\"dsr-checkd\", charset=\"UTF-8\"\r\n");
	case WEBAUTH_BUSY:
		srv->n_auth_failures++;
		return respond_text(c, 429, "Too Many Requests", "too many password checks: retry in a second\n",
				    "Retry-After: 1\r\n");
	}
	for (i = 0; i < srv->n_routes && strcmp(srv->routes[i].path, req->path); i++)
		;
	if (i == srv->n_routes)
		return respond_text(c, 404, "Not Found", "not found: try /metrics, /status or /healthz\n", NULL);
	b = route_body(srv, i, &status);
	if (!b)
		return respond_text(c, 500, "Internal Server Error", "the document could not be rendered\n", NULL);
	return respond(c, 200, "OK", srv->routes[i].ctype, b, NULL);
}

/* Write what is queued.  1: all written, 0: blocked (EPOLLOUT wanted),
 * <0: the connection is to be closed. */
static int client_write(struct client *c)
{
	size_t total = c->head.len + (c->body && c->send_body ? c->body->b.len : 0);
	int progress = 0;
	uint32_t want;

	while (c->off < total) {
		const char *p;
		size_t n;
		ssize_t w;

		if (c->off < c->head.len) {
			p = c->head.data + c->off;
			n = c->head.len - c->off;
		} else {
			p = c->body->b.data + (c->off - c->head.len);
			n = total - c->off;
		}
		w = cl_send(c, p, n, c->off < c->head.len && total > c->head.len, &want);
		if (w == -EAGAIN) {
			int64_t now = loop_clock_ms(), until = now + CHECKD_HTTP_STALL_MS;

			if (loop_io_want(&c->base.l->d->loop, &c->base.io, want) < 0)
				return -EIO;
			/* a reader that stops reading is cut: no progress for
			 * STALL_MS, or not done by write_until_ms */
			if (progress && set_deadline(c, until < c->write_until_ms ? until : c->write_until_ms) < 0)
				return -ENOMEM;
			return 0;
		}
		if (w <= 0)
			return -EIO;
		c->off += (size_t)w;
		progress = 1;
	}
	return 1;
}

/* The answer is out: close, or wait for the next request. */
static int client_done(struct client *c)
{
	body_put(c->body);
	c->body = NULL;
	buf_reset(&c->head);
	c->off = 0;
	if (c->close_after)
		return -1;
	checkd_conn_set_idle(&c->base, 1);
	if (loop_io_want(&c->base.l->d->loop, &c->base.io, EPOLLIN) < 0)
		return -1;
	/* a request already read (pipelined) must come whole in the usual time */
	return set_deadline(c, loop_clock_ms() + (c->in.len ? CHECKD_HTTP_REQUEST_MS : CHECKD_HTTP_KEEPALIVE_MS));
}

/* Parse what c->in holds: 1 when an answer was queued, 0 when more bytes
 * are needed, <0 to close. */
static int client_parse(struct client *c)
{
	struct http_request req;
	int r = http_request_parse_methods(c->in.data ? c->in.data : "", c->in.len, &req,
					   HTTP_METHOD_GET | HTTP_METHOD_HEAD);

	if (r == 0)
		return 0;  /* more to come, within the limits */
	c->n_requests++;
	if (r < 0) {
		const struct http_error_info *e = &http_error_table[req.error];
		char msg[160];

		c->close_after = 1;  /* where this request ends is not known */
		c->send_body = req.method != HTTP_METHOD_HEAD;
		snprintf(msg, sizeof(msg), "%s\n", req.why ? req.why : e->phrase);
		r = respond_text(c, e->status, e->phrase, msg,
				 req.error == HTTP_ERR_METHOD ? "Allow: GET, HEAD\r\n" : NULL);
		buf_reset(&c->in);
		return r < 0 ? r : 1;
	}
	if (!req.keep_alive || c->n_requests >= CHECKD_HTTP_MAX_REQUESTS)
		c->close_after = 1;
	{
		size_t used = (size_t)r;

		r = handle(c, &req);  /* req points into c->in until then */
		buf_consume(&c->in, used);
	}
	return r < 0 ? r : 1;
}

/* Parse what is buffered, read what the peer sent: 1 when an answer is
 * queued, 0 when waiting for bytes (the wanted events are set), <0 to
 * close.  Reads until the socket (and TLS's own buffer) is empty, within
 * the input bound. */
static int client_read(struct client *c)
{
	char tmp[4096];
	uint32_t want = EPOLLIN;
	ssize_t n;
	int r;

	for (;;) {
		if (c->in.len && (r = client_parse(c)) != 0)
			return r;
		n = cl_recv(c, tmp, sizeof(tmp), &want);
		if (n == -EAGAIN)
			return loop_io_want(&c->base.l->d->loop, &c->base.io, want) < 0 ? -1 : 0;
		if (n <= 0)
			return -1;
		/* the first byte of a kept-alive connection's next request: the
		 * rest must come in the usual time */
		if (!c->in.len && c->n_requests && set_deadline(c, loop_clock_ms() + CHECKD_HTTP_REQUEST_MS) < 0)
			return -1;
		if (buf_append(&c->in, tmp, (size_t)n) < 0)
			return -1;
	}
}

static void client_io_cb(struct checkd_conn *base, uint32_t events)
{
	struct client *c = (struct client *)base;
	int r;

	if (!c->head.len) {
		r = client_read(c);
		if (r < 0)
			client_close(c);
		if (r <= 0)
			return;
	} else if ((events & (EPOLLERR | EPOLLHUP)) && !(events & (EPOLLIN | EPOLLOUT))) {
		client_close(c);
		return;
	}
	/* write, then answer what was pipelined behind it: a loop, not a
	 * recursion */
	for (;;) {
		r = client_write(c);
		if (r == 0)
			return;
		if (r < 0 || client_done(c) < 0) {
			client_close(c);
			return;
		}
		r = client_read(c);
		if (r < 0)
			client_close(c);
		if (r <= 0)
			return;
	}
}

static const struct checkd_listener_ops http_ops = {
	.conn_size = sizeof(struct client),
	.max_conns = CHECKD_HTTP_MAX_CLIENTS,
	.timeout_ms = CHECKD_HTTP_REQUEST_MS,
	.per_source_max = CHECKD_HTTP_PER_SOURCE,
	.evict_idle = 1,
	.on_io = client_io_cb,
	.on_open = client_open,
	.on_close = client_free,
};

int checkd_http_start(struct checkd *d, const char *spec, const struct checkd_http_route *routes, size_t n_routes,
		      const char *web_config_file, char *err, size_t errlen)
{
	struct checkd_webauth *auth;
	struct checkd_http *srv;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct ip_addr a;
	uint16_t port;
	int fd, one = 1, r;

	if (checkd_listen_parse(spec, &a, &port) < 0) {
		snprintf(err, errlen, "listen '%s' is not ADDR:PORT or [ADDR]:PORT", spec);
		return -EINVAL;
	}
	/* the web configuration first: never listen in the clear by mistake */
	r = checkd_webauth_load(&auth, web_config_file, err, errlen);
	if (r < 0)
		return r;
	memset(&ss, 0, sizeof(ss));
	if (a.family == IP_FAMILY_V4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a.b, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a.b, 16);
		sl = sizeof(*s6);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "socket: %s", strerror(errno));
		checkd_webauth_free(auth);
		return r;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 64) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", spec, strerror(errno));
		close(fd);
		checkd_webauth_free(auth);
		return r;
	}
	srv = calloc(1, sizeof(*srv));
	if (srv)
		srv->cache = calloc(n_routes ? n_routes : 1, sizeof(*srv->cache));
	if (!srv || !srv->cache) {
		if (srv)
			free(srv);
		close(fd);
		checkd_webauth_free(auth);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	srv->auth = auth;
	r = checkd_listener_start(&srv->l, d, fd, &http_ops, err, errlen);
	if (r < 0) {
		checkd_webauth_free(auth);
		free(srv->cache);
		free(srv);
		return r;
	}
	srv->routes = routes;
	srv->n_routes = n_routes;
	d->http = srv;
	return 0;
}

void checkd_http_stop(struct checkd *d)
{
	if (!d->http)
		return;
	checkd_listener_stop(&d->http->l);
	for (size_t i = 0; i < d->http->n_routes; i++)
		body_put(d->http->cache[i]);
	free(d->http->cache);
	checkd_webauth_free(d->http->auth);
	free(d->http);
	d->http = NULL;
}

void checkd_http_counts(const struct checkd *d, uint64_t *evicted, uint64_t *refused)
{
	*evicted = d->http ? d->http->l.n_evicted : 0;
	*refused = d->http ? d->http->l.n_refused : 0;
}

int checkd_http_web_reload(struct checkd *d, const char *web_config_file, char *err, size_t errlen)
{
	struct checkd_webauth *auth;
	int r;

	if (!d->http)
		return 0;
	r = checkd_webauth_load(&auth, web_config_file, err, errlen);
	if (r < 0)
		return r;
	/* connections in progress keep their SSL (it holds a reference on
	 * the old context); new ones get the new files and users */
	checkd_webauth_free(d->http->auth);
	d->http->auth = auth;
	return 0;
}

void checkd_http_auth_counts(const struct checkd *d, uint64_t *tls_failures, uint64_t *auth_failures)
{
	*tls_failures = d->http ? d->http->n_tls_failures : 0;
	*auth_failures = d->http ? d->http->n_auth_failures : 0;
}
