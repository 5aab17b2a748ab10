/* SPDX-License-Identifier: Apache-2.0 */
/* tls_crl.h - certificate revocation for dsrkit's mutual TLS: the CA bundle
 * and a CRL file (`dsrkit-pki revoke` writes it; `tls_crl` in agent.conf and
 * dsrkit.conf names it) make the verify store of an SSL_CTX, with CRL
 * checking on for the peer's certificate.  The file is looked at again at
 * most once per TLS_CRL_CHECK_MS, when the program next uses the context,
 * and reloaded when its inode, size or mtime changed: no restart, no
 * signal.  A file that fails to load keeps the previous CRL in force. */
#ifndef DSRKIT_TLSFILES_TLS_CRL_H
#define DSRKIT_TLSFILES_TLS_CRL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#define TLS_CRL_CHECK_MS 2000
#define TLS_CRL_PATH_MAX 512

struct tls_crl {
	char ca[TLS_CRL_PATH_MAX];
	char path[TLS_CRL_PATH_MAX];   /* empty: no CRL */
	int64_t next_check_ms;
	uint64_t dev, ino, size;
	int64_t mtime_ns;
	unsigned generation;           /* 0: none; else new at every load, unique in the
					* process (a context built again on reload
					* never shares one with its predecessor) */
	unsigned revoked;              /* entries in the CRLs loaded last */
};

/* Monotonic milliseconds (the clock tls_crl_refresh expects). */
int64_t tls_crl_clock_ms(void);

/* Loads the CA bundle ca and the CRLs in path (PEM, each signed by a CA of
 * the bundle) into a new verify store with CRL checking of the peer's
 * certificate, and gives it to ctx.  0, or -errno (-EINVAL for bad
 * content) with a one-line reason in err; ctx is unchanged then. */
__attribute__((warn_unused_result))
int tls_crl_load(struct tls_crl *c, SSL_CTX *ctx, const char *ca, const char *path, char *err, size_t errlen);

/* At most once per TLS_CRL_CHECK_MS: reloads the CRL when its file
 * changed.  1 when it was reloaded (callers then drop what was verified
 * before: kept-alive connections, sessions), 0 when nothing changed or no
 * CRL is set, -errno with err when the new file could not be loaded (the
 * previous CRL stays in force; said once per change of the file). */
__attribute__((warn_unused_result))
int tls_crl_refresh(struct tls_crl *c, SSL_CTX *ctx, int64_t now_ms, char *err, size_t errlen);

/* For a server: forget every session it could resume (new ticket keys, an
 * empty cache), since resumption skips certificate verification. */
void tls_crl_server_forget_sessions(SSL_CTX *ctx);

#endif
