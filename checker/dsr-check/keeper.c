/* SPDX-License-Identifier: Apache-2.0 */
/* keeper.c - dsr-check's keeper (see keeper.h): one poll loop over its unix
 * socket, the checks waiting on it and one kept-alive agent connection per
 * real server. */
#include "checker/dsr-check/keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "checker/lib/agent_conn.h"
#include "checker/lib/daemon_proto.h"
#include "checker/lib/judge.h"
#include "checker/lib/ticket_cache.h"
#include "checker/lib/verdict.h"

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fnv(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		*h ^= *b++;
		*h *= 0x100000001b3ULL;
	}
}

int keeper_identify(struct keeper_id *k, const char *dir, const char *ca, const char *cert, const char *key,
		    const char *crl, unsigned tls_min, unsigned agent_port, unsigned timeout_ms, unsigned idle_ms)
{
	struct ticket_stamp st;
	uint64_t h = 0xcbf29ce484222325ULL, c[5];
	int r;

	memset(k, 0, sizeof(*k));
	if ((r = ticket_stamp_make(&st, ca, cert, key, tls_min)) < 0 || (r = ticket_file_stamp(crl, c)) < 0)
		return r;
	fnv(&h, st.f, sizeof(st.f));
	fnv(&h, c, sizeof(c));
	fnv(&h, ca, strlen(ca) + 1);
	fnv(&h, cert, strlen(cert) + 1);
	fnv(&h, key, strlen(key) + 1);
	fnv(&h, crl ? crl : "", crl ? strlen(crl) + 1 : 1);
	fnv(&h, &tls_min, sizeof(tls_min));
	fnv(&h, &agent_port, sizeof(agent_port));
	fnv(&h, &timeout_ms, sizeof(timeout_ms));
	snprintf(k->name, sizeof(k->name), "keeper-%016llx", (unsigned long long)h);
	if (strlen(dir) >= sizeof(k->dir) ||
	    (size_t)snprintf(k->sock, sizeof(k->sock), "%s/%s.sock", dir, k->name) >= sizeof(k->sock) ||
	    strlen(k->sock) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -ENAMETOOLONG;
	snprintf(k->dir, sizeof(k->dir), "%s", dir);
	k->ca = ca, k->cert = cert, k->key = key, k->crl = crl;
	k->tls_min = tls_min, k->agent_port = agent_port, k->timeout_ms = timeout_ms, k->idle_ms = idle_ms;
	return 0;
}

enum { CLIENT_READING, CLIENT_QUEUED, CLIENT_SERVED };

struct client {
	int fd;                   /* -1: free slot */
	char line[CHECKD_PROTO_LINE_MAX];
	size_t got;
	int state;                /* CLIENT_READING, _QUEUED (waits for its target), _SERVED */
	struct checkd_query q;
	long long since;          /* accepted at */
};

struct target {
	struct ip_addr rs;
	struct agent_conn conn;
	int client;               /* the client whose fetch runs, or -1 */
	int want;                 /* AGENT_CONN_WANT_READ / WRITE while it runs */
	long long deadline;
};

struct keeper {
	const struct keeper_id *id;
	struct agent_tls *tls;
	int lfd;
	struct client c[KEEPER_MAX_CLIENTS];
	struct target *t;
	size_t nt;
	long long last_request, born;
	long long accept_after;   /* after an accept error (EMFILE): not before */
};

static void client_close(struct keeper *k, int i)
{
	close(k->c[i].fd);
	k->c[i].fd = -1;
}

/* Send the verdict (one line, a few hundred bytes: a unix socket takes it
 * whole) and close. */
static void answer(struct keeper *k, int i, const struct judgement *j)
{
	struct checkd_answer a = { .state = verdict_is_ok(&j->verdict) ? CHECKD_ANSWER_UP : CHECKD_ANSWER_DOWN,
				   .j = *j };
	char line[CHECKD_PROTO_LINE_MAX];
	size_t n = checkd_answer_format(&a, line);

	(void)!send(k->c[i].fd, line, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	client_close(k, i);
}

static void fetch_end(struct keeper *k, struct target *t, int r)
{
	struct judgement j;
	int i = t->client;

	if (r == AGENT_CONN_DONE) {
		judge_status(buf_str(&t->conn.resp.body), t->conn.resp.body.len, &k->c[i].q.vip, k->c[i].q.port, &j);
	} else {
		memset(&j, 0, sizeof(j));
		j.verdict = t->conn.fail;
		j.weight_hint = FACTS_UNKNOWN;
	}
	answer(k, i, &j);
	t->client = -1;
	t->want = 0;
	/* an agent that cannot be reached is so for every VIP of it: the checks
	 * waiting behind this one get the same answer, not another timeout */
	if (r != AGENT_CONN_DONE)
		for (i = 0; i < KEEPER_MAX_CLIENTS; i++)
			if (k->c[i].fd >= 0 && k->c[i].state == CLIENT_QUEUED && ipaddr_equal(&k->c[i].q.rs, &t->rs))
				answer(k, i, &j);
}

static void target_step(struct keeper *k, struct target *t, int r)
{
	if (r == AGENT_CONN_WANT_READ || r == AGENT_CONN_WANT_WRITE)
		t->want = r;
	else
		fetch_end(k, t, r);
}

static struct target *target_of(struct keeper *k, const struct ip_addr *rs)
{
	struct target *t;
	size_t i;

	for (i = 0; i < k->nt; i++)
		if (ipaddr_equal(&k->t[i].rs, rs))
			return &k->t[i];
	if (k->nt == KEEPER_MAX_TARGETS)
		return NULL;
	if (!k->t && !(k->t = calloc(KEEPER_MAX_TARGETS, sizeof(*k->t))))
		return NULL;
	t = &k->t[k->nt++];
	t->rs = *rs;
	t->client = -1;
	agent_conn_init(&t->conn, k->tls, rs, (uint16_t)k->id->agent_port);
	return t;
}

/* Start the fetch of the oldest query waiting for an idle target. */
static void dispatch(struct keeper *k)
{
	size_t ti;

	for (ti = 0; ti < k->nt; ti++) {
		struct target *t = &k->t[ti];
		char vip[IPADDR_STRLEN], path[160];
		int i, best = -1;

		if (t->client >= 0)
			continue;
		for (i = 0; i < KEEPER_MAX_CLIENTS; i++)
			if (k->c[i].fd >= 0 && k->c[i].state == CLIENT_QUEUED && ipaddr_equal(&k->c[i].q.rs, &t->rs) &&
			    (best < 0 || k->c[i].since < k->c[best].since))
				best = i;
		if (best < 0)
			continue;
		/* not read again: a client that hangs up meanwhile has its slot
		 * kept until the answer, so no newcomer can take its verdict */
		k->c[best].state = CLIENT_SERVED;
		t->client = best;
		t->deadline = mono_ms() + k->id->timeout_ms;
		ipaddr_format(&k->c[best].q.vip, vip);
		if (k->c[best].q.port)
			snprintf(path, sizeof(path), "/v1/status?vip=%s&port=%u", vip, k->c[best].q.port);
		else
			snprintf(path, sizeof(path), "/v1/status?vip=%s", vip);
		target_step(k, t, agent_conn_get(&t->conn, path));
	}
}

static void client_read(struct keeper *k, int i)
{
	struct client *c = &k->c[i];
	ssize_t r = recv(c->fd, c->line + c->got, sizeof(c->line) - 1 - c->got, MSG_DONTWAIT);
	char *nl;
	struct target *t;

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		client_close(k, i);
		return;
	}
	c->got += (size_t)r;
	nl = memchr(c->line, '\n', c->got);
	if (!nl) {
		if (c->got == sizeof(c->line) - 1)
			client_close(k, i);
		return;
	}
	if (checkd_query_parse(c->line, (size_t)(nl - c->line), &c->q) < 0 || !(t = target_of(k, &c->q.rs))) {
		client_close(k, i);
		return;
	}
	c->state = CLIENT_QUEUED;
	k->last_request = mono_ms();
}

static void accept_one(struct keeper *k)
{
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	int fd = accept4(k->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i;

	if (fd < 0) {
		/* out of descriptors: the socket stays readable; look again
		 * later rather than spin (those checks ask the agent themselves) */
		if (errno != EAGAIN && errno != EINTR)
			k->accept_after = mono_ms() + 100;
		return;
	}
	/* the directory admits only our user; this says so again */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) < 0 || (cr.uid != geteuid() && cr.uid != 0)) {
		close(fd);
		return;
	}
	for (i = 0; i < KEEPER_MAX_CLIENTS; i++)
		if (k->c[i].fd < 0) {
			memset(&k->c[i], 0, sizeof(k->c[i]));
			k->c[i].fd = fd;
			k->c[i].since = mono_ms();
			return;
		}
	close(fd); /* full: that check asks the agent itself */
}

static void serve(struct keeper *k)
{
	static struct pollfd pfd[1 + KEEPER_MAX_CLIENTS + KEEPER_MAX_TARGETS];
	static int who[1 + KEEPER_MAX_CLIENTS + KEEPER_MAX_TARGETS]; /* >= 0 client, < 0: -1 - target */
	long long life_end = k->born + KEEPER_MAX_LIFE_S * 1000LL;

	for (;;) {
		long long now = mono_ms(), wake = k->last_request + k->id->idle_ms;
		size_t n = 0, ti;
		int i, busy = 0;

		if (k->lfd >= 0 && (now >= life_end || now >= wake)) {
			close(k->lfd); /* no new checks; the name stays ours until exit */
			k->lfd = -1;
		}
		if (k->lfd >= 0 && now >= k->accept_after)
			pfd[n].fd = k->lfd, pfd[n].events = POLLIN, who[n++] = INT32_MAX;
		else if (k->lfd >= 0 && k->accept_after < wake)
			wake = k->accept_after;
		for (i = 0; i < KEEPER_MAX_CLIENTS; i++) {
			if (k->c[i].fd < 0)
				continue;
			/* a check that waited this long has gone to the agent itself
			 * (one being served ends by its fetch's deadline) */
			if (k->c[i].state != CLIENT_SERVED && now - k->c[i].since > 2LL * k->id->timeout_ms + 1000) {
				client_close(k, i);
				continue;
			}
			busy = 1;
			if (k->c[i].state == CLIENT_READING)
				pfd[n].fd = k->c[i].fd, pfd[n].events = POLLIN, who[n++] = i;
		}
		for (ti = 0; ti < k->nt; ti++) {
			struct target *t = &k->t[ti];

			if (t->client < 0)
				continue;
			if (now >= t->deadline) {
				agent_conn_timeout(&t->conn, k->id->timeout_ms);
				fetch_end(k, t, AGENT_CONN_ERROR);
				continue;
			}
			pfd[n].fd = t->conn.fd;
			pfd[n].events = t->want == AGENT_CONN_WANT_WRITE ? POLLOUT : POLLIN;
			who[n++] = -1 - (int)ti;
			if (t->deadline < wake || wake <= now)
				wake = t->deadline;
		}
		if (k->lfd < 0 && !busy)
			return;
		if (busy && (wake <= now || wake > now + 1000))
			wake = now + 1000;
		if (poll(pfd, n, (int)(wake > now ? wake - now : 0)) < 0 && errno != EINTR)
			return;
		for (i = 0; i < (int)n; i++) {
			if (!pfd[i].revents)
				continue;
			if (who[i] == INT32_MAX)
				accept_one(k);
			else if (who[i] >= 0)
				client_read(k, who[i]);
			else if (k->t[-1 - who[i]].client >= 0)
				target_step(k, &k->t[-1 - who[i]], agent_conn_step(&k->t[-1 - who[i]].conn));
		}
		dispatch(k);
	}
}

static void keeper_main(int lfd, int lock, const struct keeper_id *id)
{
	static struct keeper k;
	char err[600], pid[24];
	struct rlimit rl;
	int i, nul, n;

	(void)setsid();
	(void)!chdir("/"); /* hold no directory (or mount) of the caller's */
	/* the lock file names the keeper, as a pid file would */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(lock, 0) == 0)
		(void)!pwrite(lock, pid, (size_t)n, 0);
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul >= 0) {
		dup2(nul, 0), dup2(nul, 1), dup2(nul, 2);
		if (nul > 2)
			close(nul);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* a socket per check waiting and per real server */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max &&
	    rl.rlim_cur < KEEPER_MAX_CLIENTS + KEEPER_MAX_TARGETS + 16) {
		rl.rlim_cur = rl.rlim_max < KEEPER_MAX_CLIENTS + KEEPER_MAX_TARGETS + 16
				      ? rl.rlim_max : KEEPER_MAX_CLIENTS + KEEPER_MAX_TARGETS + 16;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	k.id = id;
	k.lfd = lfd;
	for (i = 0; i < KEEPER_MAX_CLIENTS; i++)
		k.c[i].fd = -1;
	k.born = k.last_request = mono_ms();
	if (agent_tls_new(&k.tls, id->ca, id->cert, id->key, id->tls_min, err, sizeof(err)) == 0 &&
	    agent_tls_set_crl(k.tls, id->ca, id->crl ? id->crl : "", err, sizeof(err)) == 0)
		serve(&k);
	/* still under the lock: no other keeper can have bound this name */
	unlink(id->sock);
}

void keeper_spawn(int dirfd, const struct keeper_id *k)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char lockname[sizeof(k->name) + 8], sockname[sizeof(k->name) + 8];
	struct stat s;
	int lock, lfd;
	pid_t pid;

	snprintf(lockname, sizeof(lockname), "%s.lock", k->name);
	snprintf(sockname, sizeof(sockname), "%s.sock", k->name);
	lock = openat(dirfd, lockname, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (lock < 0)
		return;
	if (fstat(lock, &s) < 0 || !S_ISREG(s.st_mode) || s.st_uid != geteuid() || flock(lock, LOCK_EX | LOCK_NB) < 0) {
		close(lock); /* a keeper lives (or is starting) */
		return;
	}
	/* a socket left by a keeper that is gone */
	if (unlinkat(dirfd, sockname, 0) < 0 && errno != ENOENT) {
		close(lock);
		return;
	}
	memcpy(sun.sun_path, k->sock, strlen(k->sock) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(lfd, 128) < 0) {
		if (lfd >= 0)
			close(lfd);
		close(lock);
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		keeper_main(lfd, lock, k); /* holds the lock until it exits */
		_exit(0);
	}
	close(lfd);
	close(lock);
}
