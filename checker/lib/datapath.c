/* SPDX-License-Identifier: Apache-2.0 */
/* datapath.c - the VIP data-path probe; see datapath.h. */
#include "checker/lib/datapath.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "bounded/strparse.h"
#include "arp/iface.h"
#include "checker/lib/verdict.h"
#include "dsrkit/ipvs.h"

static int in_range(const struct datapath_cfg *cfg, uint32_t mark)
{
	return mark >= cfg->mark_base && mark - cfg->mark_base < cfg->mark_count;
}

int datapath_cleanup(struct ipvs *h, const struct datapath_cfg *cfg)
{
	struct ipvs_table *t = NULL;
	size_t i;
	int r, removed = 0;

	r = ipvs_service_dump(h, &t);
	if (r < 0)
		return r;
	for (i = 0; i < ipvs_table_service_count(t); i++) {
		const struct ipvs_service *s = ipvs_table_service(t, i);

		if (!s->fwmark || !in_range(cfg, s->fwmark))
			continue;
		r = ipvs_service_del(h, s);
		if (r < 0 && r != -ESRCH && r != -ENOENT)
			goto out;
		removed++;
	}
	r = removed;
out:
	ipvs_table_free(t);
	return r;
}

static void svc_of(struct ipvs_service *s, const struct ip_addr *rs, uint32_t mark)
{
	memset(s, 0, sizeof(*s));
	s->af = rs->family == IP_FAMILY_V6 ? AF_INET6 : AF_INET;
	s->fwmark = mark;
	snprintf(s->sched, sizeof(s->sched), "rr");
}

int datapath_svc_create(struct ipvs *h, const struct datapath_cfg *cfg, const struct ip_addr *rs,
			uint32_t hint, struct datapath_svc *svc, char *err, size_t errlen)
{
	struct ipvs_service s;
	struct ipvs_dest d;
	uint32_t i;
	int r;

	if (!cfg->mark_count) {
		snprintf(err, errlen, "the probe mark range is empty");
		return -EINVAL;
	}
	for (i = 0; i < cfg->mark_count; i++) {
		uint32_t mark = cfg->mark_base + (hint + i) % cfg->mark_count;

		svc_of(&s, rs, mark);
		r = ipvs_service_add(h, &s);
		if (r == -EEXIST)
			continue; /* another prober's mark */
		if (r < 0) {
			snprintf(err, errlen, "%s", ipvs_errmsg(h));
			return r;
		}
		memset(&d, 0, sizeof(d));
		d.af = s.af;
		memcpy(d.addr.b, rs->b, ipaddr_len(rs));
		d.port = 0;           /* DR keeps the packet's own port */
		d.fwd = IPVS_FWD_DR;
		d.weight = 1;
		r = ipvs_dest_add(h, &s, &d);
		if (r < 0) {
			snprintf(err, errlen, "%s", ipvs_errmsg(h));
			/* undo; the add's error is the one to report */
			int undo = ipvs_service_del(h, &s);

			(void)undo;
			return r;
		}
		svc->rs = *rs;
		svc->mark = mark;
		return 0;
	}
	snprintf(err, errlen, "every mark of the probe range 0x%x+%u is in use", cfg->mark_base, cfg->mark_count);
	return -EBUSY;
}

int datapath_svc_remove(struct ipvs *h, const struct datapath_svc *svc)
{
	struct ipvs_service s;
	int r;

	svc_of(&s, &svc->rs, svc->mark);
	r = ipvs_service_del(h, &s);
	return r == -ESRCH || r == -ENOENT ? 0 : r;
}

static void to_sockaddr(const struct ip_addr *a, uint16_t port, struct sockaddr_storage *ss, socklen_t *sl)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == IP_FAMILY_V4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->b, 4);
		*sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->b, 16);
		*sl = sizeof(*s6);
	}
}

static int read_sysctl(const char *path, uint32_t *v)
{
	char txt[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, txt, sizeof(txt) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	while (n > 0 && (txt[n - 1] == '\n' || txt[n - 1] == ' '))
		n--;
	return parse_u32n(txt, (size_t)n, v, 0, 255);
}

static int write_sysctl(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, v, strlen(v)) != (ssize_t)strlen(v))
		r = -errno;
	close(fd);
	return r;
}

int datapath_prepare(const struct datapath_cfg *cfg, const struct ip_addr *rs, struct ip_addr *src,
		     char *iface, size_t iface_len, char *why, size_t whylen)
{
	struct sockaddr_storage ss, local;
	socklen_t sl, ll = sizeof(local);
	char p_local[128], p_rp[128], p_all[128], a[IPADDR_STRLEN];
	uint32_t accept_local = 0, rp_if = 0, rp_all = 0;
	int fd, r;

	/* the kernel's own route choice gives the source address toward rs */
	to_sockaddr(rs, 9, &ss, &sl);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0 ||
	    getsockname(fd, (struct sockaddr *)&local, &ll) < 0) {
		r = -errno;
		snprintf(why, whylen, "no route from the director to %s: %s", ipaddr_format(rs, a), strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	close(fd);
	memset(src, 0, sizeof(*src));
	if (local.ss_family == AF_INET) {
		src->family = IP_FAMILY_V4;
		memcpy(src->b, &((struct sockaddr_in *)&local)->sin_addr, 4);
	} else {
		src->family = IP_FAMILY_V6;
		memcpy(src->b, &((struct sockaddr_in6 *)&local)->sin6_addr, 16);
	}
	iface[0] = '\0';
	if (iface_of_addr(src, iface, iface_len) < 0)
		iface[0] = '\0';
	if (!iface[0]) {
		snprintf(why, whylen, "cannot tell the interface of source address %s", ipaddr_format(src, a));
		return -ENODEV;
	}
	if (src->family != IP_FAMILY_V4)
		return 0; /* accept_local and rp_filter are IPv4 settings */
	snprintf(p_local, sizeof(p_local), "/proc/sys/net/ipv4/conf/%s/accept_local", iface);
	snprintf(p_rp, sizeof(p_rp), "/proc/sys/net/ipv4/conf/%s/rp_filter", iface);
	snprintf(p_all, sizeof(p_all), "/proc/sys/net/ipv4/conf/all/rp_filter");
	if (read_sysctl(p_local, &accept_local) < 0 || read_sysctl(p_rp, &rp_if) < 0 ||
	    read_sysctl(p_all, &rp_all) < 0) {
		snprintf(why, whylen, "cannot read the IPv4 settings of %s", iface);
		return -EIO;
	}
	if (accept_local == 1 && (rp_if > rp_all ? rp_if : rp_all) != 1)
		return 0;
	if (!cfg->set_sysctls) {
		snprintf(why, whylen,
			 "the server's answer from the VIP would be dropped as a martian on %s: needs "
			 "'sysctl -w net.ipv4.conf.%s.accept_local=1'%s (or let the checker set it)",
			 iface, iface, (rp_if > rp_all ? rp_if : rp_all) == 1 ? " and a loose rp_filter (2)" : "");
		return -EPERM;
	}
	if (accept_local != 1 && (r = write_sysctl(p_local, "1")) < 0) {
		snprintf(why, whylen, "cannot set net.ipv4.conf.%s.accept_local=1: %s", iface, strerror(-r));
		return r;
	}
	/* the effective rp_filter is the maximum of all and the interface: 2 on
	 * the interface makes it loose whatever `all` says */
	if ((rp_if > rp_all ? rp_if : rp_all) == 1 && (r = write_sysctl(p_rp, "2")) < 0) {
		snprintf(why, whylen, "cannot set net.ipv4.conf.%s.rp_filter=2: %s", iface, strerror(-r));
		return r;
	}
	return 0;
}

enum probe_state {
	PROBE_CONNECTING,
	PROBE_TLS,
	PROBE_SENDING,
	PROBE_RECEIVING,
	PROBE_DONE,
	PROBE_FAILED,
};

__attribute__((format(printf, 3, 4)))
static int fail(struct datapath_probe *p, const char *code, const char *fmt, ...)
{
	char why[VERDICT_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	verdict_fail(&p->result, CHECK_LAYER_DATAPATH, code, "%s", why);
	if (p->ssl) {
		SSL_free(p->ssl);
		p->ssl = NULL;
	}
	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
	p->state = PROBE_FAILED;
	return 4;
}

int datapath_probe_start(struct datapath_probe *p, enum datapath_kind kind, SSL_CTX *ctx,
			 const struct datapath_svc *svc, const struct ip_addr *src, const struct ip_addr *vip,
			 uint16_t port, const char *path, unsigned want_status)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char a[IPADDR_STRLEN];
	int mark = (int)svc->mark;

	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->ctx = ctx;
	p->fd = -1;
	p->want_status = want_status ? want_status : 200;
	buf_init(&p->out, 1024);
	http_resp_init(&p->resp);
	if ((kind == DATAPATH_HTTP || kind == DATAPATH_HTTPS) &&
	    buf_appendf(&p->out, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: dsrkit-datapath/%s\r\nConnection: close\r\n\r\n",
			path && *path ? path : "/", ipaddr_format(vip, a), DSRKIT_VERSION) < 0)
		return fail(p, "DATAPATH_ERROR", "%s", "request path too long");
	p->fd = socket(vip->family == IP_FAMILY_V6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0)
		return fail(p, "DATAPATH_ERROR", "socket: %s", strerror(errno));
	/* the mark selects our private fwmark service, and so this real server */
	if (setsockopt(p->fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
		return fail(p, "DATAPATH_SETUP", "cannot mark the probe socket (needs CAP_NET_ADMIN): %s",
			    strerror(errno));
	to_sockaddr(src, 0, &ss, &sl);
	if (bind(p->fd, (struct sockaddr *)&ss, sl) < 0)
		return fail(p, "DATAPATH_SETUP", "bind to the director's address: %s", strerror(errno));
	to_sockaddr(vip, port, &ss, &sl);
	p->state = PROBE_CONNECTING;
	if (connect(p->fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS)
		return fail(p, "DATAPATH_ERROR", "connect: %s", strerror(errno));
	return 2;
}

static int after_connect(struct datapath_probe *p)
{
	if (p->kind == DATAPATH_TCP) {
		verdict_ok(&p->result);
		close(p->fd);
		p->fd = -1;
		p->state = PROBE_DONE;
		return 3;
	}
	if (p->kind == DATAPATH_TLS || p->kind == DATAPATH_HTTPS) {
		if (!p->ctx)
			return fail(p, "DATAPATH_ERROR", "%s", "no TLS context for a TLS probe");
		p->ssl = SSL_new(p->ctx);
		if (!p->ssl)
			return fail(p, "DATAPATH_ERROR", "%s", "SSL_new failed");
		/* the path is what is probed, not the service's certificate */
		SSL_set_verify(p->ssl, SSL_VERIFY_NONE, NULL);
		SSL_set_fd(p->ssl, p->fd);
		p->state = PROBE_TLS;
	} else {
		p->state = PROBE_SENDING;
	}
	return datapath_probe_step(p);
}

static ssize_t io_write(struct datapath_probe *p, const void *b, size_t n, int *want)
{
	if (p->ssl) {
		int r = SSL_write(p->ssl, b, (int)n);

		if (r > 0)
			return r;
		*want = SSL_get_error(p->ssl, r) == SSL_ERROR_WANT_READ ? 1 : 2;
		return SSL_get_error(p->ssl, r) == SSL_ERROR_WANT_READ ||
				       SSL_get_error(p->ssl, r) == SSL_ERROR_WANT_WRITE ? 0 : -1;
	}
	{
		ssize_t r = write(p->fd, b, n);

		if (r >= 0)
			return r;
		*want = 2;
		return errno == EAGAIN ? 0 : -1;
	}
}

static ssize_t io_read(struct datapath_probe *p, void *b, size_t n, int *want)
{
	if (p->ssl) {
		int r = SSL_read(p->ssl, b, (int)n), e;

		if (r > 0)
			return r;
		e = SSL_get_error(p->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			*want = e == SSL_ERROR_WANT_READ ? 1 : 2;
			return -2;
		}
		return e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL ? 0 : -1;
	}
	{
		ssize_t r = read(p->fd, b, n);

		if (r >= 0)
			return r;
		*want = 1;
		return errno == EAGAIN ? -2 : -1;
	}
}

int datapath_probe_step(struct datapath_probe *p)
{
	char txt[64];
	int want = 1;

	switch (p->state) {
	case PROBE_CONNECTING: {
		int err = 0;
		socklen_t el = sizeof(err);

		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err == ECONNREFUSED)
			return fail(p, "DATAPATH_REFUSED",
				    "the server reset the connection to the VIP: it accepts the VIP, but nothing listens (%s)",
				    strerror(err));
		if (err)
			return fail(p, "DATAPATH_ERROR", "connect through the VIP: %s", strerror(err));
		return after_connect(p);
	}
	case PROBE_TLS: {
		int r = SSL_connect(p->ssl), e;

		if (r == 1) {
			if (p->kind == DATAPATH_TLS) {
				verdict_ok(&p->result);
				p->state = PROBE_DONE;
				SSL_free(p->ssl);
				p->ssl = NULL;
				close(p->fd);
				p->fd = -1;
				return 3;
			}
			p->state = PROBE_SENDING;
			return datapath_probe_step(p);
		}
		e = SSL_get_error(p->ssl, r);
		if (e == SSL_ERROR_WANT_READ)
			return 1;
		if (e == SSL_ERROR_WANT_WRITE)
			return 2;
		ERR_error_string_n(ERR_get_error(), txt, sizeof(txt));
		ERR_clear_error();
		return fail(p, "DATAPATH_TLS", "TLS handshake through the VIP failed: %s", txt);
	}
	case PROBE_SENDING:
		while (p->out_off < p->out.len) {
			ssize_t r = io_write(p, p->out.data + p->out_off, p->out.len - p->out_off, &want);

			if (r == 0)
				return want;
			if (r < 0)
				return fail(p, "DATAPATH_ERROR", "%s", "sending the request through the VIP failed");
			p->out_off += (size_t)r;
		}
		p->state = PROBE_RECEIVING;
		/* fall through */
	case PROBE_RECEIVING:
		for (;;) {
			char in[2048];
			size_t used;
			ssize_t r = io_read(p, in, sizeof(in), &want);
			int pr;

			if (r == -2)
				return want;
			if (r < 0)
				return fail(p, "DATAPATH_ERROR", "%s", "reading the answer through the VIP failed");
			if (r == 0) {
				if (http_resp_eof(&p->resp) != 1)
					return fail(p, "DATAPATH_HTTP", "bad HTTP answer through the VIP: %s", p->resp.error);
				break;
			}
			pr = http_resp_feed(&p->resp, in, (size_t)r, &used);
			if (pr < 0)
				return fail(p, "DATAPATH_HTTP", "bad HTTP answer through the VIP: %s", p->resp.error);
			if (pr == 1)
				break;
		}
		if (p->resp.status != p->want_status) {
			snprintf(txt, sizeof(txt), "%u (expected %u)", p->resp.status, p->want_status);
			return fail(p, "DATAPATH_HTTP", "HTTP status through the VIP: %s", txt);
		}
		verdict_ok(&p->result);
		p->state = PROBE_DONE;
		if (p->ssl) {
			SSL_free(p->ssl);
			p->ssl = NULL;
		}
		close(p->fd);
		p->fd = -1;
		return 3;
	case PROBE_DONE:
		return 3;
	default:
		return 4;
	}
}

void datapath_probe_timeout(struct datapath_probe *p, unsigned timeout_ms)
{
	char t[32];

	snprintf(t, sizeof(t), "%u", timeout_ms);
	if (p->state == PROBE_CONNECTING)
		fail(p, "DATAPATH_TIMEOUT",
		     "no answer from the VIP through this server within %s ms: it does not accept the VIP's "
		     "traffic (VIP not on loopback, a firewall, or weak-host send off)", t);
	else
		fail(p, "DATAPATH_TIMEOUT", "the service behind the VIP did not finish within %s ms", t);
}

void datapath_probe_free(struct datapath_probe *p)
{
	if (p->ssl)
		SSL_free(p->ssl);
	if (p->fd >= 0)
		close(p->fd);
	p->ssl = NULL;
	p->fd = -1;
	buf_free(&p->out);
	http_resp_free(&p->resp);
}
