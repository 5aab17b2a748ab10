/* SPDX-License-Identifier: Apache-2.0 */
/* dsrkit-tlsresp - the agent side of the dsr-checkd bench: one process, one
 * epoll loop, N mutual-TLS listeners on 127.0.0.1 (ports BASE..BASE+N-1),
 * each answering every GET with the same healthy /v1/status document
 * (rendered once by agent-proto), HTTP/1.1 keep-alive or HTTP/1.0 close.
 * A real dsr-agent per port would cost N processes; the checker side sees
 * the same bytes.  Also `--hang PORT`: accept TCP there and never answer.
 *
 *   dsrkit-tlsresp --base PORT --count N --cert F --key F --ca F [--no-client-cert]
 *                  [--hang PORT] [--stats FILE] [--times FILE] [--generation G]
 *
 * --generation G: the document carries status generation G (protocol 1.1),
 * and a long-poll for it (`wait=W&after=G`) is held W seconds and answered
 * 304 with DSR-Generation, as a dsr-agent whose facts do not change would.
 * --beats: protocol 1.2 as well: every answer says DSR-Protocol: 1.2, and
 * a long-poll with `beat=B` gets an interim "102 Processing" every B
 * seconds while it is held (up to 30 s), as dsr-agent sends them.
 *
 * On SIGUSR1 it writes "requests N handshakes N" to the stats file (and
 * flushes the times file: one "PORT MONOTONIC_MS" line per request answered,
 * from which the bench reads each agent's probe intervals). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "agent-proto/facts.h"
#include "agent-proto/status.h"
#include "bounded/strparse.h"

enum kind { K_LISTEN, K_CONN, K_HANG_LISTEN, K_HANG };

struct ent {
	enum kind kind;
	int fd;
	SSL *ssl;
	int handshaken;
	char in[2048];
	size_t in_len;
	const char *out;
	size_t out_len, out_off;
	int close_after;
	uint32_t ev;
	int registered;
	uint16_t port;
	uint64_t hold_until;    /* a held long-poll: answer 304 then (ms) */
	uint64_t beat_ms, beat_next; /* --beats: a 102 every beat_ms while held */
	struct ent *hnext, *hprev;
};

static SSL_CTX *ctx;
static char *resp11, *resp10;
static size_t resp11_len, resp10_len;
static unsigned long long n_requests, n_handshakes;
static volatile sig_atomic_t want_stats;
static int epfd;
static FILE *times;
static int64_t generation = -1;
static char resp304[256];
static size_t resp304_len;
static struct ent *held;        /* held long-polls, unordered */
static unsigned long long n_304, n_beats;
static int beats;               /* --beats: protocol 1.2 */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void hold_unlink(struct ent *e)
{
	if (!e->hold_until)
		return;
	if (e->hprev)
		e->hprev->hnext = e->hnext;
	else
		held = e->hnext;
	if (e->hnext)
		e->hnext->hprev = e->hprev;
	e->hnext = e->hprev = NULL;
	e->hold_until = 0;
}

/* "wait=W&after=G" in the request line, G our generation: how long to
 * hold it (ms), else 0 (answer now); *beat_ms the beat asked (--beats). */
static uint64_t longpoll_ms(const char *req, const char *eol, uint64_t *beat_ms)
{
	const char *w = strstr(req, "wait="), *a = strstr(req, "after="), *b = strstr(req, "beat=");
	char *end;
	double secs;
	long long g;

	*beat_ms = 0;
	if (generation < 0 || !w || !a || w > eol || a > eol)
		return 0;
	if (beats && b && b < eol) {
		secs = strtod(b + 5, &end);
		if (end != b + 5 && secs >= 0.1 && secs <= 3600)
			*beat_ms = (uint64_t)(secs * 1000);
	}
	g = strtoll(a + 6, &end, 10);
	if (end == a + 6 || g != generation)
		return 0;
	secs = strtod(w + 5, &end);
	if (end == w + 5 || secs <= 0 || secs > 3600)
		return 0;
	return secs > 30 ? 30000 : (uint64_t)(secs * 1000);
}

static void on_usr1(int s)
{
	(void)s;
	want_stats = 1;
}

static int listen_on(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
		fprintf(stderr, "tlsresp: port %u: %s\n", port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void want(struct ent *e, uint32_t ev)
{
	struct epoll_event x = { .events = ev, .data.ptr = e };

	if (e->ev == ev && e->registered)
		return;
	/* a held long-poll is registered with no events: MOD, not ADD, again */
	epoll_ctl(epfd, e->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, e->fd, &x);
	e->registered = 1;
	e->ev = ev;
}

static void drop(struct ent *e)
{
	hold_unlink(e);
	if (e->ssl)
		SSL_free(e->ssl);
	close(e->fd);
	free(e);
}

static void build_doc(void)
{
	struct facts *f = calloc(1, sizeof(*f));
	struct buf doc, r;
	struct ip_addr a;
	int lo, eth;

	facts_init(f, FACTS_OS_LINUX);
	f->generation = generation;
	facts_text_set(f->hostname, sizeof(f->hostname), "bench");
	facts_text_set(f->agent_version, sizeof(f->agent_version), "bench");
	f->linux_all = (struct facts_linux_conf){ .arp_ignore = 1, .arp_announce = 2, .rp_filter = 0 };
	lo = facts_iface_add(f, "lo", 1, 1, 1);
	eth = facts_iface_add(f, "eth0", 2, 1, 0);
	if (lo < 0 || eth < 0)
		exit(1);
	f->ifaces[lo].linux_conf = (struct facts_linux_conf){ 0, 0, 0 };
	f->ifaces[eth].linux_conf = (struct facts_linux_conf){ 1, 2, 0 };
	if (ipaddr_parse("192.0.2.100", &a) < 0 || facts_addr_add(f, (size_t)lo, &a, 32) < 0 ||
	    ipaddr_parse("127.0.0.1", &a) < 0 || facts_addr_add(f, (size_t)lo, &a, 8) < 0 ||
	    ipaddr_parse("192.0.2.11", &a) < 0 || facts_addr_add(f, (size_t)eth, &a, 24) < 0 ||
	    ipaddr_parse("0.0.0.0", &a) < 0 || facts_listener_add(f, FACTS_PROTO_TCP, &a, 80, FACTS_UNKNOWN) < 0)
		exit(1);
	buf_init(&doc, STATUS_DOC_MAX);
	if (status_render(f, NULL, 0, &doc) < 0)
		exit(1);
	buf_init(&r, STATUS_DOC_MAX + 512);
	if (buf_appendf(&r, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			"Connection: keep-alive\r\n%s\r\n%s", doc.len, beats ? "DSR-Protocol: 1.2\r\n" : "",
			buf_str(&doc)) < 0)
		exit(1);
	resp11 = strdup(buf_str(&r));
	resp11_len = r.len;
	buf_reset(&r);
	if (buf_appendf(&r, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			"Connection: close\r\n\r\n%s", doc.len, buf_str(&doc)) < 0)
		exit(1);
	resp10 = strdup(buf_str(&r));
	resp10_len = r.len;
	resp304_len = (size_t)snprintf(resp304, sizeof(resp304),
				       "HTTP/1.1 304 Not Modified\r\nContent-Type: application/json\r\n"
				       "Content-Length: 0\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n"
				       "DSR-Generation: %lld\r\n%s\r\n", (long long)generation,
				       beats ? "DSR-Protocol: 1.2\r\n" : "");
	fprintf(stderr, "tlsresp: status document of %zu bytes\n", doc.len);
	buf_free(&doc);
	buf_free(&r);
	free(f);
}

/* Drive one TLS connection as far as it goes without blocking. */
static void conn_step(struct ent *e)
{
	int r;

	for (;;) {
		if (!e->handshaken) {
			r = SSL_accept(e->ssl);
			if (r != 1)
				goto io;
			e->handshaken = 1;
			n_handshakes++;
		}
		if (e->out) {
			while (e->out_off < e->out_len) {
				r = SSL_write(e->ssl, e->out + e->out_off, (int)(e->out_len - e->out_off));
				if (r <= 0)
					goto io;
				e->out_off += (size_t)r;
			}
			e->out = NULL;
			if (e->close_after) {
				SSL_shutdown(e->ssl);
				drop(e);
				return;
			}
		}
		r = SSL_read(e->ssl, e->in + e->in_len, (int)(sizeof(e->in) - 1 - e->in_len));
		if (r <= 0)
			goto io;
		e->in_len += (size_t)r;
		e->in[e->in_len] = '\0';
		{
			char *end = strstr(e->in, "\r\n\r\n");

			if (!end) {
				if (e->in_len >= sizeof(e->in) - 1) {
					drop(e);
					return;
				}
				continue;
			}
			n_requests++;
			if (times) {
				struct timespec ts;

				clock_gettime(CLOCK_MONOTONIC, &ts);
				fprintf(times, "%u %lld\n", e->port, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
			}
			e->close_after = strstr(e->in, "HTTP/1.0") != NULL && strstr(e->in, "HTTP/1.0") < end;
			{
				uint64_t b, w = e->close_after ? 0 : longpoll_ms(e->in, strstr(e->in, "\r\n"), &b);

				if (w) {
					/* held: nothing more is read until it is answered */
					e->hold_until = mono_ms() + w;
					e->beat_ms = b;
					e->beat_next = mono_ms() + b;
					e->hnext = held;
					e->hprev = NULL;
					if (held)
						held->hprev = e;
					held = e;
					e->in_len = 0;
					want(e, 0);
					return;
				}
			}
			e->out = e->close_after ? resp10 : resp11;
			e->out_len = e->close_after ? resp10_len : resp11_len;
			e->out_off = 0;
			e->in_len = 0;
		}
	}
io:
	switch (SSL_get_error(e->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		want(e, EPOLLIN);
		return;
	case SSL_ERROR_WANT_WRITE:
		want(e, EPOLLOUT);
		return;
	default:
		ERR_clear_error();
		drop(e);
		return;
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "base", required_argument, NULL, 'b' }, { "count", required_argument, NULL, 'n' },
		{ "cert", required_argument, NULL, 'c' }, { "key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'a' }, { "no-client-cert", no_argument, NULL, 'N' },
		{ "hang", required_argument, NULL, 'H' }, { "stats", required_argument, NULL, 's' },
		{ "times", required_argument, NULL, 'T' }, { "generation", required_argument, NULL, 'G' },
		{ "beats", no_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t base = 20000, count = 1, hang = 0;
	const char *cert = NULL, *key = NULL, *ca = NULL, *stats = "/dev/stderr";
	int ch, no_client = 0;
	uint32_t i;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'b': if (parse_u32(optarg, &base, 1, 65535) < 0) return 2; break;
		case 'n': if (parse_u32(optarg, &count, 0, 60000) < 0) return 2; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'a': ca = optarg; break;
		case 'N': no_client = 1; break;
		case 'B': beats = 1; break;
		case 'H': if (parse_u32(optarg, &hang, 1, 65535) < 0) return 2; break;
		case 's': stats = optarg; break;
		case 'G': {
			uint32_t g;

			if (parse_u32(optarg, &g, 0, UINT32_MAX) < 0)
				return 2;
			generation = g;
			break;
		}
		case 'T':
			times = fopen(optarg, "w");
			if (!times)
				return fprintf(stderr, "tlsresp: %s: %s\n", optarg, strerror(errno)), 1;
			break;
		default: return 2;
		}
	}
	if (!cert || !key || !ca || base + count > 65536)
		return fprintf(stderr, "usage: see the head of tlsresp.c\n"), 2;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, on_usr1);
	build_doc();
	ctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 || SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
		return fprintf(stderr, "tlsresp: cannot load TLS files\n"), 1;
	if (!no_client)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"tlsresp", 7);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	for (i = 0; i < count; i++) {
		struct ent *e = calloc(1, sizeof(*e));

		e->kind = K_LISTEN;
		e->port = (uint16_t)(base + i);
		e->fd = listen_on((uint16_t)(base + i));
		if (e->fd < 0)
			return 1;
		want(e, EPOLLIN);
	}
	if (hang) {
		struct ent *e = calloc(1, sizeof(*e));

		e->kind = K_HANG_LISTEN;
		e->fd = listen_on((uint16_t)hang);
		if (e->fd < 0)
			return 1;
		want(e, EPOLLIN);
	}
	fprintf(stderr, "tlsresp: %u listeners from port %u%s\n", count, base, no_client ? " (no client certificate asked)" : "");
	for (;;) {
		struct epoll_event evs[256];
		int timeout = 1000, n, k;
		uint64_t now = mono_ms();
		struct ent *h, *hn;

		for (h = held; h; h = hn) {
			hn = h->hnext;
			if (h->hold_until <= now) {
				hold_unlink(h);
				h->out = resp304;
				h->out_len = resp304_len;
				h->out_off = 0;
				n_304++;
				conn_step(h);
				continue;
			}
			if (h->beat_ms && h->beat_next <= now) {
				static const char beat[] = "HTTP/1.1 102 Processing\r\n\r\n";

				h->beat_next += h->beat_ms;
				if (h->beat_next <= now)
					h->beat_next = now + h->beat_ms;
				if (SSL_write(h->ssl, beat, (int)sizeof(beat) - 1) != (int)sizeof(beat) - 1) {
					ERR_clear_error();
					drop(h);
					continue;
				}
				n_beats++;
			}
			if (h->hold_until - now < (uint64_t)timeout)
				timeout = (int)(h->hold_until - now);
			if (h->beat_ms && h->beat_next - now < (uint64_t)timeout)
				timeout = (int)(h->beat_next - now);
		}
		n = epoll_wait(epfd, evs, 256, timeout);

		if (want_stats) {
			FILE *f = fopen(stats, "w");

			want_stats = 0;
			if (times)
				fflush(times);
			if (f) {
				fprintf(f, "requests %llu handshakes %llu not_modified %llu beats %llu\n", n_requests, n_handshakes,
					n_304, n_beats);
				fclose(f);
			}
		}
		for (k = 0; k < n; k++) {
			struct ent *e = evs[k].data.ptr;

			if (e->kind == K_LISTEN || e->kind == K_HANG_LISTEN) {
				int fd;

				while ((fd = accept4(e->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					struct ent *c;

					if (e->kind == K_HANG_LISTEN)
						continue;  /* accepted, kept open, never read: the checker must time out */
					c = calloc(1, sizeof(*c));
					c->fd = fd;
					c->kind = K_CONN;
					c->port = e->port;
					c->ssl = SSL_new(ctx);
					SSL_set_fd(c->ssl, fd);
					SSL_set_accept_state(c->ssl);
					conn_step(c);
				}
			} else if (e->kind == K_CONN) {
				conn_step(e);
			}
		}
	}
}
