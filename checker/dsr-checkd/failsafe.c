/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_failsafe.c - the fail-safe threshold; see checkd_failsafe.h. */
#include "checker/dsr-checkd/failsafe.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker/dsr-checkd/announce.h"
#include "checker/dsr-checkd/ipvs.h"
#include "checker/dsr-checkd/rs.h"
#include "checker/lib/verdict.h"

int checkd_failsafe_conn_level(const struct verdict *v)
{
	static const char *const codes[] = {
		"CONNECT_TIMEOUT", "CONNECT_ERROR", "TLS_TIMEOUT", "HTTP_TIMEOUT", "TLS_CLOSED",
	};
	size_t i;

	if (v->layer != CHECK_LAYER_CONNECT && v->layer != CHECK_LAYER_TLS && v->layer != CHECK_LAYER_HTTP)
		return 0;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!strcmp(v->code, codes[i]))
			return 1;
	return 0;
}

int checkd_failsafe_over(uint32_t threshold_pct, unsigned n_unreachable, unsigned n_rs)
{
	if (!threshold_pct || !n_rs || !n_unreachable)
		return 0;
	if (threshold_pct >= 100)
		return n_unreachable >= n_rs;
	return (uint64_t)n_unreachable * 100 > (uint64_t)threshold_pct * n_rs;
}

void checkd_failsafe_svc_name(const struct checkd_failsafe_svc *f, char *out, size_t len)
{
	char a[IPADDR_STRLEN];

	if (f->fwmark)
		snprintf(out, len, "fwmark %u", f->fwmark);
	else if (f->vip.family == IP_FAMILY_V6)
		snprintf(out, len, "[%s]:%u", ipaddr_format(&f->vip, a), f->port);
	else
		snprintf(out, len, "%s:%u", ipaddr_format(&f->vip, a), f->port);
}

/* Make d->failsafe match d->conf.svc, keeping the state of services that
 * stay at the same index (a reload usually keeps the order). */
static int table_sync(struct checkd *d)
{
	size_t i, n = d->conf.n_svc;

	if (n != d->n_failsafe) {
		struct checkd_failsafe_svc *t = realloc(d->failsafe, (n ? n : 1) * sizeof(*t));

		if (!t)
			return -ENOMEM;
		for (i = d->n_failsafe; i < n; i++)
			memset(&t[i], 0, sizeof(t[i]));
		d->failsafe = t;
		d->n_failsafe = n;
	}
	for (i = 0; i < n; i++) {
		const struct checkd_conf_svc *c = &d->conf.svc[i];
		struct checkd_failsafe_svc *f = &d->failsafe[i];

		if (f->fwmark != c->fwmark || f->port != c->port || f->protocol != c->protocol ||
		    !ipaddr_equal(&f->vip, &c->vip) || (!f->n_rs && !f->active && !f->n_engaged)) {
			memset(f, 0, sizeof(*f));
			f->vip = c->vip;
			f->port = c->port;
			f->protocol = c->protocol;
			f->fwmark = c->fwmark;
			f->clear_since_ms = -1;
		}
	}
	return 0;
}

int checkd_failsafe_update(struct checkd *d, int64_t now_ms)
{
	int64_t round_ms = (int64_t)d->params.interval_ms + d->params.timeout_ms +
			   (d->params.retry_ms ? d->params.retry_ms : d->params.interval_ms);
	uint32_t pct = d->conf.failsafe_pct;
	int changed = 0;
	size_t i, j;

	if (table_sync(d) < 0)
		return -ENOMEM;
	for (i = 0; i < d->conf.n_svc; i++) {
		const struct checkd_conf_svc *c = &d->conf.svc[i];
		struct checkd_failsafe_svc *f = &d->failsafe[i];
		unsigned n = 0, u = 0;
		int over, was = f->active;
		char name[IPADDR_STRLEN + 16];

		if (c->fwmark)
			continue;  /* not checked: nothing to hold */
		for (j = 0; j < c->n_rs; j++) {
			uint16_t port = c->rs[j].port ? c->rs[j].port : c->port;
			struct checkd_target *t = checkd_target_of(d, &c->rs[j], &c->vip, port, NULL);

			if (!t)
				continue;
			n++;
			if (t->sm.last_result_ms >= 0 && checkd_failsafe_conn_level(&t->sm.last))
				u++;
			else if (t->failsafe_held && t->sm.state != CHECK_STATE_UP && verdict_is_ok(&t->sm.last))
				u++;  /* reachable again, its rise not complete yet */
		}
		f->n_rs = n;
		f->n_unreachable = u;
		over = checkd_failsafe_over(pct, u, n);
		if (over) {
			f->clear_since_ms = -1;
			if (!f->active) {
				f->active = 1;
				f->since_ms = now_ms;
				f->n_engaged++;
			}
		} else if (f->active) {
			/* end only after a full round under the threshold: every
			 * server has been checked again since */
			if (f->clear_since_ms < 0)
				f->clear_since_ms = now_ms;
			if (now_ms - f->clear_since_ms >= round_ms)
				f->active = 0;
		}
		checkd_failsafe_svc_name(f, name, sizeof(name));
		if (f->active && !was)
			fprintf(stderr,
				"dsr-checkd: FAILSAFE ON %s: %u of %u real servers unreachable at the connection level "
				"(over failsafe_threshold %u%%): the fault is likely the director's own; their weights "
				"are kept\n", name, u, n, pct);
		else if (!f->active && was)
			fprintf(stderr, "dsr-checkd: FAILSAFE OFF %s: %u of %u real servers unreachable; checks drain "
				"again\n", name, u, n);
		if (f->active != was)
			changed = 1;
		for (j = 0; j < c->n_rs; j++) {
			uint16_t port = c->rs[j].port ? c->rs[j].port : c->port;
			struct checkd_target *t = checkd_target_of(d, &c->rs[j], &c->vip, port, NULL);
			int held;

			if (!t)
				continue;
			held = t->failsafe_held;
			if (t->sm.last_result_ms >= 0 && checkd_failsafe_conn_level(&t->sm.last))
				held = f->active;       /* unreachable: held while the fail-safe is on */
			else if (!verdict_is_ok(&t->sm.last))
				held = 0;               /* a failure the agent reports: drains */
			else if (t->sm.state == CHECK_STATE_UP)
				held = 0;               /* healthy again */
			/* else reachable, rise not complete: stays as it was */
			if (held != t->failsafe_held) {
				t->failsafe_held = held;
				changed = 1;
			}
		}
	}
	/* a held server counts as unhealthy for the VIP's announcement */
	if (changed)
		checkd_announce_mark_dirty(d);
	return changed;
}

static void failsafe_timer_cb(struct loop_timer *t)
{
	struct checkd *d = (struct checkd *)((char *)t - offsetof(struct checkd, failsafe_timer));
	int64_t now = loop_clock_ms();
	int64_t period = d->params.interval_ms / 2;
	int r;

	r = checkd_failsafe_update(d, now);
	if (r < 0)
		fprintf(stderr, "dsr-checkd: fail-safe: out of memory\n");
	else if (r > 0)
		checkd_ipvs_mark_dirty(d);
	if (period < 100)
		period = 100;
	if (period > 1000)
		period = 1000;
	if (loop_timer_set(&d->loop, t, now + period) < 0)
		fprintf(stderr, "dsr-checkd: fail-safe: out of memory for a timer\n");
}

void checkd_failsafe_sync(struct checkd *d)
{
	if (!d->failsafe_timer.cb)
		loop_timer_init(&d->failsafe_timer, failsafe_timer_cb);
	if (!d->conf.failsafe_pct) {
		checkd_failsafe_stop(d);
		return;
	}
	if (!loop_timer_armed(&d->failsafe_timer) && loop_timer_set(&d->loop, &d->failsafe_timer, loop_clock_ms()) < 0)
		fprintf(stderr, "dsr-checkd: fail-safe: out of memory for a timer\n");
}

void checkd_failsafe_stop(struct checkd *d)
{
	size_t i, k;

	if (d->failsafe_timer.cb)
		loop_timer_cancel(&d->loop, &d->failsafe_timer);
	for (i = 0; i < d->n_rs; i++)
		for (k = 0; k < d->rs[i]->n_targets; k++)
			d->rs[i]->targets[k].failsafe_held = 0;
	for (i = 0; i < d->n_failsafe; i++)
		d->failsafe[i].active = 0;
}
