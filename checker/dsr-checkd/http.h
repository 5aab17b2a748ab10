/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_http.h - dsr-checkd's status endpoint: HTTP/1.1 on a local
 * address (127.0.0.1:9445 by default): GET and HEAD of the routes the
 * daemon gives (/metrics, /status, /healthz), 404 for other paths, 405 with
 * Allow for other methods.  Requests are read through agent-proto's bounded
 * request parser.
 *
 * What a client may hold (the scraper must always get through):
 * - a connection kept alive between requests, or one that has not sent a
 *   whole request yet, is idle: at CHECKD_HTTP_MAX_CLIENTS a newcomer takes
 *   the place of the oldest idle connection, and one source address holds at
 *   most CHECKD_HTTP_PER_SOURCE (its own oldest idle one makes room);
 * - a request must arrive whole within CHECKD_HTTP_REQUEST_MS of the
 *   connection (or of its first byte on a kept-alive connection, which may
 *   wait CHECKD_HTTP_KEEPALIVE_MS for it);
 * - an answer must make progress every CHECKD_HTTP_STALL_MS and be written
 *   within CHECKD_HTTP_WRITE_MS, else the connection is cut.  The body of a
 *   cached route is shared by every client that asked for it in the same
 *   period (a reference, not a copy): a slow reader holds a few hundred bytes
 *   of its own, and all readers together hold at most
 *   CHECKD_HTTP_WRITE_MS / cache_ms + 1 generations of a body.
 *
 * A route with cache_ms renders at most once per cache_ms, whatever the
 * request rate: a scrape storm costs the loop one render per period.
 *
 * With a web configuration file (webconf.h, node_exporter's format) the
 * endpoint speaks TLS (optionally asking for client certificates) and asks
 * for basic auth (401 without the right user and password); the TLS
 * handshake counts within CHECKD_HTTP_REQUEST_MS. */
#ifndef DSRKIT_CHECKER_CHECKD_HTTP_H
#define DSRKIT_CHECKER_CHECKD_HTTP_H

#include "bounded/buf.h"
#include "checker/dsr-checkd/checkd-t.h"

#define CHECKD_HTTP_MAX_CLIENTS   64
#define CHECKD_HTTP_PER_SOURCE    48
#define CHECKD_HTTP_REQUEST_MS    3000
#define CHECKD_HTTP_KEEPALIVE_MS  60000
#define CHECKD_HTTP_STALL_MS      5000
#define CHECKD_HTTP_WRITE_MS      30000
#define CHECKD_HTTP_MAX_REQUESTS  1000       /* per connection, then Connection: close */
#define CHECKD_HTTP_BODY_MAX      (256u << 20)  /* /metrics of 10,000 real servers is ~30 MB */

/* One path the endpoint answers.  render appends the body for path to
 * body and returns 0 or -errno (a 500).  cache_ms > 0: the rendered body is
 * served to every request for that long. */
struct checkd_http_route {
	const char *path;
	const char *ctype;
	uint32_t cache_ms;
	int (*render)(struct checkd *d, struct buf *body);
};

/* Listen on "ADDR:PORT" ("[v6]:PORT") and answer routes[0..n) (the array
 * must outlive the endpoint), with the TLS and users of web_config_file
 * (webconf.h; NULL or "": plain HTTP, open).  Returns 0 or -errno with err
 * set; a web configuration that does not load means no endpoint at all. */
__attribute__((warn_unused_result))
int checkd_http_start(struct checkd *d, const char *listen_spec, const struct checkd_http_route *routes, size_t n,
		      const char *web_config_file, char *err, size_t errlen);

/* Read web_config_file again (SIGHUP: renewed certificates, users): new
 * connections get it.  On failure the running one stays.  0 or -errno. */
__attribute__((warn_unused_result))
int checkd_http_web_reload(struct checkd *d, const char *web_config_file, char *err, size_t errlen);

/* TLS handshakes that failed, requests refused for their credentials. */
void checkd_http_auth_counts(const struct checkd *d, uint64_t *tls_failures, uint64_t *auth_failures);
void checkd_http_stop(struct checkd *d);

/* Connections taken for newcomers and newcomers refused, since the start. */
void checkd_http_counts(const struct checkd *d, uint64_t *evicted, uint64_t *refused);

/* Parse "ADDR:PORT" / "[ADDR]:PORT".  0 or -EINVAL. */
__attribute__((warn_unused_result))
int checkd_listen_parse(const char *spec, struct ip_addr *a, uint16_t *port);

#endif
