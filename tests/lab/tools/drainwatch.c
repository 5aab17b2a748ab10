/* SPDX-License-Identifier: Apache-2.0 */
/* dsrkit-drainwatch - fault-to-drain at the kernel, for the detect bench
 * and the checkd-events lab test.
 *
 *   dsrkit-drainwatch [--effect SPEC] VIP PORT RS TIMEOUT_MS -- CMD [ARG...]
 *
 * Runs in the director's namespace.  Checks that RS has a weight above 0
 * in the IPVS service VIP:PORT (TCP), takes the time, runs CMD (the fault),
 * and reads the IPVS table over netlink every millisecond until RS's
 * weight is 0 or RS is gone.  Prints the milliseconds from just before
 * CMD was started (so CMD's own start-up counts against the checker) and
 * exits 0; prints "timeout" and exits 1 after TIMEOUT_MS; 2 on usage or
 * IPVS errors, 3 when RS was not up to begin with.  A poll every 1 ms, not
 * a busy loop: the lab's guest has one CPU, shared with the agent and the
 * checker being measured.
 *
 * Under User-Mode Linux a fork and exec costs 50-100 ms, so CMD's start-up
 * (a shell, then `ip`) is most of that figure.  --effect watches for the
 * moment the fault takes effect, from a thread, and then two numbers are
 * printed: effect-to-drain, then start-to-drain.  SPEC is one of
 *   addr-gone:NETNS:ADDR      an RTM_DELADDR of ADDR in /run/netns/NETNS
 *   sysctl:NETNS:PATH:VALUE   PATH (under /proc/sys) reads VALUE, polled
 *                             every millisecond in NETNS
 *   exit:PID                  process PID has exited (pidfd)
 *   link-down:NETNS:IFNAME    IFNAME reported down or without carrier
 *                             (no IFF_UP or no IFF_RUNNING, rtnetlink)
 * The watcher can see the effect late by its own scheduling delay (the
 * agent wakes on the same event), never early: the first figure is a
 * lower bound of the true fault-to-drain by at most that delay, the second
 * an upper bound.  A drain seen before the watcher noticed counts as 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bounded/ipaddr.h"
#include "bounded/strparse.h"
#include "dsrkit/ipvs.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int addr_is(int af, const union ipvs_addr *a, const struct ip_addr *want)
{
	if (want->family == IP_FAMILY_V4)
		return af == AF_INET && memcmp(a->b, want->b, 4) == 0;
	return af == AF_INET6 && memcmp(a->b, want->b, 16) == 0;
}

/* RS's weight in VIP:PORT, -1 when absent, -2 on an error. */
static int32_t weight_of(struct ipvs *h, const struct ip_addr *vip, uint16_t port, const struct ip_addr *rs)
{
	struct ipvs_table *t = NULL;
	int32_t w = -1;
	size_t i, j;

	if (ipvs_table_read(h, &t) < 0)
		return -2;
	for (i = 0; i < ipvs_table_service_count(t); i++) {
		const struct ipvs_service *s = ipvs_table_service(t, i);

		if (s->fwmark || s->port != port || !addr_is(s->af, &s->addr, vip))
			continue;
		for (j = 0; j < ipvs_table_dest_count(t, i); j++) {
			const struct ipvs_dest *d = ipvs_table_dest(t, i, j);

			if (addr_is(d->af ? d->af : s->af, &d->addr, rs))
				w = d->weight;
		}
	}
	ipvs_table_free(t);
	return w;
}

enum effect_kind { EFFECT_NONE, EFFECT_ADDR_GONE, EFFECT_SYSCTL, EFFECT_EXIT, EFFECT_LINK_DOWN };

struct effect {
	enum effect_kind kind;
	char netns[64];
	struct ip_addr addr;
	char path[256];
	char value[32];
	char ifname[IF_NAMESIZE];
	unsigned ifindex;
	long pid;
	int fd;                 /* the armed socket, file or pidfd */
	_Atomic int seen;
	_Atomic double at_ms;
};

/* "a:b:c" -> fields split at the first (n - 1) colons; the last takes the rest */
static int split(char *spec, char **f, int n)
{
	int i;

	for (i = 0; i < n - 1; i++) {
		char *c = strchr(spec, ':');

		if (!c)
			return -1;
		f[i] = spec;
		*c = '\0';
		spec = c + 1;
	}
	f[n - 1] = spec;
	return 0;
}

static int enter_netns(const char *name)
{
	char p[128];
	int fd, r;

	snprintf(p, sizeof(p), "/run/netns/%s", name);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = setns(fd, CLONE_NEWNET);
	close(fd);
	return r;
}

static void effect_seen(struct effect *e)
{
	atomic_store(&e->at_ms, now_ms());
	atomic_store(&e->seen, 1);
}

/* Parse SPEC; 0 or -1 with a message. */
static int effect_parse(struct effect *e, char *spec)
{
	char *f[4];
	uint32_t pid;

	memset(e, 0, sizeof(*e));
	e->fd = -1;
	if (strncmp(spec, "addr-gone:", 10) == 0 && split(spec + 10, f, 2) == 0 && ipaddr_parse(f[1], &e->addr) == 0) {
		e->kind = EFFECT_ADDR_GONE;
		snprintf(e->netns, sizeof(e->netns), "%s", f[0]);
	} else if (strncmp(spec, "sysctl:", 7) == 0 && split(spec + 7, f, 3) == 0) {
		e->kind = EFFECT_SYSCTL;
		snprintf(e->netns, sizeof(e->netns), "%s", f[0]);
		snprintf(e->path, sizeof(e->path), "/proc/sys/%s", f[1]);
		snprintf(e->value, sizeof(e->value), "%s", f[2]);
	} else if (strncmp(spec, "exit:", 5) == 0 && parse_u32(spec + 5, &pid, 1, 0x7fffffff) == 0) {
		e->kind = EFFECT_EXIT;
		e->pid = (long)pid;
	} else if (strncmp(spec, "link-down:", 10) == 0 && split(spec + 10, f, 2) == 0 && strlen(f[1]) < IF_NAMESIZE) {
		e->kind = EFFECT_LINK_DOWN;
		snprintf(e->netns, sizeof(e->netns), "%s", f[0]);
		snprintf(e->ifname, sizeof(e->ifname), "%s", f[1]);
	} else {
		fprintf(stderr, "dsrkit-drainwatch: bad --effect %s\n", spec);
		return -1;
	}
	return 0;
}

static int addr_attr_is(const struct rtattr *a, const struct ip_addr *want)
{
	size_t l = RTA_PAYLOAD(a);

	return (want->family == IP_FAMILY_V4 && l == 4 && memcmp(RTA_DATA(a), want->b, 4) == 0) ||
	       (want->family == IP_FAMILY_V6 && l == 16 && memcmp(RTA_DATA(a), want->b, 16) == 0);
}

/* One rtnetlink datagram: 1 when it carries the awaited effect. */
static int rtnl_hit(const struct effect *e, const char *b, ssize_t n)
{
	const struct nlmsghdr *h;

	for (h = (const struct nlmsghdr *)b; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
		if (e->kind == EFFECT_ADDR_GONE && h->nlmsg_type == RTM_DELADDR) {
			const struct ifaddrmsg *m = NLMSG_DATA(h);
			const struct rtattr *a = IFA_RTA(m);
			int l = (int)IFA_PAYLOAD(h);

			for (; RTA_OK(a, l); a = RTA_NEXT(a, l))
				if ((a->rta_type == IFA_LOCAL || a->rta_type == IFA_ADDRESS) && addr_attr_is(a, &e->addr))
					return 1;
		}
		if (e->kind == EFFECT_LINK_DOWN && h->nlmsg_type == RTM_NEWLINK) {
			const struct ifinfomsg *m = NLMSG_DATA(h);

			if ((unsigned)m->ifi_index == e->ifindex && (m->ifi_flags & (IFF_UP | IFF_RUNNING)) != (IFF_UP | IFF_RUNNING))
				return 1;
		}
	}
	return 0;
}

/* Open what the watcher reads, in its namespace (this thread's only). */
static int effect_arm(struct effect *e)
{
	if (e->kind == EFFECT_EXIT) {
		e->fd = (int)syscall(SYS_pidfd_open, (pid_t)e->pid, 0);
		return e->fd < 0 ? -1 : 0;
	}
	if (enter_netns(e->netns) < 0)
		return -1;
	if (e->kind == EFFECT_SYSCTL) {
		e->fd = open(e->path, O_RDONLY | O_CLOEXEC);
		return e->fd < 0 ? -1 : 0;
	}
	{
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

		sa.nl_groups = e->kind == EFFECT_LINK_DOWN ? RTMGRP_LINK : RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
		if (e->kind == EFFECT_LINK_DOWN && (e->ifindex = if_nametoindex(e->ifname)) == 0)
			return -1;
		e->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (e->fd < 0 || bind(e->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return -1;
	}
	return 0;
}

static void *effect_watch(void *arg)
{
	struct effect *e = arg;
	struct timespec ms1 = { 0, 1000000 };
	char b[16384];
	ssize_t n;

	for (;;) {
		if (e->kind == EFFECT_EXIT) {
			struct pollfd p = { .fd = e->fd, .events = POLLIN };

			if (poll(&p, 1, -1) == 1)
				break;
		} else if (e->kind == EFFECT_SYSCTL) {
			n = pread(e->fd, b, sizeof(b) - 1, 0);
			if (n > 0) {
				b[n] = '\0';
				b[strcspn(b, "\n")] = '\0';
				if (strcmp(b, e->value) == 0)
					break;
			}
			nanosleep(&ms1, NULL);
		} else {
			n = recv(e->fd, b, sizeof(b), 0);
			if (n > 0 && rtnl_hit(e, b, n))
				break;
		}
	}
	effect_seen(e);
	return NULL;
}

struct arm_ctx {
	struct effect *e;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, ok;
};

static void *effect_thread(void *arg)
{
	struct arm_ctx *a = arg;
	int ok = effect_arm(a->e) == 0;

	pthread_mutex_lock(&a->mu);
	a->ok = ok;
	a->done = 1;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return ok ? effect_watch(a->e) : NULL;
}

/* Start the watcher and wait until it is armed. */
static int effect_start(struct effect *e)
{
	static struct arm_ctx a = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
	pthread_t t;

	a.e = e;
	if (pthread_create(&t, NULL, effect_thread, &a) != 0)
		return -1;
	pthread_detach(t);
	pthread_mutex_lock(&a.mu);
	while (!a.done)
		pthread_cond_wait(&a.cv, &a.mu);
	pthread_mutex_unlock(&a.mu);
	return a.ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	static struct effect eff;
	struct ip_addr vip, rs;
	uint32_t port, timeout;
	struct ipvs *h = NULL;
	struct timespec ms1 = { 0, 1000000 };
	double t0;
	pid_t pid;
	int32_t w;

	if (argc > 2 && strcmp(argv[1], "--effect") == 0) {
		if (effect_parse(&eff, argv[2]) < 0)
			return 2;
		argc -= 2;
		argv += 2;
	}
	if (argc < 7 || strcmp(argv[5], "--") != 0 || ipaddr_parse(argv[1], &vip) < 0 ||
	    parse_u32(argv[2], &port, 1, 65535) < 0 || ipaddr_parse(argv[3], &rs) < 0 ||
	    parse_u32(argv[4], &timeout, 1, 600000) < 0) {
		fprintf(stderr, "usage: dsrkit-drainwatch [--effect SPEC] VIP PORT RS TIMEOUT_MS -- CMD [ARG...]\n");
		return 2;
	}
	if (ipvs_open(&h) < 0) {
		fprintf(stderr, "dsrkit-drainwatch: no IPVS\n");
		return 2;
	}
	w = weight_of(h, &vip, (uint16_t)port, &rs);
	if (w <= 0) {
		fprintf(stderr, "dsrkit-drainwatch: %s is not up in %s:%u (weight %d)\n", argv[3], argv[1], port, w);
		ipvs_close(h);
		return 3;
	}
	if (eff.kind != EFFECT_NONE && effect_start(&eff) < 0) {
		fprintf(stderr, "dsrkit-drainwatch: cannot watch the effect: %s\n", strerror(errno));
		ipvs_close(h);
		return 2;
	}
	fflush(stdout);
	t0 = now_ms();
	pid = fork();
	if (pid == 0) {
		execvp(argv[6], argv + 6);
		_exit(127);
	}
	if (pid < 0) {
		ipvs_close(h);
		return 2;
	}
	for (;;) {
		double t = now_ms();

		w = weight_of(h, &vip, (uint16_t)port, &rs);
		if (w == 0 || w == -1) {
			if (eff.kind == EFFECT_NONE) {
				printf("%.1f\n", t - t0);
			} else {
				double te = atomic_load(&eff.seen) ? atomic_load(&eff.at_ms) : t;

				printf("%.1f %.1f\n", te < t ? t - te : 0.0, t - t0);
			}
			break;
		}
		if (t - t0 > timeout) {
			printf("timeout\n");
			break;
		}
		nanosleep(&ms1, NULL);
	}
	waitpid(pid, NULL, 0);
	ipvs_close(h);
	return w == 0 || w == -1 ? 0 : 1;
}
