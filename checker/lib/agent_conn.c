/* SPDX-License-Identifier: Apache-2.0 */
/* agent_conn.c - non-blocking mutual-TLS HTTP client; see agent_conn.h. */
#include "checker/lib/agent_conn.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "checker/lib/verdict.h"
#include "tlsfiles/tls_crl.h"
#include "tlsfiles/tls_keyfile.h"

struct agent_tls {
	SSL_CTX *ctx;
	struct tls_crl crl;  /* revoked agents (tls_crl), reloaded on change */
	/* deferred: the files are read when the handshake needs them (a
	 * resumed one needs none of them) */
	char ca[512], cert[512], key[512];
	int ca_loaded;
	char deferred_err[1600];
};

static void ssl_err_string(char *out, size_t n)
{
	unsigned long e = ERR_get_error();

	if (!e) {
		snprintf(out, n, "unknown TLS error");
		return;
	}
	ERR_error_string_n(e, out, n);
	ERR_clear_error();
}

/* The context without the files: protocol floor, peer verification, modes. */
static int tls_base(struct agent_tls **out, const char *ca, unsigned tls_min, char *err, size_t errlen)
{
	struct agent_tls *t = calloc(1, sizeof(*t));
	char why[200];

	*out = NULL;
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->ctx = SSL_CTX_new(TLS_client_method());
	if (!t->ctx) {
		ssl_err_string(why, sizeof(why));
		snprintf(err, errlen, "TLS set-up failed: %s", why);
		agent_tls_free(t);
		return -EINVAL;
	}
	SSL_CTX_set_min_proto_version(t->ctx, tls_min == 12 ? TLS1_2_VERSION : TLS1_3_VERSION);
	/* the agent must prove who it is: never run without a CA */
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	if (!ca || !*ca) {
		snprintf(err, errlen, "no CA file configured (ca): the agent could not be verified");
		agent_tls_free(t);
		return -EINVAL;
	}
	/* idle kept-alive connections (dsr-checkd holds thousands) drop their
	 * read/write buffers between requests */
	SSL_CTX_set_mode(t->ctx, SSL_MODE_RELEASE_BUFFERS);
	/* one read() per TLS record batch, not one for its header and one for its body */
	SSL_CTX_set_read_ahead(t->ctx, 1);
	/* sessions are kept per connection (SSL_get1_session), not in a cache */
	SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	*out = t;
	return 0;
}

int agent_tls_new(struct agent_tls **out, const char *ca, const char *cert, const char *key,
		  unsigned tls_min, char *err, size_t errlen)
{
	struct agent_tls *t;
	char why[200];
	int r = tls_base(&t, ca, tls_min, err, errlen);

	if (r < 0)
		return r;
	if (SSL_CTX_load_verify_locations(t->ctx, ca, NULL) != 1) {
		ssl_err_string(why, sizeof(why));
		snprintf(err, errlen, "cannot load CA file %s: %s", ca, why);
		goto out_fail;
	}
	if (cert && *cert) {
		if (SSL_CTX_use_certificate_chain_file(t->ctx, cert) != 1) {
			ssl_err_string(why, sizeof(why));
			snprintf(err, errlen, "cannot load certificate %s: %s", cert, why);
			goto out_fail;
		}
		if (key && *key && tls_keyfile_check(key, err, errlen) < 0)
			goto out_fail;
		if (!key || !*key || SSL_CTX_use_PrivateKey_file(t->ctx, key, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(t->ctx) != 1) {
			ERR_clear_error();
			snprintf(err, errlen, "cannot load the private key %s, or it does not match %s",
				 key ? key : "(none)", cert);
			goto out_fail;
		}
	}
	*out = t;
	return 0;
out_fail:
	agent_tls_free(t);
	return -EINVAL;
}

int agent_tls_set_crl(struct agent_tls *t, const char *ca, const char *crl, char *err, size_t errlen)
{
	if (tls_crl_load(&t->crl, t->ctx, ca, crl, err, errlen) < 0)
		return -EINVAL;
	if (t->crl.path[0])
		t->ca_loaded = 1;  /* the store built with the CRL holds the CA (deferred form) */
	return 0;
}

/* The CRL file changed: from now on, connections and sessions verified
 * under the old one are dropped before use (see agent_conn_get). */
static void tls_refresh(struct agent_tls *t)
{
	char err[400];

	if (tls_crl_refresh(&t->crl, t->ctx, tls_crl_clock_ms(), err, sizeof(err)) < 0)
		fprintf(stderr, "dsrkit: tls_crl: %s\n", err);
}

/* The CA, read at the first certificate to verify.  A failure to read it
 * is the same configuration error the eager form reports. */
static int deferred_verify(X509_STORE_CTX *x, void *arg)
{
	struct agent_tls *t = arg;
	char why[200];

	if (!t->ca_loaded) {
		if (X509_STORE_load_file(SSL_CTX_get_cert_store(t->ctx), t->ca) != 1) {
			ssl_err_string(why, sizeof(why));
			snprintf(t->deferred_err, sizeof(t->deferred_err), "cannot load CA file %s: %s", t->ca, why);
			X509_STORE_CTX_set_error(x, X509_V_ERR_UNSPECIFIED);
			return 0;
		}
		t->ca_loaded = 1;
	}
	return X509_verify_cert(x);
}

/* Our certificate and key, read when the agent asks for them. */
static int deferred_cert(SSL *ssl, void *arg)
{
	struct agent_tls *t = arg;
	char why[200];

	if (!t->cert[0])
		return 1;
	if (SSL_use_certificate_chain_file(ssl, t->cert) != 1) {
		ssl_err_string(why, sizeof(why));
		snprintf(t->deferred_err, sizeof(t->deferred_err), "cannot load certificate %s: %s", t->cert, why);
		return 0;
	}
	if (!t->key[0] || SSL_use_PrivateKey_file(ssl, t->key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_check_private_key(ssl) != 1) {
		ERR_clear_error();
		snprintf(t->deferred_err, sizeof(t->deferred_err),
			 "cannot load the private key %s, or it does not match %s", t->key[0] ? t->key : "(none)",
			 t->cert);
		return 0;
	}
	return 1;
}

int agent_tls_new_deferred(struct agent_tls **out, const char *ca, const char *cert, const char *key,
			   unsigned tls_min, char *err, size_t errlen)
{
	struct agent_tls *t;
	int r;

	if ((ca && strlen(ca) >= sizeof(t->ca)) || (cert && strlen(cert) >= sizeof(t->cert)) ||
	    (key && strlen(key) >= sizeof(t->key)))
		return agent_tls_new(out, ca, cert, key, tls_min, err, errlen);
	r = tls_base(&t, ca, tls_min, err, errlen);
	if (r < 0)
		return r;
	snprintf(t->ca, sizeof(t->ca), "%s", ca);
	snprintf(t->cert, sizeof(t->cert), "%s", cert ? cert : "");
	snprintf(t->key, sizeof(t->key), "%s", key ? key : "");
	SSL_CTX_set_cert_verify_callback(t->ctx, deferred_verify, t);
	SSL_CTX_set_cert_cb(t->ctx, deferred_cert, t);
	*out = t;
	return 0;
}

const char *agent_tls_deferred_error(const struct agent_tls *t)
{
	return t && t->deferred_err[0] ? t->deferred_err : NULL;
}

void agent_tls_free(struct agent_tls *t)
{
	if (!t)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

void agent_conn_init(struct agent_conn *c, struct agent_tls *tls, const struct ip_addr *addr, uint16_t port)
{
	memset(c, 0, sizeof(*c));
	c->tls = tls;
	c->addr = *addr;
	c->port = port;
	c->fd = -1;
	c->state = AGENT_CONN_IDLE;
	c->crl_generation = tls ? tls->crl.generation : 0;
	buf_init(&c->out, 4096);
	http_resp_init(&c->resp);
}

void agent_conn_close(struct agent_conn *c)
{
	if (c->ssl) {
		/* Freeing an SSL that sent no close_notify marks its session
		 * not resumable (OpenSSL's ssl_clear_bad_session), and
		 * c->session is that same object: the next connection would
		 * make a full handshake.  A quiet shutdown records the close
		 * without writing to a peer that may be gone already.  Not in
		 * the middle of a handshake: there SSL_shutdown fails and
		 * leaves an error on the queue that the next failure would
		 * report as its own (and no session is at stake). */
		if (!SSL_in_init(c->ssl)) {
			SSL_set_quiet_shutdown(c->ssl, 1);
			(void)SSL_shutdown(c->ssl);
		}
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	if (c->state != AGENT_CONN_FAILED)
		c->state = AGENT_CONN_IDLE;
}

void agent_conn_free(struct agent_conn *c)
{
	agent_conn_close(c);
	if (c->session) {
		SSL_SESSION_free(c->session);
		c->session = NULL;
	}
	buf_free(&c->out);
	http_resp_free(&c->resp);
}

static int failed(struct agent_conn *c, enum check_layer layer, const char *code, const char *why)
{
	char a[IPADDR_STRLEN];

	verdict_fail(&c->fail, layer, code, "agent %s:%u: %s", ipaddr_format(&c->addr, a), c->port, why);
	agent_conn_close(c);
	c->state = AGENT_CONN_FAILED;
	return AGENT_CONN_ERROR;
}

static int start_connect(struct agent_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char why[160];

	memset(&ss, 0, sizeof(ss));
	if (c->addr.family == IP_FAMILY_V4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(c->port);
		memcpy(&s4->sin_addr, c->addr.b, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(c->port);
		memcpy(&s6->sin6_addr, c->addr.b, 16);
		sl = sizeof(*s6);
	}
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(why, sizeof(why), "socket: %s", strerror(errno));
		return failed(c, CHECK_LAYER_CONNECT, "CONNECT_ERROR", why);
	}
	c->reused = 0;
	c->connects++;
	c->state = AGENT_CONN_CONNECTING;
	if (connect(c->fd, (struct sockaddr *)&ss, sl) == 0)
		return agent_conn_step(c);
	if (errno == EINPROGRESS)
		return AGENT_CONN_WANT_WRITE;
	snprintf(why, sizeof(why), "connect: %s", strerror(errno));
	return failed(c, CHECK_LAYER_CONNECT, errno == ECONNREFUSED ? "CONNECT_REFUSED" : "CONNECT_ERROR", why);
}

int agent_conn_get(struct agent_conn *c, const char *path)
{
	return agent_conn_get_ex(c, path, NULL);
}

int agent_conn_get_ex(struct agent_conn *c, const char *path, const char *headers)
{
	char a[IPADDR_STRLEN];

	buf_reset(&c->out);
	c->out_off = 0;
	http_resp_reset(&c->resp);
	ipaddr_format(&c->addr, a);
	/* Revocation: a kept-alive connection or a resumed session was
	 * verified against the CRL of its time; after a new CRL, neither is
	 * used again (a resumption would not look at the certificate). */
	tls_refresh(c->tls);
	if (c->crl_generation != c->tls->crl.generation) {
		agent_conn_close(c);
		c->state = AGENT_CONN_IDLE;
		if (c->session) {
			SSL_SESSION_free(c->session);
			c->session = NULL;
		}
		c->crl_generation = c->tls->crl.generation;
	}
	if (buf_appendf(&c->out, "GET %s HTTP/1.1\r\nHost: %s%s%s:%u\r\nUser-Agent: dsrkit-checker/%s\r\n"
			"Accept: application/json\r\n%s\r\n",
			path, c->addr.family == IP_FAMILY_V6 ? "[" : "", a,
			c->addr.family == IP_FAMILY_V6 ? "]" : "", c->port, DSRKIT_VERSION, headers ? headers : "") < 0)
		return failed(c, CHECK_LAYER_CONFIG, "REQUEST_TOO_LONG", "request path too long");
	if (c->state == AGENT_CONN_READY && c->fd >= 0) {
		c->reused = 1;
		c->state = AGENT_CONN_SENDING;
		return agent_conn_step(c);
	}
	agent_conn_close(c);
	c->state = AGENT_CONN_IDLE;
	return start_connect(c);
}

static int tls_failure(struct agent_conn *c)
{
	long vr = SSL_get_verify_result(c->ssl);
	char why[256], e[160];

	if (vr != X509_V_OK) {
		snprintf(why, sizeof(why), "agent certificate rejected: %s", X509_verify_cert_error_string(vr));
		return failed(c, CHECK_LAYER_TLS, "TLS_VERIFY", why);
	}
	ssl_err_string(e, sizeof(e));
	snprintf(why, sizeof(why), "TLS handshake failed: %s", e);
	return failed(c, CHECK_LAYER_TLS, "TLS_HANDSHAKE", why);
}

/* The first error on the queue is an alert the agent sent (OpenSSL files a
 * received alert as reason SSL_AD_REASON_OFFSET + its code): its text. */
static const char *peer_alert(void)
{
	unsigned long e = ERR_peek_error();

	if (ERR_GET_LIB(e) != ERR_LIB_SSL || ERR_GET_REASON(e) < SSL_AD_REASON_OFFSET ||
	    ERR_GET_REASON(e) >= SSL_AD_REASON_OFFSET + 256)
		return NULL;
	return ERR_reason_error_string(e);
}

/* With TLS 1.3 the client is done with its handshake before the agent has
 * looked at the client's certificate: a refusal (unknown CA, revoked,
 * expired) comes as an alert after SSL_connect succeeded, on the first
 * read, or as a reset that makes the request's write fail first.  Either
 * is the TLS failure it is, not an HTTP one.  Called on a fresh
 * connection with no answer byte yet; reads once to collect an alert. */
static int rejected_after_handshake(struct agent_conn *c)
{
	const char *alert = peer_alert();
	char why[256], b[1];
	int r;

	if (!alert) {
		ERR_clear_error();
		r = SSL_read(c->ssl, b, sizeof(b));
		if (r <= 0 && SSL_get_error(c->ssl, r) == SSL_ERROR_SSL)
			alert = peer_alert();
	}
	if (alert) {
		snprintf(why, sizeof(why), "the agent refused our client certificate after the handshake: %s", alert);
		ERR_clear_error();
		return failed(c, CHECK_LAYER_TLS, "TLS_REJECTED", why);
	}
	ERR_clear_error();
	return failed(c, CHECK_LAYER_TLS, "TLS_CLOSED",
		      "the agent closed the connection right after the TLS handshake (our client certificate refused?)");
}

static int io_want(struct agent_conn *c, int r, int *want)
{
	int e = SSL_get_error(c->ssl, r);

	if (e == SSL_ERROR_WANT_READ) {
		*want = AGENT_CONN_WANT_READ;
		return 1;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		*want = AGENT_CONN_WANT_WRITE;
		return 1;
	}
	return 0;
}

static int step_handshake(struct agent_conn *c)
{
	int r, want;

	r = SSL_connect(c->ssl);
	if (r == 1) {
		c->handshakes++;
		c->resumed = SSL_session_reused(c->ssl);
		c->resumptions += c->resumed != 0;
		c->state = AGENT_CONN_SENDING;
		return agent_conn_step(c);
	}
	if (io_want(c, r, &want))
		return want;
	return tls_failure(c);
}

/* A kept-alive connection the agent closed meanwhile: retry once, fresh. */
static int retry_fresh(struct agent_conn *c)
{
	agent_conn_close(c);
	c->state = AGENT_CONN_IDLE;
	c->out_off = 0;
	http_resp_reset(&c->resp);
	return start_connect(c);
}

int agent_conn_step(struct agent_conn *c)
{
	char why[200];
	int r, want;

	switch (c->state) {
	case AGENT_CONN_CONNECTING: {
		int err = 0;
		socklen_t el = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err) {
			snprintf(why, sizeof(why), "connect: %s", strerror(err));
			return failed(c, CHECK_LAYER_CONNECT, err == ECONNREFUSED ? "CONNECT_REFUSED" : "CONNECT_ERROR",
				      why);
		}
		c->ssl = SSL_new(c->tls->ctx);
		if (!c->ssl)
			return failed(c, CHECK_LAYER_TLS, "TLS_HANDSHAKE", "SSL_new failed");
		SSL_set_fd(c->ssl, c->fd);
		/* the certificate must name this real server's address (IP SAN) */
		X509_VERIFY_PARAM_set1_ip(SSL_get0_param(c->ssl), c->addr.b, ipaddr_len(&c->addr));
		if (c->session)
			SSL_set_session(c->ssl, c->session);
		c->state = AGENT_CONN_HANDSHAKE;
		return step_handshake(c);
	}
	case AGENT_CONN_HANDSHAKE:
		return step_handshake(c);
	case AGENT_CONN_SENDING:
		while (c->out_off < c->out.len) {
			r = SSL_write(c->ssl, c->out.data + c->out_off, (int)(c->out.len - c->out_off));
			if (r <= 0) {
				if (io_want(c, r, &want))
					return want;
				if (c->reused)
					return retry_fresh(c);
				/* the first write of a fresh connection: see
				 * rejected_after_handshake */
				return rejected_after_handshake(c);
			}
			c->out_off += (size_t)r;
		}
		c->state = AGENT_CONN_RECEIVING;
		/* the answer cannot be there yet: wait for it rather than spend a
		 * read that returns EAGAIN (dsr-checkd counts syscalls per check) */
		if (!SSL_pending(c->ssl))
			return AGENT_CONN_WANT_READ;
		/* fall through */
	case AGENT_CONN_RECEIVING:
		for (;;) {
			char in[4096];
			size_t used;

			r = SSL_read(c->ssl, in, sizeof(in));
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);

				if (io_want(c, r, &want))
					return want;
				if (c->reused && c->resp.state == HTTP_RESP_HEAD && c->resp.head.len == 0)
					return retry_fresh(c);
				if (!c->reused && e == SSL_ERROR_SSL && c->resp.state == HTTP_RESP_HEAD &&
				    c->resp.head.len == 0 && peer_alert())
					return rejected_after_handshake(c);
				if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL) {
					if (http_resp_eof(&c->resp) == 1)
						break;
					snprintf(why, sizeof(why), "%s", c->resp.error);
					ERR_clear_error();
					return failed(c, c->resp.state == HTTP_RESP_HEAD && c->resp.head.len == 0 ?
								 CHECK_LAYER_TLS : CHECK_LAYER_HTTP,
						      c->resp.state == HTTP_RESP_HEAD && c->resp.head.len == 0 ?
							      "TLS_CLOSED" : "HTTP_MALFORMED",
						      c->resp.state == HTTP_RESP_HEAD && c->resp.head.len == 0 ?
							      "the agent closed the TLS connection without answering "
							      "(our client certificate refused?)" : why);
				}
				return tls_failure(c);
			}
			r = http_resp_feed(&c->resp, in, (size_t)r, &used);
			if (r < 0) {
				snprintf(why, sizeof(why), "bad HTTP response: %s", c->resp.error);
				return failed(c, CHECK_LAYER_HTTP, "HTTP_MALFORMED", why);
			}
			if (r == 1)
				break;
			/* an interim response (a beat) read whole, nothing after it
			 * buffered: the final answer is not there yet, and epoll
			 * (level-triggered) says when it is; no read for EAGAIN */
			if (c->resp.interim && c->resp.state == HTTP_RESP_HEAD && !c->resp.head.len &&
			    !SSL_has_pending(c->ssl))
				return AGENT_CONN_WANT_READ;
		}
		/* the TLS 1.3 ticket has arrived by now: keep the newest for a
		 * reconnect (a resumed handshake brings a fresh one, and a
		 * client should not use a ticket twice, RFC 8446 C.4) */
		{
			SSL_SESSION *s = SSL_get1_session(c->ssl);

			if (s) {
				if (c->session)
					SSL_SESSION_free(c->session);
				c->session = s;
			}
		}
		if (c->resp.status != 200 && !(c->allow_304 && c->resp.status == 304)) {
			snprintf(why, sizeof(why), "HTTP status %u", c->resp.status);
			return failed(c, CHECK_LAYER_HTTP, "HTTP_STATUS", why);
		}
		if (c->resp.keep_alive) {
			c->state = AGENT_CONN_READY;
		} else {
			agent_conn_close(c);
			c->state = AGENT_CONN_READY;
		}
		return AGENT_CONN_DONE;
	case AGENT_CONN_IDLE:
	case AGENT_CONN_READY:
	case AGENT_CONN_FAILED:
	case AGENT_CONN_STATE_COUNT:
		break;
	}
	return failed(c, CHECK_LAYER_CONFIG, "INTERNAL", "connection stepped in a wrong state");
}

void agent_conn_timeout(struct agent_conn *c, unsigned timeout_ms)
{
	char why[120];

	switch (c->state) {
	case AGENT_CONN_CONNECTING:
		snprintf(why, sizeof(why), "no TCP connection within %u ms", timeout_ms);
		failed(c, CHECK_LAYER_CONNECT, "CONNECT_TIMEOUT", why);
		break;
	case AGENT_CONN_HANDSHAKE:
		snprintf(why, sizeof(why), "TLS handshake not done within %u ms", timeout_ms);
		failed(c, CHECK_LAYER_TLS, "TLS_TIMEOUT", why);
		break;
	default:
		snprintf(why, sizeof(why), "no complete HTTP response within %u ms", timeout_ms);
		failed(c, CHECK_LAYER_HTTP, "HTTP_TIMEOUT", why);
		break;
	}
}
