/* SPDX-License-Identifier: Apache-2.0 */
/* webauth.h - who may read dsr-checkd's status endpoint: the TLS context
 * and the basic-auth users of its web configuration file (webconf.h).
 *
 * A bcrypt check costs tens of milliseconds of the event loop, so a
 * password that was right is remembered (a SHA-256 of the header value,
 * for WEBAUTH_GOOD_MS) and checks of values not remembered are limited to
 * WEBAUTH_CHECKS_PER_S: past that a request gets 429, so wrong passwords
 * cannot stall the probes, while the scraper whose password was checked
 * once goes on. */
#ifndef DSRKIT_CHECKER_CHECKD_WEBAUTH_H
#define DSRKIT_CHECKER_CHECKD_WEBAUTH_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "checker/dsr-checkd/webconf.h"

#define WEBAUTH_GOOD_MAX      16
#define WEBAUTH_GOOD_MS       300000
#define WEBAUTH_CHECKS_PER_S  4

struct checkd_webauth {
	struct webconf conf;
	SSL_CTX *ctx;             /* NULL: plain HTTP */
	unsigned char good[WEBAUTH_GOOD_MAX][32];
	int64_t good_until[WEBAUTH_GOOD_MAX];
	unsigned good_next;
	int64_t budget_second;
	unsigned budget_used;
};

enum webauth_result { WEBAUTH_OK, WEBAUTH_DENIED, WEBAUTH_BUSY };

/* Load the web configuration file path and build its TLS context.  Returns
 * 0 with *out (NULL when path is empty: plain HTTP, no users), or -errno
 * with err ("file:line: what", or which TLS file failed and why). */
__attribute__((warn_unused_result))
int checkd_webauth_load(struct checkd_webauth **out, const char *path, char *err, size_t errlen);
void checkd_webauth_free(struct checkd_webauth *a);

/* May a request with this Authorization value (NULL/0: none) be answered?
 * Always WEBAUTH_OK without users. */
enum webauth_result checkd_webauth_check(struct checkd_webauth *a, const char *value, size_t len, int64_t now_ms);

#endif
