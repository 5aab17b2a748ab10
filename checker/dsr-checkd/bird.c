/* SPDX-License-Identifier: Apache-2.0 */
/* bird.c - BIRD's control socket for the VIP announcement; see bird.h.
 *
 * Two parts: a pure reply parser, and a non-blocking client on the loop
 * (one probe at a time: connect, send the command, read until the parser
 * has a complete reply or the deadline passes). */
#include "checker/dsr-checkd/bird.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bounded/textesc.h"

/* ---- BIRD's reply ---- */

static const struct {
	const char *name;
} bird_states[CHECKD_BIRD_COUNT] = {
	[CHECKD_BIRD_UNKNOWN] = { "unknown" },
	[CHECKD_BIRD_OFF] = { "off" },
	[CHECKD_BIRD_UP] = { "up" },
	[CHECKD_BIRD_NOT_RUNNING] = { "not_running" },
	[CHECKD_BIRD_NO_PROTOCOL] = { "no_protocol" },
	[CHECKD_BIRD_PROTOCOL_DOWN] = { "protocol_down" },
	[CHECKD_BIRD_NO_ANSWER] = { "no_answer" },
	[CHECKD_BIRD_BAD_REPLY] = { "bad_reply" },
};

const char *checkd_bird_state_name(enum checkd_bird_state s)
{
	return (unsigned)s < CHECKD_BIRD_COUNT ? bird_states[s].name : "unknown";
}

__attribute__((format(printf, 2, 3)))
static int bad(struct checkd_bird_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	r->state = CHECKD_BIRD_BAD_REPLY;
	r->word[0] = '\0';
	return -EBADMSG;
}

/* The first bytes of a line from BIRD, made safe for a log line. */
static const char *quote(const char *l, size_t n, char *out, size_t cap)
{
	return text_escape_n(l, n < 60 ? n : 60, out, cap);
}

/* "NNNN-" or "NNNN " at the start of the n bytes at l.  0 or -1. */
static int line_code(const char *l, size_t n, unsigned *code, int *last)
{
	size_t i;

	if (n < 5)
		return -1;
	*code = 0;
	for (i = 0; i < 4; i++) {
		if (l[i] < '0' || l[i] > '9')
			return -1;
		*code = *code * 10 + (unsigned)(l[i] - '0');
	}
	if (l[4] != '-' && l[4] != ' ')
		return -1;
	*last = l[4] == ' ';
	return 0;
}

/* The word number i (from 0) of the n bytes at t, words between blanks. */
static int word_at(const char *t, size_t n, unsigned i, const char **w, size_t *wl)
{
	size_t p = 0, s;

	for (;;) {
		while (p < n && (t[p] == ' ' || t[p] == '\t'))
			p++;
		if (p == n)
			return -1;
		s = p;
		while (p < n && t[p] != ' ' && t[p] != '\t')
			p++;
		if (i-- == 0) {
			*w = t + s;
			*wl = p - s;
			return 0;
		}
	}
}

int checkd_bird_parse(const char *data, size_t len, const char *protocol, struct checkd_bird_reply *r)
{
	size_t pos = 0, plen = strlen(protocol), lim = len < CHECKD_BIRD_REPLY_MAX ? len : CHECKD_BIRD_REPLY_MAX;
	unsigned code, prev = 0, line = 0;
	int have_prev = 0, greeted = 0, found = 0, last;
	char q[TEXT_ESC_SIZE(60)];

	memset(r, 0, sizeof(*r));
	r->state = CHECKD_BIRD_UNKNOWN;
	while (pos < lim) {
		const char *l = data + pos, *nl = memchr(l, '\n', lim - pos), *text;
		size_t n = nl ? (size_t)(nl - l) : lim - pos, tn;

		if (n > CHECKD_BIRD_LINE_MAX)
			return bad(r, "line %u is longer than %d bytes", line + 1, CHECKD_BIRD_LINE_MAX);
		if (!nl)
			break;
		pos += n + 1;
		line++;
		if (memchr(l, '\0', n))
			return bad(r, "line %u holds a NUL byte", line);
		if (!greeted) {
			if (line_code(l, n, &code, &last) < 0 || code != 1 || !last)
				return bad(r, "no greeting ('0001 BIRD ... ready.'): '%s'", quote(l, n, q, sizeof(q)));
			greeted = 1;
			continue;
		}
		if (n && l[0] == '+')
			continue;  /* an asynchronous message (a log line pushed to the CLI) */
		if (n && l[0] == ' ') {
			if (!have_prev)
				return bad(r, "line %u continues no code: '%s'", line, quote(l, n, q, sizeof(q)));
			code = prev;
			last = 0;
			text = l + 1;
			tn = n - 1;
		} else if (line_code(l, n, &code, &last) < 0) {
			return bad(r, "line %u has no code ('NNNN-' or 'NNNN '): '%s'", line, quote(l, n, q, sizeof(q)));
		} else {
			text = l + 5;
			tn = n - 5;
		}
		prev = code;
		have_prev = 1;
		if (code == 1002 && !found) {
			/* Name Proto Table State Since Info: the state is the 4th word
			 * (Since may hold a space, it comes after) */
			const char *w;
			size_t wl;

			if (word_at(text, tn, 0, &w, &wl) == 0 && wl == plen && !memcmp(w, protocol, plen)) {
				if (word_at(text, tn, 3, &w, &wl) < 0)
					return bad(r, "line %u: protocol %s without a state column: '%s'", line, protocol,
						   quote(l, n, q, sizeof(q)));
				if (wl >= sizeof(r->word))
					return bad(r, "line %u: a state word of %zu bytes", line, wl);
				memcpy(r->word, w, wl);
				r->word[wl] = '\0';
				found = 1;
			}
		}
		if (!last)
			continue;
		/* the end: 0xxx done, 8xxx run-time error, 9xxx syntax error */
		if (code == 8003) {
			r->state = CHECKD_BIRD_NO_PROTOCOL;  /* "No protocols match" */
			r->word[0] = '\0';
			return 1;
		}
		if (code >= 8000)
			return bad(r, "BIRD refused the command: '%s'", quote(l, n, q, sizeof(q)));
		if (!found)
			r->state = CHECKD_BIRD_NO_PROTOCOL;
		else
			r->state = strcmp(r->word, "up") ? CHECKD_BIRD_PROTOCOL_DOWN : CHECKD_BIRD_UP;
		return 1;
	}
	if (len >= CHECKD_BIRD_REPLY_MAX)
		return bad(r, "no complete reply in %d bytes", CHECKD_BIRD_REPLY_MAX);
	return 0;
}

/* ---- BIRD's control socket, on the loop ---- */

#define OF(ptr, member) ((struct checkd_bird *)(void *)((char *)(ptr) - offsetof(struct checkd_bird, member)))

static void deadline_cb(struct loop_timer *t);

void checkd_bird_init(struct checkd_bird *b, struct loop *loop, const char *iface)
{
	memset(b, 0, sizeof(*b));
	b->loop = loop;
	b->iface = iface;
	b->fd = -1;
	loop_timer_init(&b->deadline, deadline_cb);
	buf_init(&b->rx, CHECKD_BIRD_REPLY_MAX);
}

int checkd_bird_off(const struct checkd_bird *b)
{
	return !strcmp(b->socket, "off");
}

void checkd_bird_configure(struct checkd_bird *b, const char *socket, const char *protocol)
{
	if (!strcmp(b->socket, socket) && !strcmp(b->proto, protocol))
		return;
	checkd_bird_close(b);
	snprintf(b->socket, sizeof(b->socket), "%s", socket);
	snprintf(b->proto, sizeof(b->proto), "%s", protocol);
	b->state = checkd_bird_off(b) ? CHECKD_BIRD_OFF : CHECKD_BIRD_UNKNOWN;
	b->word[0] = b->error[0] = '\0';
	if (checkd_bird_off(b))
		fprintf(stderr, "dsr-checkd: announce: BIRD is not checked (announce_bird_socket off)\n");
}


void checkd_bird_close(struct checkd_bird *b)
{
	if (b->fd >= 0) {
		loop_io_remove(b->loop, &b->io);
		close(b->fd);
		b->fd = -1;
	}
	loop_timer_cancel(b->loop, &b->deadline);
	buf_free(&b->rx);
}

/* The probe's end: the new state, logged once when it changed. */
__attribute__((format(printf, 4, 5)))
static void bird_done(struct checkd_bird *b, enum checkd_bird_state st, const char *word, const char *fmt, ...)
{
	int changed = st != b->state || (st == CHECKD_BIRD_PROTOCOL_DOWN && strcmp(word, b->word));
	va_list ap;

	checkd_bird_close(b);
	b->state = st;
	snprintf(b->word, sizeof(b->word), "%s", word);
	va_start(ap, fmt);
	vsnprintf(b->error, sizeof(b->error), fmt, ap);
	va_end(ap);
	if (!changed)
		return;
	if (st == CHECKD_BIRD_UP)
		fprintf(stderr, "dsr-checkd: announce: BIRD protocol %s is up: it exports the VIPs on %s\n", b->proto,
			b->iface);
	else
		fprintf(stderr, "dsr-checkd: announce: %s: VIPs on %s reach no router\n", b->error, b->iface);
}

static void io_cb(struct loop_io *io, uint32_t events)
{
	struct checkd_bird *b = OF(io, io);
	struct checkd_bird_reply rep;
	char tmp[4096];
	int eof = 0, r;

	(void)events;
	if (b->fd < 0)
		return;
	while (b->rx.len < b->rx.max) {
		size_t room = b->rx.max - b->rx.len;
		ssize_t n = read(b->fd, tmp, room < sizeof(tmp) ? room : sizeof(tmp));

		if (n > 0) {
			if (buf_append(&b->rx, tmp, (size_t)n) < 0) {
				bird_done(b, CHECKD_BIRD_BAD_REPLY, "", "BIRD's reply on %s: out of memory", b->socket);
				return;
			}
			continue;
		}
		if (n == 0) {
			eof = 1;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		bird_done(b, CHECKD_BIRD_NO_ANSWER, "", "BIRD's control socket %s: reading: %s", b->socket,
			  strerror(errno));
		return;
	}
	r = checkd_bird_parse(b->rx.data, b->rx.len, b->proto, &rep);
	if (r < 0) {
		bird_done(b, CHECKD_BIRD_BAD_REPLY, "", "BIRD's reply on %s is not understood: %s", b->socket,
			  rep.why);
	} else if (r > 0) {
		if (rep.state == CHECKD_BIRD_UP)
			bird_done(b, rep.state, rep.word, "%s", "");
		else if (rep.state == CHECKD_BIRD_PROTOCOL_DOWN)
			bird_done(b, rep.state, rep.word, "BIRD protocol %s is %s, not up", b->proto, rep.word);
		else
			bird_done(b, rep.state, "", "BIRD has no protocol %s (a direct protocol on interface \"%s\" of "
				  "that name: see dsr-checkd.conf(5))", b->proto, b->iface);
	} else if (eof) {
		bird_done(b, CHECKD_BIRD_BAD_REPLY, "", "BIRD closed its control socket %s after %zu bytes, before "
			  "the end of its reply", b->socket, b->rx.len);
	}
}

static void deadline_cb(struct loop_timer *t)
{
	struct checkd_bird *b = OF(t, deadline);

	bird_done(b, CHECKD_BIRD_NO_ANSWER, "", "BIRD did not answer on %s within %d s", b->socket,
		  CHECKD_BIRD_TIMEOUT_MS / 1000);
}

void checkd_bird_start(struct checkd_bird *b)
{
	struct sockaddr_un sa;
	char cmd[CHECKD_ANNOUNCE_PROTO_MAX + 24];
	int fd, n, e;

	if (b->fd >= 0 || checkd_bird_off(b))
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		bird_done(b, CHECKD_BIRD_NO_ANSWER, "", "BIRD's control socket %s: socket: %s", b->socket,
			  strerror(errno));
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, b->socket, strnlen(b->socket, sizeof(sa.sun_path) - 1));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(fd);
		if (e == EAGAIN || e == EINPROGRESS)
			bird_done(b, CHECKD_BIRD_NO_ANSWER, "", "BIRD accepts no connection on %s (its backlog is full)",
				  b->socket);
		else if (e == EACCES || e == EPERM)
			bird_done(b, CHECKD_BIRD_NOT_RUNNING, "", "BIRD cannot be asked (connect %s: %s: dsr-checkd's "
				  "user needs read and write on the socket, Debian: group bird)", b->socket, strerror(e));
		else
			bird_done(b, CHECKD_BIRD_NOT_RUNNING, "", "BIRD is not running (connect %s: %s)", b->socket,
				  strerror(e));
		return;
	}
	/* the quoted form is a pattern: an unknown name answers 8003 "No
	 * protocols match" where a bare one is a syntax error; the name
	 * holds no pattern character (conf.c) */
	n = snprintf(cmd, sizeof(cmd), "show protocols \"%s\"\n", b->proto);
	if (send(fd, cmd, (size_t)n, MSG_NOSIGNAL) != n) {
		e = errno;
		close(fd);
		bird_done(b, CHECKD_BIRD_NO_ANSWER, "", "BIRD's control socket %s: sending the command: %s",
			  b->socket, strerror(e));
		return;
	}
	b->fd = fd;
	buf_init(&b->rx, CHECKD_BIRD_REPLY_MAX);
	loop_io_init(&b->io, fd, io_cb);
	if (loop_io_want(b->loop, &b->io, EPOLLIN) < 0 ||
	    loop_timer_set(b->loop, &b->deadline, loop_clock_ms() + CHECKD_BIRD_TIMEOUT_MS) < 0)
		bird_done(b, CHECKD_BIRD_NO_ANSWER, "", "BIRD's control socket %s: out of memory", b->socket);
}
