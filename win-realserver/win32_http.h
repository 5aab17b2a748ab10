/* SPDX-License-Identifier: Apache-2.0 */
/* win32_http.h - the transport of the Windows status server
 * (win32_http.c): HTTPS with a client certificate checked against the
 * configured CA (win32_http_tls.c, the shipped exe), or plain HTTP
 * (win32_http_plain.c, linked only into the test build).  Exactly one of
 * the two is linked; no Windows header here. */
#ifndef DSRKIT_WIN32_HTTP_H
#define DSRKIT_WIN32_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "agent-proto/agent_config.h"

/* Prepare the transport for cfg (TLS: load the CA, find or import the
 * server certificate, bind it to the port in http.sys) and write the URL
 * prefix to register, e.g. "https://+:9443/", to url (UTF-8).  0 or a
 * negative errno with the reason in err. */
__attribute__((warn_unused_result))
int win32_http_transport_begin(const struct agent_config *cfg, char *url, size_t urllen, char *err,
			       size_t errlen);

/* May this connection's request be answered?  TLS: it presented a client
 * certificate that chains to the configured CA.  queue is the http.sys
 * request queue, conn its HTTP_CONNECTION_ID.  1 yes, 0 no (why says why). */
int win32_http_client_ok(void *queue, uint64_t conn, const char **why);

/* Undo begin (the certificate binding). */
void win32_http_transport_end(void);

/* The TLS transport's client check, apart from http.sys, so the wine tests
 * can run it on certificates made with openssl (win32_http_tls.c only):
 * load tls_ca (PEM or DER; 0 or a negative errno with err), then judge one
 * DER client certificate (1 accepted, 0 refused with *why). */
__attribute__((warn_unused_result))
int win32_tls_ca_load(const char *path, char *err, size_t errlen);
int win32_tls_client_verify(const unsigned char *der, size_t len, const char **why);
/* The server certificate named by tls_cert (cert:\LocalMachine\My\THUMB,
 * or a PFX imported into LocalMachine\My, password file tls_key): its
 * SHA-1 thumbprint in hash.  0 or a negative errno with err. */
__attribute__((warn_unused_result))
int win32_tls_server_cert(const char *tls_cert, const char *tls_key, unsigned char hash[20], char *err,
			  size_t errlen);

/* "https" or "http (TEST BUILD)", for the log. */
extern const char win32_http_transport_name[];

#endif
