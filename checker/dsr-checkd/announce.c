/* SPDX-License-Identifier: Apache-2.0 */
/* announce.c - health-driven VIP announcement; see announce.h.
 *
 * Two parts: the rule (pure, over the real-server table) and the kernel
 * (the TUN device and its addresses, over a raw rtnetlink socket: a few
 * requests, each answered by the local kernel at once, so they are made
 * from the loop's thread as ipvs.c does).  BIRD's control socket is
 * bird.c's client, which the tick here starts and /status shows. */
#include "checker/dsr-checkd/announce.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "agent-proto/facts-t.h"
#include "agent-proto/jsonw.h"
#include "checker/dsr-checkd/bird.h"
#include "checker/dsr-checkd/rs.h"
#include "checker/dsr-checkd/rtnl_ack.h"

/* ---- the rule ---- */

int checkd_announce_counts(const struct checkd_rs *rs, const struct checkd_target *t)
{
	return rs && t && t->sm.state == CHECK_STATE_UP && rs->admin != ADMIN_STATE_DRAIN &&
	       rs->admin != ADMIN_STATE_MAINT && !t->failsafe_held;
}

/* "192.0.2.100:80", "[2001:db8::1]:443", "192.0.2.100:53/udp". */
static void svc_name(const struct checkd_conf_svc *c, char *out, size_t len)
{
	const char *proto = c->protocol == IPPROTO_UDP ? "/udp" : c->protocol == IPPROTO_SCTP ? "/sctp" : "";
	char a[IPADDR_STRLEN];

	if (c->vip.family == IP_FAMILY_V6)
		snprintf(out, len, "[%s]:%u%s", ipaddr_format(&c->vip, a), c->port, proto);
	else
		snprintf(out, len, "%s:%u%s", ipaddr_format(&c->vip, a), c->port, proto);
}

void checkd_announce_judge(const struct checkd *d, const size_t *svc, size_t n_svc, uint32_t min_healthy,
			   struct checkd_announce_verdict *v)
{
	const struct checkd_conf_svc *weakest = NULL;
	char name[IPADDR_STRLEN + 16];
	size_t i, j;

	memset(v, 0, sizeof(*v));
	v->announce = n_svc > 0;
	for (i = 0; i < n_svc; i++) {
		const struct checkd_conf_svc *c = &d->conf.svc[svc[i]];
		unsigned h = 0;

		for (j = 0; j < c->n_rs; j++) {
			uint16_t port = c->rs[j].port ? c->rs[j].port : c->port;
			struct checkd_rs *rs = NULL;
			const struct checkd_target *t = checkd_target_of(d, &c->rs[j], &c->vip, port, &rs);

			h += (unsigned)checkd_announce_counts(rs, t);
		}
		if (!weakest || h < v->healthy) {
			weakest = c;
			v->healthy = h;
			v->total = (unsigned)c->n_rs;
		}
		if (h < min_healthy)
			v->announce = 0;
	}
	if (!weakest) {
		snprintf(v->reason, sizeof(v->reason), "no service");
		return;
	}
	svc_name(weakest, name, sizeof(name));
	snprintf(v->reason, sizeof(v->reason), "%s: %u healthy of %u, needs %u", name, v->healthy, v->total,
		 min_healthy);
}

/* ---- the kernel: the TUN device and its addresses ---- */

/* One request on a fresh NETLINK_ROUTE socket and its acknowledgement
 * (read by checkd_rtnl_ack_parse): 0 or the kernel's own negative errno
 * (-EBADMSG, -EPROTO: a malformed answer).  A receive timeout bounds the
 * wait. */
static int rtnl_request(struct nlmsghdr *h)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 1 };
	char ans[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd, r = -ETIMEDOUT, tries;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = 1;
	if (sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) != (ssize_t)h->nlmsg_len) {
		r = -errno;
		goto out;
	}
	/* a socket of its own joins no group: the acknowledgement is all that comes */
	for (tries = 0; tries < 4; tries++) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, ans, sizeof(ans), 0, (struct sockaddr *)&from, &fl);

		if (n < 0) {
			r = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
			goto out;
		}
		if (from.nl_pid != 0)
			continue;  /* not the kernel */
		r = checkd_rtnl_ack_parse(ans, (size_t)n, h->nlmsg_seq);
		if (r <= 0)
			goto out;
		r = -ETIMEDOUT;  /* no answer in this one */
	}
out:
	close(fd);
	return r;
}

static void rta_put(struct nlmsghdr *h, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)(void *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static int kernel_addr(int ifindex, const struct ip_addr *a, int add)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg m;
		char attrs[3 * RTA_SPACE(16)];
	} req;
	uint32_t flags = a->family == IP_FAMILY_V6 ? IFA_F_NODAD : 0;
	int r;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.m));
	req.h.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	req.h.nlmsg_flags = add ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	req.m.ifa_family = a->family == IP_FAMILY_V6 ? AF_INET6 : AF_INET;
	req.m.ifa_prefixlen = (unsigned char)ipaddr_host_prefix(a);
	req.m.ifa_flags = (unsigned char)flags;
	req.m.ifa_scope = RT_SCOPE_UNIVERSE;
	req.m.ifa_index = (unsigned)ifindex;
	if (a->family == IP_FAMILY_V4)
		rta_put(&req.h, IFA_LOCAL, a->b, 4);
	rta_put(&req.h, IFA_ADDRESS, a->b, ipaddr_len(a));
	if (flags)
		rta_put(&req.h, IFA_FLAGS, &flags, sizeof(flags));
	r = rtnl_request(&req.h);
	/* taking off what is not there (or on a device gone) is done */
	if (!add && (r == -EADDRNOTAVAIL || r == -ENODEV))
		r = 0;
	return r;
}

static int kernel_link_up(int ifindex)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg m;
	} req;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.m));
	req.h.nlmsg_type = RTM_NEWLINK;
	req.m.ifi_family = AF_UNSPEC;
	req.m.ifi_index = ifindex;
	req.m.ifi_flags = IFF_UP;
	req.m.ifi_change = IFF_UP;
	return rtnl_request(&req.h);
}

static int kernel_dev_open(const char *name, int *ifindex, char *err, size_t errlen)
{
	struct ifreq ifr;
	unsigned idx;
	int fd, r;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "interface %s: /dev/net/tun: %s%s", name, strerror(-r),
			 r == -ENOENT || r == -ENODEV ? " (no tun module, or a unit with PrivateDevices=yes: see "
							"dsr-checkd.conf(5))"
			 : r == -EACCES || r == -EPERM ? " (CAP_NET_ADMIN needed)" : "");
		return r;
	}
	/* never TUNSETPERSIST: the device lives as long as this descriptor.
	 * IFF_TUN_EXCL: a device of that name that exists already (a
	 * persistent tun, a dummy, another checker's) is refused, not joined */
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (short)(IFF_TUN | IFF_NO_PI | IFF_TUN_EXCL);  /* 0x8000: the sign bit of the short */
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		if (r == -EBUSY || r == -EEXIST)
			snprintf(err, errlen, "interface %s exists already and is not this dsr-checkd's own (a persistent "
				 "tun, a dummy, another dsr-checkd?): remove it or set another announce_interface", name);
		else
			snprintf(err, errlen, "interface %s: creating the TUN device: %s%s", name, strerror(-r),
				 r == -EPERM ? " (CAP_NET_ADMIN needed)" : "");
		close(fd);
		return r;
	}
	idx = if_nametoindex(name);
	if (!idx) {
		r = -errno;
		snprintf(err, errlen, "interface %s: created, then not found: %s", name, strerror(-r));
		close(fd);
		return r;
	}
	r = kernel_link_up((int)idx);
	if (r < 0) {
		snprintf(err, errlen, "interface %s: bringing it up: %s", name, strerror(-r));
		close(fd);
		return r;
	}
	*ifindex = (int)idx;
	return fd;
}

static void kernel_dev_close(int fd)
{
	close(fd);
}

static unsigned kernel_dev_index(const char *name)
{
	return if_nametoindex(name);
}

const struct checkd_announce_ops checkd_announce_kernel_ops = {
	.dev_open = kernel_dev_open,
	.dev_close = kernel_dev_close,
	.dev_index = kernel_dev_index,
	.addr = kernel_addr,
};

/* ---- the state ---- */

struct announce_vip {
	struct ip_addr vip;
	size_t first, n;          /* its services: order[first .. first + n) */
	int installed;            /* the address is on the device */
	int err;                  /* the last failed address change (0: none), logged once */
	struct checkd_announce_verdict v;
};

struct checkd_announce {
	struct checkd *d;
	const struct checkd_announce_ops *ops;
	char iface[CHECKD_ANNOUNCE_IFACE_MAX];
	int fd, ifindex;          /* the TUN device (-1: none) */
	char dev_error[ANNOUNCE_ERROR_MAX];  /* why there is none ("": no error) */
	struct announce_vip *vips;  /* sorted by address */
	size_t n_vips, n_fwmark;
	size_t *order;            /* indices of d->conf.svc, grouped by VIP */
	struct loop_timer eval_timer, tick_timer;
	struct checkd_bird bird;  /* BIRD's control socket */
};

#define OF(ptr, member) ((struct checkd_announce *)(void *)((char *)(ptr) - offsetof(struct checkd_announce, member)))

/* ---- the device ---- */

static void dev_close(struct checkd_announce *a, const char *why)
{
	size_t i, n = 0;

	if (a->fd < 0)
		return;
	a->ops->dev_close(a->fd);
	a->fd = -1;
	a->ifindex = 0;
	for (i = 0; i < a->n_vips; i++) {
		n += a->vips[i].installed != 0;
		a->vips[i].installed = 0;
		a->vips[i].err = 0;
	}
	fprintf(stderr, "dsr-checkd: announce: interface %s removed (%s): %zu VIP%s withdrawn\n", a->iface, why, n,
		n == 1 ? "" : "s");
}

static void dev_open(struct checkd_announce *a)
{
	char err[ANNOUNCE_ERROR_MAX];
	int fd, idx = 0;

	if (a->fd >= 0)
		return;
	err[0] = '\0';
	fd = a->ops->dev_open(a->iface, &idx, err, sizeof(err));
	if (fd < 0) {
		if (strcmp(err, a->dev_error))
			fprintf(stderr, "dsr-checkd: announce: %s: no VIP is announced (tried again every %d s)\n", err,
				ANNOUNCE_BIRD_PERIOD_MS / 1000);
		snprintf(a->dev_error, sizeof(a->dev_error), "%s", err[0] ? err : "cannot create the interface");
		return;
	}
	a->fd = fd;
	a->ifindex = idx;
	a->dev_error[0] = '\0';
	fprintf(stderr, "dsr-checkd: announce: interface %s created (a TUN device the kernel removes when dsr-checkd "
		"exits, withdrawing its VIPs)\n", a->iface);
}

/* ---- judging and applying ---- */

void checkd_announce_evaluate(struct checkd *d)
{
	struct checkd_announce *a = d->announce;
	char vip[IPADDR_STRLEN];
	size_t i;
	int r;

	if (!a)
		return;
	loop_timer_cancel(&d->loop, &a->eval_timer);
	for (i = 0; i < a->n_vips; i++) {
		struct announce_vip *v = &a->vips[i];

		checkd_announce_judge(d, a->order + v->first, v->n, d->conf.announce_min_healthy, &v->v);
		if (a->fd < 0 || v->v.announce == v->installed) {
			v->err = 0;
			continue;
		}
		r = a->ops->addr(a->ifindex, &v->vip, v->v.announce);
		ipaddr_format(&v->vip, vip);
		if (r == 0) {
			v->installed = v->v.announce;
			v->err = 0;
			fprintf(stderr, "dsr-checkd: announce %s: %s (%s)\n", vip, v->installed ? "announced" : "withdrawn",
				v->v.reason);
		} else if (r != v->err) {
			v->err = r;
			fprintf(stderr, "dsr-checkd: announce %s: %s interface %s: %s (%s; tried again every %d s)\n", vip,
				v->v.announce ? "adding it to" : "removing it from", a->iface, strerror(-r), v->v.reason,
				ANNOUNCE_BIRD_PERIOD_MS / 1000);
		}
	}
}

static void eval_timer_cb(struct loop_timer *t)
{
	checkd_announce_evaluate(OF(t, eval_timer)->d);
}

void checkd_announce_mark_dirty(struct checkd *d)
{
	struct checkd_announce *a = d->announce;

	if (!a || loop_timer_armed(&a->eval_timer))
		return;
	/* never judged from here: during a reload the grouping still points
	 * into the configuration being replaced (the sync judges afterwards);
	 * without a timer, the next tick judges */
	if (loop_timer_set(&d->loop, &a->eval_timer, loop_clock_ms()) < 0)
		fprintf(stderr, "dsr-checkd: announce: out of memory for a timer; judged again within %d s\n",
			ANNOUNCE_BIRD_PERIOD_MS / 1000);
}

/* Every period: the device is still ours (or made again), failed address
 * changes are retried, BIRD is asked. */
static void tick_cb(struct loop_timer *t)
{
	struct checkd_announce *a = OF(t, tick_timer);

	if (a->fd >= 0 && a->ops->dev_index(a->iface) != (unsigned)a->ifindex)
		dev_close(a, "it vanished or was renamed; creating it again");
	dev_open(a);
	checkd_announce_evaluate(a->d);
	checkd_bird_start(&a->bird);
	if (loop_timer_set(&a->d->loop, t, loop_clock_ms() + ANNOUNCE_BIRD_PERIOD_MS) < 0)
		fprintf(stderr, "dsr-checkd: announce: out of memory for a timer\n");
}

/* ---- configuration ---- */

static int vip_cmp(const struct ip_addr *x, const struct ip_addr *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->b, y->b, ipaddr_len(x));
}

static int svc_cmp(const void *x, const void *y, void *ctx)
{
	const struct checkd_conf *c = ctx;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int r = vip_cmp(&c->svc[i].vip, &c->svc[j].vip);

	return r ? r : i < j ? -1 : i > j;
}

/* Group the address services of c by VIP; VIPs that stay keep their
 * state, VIPs no longer configured are withdrawn.  0 or -ENOMEM (the
 * previous grouping stays). */
static int group(struct checkd_announce *a, const struct checkd_conf *c)
{
	struct announce_vip *vips;
	size_t *order, n = 0, nv = 0, i, k, o;
	char vip[IPADDR_STRLEN];

	order = malloc((c->n_svc ? c->n_svc : 1) * sizeof(*order));
	vips = calloc(c->n_svc ? c->n_svc : 1, sizeof(*vips));
	if (!order || !vips) {
		free(order);
		free(vips);
		return -ENOMEM;
	}
	a->n_fwmark = 0;
	for (i = 0; i < c->n_svc; i++) {
		if (c->svc[i].fwmark)
			a->n_fwmark++;  /* no VIP to announce */
		else
			order[n++] = i;
	}
	qsort_r(order, n, sizeof(*order), svc_cmp, (void *)c);
	for (i = 0; i < n; i = k) {
		for (k = i + 1; k < n && ipaddr_equal(&c->svc[order[k]].vip, &c->svc[order[i]].vip); k++)
			;
		vips[nv].vip = c->svc[order[i]].vip;
		vips[nv].first = i;
		vips[nv].n = k - i;
		nv++;
	}
	/* both lists are sorted: one merge */
	for (o = 0, k = 0; o < a->n_vips; o++) {
		const struct announce_vip *old = &a->vips[o];
		int r = 1;

		while (k < nv && (r = vip_cmp(&vips[k].vip, &old->vip)) < 0)
			k++;
		if (k < nv && r == 0) {
			vips[k].installed = old->installed;
			vips[k].err = old->err;
			vips[k].v = old->v;
			continue;
		}
		if (!old->installed || a->fd < 0)
			continue;
		ipaddr_format(&old->vip, vip);
		r = a->ops->addr(a->ifindex, &old->vip, 0);
		if (r < 0)
			fprintf(stderr, "dsr-checkd: announce %s: removing it from interface %s: %s (it stays until the "
				"interface is closed)\n", vip, a->iface, strerror(-r));
		else
			fprintf(stderr, "dsr-checkd: announce %s: withdrawn (no longer in the configuration)\n", vip);
	}
	free(a->vips);
	free(a->order);
	a->vips = vips;
	a->n_vips = nv;
	a->order = order;
	return 0;
}

static void announce_free(struct checkd *d, const char *why)
{
	struct checkd_announce *a = d->announce;

	if (!a)
		return;
	loop_timer_cancel(&d->loop, &a->eval_timer);
	loop_timer_cancel(&d->loop, &a->tick_timer);
	checkd_bird_close(&a->bird);
	dev_close(a, why);
	free(a->vips);
	free(a->order);
	free(a);
	d->announce = NULL;
}

void checkd_announce_stop(struct checkd *d)
{
	announce_free(d, "dsr-checkd stops");
}

void checkd_announce_sync(struct checkd *d)
{
	const struct checkd_conf *c = &d->conf;
	struct checkd_announce *a = d->announce;

	if (!c->announce_iface[0]) {
		announce_free(d, "announce_interface is no longer set");
		return;
	}
	if (!a) {
		a = calloc(1, sizeof(*a));
		if (!a) {
			fprintf(stderr, "dsr-checkd: announce: out of memory: no VIP is announced\n");
			return;
		}
		a->d = d;
		a->ops = d->announce_ops ? d->announce_ops : &checkd_announce_kernel_ops;
		a->fd = -1;
		loop_timer_init(&a->eval_timer, eval_timer_cb);
		loop_timer_init(&a->tick_timer, tick_cb);
		checkd_bird_init(&a->bird, &d->loop, a->iface);
		d->announce = a;
	}
	if (strcmp(a->iface, c->announce_iface)) {
		char why[CHECKD_ANNOUNCE_IFACE_MAX + 40];

		snprintf(why, sizeof(why), "announce_interface is now %s", c->announce_iface);
		dev_close(a, why);
		snprintf(a->iface, sizeof(a->iface), "%s", c->announce_iface);
		a->dev_error[0] = '\0';
	}
	checkd_bird_configure(&a->bird, c->announce_bird_socket, c->announce_bird_protocol);
	if (group(a, c) < 0) {
		/* the old grouping points into the configuration just replaced */
		dev_close(a, "out of memory");
		free(a->vips);
		free(a->order);
		a->vips = NULL;
		a->order = NULL;
		a->n_vips = 0;
		fprintf(stderr, "dsr-checkd: announce: out of memory: no VIP is announced until the next reload\n");
		return;
	}
	fprintf(stderr, "dsr-checkd: announce: %zu VIP%s on %s, each announced while every service of it has %u or "
		"more healthy real servers%s%s%s\n", a->n_vips, a->n_vips == 1 ? "" : "s", a->iface, c->announce_min_healthy,
		a->n_fwmark ? " (fwmark services have no VIP: never announced)" : "",
		checkd_bird_off(&a->bird) ? "" : "; BIRD asked on ", checkd_bird_off(&a->bird) ? "" : a->bird.socket);
	dev_open(a);
	checkd_announce_evaluate(d);
	if (loop_timer_set(&d->loop, &a->tick_timer, loop_clock_ms()) < 0)
		fprintf(stderr, "dsr-checkd: announce: out of memory for a timer\n");
}

/* ---- /metrics and /status ---- */

int checkd_announce_metrics_render(const struct checkd *d, struct buf *out)
{
	const struct checkd_announce *a = d->announce;
	char vip[IPADDR_STRLEN];
	size_t i;
	int r = 0;

	if (!a)
		return 0;
	r |= buf_append_str(out,
		"# HELP dsrkit_announce_vip 1 when this director announces the VIP (its address is on the announce "
		"interface, for BIRD to export), 0 when withdrawn.\n"
		"# TYPE dsrkit_announce_vip gauge\n");
	for (i = 0; i < a->n_vips; i++)
		r |= buf_appendf(out, "dsrkit_announce_vip{vip=\"%s\"} %d\n", ipaddr_format(&a->vips[i].vip, vip),
				 a->vips[i].installed);
	r |= buf_append_str(out,
		"# HELP dsrkit_announce_vip_healthy_servers The fewest healthy real servers over the VIP's services "
		"(announced at announce_min_healthy or more).\n"
		"# TYPE dsrkit_announce_vip_healthy_servers gauge\n");
	for (i = 0; i < a->n_vips; i++)
		r |= buf_appendf(out, "dsrkit_announce_vip_healthy_servers{vip=\"%s\"} %u\n",
				 ipaddr_format(&a->vips[i].vip, vip), a->vips[i].v.healthy);
	if (a->bird.state != CHECKD_BIRD_OFF)
		r |= buf_appendf(out,
			"# HELP dsrkit_announce_routing_daemon_up 1 when BIRD answers on its control socket and the "
			"announce protocol is up.\n"
			"# TYPE dsrkit_announce_routing_daemon_up gauge\n"
			"dsrkit_announce_routing_daemon_up %d\n", a->bird.state == CHECKD_BIRD_UP);
	return r < 0 ? -ENOSPC : 0;
}

static void kv_string_or_null(struct jsonw *w, const char *k, const char *s)
{
	jsonw_key(w, k);
	if (s && s[0])
		jsonw_string(w, s);
	else
		jsonw_null(w);
}

int checkd_announce_status_append(const struct checkd *d, struct buf *out)
{
	const struct checkd_announce *a = d->announce;
	struct jsonw w;
	struct buf m;
	char vip[IPADDR_STRLEN];
	size_t i;
	int r;

	buf_init(&m, out->max);
	jsonw_init(&w, &m);
	if (!a) {
		jsonw_null(&w);
	} else {
		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "interface", a->iface);
		jsonw_kv_int(&w, "min_healthy", d->conf.announce_min_healthy);
		kv_string_or_null(&w, "error", a->fd < 0 ? a->dev_error : NULL);
		jsonw_key(&w, "routing_daemon");
		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "socket", a->bird.socket);
		jsonw_kv_string(&w, "protocol", a->bird.proto);
		jsonw_kv_string(&w, "state", checkd_bird_state_name(a->bird.state));
		kv_string_or_null(&w, "error", a->bird.state == CHECKD_BIRD_UP ? NULL : a->bird.error);
		jsonw_object_end(&w);
		jsonw_key(&w, "vips");
		jsonw_array_begin(&w);
		for (i = 0; i < a->n_vips; i++) {
			jsonw_object_begin(&w);
			jsonw_kv_string(&w, "vip", ipaddr_format(&a->vips[i].vip, vip));
			jsonw_kv_bool(&w, "announced", a->vips[i].installed);
			jsonw_kv_int(&w, "healthy", a->vips[i].v.healthy);
			jsonw_kv_string(&w, "reason", a->vips[i].v.reason);
			jsonw_object_end(&w);
		}
		jsonw_array_end(&w);
		jsonw_object_end(&w);
	}
	r = jsonw_finish(&w);
	if (r == 0)
		r = jsonw_splice_member(out, "announce", &m);
	buf_free(&m);
	return r;
}
