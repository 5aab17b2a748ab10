/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_sock.h - the unix socket `dsr-check --daemon` asks for a cached
 * verdict (checkd_proto.h is the line protocol), and keepalived
 * `track_file` outputs. */
#ifndef DSRKIT_CHECKER_CHECKD_SOCK_H
#define DSRKIT_CHECKER_CHECKD_SOCK_H

#include <stddef.h>

#include "checker/dsr-checkd/checkd-t.h"
#include "checker/lib/daemon_proto.h"

#define CHECKD_SOCK_MAX_CLIENTS 256
#define CHECKD_SOCK_TIMEOUT_MS  2000

/* Listen on path (a stale socket file is replaced).  0 or -errno, err set. */
__attribute__((warn_unused_result))
int checkd_sock_start(struct checkd *d, const char *path, char *err, size_t errlen);
void checkd_sock_stop(struct checkd *d);

/* The answer for one query, from the table (exposed for tests). */
void checkd_sock_answer(const struct checkd *d, const struct checkd_query *q, int64_t now_ms,
			struct checkd_answer *a);

/* Write the track file of target t in dir: "0" when up, "1" otherwise,
 * named RS_VIP_PORT (':' of IPv6 kept).  Written atomically (rename).
 * 0 or -errno. */
__attribute__((warn_unused_result))
int checkd_track_write(const char *dir, const struct checkd_rs *rs, const struct checkd_target *t);

#endif
