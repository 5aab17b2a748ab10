/* SPDX-License-Identifier: Apache-2.0 */
/* agent_linux.c - the Linux platform of dsr-agent (agent_platform.h).
 *
 * Facts: interfaces and addresses from rtnetlink (libnl-route-3), the ARP
 * and rp_filter sysctls from /proc/sys/net/ipv4/conf, listening TCP sockets
 * from sock_diag (NETLINK_SOCK_DIAG, filtered to TCP_LISTEN in the kernel:
 * a busy real server holds tens of thousands of connections, and
 * /proc/net/tcp would walk every one of them), /proc/net/tcp{,6} only when
 * sock_diag is unavailable.  All of them are readable without root, and all
 * are per network namespace, so the agent reports the namespace it runs in.
 * Setup: addresses over rtnetlink, sysctls through /proc/sys, persistence as
 * a sysctl.d file and a systemd unit.  This file reads; what it reads is
 * parsed in linux_parse.c, which the unit tests and fuzzers reach directly.
 */
#include "agent/agent_platform.h"
#include "agent/linux_parse.h"
#include "agent-proto/facts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

/* Read a small procfs/sysfs file into buf (NUL-terminated). Bytes or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t n)
{
	ssize_t r;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (got + 1 < n) {
		r = read(fd, buf + got, n - 1 - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return r;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* One read() of a /proc/sys value: the kernel hands the whole of a short
 * one at once, so read_small's second read (for the end of the file) would
 * be a system call for nothing, 3 per interface and whole read. */
static int read_sysctl(const char *dev, const char *key)
{
	char path[PATH_MAX], v[32];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", dev, key) >= sizeof(path))
		return FACTS_UNKNOWN;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return FACTS_UNKNOWN;
	n = read(fd, v, sizeof(v) - 1);
	close(fd);
	if (n <= 0)
		return FACTS_UNKNOWN;
	return linux_parse_sysctl(v, (size_t)n);
}

static void read_conf(const char *dev, struct facts_linux_conf *c)
{
	c->arp_ignore = read_sysctl(dev, "arp_ignore");
	c->arp_announce = read_sysctl(dev, "arp_announce");
	c->rp_filter = read_sysctl(dev, "rp_filter");
}

static int read_links_addrs(struct facts *f)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *links = NULL, *addrs = NULL;
	struct nl_object *o;
	int r = 0;

	if (!sk)
		return -ENOMEM;
	if (nl_connect(sk, NETLINK_ROUTE) < 0 || rtnl_link_alloc_cache(sk, AF_UNSPEC, &links) < 0 ||
	    rtnl_addr_alloc_cache(sk, &addrs) < 0) {
		r = -EIO;
		goto out;
	}
	for (o = nl_cache_get_first(links); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		unsigned flags = rtnl_link_get_flags(l);
		const char *name = rtnl_link_get_name(l);
		int pos;

		if (!name)
			continue;
		pos = facts_iface_add(f, name, (uint32_t)rtnl_link_get_ifindex(l), (flags & IFF_UP) ? 1 : 0,
				      (flags & IFF_LOOPBACK) ? 1 : 0);
		if (pos < 0)
			break;
		read_conf(name, &f->ifaces[pos].linux_conf);
	}
	for (o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);
		struct ip_addr ip = { 0 };
		size_t i;

		if (!local)
			continue;
		if (rtnl_addr_get_family(a) == AF_INET && nl_addr_get_len(local) == 4)
			ip.family = IP_FAMILY_V4;
		else if (rtnl_addr_get_family(a) == AF_INET6 && nl_addr_get_len(local) == 16)
			ip.family = IP_FAMILY_V6;
		else
			continue;
		memcpy(ip.b, nl_addr_get_binary_addr(local), nl_addr_get_len(local));
		for (i = 0; i < f->n_ifaces; i++)
			if (f->ifaces[i].index == (uint32_t)rtnl_addr_get_ifindex(a))
				break;
		if (i == f->n_ifaces)
			continue;
		if (facts_addr_add(f, i, &ip, (unsigned)rtnl_addr_get_prefixlen(a)) == -ENOSPC)
			break;
	}
out:
	nl_cache_free(addrs);
	nl_cache_free(links);
	nl_socket_free(sk);
	return r;
}

static void read_listeners(struct facts *f, const char *path, int v6)
{
	char line[LINUX_TCP_LINE_MAX];
	FILE *fp = fopen(path, "re");

	if (!fp)
		return;
	if (!fgets(line, sizeof(line), fp)) { /* header */
		fclose(fp);
		return;
	}
	while (fgets(line, sizeof(line), fp))
		linux_parse_tcp_line(f, line, strlen(line), v6);
	fclose(fp);
}

/* The listening TCP sockets of one family over sock_diag.  0, or a
 * negative errno (the caller falls back to procfs). */
static int diag_listeners(struct facts *f, int family)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static char rbuf[32768] __attribute__((aligned(4)));
	int fd, r = 0, done = 0;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = 1;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = 1u << 10; /* TCP_LISTEN */
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		goto out;
	}
	while (!done) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		r = linux_parse_diag(f, rbuf, (size_t)n);
		if (r < 0)
			goto out;
		done = r;
		r = 0;
	}
out:
	close(fd);
	return r;
}

static int linux_facts_read(struct facts *f)
{
	struct utsname u;
	char host[FACTS_TEXT_LEN];
	int r;

	facts_text_set(f->agent_version, sizeof(f->agent_version), DSRKIT_VERSION);
	if (uname(&u) == 0) {
		char rel[sizeof(u.sysname) + sizeof(u.release) + 2];

		snprintf(rel, sizeof(rel), "%s %s", u.sysname, u.release);
		facts_text_set(f->os_release, sizeof(f->os_release), rel);
	}
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		facts_text_set(f->hostname, sizeof(f->hostname), host);
	}
	read_conf("all", &f->linux_all);
	r = read_links_addrs(f);
	if (r < 0)
		return r;
	if (diag_listeners(f, AF_INET) < 0)
		read_listeners(f, "/proc/net/tcp", 0);
	if (diag_listeners(f, AF_INET6) < 0)
		read_listeners(f, "/proc/net/tcp6", 1);
	return 0;
}

/* The quick re-read runs 20 times a second, so it reads only what a
 * checker must see within a tick and what sends no event: arp_ignore, the
 * one sysctl whose finding drains (ARP_IGNORE, critical: the server
 * answers ARP for the VIP and steals it from the director), of `all` and of
 * the interfaces whose ARP the rules judge (is_arp_iface).  The rest is
 * left to the whole read, within a second: arp_announce and rp_filter are
 * warnings only, and the kernel announces an rp_filter change at once
 * (RTM_NEWNETCONF, which the watcher listens to; it sends nothing for the
 * ARP sysctls); lo answers no ARP, and the rules never judge its sysctls.
 * The files stay open and are read again with pread(), which costs no path
 * lookup (an open() of a /proc/sys file walks four directories).  With one
 * outward interface that is 2 reads a tick; it was 9 (lo, arp_announce,
 * rp_filter), most of an idle agent's CPU. */
#define QUICK_IFACES 16
#define QUICK_KEYS 1
static const char *const quick_keys[QUICK_KEYS] = { "arp_ignore" };

struct quick_dev {
	char name[FACTS_NAME_LEN];       /* "" : free */
	int fd[QUICK_KEYS];              /* quick_keys, -1 when not open */
	unsigned seen;                   /* the pass that last used it */
};
static struct quick_dev quick_devs[QUICK_IFACES + 1];
static unsigned quick_pass;

static void quick_dev_close(struct quick_dev *q)
{
	for (int k = 0; k < QUICK_KEYS; k++) {
		if (q->fd[k] >= 0)
			close(q->fd[k]);
		q->fd[k] = -1;
	}
	q->name[0] = '\0';
}

/* dev's slot (opened on first use), or NULL when every slot is taken. */
static struct quick_dev *quick_dev(const char *dev)
{
	struct quick_dev *free_slot = NULL;
	size_t i;

	for (i = 0; i < QUICK_IFACES + 1; i++) {
		struct quick_dev *q = &quick_devs[i];

		if (q->name[0] && strcmp(q->name, dev) == 0)
			return q;
		if (!q->name[0] && !free_slot)
			free_slot = q;
	}
	if (!free_slot || strlen(dev) >= sizeof(free_slot->name))
		return NULL;
	snprintf(free_slot->name, sizeof(free_slot->name), "%s", dev);
	for (int k = 0; k < QUICK_KEYS; k++)
		free_slot->fd[k] = -1;
	return free_slot;
}

static int quick_value(struct quick_dev *q, int k)
{
	char path[PATH_MAX], v[32];
	ssize_t r;

	if (q->fd[k] < 0) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", q->name, quick_keys[k]);
		q->fd[k] = open(path, O_RDONLY | O_CLOEXEC);
		if (q->fd[k] < 0)
			return FACTS_UNKNOWN;
	}
	r = pread(q->fd[k], v, sizeof(v) - 1, 0);
	if (r <= 0) {
		/* the interface went away (or was recreated): open again next time */
		close(q->fd[k]);
		q->fd[k] = -1;
		return FACTS_UNKNOWN;
	}
	return linux_parse_sysctl(v, (size_t)r);
}

/* Read dev's arp_ignore into *c (the rest stays as the whole read left
 * it); 1 when it differs from what it held. */
static int reread_conf(const char *dev, struct facts_linux_conf *c)
{
	struct quick_dev *q = quick_dev(dev);
	int ig;

	if (q) {
		q->seen = quick_pass;
		ig = quick_value(q, 0);
	} else {
		ig = read_sysctl(dev, "arp_ignore");
	}
	if (ig == c->arp_ignore)
		return 0;
	c->arp_ignore = ig;
	return 1;
}

/* An interface whose ARP sysctls the rules judge (rules.c, is_outward for
 * IPv4, the only family with ARP): not the loopback, not known to be down,
 * holding an IPv4 address outside 127.0.0.0/8.  A change of any of these
 * comes as an rtnetlink event, whose whole read gives the next tick the
 * new set. */
static int is_arp_iface(const struct facts *f, size_t i)
{
	size_t j;

	if (f->ifaces[i].loopback || f->ifaces[i].up == 0)
		return 0;
	for (j = 0; j < f->n_addrs; j++)
		if (f->addrs[j].iface == i && f->addrs[j].addr.family == IP_FAMILY_V4 && f->addrs[j].addr.b[0] != 127)
			return 1;
	return 0;
}

static int linux_facts_quick_reread(struct facts *f)
{
	size_t i;
	int changed;

	quick_pass++;
	changed = reread_conf("all", &f->linux_all);
	for (i = 0; i < f->n_ifaces; i++)
		if (is_arp_iface(f, i))
			changed |= reread_conf(f->ifaces[i].name, &f->ifaces[i].linux_conf);
	/* interfaces no longer watched give their slots back */
	for (i = 0; i < QUICK_IFACES + 1; i++)
		if (quick_devs[i].name[0] && quick_devs[i].seen != quick_pass)
			quick_dev_close(&quick_devs[i]);
	return changed;
}

/* --- setup ----------------------------------------------------------------- */

static int write_sysctl(const struct agent_setup_opts *o, const char *dev, const char *key, int val)
{
	char path[PATH_MAX], v[8];
	int fd, n;

	fprintf(o->out, "sysctl -w net.ipv4.conf.%s.%s=%d\n", dev, key, val);
	if (o->dry_run)
		return 0;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", dev, key);
	n = snprintf(v, sizeof(v), "%d\n", val);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, v, (size_t)n) != n) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		fprintf(o->out, "  failed: %s: %s\n", path, strerror(e));
		return -e;
	}
	close(fd);
	return 0;
}

static int addr_change(const struct agent_setup_opts *o, struct nl_sock *sk, int add,
		       const struct ip_addr *a, unsigned plen, const char *dev, uint32_t ifindex)
{
	char t[IPADDR_STRLEN];
	struct rtnl_addr *ra;
	struct nl_addr *na;
	int r;

	fprintf(o->out, "ip addr %s %s/%u dev %s\n", add ? "add" : "del", ipaddr_format(a, t), plen, dev);
	if (o->dry_run)
		return 0;
	ra = rtnl_addr_alloc();
	na = nl_addr_build(a->family == IP_FAMILY_V4 ? AF_INET : AF_INET6, a->b, ipaddr_len(a));
	if (!ra || !na) {
		rtnl_addr_put(ra);
		nl_addr_put(na);
		return -ENOMEM;
	}
	nl_addr_set_prefixlen(na, (int)plen);
	rtnl_addr_set_ifindex(ra, (int)ifindex);
	r = rtnl_addr_set_local(ra, na);
	if (r == 0) {
		rtnl_addr_set_prefixlen(ra, (int)plen);
		r = add ? rtnl_addr_add(sk, ra, NLM_F_CREATE | NLM_F_EXCL) : rtnl_addr_delete(sk, ra, 0);
	}
	if (r < 0 && add && r == -NLE_EXIST)
		r = 0; /* idempotent */
	if (r < 0)
		fprintf(o->out, "  failed: %s\n", nl_geterror(r));
	rtnl_addr_put(ra);
	nl_addr_put(na);
	return r < 0 ? (r == -NLE_PERM ? -EPERM : -EIO) : 0;
}

static int write_file(const struct agent_setup_opts *o, const char *rel, const char *text)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], dir[PATH_MAX];
	size_t len = strlen(text);
	int fd;
	char *slash;

	if ((size_t)snprintf(path, sizeof(path), "%s%s", o->root, rel) >= sizeof(path))
		return -ENAMETOOLONG;
	fprintf(o->out, "%s %s:\n%s", o->dry_run ? "would write" : "writing", path, text);
	if (o->dry_run)
		return 0;
	/* create the parent directories below root */
	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = dir + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*slash = '/';
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
		int e = errno;

		close(fd);
		unlink(tmp);
		return -e;
	}
	close(fd);
	if (rename(tmp, path) < 0)
		return -errno;
	return 0;
}

static int persist(const struct facts *f, const struct agent_setup_opts *o, const char *outward,
		   int any_v4)
{
	char sysctl[2048], unit[4096], wants[PATH_MAX];
	size_t i, n = 0, u = 0;
	int r;

	(void)f;
	n += (size_t)snprintf(sysctl + n, sizeof(sysctl) - n,
			      "# written by dsr-agent setup --persist: DR real server ARP settings\n");
	if (any_v4) {
		n += (size_t)snprintf(sysctl + n, sizeof(sysctl) - n,
				      "net.ipv4.conf.all.arp_ignore = 1\nnet.ipv4.conf.all.arp_announce = 2\n");
		/* outward holds "dev dev ..." */
		for (const char *p = outward; *p && n < sizeof(sysctl);) {
			size_t l = strcspn(p, " ");

			n += (size_t)snprintf(sysctl + n, sizeof(sysctl) - n,
					      "net.ipv4.conf.%.*s.arp_ignore = 1\nnet.ipv4.conf.%.*s.arp_announce = 2\n",
					      (int)l, p, (int)l, p);
			p += l + (p[l] ? 1 : 0);
		}
	}
	if (n >= sizeof(sysctl))
		return -ENOSPC;
	u += (size_t)snprintf(unit + u, sizeof(unit) - u,
			      "# written by dsr-agent setup --persist: the DR VIPs on lo\n"
			      "[Unit]\nDescription=dsrkit DR VIPs on the loopback interface\n"
			      "DefaultDependencies=no\nAfter=systemd-sysctl.service\nBefore=network-pre.target\n"
			      "Wants=network-pre.target\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\n"
			      "ExecStart=/sbin/ip link set lo up\n");
	for (i = 0; i < o->n_vips && u < sizeof(unit); i++) {
		char t[IPADDR_STRLEN];

		u += (size_t)snprintf(unit + u, sizeof(unit) - u, "ExecStart=/sbin/ip addr replace %s/%u dev lo\n",
				      ipaddr_format(&o->vips[i], t), ipaddr_host_prefix(&o->vips[i]));
	}
	if (u < sizeof(unit))
		u += (size_t)snprintf(unit + u, sizeof(unit) - u, "\n[Install]\nWantedBy=multi-user.target\n");
	if (u >= sizeof(unit))
		return -ENOSPC;
	r = write_file(o, "/etc/sysctl.d/90-dsrkit-dr.conf", sysctl);
	if (r < 0)
		return r;
	r = write_file(o, "/etc/systemd/system/dsrkit-vips.service", unit);
	if (r < 0)
		return r;
	/* what `systemctl enable` does, without needing a running systemd */
	snprintf(wants, sizeof(wants), "%s/etc/systemd/system/multi-user.target.wants", o->root);
	fprintf(o->out, "ln -sf ../dsrkit-vips.service %s/dsrkit-vips.service\n", wants);
	if (o->dry_run)
		return 0;
	if (mkdir(wants, 0755) < 0 && errno != EEXIST)
		return -errno;
	{
		char link[PATH_MAX + 32];

		snprintf(link, sizeof(link), "%s/dsrkit-vips.service", wants);
		unlink(link);
		return symlink("../dsrkit-vips.service", link) < 0 ? -errno : 0;
	}
}

static int linux_setup(const struct facts *f, const struct agent_setup_opts *o)
{
	struct nl_sock *sk = NULL;
	char outward[1024] = "";
	size_t i, j, on = 0;
	int r = 0, any_v4 = 0, lo = -1;
	char t[IPADDR_STRLEN];

	for (i = 0; i < f->n_ifaces; i++)
		if (f->ifaces[i].loopback && strcmp(f->ifaces[i].name, "lo") == 0)
			lo = (int)i;
	if (lo < 0) {
		fprintf(o->out, "refusing: no loopback interface 'lo' in this namespace\n");
		return -ENODEV;
	}
	/* refuse before changing anything */
	for (i = 0; i < o->n_vips; i++) {
		for (j = 0; j < f->n_addrs; j++) {
			const struct facts_addr *a = &f->addrs[j];

			if (ipaddr_equal(&a->addr, &o->vips[i]) && !f->ifaces[a->iface].loopback) {
				fprintf(o->out,
					"refusing: VIP %s is on %s, an interface that answers ARP for it; "
					"remove it first (ip addr del %s/%u dev %s)\n",
					ipaddr_format(&o->vips[i], t), f->ifaces[a->iface].name, t, a->prefix_len,
					f->ifaces[a->iface].name);
				return -EEXIST;
			}
		}
		if (o->vips[i].family == IP_FAMILY_V4)
			any_v4 = 1;
	}
	if (!o->dry_run) {
		sk = nl_socket_alloc();
		if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0) {
			nl_socket_free(sk);
			return -EIO;
		}
	}
	if (f->ifaces[lo].up == 0) {
		fprintf(o->out, "ip link set lo up\n");
		if (!o->dry_run) {
			struct rtnl_link *old = NULL, *chg = rtnl_link_alloc();

			if (!chg || rtnl_link_get_kernel(sk, f->ifaces[lo].index, NULL, &old) < 0 ||
			    (rtnl_link_set_flags(chg, IFF_UP), rtnl_link_change(sk, old, chg, 0) < 0))
				r = -EIO;
			rtnl_link_put(old);
			rtnl_link_put(chg);
		}
	}
	for (i = 0; i < o->n_vips && r == 0; i++) {
		const struct ip_addr *v = &o->vips[i];
		unsigned want = ipaddr_host_prefix(v);
		int have = 0;

		for (j = 0; j < f->n_addrs && r == 0; j++) {
			const struct facts_addr *a = &f->addrs[j];

			if (!ipaddr_equal(&a->addr, v))
				continue;
			if (a->prefix_len == want)
				have = 1;
			else
				r = addr_change(o, sk, 0, v, a->prefix_len, "lo", f->ifaces[lo].index);
		}
		if (!have && r == 0)
			r = addr_change(o, sk, 1, v, want, "lo", f->ifaces[lo].index);
	}
	if (r == 0 && any_v4) {
		if (f->linux_all.arp_ignore != 1)
			r = write_sysctl(o, "all", "arp_ignore", 1);
		if (r == 0 && f->linux_all.arp_announce != 2)
			r = write_sysctl(o, "all", "arp_announce", 2);
		for (i = 0; i < f->n_ifaces && r == 0; i++) {
			const struct facts_iface *fi = &f->ifaces[i];
			int has4 = 0;

			for (j = 0; j < f->n_addrs; j++)
				if (f->addrs[j].iface == i && f->addrs[j].addr.family == IP_FAMILY_V4)
					has4 = 1;
			if (fi->loopback || !has4)
				continue;
			if (on + strlen(fi->name) + 2 < sizeof(outward))
				on += (size_t)snprintf(outward + on, sizeof(outward) - on, "%s%s", on ? " " : "", fi->name);
			if (fi->linux_conf.arp_ignore != 1)
				r = write_sysctl(o, fi->name, "arp_ignore", 1);
			if (r == 0 && fi->linux_conf.arp_announce != 2)
				r = write_sysctl(o, fi->name, "arp_announce", 2);
		}
	}
	if (r == 0 && o->persist)
		r = persist(f, o, outward, any_v4);
	nl_socket_free(sk);
	return r;
}

/* --- load ------------------------------------------------------------------ */

static int linux_load_weight(void)
{
	char v[128];
	ssize_t n = read_small("/proc/loadavg", v, sizeof(v));

	if (n <= 0)
		return -EIO;
	return linux_parse_load_weight(v, (size_t)n, sysconf(_SC_NPROCESSORS_ONLN));
}

static int linux_color_terminal(FILE *f)
{
	return isatty(fileno(f)) == 1;
}

const struct agent_platform agent_platform = {
	.name = "linux",
	.os = FACTS_OS_LINUX,
	.facts_read = linux_facts_read,
	.facts_quick_reread = linux_facts_quick_reread,
	.setup = linux_setup,
	.load_weight = linux_load_weight,
	.color_terminal = linux_color_terminal,
};
