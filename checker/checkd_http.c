/* checkd_http.c - the status endpoint; see checkd_http.h. */
#include "checker/checkd_http.h"

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

#define IN_MAX 16384

struct client {
	struct checkd_http *srv;
	struct loop_io io;
	struct loop_timer timer;
	struct buf in, out;
	size_t out_off;
	struct client *next, **pprev;
};

struct checkd_http {
	struct checkd *d;
	struct loop_io io;
	checkd_http_handler *handler;
	struct client *clients;
	unsigned n_clients;
};

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
	struct checkd *d = c->srv->d;

	loop_timer_cancel(&d->loop, &c->timer);
	loop_io_remove(&d->loop, &c->io);
	close(c->io.fd);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	c->srv->n_clients--;
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

static void client_timer_cb(struct loop_timer *t)
{
	client_close((struct client *)((char *)t - offsetof(struct client, timer)));
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
		ssize_t n = send(c->io.fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (loop_io_want(&c->srv->d->loop, &c->io, EPOLLOUT) < 0)
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
	struct checkd *d = c->srv->d;
	struct buf body;
	const char *ctype = "text/plain; charset=utf-8";
	int status;

	buf_init(&body, CHECKD_HTTP_BODY_MAX);
	d->stats.http_requests++;
	status = c->srv->handler(d, req->path, &body, &ctype);
	if (respond(c, status, status == 200 ? "OK" : status == 404 ? "Not Found" : "Internal Server Error", ctype,
		    &body) < 0) {
		buf_free(&body);
		client_close(c);
		return;
	}
	buf_free(&body);
	client_write(c);
}

static void client_io_cb(struct loop_io *io, uint32_t events)
{
	struct client *c = (struct client *)((char *)io - offsetof(struct client, io));
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
	n = recv(io->fd, tmp, sizeof(tmp), 0);
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

static void accept_cb(struct loop_io *io, uint32_t events)
{
	struct checkd_http *srv = (struct checkd_http *)((char *)io - offsetof(struct checkd_http, io));
	struct checkd *d = srv->d;
	(void)events;

	for (;;) {
		int fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c;

		if (fd < 0)
			return;
		if (srv->n_clients >= CHECKD_HTTP_MAX_CLIENTS || !(c = calloc(1, sizeof(*c)))) {
			close(fd);  /* a local endpoint: more clients than this is a bug or an attack */
			continue;
		}
		c->srv = srv;
		loop_io_init(&c->io, fd, client_io_cb);
		loop_timer_init(&c->timer, client_timer_cb);
		buf_init(&c->in, IN_MAX);
		buf_init(&c->out, CHECKD_HTTP_BODY_MAX + 1024);
		c->next = srv->clients;
		c->pprev = &srv->clients;
		if (srv->clients)
			srv->clients->pprev = &c->next;
		srv->clients = c;
		srv->n_clients++;
		if (loop_io_want(&d->loop, &c->io, EPOLLIN) < 0 ||
		    loop_timer_set(&d->loop, &c->timer, loop_clock_ms() + CHECKD_HTTP_TIMEOUT_MS) < 0)
			client_close(c);
	}
}

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
	srv->d = d;
	srv->handler = h;
	loop_io_init(&srv->io, fd, accept_cb);
	r = loop_io_want(&d->loop, &srv->io, EPOLLIN);
	if (r < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-r));
		close(fd);
		free(srv);
		return r;
	}
	d->http = srv;
	return 0;
}

void checkd_http_stop(struct checkd *d)
{
	struct checkd_http *srv = d->http;

	if (!srv)
		return;
	while (srv->clients)
		client_close(srv->clients);
	loop_io_remove(&d->loop, &srv->io);
	close(srv->io.fd);
	free(srv);
	d->http = NULL;
}
