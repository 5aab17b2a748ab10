/* SPDX-License-Identifier: Apache-2.0 */
/* agent_conn.h - one mutual-TLS HTTP client connection to a dsr-agent, as a
 * non-blocking state machine.  dsr-check drives it with poll() under one
 * deadline; dsr-checkd drives many from its epoll loop and keeps them open
 * (HTTP keep-alive, TLS session resumption on reconnect). */
#ifndef DSRKIT_CHECKER_AGENT_CONN_H
#define DSRKIT_CHECKER_AGENT_CONN_H

#include <stdint.h>

#include <openssl/ssl.h>

#include "bounded/buf.h"
#include "bounded/ipaddr.h"
#include "checker/lib/http_resp.h"
#include "checker/lib/verdict-t.h"

/* TLS settings shared by all connections: CA, our client certificate. */
struct agent_tls;

/* Load the CA bundle and the client certificate and key.  tls_min is 12 or
 * 13.  Returns 0 or -EINVAL with a one-line reason in err (never key
 * material).  *out is owned by the caller (agent_tls_free). */
__attribute__((warn_unused_result))
int agent_tls_new(struct agent_tls **out, const char *ca, const char *cert, const char *key,
		  unsigned tls_min, char *err, size_t errlen);
void agent_tls_free(struct agent_tls *t);

/* Check agents' certificates against the CRLs in crl too (empty: no CRL),
 * ca being the CA file given to agent_tls_new.  The file is reloaded when
 * it changes (looked at no more than every TLS_CRL_CHECK_MS, at a request);
 * connections and sessions verified before are then not reused.  0, or
 * -EINVAL with a one-line reason in err. */
__attribute__((warn_unused_result))
int agent_tls_set_crl(struct agent_tls *t, const char *ca, const char *crl, char *err, size_t errlen);
/* The same, but the CA, certificate and key are read only when a handshake
 * needs them (a one-shot client resuming a cached session needs none).  A
 * file that then fails to load fails that handshake, and
 * agent_tls_deferred_error says why (the text agent_tls_new would give). */
__attribute__((warn_unused_result))
int agent_tls_new_deferred(struct agent_tls **out, const char *ca, const char *cert, const char *key,
			   unsigned tls_min, char *err, size_t errlen);
const char *agent_tls_deferred_error(const struct agent_tls *t);

enum agent_conn_state {
	AGENT_CONN_IDLE,        /* no socket */
	AGENT_CONN_CONNECTING,
	AGENT_CONN_HANDSHAKE,
	AGENT_CONN_SENDING,
	AGENT_CONN_RECEIVING,
	AGENT_CONN_READY,       /* response complete; socket kept if keep-alive */
	AGENT_CONN_FAILED,
	AGENT_CONN_STATE_COUNT
};

/* agent_conn_step results */
enum agent_conn_want {
	AGENT_CONN_WANT_READ = 1,
	AGENT_CONN_WANT_WRITE = 2,
	AGENT_CONN_DONE = 3,
	AGENT_CONN_ERROR = 4,
};

struct agent_conn {
	struct agent_tls *tls;        /* borrowed */
	struct ip_addr addr;
	uint16_t port;
	int fd;                       /* -1 when closed */
	SSL *ssl;
	SSL_SESSION *session;         /* for resumption on reconnect */
	enum agent_conn_state state;
	int reused;                   /* request went out on a kept-alive connection */
	int resumed;                  /* last handshake resumed a session */
	unsigned handshakes;          /* full or resumed handshakes made */
	unsigned resumptions;         /* of them, resumed (counted together) */
	unsigned connects;            /* sockets opened (an event loop re-registers on change) */
	unsigned crl_generation;      /* of the CRL this connection and session were verified with */
	int allow_304;                /* a long-poll: 304 Not Modified is an answer too */
	struct buf out;
	size_t out_off;
	struct http_resp resp;        /* the response once AGENT_CONN_DONE */
	struct verdict fail;          /* why, once AGENT_CONN_ERROR */
};

void agent_conn_init(struct agent_conn *c, struct agent_tls *tls, const struct ip_addr *addr, uint16_t port);

/* Start a GET of path (e.g. "/v1/status?vip=...").  Reuses an open
 * connection when the last response allowed it.  Returns like agent_conn_step. */
int agent_conn_get(struct agent_conn *c, const char *path);

/* The same with extra header lines ("Name: value\r\n"..., or NULL). */
int agent_conn_get_ex(struct agent_conn *c, const char *path, const char *headers);

/* Advance after the socket became ready (or right after agent_conn_get).
 * Returns AGENT_CONN_WANT_READ / WANT_WRITE (wait for that on c->fd),
 * AGENT_CONN_DONE (c->resp holds a 200 response) or AGENT_CONN_ERROR
 * (c->fail says which layer and why; the socket is closed). */
int agent_conn_step(struct agent_conn *c);

/* The deadline passed in the current state: fail with the right layer. */
void agent_conn_timeout(struct agent_conn *c, unsigned timeout_ms);

/* Close the socket (keeps the TLS session for resumption). */
void agent_conn_close(struct agent_conn *c);

/* Close and free everything. */
void agent_conn_free(struct agent_conn *c);

#endif
