/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_http.h - dsr-checkd's status endpoint: plain HTTP/1.1 on a local
 * address (127.0.0.1:9445 by default), GET /metrics, /status, /healthz.
 * Requests are read through agent-proto's bounded request parser; each
 * client has a deadline, a bounded input and one response, then the
 * connection closes. */
#ifndef DSRKIT_CHECKER_CHECKD_HTTP_H
#define DSRKIT_CHECKER_CHECKD_HTTP_H

#include "bounded/buf.h"
#include "checker/dsr-checkd/checkd-t.h"

#define CHECKD_HTTP_MAX_CLIENTS 64
#define CHECKD_HTTP_TIMEOUT_MS  10000
#define CHECKD_HTTP_BODY_MAX    (256u << 20)  /* /metrics of 10,000 real servers is ~30 MB */

/* Renders the body for path; returns the HTTP status (200, 404, 500) and
 * sets *ctype. */
typedef int checkd_http_handler(struct checkd *d, const char *path, struct buf *body, const char **ctype);

/* Listen on "ADDR:PORT" ("[v6]:PORT").  Returns 0 or -errno with err set. */
__attribute__((warn_unused_result))
int checkd_http_start(struct checkd *d, const char *listen_spec, checkd_http_handler *h, char *err, size_t errlen);
void checkd_http_stop(struct checkd *d);

/* Parse "ADDR:PORT" / "[ADDR]:PORT".  0 or -EINVAL. */
__attribute__((warn_unused_result))
int checkd_listen_parse(const char *spec, struct ip_addr *a, uint16_t *port);

#endif
