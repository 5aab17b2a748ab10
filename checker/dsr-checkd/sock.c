/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_sock.c - the daemon socket and track files; see checkd_sock.h. */
#include "checker/dsr-checkd/sock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "checker/dsr-checkd/listener.h"
#include "checker/dsr-checkd/rs.h"
#include "checker/lib/verdict.h"

struct sclient {
	struct checkd_conn base;   /* first: the listener allocates and lists it */
	char in[CHECKD_PROTO_LINE_MAX];
	size_t len;
};

struct checkd_sock {
	struct checkd_listener l;  /* first */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

void checkd_sock_answer(const struct checkd *d, const struct checkd_query *q, int64_t now_ms,
			struct checkd_answer *a)
{
	struct checkd_rs *rs = NULL;
	const struct checkd_target *t = checkd_target_find(d, &q->rs, &q->vip, q->port, &rs);
	char vip[IPADDR_STRLEN], rsn[IPADDR_STRLEN];

	memset(a, 0, sizeof(*a));
	a->j.weight_hint = -1;
	if (!t) {
		a->state = CHECKD_ANSWER_UNKNOWN;
		verdict_fail(&a->j.verdict, CHECK_LAYER_CONFIG, "NOT_CHECKED", "dsr-checkd does not check %s for %s:%u",
			     ipaddr_format(&q->rs, rsn), ipaddr_format(&q->vip, vip), q->port);
		return;
	}
	a->j = t->j;
	a->j.admin = rs->admin;
	a->j.weight_hint = rs->weight_hint;
	a->age_ms = rs->last_done_ms < 0 ? 0 : (uint32_t)(now_ms - rs->last_done_ms);
	switch (t->sm.state) {
	case CHECK_STATE_INIT:
		a->state = CHECKD_ANSWER_INIT;
		verdict_fail(&a->j.verdict, CHECK_LAYER_CONFIG, "NOT_CHECKED_YET", "dsr-checkd has no result yet");
		break;
	case CHECK_STATE_UP:
		a->state = CHECKD_ANSWER_UP;
		/* up under rise/fall: a failure within `fall` does not count yet */
		if (!verdict_is_ok(&a->j.verdict))
			verdict_fail(&a->j.verdict, CHECK_LAYER_NONE, "OK", "%s:%u healthy (last check: %s)",
				     ipaddr_format(&t->vip, vip), t->port, t->sm.last.code);
		break;
	case CHECK_STATE_DOWN:
	case CHECK_STATE_COUNT:
		a->state = CHECKD_ANSWER_DOWN;
		a->j.verdict = t->sm.cause;
		break;
	}
}

static void sclient_io_cb(struct checkd_conn *base, uint32_t events)
{
	struct sclient *c = (struct sclient *)base;
	struct checkd *d = base->l->d;
	struct checkd_query q;
	struct checkd_answer a;
	char out[CHECKD_PROTO_LINE_MAX];
	char *nl;
	size_t n;
	ssize_t r;
	(void)events;

	r = recv(base->io.fd, c->in + c->len, sizeof(c->in) - c->len, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		checkd_conn_close(base);
		return;
	}
	c->len += (size_t)r;
	nl = memchr(c->in, '\n', c->len);
	if (!nl) {
		if (c->len == sizeof(c->in))
			checkd_conn_close(base);  /* a line longer than the protocol allows */
		return;
	}
	d->stats.sock_requests++;
	if (checkd_query_parse(c->in, (size_t)(nl - c->in), &q) < 0) {
		memset(&a, 0, sizeof(a));
		a.state = CHECKD_ANSWER_UNKNOWN;
		a.j.weight_hint = -1;
		verdict_fail(&a.j.verdict, CHECK_LAYER_CONFIG, "BAD_QUERY", "expected: VERDICT RS VIP PORT");
	} else {
		checkd_sock_answer(d, &q, loop_clock_ms(), &a);
	}
	n = checkd_answer_format(&a, out);
	/* one short line into an empty socket buffer: it fits */
	(void)!send(base->io.fd, out, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	checkd_conn_close(base);
}

/* The folder of a file we create: opened without following a symlink as its
 * last part, and verified so that no other account can replace what we put
 * in it: ours or root's, writable by no one else, or (sticky_ok, for the
 * socket) sticky as /tmp is, where others cannot remove or rename our
 * entries.  fd, or -errno with why. */
static int dir_open_verified(const char *dir, int sticky_ok, char *why, size_t n)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), e;

	if (fd < 0) {
		e = errno;
		snprintf(why, n, "%s: %s", dir, e == ELOOP || e == ENOTDIR ? "not a folder (a symlink?)" : strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		snprintf(why, n, "%s: %s", dir, strerror(e));
		return -e;
	}
	if ((st.st_uid != geteuid() && st.st_uid != 0) ||
	    ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(sticky_ok && (st.st_mode & S_ISVTX)))) {
		close(fd);
		snprintf(why, n, "%s is owned by uid %lu with mode %04o: another account could replace what we write there",
			 dir, (unsigned long)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return fd;
}

/* Splits path into its folder (into dir) and file name (returned). */
static const char *path_split(const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		snprintf(dir, n, ".");
		return path;
	}
	snprintf(dir, n, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return slash + 1;
}

static const struct checkd_listener_ops sock_ops = {
	.conn_size = sizeof(struct sclient),
	.max_conns = CHECKD_SOCK_MAX_CLIENTS,
	.timeout_ms = CHECKD_SOCK_TIMEOUT_MS,
	.on_io = sclient_io_cb,
};

/* Before bind: the socket's folder verified, and a stale socket of ours
 * removed from it; anything else standing at path is an error. */
static int sock_path_prepare(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], why[400];
	const char *base = path_split(path, dir, sizeof(dir));
	struct stat st;
	int dfd = dir_open_verified(dir, 1, why, sizeof(why)), r = 0;

	if (dfd < 0) {
		snprintf(err, errlen, "socket folder %s", why);
		return dfd;
	}
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket: not replaced", path);
			r = -EEXIST;
		} else if (unlinkat(dfd, base, 0) < 0) {
			r = -errno;
			snprintf(err, errlen, "cannot replace the stale socket %s: %s", path, strerror(errno));
		}
	}
	close(dfd);
	return r;
}

int checkd_sock_start(struct checkd *d, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct checkd_sock *srv;
	int fd, r;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return r;
	}
	r = sock_path_prepare(path, err, errlen);
	if (r < 0) {
		close(fd);
		return r;
	}
	/* Verdicts are not secret, and keepalived's script_user must reach
	 * them: the socket is made 0666 by the umask at bind, not by a chmod
	 * of its path afterwards (which would follow whatever stood there by
	 * then).  dsr-checkd has one thread, so the umask change is ours. */
	{
		mode_t old = umask(0111);

		r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
		umask(old);
	}
	if (r < 0 || listen(fd, 128) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return r;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = checkd_listener_start(&srv->l, d, fd, &sock_ops, err, errlen);
	if (r < 0) {
		unlink(path);
		free(srv);
		return r;
	}
	memcpy(srv->path, path, strlen(path) + 1);
	d->sock = srv;
	return 0;
}

void checkd_sock_stop(struct checkd *d)
{
	struct checkd_sock *srv = d->sock;

	if (!srv)
		return;
	checkd_listener_stop(&srv->l);
	unlink(srv->path); /* unlink never follows a symlink */
	free(srv);
	d->sock = NULL;
}

/* Written in a verified folder (see dir_open_verified) as a fresh
 * temporary file (O_EXCL, O_NOFOLLOW) renamed over the old one: a symlink
 * planted at either name is replaced, never followed. */
int checkd_track_write(const char *dir, const struct checkd_rs *rs, const struct checkd_target *t)
{
	char name[128], tmp[136], vip[IPADDR_STRLEN], why[400];
	const char *val = t->sm.state == CHECK_STATE_UP ? "0\n" : "1\n";
	int dfd, fd, r = 0;

	snprintf(name, sizeof(name), "%s_%s_%u", rs->name, ipaddr_format(&t->vip, vip), t->port);
	if (strchr(name, '/') || name[0] == '.')
		return -EINVAL;
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	dfd = dir_open_verified(dir, 0, why, sizeof(why));
	if (dfd < 0)
		return dfd;
	if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT) {
		r = -errno;
		goto out;
	}
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	if (write(fd, val, 2) != 2)
		r = -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && renameat(dfd, tmp, dfd, name) < 0)
		r = -errno;
	if (r)
		unlinkat(dfd, tmp, 0);
out:
	close(dfd);
	return r;
}
