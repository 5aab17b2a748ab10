/* SPDX-License-Identifier: Apache-2.0 */
/* agent_watch.c - see agent_watch.h.  Plain sockets and syscalls: the
 * messages are never parsed, only drained (the facts are read again through
 * the platform table, which is the one reader of the kernel's state). */
#include "agent/agent_watch.h"

#include <errno.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

static int open_netlink(void)
{
	struct sockaddr_nl sa;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	int one = 1, netconf = RTNLGRP_IPV4_NETCONF;

	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	/* an overrun (ENOBUFS) is itself news: the next whole read covers it */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	/* IPv4 netconf: the kernel announces a change of rp_filter (not of the
	 * ARP sysctls), so the tick need not read it.  Without it (a kernel
	 * that refuses), rp_filter shows at the next whole read, within a
	 * second. */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &netconf, sizeof(netconf)) < 0)
		fprintf(stderr, "dsr-agent: warning: no netconf events (%s): an rp_filter change shows "
			"within a second\n", strerror(errno));
	return fd;
}

static int open_inotify(struct agent_watch *w, const char *path)
{
	char dir[AGENT_CONFIG_PATH_LEN];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash) {
		snprintf(dir, sizeof(dir), ".");
		snprintf(w->state_base, sizeof(w->state_base), "%s", path);
	} else {
		size_t n = (size_t)(slash - path);

		if (n == 0)
			n = 1;
		if (n >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, path, n);
		dir[n] = '\0';
		snprintf(w->state_base, sizeof(w->state_base), "%s", slash + 1);
	}
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* the directory, not the file: an editor or `dsr-agent drain` replaces
	 * the file by a rename, and the file may not exist yet */
	w->wd = inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM);
	if (w->wd < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

int agent_watch_open(struct agent_watch *w, const struct agent_config *cfg)
{
	int fd;

	memset(w, 0, sizeof(*w));
	for (int i = 0; i < AGENT_WATCH_SRC_COUNT; i++)
		w->fd[i] = -1;
	w->wd = -1;
	fd = open_netlink();
	if (fd < 0)
		fprintf(stderr, "dsr-agent: warning: no rtnetlink events (%s): changes show at the next whole read\n",
			strerror(-fd));
	else
		w->fd[AGENT_WATCH_NETLINK] = fd;
	if (cfg->state_file[0]) {
		fd = open_inotify(w, cfg->state_file);
		if (fd < 0)
			fprintf(stderr, "dsr-agent: warning: cannot watch the state file's directory (%s): "
				"changes show at the next whole read\n", strerror(-fd));
		else
			w->fd[AGENT_WATCH_STATE_FILE] = fd;
	}
	return 0;
}

static int drain_inotify(struct agent_watch *w)
{
	char b[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int hit = 0;

	for (;;) {
		ssize_t n = read(w->fd[AGENT_WATCH_STATE_FILE], b, sizeof(b));
		size_t off = 0;

		if (n <= 0)
			return hit;
		while (off + sizeof(struct inotify_event) <= (size_t)n) {
			const struct inotify_event *ev = (const struct inotify_event *)(b + off);

			if ((ev->mask & IN_Q_OVERFLOW) || (ev->len && strcmp(ev->name, w->state_base) == 0))
				hit = 1;
			off += sizeof(*ev) + ev->len;
		}
	}
}

int agent_watch_drain(struct agent_watch *w, enum agent_watch_src src)
{
	char b[8192];
	int hit = 0;

	if ((unsigned)src >= AGENT_WATCH_SRC_COUNT || w->fd[src] < 0)
		return 0;
	switch (src) {
	case AGENT_WATCH_NETLINK:
		/* any address or link message: the caller compares the facts */
		while (recv(w->fd[src], b, sizeof(b), MSG_DONTWAIT) > 0 || errno == ENOBUFS)
			hit = 1;
		return hit;
	case AGENT_WATCH_STATE_FILE:
		return drain_inotify(w);
	case AGENT_WATCH_SRC_COUNT:
		break;
	}
	return 0;
}

void agent_watch_close(struct agent_watch *w)
{
	for (int i = 0; i < AGENT_WATCH_SRC_COUNT; i++) {
		if (w->fd[i] >= 0)
			close(w->fd[i]);
		w->fd[i] = -1;
	}
}
