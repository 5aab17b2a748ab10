/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_datapath.c - see checkd_datapath.h. */
#include "checker/dsr-checkd/datapath.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "checker/lib/verdict.h"
#include "dsrkit/ipvs.h"

struct checkd_dp {
	struct ipvs *ipvs;
	struct datapath_cfg cfg;
	SSL_CTX *ctx;              /* for tls/https probes */
	uint32_t next_hint;
};

static void dp_timer_cb(struct loop_timer *t);
static void dp_io_cb(struct loop_io *io, uint32_t events);

static struct checkd_dp *dp_open(struct checkd *d)
{
	struct checkd_dp *dp = calloc(1, sizeof(*dp));
	int r;

	if (!dp)
		return NULL;
	dp->cfg.mark_base = d->conf.dp_mark_base;
	dp->cfg.mark_count = d->conf.dp_mark_count;
	dp->cfg.set_sysctls = d->conf.dp_set_sysctls;
	r = ipvs_open(&dp->ipvs);
	if (r < 0) {
		fprintf(stderr, "dsr-checkd: data path: cannot reach IPVS: %s%s\n", strerror(-r),
			r == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		free(dp);
		return NULL;
	}
	/* a checker that crashed left its probe services: they carry no client
	 * traffic, but they are ours to remove */
	r = datapath_cleanup(dp->ipvs, &dp->cfg);
	if (r > 0)
		fprintf(stderr, "dsr-checkd: data path: removed %d leftover probe service(s)\n", r);
	else if (r < 0)
		fprintf(stderr, "dsr-checkd: data path: cleaning the mark range: %s\n", strerror(-r));
	dp->ctx = SSL_CTX_new(TLS_client_method());
	return dp;
}

static void probe_stop(struct checkd *d, struct checkd_dp_target *p)
{
	if (p->running) {
		loop_io_remove(&d->loop, &p->io);
		datapath_probe_free(&p->probe);
		p->running = 0;
	}
}

void checkd_dp_target_free(struct checkd *d, struct checkd_target *t)
{
	if (!t->dp)
		return;
	probe_stop(d, t->dp);
	loop_timer_cancel(&d->loop, &t->dp->timer);
	free(t->dp);
	t->dp = NULL;
}

static void svc_remove(struct checkd *d, struct checkd_rs *rs)
{
	if (!rs->dp_svc_ok || !d->dp)
		return;
	if (datapath_svc_remove(d->dp->ipvs, &rs->dp_svc) < 0)
		fprintf(stderr, "dsr-checkd: data path: removing the probe service of %s: %s\n", rs->name,
			ipvs_errmsg(d->dp->ipvs));
	rs->dp_svc_ok = 0;
}

void checkd_dp_rs_free(struct checkd *d, struct checkd_rs *rs)
{
	size_t k;

	for (k = 0; k < rs->n_targets; k++)
		checkd_dp_target_free(d, &rs->targets[k]);
	svc_remove(d, rs);
}

void checkd_dp_stop(struct checkd *d)
{
	size_t i;

	if (!d->dp)
		return;
	for (i = 0; i < d->n_rs; i++)
		checkd_dp_rs_free(d, d->rs[i]);
	SSL_CTX_free(d->dp->ctx);
	ipvs_close(d->dp->ipvs);
	free(d->dp);
	d->dp = NULL;
}

/* The real server's probe service and source address; the reason lands in
 * rs->dp_setup when that fails. */
static void rs_prepare(struct checkd *d, struct checkd_rs *rs)
{
	char why[VERDICT_REASON_MAX], iface[64];

	if (rs->dp_svc_ok)
		return;
	if (datapath_prepare(&d->dp->cfg, &rs->addr, &rs->dp_src, iface, sizeof(iface), why, sizeof(why)) < 0) {
		verdict_fail(&rs->dp_setup, CHECK_LAYER_DATAPATH, "DATAPATH_SETUP", "%s", why);
		return;
	}
	if (datapath_svc_create(d->dp->ipvs, &d->dp->cfg, &rs->addr, d->dp->next_hint++, &rs->dp_svc, why,
				sizeof(why)) < 0) {
		verdict_fail(&rs->dp_setup, CHECK_LAYER_DATAPATH, "DATAPATH_SETUP", "probe service: %s", why);
		return;
	}
	rs->dp_svc_ok = 1;
	verdict_ok(&rs->dp_setup);
}

void checkd_dp_sync(struct checkd *d)
{
	int64_t now = loop_clock_ms();
	size_t i, k, n = 0;

	if (!d->conf.data_path) {
		checkd_dp_stop(d);
		return;
	}
	if (!d->dp && !(d->dp = dp_open(d)))
		return;
	for (i = 0; i < d->n_rs; i++) {
		struct checkd_rs *rs = d->rs[i];

		rs_prepare(d, rs);
		for (k = 0; k < rs->n_targets; k++) {
			struct checkd_target *t = &rs->targets[k];
			struct checkd_dp_target *p = t->dp;

			if (p)
				continue;
			p = calloc(1, sizeof(*p));
			if (!p) {
				fprintf(stderr, "dsr-checkd: data path: out of memory\n");
				return;
			}
			p->rs = rs;
			p->vip = t->vip;
			p->port = t->port;
			loop_io_init(&p->io, -1, dp_io_cb);
			loop_timer_init(&p->timer, dp_timer_cb);
			t->dp = p;
			/* spread the first probes over one interval */
			if (loop_timer_set(&d->loop, &p->timer,
					   now + (int64_t)(n++ % 997) * d->params.interval_ms / 997) < 0)
				fprintf(stderr, "dsr-checkd: data path: out of memory for a timer\n");
		}
	}
}

static void done(struct checkd *d, struct checkd_dp_target *p, const struct verdict *v)
{
	int64_t now = d->loop.now_ms;

	if (p->running) {
		loop_io_remove(&d->loop, &p->io);
		datapath_probe_free(&p->probe);
		p->running = 0;
	}
	p->last = *v;
	p->have = 1;
	p->last_ms = now;
	p->last_duration_ms = (uint32_t)(now - p->started_ms);
	p->n_probes++;
	if (!verdict_is_ok(v))
		p->n_failures++;
	if (loop_timer_set(&d->loop, &p->timer, p->started_ms + d->params.interval_ms) < 0)
		fprintf(stderr, "dsr-checkd: data path: out of memory for a timer\n");
}

static void step(struct checkd *d, struct checkd_dp_target *p, int r)
{
	if (r == 1 || r == 2) {
		p->io.fd = p->probe.fd;
		if (loop_io_want(&d->loop, &p->io, r == 1 ? EPOLLIN : EPOLLOUT) == 0)
			return;
		verdict_fail(&p->probe.result, CHECK_LAYER_DATAPATH, "DATAPATH_ERROR", "epoll: %s", strerror(errno));
	}
	done(d, p, &p->probe.result);
}

static void dp_timer_cb(struct loop_timer *t)
{
	struct checkd_dp_target *p = (struct checkd_dp_target *)((char *)t - offsetof(struct checkd_dp_target, timer));
	struct checkd_rs *rs = p->rs;
	struct checkd *d = rs->d;
	enum datapath_kind kind = (enum datapath_kind)(d->conf.data_path - 1);

	if (p->running) {
		/* the deadline of the running probe */
		datapath_probe_timeout(&p->probe, d->params.timeout_ms);
		done(d, p, &p->probe.result);
		return;
	}
	p->started_ms = d->loop.now_ms;
	if (!d->dp || !rs->dp_svc_ok) {
		if (d->dp)
			rs_prepare(d, rs);  /* retried each interval */
		if (!rs->dp_svc_ok) {
			done(d, p, &rs->dp_setup);
			return;
		}
	}
	p->running = 1;
	if (loop_timer_set(&d->loop, &p->timer, p->started_ms + d->params.timeout_ms) < 0)
		fprintf(stderr, "dsr-checkd: data path: out of memory for a timer\n");
	step(d, p, datapath_probe_start(&p->probe, kind, d->dp->ctx, &rs->dp_svc, &rs->dp_src, &p->vip, p->port,
					d->conf.dp_path, d->conf.dp_status));
}

static void dp_io_cb(struct loop_io *io, uint32_t events)
{
	struct checkd_dp_target *p = (struct checkd_dp_target *)((char *)io - offsetof(struct checkd_dp_target, io));
	struct checkd *d = p->rs->d;
	int r;

	(void)events;
	r = datapath_probe_step(&p->probe);
	if (r == 3 || r == 4) {
		loop_timer_cancel(&d->loop, &p->timer);
		done(d, p, &p->probe.result);
		return;
	}
	step(d, p, r);
}

void checkd_dp_combine(const struct checkd_target *t, const struct verdict *agent, struct verdict *out)
{
	*out = *agent;
	if (!t->dp || !t->dp->have || !verdict_is_ok(agent) || verdict_is_ok(&t->dp->last))
		return;
	*out = t->dp->last;
	if (t->dp->last.layer == CHECK_LAYER_DATAPATH && strcmp(t->dp->last.code, "DATAPATH_SETUP") != 0) {
		size_t l = strlen(out->reason);

		snprintf(out->reason + l, sizeof(out->reason) - l,
			 "; the agent reports a correct DR set-up, so a firewall or weak-host send drops the VIP's traffic");
	}
}
