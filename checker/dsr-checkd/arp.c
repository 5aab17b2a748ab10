/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_arp.c - see checkd_arp.h. */
#include "arp/iface.h"
#include "checker/dsr-checkd/arp.h"

#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "checker/lib/verdict.h"

static void arp_timer_cb(struct loop_timer *t);
static void arp_io_cb(struct loop_io *io, uint32_t events);

static struct checkd_arp *of_timer(struct loop_timer *t)
{
	return (struct checkd_arp *)((char *)t - offsetof(struct checkd_arp, timer));
}

/* The loop's callbacks get the io; both ios live in the one struct. */
static struct checkd *arp_owner;

void checkd_arp_stop(struct checkd *d)
{
	struct checkd_arp *a = d->arp;

	if (!a)
		return;
	loop_timer_cancel(&d->loop, &a->timer);
	if (a->open) {
		loop_io_remove(&d->loop, &a->io);
		loop_io_remove(&d->loop, &a->io6);
		arp_detector_close(&a->det);
	}
	free(a);
	d->arp = NULL;
}

static void add_unique(struct ip_addr *set, size_t *n, size_t max, const struct ip_addr *x)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (ipaddr_equal(&set[i], x))
			return;
	if (*n < max)
		set[(*n)++] = *x;
}

void checkd_arp_sync(struct checkd *d)
{
	struct checkd_arp *a;
	char iface[64];
	size_t i, j;
	int r;

	if (!d->conf.arp_interval_ms) {
		checkd_arp_stop(d);
		return;
	}
	if (!d->arp) {
		d->arp = calloc(1, sizeof(*d->arp));
		if (!d->arp) {
			fprintf(stderr, "dsr-checkd: arp check: out of memory\n");
			return;
		}
		d->arp->last_round_ms = -1;
		loop_timer_init(&d->arp->timer, arp_timer_cb);
		loop_io_init(&d->arp->io, -1, arp_io_cb);
		loop_io_init(&d->arp->io6, -1, arp_io_cb);
	}
	a = d->arp;
	arp_owner = d;
	a->n_vips = a->n_rs = 0;
	for (i = 0; i < d->conf.n_svc; i++) {
		const struct checkd_conf_svc *v = &d->conf.svc[i];

		if (v->vip.family != IP_FAMILY_NONE)
			add_unique(a->vips, &a->n_vips, CHECKD_ARP_MAX_VIPS, &v->vip);
		for (j = 0; j < v->n_rs; j++)
			add_unique(a->rs, &a->n_rs, CHECKD_ARP_MAX_RS, &v->rs[j].addr);
	}
	if (!a->n_vips) {
		snprintf(a->err, sizeof(a->err), "no VIP to check");
		return;
	}
	if (d->conf.arp_iface[0])
		snprintf(iface, sizeof(iface), "%s", d->conf.arp_iface);
	else if (iface_of_addr(&a->vips[0], iface, sizeof(iface)) < 0) {
		char v[IPADDR_STRLEN];

		snprintf(a->err, sizeof(a->err), "no interface here holds VIP %s: set arp_iface",
			 ipaddr_format(&a->vips[0], v));
		fprintf(stderr, "dsr-checkd: arp check: %s\n", a->err);
		return;
	}
	if (a->open && strcmp(a->det.ifname, iface) != 0) {
		loop_io_remove(&d->loop, &a->io);
		loop_io_remove(&d->loop, &a->io6);
		arp_detector_close(&a->det);
		a->open = 0;
	}
	if (!a->open) {
		r = arp_detector_open(&a->det, iface, a->err, sizeof(a->err));
		if (r < 0) {
			fprintf(stderr, "dsr-checkd: arp check: %s\n", a->err);
			return;
		}
		a->open = 1;
		a->err[0] = '\0';
		a->io.fd = a->det.fd;
		a->io6.fd = a->det.fd6;
		/* the passive watch: any claim between rounds is seen too */
		if (loop_io_want(&d->loop, &a->io, EPOLLIN) < 0 ||
		    (a->det.fd6 >= 0 && loop_io_want(&d->loop, &a->io6, EPOLLIN) < 0))
			fprintf(stderr, "dsr-checkd: arp check: epoll: %s\n", strerror(errno));
	}
	a->det.n_allowed = 1; /* our own MAC, then the configured ones */
	for (i = 0; i < d->conf.n_arp_allow; i++)
		if (arp_detector_allow(&a->det, d->conf.arp_allow[i]) < 0)
			break;
	if (!loop_timer_armed(&a->timer) && loop_timer_set(&d->loop, &a->timer, loop_clock_ms()) < 0)
		fprintf(stderr, "dsr-checkd: arp check: out of memory for a timer\n");
}

static void arp_io_cb(struct loop_io *io, uint32_t events)
{
	struct checkd *d = arp_owner;
	struct checkd_arp *a = d ? d->arp : NULL;

	(void)io;
	(void)events;
	if (!a || !a->open)
		return;
	a->n_pending += arp_detector_read(&a->det, a->vips, a->n_vips, a->pending, CHECKD_ARP_MAX_CLAIMS,
					  a->n_pending);
}

static void arp_timer_cb(struct loop_timer *t)
{
	struct checkd_arp *a = of_timer(t);
	struct checkd *d = arp_owner;
	uint32_t window = d->conf.arp_interval_ms / 2 < 500 ? d->conf.arp_interval_ms / 2 : 500;
	size_t i;
	int r;

	if (!a->open)
		return;
	if (a->in_round) {
		/* the window closed: publish what this round (and the watch) saw */
		arp_detector_name_owners(&a->det, a->pending, a->n_pending);
		memcpy(a->found, a->pending, a->n_pending * sizeof(a->pending[0]));
		for (i = 0; i < a->n_pending; i++) {
			char v[IPADDR_STRLEN], o[IPADDR_STRLEN], m[MAC_STRLEN];

			fprintf(stderr, "dsr-checkd: ARP_PROBLEM %s: %s (%s) claims VIP %s\n", a->det.ifname,
				a->pending[i].have_owner ? ipaddr_format(&a->pending[i].owner, o) : "unknown server",
				mac_format(a->pending[i].mac, m), ipaddr_format(&a->pending[i].vip, v));
		}
		a->n_found = a->n_pending;
		a->n_pending = 0;
		a->in_round = 0;
		a->rounds++;
		a->last_round_ms = d->loop.now_ms;
		if (loop_timer_set(&d->loop, &a->timer, d->loop.now_ms + d->conf.arp_interval_ms - window) < 0)
			fprintf(stderr, "dsr-checkd: arp check: out of memory for a timer\n");
		return;
	}
	/* ask for the real servers first, so their MACs are known by address */
	for (i = 0; i < a->n_rs; i++) {
		/* best effort: an unanswered one only leaves a MAC unnamed */
		r = arp_detector_send(&a->det, &a->rs[i]);
		(void)r;
	}
	for (i = 0; i < a->n_vips; i++) {
		r = arp_detector_send(&a->det, &a->vips[i]);
		if (r < 0 && r != -EAFNOSUPPORT)
			fprintf(stderr, "dsr-checkd: arp check: sending on %s: %s\n", a->det.ifname, strerror(-r));
	}
	a->in_round = 1;
	if (loop_timer_set(&d->loop, &a->timer, d->loop.now_ms + window) < 0)
		fprintf(stderr, "dsr-checkd: arp check: out of memory for a timer\n");
}

void checkd_arp_combine(const struct checkd *d, const struct checkd_rs *rs, const struct checkd_target *t,
			const struct verdict *in, struct verdict *out)
{
	const struct checkd_arp *a = d->arp;
	size_t i;

	*out = *in;
	if (!a || !d->conf.arp_fail_server || !verdict_is_ok(in))
		return;
	for (i = 0; i < a->n_found; i++) {
		char m[MAC_STRLEN], v[IPADDR_STRLEN];

		if (!a->found[i].have_owner || !ipaddr_equal(&a->found[i].owner, &rs->addr) ||
		    !ipaddr_equal(&a->found[i].vip, &t->vip))
			continue;
		verdict_fail(out, CHECK_LAYER_FACTS, "ARP_PROBLEM",
			     "%s (%s) answers ARP/ND for VIP %s on %s: it steals the VIP's traffic", rs->name,
			     mac_format(a->found[i].mac, m), ipaddr_format(&t->vip, v), a->det.ifname);
		return;
	}
}
