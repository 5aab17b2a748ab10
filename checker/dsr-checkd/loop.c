/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_loop.c - epoll plus a timer heap; see checkd_loop.h. */
#include "checker/dsr-checkd/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define EVENTS_PER_WAKE 256
/* Timers due this close to now run together: thousands of probes spread
 * over a second then cost tens of wake-ups, not thousands.  A probe started
 * a few milliseconds early changes nothing. */

int64_t loop_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int loop_init(struct loop *l)
{
	memset(l, 0, sizeof(*l));
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return -errno;
	l->now_ms = loop_clock_ms();
	return 0;
}

void loop_free(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
	free(l->heap);
	l->heap = NULL;
	l->n_timers = l->cap_timers = 0;
}

void loop_io_init(struct loop_io *io, int fd, void (*cb)(struct loop_io *, uint32_t))
{
	io->fd = fd;
	io->events = 0;
	io->cb = cb;
}

int loop_io_want(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };
	int op;

	if (events == io->events)
		return 0;
	if (!events) {
		loop_io_remove(l, io);
		return 0;
	}
	op = io->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(l->epfd, op, io->fd, &ev) < 0)
		return -errno;
	io->events = events;
	return 0;
}

void loop_io_remove(struct loop *l, struct loop_io *io)
{
	if (io->events && io->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->events = 0;
}

void loop_timer_init(struct loop_timer *t, void (*cb)(struct loop_timer *))
{
	t->when_ms = 0;
	t->heap_pos = (size_t)-1;
	t->cb = cb;
}

static void heap_swap(struct loop *l, size_t a, size_t b)
{
	struct loop_timer *t = l->heap[a];

	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->heap_pos = a;
	l->heap[b]->heap_pos = b;
}

static void sift_up(struct loop *l, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (l->heap[p]->when_ms <= l->heap[i]->when_ms)
			break;
		heap_swap(l, i, p);
		i = p;
	}
}

static void sift_down(struct loop *l, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1, m = i;

		if (c < l->n_timers && l->heap[c]->when_ms < l->heap[m]->when_ms)
			m = c;
		if (c + 1 < l->n_timers && l->heap[c + 1]->when_ms < l->heap[m]->when_ms)
			m = c + 1;
		if (m == i)
			break;
		heap_swap(l, i, m);
		i = m;
	}
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	size_t i = t->heap_pos;

	if (i == (size_t)-1)
		return;
	t->heap_pos = (size_t)-1;
	l->n_timers--;
	if (i == l->n_timers)
		return;
	l->heap[i] = l->heap[l->n_timers];
	l->heap[i]->heap_pos = i;
	sift_up(l, i);
	sift_down(l, l->heap[i]->heap_pos);
}

int loop_timer_set(struct loop *l, struct loop_timer *t, int64_t when_ms)
{
	if (t->heap_pos != (size_t)-1) {
		int64_t old = t->when_ms;

		t->when_ms = when_ms;
		if (when_ms < old)
			sift_up(l, t->heap_pos);
		else
			sift_down(l, t->heap_pos);
		return 0;
	}
	if (l->n_timers == l->cap_timers) {
		size_t nc = l->cap_timers ? l->cap_timers * 2 : 64;
		struct loop_timer **n = realloc(l->heap, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->heap = n;
		l->cap_timers = nc;
	}
	t->when_ms = when_ms;
	t->heap_pos = l->n_timers;
	l->heap[l->n_timers++] = t;
	sift_up(l, t->heap_pos);
	return 0;
}

int loop_run_once(struct loop *l, int max_wait_ms)
{
	struct epoll_event evs[EVENTS_PER_WAKE];
	int n, i, wait = max_wait_ms;

	if (l->n_timers) {
		int64_t d = l->heap[0]->when_ms - LOOP_TIMER_SLACK_MS / 2 - loop_clock_ms();

		if (d < 0)
			d = 0;
		if (wait < 0 || d < wait)
			wait = (int)(d > 86400000 ? 86400000 : d);
	}
	n = epoll_wait(l->epfd, evs, EVENTS_PER_WAKE, wait);
	if (n < 0 && errno != EINTR)
		return -errno;
	l->wakeups++;
	l->now_ms = loop_clock_ms();
	for (i = 0; i < n; i++) {
		struct loop_io *io = evs[i].data.ptr;

		io->cb(io, evs[i].events);
	}
	/* timers due now; a callback may arm timers again (for later).  The
	 * clock is read once a wake-up: callbacks use l->now_ms. */
	while (l->n_timers && l->heap[0]->when_ms <= l->now_ms + LOOP_TIMER_SLACK_MS) {
		struct loop_timer *t = l->heap[0];
		int64_t lag = l->now_ms - t->when_ms;

		if (lag > l->max_lag_ms && lag > 0)
			l->max_lag_ms = lag;
		loop_timer_cancel(l, t);
		t->cb(t);
	}
	return 0;
}
