/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_rs.c - the real-server table and its probes; see checkd_rs.h.
 *
 * Each real server has one timer: while idle it fires when the next probe is
 * due (the earliest next_due of its targets' state machines), while probing
 * at the probe's deadline.  Its socket is registered only for what the TLS
 * connection waits for, so a hung agent costs one idle registration and
 * its own deadline, never another server's time. */
#include "checker/dsr-checkd/rs.h"
#include "checker/dsr-checkd/arp.h"
#include "checker/dsr-checkd/datapath.h"
#include "checker/dsr-checkd/track.h"
#include "checker/dsr-checkd/director.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "agent-proto/facts.h"
#include "agent-proto/http_request.h"
#include "agent-proto/status.h"
#include "bounded/textesc.h"
#include "checker/lib/verdict.h"

static int addr_cmp(const struct ip_addr *a, uint16_t pa, const struct ip_addr *b, uint16_t pb)
{
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	r = memcmp(a->b, b->b, ipaddr_len(a));
	if (r)
		return r;
	return pa == pb ? 0 : pa < pb ? -1 : 1;
}

static size_t lower_bound(const struct checkd *d, const struct ip_addr *a, uint16_t port)
{
	size_t lo = 0, hi = d->n_rs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr_cmp(&d->rs[mid]->addr, d->rs[mid]->agent_port, a, port) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct checkd_rs *checkd_rs_find(const struct checkd *d, const struct ip_addr *addr, uint16_t agent_port)
{
	size_t i = lower_bound(d, addr, agent_port);

	if (i < d->n_rs && !addr_cmp(&d->rs[i]->addr, d->rs[i]->agent_port, addr, agent_port))
		return d->rs[i];
	return NULL;
}

/* rs's target vip:port, or NULL; *rs_out gets rs when found. */
static struct checkd_target *target_in(struct checkd_rs *rs, const struct ip_addr *vip, uint16_t port,
				       struct checkd_rs **rs_out)
{
	size_t k;

	for (k = 0; k < rs->n_targets; k++) {
		if (ipaddr_equal(&rs->targets[k].vip, vip) && rs->targets[k].port == port) {
			if (rs_out)
				*rs_out = rs;
			return &rs->targets[k];
		}
	}
	return NULL;
}

/* The agent port of a configured real server. */
static uint16_t conf_agent_port(const struct checkd *d, const struct checkd_conf_rs *c)
{
	return (uint16_t)(c->agent_port ? c->agent_port : d->default_agent_port);
}

struct checkd_target *checkd_target_find(const struct checkd *d, const struct ip_addr *addr,
					 const struct ip_addr *vip, uint16_t port, struct checkd_rs **rs_out)
{
	struct checkd_target *t;
	size_t i;

	for (i = lower_bound(d, addr, 0); i < d->n_rs && ipaddr_equal(&d->rs[i]->addr, addr); i++)
		if ((t = target_in(d->rs[i], vip, port, rs_out)))
			return t;
	return NULL;
}

struct checkd_target *checkd_target_of(const struct checkd *d, const struct checkd_conf_rs *c,
				       const struct ip_addr *vip, uint16_t port, struct checkd_rs **rs_out)
{
	struct checkd_rs *rs = checkd_rs_find(d, &c->addr, conf_agent_port(d, c));

	return rs ? target_in(rs, vip, port, rs_out) : NULL;
}

int checkd_rs_up(const struct checkd_rs *rs)
{
	size_t k;

	for (k = 0; k < rs->n_targets; k++)
		if (rs->targets[k].sm.state != CHECK_STATE_UP)
			return 0;
	return rs->n_targets > 0;
}

size_t checkd_rs_in_flight(const struct checkd *d)
{
	size_t i, n = 0;

	for (i = 0; i < d->n_rs; i++)
		n += d->rs[i]->probing != 0;
	return n;
}

/* ---- probing ---- */

static void rs_timer_cb(struct loop_timer *t);
static void rs_io_cb(struct loop_io *io, uint32_t events);

static int64_t next_due(const struct checkd_rs *rs)
{
	int64_t due = INT64_MAX;
	size_t k;

	for (k = 0; k < rs->n_targets; k++)
		if (rs->targets[k].sm.next_due_ms < due)
			due = rs->targets[k].sm.next_due_ms;
	return due;
}

static void arm(struct checkd_rs *rs, int64_t when)
{
	if (loop_timer_set(&rs->d->loop, &rs->timer, when) < 0)
		fprintf(stderr, "dsr-checkd: %s: out of memory for a timer\n", rs->name);
}

/* Register the connection's socket for what it waits for. */
static int watch(struct checkd_rs *rs, uint32_t events)
{
	if (rs->conn.connects != rs->seen_connects || rs->io.fd != rs->conn.fd) {
		/* a new socket (the old one's close removed it from epoll) */
		rs->io.fd = rs->conn.fd;
		rs->io.events = 0;
		rs->seen_connects = rs->conn.connects;
	}
	return loop_io_want(&rs->d->loop, &rs->io, events);
}

static void unwatch(struct checkd_rs *rs)
{
	if (rs->conn.connects == rs->seen_connects && rs->io.fd == rs->conn.fd && rs->conn.fd >= 0)
		loop_io_remove(&rs->d->loop, &rs->io);
	rs->io.events = 0;
}

static void log_event(const struct checkd_rs *rs, const struct checkd_target *t, enum check_event ev)
{
	char vip[IPADDR_STRLEN];
	const struct verdict *v = &t->sm.last;
	char reason[TEXT_ESC_SIZE(sizeof(v->reason))], code[TEXT_ESC_SIZE(sizeof(v->code))];

	ipaddr_format(&t->vip, vip);
	if (ev == CHECK_EVENT_WENT_UP)
		fprintf(stderr, "UP %s: VIP %s:%u healthy\n", rs->name, vip, t->port);
	else /* agent text escaped: no forged "UP" line (bounded/textesc.h) */
		fprintf(stderr, "DOWN %s: VIP %s:%u [%s] %s (%s)\n", rs->name, vip, t->port, check_layer_name(v->layer),
			text_escape(v->reason, reason, sizeof(reason)), text_escape(v->code, code, sizeof(code)));
}

/* Keep a copy of the document just judged (NULL: forget it). */
static void doc_keep(struct checkd_rs *rs, const char *body, size_t len)
{
	char *n;

	rs->doc_valid = 0;
	if (!body)
		return;
	n = realloc(rs->doc, len ? len : 1);
	if (!n)
		return;  /* no cache: the next document is judged again */
	rs->doc = n;
	memcpy(rs->doc, body, len);
	rs->doc_len = len;
	rs->doc_valid = 1;
}

void checkd_rs_fetch_done(struct checkd_rs *rs, const char *body, size_t len, const struct verdict *fail,
			  int64_t now_ms)
{
	struct checkd *d = rs->d;
	struct verdict parse_fail;
	char err[200];
	size_t k;
	int same = 0;

	rs->probing = 0;
	rs->last_done_ms = now_ms;
	rs->last_duration_ms = (uint32_t)(now_ms - rs->probe_started_ms);
	rs->dur_hist[rs->dur_n++ % CHECKD_RS_DUR_HIST] = rs->last_duration_ms;
	rs->n_fetches++;
	if (body) {
		/* the rules are pure: the same facts give the same judgements (a
		 * 304 passes the kept document itself: nothing to compare) */
		same = rs->doc_valid && rs->doc_len == len && (body == rs->doc || !memcmp(rs->doc, body, len));
		if (same) {
			rs->n_doc_reused++;
		} else if (status_parse(body, len, d->facts, err, sizeof(err)) < 0) {
			verdict_fail(&parse_fail, CHECK_LAYER_PROTOCOL, "PROTO_MALFORMED", "bad status document: %s", err);
			fail = &parse_fail;
			doc_keep(rs, NULL, 0);
		} else {
			rs->admin = d->facts->admin;
			rs->weight_hint = d->facts->weight;
			rs->gen = d->facts->generation;
		}
	}
	if (fail) {
		rs->n_fetch_failures++;
		rs->fetch = *fail;
		rs->gen = -1;     /* start again with a plain request */
	} else {
		verdict_ok(&rs->fetch);
	}
	for (k = 0; k < rs->n_targets; k++) {
		struct checkd_target *t = &rs->targets[k];
		enum check_event ev;

		if (fail) {
			/* keep the last admin state and hint: the fetch failed, not the server's wishes */
			t->j.verdict = *fail;
			t->j.n_findings = 0;
			t->j.failing = 0;
		} else if (!same) {
			judge_parsed(d->facts, &t->vip, t->port, &t->j);
		}
		{
			/* the agent's judgement, then what only the wire shows: a
			 * failing data path, a server caught answering ARP for the VIP */
			struct verdict dp, eff;

			checkd_dp_combine(t, &t->j.verdict, &dp);
			checkd_arp_combine(d, rs, t, &dp, &eff);
			ev = rs->push ? check_sm_result_now(&t->sm, &eff, now_ms) : check_sm_result(&t->sm, &eff, now_ms);
		}
		if (ev != CHECK_EVENT_NONE) {
			d->stats.transitions++;
			log_event(rs, t, ev);
		}
		/* drain and hint changes matter to IPVS even without a transition */
		if (d->on_change)
			d->on_change(d, rs, t);
	}
	/* judgements now match this document (a failure overwrote them) */
	if (fail)
		doc_keep(rs, NULL, 0);
	else if (!same)
		doc_keep(rs, body, len);
}

static void wait_remove(struct checkd *d, struct checkd_rs *rs)
{
	if (!rs->waiting)
		return;
	if (rs->wait_prev)
		rs->wait_prev->wait_next = rs->wait_next;
	else
		d->wait_head = rs->wait_next;
	if (rs->wait_next)
		rs->wait_next->wait_prev = rs->wait_prev;
	else
		d->wait_tail = rs->wait_prev;
	rs->wait_next = rs->wait_prev = NULL;
	rs->waiting = 0;
}

static void wait_push(struct checkd *d, struct checkd_rs *rs)
{
	rs->waiting = 1;
	rs->wait_next = NULL;
	rs->wait_prev = d->wait_tail;
	if (d->wait_tail)
		d->wait_tail->wait_next = rs;
	else
		d->wait_head = rs;
	d->wait_tail = rs;
}

/* A slot freed: start waiting probes from a timer, not from the callback
 * that freed it (no recursion through synchronous connect failures). */
static void slot_release(struct checkd_rs *rs)
{
	struct checkd *d = rs->d;

	if (!rs->connecting)
		return;
	rs->connecting = 0;
	d->n_connecting--;
	if (d->wait_head && !loop_timer_armed(&d->kick_timer) && loop_timer_set(&d->loop, &d->kick_timer, 0) < 0)
		fprintf(stderr, "dsr-checkd: out of memory for a timer\n");
}

static void start_probe(struct checkd_rs *rs);

static void kick_timer_cb(struct loop_timer *t)
{
	struct checkd *d = (struct checkd *)((char *)t - offsetof(struct checkd, kick_timer));

	while (d->wait_head && d->n_connecting < (d->max_connecting ? d->max_connecting : CHECKD_MAX_CONNECTING)) {
		struct checkd_rs *rs = d->wait_head;

		wait_remove(d, rs);
		start_probe(rs);
	}
}

uint32_t checkd_rs_late_next(uint32_t late_ms, uint32_t wait_ms, uint32_t took_ms)
{
	uint32_t late = took_ms > wait_ms ? took_ms - wait_ms : 0;

	late_ms -= late_ms / 8;
	return late > late_ms ? late : late_ms;
}

int checkd_rs_next_path(struct checkd_rs *rs, char *out, size_t n)
{
	uint32_t hb = rs->d->conf.heartbeat_ms, grace;

	if (!hb || rs->gen < 0) {
		snprintf(out, n, "%s", CHECKD_STATUS_PATH);
		return 0;
	}
	/* the wait, then a grace for the answer to come: one request per
	 * heartbeat or a little more, never a silent host found late */
	grace = rs->late_ms > UINT32_MAX / 3 ? UINT32_MAX : 3 * rs->late_ms;
	if (grace < CHECKD_LP_GRACE_MIN_MS)
		grace = CHECKD_LP_GRACE_MIN_MS;
	if (grace > hb / 2)
		grace = hb / 2;
	rs->lp_wait_ms = hb - grace;
	rs->lp_beats = rs->agent_beats && rs->admin == ADMIN_STATE_UP && rs->lp_wait_ms >= HTTP_BEAT_MIN_MS &&
		       rs->lp_wait_ms < CHECKD_LP_BEAT_WAIT_MS;
	if (rs->lp_beats)
		snprintf(out, n, "%s?wait=%u&after=%lld&beat=%u.%03u", CHECKD_STATUS_PATH, CHECKD_LP_BEAT_WAIT_MS / 1000,
			 (long long)rs->gen, rs->lp_wait_ms / 1000, rs->lp_wait_ms % 1000);
	else
		snprintf(out, n, "%s?wait=%u.%03u&after=%lld", CHECKD_STATUS_PATH, rs->lp_wait_ms / 1000,
			 rs->lp_wait_ms % 1000, (long long)rs->gen);
	return 1;
}

/* ---- the beat list (see struct checkd) ---- */

void checkd_rs_beat_remove(struct checkd_rs *rs)
{
	struct checkd *d = rs->d;

	if (!rs->on_beat_list)
		return;
	if (rs->beat_prev)
		rs->beat_prev->beat_next = rs->beat_next;
	else
		d->beat_head = rs->beat_next;
	if (rs->beat_next)
		rs->beat_next->beat_prev = rs->beat_prev;
	else
		d->beat_tail = rs->beat_prev;
	rs->beat_next = rs->beat_prev = NULL;
	rs->on_beat_list = 0;
}

/* rs's next beat is due at `due`: from the tail back to its place (the
 * tail itself, but after a reload that shortened the heartbeat) */
void checkd_rs_beat_put(struct checkd_rs *rs, int64_t due)
{
	struct checkd *d = rs->d;
	struct checkd_rs *after;

	checkd_rs_beat_remove(rs);   /* first: rs may be the tail itself */
	after = d->beat_tail;
	loop_timer_cancel(&d->loop, &rs->timer);
	while (after && after->beat_due > due)
		after = after->beat_prev;
	rs->beat_due = due;
	rs->beat_prev = after;
	rs->beat_next = after ? after->beat_next : d->beat_head;
	if (rs->beat_next)
		rs->beat_next->beat_prev = rs;
	else
		d->beat_tail = rs;
	if (after)
		after->beat_next = rs;
	else
		d->beat_head = rs;
	rs->on_beat_list = 1;
	/* the timer stays where it is while it is early enough: a beat that
	 * moves the head on costs nothing here, the timer catches up */
	if (!loop_timer_armed(&d->beat_timer) || d->beat_timer.when_ms > due)
		if (loop_timer_set(&d->loop, &d->beat_timer, due) < 0)
			fprintf(stderr, "dsr-checkd: out of memory for a timer\n");
}

static void heartbeat_over(struct checkd_rs *rs);

static void beat_timer_cb(struct loop_timer *t)
{
	struct checkd *d = (struct checkd *)((char *)t - offsetof(struct checkd, beat_timer));
	int64_t now = d->loop.now_ms;

	/* as the loop runs timers: due within its slack */
	while (d->beat_head && d->beat_head->beat_due <= now + LOOP_TIMER_SLACK_MS) {
		struct checkd_rs *rs = d->beat_head;

		checkd_rs_beat_remove(rs);
		heartbeat_over(rs);
	}
	if (d->beat_head && loop_timer_set(&d->loop, &d->beat_timer, d->beat_head->beat_due) < 0)
		fprintf(stderr, "dsr-checkd: out of memory for a timer\n");
}

/* A heartbeat: a 304, or a beat of a held long-poll (1.2): nothing new,
 * the last document stands, judged at now. */
static void not_modified(struct checkd_rs *rs, int64_t now)
{
	struct verdict v304;

	rs->n_heartbeats++;
	if (rs->doc_valid) {
		checkd_rs_fetch_done(rs, rs->doc, rs->doc_len, NULL, now);
	} else {
		verdict_fail(&v304, CHECK_LAYER_PROTOCOL, "PROTO_MALFORMED",
			     "agent %s:%u: %s without a document before it", rs->name, rs->agent_port,
			     rs->probing ? "a beat" : "304");
		checkd_rs_fetch_done(rs, NULL, 0, &v304, now);
	}
	rs->late_ms = checkd_rs_late_next(rs->late_ms, rs->lp_wait_ms, rs->last_duration_ms);
}

/* A beat (protocol 1.2) on the running long-poll: a heartbeat as a 304
 * is, and the long-poll goes on, due again within the heartbeat. */
static void beat(struct checkd_rs *rs)
{
	struct checkd *d = rs->d;
	int64_t now = d->loop.now_ms;
	size_t k;

	slot_release(rs);   /* a new connection is up: its slot is free */
	rs->n_beats++;
	rs->push = rs->gen >= 0 && d->conf.heartbeat_ms;
	not_modified(rs, now);
	rs->push = 0;
	/* checkd_rs_fetch_done ended a probe: the same request goes on */
	rs->probing = 1;
	rs->probe_started_ms = now;
	for (k = 0; k < rs->n_targets; k++)
		check_sm_probe_started(&rs->targets[k].sm, now);
	rs->lp_overtime = 0;
	checkd_rs_beat_put(rs, now + d->conf.heartbeat_ms);
}

static void finish(struct checkd_rs *rs, int r)
{
	int64_t now = rs->d->loop.now_ms;  /* the loop's time of this wake-up */
	int64_t gen0 = rs->gen;
	uint32_t hb = rs->d->conf.heartbeat_ms;

	slot_release(rs);
	checkd_rs_beat_remove(rs);
	/* an agent that pushes (it sent a generation) is believed at once;
	 * the first failure after a poll-only agent follows the fall count */
	rs->push = rs->gen >= 0 && hb;
	rs->conn.allow_304 = 0;
	if (r == AGENT_CONN_DONE)
		rs->agent_beats = rs->conn.resp.dsr_protocol >= 102;

	if (r == AGENT_CONN_DONE && rs->conn.resp.status == 304) {
		/* the wait ended with nothing new: the last document stands */
		rs->probing = 0;
		not_modified(rs, now);
	} else if (r == AGENT_CONN_DONE) {
		checkd_rs_fetch_done(rs, buf_str(&rs->conn.resp.body), rs->conn.resp.body.len, NULL, now);
	} else {
		rs->io.events = 0;  /* the connection closed its socket */
		checkd_rs_fetch_done(rs, NULL, 0, &rs->conn.fail, now);
	}
	rs->push = 0;
	if (r == AGENT_CONN_DONE) {
		/* a kept-alive socket stays watched for reading: data or a close
		 * while idle means the agent hung up, and we close too */
		if (rs->conn.fd >= 0) {
			if (watch(rs, EPOLLIN) < 0)
				agent_conn_close(&rs->conn);
		} else {
			rs->io.events = 0;
		}
		/* The next long-poll goes out at once on the kept connection, after
		 * a new document and after a heartbeat (304) alike, so that one is
		 * always open: a change or a hang-up is seen when it happens, not
		 * at the next interval.  A long-poll that came back early with
		 * nothing new (an agent that does not hold it) waits for the
		 * interval instead: never a busy loop. */
		if (rs->gen >= 0 && hb && rs->conn.fd >= 0 &&
		    (rs->gen != gen0 || now - rs->lp_sent_ms >= hb / 4)) {
			start_probe(rs);
			return;
		}
	}
	arm(rs, next_due(rs));
}

/* After agent_conn_get/step: wait, or finish. */
static void advance(struct checkd_rs *rs, int r)
{
	if (r == AGENT_CONN_WANT_READ || r == AGENT_CONN_WANT_WRITE) {
		if (watch(rs, r == AGENT_CONN_WANT_READ ? EPOLLIN : EPOLLOUT) < 0) {
			agent_conn_close(&rs->conn);
			verdict_fail(&rs->conn.fail, CHECK_LAYER_CONNECT, "CONNECT_ERROR", "agent %s:%u: epoll: %s",
				     rs->name, rs->agent_port, strerror(errno));
			rs->io.events = 0;
			finish(rs, AGENT_CONN_ERROR);
		}
		return;
	}
	finish(rs, r);
}

static void start_probe(struct checkd_rs *rs)
{
	struct checkd *d = rs->d;
	int64_t now = d->loop.now_ms;
	size_t k;
	int r;

	if (rs->conn.state != AGENT_CONN_READY || rs->conn.fd < 0) {
		if (d->n_connecting >= (d->max_connecting ? d->max_connecting : CHECKD_MAX_CONNECTING)) {
			wait_push(d, rs);
			return;
		}
		rs->connecting = 1;
		d->n_connecting++;
	}
	for (k = 0; k < rs->n_targets; k++)
		check_sm_probe_started(&rs->targets[k].sm, now);
	rs->probing = 1;
	rs->probe_started_ms = now;
	{
		char path[128], hdrs[2048];

		rs->longpoll = checkd_rs_next_path(rs, path, sizeof(path));
		rs->lp_overtime = 0;
		rs->lp_sent_ms = now;
		rs->conn.allow_304 = rs->longpoll;
		rs->n_longpolls += rs->longpoll != 0;
		/* a long-poll is due back within the heartbeat, or the agent went silent */
		if (rs->longpoll && rs->lp_beats)
			checkd_rs_beat_put(rs, now + d->conf.heartbeat_ms);
		else
			arm(rs, now + (rs->longpoll ? d->conf.heartbeat_ms : d->params.timeout_ms));
		/* what this director sees of the server, for `dsr-agent drain --wait`;
		 * only to an agent that speaks 1.1 (a 1.0 agent ignores it anyway) */
		hdrs[0] = '\0';
		if (rs->gen >= 0)
			checkd_director_headers(d, rs, hdrs, sizeof(hdrs));
		r = agent_conn_get_ex(&rs->conn, path, hdrs);
	}
	advance(rs, r);
}

/* The running probe's time is up: a long-poll's heartbeat gets its
 * overtime first, anything else fails. */
static void heartbeat_over(struct checkd_rs *rs)
{
	if (rs->longpoll && !rs->lp_overtime) {
		/* the heartbeat is over: a last CHECKD_LP_OVERTIME_MS from
		 * now, for an answer held up by a stall of this whole host
		 * (the agent's process not run yet), never a silent agent */
		rs->lp_overtime = 1;
		arm(rs, rs->d->loop.now_ms + CHECKD_LP_OVERTIME_MS);
		return;
	}
	unwatch(rs);
	agent_conn_timeout(&rs->conn, rs->longpoll ? rs->d->conf.heartbeat_ms : rs->d->params.timeout_ms);
	finish(rs, AGENT_CONN_ERROR);
}

static void rs_timer_cb(struct loop_timer *t)
{
	struct checkd_rs *rs = (struct checkd_rs *)((char *)t - offsetof(struct checkd_rs, timer));

	if (rs->probing) {
		heartbeat_over(rs);
		return;
	}
	start_probe(rs);
}

static void rs_io_cb(struct loop_io *io, uint32_t events)
{
	struct checkd_rs *rs = (struct checkd_rs *)((char *)io - offsetof(struct checkd_rs, io));
	(void)events;

	if (!rs->probing) {
		/* idle kept-alive connection: the agent closed it (or sent junk) */
		unwatch(rs);
		agent_conn_close(&rs->conn);
		return;
	}
	{
		unsigned beats0 = rs->conn.resp.interim;
		int r = agent_conn_step(&rs->conn);

		/* beats read on the way to WANT_READ: one heartbeat (a final
		 * answer that came with them stands for itself) */
		if (rs->longpoll && rs->lp_beats && r == AGENT_CONN_WANT_READ && rs->conn.resp.interim != beats0)
			beat(rs);
		advance(rs, r);
	}
}

/* ---- the table ---- */

static void rs_free(struct checkd *d, struct checkd_rs *rs)
{
	checkd_dp_rs_free(d, rs);
	wait_remove(d, rs);
	checkd_rs_beat_remove(rs);
	if (rs->connecting) {
		rs->connecting = 0;
		d->n_connecting--;
	}
	loop_timer_cancel(&d->loop, &rs->timer);
	unwatch(rs);
	agent_conn_free(&rs->conn);
	free(rs->targets);
	free(rs->doc);
	free(rs);
}

void checkd_rs_table_free(struct checkd *d)
{
	size_t i;

	for (i = 0; i < d->n_rs; i++)
		rs_free(d, d->rs[i]);
	free(d->rs);
	d->rs = NULL;
	d->n_rs = d->cap_rs = 0;
}

static struct checkd_rs *rs_new(struct checkd *d, const struct ip_addr *a, uint16_t agent_port)
{
	struct checkd_rs *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->d = d;
	rs->addr = *a;
	rs->agent_port = agent_port;
	ipaddr_format(a, rs->name);
	agent_conn_init(&rs->conn, d->tls, a, agent_port);
	loop_io_init(&rs->io, -1, rs_io_cb);
	loop_timer_init(&rs->timer, rs_timer_cb);
	rs->last_done_ms = -1;
	rs->gen = -1;
	rs->admin = ADMIN_STATE_UP;
	rs->weight_hint = FACTS_UNKNOWN;
	verdict_ok(&rs->fetch);
	return rs;
}

static int target_add(struct checkd_rs *rs, const struct ip_addr *vip, uint16_t port, const struct check_params *p,
		      int64_t now, size_t *added)
{
	struct checkd_target *n, *t;
	size_t k;

	for (k = 0; k < rs->n_targets; k++) {
		if (ipaddr_equal(&rs->targets[k].vip, vip) && rs->targets[k].port == port) {
			rs->targets[k].seen = 1;
			return 0;
		}
	}
	n = realloc(rs->targets, (rs->n_targets + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	rs->targets = n;
	t = &rs->targets[rs->n_targets++];
	rs->doc_valid = 0;  /* the new target has no judgement yet */
	memset(t, 0, sizeof(*t));
	t->vip = *vip;
	t->port = port;
	t->seen = 1;
	t->published_state = -1;
	t->published_key = -1;
	check_sm_init(&t->sm, p, now);
	verdict_fail(&t->j.verdict, CHECK_LAYER_NONE, "INIT", "not checked yet");
	t->j.weight_hint = FACTS_UNKNOWN;
	(*added)++;
	return 0;
}

static int cmp_rs(const void *a, const void *b)
{
	const struct checkd_rs *x = *(const struct checkd_rs *const *)a, *y = *(const struct checkd_rs *const *)b;

	return addr_cmp(&x->addr, x->agent_port, &y->addr, y->agent_port);
}

static void forget_track(const struct checkd *d, const struct checkd_rs *rs, const struct checkd_target *t)
{
	char vip[IPADDR_STRLEN];
	int r = checkd_track_forget(d->conf.track_dir, rs, t);

	if (r < 0)
		fprintf(stderr, "dsr-checkd: track file of %s -> %s:%u in %s: %s\n", rs->name, ipaddr_format(&t->vip, vip),
			t->port, d->conf.track_dir, strerror(-r));
}

int checkd_rs_table_apply(struct checkd *d, const struct checkd_conf *conf, struct checkd_rs_diff *diff)
{
	int64_t now = loop_clock_ms();
	size_t i, j, n_new = 0, spread_i = 0;
	struct checkd_rs **fresh = NULL;
	size_t n_fresh = 0, cap_fresh = 0;

	memset(diff, 0, sizeof(*diff));
	if (!d->kick_timer.cb)
		loop_timer_init(&d->kick_timer, kick_timer_cb);
	if (!d->beat_timer.cb)
		loop_timer_init(&d->beat_timer, beat_timer_cb);
	for (i = 0; i < d->n_rs; i++) {
		d->rs[i]->seen = 0;
		for (j = 0; j < d->rs[i]->n_targets; j++)
			d->rs[i]->targets[j].seen = 0;
	}
	for (i = 0; i < conf->n_svc; i++) {
		const struct checkd_conf_svc *v = &conf->svc[i];

		if (v->fwmark)
			continue;  /* no VIP to judge: see checkd_conf_finish */
		for (j = 0; j < v->n_rs; j++) {
			const struct checkd_conf_rs *c = &v->rs[j];
			uint16_t ap = conf_agent_port(d, c);
			struct checkd_rs *rs = checkd_rs_find(d, &c->addr, ap);

			if (!rs) {
				for (size_t k = 0; k < n_fresh; k++)
					if (!addr_cmp(&fresh[k]->addr, fresh[k]->agent_port, &c->addr, ap))
						rs = fresh[k];
			}
			if (!rs) {
				if (n_fresh == cap_fresh) {
					size_t nc = cap_fresh ? cap_fresh * 2 : 64;
					struct checkd_rs **nf = realloc(fresh, nc * sizeof(*nf));

					if (!nf)
						goto nomem;
					fresh = nf;
					cap_fresh = nc;
				}
				rs = rs_new(d, &c->addr, ap);
				if (!rs)
					goto nomem;
				fresh[n_fresh++] = rs;
			}
			rs->seen = 1;
			if (target_add(rs, &v->vip, c->port ? c->port : v->port, &d->params, now, &diff->targets_added) < 0)
				goto nomem;
		}
	}
	/* drop what is gone; new timing parameters for what stays */
	for (i = j = 0; i < d->n_rs; i++) {
		struct checkd_rs *rs = d->rs[i];
		size_t k, m;

		if (!rs->seen) {
			for (k = 0; k < rs->n_targets; k++)
				forget_track(d, rs, &rs->targets[k]);
			rs_free(d, rs);
			diff->removed++;
			continue;
		}
		for (k = m = 0; k < rs->n_targets; k++) {
			if (!rs->targets[k].seen) {
				forget_track(d, rs, &rs->targets[k]);
				checkd_dp_target_free(d, &rs->targets[k]);
				diff->targets_removed++;
				continue;
			}
			check_sm_set_params(&rs->targets[k].sm, &d->params);
			rs->targets[m++] = rs->targets[k];
		}
		rs->n_targets = m;
		rs->conn.tls = d->tls;
		if (!rs->probing)
			arm(rs, next_due(rs));
		d->rs[j++] = rs;
		diff->kept++;
	}
	d->n_rs = j;
	/* add the new ones and keep the array sorted */
	if (d->n_rs + n_fresh > d->cap_rs) {
		size_t nc = d->n_rs + n_fresh;
		struct checkd_rs **nr = realloc(d->rs, (nc ? nc : 1) * sizeof(*nr));

		if (!nr)
			goto nomem;
		d->rs = nr;
		d->cap_rs = nc;
	}
	n_new = n_fresh;
	for (i = 0; i < n_fresh; i++) {
		struct checkd_rs *rs = fresh[i];

		/* spread first probes over one interval: no thundering herd */
		arm(rs, now + (int64_t)((uint64_t)d->params.interval_ms * spread_i++ / (n_new ? n_new : 1)));
		d->rs[d->n_rs++] = rs;
	}
	diff->added = n_fresh;
	free(fresh);
	if (d->n_rs > 1)  /* d->rs is NULL without real servers: qsort wants a pointer */
		qsort(d->rs, d->n_rs, sizeof(*d->rs), cmp_rs);
	return 0;
nomem:
	for (i = 0; i < n_fresh; i++)
		rs_free(d, fresh[i]);
	free(fresh);
	return -ENOMEM;
}
