/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_ipvs.c - dsr-checkd over libdsrkit-ipvs; see checkd_ipvs.h.
 *
 * Netlink to the local kernel answers in microseconds, so the requests are
 * made from the loop's thread; applies are coalesced by a short timer so a
 * burst of verdicts (a switch failing) is one pipelined batch. */
#include "checker/dsr-checkd/ipvs.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "checker/dsr-checkd/failsafe.h"
#include "checker/dsr-checkd/rs.h"
#include "dsrkit/ipvs.h"

#define APPLY_DELAY_MS 20

struct checkd_ipvs {
	struct checkd *d;
	struct ipvs *h;
	struct ipvs_table *kernel0;   /* the kernel's table when we started */
	struct ipvs_table *applied;   /* what we applied last */
	struct loop_timer timer;
};

static void to_ipvs_addr(const struct ip_addr *a, int *af, union ipvs_addr *u)
{
	memset(u, 0, sizeof(*u));
	*af = a->family == IP_FAMILY_V6 ? AF_INET6 : AF_INET;
	memcpy(u->b, a->b, ipaddr_len(a));
}

static void from_ipvs_addr(int af, const union ipvs_addr *u, struct ip_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = af == AF_INET6 ? IP_FAMILY_V6 : IP_FAMILY_V4;
	memcpy(a->b, u->b, af == AF_INET6 ? 16 : 4);
}

static void apply_timer_cb(struct loop_timer *t)
{
	struct checkd_ipvs *x = (struct checkd_ipvs *)((char *)t - offsetof(struct checkd_ipvs, timer));

	if (checkd_ipvs_apply(x->d) < 0)
		x->d->stats.ipvs_apply_failures++;
}

int checkd_ipvs_open(struct checkd *d, char *err, size_t errlen)
{
	struct checkd_ipvs *x = calloc(1, sizeof(*x));
	int r;

	if (!x)
		return -ENOMEM;
	x->d = d;
	loop_timer_init(&x->timer, apply_timer_cb);
	r = ipvs_open(&x->h);
	if (r < 0) {
		snprintf(err, errlen, "IPVS over netlink: %s%s", strerror(-r),
			 r == -ENOENT ? " (no ip_vs module?)" : r == -EPERM ? " (CAP_NET_ADMIN needed)" : "");
		free(x);
		return r;
	}
	if (d->conf.standalone) {
		r = ipvs_table_read(x->h, &x->kernel0);
		if (r < 0) {
			snprintf(err, errlen, "reading the IPVS table: %s", ipvs_errmsg(x->h));
			ipvs_close(x->h);
			free(x);
			return r;
		}
	}
	d->ipvs = x;
	return 0;
}

void checkd_ipvs_close(struct checkd *d)
{
	struct checkd_ipvs *x = d->ipvs;

	if (!x)
		return;
	loop_timer_cancel(&d->loop, &x->timer);
	ipvs_table_free(x->kernel0);
	ipvs_table_free(x->applied);
	ipvs_close(x->h);
	free(x);
	d->ipvs = NULL;
}

void checkd_ipvs_snapshot_free(struct checkd_ipvs_snapshot *s)
{
	size_t i;

	for (i = 0; i < s->n_svc; i++)
		free(s->svc[i].dests);
	free(s->svc);
	s->svc = NULL;
	s->n_svc = 0;
}

void checkd_ipvs_snapshot_read(struct checkd *d, struct checkd_ipvs_snapshot *s)
{
	struct ipvs_table *t = NULL;
	size_t i, k, n;
	int r;

	memset(s, 0, sizeof(*s));
	if (!d->ipvs) {
		snprintf(s->err, sizeof(s->err), "IPVS not opened");
		return;
	}
	r = ipvs_table_read(d->ipvs->h, &t);
	if (r < 0) {
		snprintf(s->err, sizeof(s->err), "%s", ipvs_errmsg(d->ipvs->h));
		return;
	}
	n = ipvs_table_service_count(t);
	s->svc = calloc(n ? n : 1, sizeof(*s->svc));
	if (!s->svc) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		ipvs_table_free(t);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct ipvs_service *v = ipvs_table_service(t, i);
		struct checkd_ipvs_svc *o = &s->svc[s->n_svc++];
		size_t nd = ipvs_table_dest_count(t, i);

		from_ipvs_addr(v->af, &v->addr, &o->vip);
		o->af = v->af == AF_INET6 ? 6 : 4;
		o->port = v->port;
		o->fwmark = v->fwmark;
		o->protocol = v->protocol;
		o->conns = v->stats.conns;
		o->inpkts = v->stats.inpkts;
		o->outpkts = v->stats.outpkts;
		o->inbytes = v->stats.inbytes;
		o->outbytes = v->stats.outbytes;
		o->dests = calloc(nd ? nd : 1, sizeof(*o->dests));
		if (!o->dests)
			continue;
		for (k = 0; k < nd; k++) {
			const struct ipvs_dest *x = ipvs_table_dest(t, i, k);
			struct checkd_ipvs_dest *y = &o->dests[o->n_dests++];

			from_ipvs_addr(x->af ? x->af : v->af, &x->addr, &y->addr);
			y->port = x->port;
			y->weight = x->weight;
			y->active = x->active_conns;
			y->inactive = x->inactive_conns;
			y->conns = x->stats.conns;
			y->inpkts = x->stats.inpkts;
			y->outpkts = x->stats.outpkts;
			y->inbytes = x->stats.inbytes;
			y->outbytes = x->stats.outbytes;
		}
	}
	s->ok = 1;
	ipvs_table_free(t);
}

void checkd_ipvs_mark_dirty(struct checkd *d)
{
	struct checkd_ipvs *x = d->ipvs;

	if (!x || !d->conf.standalone || loop_timer_armed(&x->timer))
		return;
	if (loop_timer_set(&d->loop, &x->timer, loop_clock_ms() + APPLY_DELAY_MS) < 0)
		d->stats.ipvs_apply_failures++;
}

/* The weight the destination has in t (-1: absent). */
static int weight_in(const struct ipvs_table *t, const struct ipvs_service *s, const struct ipvs_dest *dst)
{
	int si, di;

	if (!t)
		return -1;
	si = ipvs_table_service_find(t, s);
	if (si < 0)
		return -1;
	di = ipvs_table_dest_find(t, (size_t)si, dst);
	if (di < 0)
		return -1;
	return ipvs_table_dest(t, (size_t)si, (size_t)di)->weight;
}

void checkd_ipvs_service_of(const struct checkd_conf_svc *c, struct ipvs_service *s)
{
	memset(s, 0, sizeof(*s));
	if (c->fwmark) {
		s->af = AF_INET;  /* an fwmark service without addresses: IPv4 unless a real server says otherwise */
		if (c->n_rs && c->rs[0].addr.family == IP_FAMILY_V6)
			s->af = AF_INET6;
		s->fwmark = c->fwmark;
	} else {
		to_ipvs_addr(&c->vip, &s->af, &s->addr);
		s->protocol = c->protocol;
		s->port = c->port;
	}
	snprintf(s->sched, sizeof(s->sched), "%s", c->sched);
	s->flags = c->sched_flags;  /* mh-port, sh-fallback, ...: the kernel's own bits */
	if (c->persistence_timeout) {
		s->flags |= IPVS_SVC_F_PERSISTENT;
		s->timeout = c->persistence_timeout;
	}
	s->netmask = c->persistence_prefix ? c->persistence_prefix : (s->af == AF_INET6 ? 128 : 32);
}

static int build_desired(struct checkd *d, struct ipvs_table **out)
{
	struct checkd_ipvs *x = d->ipvs;
	struct ipvs_table *t = ipvs_table_new();
	size_t i, j;
	int r;

	if (!t)
		return -ENOMEM;
	for (i = 0; i < d->conf.n_svc; i++) {
		const struct checkd_conf_svc *c = &d->conf.svc[i];
		struct ipvs_service s;
		int si;

		checkd_ipvs_service_of(c, &s);
		si = ipvs_table_service_add(t, &s);
		if (si < 0) {
			ipvs_table_free(t);
			return si;
		}
		for (j = 0; j < c->n_rs; j++) {
			const struct checkd_conf_rs *cr = &c->rs[j];
			struct ipvs_dest dst;
			struct checkd_rs *rs = NULL;
			struct checkd_target *tg = NULL;
			int kw;

			memset(&dst, 0, sizeof(dst));
			to_ipvs_addr(&cr->addr, &dst.af, &dst.addr);
			dst.port = cr->port ? cr->port : c->port;
			dst.fwd = IPVS_FWD_DR;
			if (!c->fwmark)
				tg = checkd_target_of(d, cr, &c->vip, dst.port, &rs);
			kw = weight_in(x->applied, &s, &dst);
			if (kw < 0)
				kw = weight_in(x->kernel0, &s, &dst);
			dst.weight = checkd_dest_weight(cr->weight, rs, tg, kw);
			r = ipvs_table_dest_add(t, (size_t)si, &dst);
			if (r < 0 && r != -EEXIST) {
				ipvs_table_free(t);
				return r;
			}
		}
	}
	*out = t;
	return 0;
}

int checkd_ipvs_apply(struct checkd *d)
{
	struct checkd_ipvs *x = d->ipvs;
	struct ipvs_table *want = NULL;
	struct ipvs_plan *plan = NULL;
	char line[256];
	size_t i, n;
	int r;

	if (!x || !d->conf.standalone)
		return 0;
	loop_timer_cancel(&d->loop, &x->timer);
	/* the fail-safe judged now, not at its last tick: a drain must not slip
	 * through between two ticks */
	if (d->conf.failsafe_pct && checkd_failsafe_update(d, loop_clock_ms()) < 0)
		fprintf(stderr, "dsr-checkd: fail-safe: out of memory\n");
	r = build_desired(d, &want);
	if (r < 0) {
		fprintf(stderr, "dsr-checkd: ipvs: building the desired table: %s\n", strerror(-r));
		return r;
	}
	r = ipvs_plan_make(x->h, want, x->applied, 0, &plan);
	if (r < 0) {
		fprintf(stderr, "dsr-checkd: ipvs: planning: %s\n", ipvs_errmsg(x->h));
		ipvs_table_free(want);
		return r;
	}
	n = ipvs_plan_count(plan);
	if (n) {
		r = ipvs_plan_execute(x->h, plan);
		d->stats.ipvs_applies++;
		for (i = 0; i < n; i++) {
			const struct ipvs_op *op = ipvs_plan_op(plan, i);

			ipvs_op_format(op, line, sizeof(line));
			if (op->error)
				fprintf(stderr, "dsr-checkd: ipvs: %s: %s\n", line, strerror(-op->error));
			else
				fprintf(stderr, "dsr-checkd: ipvs: %s%s (weight %d)\n", line, op->raced ? " (already so)" : "",
					op->dest.weight);
		}
	}
	ipvs_plan_free(plan);
	/* what failed is retried at the next apply: previous must not claim it */
	if (r == 0) {
		ipvs_table_free(x->applied);
		x->applied = want;
	} else {
		ipvs_table_free(want);
	}
	return r;
}
