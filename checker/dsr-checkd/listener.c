/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_listener.c - see checkd_listener.h. */
#include "checker/dsr-checkd/listener.h"

#include <errno.h>
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

static void accept_cb(struct loop_io *io, uint32_t events)
{
	struct checkd_listener *l = (struct checkd_listener *)((char *)io - offsetof(struct checkd_listener, io));
	(void)events;

	for (;;) {
		int fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct checkd_conn *c;

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				accept_pause(l);
			return;
		}
		if (l->n_conns >= l->ops->max_conns || !(c = calloc(1, l->ops->conn_size))) {
			close(fd);
			continue;
		}
		c->l = l;
		loop_io_init(&c->io, fd, conn_io_cb);
		loop_timer_init(&c->timer, conn_timer_cb);
		c->next = l->conns;
		c->pprev = &l->conns;
		if (l->conns)
			l->conns->pprev = &c->next;
		l->conns = c;
		l->n_conns++;
		if ((l->ops->on_open && l->ops->on_open(c) < 0) || loop_io_want(&l->d->loop, &c->io, EPOLLIN) < 0 ||
		    loop_timer_set(&l->d->loop, &c->timer, loop_clock_ms() + l->ops->timeout_ms) < 0)
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
