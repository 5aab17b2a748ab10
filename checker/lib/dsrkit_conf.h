/* SPDX-License-Identifier: Apache-2.0 */
/* dsrkit_conf.h - the director-side defaults file, /etc/dsrkit/dsrkit.conf:
 * TLS files and agent defaults shared by dsr-check and dsr-checkd, so the
 * keepalived MISC_CHECK line stays short.
 *
 * Syntax: "key = value" lines as in agent.conf (bounded/kvfile.h); '#'
 * starts a comment.
 *
 *   ca = /etc/dsrkit/pki/ca.crt        CA that signed the agents' certificates
 *   cert = /etc/dsrkit/pki/checker.crt our client certificate (chain)
 *   key = /etc/dsrkit/pki/checker.key  its private key
 *   tls_crl = /etc/dsrkit/pki/crl.pem  revoked certificates (unset: none)
 *   agent_port = 9443
 *   timeout = 3s                       per check, every layer included
 *   tls_min_version = 1.3              or 1.2
 *   syslog = no                        yes: also log each verdict to syslog
 *   daemon_socket = /run/dsrkit/checkd.sock   where dsr-checkd answers dsr-check --daemon
 *   ticket_dir = /run/dsrkit-check     dsr-check's TLS sessions (and keeper); none: no cache
 *   keeper = no                        or an idle time (60s): a direct dsr-check leaves a
 *                                      keeper process that holds the agents' connections
 */
#ifndef DSRKIT_CHECKER_DSRKIT_CONF_H
#define DSRKIT_CHECKER_DSRKIT_CONF_H

#include <stddef.h>
#include <stdint.h>

#define DSRKIT_CONF_DEFAULT_PATH "/etc/dsrkit/dsrkit.conf"
#define DSRKIT_CONF_PATH_MAX 512

struct dsrkit_conf {
	char ca[DSRKIT_CONF_PATH_MAX];
	char cert[DSRKIT_CONF_PATH_MAX];
	char key[DSRKIT_CONF_PATH_MAX];
	char tls_crl[DSRKIT_CONF_PATH_MAX];  /* empty: no CRL */
	char daemon_socket[DSRKIT_CONF_PATH_MAX];
	char ticket_dir[DSRKIT_CONF_PATH_MAX];  /* dsr-check's TLS session cache; "" = none */
	uint32_t agent_port;
	uint32_t timeout_ms;
	uint32_t keeper_idle_ms; /* 0: no keeper */
	uint32_t tls_min;       /* 12 or 13 */
	int syslog;
};

/* Fill c with the built-in defaults. */
void dsrkit_conf_defaults(struct dsrkit_conf *c);

/* Read path over c (keys not in the file keep their values).  A missing file
 * is an error only when must_exist.  Returns 0 or a negative errno with
 * "file:line: what is wrong" in err. */
__attribute__((warn_unused_result))
int dsrkit_conf_load(struct dsrkit_conf *c, const char *path, int must_exist, char *err, size_t errlen);

/* The same for text already in memory (name is used in messages). */
__attribute__((warn_unused_result))
int dsrkit_conf_parse(struct dsrkit_conf *c, const char *name, const char *text, size_t len,
		      char *err, size_t errlen);

#endif
