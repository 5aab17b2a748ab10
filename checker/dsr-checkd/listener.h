/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_listener.h - a listening socket on dsr-checkd's loop and the
 * connections it accepted: at most max_conns at once (more are closed as
 * they come, or take the place of an idle one: see evict_idle), each with
 * one deadline, all closed when the listener stops.  The status endpoint (checkd_http) and the daemon socket
 * (checkd_sock) are two of them; each embeds a struct checkd_conn first in
 * its own client. */
#ifndef DSRKIT_CHECKER_CHECKD_LISTENER_H
#define DSRKIT_CHECKER_CHECKD_LISTENER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "checker/dsr-checkd/checkd-t.h"
#include "checker/dsr-checkd/loop.h"

struct checkd_listener;

struct checkd_conn {
	struct checkd_listener *l;
	struct loop_io io;
	struct loop_timer timer;
	struct checkd_conn *next, **pprev;
	struct sockaddr_storage peer;   /* family AF_UNSPEC: unknown */
	/* holds nothing a peer waits for (no request read in full, no answer
	 * being written): may be evicted for a newcomer (evict_idle) */
	int idle;
	int64_t idle_since_ms;
};

struct checkd_listener_ops {
	size_t conn_size;      /* of the client struct that begins with a checkd_conn */
	unsigned max_conns;
	uint32_t timeout_ms;   /* from accept to close, unless on_open sets another deadline */
	/* >0: a source address holds at most this many connections; a newcomer
	 * past it takes the place of that source's oldest idle one, or is closed */
	unsigned per_source_max;
	/* at max_conns, a newcomer takes the place of the oldest idle connection
	 * (so idle connections cannot lock out a client that has something to ask) */
	int evict_idle;
	/* the connection is readable (or writable when asked) */
	void (*on_io)(struct checkd_conn *c, uint32_t events);
	/* optional: set up the rest of the client (0) or refuse (<0) */
	int (*on_open)(struct checkd_conn *c);
	/* optional: free what the rest of the client holds */
	void (*on_close)(struct checkd_conn *c);
};

struct checkd_listener {
	struct checkd *d;
	const struct checkd_listener_ops *ops;
	struct loop_io io;
	struct checkd_conn *conns;
	unsigned n_conns;
	/* Out of descriptors (EMFILE...): the pending connection stays in the
	 * kernel's queue and the listener stays readable, so the loop would
	 * spin; it stops watching it for CHECKD_ACCEPT_BACKOFF_MS instead. */
	struct loop_timer backoff;
	uint64_t accept_pauses;  /* times that happened */
	uint64_t n_evicted, n_refused;  /* for the metrics */
};

#define CHECKD_ACCEPT_BACKOFF_MS 100

/* Watches the listening socket fd (non-blocking) on d's loop; on failure
 * fd is closed and err says why.  0 or -errno. */
__attribute__((warn_unused_result))
int checkd_listener_start(struct checkd_listener *l, struct checkd *d, int fd,
			  const struct checkd_listener_ops *ops, char *err, size_t errlen);

/* Closes every connection, then the listening socket. */
void checkd_listener_stop(struct checkd_listener *l);

void checkd_conn_close(struct checkd_conn *c);

/* Mark c idle (evictable) or busy. */
void checkd_conn_set_idle(struct checkd_conn *c, int idle);

#endif
