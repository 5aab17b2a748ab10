/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_loop.h - dsr-checkd's one event loop: epoll for file descriptors
 * and a binary heap of timers.  Callbacks run on the loop's thread and must
 * never block; time is CLOCK_MONOTONIC in milliseconds. */
#ifndef DSRKIT_CHECKER_CHECKD_LOOP_H
#define DSRKIT_CHECKER_CHECKD_LOOP_H

#include <stddef.h>
#include <stdint.h>

struct loop;

struct loop_io {
	int fd;
	uint32_t events;            /* EPOLLIN/EPOLLOUT currently registered, 0: not registered */
	void (*cb)(struct loop_io *io, uint32_t events);
};

/* Timers due within this much of a wake-up run in it: fewer wake-ups.  A
 * callback that re-arms must not choose a time within it of now (it would
 * run again in the same wake-up). */
#define LOOP_TIMER_SLACK_MS 10

struct loop_timer {
	int64_t when_ms;
	size_t heap_pos;            /* SIZE_MAX when not armed */
	void (*cb)(struct loop_timer *t);
};

struct loop {
	int epfd;
	struct loop_timer **heap;
	size_t n_timers, cap_timers;
	int64_t now_ms;             /* cached at each wake-up */
	int stop;
	uint64_t wakeups;
	int64_t max_lag_ms;         /* worst lateness of a timer since the last read */
};

/* Monotonic milliseconds. */
int64_t loop_clock_ms(void);

/* Returns 0 or -errno. */
__attribute__((warn_unused_result))
int loop_init(struct loop *l);
void loop_free(struct loop *l);

void loop_io_init(struct loop_io *io, int fd, void (*cb)(struct loop_io *, uint32_t));
/* Register or change the wanted events (0 removes).  0 or -errno. */
__attribute__((warn_unused_result))
int loop_io_want(struct loop *l, struct loop_io *io, uint32_t events);
/* Forget the fd (call before close). */
void loop_io_remove(struct loop *l, struct loop_io *io);

void loop_timer_init(struct loop_timer *t, void (*cb)(struct loop_timer *));
/* Arm (or move) t to fire at when_ms.  0 or -ENOMEM. */
__attribute__((warn_unused_result))
int loop_timer_set(struct loop *l, struct loop_timer *t, int64_t when_ms);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
static inline int loop_timer_armed(const struct loop_timer *t)
{
	return t->heap_pos != (size_t)-1;
}

/* Wait for events (at most max_wait_ms, -1: until the next timer) and run
 * callbacks and due timers once.  0 or -errno (EINTR is not an error). */
__attribute__((warn_unused_result))
int loop_run_once(struct loop *l, int max_wait_ms);

#endif
