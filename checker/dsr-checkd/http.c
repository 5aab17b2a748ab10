/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_http.c - the status endpoint; see checkd_http.h. */
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

#define IN_MAX 16384

struct client {
	struct checkd_conn base;   /* first: the listener allocates and lists it */
	struct buf in, out;
	size_t out_off;
};

struct checkd_http {
	struct checkd_listener l;  /* first: a client's listener is its server */
	checkd_http_handler *handler;
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

static void client_close(struct client *c)
{
	checkd_conn_close(&c->base);
}

static int client_open(struct checkd_conn *base)
{
	struct client *c = (struct client *)base;

	buf_init(&c->in, IN_MAX);
	buf_init(&c->out, CHECKD_HTTP_BODY_MAX + 1024);
	return 0;
}

static void client_free(struct checkd_conn *base)
{
	struct client *c = (struct client *)base;

	buf_free(&c->in);
	buf_free(&c->out);
}

static int respond(struct client *c, int status, const char *phrase, const char *ctype, const struct buf *body)
{
	if (buf_appendf(&c->out,
			"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
			"Connection: close\r\n\r\n",
			status, phrase, ctype, body ? body->len : 0) < 0)
		return -ENOMEM;
	if (body && body->len && buf_append(&c->out, body->data, body->len) < 0)
		return -ENOMEM;
	return 0;
}

static void client_write(struct client *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->base.io.fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (loop_io_want(&c->base.l->d->loop, &c->base.io, EPOLLOUT) < 0)
				client_close(c);
			return;
		}
		if (n <= 0) {
			client_close(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	client_close(c);
}

static void handle(struct client *c, const struct http_request *req)
{
	struct checkd *d = c->base.l->d;
	struct buf body;
	const char *ctype = "text/plain; charset=utf-8";
	int status;

	buf_init(&body, CHECKD_HTTP_BODY_MAX);
	d->stats.http_requests++;
	status = srv_of(c)->handler(d, req->path, &body, &ctype);
	if (respond(c, status, status == 200 ? "OK" : status == 404 ? "Not Found" : "Internal Server Error", ctype,
		    &body) < 0) {
		buf_free(&body);
		client_close(c);
		return;
	}
	buf_free(&body);
	client_write(c);
}

static void client_io_cb(struct checkd_conn *base, uint32_t events)
{
	struct client *c = (struct client *)base;
	struct http_request req;
	char tmp[4096];
	ssize_t n;
	int r;

	if (c->out.len) {
		if (events & (EPOLLERR | EPOLLHUP))
			client_close(c);
		else
			client_write(c);
		return;
	}
	n = recv(base->io.fd, tmp, sizeof(tmp), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || buf_append(&c->in, tmp, (size_t)n) < 0) {
		client_close(c);
		return;
	}
	memset(&req, 0, sizeof(req));
	r = http_request_parse(c->in.data, c->in.len, &req);
	if (r == 0)
		return;  /* more to come, within the limits */
	if (r < 0) {
		const struct http_error_info *e = &http_error_table[req.error];
		struct buf msg;

		buf_init(&msg, 256);
		if (buf_appendf(&msg, "%s\n", req.why ? req.why : e->phrase) < 0 ||
		    respond(c, e->status, e->phrase, "text/plain; charset=utf-8", &msg) < 0) {
			buf_free(&msg);
			client_close(c);
			return;
		}
		buf_free(&msg);
		client_write(c);
		return;
	}
	handle(c, &req);
}

static const struct checkd_listener_ops http_ops = {
	.conn_size = sizeof(struct client),
	.max_conns = CHECKD_HTTP_MAX_CLIENTS,
	.timeout_ms = CHECKD_HTTP_TIMEOUT_MS,
	.on_io = client_io_cb,
	.on_open = client_open,
	.on_close = client_free,
};

int checkd_http_start(struct checkd *d, const char *spec, checkd_http_handler *h, char *err, size_t errlen)
{
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
		return r;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 64) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", spec, strerror(errno));
		close(fd);
		return r;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = checkd_listener_start(&srv->l, d, fd, &http_ops, err, errlen);
	if (r < 0) {
		free(srv);
		return r;
	}
	srv->handler = h;
	d->http = srv;
	return 0;
}

void checkd_http_stop(struct checkd *d)
{
	if (!d->http)
		return;
	checkd_listener_stop(&d->http->l);
	free(d->http);
	d->http = NULL;
}
