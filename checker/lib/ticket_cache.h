/* SPDX-License-Identifier: Apache-2.0 */
/* ticket_cache.h - TLS sessions kept between dsr-check processes, one file
 * per agent (address and port) in a directory of the checker's own, so that
 * the next check of that real server resumes (no certificate to load, sign
 * or verify) instead of making a full mutual-TLS handshake.
 *
 * Trust: the directory must belong to the effective user and give no
 * permission to group or others, and must not be a symbolic link; a file
 * must be a regular file of that user, mode 0600 (no group/other bits), one
 * link, at most TICKET_FILE_MAX bytes.  Anything else, and any file that
 * does not parse, is ignored (the check makes a full handshake and writes a
 * good file over it).  A session is used only while the CA, certificate and
 * key files are the ones (device, inode, size, mtime, ctime: a chmod or
 * chown changes ctime) of the full handshake that started its chain, and at
 * most TICKET_CHAIN_MAX_S after that full handshake: a changed or removed
 * key or CA is seen at once, a revoked agent certificate within that bound. */
#ifndef DSRKIT_CHECKER_TICKET_CACHE_H
#define DSRKIT_CHECKER_TICKET_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/ssl.h>

#include "bounded/ipaddr.h"

#define TICKET_FILE_MAX 16384
#define TICKET_CHAIN_MAX_S 600

/* What the session depends on: the TLS files and settings. */
struct ticket_stamp {
	uint64_t f[3][5];        /* ca, cert, key: dev, ino, size, mtime, ctime (ns) */
	uint32_t tls_min;
};

/* One file's stamp (dev, ino, size, mtime, ctime in ns); all 0 for an
 * empty or NULL path.  0, or a negative errno when it cannot be stat'ed. */
__attribute__((warn_unused_result))
int ticket_file_stamp(const char *path, uint64_t f[5]);

/* Fill s from the three files (stat) and tls_min.  Returns 0, or a
 * negative errno when a file cannot be stat'ed (then nothing is cached). */
__attribute__((warn_unused_result))
int ticket_stamp_make(struct ticket_stamp *s, const char *ca, const char *cert, const char *key,
		      unsigned tls_min);

/* Open (creating it 0700 when missing and possible) and verify the
 * directory.  Returns a directory descriptor, or a negative errno (-EPERM
 * when it is not safe to use). */
__attribute__((warn_unused_result))
int ticket_dir_open(const char *dir);

/* The cached session for addr:port, or NULL (none, stale, unsafe or
 * corrupt).  *full_at gets the time of the chain's full handshake.  The
 * caller owns the session (SSL_SESSION_free). */
SSL_SESSION *ticket_cache_load(int dirfd, const struct ip_addr *addr, uint16_t port,
			       const struct ticket_stamp *stamp, time_t now, time_t *full_at);

/* Replace the cached session for addr:port (temporary file + rename).
 * full_at: when the chain's full handshake was made.  Returns 0 or a
 * negative errno. */
__attribute__((warn_unused_result))
int ticket_cache_store(int dirfd, const struct ip_addr *addr, uint16_t port, const struct ticket_stamp *stamp,
		       time_t full_at, SSL_SESSION *s);

/* The same checks and parse on a file's bytes (for the unit tests and the
 * loader): the session or NULL. */
SSL_SESSION *ticket_cache_parse(const unsigned char *data, size_t n, const struct ticket_stamp *stamp,
				time_t now, time_t *full_at);

#endif
