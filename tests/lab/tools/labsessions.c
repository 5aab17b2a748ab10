/* SPDX-License-Identifier: Apache-2.0 */
/* labsessions - the lab's long-lived client sessions, for failover tests.
 *
 *   labsessions --host A --port P --sessions N [--interval-ms 100] --out FILE
 *
 * Opens N TCP connections to A:P (each one a session) and, on each, sends an
 * HTTP/1.1 keep-alive request every interval and checks every answer: a
 * complete 200 response whose body is the name of the real server that
 * answered the session's first request (so a session that moved to another
 * server counts as wrong).  A session whose connection is reset, closed or
 * fails is broken and stays broken (never reopened: it is counted).
 *
 * SIGUSR2 marks a moment (the test sends it as it kills a director):
 * gap_ms is then the first silence of at least three intervals that ends
 * after the mark - the failover, from the last answer through the old
 * director to the first through the new one - and not the longest stall a
 * loaded machine had elsewhere in the period; mark_ms is the time from the
 * mark to the end of that silence.  Without such a silence (a failover
 * quicker than three intervals) gap_ms is the longest one after the mark.
 * On SIGUSR1 it appends one line to FILE for the period since the previous
 * line and starts a new period:
 *   alive=N broken=B resets=R closed=C wrong=W lost=L answers=A
 *   gap_ms=G gap_from=T1 gap_to=T2 stall_ms=S servers=K
 * gap_ms is the longest time in the period without any answer on any
 * session (the failover as the clients see it: the last answer before the
 * outage to the first after it; T1 and T2 are its ends in CLOCK_REALTIME
 * seconds); stall_ms the longest any one request waited; lost the requests
 * that never got an answer because their session broke; servers the real
 * servers the alive sessions are on.  SIGTERM writes a last line and exits.
 * "ready N" goes to FILE once all sessions have their first answer.
 * Lab only: never installed. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bounded/strparse.h"

#define MAX_SESSIONS 1024
#define NAME_MAX_LEN 64

struct session {
	int fd;
	int broken;
	int waiting;		/* a request is in flight */
	double sent_at;
	double next_at;
	size_t len;
	char in[2048];
	char server[NAME_MAX_LEN];
};

struct period {
	unsigned long resets, closed, wrong, lost, answers;
	double last_answer, gap, gap_from, gap_to, stall, mark;
	int marked_gap_found;
};

static volatile sig_atomic_t want_report, want_stop, want_mark;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_report = 1;
	else if (sig == SIGUSR2)
		want_mark = 1;
	else
		want_stop = 1;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: labsessions --host IPV4 --port N --sessions N [--interval-ms N] --out FILE\n");
}

/* One answer parsed from s->in: 1 when complete (consumed), 0 when more is
 * needed, -1 when it is not a well-formed 200 answer. */
static int take_answer(struct session *s, char *body, size_t cap)
{
	char *end, *cl;
	uint32_t blen;
	size_t hlen;

	s->in[s->len] = '\0';
	end = strstr(s->in, "\r\n\r\n");
	if (!end)
		return s->len >= sizeof(s->in) - 1 ? -1 : 0;
	if (strncmp(s->in, "HTTP/1.1 200 ", 13) != 0)
		return -1;
	cl = strstr(s->in, "Content-Length: ");
	if (!cl || cl > end)
		return -1;
	cl += 16;
	if (parse_u32n(cl, strcspn(cl, "\r"), &blen, 1, (uint32_t)cap - 1) < 0)
		return -1;
	hlen = (size_t)(end + 4 - s->in);
	if (s->len < hlen + blen)
		return 0;
	memcpy(body, end + 4, blen);
	body[blen] = '\0';
	if (blen && body[blen - 1] == '\n')
		body[blen - 1] = '\0';
	memmove(s->in, s->in + hlen + blen, s->len - hlen - blen);
	s->len -= hlen + blen;
	return 1;
}

static void breaks(struct session *s, struct period *p, int why_reset)
{
	if (s->broken)
		return;
	s->broken = 1;
	if (why_reset)
		p->resets++;
	else
		p->closed++;
	if (s->waiting)
		p->lost++;
	close(s->fd);
	s->fd = -1;
}

static void report(FILE *out, struct session *ss, int n, struct period *p, double mono_to_real)
{
	char names[16][NAME_MAX_LEN];
	int alive = 0, broken = 0, k = 0, i, j;

	for (i = 0; i < n; i++) {
		if (ss[i].broken) {
			broken++;
			continue;
		}
		alive++;
		for (j = 0; j < k; j++)
			if (!strcmp(names[j], ss[i].server))
				break;
		if (j == k && k < 16)
			snprintf(names[k++], NAME_MAX_LEN, "%s", ss[i].server);
	}
	fprintf(out,
		"alive=%d broken=%d resets=%lu closed=%lu wrong=%lu lost=%lu answers=%lu "
		"gap_ms=%.0f gap_from=%.3f gap_to=%.3f stall_ms=%.0f servers=%d mark_ms=%.0f\n",
		alive, broken, p->resets, p->closed, p->wrong, p->lost, p->answers, p->gap * 1000,
		p->gap_from ? p->gap_from + mono_to_real : 0, p->gap_to ? p->gap_to + mono_to_real : 0,
		p->stall * 1000, k, p->mark && p->gap_to > p->mark ? (p->gap_to - p->mark) * 1000 : -1.0);
	fflush(out);
	memset(p, 0, sizeof(*p));
}

int main(int argc, char **argv)
{
	static struct session ss[MAX_SESSIONS];
	static struct pollfd pfd[MAX_SESSIONS];
	const char *host = NULL, *outpath = NULL;
	uint32_t port = 80, n = 0, interval_ms = 100;
	struct sockaddr_in sa;
	struct period p;
	double mono_to_real, last_any = 0;
	int ready = 0, i;
	FILE *out;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--host"))
			host = argv[i + 1];
		else if (!strcmp(argv[i], "--out"))
			outpath = argv[i + 1];
		else if (!strcmp(argv[i], "--port") && parse_u32(argv[i + 1], &port, 1, 65535) == 0)
			;
		else if (!strcmp(argv[i], "--sessions") && parse_u32(argv[i + 1], &n, 1, MAX_SESSIONS) == 0)
			;
		else if (!strcmp(argv[i], "--interval-ms") && parse_u32(argv[i + 1], &interval_ms, 10, 10000) == 0)
			;
		else
			break;
	}
	if (i != argc || !host || !outpath || !n) {
		usage();
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "labsessions: bad address '%s'\n", host);
		return 2;
	}
	out = fopen(outpath, "a");
	if (!out) {
		perror("labsessions: out");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR2, on_signal);
	signal(SIGINT, on_signal);
	mono_to_real = now_real() - now_mono();
	memset(&p, 0, sizeof(p));
	for (i = 0; i < (int)n; i++) {
		int one = 1;

		ss[i].fd = socket(AF_INET, SOCK_STREAM, 0);
		if (ss[i].fd < 0 || connect(ss[i].fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			fprintf(stderr, "labsessions: session %d: connect: %s\n", i, strerror(errno));
			return 1;
		}
		setsockopt(ss[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		fcntl(ss[i].fd, F_SETFL, O_NONBLOCK);
		/* spread the sessions over the interval */
		ss[i].next_at = now_mono() + (double)interval_ms / 1000.0 * i / n;
	}
	while (!want_stop) {
		double t = now_mono(), wake = t + 0.05;
		int r;

		if (want_mark) {
			want_mark = 0;
			p.mark = t;
			p.gap = p.gap_from = p.gap_to = 0;
		}
		if (want_report) {
			want_report = 0;
			report(out, ss, (int)n, &p, mono_to_real);
		}
		for (i = 0; i < (int)n; i++) {
			struct session *s = &ss[i];
			static const char req[] = "GET / HTTP/1.1\r\nHost: lab\r\n\r\n";

			pfd[i].fd = s->broken ? -1 : s->fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
			if (s->broken)
				continue;
			if (s->waiting) {
				if (t - s->sent_at > p.stall)
					p.stall = t - s->sent_at;
				continue;
			}
			if (t >= s->next_at) {
				if (write(s->fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
					breaks(s, &p, errno == ECONNRESET);
					continue;
				}
				s->waiting = 1;
				s->sent_at = t;
				s->next_at += (double)interval_ms / 1000.0;
				if (s->next_at < t)
					s->next_at = t + (double)interval_ms / 1000.0;
			} else if (s->next_at < wake) {
				wake = s->next_at;
			}
		}
		r = poll(pfd, n, (int)((wake - t) * 1000) + 1);
		if (r < 0 && errno != EINTR)
			return 1;
		t = now_mono();
		for (i = 0; r > 0 && i < (int)n; i++) {
			struct session *s = &ss[i];
			char body[NAME_MAX_LEN];
			ssize_t got;
			int a;

			if (s->broken || !(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			got = read(s->fd, s->in + s->len, sizeof(s->in) - 1 - s->len);
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (got <= 0) {
				breaks(s, &p, got < 0 && errno == ECONNRESET);
				continue;
			}
			s->len += (size_t)got;
			while ((a = take_answer(s, body, sizeof(body))) == 1) {
				if (!s->waiting) {
					p.wrong++;
					continue;
				}
				s->waiting = 0;
				if (t - s->sent_at > p.stall)
					p.stall = t - s->sent_at;
				if (!s->server[0])
					snprintf(s->server, sizeof(s->server), "%s", body);
				else if (strcmp(s->server, body) != 0)
					p.wrong++;
				p.answers++;
				/* after the mark: the first silence of three intervals,
				 * or until one comes the longest shorter one (a failover
				 * quicker than that); before it: the longest */
				if (last_any && !p.marked_gap_found) {
					double sil = t - last_any;

					if (p.mark && sil >= 3 * (double)interval_ms / 1000.0)
						p.marked_gap_found = 1;
					if (p.marked_gap_found || sil > p.gap) {
						p.gap = sil;
						p.gap_from = last_any;
						p.gap_to = t;
					}
				}
				last_any = t;
			}
			if (a < 0) {
				p.wrong++;
				breaks(s, &p, 0);
			}
		}
		if (!ready) {
			int all = 1;

			for (i = 0; i < (int)n; i++)
				if (!ss[i].broken && !ss[i].server[0])
					all = 0;
			if (all) {
				ready = 1;
				fprintf(out, "ready %u\n", n);
				fflush(out);
			}
		}
	}
	report(out, ss, (int)n, &p, mono_to_real);
	fclose(out);
	return 0;
}
