/* SPDX-License-Identifier: Apache-2.0 */
/* director.h - what this director tells each agent of its server in IPVS
 * (protocol 1.1): one `DSR-Director: NAME; vip=..; port=..; weight=..;
 * active=..; inactive=..` header per VIP, on the requests dsr-checkd makes
 * anyway, so that `dsr-agent drain --wait` on the real server sees the
 * connections left.  The counters come from one IPVS read shared by every
 * request within CHECKD_DIRECTOR_MAX_AGE_MS. */
#ifndef DSRKIT_CHECKER_CHECKD_DIRECTOR_H
#define DSRKIT_CHECKER_CHECKD_DIRECTOR_H

#include <stddef.h>

#include "checker/dsr-checkd/checkd-t.h"

#define CHECKD_DIRECTOR_MAX_AGE_MS 250

/* The header lines for rs into out (n bytes with the NUL; "" when IPVS is
 * not open or holds none of rs's services).  Never fails: a line that does
 * not fit is left out. */
void checkd_director_headers(struct checkd *d, const struct checkd_rs *rs, char *out, size_t n);

void checkd_director_free(struct checkd *d);

#endif
