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

static const struct checkd_listener_ops sock_ops = {
	.conn_size = sizeof(struct sclient),
	.max_conns = CHECKD_SOCK_MAX_CLIENTS,
	.timeout_ms = CHECKD_SOCK_TIMEOUT_MS,
	.on_io = sclient_io_cb,
};

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
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 128) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return r;
	}
	/* verdicts are not secret, and keepalived's script_user must reach them */
	chmod(path, 0666);
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
	unlink(srv->path);
	free(srv);
	d->sock = NULL;
}

int checkd_track_write(const char *dir, const struct checkd_rs *rs, const struct checkd_target *t)
{
	char path[CHECKD_CONF_PATH_MAX + 128], tmp[CHECKD_CONF_PATH_MAX + 136], vip[IPADDR_STRLEN];
	const char *val = t->sm.state == CHECK_STATE_UP ? "0\n" : "1\n";
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/%s_%s_%u", dir, rs->name, ipaddr_format(&t->vip, vip), t->port);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, val, 2) != 2)
		r = -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}
