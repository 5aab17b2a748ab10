/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_listener.c - see checkd_listener.h. */
#include "checker/dsr-checkd/listener.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

void checkd_conn_close(struct checkd_conn *c)
{
	struct checkd_listener *l = c->l;

	if (l->ops->on_close)
		l->ops->on_close(c);
	loop_timer_cancel(&l->d->loop, &c->timer);
	loop_io_remove(&l->d->loop, &c->io);
	close(c->io.fd);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	l->n_conns--;
	free(c);
}

static void conn_timer_cb(struct loop_timer *t)
{
	checkd_conn_close((struct checkd_conn *)((char *)t - offsetof(struct checkd_conn, timer)));
}

static void conn_io_cb(struct loop_io *io, uint32_t events)
{
	struct checkd_conn *c = (struct checkd_conn *)((char *)io - offsetof(struct checkd_conn, io));

	c->l->ops->on_io(c, events);
}

static void backoff_cb(struct loop_timer *t)
{
	struct checkd_listener *l = (struct checkd_listener *)((char *)t - offsetof(struct checkd_listener, backoff));

	if (loop_io_want(&l->d->loop, &l->io, EPOLLIN) < 0 &&
	    loop_timer_set(&l->d->loop, &l->backoff, loop_clock_ms() + CHECKD_ACCEPT_BACKOFF_MS) < 0) {
		/* no memory for a timer either: nothing better to do */
	}
}

/* Out of descriptors or memory: wait before the next accept (see
 * checkd_listener.backoff). */
static void accept_pause(struct checkd_listener *l)
{
	l->accept_pauses++;
	if (loop_io_want(&l->d->loop, &l->io, 0) < 0 ||
	    loop_timer_set(&l->d->loop, &l->backoff, loop_clock_ms() + CHECKD_ACCEPT_BACKOFF_MS) < 0)
		(void)!loop_io_want(&l->d->loop, &l->io, EPOLLIN);
}

void checkd_conn_set_idle(struct checkd_conn *c, int idle)
{
	if (idle && !c->idle)
		c->idle_since_ms = loop_clock_ms();
	c->idle = idle;
}

static int same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)a)->sin_addr, &((const struct sockaddr_in *)b)->sin_addr,
			       sizeof(struct in_addr));
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr,
			       sizeof(struct in6_addr));
	return 1;  /* unix: one source */
}

/* Make room for a newcomer from peer: 0 when there is room (an idle
 * connection may have been closed for it), -1 when it must be refused. */
static int make_room(struct checkd_listener *l, const struct sockaddr_storage *peer)
{
	struct checkd_conn *c, *oldest_src = NULL, *oldest = NULL;
	unsigned from_src = 0;

	for (c = l->conns; c; c = c->next) {
		int same = l->ops->per_source_max && same_source(&c->peer, peer);

		from_src += same;
		if (!c->idle)
			continue;
		if (!oldest || c->idle_since_ms <= oldest->idle_since_ms)
			oldest = c;
		if (same && (!oldest_src || c->idle_since_ms <= oldest_src->idle_since_ms))
			oldest_src = c;
	}
	if (l->ops->per_source_max && from_src >= l->ops->per_source_max) {
		if (!oldest_src)
			return -1;
		checkd_conn_close(oldest_src);
		l->n_evicted++;
		return 0;
	}
	if (l->n_conns < l->ops->max_conns)
		return 0;
	if (!l->ops->evict_idle || !oldest)
		return -1;
	checkd_conn_close(oldest);
	l->n_evicted++;
	return 0;
}

static void accept_cb(struct loop_io *io, uint32_t events)
{
	struct checkd_listener *l = (struct checkd_listener *)((char *)io - offsetof(struct checkd_listener, io));
	(void)events;

	for (;;) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		int fd = accept4(io->fd, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct checkd_conn *c;

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				accept_pause(l);
			return;
		}
		if (pl > sizeof(peer))
			peer.ss_family = AF_UNSPEC;
		if (make_room(l, &peer) < 0 || !(c = calloc(1, l->ops->conn_size))) {
			l->n_refused++;
			close(fd);
			continue;
		}
		c->peer = peer;
		c->idle = 1;
		c->idle_since_ms = loop_clock_ms();
		c->l = l;
		loop_io_init(&c->io, fd, conn_io_cb);
		loop_timer_init(&c->timer, conn_timer_cb);
		c->next = l->conns;
		c->pprev = &l->conns;
		if (l->conns)
			l->conns->pprev = &c->next;
		l->conns = c;
		l->n_conns++;
		if (loop_timer_set(&l->d->loop, &c->timer, loop_clock_ms() + l->ops->timeout_ms) < 0 ||
		    (l->ops->on_open && l->ops->on_open(c) < 0) || loop_io_want(&l->d->loop, &c->io, EPOLLIN) < 0)
			checkd_conn_close(c);
	}
}

int checkd_listener_start(struct checkd_listener *l, struct checkd *d, int fd,
			  const struct checkd_listener_ops *ops, char *err, size_t errlen)
{
	int r;

	memset(l, 0, sizeof(*l));
	l->d = d;
	l->ops = ops;
	loop_io_init(&l->io, fd, accept_cb);
	loop_timer_init(&l->backoff, backoff_cb);
	r = loop_io_want(&d->loop, &l->io, EPOLLIN);
	if (r < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-r));
		close(fd);
		return r;
	}
	return 0;
}

void checkd_listener_stop(struct checkd_listener *l)
{
	while (l->conns)
		checkd_conn_close(l->conns);
	loop_timer_cancel(&l->d->loop, &l->backoff);
	loop_io_remove(&l->d->loop, &l->io);
	close(l->io.fd);
}
