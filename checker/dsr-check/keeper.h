/* SPDX-License-Identifier: Apache-2.0 */
/* keeper.h - dsr-check's keeper: a process that a direct check leaves behind
 * (as ssh's ControlPersist does) so that the next checks of the same
 * checker configuration reuse its kept-alive mutual-TLS connections instead
 * of each loading OpenSSL, reading keys and making a handshake.
 *
 * Every check still asks the agent at that moment: the keeper fetches the
 * real server's status document when a dsr-check asks, on its connection to
 * that agent, judges it, and answers over a unix socket in the ticket
 * directory (the same directory rules as the session cache: the checker
 * user's own, mode 0700).  It answers in dsr-checkd's socket format
 * (daemon_proto.h): "VERDICT rs vip port" in, one answer line out.
 *
 * One keeper per identity: the TLS files (device, inode, size, times), the
 * CRL file, the TLS version floor, the agent port and the timeout.  A
 * changed certificate or key gives a new name, so the next check starts a
 * new keeper and the old one, asked no more, exits after its idle time.  A
 * lock file held for the keeper's whole life lets one check start it when
 * many run at once.  It exits after `keeper` (the configuration's idle
 * time) without a request, and after KEEPER_MAX_LIFE_S in any case. */
#ifndef DSRKIT_CHECKER_DSR_CHECK_KEEPER_H
#define DSRKIT_CHECKER_DSR_CHECK_KEEPER_H

#include <stddef.h>
#include <stdint.h>

#include "checker/lib/dsrkit_conf.h"

#define KEEPER_MAX_LIFE_S 3600
#define KEEPER_MAX_CLIENTS 256
#define KEEPER_MAX_TARGETS 1024

struct keeper_id {
	char dir[DSRKIT_CONF_PATH_MAX];   /* the ticket directory */
	char name[40];                    /* "keeper-<hash>", without suffix */
	char sock[120];                   /* dir/name.sock (fits sun_path) */
	const char *ca, *cert, *key, *crl;
	unsigned tls_min, agent_port, timeout_ms, idle_ms;
};

/* Name the keeper of this configuration (stat of the TLS and CRL files).
 * Returns 0, or a negative errno when there can be none (a file missing,
 * the path too long for a unix socket). */
__attribute__((warn_unused_result))
int keeper_identify(struct keeper_id *k, const char *dir, const char *ca, const char *cert, const char *key,
		    const char *crl, unsigned tls_min, unsigned agent_port, unsigned timeout_ms, unsigned idle_ms);

/* Start the keeper unless one holds the lock.  dirfd: the verified ticket
 * directory.  The caller goes on (and exits) as before; the keeper is a
 * child in its own session with /dev/null as stdin, stdout and stderr. */
void keeper_spawn(int dirfd, const struct keeper_id *k);

#endif
