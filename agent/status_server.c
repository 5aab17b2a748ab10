/* SPDX-License-Identifier: Apache-2.0 */
/* status_server.c - the Linux status server: one epoll loop, non-blocking
 * OpenSSL, mutual TLS.
 *
 * Every connection has one deadline.  Until its TLS handshake ends (the
 * peer has shown a certificate of our CA) it is a stranger and must finish
 * within handshake_timeout_ms; after that it must send its request within
 * client_timeout_ms of the handshake (or of its last answer, for
 * keep-alive).  Connections of one phase share one timeout, so each of the
 * two lists ordered by deadline is a FIFO: new and re-armed connections go
 * to the tail, expiry looks at the heads only.  A slow or silent
 * (slowloris) client is therefore cut off on time and never delays anyone
 * else; memory is bounded by max_clients x (one SSL object + bounded in/out
 * buffers).
 *
 * Strangers may not crowd out the checkers the endpoint exists for (issue
 * 16, finding 1; OpenSSH's MaxStartups): admit() bounds the strangers
 * mid-handshake per source (IPv4 address, IPv6 /64) and in total, a new
 * one evicting the oldest, and a connection that has finished its handshake
 * is never evicted.  checker_allow addresses are never counted as strangers
 * and take a stranger's slot when max_clients is reached.
 *
 * Facts are read synchronously from the kernel (netlink and procfs, no disk
 * and no peer involved), at most once per facts_cache_ms.
 */
#include "agent/status_server.h"
#include "agent/agent_platform.h"
#include "agent/agent_state.h"
#include "agent/read_budget.h"
#include "agent/agent_watch.h"
#include "agent-proto/facts.h"
#include "agent-proto/http_request.h"
#include "agent-proto/rules.h"
#include "agent-proto/status.h"
#include "bounded/buf.h"
#include "tlsfiles/tls_crl.h"
#include "tlsfiles/tls_keyfile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define IN_MAX (HTTP_MAX_REQUEST_LINE + 2 + HTTP_MAX_HEADER_BYTES + HTTP_MAX_HEADER_LINE + 4 + HTTP_MAX_BODY)
#define OUT_MAX (STATUS_DOC_MAX + 512)
#define MAX_REQUESTS_PER_CONN 1000
/* sent on every answer (DSR-Protocol): 1.2 sends beats when asked */
#define AGENT_PROTOCOL_REVISION "1.2"

enum conn_phase {
	CONN_HANDSHAKE = 0,
	CONN_READ,
	CONN_WRITE,
	CONN_WAIT,               /* a long-poll held until the generation moves or its time ends */
	CONN_PHASE_COUNT
};

struct conn {
	int fd;
	SSL *ssl;
	enum conn_phase phase;
	struct buf in, out;
	size_t out_off;
	size_t req_len;          /* bytes of in taken by the request being answered */
	int close_after;
	unsigned nreq;
	uint64_t deadline;
	uint32_t events;         /* what epoll waits for now */
	struct conn *prev, *next;
	int in_hs;               /* on the handshake list (hs_head), else on head */
	int allowed;             /* its source is in checker_allow */
	struct ip_addr src;      /* the peer's address, IPv4-mapped unmapped */
	char peer[64];
	/* long-poll (CONN_WAIT): on the waiters list, not the deadline FIFO */
	struct http_query wq;
	uint64_t wait_until;
	uint64_t beat_next;      /* 1.2: the next interim 102 (wq.has_beat) */
	struct conn *wprev, *wnext;
};

/* epoll data for the listening sockets */
enum listener_kind {
	LISTENER_STATUS = 0,
	LISTENER_AGENT_CHECK,
	LISTENER_KIND_COUNT
};

struct listener {
	int fd;
	enum listener_kind kind;
};

struct server {
	const struct agent_config *cfg;
	SSL_CTX *ctx;
	int ep;
	struct listener ls[LISTENER_KIND_COUNT];
	struct conn *head, *tail;   /* past the handshake, ordered by deadline */
	struct conn *hs_head, *hs_tail;  /* mid-handshake, ordered by deadline */
	uint32_t nconns;
	uint32_t n_strangers;       /* on the handshake list and not allowed */
	uint64_t last_full_log, last_evict_log;
	uint64_t accept_resume;     /* 0, or when to listen again after EMFILE */
	struct agent_state state;
	struct buf body;            /* scratch for rendering */
	struct tls_crl crl;         /* revoked checkers (tls_crl), reloaded on change */
	struct agent_watch watch;
	struct read_budget event_budget;  /* whole reads on a signalled change */
	uint64_t read_next_us;      /* a signalled change held back is read then */
	uint64_t tick_next_us;      /* the safety-net tick reads everything from then on */
	uint64_t look_due_us;       /* the next tick: watch_interval_ms after the last */
	int read_pending;           /* a signalled change waits for read_next_us */
	uint32_t announced_gen;     /* the generation the held long-polls were last woken for */
	struct conn *waiters;       /* long-polls held (CONN_WAIT), unordered */
	uint32_t nwaiters;
	char directors_file[AGENT_CONFIG_PATH_LEN + 16];
	uint64_t directors_written_ms;
};

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The first OpenSSL error as text, clearing the queue (never key material). */
static const char *ssl_reason(void)
{
	static char msg[160];
	unsigned long e = ERR_get_error();

	if (!e)
		return "connection closed";
	ERR_error_string_n(e, msg, sizeof(msg));
	ERR_clear_error();
	return msg;
}

/* --- the connection list ------------------------------------------------- */

static void list_unlink(struct server *s, struct conn *c)
{
	struct conn **head = c->in_hs ? &s->hs_head : &s->head;
	struct conn **tail = c->in_hs ? &s->hs_tail : &s->tail;

	if (c->prev)
		c->prev->next = c->next;
	else if (*head == c)
		*head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else if (*tail == c)
		*tail = c->prev;
	c->prev = c->next = NULL;
}

static void list_append(struct server *s, struct conn *c)
{
	struct conn **head = c->in_hs ? &s->hs_head : &s->head;
	struct conn **tail = c->in_hs ? &s->hs_tail : &s->tail;

	c->prev = *tail;
	c->next = NULL;
	if (*tail)
		(*tail)->next = c;
	else
		*head = c;
	*tail = c;
}

static void arm_deadline(struct server *s, struct conn *c)
{
	c->deadline = now_ms() + s->cfg->client_timeout_ms;
	list_unlink(s, c);
	list_append(s, c);
}

static void waiter_unlink(struct server *s, struct conn *c)
{
	if (c->phase != CONN_WAIT)
		return;
	if (c->wprev)
		c->wprev->wnext = c->wnext;
	else
		s->waiters = c->wnext;
	if (c->wnext)
		c->wnext->wprev = c->wprev;
	c->wprev = c->wnext = NULL;
	s->nwaiters--;
}

static void conn_close(struct server *s, struct conn *c)
{
	if (c->phase == CONN_WAIT)
		waiter_unlink(s, c);
	else
		list_unlink(s, c);
	if (c->in_hs && !c->allowed)
		s->n_strangers--;
	epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	SSL_free(c->ssl);
	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
	s->nconns--;
}

static int conn_wait(struct server *s, struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (c->events == events)
		return 0;
	c->events = events;
	return epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* --- answers ---------------------------------------------------------------- */

static int respond(struct server *s, struct conn *c, int status, const char *phrase, const char *extra,
		   const struct buf *body)
{
	int r;

	buf_reset(&c->out);
	c->out_off = 0;
	r = buf_appendf(&c->out,
			"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			"Cache-Control: no-store\r\nConnection: %s\r\nDSR-Protocol: " AGENT_PROTOCOL_REVISION "\r\n%s\r\n",
			status, phrase, body->len, c->close_after ? "close" : "keep-alive", extra);
	if (r == 0)
		r = buf_append(&c->out, body->data ? body->data : "", body->len);
	(void)s;
	return r;
}

static int respond_error(struct server *s, struct conn *c, enum http_error e, const char *why)
{
	const struct http_error_info *hi = &http_error_table[e];
	struct buf *b = &s->body;

	fprintf(stderr, "dsr-agent: %s: %d %s: %s\n", c->peer, hi->status, hi->phrase, why);
	c->close_after = 1;
	buf_reset(b);
	if (buf_appendf(b, "{\"error\":\"%s\"}\n", why) < 0)
		return -ENOMEM;
	return respond(s, c, hi->status, hi->phrase, e == HTTP_ERR_METHOD ? "Allow: GET\r\n" : "", b);
}

/* The facts for an answer: the watcher's, or read now when they are older
 * than facts_cache_ms.  A read here is a whole read like the tick's, so the
 * tick's next whole read is a gap away from it: a checker's request that
 * came just before the tick no longer makes the agent read everything
 * twice in a row. */
static const struct facts *server_facts(struct server *s, uint64_t t_ms, int *err)
{
	uint64_t before = s->state.read_at_ms;
	const struct facts *f = agent_state_facts(&s->state, t_ms, err);

	if (s->state.read_at_ms != before)
		s->tick_next_us = now_us() + READ_WHOLE_MIN_US;
	return f;
}

/* The status document for query q, as the answer on c. */
static int answer_status(struct server *s, struct conn *c, const struct http_query *q)
{
	const struct facts *f;
	int r, err = 0;

	f = server_facts(s, now_ms(), &err);
	if (!f)
		return respond_error(s, c, HTTP_ERR_UNAVAILABLE, "cannot read the facts");
	buf_reset(&s->body);
	if (q->has_target)
		r = status_render(f, &q->target, 1, &s->body);
	else
		r = status_render(f, s->cfg->targets, s->cfg->n_targets, &s->body);
	if (r < 0)
		return respond_error(s, c, HTTP_ERR_UNAVAILABLE, "status document too large");
	return respond(s, c, 200, "OK", "", &s->body);
}

/* Returns like respond(), or 1 when the request is held as a long-poll. */
static int answer(struct server *s, struct conn *c, const struct http_request *req)
{
	struct http_query q;
	const char *why = "";
	uint64_t t = now_ms();
	int err = 0;

	if (strcmp(req->path, "/v1/status") != 0)
		return respond_error(s, c, HTTP_ERR_NOT_FOUND, "no such resource");
	if (http_query_parse(req->query, &q, &why) < 0)
		return respond_error(s, c, HTTP_ERR_BAD_REQUEST, why);
	/* on news, and once a second anyway: the file's times say who still reports */
	if (req->n_directors && (agent_state_directors_note(&s->state, req->directors, req->n_directors, t) ||
				 t - s->directors_written_ms >= 1000)) {
		if (s->directors_file[0])
			(void)agent_state_directors_write(&s->state, s->directors_file, t);
		s->directors_written_ms = t;
	}
	if (q.has_wait && q.has_after && q.wait_ms > 0 && server_facts(s, t, &err) &&
	    q.after == s->state.generation) {
		uint32_t w = q.wait_ms < HTTP_WAIT_CAP_MS ? q.wait_ms : HTTP_WAIT_CAP_MS;

		c->wq = q;
		c->wait_until = t + w;
		c->beat_next = t + q.beat_ms;
		list_unlink(s, c);      /* no client_timeout while held */
		c->phase = CONN_WAIT;
		c->wprev = NULL;
		c->wnext = s->waiters;
		if (s->waiters)
			s->waiters->wprev = c;
		s->waiters = c;
		s->nwaiters++;
		return 1;
	}
	return answer_status(s, c, &q);
}

/* --- the connection state machine ------------------------------------------ */

/* An answer is out: close, or go back to reading.  Returns 1 when the
 * connection lives on (the caller loops: a pipelined request may be waiting
 * in `in` or in SSL; never recursion, whose depth a client would choose),
 * 0 when it was closed. */
static int conn_after_write(struct server *s, struct conn *c)
{
	if (c->close_after) {
		SSL_shutdown(c->ssl); /* one try: a close_notify, never waiting */
		conn_close(s, c);
		return 0;
	}
	buf_consume(&c->in, c->req_len);
	c->req_len = 0;
	c->phase = CONN_READ;
	arm_deadline(s, c);
	return 1;
}

/* The handshake is done: the peer holds a certificate of our CA.  It leaves
 * the strangers' list and gets client_timeout_ms for its request. */
static void conn_authenticated(struct server *s, struct conn *c)
{
	list_unlink(s, c);
	if (!c->allowed)
		s->n_strangers--;
	c->in_hs = 0;
	c->phase = CONN_READ;
	c->deadline = now_ms() + s->cfg->client_timeout_ms;
	list_append(s, c);
}

static int try_request(struct server *s, struct conn *c)
{
	struct http_request req;
	int r = http_request_parse(c->in.data ? c->in.data : "", c->in.len, &req);

	if (r == 0) {
		if (c->in.len >= c->in.max) /* cannot happen within the limits; be safe */
			return respond_error(s, c, HTTP_ERR_HEADERS_TOO_LARGE, "request too large") == 0 ? 1 : -1;
		return 0;
	}
	if (r < 0)
		return respond_error(s, c, req.error, req.why) == 0 ? 1 : -1;
	c->req_len = (size_t)r;
	c->nreq++;
	c->close_after = !req.keep_alive || c->nreq >= MAX_REQUESTS_PER_CONN;
	r = answer(s, c, &req);
	return r == 0 ? 1 : r == 1 ? 2 : -1;
}

static void conn_drive(struct server *s, struct conn *c);

/* A held long-poll ends: answer it with the document of now. */
static void waiter_answer(struct server *s, struct conn *c)
{
	struct http_query q = c->wq;

	waiter_unlink(s, c);
	c->phase = CONN_WRITE;
	list_append(s, c);
	arm_deadline(s, c);
	if (s->state.valid && q.after == s->state.generation) {
		/* the wait ended with nothing new: a heartbeat, no document */
		char hdr[48];

		snprintf(hdr, sizeof(hdr), "DSR-Generation: %u\r\n", s->state.generation);
		buf_reset(&s->body);
		if (respond(s, c, 304, "Not Modified", hdr, &s->body) < 0) {
			conn_close(s, c);
			return;
		}
		conn_drive(s, c);
		return;
	}
	if (answer_status(s, c, &q) < 0) {
		conn_close(s, c);
		return;
	}
	conn_drive(s, c);
}

/* The generation moved: answer the long-polls that wait for another one.
 * Not "every waiter until none is left": answering one may read its
 * client's next request at once (conn_drive), asked after the generation
 * just sent and held again; answered in the same loop it got a 304 at
 * once, which a checker takes for an agent that does not hold (dsr-checkd
 * then waits for its interval): a change a few ms later, the second of two
 * sysctl writes, was drained a second late (issue 19).  A re-held one
 * goes on the head of the list, before the one the walk goes on to. */
static void facts_changed(struct server *s)
{
	struct conn *c, *n;

	s->announced_gen = s->state.generation;
	for (c = s->waiters; c; c = n) {
		n = c->wnext;
		if (!s->state.valid || c->wq.after != s->state.generation)
			waiter_answer(s, c);
	}
}

/* The CPU time this thread has used (us): what a read costs is counted in
 * it, not in wall time, so a read preempted by other work on a busy host
 * does not spend the budget as if it had been computing. */
static uint64_t cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The tick's quick look at arp_ignore, from descriptors kept open: at most
 * 17 small files, bounded by construction, so it has no budget.  It had
 * one, in CPU time, refilled at a twentieth of the wall clock: a stall of
 * the host (a virtual machine descheduled) charged to the reading thread
 * as 50 ms of CPU would have hidden the ARP sysctls for a second, the
 * likely cause of the arp_ignore resets the lab saw drained a second late
 * (3 in 100, 1 in 10 under load). */
static void facts_quick_look(struct server *s)
{
	if (agent_state_quick_refresh(&s->state) > 0)
		facts_changed(s);
}

/* The facts may have changed: read them again, within the budget (read_budget.h)
 * (later if it is spent: read_pending); on a new generation every held
 * long-poll is answered now. */
static void facts_look_again(struct server *s, int tick)
{
	uint64_t t0 = now_us(), c0, d;
	int r;

	if (tick && t0 < s->tick_next_us) {
		facts_quick_look(s);
		return;
	}
	if (!tick && read_budget_credit(&s->event_budget, t0, READ_GAP_EVENT) < 0) {
		s->read_pending = 1;
		s->read_next_us = read_budget_due(&s->event_budget, READ_GAP_EVENT);
		return;
	}
	s->read_pending = 0;
	c0 = cpu_us();
	r = agent_state_refresh(&s->state, t0 / 1000);
	d = cpu_us() - c0;
	if (!tick)
		read_budget_spend(&s->event_budget, d);
	s->tick_next_us = now_us() + (READ_GAP_TICK * d > READ_WHOLE_MIN_US ? READ_GAP_TICK * d : READ_WHOLE_MIN_US);
	if (r != 0)
		facts_changed(s);
}

/* The tick (watch_interval_ms), timed by the loop's epoll timeout, not a
 * timer descriptor (whose read() was one more system call a tick).  It is
 * due an interval after the last one; a wake-up for something else (a
 * request, a long-poll's end) in the second half of the interval takes it
 * then, so the timer's own wake-ups are fewer and no gap between two looks
 * is ever longer than the interval. */
static void tick_due(struct server *s)
{
	uint64_t t = now_us(), iv = (uint64_t)s->cfg->watch_interval_ms * 1000u;

	if (t + iv / 2 < s->look_due_us)
		return;
	s->look_due_us = t + iv;
	facts_look_again(s, 1);
}

/* A signalled change held back by the budget, when its time has come. */
static void facts_pending_due(struct server *s)
{
	if (s->read_pending && now_us() >= s->read_next_us)
		facts_look_again(s, 0);
}

/* A beat (1.2) on a held long-poll: an interim response, nothing more.
 * One small TLS record into a send buffer that holds thousands of them:
 * one that cannot be written at once means a checker that reads nothing,
 * and the connection closes (a half-written record cannot be left for a
 * later answer to follow).  0, or -1 when c was closed. */
static int waiter_beat(struct server *s, struct conn *c)
{
	static const char beat[] = "HTTP/1.1 102 Processing\r\n\r\n";
	int r;

	ERR_clear_error();
	r = SSL_write(c->ssl, beat, (int)sizeof(beat) - 1);
	if (r == (int)sizeof(beat) - 1)
		return 0;
	fprintf(stderr, "dsr-agent: %s: closed: a beat could not be sent (%s)\n", c->peer,
		SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_WRITE ? "the checker reads nothing" : ssl_reason());
	ERR_clear_error();
	conn_close(s, c);
	return -1;
}

/* Long-polls whose time is up, and beats that are due; returns the next
 * one's time (UINT64_MAX: none). */
static uint64_t waiters_expire(struct server *s)
{
	uint64_t t = now_ms(), next = UINT64_MAX;
	struct conn *c = s->waiters, *n;

	for (; c; c = n) {
		n = c->wnext;
		if (c->wait_until <= t) {
			waiter_answer(s, c);
			continue;
		}
		if (c->wq.has_beat && c->beat_next <= t) {
			/* late (a stall): the next one a whole beat from now */
			c->beat_next = c->beat_next + c->wq.beat_ms > t ? c->beat_next + c->wq.beat_ms : t + c->wq.beat_ms;
			if (waiter_beat(s, c) < 0)
				continue;
		}
		if (c->wait_until < next)
			next = c->wait_until;
		if (c->wq.has_beat && c->beat_next < next)
			next = c->beat_next;
	}
	return next;
}

/* Bytes or a close on a held long-poll: a close ends it, anything else
 * waits in the input buffer for its turn. */
static void waiter_readable(struct server *s, struct conn *c)
{
	char tmp[1024];
	size_t room = c->in.max - c->in.len;
	int n, e;

	ERR_clear_error();
	n = SSL_read(c->ssl, tmp, (int)(room < sizeof(tmp) ? room : sizeof(tmp)));
	if (n > 0) {
		if (buf_append(&c->in, tmp, (size_t)n) < 0)
			conn_close(s, c);
		return;
	}
	e = SSL_get_error(c->ssl, n);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return;
	ERR_clear_error();
	conn_close(s, c);
}

static void conn_drive(struct server *s, struct conn *c)
{
	for (;;) {
		int r, e;

		switch (c->phase) {
		case CONN_HANDSHAKE:
			ERR_clear_error();
			r = SSL_do_handshake(c->ssl);
			if (r == 1) {
				conn_authenticated(s, c);
				continue;
			}
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ) {
				conn_wait(s, c, EPOLLIN);
				return;
			}
			if (e == SSL_ERROR_WANT_WRITE) {
				conn_wait(s, c, EPOLLOUT);
				return;
			}
			fprintf(stderr, "dsr-agent: %s: TLS handshake failed: %s\n", c->peer, ssl_reason());
			conn_close(s, c);
			return;
		case CONN_READ:
			r = try_request(s, c);
			if (r < 0) {
				conn_close(s, c);
				return;
			}
			if (r == 1) {
				c->phase = CONN_WRITE;
				continue;
			}
			if (r == 2) {            /* held: wait for the generation */
				conn_wait(s, c, EPOLLIN);
				return;
			}
			{
				char tmp[4096];
				size_t room = c->in.max - c->in.len;
				int n;

				ERR_clear_error();
				n = SSL_read(c->ssl, tmp, (int)(room < sizeof(tmp) ? room : sizeof(tmp)));
				if (n > 0) {
					if (buf_append(&c->in, tmp, (size_t)n) < 0) {
						conn_close(s, c);
						return;
					}
					continue;
				}
				e = SSL_get_error(c->ssl, n);
				if (e == SSL_ERROR_WANT_READ) {
					conn_wait(s, c, EPOLLIN);
					return;
				}
				if (e == SSL_ERROR_WANT_WRITE) {
					conn_wait(s, c, EPOLLOUT);
					return;
				}
				if (e != SSL_ERROR_ZERO_RETURN && c->in.len)
					fprintf(stderr, "dsr-agent: %s: read failed: %s\n", c->peer, ssl_reason());
				ERR_clear_error();
				conn_close(s, c);
				return;
			}
		case CONN_WRITE:
			while (c->out_off < c->out.len) {
				ERR_clear_error();
				r = SSL_write(c->ssl, c->out.data + c->out_off, (int)(c->out.len - c->out_off));
				if (r > 0) {
					c->out_off += (size_t)r;
					continue;
				}
				e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_WANT_WRITE) {
					conn_wait(s, c, EPOLLOUT);
					return;
				}
				if (e == SSL_ERROR_WANT_READ) {
					conn_wait(s, c, EPOLLIN);
					return;
				}
				fprintf(stderr, "dsr-agent: %s: write failed: %s\n", c->peer, ssl_reason());
				conn_close(s, c);
				return;
			}
			if (!conn_after_write(s, c))
				return;
			continue;
		case CONN_WAIT:
			waiter_readable(s, c);
			return;
		default:
			conn_close(s, c);
			return;
		}
	}
}

/* --- accepting ------------------------------------------------------------- */

static void peer_name(const struct sockaddr_storage *ss, char *out, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
		if (strncmp(a, "::ffff:", 7) == 0 && strchr(a, '.'))
			memmove(a, a + 7, strlen(a + 7) + 1);
	}
	snprintf(out, n, "%s:%u", a, port);
}

/* The HAProxy agent-check line: state and weight only, then close. */
static void agent_check_answer(struct server *s, int fd)
{
	const struct facts *f;
	struct findings *fs;
	char line[64];
	int err = 0, down = 0;
	size_t i, j;

	f = server_facts(s, now_ms(), &err);
	if (!f) {
		snprintf(line, sizeof(line), "down # facts\n");
	} else if (f->admin == ADMIN_STATE_MAINT) {
		snprintf(line, sizeof(line), "maint\n");
	} else if (f->admin == ADMIN_STATE_DRAIN) {
		snprintf(line, sizeof(line), "drain\n");
	} else {
		fs = malloc(sizeof(*fs));
		for (i = 0; fs && i < s->cfg->n_targets && !down; i++) {
			findings_init(fs);
			rules_evaluate(f, &s->cfg->targets[i].vip, s->cfg->targets[i].port, fs);
			for (j = 0; j < fs->n; j++) {
				enum finding_layer l = finding_table[fs->items[j].code].layer;

				if (finding_table[fs->items[j].code].severity == FINDING_SEVERITY_CRITICAL &&
				    (l == FINDING_LAYER_DR || l == FINDING_LAYER_SERVICE))
					down = 1;
			}
		}
		free(fs);
		/* HAProxy leaves DRAIN or MAINT only on "ready": say it with every
		 * "up", so that `dsr-agent ready` after a drain round-trips */
		if (down)
			snprintf(line, sizeof(line), "down # dr\n");
		else if (f->weight >= 0)
			snprintf(line, sizeof(line), "up ready %d%%\n", f->weight);
		else
			snprintf(line, sizeof(line), "up ready\n");
	}
	/* a fresh socket's send buffer takes a short line without blocking */
	(void)!send(fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

/* The peer's address, an IPv4-mapped IPv6 one as IPv4. */
static void peer_addr(const struct sockaddr_storage *ss, struct ip_addr *out)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	memset(out, 0, sizeof(*out));
	if (ss->ss_family == AF_INET) {
		out->family = IP_FAMILY_V4;
		memcpy(out->b, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const uint8_t *b = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;

		if (memcmp(b, mapped, 12) == 0) {
			out->family = IP_FAMILY_V4;
			memcpy(out->b, b + 12, 4);
		} else {
			out->family = IP_FAMILY_V6;
			memcpy(out->b, b, 16);
		}
	}
}

/* One source, as the per-source bound counts: an IPv4 address, an IPv6 /64
 * (what one host is usually given). */
static int same_source(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family && ipaddr_same_prefix(a, b, a->family == IP_FAMILY_V6 ? 64 : 32);
}

/* The oldest stranger mid-handshake (from src's source when src is given),
 * or NULL. */
static struct conn *oldest_stranger(struct server *s, const struct ip_addr *src, uint32_t *count)
{
	struct conn *c, *first = NULL;
	uint32_t n = 0;

	for (c = s->hs_head; c; c = c->next) {
		if (c->allowed || (src && !same_source(&c->src, src)))
			continue;
		if (!first)
			first = c;
		n++;
	}
	if (count)
		*count = n;
	return first;
}

static void evict(struct server *s, struct conn *c, const char *why)
{
	uint64_t t = now_ms();

	if (t - s->last_evict_log > 1000) {
		fprintf(stderr, "dsr-agent: %s: closed mid-handshake to make room (%s)\n", c->peer, why);
		s->last_evict_log = t;
	}
	conn_close(s, c);
}

/* May a new connection from src be admitted?  Makes room by evicting the
 * oldest stranger mid-handshake (of the same source first) when a bound is
 * reached; a connection past its handshake is never evicted.  Returns 1 to
 * admit, 0 to refuse. */
static int admit(struct server *s, const struct ip_addr *src, int allowed)
{
	const struct agent_config *cfg = s->cfg;
	struct conn *victim;
	uint32_t n = 0;

	if (!allowed) {
		victim = oldest_stranger(s, src, &n);
		if (victim && n >= cfg->max_handshakes_per_source)
			evict(s, victim, "max_handshakes_per_source");
		else if (s->n_strangers >= cfg->max_handshakes && (victim = oldest_stranger(s, NULL, NULL)))
			evict(s, victim, "max_handshakes");
	}
	if (s->nconns < cfg->max_clients)
		return 1;
	victim = oldest_stranger(s, NULL, NULL);
	if (!victim)
		return 0;
	evict(s, victim, "max_clients");
	return 1;
}

/* Out of descriptors: a level-triggered listener would wake the loop again
 * at once, forever.  Stop listening for 100 ms instead; the loop resumes. */
static void accept_pause(struct server *s)
{
	int i;

	if (s->accept_resume)
		return;
	for (i = 0; i < LISTENER_KIND_COUNT; i++)
		if (s->ls[i].fd >= 0)
			epoll_ctl(s->ep, EPOLL_CTL_DEL, s->ls[i].fd, NULL);
	s->accept_resume = now_ms() + 100;
}

static void accept_resume_due(struct server *s)
{
	int i;

	if (!s->accept_resume || now_ms() < s->accept_resume)
		return;
	s->accept_resume = 0;
	for (i = 0; i < LISTENER_KIND_COUNT; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &s->ls[i] };

		if (s->ls[i].fd >= 0 && epoll_ctl(s->ep, EPOLL_CTL_ADD, s->ls[i].fd, &ev) < 0)
			fprintf(stderr, "dsr-agent: cannot listen again: %s\n", strerror(errno));
	}
}

static void accept_all(struct server *s, struct listener *l)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;
		struct epoll_event ev;
		struct ip_addr src;
		int allowed;

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				uint64_t t = now_ms();

				if (t - s->last_full_log > 1000) {
					fprintf(stderr, "dsr-agent: out of file descriptors, not accepting for 100 ms\n");
					s->last_full_log = t;
				}
				accept_pause(s);
			}
			return;
		}
		if (l->kind == LISTENER_AGENT_CHECK) {
			agent_check_answer(s, fd);
			continue;
		}
		peer_addr(&ss, &src);
		allowed = agent_config_checker_allowed(s->cfg, &src);
		if (!admit(s, &src, allowed)) {
			uint64_t t = now_ms();

			if (t - s->last_full_log > 1000) {
				fprintf(stderr, "dsr-agent: %u connections (max_clients), closing new ones\n", s->nconns);
				s->last_full_log = t;
			}
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		buf_init(&c->in, IN_MAX);
		buf_init(&c->out, OUT_MAX);
		peer_name(&ss, c->peer, sizeof(c->peer));
		c->ssl = SSL_new(s->ctx);
		if (!c->ssl || !SSL_set_fd(c->ssl, fd)) {
			SSL_free(c->ssl);
			close(fd);
			free(c);
			continue;
		}
		SSL_set_accept_state(c->ssl);
		c->events = EPOLLIN;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			SSL_free(c->ssl);
			close(fd);
			free(c);
			continue;
		}
		s->nconns++;
		c->src = src;
		c->allowed = allowed;
		c->in_hs = 1;
		if (!allowed)
			s->n_strangers++;
		c->deadline = now_ms() + s->cfg->handshake_timeout_ms;
		list_append(s, c);
	}
}

static void expire(struct server *s)
{
	uint64_t t = now_ms();

	while (s->hs_head && s->hs_head->deadline <= t) {
		struct conn *c = s->hs_head;

		if (t - s->last_evict_log > 1000) {
			fprintf(stderr, "dsr-agent: %s: timed out after %u ms (TLS handshake)\n", c->peer,
				s->cfg->handshake_timeout_ms);
			s->last_evict_log = t;
		}
		conn_close(s, c);
	}
	while (s->head && s->head->deadline <= t) {
		struct conn *c = s->head;

		if (c->phase != CONN_READ || c->in.len || c->nreq == 0)
			fprintf(stderr, "dsr-agent: %s: timed out after %u ms (%s)\n", c->peer,
				s->cfg->client_timeout_ms,
				c->phase == CONN_HANDSHAKE ? "TLS handshake" :
				c->phase == CONN_WRITE ? "writing" : "reading the request");
		conn_close(s, c);
	}
}

/* Milliseconds until the next deadline, tick or the end of an accept
 * pause, -1 for none. */
static int next_timeout(const struct server *s)
{
	uint64_t t0 = now_ms(), next = UINT64_MAX;

	if (s->head)
		next = s->head->deadline;
	if (s->hs_head && s->hs_head->deadline < next)
		next = s->hs_head->deadline;
	if (s->accept_resume && s->accept_resume < next)
		next = s->accept_resume;
	if (s->read_pending && s->read_next_us / 1000 + 1 < next)
		next = s->read_next_us / 1000 + 1;
	if ((s->look_due_us + 999) / 1000 < next)
		next = (s->look_due_us + 999) / 1000;
	if (next == UINT64_MAX)
		return -1;
	return next > t0 ? (int)(next - t0) : 0;
}

/* --- setup ------------------------------------------------------------------ */

/* --- revocation and key files (issue 16, finding 7) ---------------------- */

static int key_file_private(const char *path)
{
	char err[400];

	if (tls_keyfile_check(path, err, sizeof(err)) < 0) {
		fprintf(stderr, "dsr-agent: tls_key: %s\n", err);
		return 0;
	}
	return 1;
}

/* Loads tls_crl (if set) over the verify store of s->ctx.  0 or -errno. */
static int crl_start(struct server *s)
{
	char err[400];
	int r = tls_crl_load(&s->crl, s->ctx, s->cfg->tls_ca, s->cfg->tls_crl, err, sizeof(err));

	if (r < 0)
		fprintf(stderr, "dsr-agent: tls_crl: %s\n", err);
	else if (s->cfg->tls_crl[0])
		fprintf(stderr, "dsr-agent: tls_crl %s: %u revoked certificate(s); checked for changes every %u ms\n",
			s->cfg->tls_crl, s->crl.revoked, TLS_CRL_CHECK_MS);
	return r;
}

/* Called from the loop: a changed CRL is loaded, and every session and
 * connection verified under the old one is dropped (a resumed session or a
 * kept-alive connection would not be verified again), so a revoked
 * checker is refused within TLS_CRL_CHECK_MS without a restart. */
static void crl_tick(struct server *s)
{
	char err[400];
	unsigned n = 0;
	int r = tls_crl_refresh(&s->crl, s->ctx, (int64_t)now_ms(), err, sizeof(err));

	if (r < 0)
		fprintf(stderr, "dsr-agent: tls_crl: %s\n", err);
	if (r <= 0)
		return;
	tls_crl_server_forget_sessions(s->ctx);
	while (s->head) {
		conn_close(s, s->head);
		n++;
	}
	fprintf(stderr, "dsr-agent: tls_crl %s reloaded: %u revoked certificate(s); %u connection(s) closed\n",
		s->cfg->tls_crl, s->crl.revoked, n);
}

static SSL_CTX *tls_context(const struct agent_config *cfg)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	STACK_OF(X509_NAME) *cas;

	if (!ctx)
		return NULL;
	if (!SSL_CTX_set_min_proto_version(ctx, cfg->tls_min_minor == 2 ? TLS1_2_VERSION : TLS1_3_VERSION))
		goto fail;
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1) {
		fprintf(stderr, "dsr-agent: tls_cert %s: %s\n", cfg->tls_cert, ssl_reason());
		goto out;
	}
	if (!key_file_private(cfg->tls_key))
		goto out;
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		fprintf(stderr, "dsr-agent: tls_key %s: %s\n", cfg->tls_key, ssl_reason());
		goto out;
	}
	if (SSL_CTX_load_verify_locations(ctx, cfg->tls_ca, NULL) != 1) {
		fprintf(stderr, "dsr-agent: tls_ca %s: %s\n", cfg->tls_ca, ssl_reason());
		goto out;
	}
	cas = SSL_load_client_CA_file(cfg->tls_ca);
	if (cas)
		SSL_CTX_set_client_CA_list(ctx, cas);
	/* mutual TLS, always: no certificate or a foreign CA fails the handshake */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"dsr-agent", 9);
	SSL_CTX_set_num_tickets(ctx, 1);
	return ctx;
fail:
	fprintf(stderr, "dsr-agent: TLS setup: %s\n", ssl_reason());
out:
	SSL_CTX_free(ctx);
	return NULL;
}

/* SIGHUP: the certificate, key, CA bundle and CRL read again from the same
 * paths into a new context, which every new handshake uses; connections
 * already open keep theirs (a checker's kept-alive connection is not cut,
 * so a rotation drains nothing).  A file that does not load keeps the old
 * context, and says why. */
static void tls_reload(struct server *s)
{
	char err[400];
	SSL_CTX *n = tls_context(s->cfg);

	if (!n) {
		fprintf(stderr, "dsr-agent: SIGHUP: the certificate files did not load; serving with the old ones\n");
		return;
	}
	if (tls_crl_load(&s->crl, n, s->cfg->tls_ca, s->cfg->tls_crl, err, sizeof(err)) < 0) {
		fprintf(stderr, "dsr-agent: SIGHUP: tls_crl: %s; serving with the old certificate files\n", err);
		SSL_CTX_free(n);
		return;
	}
	SSL_CTX_free(s->ctx); /* each open connection holds its own reference */
	s->ctx = n;
	fprintf(stderr, "dsr-agent: SIGHUP: certificate %s, key, CA %s%s%s reloaded for new connections\n",
		s->cfg->tls_cert, s->cfg->tls_ca, s->cfg->tls_crl[0] ? " and CRL " : "", s->cfg->tls_crl);
}

static int listen_on(const struct ip_addr *a, uint16_t port, int *out)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1, zero = 0;
	char t[IPADDR_STRLEN];

	memset(&ss, 0, sizeof(ss));
	if (a->family == IP_FAMILY_V4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->b, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->b, 16);
		sl = sizeof(*s6);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 512) < 0) {
		int e = errno;

		fprintf(stderr, "dsr-agent: cannot listen on %s%s%s:%u: %s\n", a->family == IP_FAMILY_V6 ? "[" : "",
			ipaddr_format(a, t), a->family == IP_FAMILY_V6 ? "]" : "", port, strerror(e));
		close(fd);
		return -e;
	}
	*out = fd;
	return 0;
}

/* Idle TLS clients cost a descriptor each: take what the hard limit allows. */
static void raise_fd_limit(uint32_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < (rlim_t)want + 32) {
		rl.rlim_cur = rl.rlim_max;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max > (rlim_t)want + 32)
			rl.rlim_cur = (rlim_t)want + 32;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < (rlim_t)want + 16)
		fprintf(stderr, "dsr-agent: warning: open-file limit %llu is below max_clients %u\n",
			(unsigned long long)rl.rlim_cur, want);
}

static int watch_start(struct server *s)
{
	int r = agent_watch_open(&s->watch, s->cfg), i, e = 0;

	if (r < 0) {
		fprintf(stderr, "dsr-agent: cannot start watching: %s\n", strerror(-r));
		return r;
	}
	for (i = 0; i < AGENT_WATCH_SRC_COUNT; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &s->watch.fd[i] };

		if (s->watch.fd[i] >= 0 && epoll_ctl(s->ep, EPOLL_CTL_ADD, s->watch.fd[i], &ev) < 0)
			return -errno;
	}
	(void)agent_state_facts(&s->state, now_ms(), &e);
	read_budget_start(&s->event_budget, now_us());
	s->look_due_us = now_us() + (uint64_t)s->cfg->watch_interval_ms * 1000u;
	return 0;
}

static void watch_event(struct server *s, enum agent_watch_src src)
{
	if (agent_watch_drain(&s->watch, src))
		facts_look_again(s, 0);
}

int status_server_run(const struct agent_config *cfg)
{
	static struct server s; /* holds the facts model (~700 KiB): not on the stack */
	struct sigaction sa;
	struct epoll_event evs[64];
	int r, i;
	char t[IPADDR_STRLEN];

	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	s.ep = -1;
	for (i = 0; i < AGENT_WATCH_SRC_COUNT; i++)
		s.watch.fd[i] = -1;
	if (cfg->state_file[0])
		snprintf(s.directors_file, sizeof(s.directors_file), "%s.directors", cfg->state_file);
	s.ls[0].fd = s.ls[1].fd = -1;
	s.ls[LISTENER_STATUS].kind = LISTENER_STATUS;
	s.ls[LISTENER_AGENT_CHECK].kind = LISTENER_AGENT_CHECK;
	buf_init(&s.body, STATUS_DOC_MAX);
	agent_state_init(&s.state, cfg);
	raise_fd_limit(cfg->max_clients);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	s.ctx = tls_context(cfg);
	if (!s.ctx)
		return -EINVAL;
	if (crl_start(&s) < 0) {
		SSL_CTX_free(s.ctx);
		return -EINVAL;
	}
	r = listen_on(&cfg->listen, cfg->port, &s.ls[LISTENER_STATUS].fd);
	if (r == 0 && cfg->agent_check_port)
		r = listen_on(&cfg->agent_check_listen, cfg->agent_check_port, &s.ls[LISTENER_AGENT_CHECK].fd);
	if (r < 0)
		goto out;
	s.ep = epoll_create1(EPOLL_CLOEXEC);
	if (s.ep < 0) {
		r = -errno;
		goto out;
	}
	for (i = 0; i < LISTENER_KIND_COUNT; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &s.ls[i] };

		if (s.ls[i].fd >= 0 && epoll_ctl(s.ep, EPOLL_CTL_ADD, s.ls[i].fd, &ev) < 0) {
			r = -errno;
			goto out;
		}
	}
	r = watch_start(&s);
	if (r < 0)
		goto out;
	fprintf(stderr, "dsr-agent: serving /v1/status on %s%s%s:%u (TLS %s+, client certificates required)\n",
		cfg->listen.family == IP_FAMILY_V6 ? "[" : "", ipaddr_format(&cfg->listen, t),
		cfg->listen.family == IP_FAMILY_V6 ? "]" : "", cfg->port, cfg->tls_min_minor == 2 ? "1.2" : "1.3");
	if (cfg->agent_check_port)
		fprintf(stderr, "dsr-agent: agent-check line on port %u\n", cfg->agent_check_port);

	while (!stop_requested) {
		int n, timeout = -1;

		{
			uint64_t t0 = now_ms(), next = waiters_expire(&s);
			int t2 = next_timeout(&s);

			if (next != UINT64_MAX)
				timeout = next > t0 ? (int)(next - t0 < 60000 ? next - t0 : 60000) : 0;
			if (t2 >= 0 && (timeout < 0 || t2 < timeout))
				timeout = t2;
		}
		if (s.crl.path[0] && (timeout < 0 || timeout > TLS_CRL_CHECK_MS))
			timeout = TLS_CRL_CHECK_MS;
		n = epoll_wait(s.ep, evs, 64, timeout);
		if (reload_requested) {
			reload_requested = 0;
			tls_reload(&s);
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		/* connections first, then the listeners: admit() may close a
		 * connection whose event is in this batch */
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &s.ls[0] || p == &s.ls[1])
				continue;
			if (p >= (void *)&s.watch.fd[0] && p < (void *)&s.watch.fd[AGENT_WATCH_SRC_COUNT])
				watch_event(&s, (enum agent_watch_src)((int *)p - s.watch.fd));
			else
				conn_drive(&s, p);
		}
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if ((p == &s.ls[0] || p == &s.ls[1]) && !s.accept_resume)
				accept_all(&s, p);
		}
		expire(&s);
		accept_resume_due(&s);
		facts_pending_due(&s);
		tick_due(&s);
		crl_tick(&s);
		/* a request's own read (its facts older than facts_cache_ms) may
		 * have moved the generation: the other held long-polls (another
		 * director's) hear of it now, not at the end of their wait */
		if (s.state.generation != s.announced_gen)
			facts_changed(&s);
	}
	if (stop_requested)
		fprintf(stderr, "dsr-agent: stopping\n");
	r = 0;
out:
	while (s.head)
		conn_close(&s, s.head);
	while (s.hs_head)
		conn_close(&s, s.hs_head);
	for (i = 0; i < LISTENER_KIND_COUNT; i++)
		if (s.ls[i].fd >= 0)
			close(s.ls[i].fd);
	if (s.ep >= 0)
		close(s.ep);
	agent_watch_close(&s.watch);
	SSL_CTX_free(s.ctx);
	buf_free(&s.body);
	return r;
}
