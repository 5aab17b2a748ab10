/* SPDX-License-Identifier: Apache-2.0 */
/* http_request.h - the bounded HTTP/1.x request parser of the status
 * endpoint.  Input is untrusted: every limit below is enforced before any
 * byte past it is looked at, and an error maps to one status code through
 * http_error_table[].  Portable C. */
#ifndef DSRKIT_AGENT_PROTO_HTTP_REQUEST_H
#define DSRKIT_AGENT_PROTO_HTTP_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "agent-proto/status-t.h"

#define HTTP_MAX_REQUEST_LINE  1024
#define HTTP_MAX_HEADER_LINE   1024
#define HTTP_MAX_HEADER_BYTES  8192   /* all header lines together */
#define HTTP_MAX_HEADERS       32
#define HTTP_MAX_BODY          1024   /* read and discarded */
#define HTTP_MAX_PATH          256

/* Long-poll (protocol 1.1): `wait` is seconds with up to three decimals
 * ("0.5"), accepted up to HTTP_WAIT_PARAM_MAX seconds and held at most
 * HTTP_WAIT_CAP_MS; a checker that wants a heartbeat asks for less. */
#define HTTP_WAIT_PARAM_MAX    3600
#define HTTP_WAIT_CAP_MS       30000
/* Beats (protocol 1.2): `beat` (same syntax, 0.1-3600 s) asks a held
 * long-poll for an interim "102 Processing" every that long, so that one
 * request can be held up to HTTP_WAIT_CAP_MS and still show the agent
 * alive; never more often than HTTP_BEAT_MIN_MS (a client cannot make the
 * agent write at its rate). */
#define HTTP_BEAT_MIN_MS       100

/* DSR-Director headers (protocol 1.1): what one director sees of this
 * server in IPVS, one header per VIP and port. */
#define HTTP_MAX_DIRECTOR_REPORTS 16
#define HTTP_DIRECTOR_NAME_MAX    64   /* with the NUL */

enum http_error {
	HTTP_ERR_NONE = 0,
	HTTP_ERR_BAD_REQUEST,
	HTTP_ERR_NOT_FOUND,
	HTTP_ERR_METHOD,
	HTTP_ERR_BODY_TOO_LARGE,
	HTTP_ERR_URI_TOO_LONG,
	HTTP_ERR_HEADERS_TOO_LARGE,
	HTTP_ERR_TRANSFER_ENCODING,
	HTTP_ERR_VERSION,
	HTTP_ERR_UNAVAILABLE,
	HTTP_ERR_COUNT
};

struct http_error_info {
	int status;
	const char *phrase;
};

extern const struct http_error_info http_error_table[HTTP_ERR_COUNT];

/* One DSR-Director header:
 * `DSR-Director: NAME; vip=ADDR; port=N; weight=W; active=A; inactive=I` */
struct http_director_report {
	char name[HTTP_DIRECTOR_NAME_MAX];   /* [A-Za-z0-9._:-], 1-63 bytes */
	struct ip_addr vip;
	uint16_t port;                       /* 0: not given */
	int32_t weight;                      /* 0-65535 (IPVS weight) */
	uint32_t active, inactive;
};

/* Methods a caller accepts (http_request_parse_methods); any other is a 405. */
enum http_method {
	HTTP_METHOD_GET = 1u << 0,
	HTTP_METHOD_HEAD = 1u << 1,
};

struct http_request {
	enum http_method method;             /* the one the request names */
	char path[HTTP_MAX_PATH];            /* before '?', NUL-terminated */
	char query[HTTP_MAX_REQUEST_LINE];   /* after '?', raw */
	int minor;                           /* HTTP/1.<minor> */
	int keep_alive;                      /* the client wants the connection kept */
	size_t content_length;
	enum http_error error;
	const char *why;                     /* static text for the log on error */
	/* the value of the Authorization header: data[auth_off..auth_off+auth_len)
	 * of the parsed input (auth_len 0: none) */
	size_t auth_off, auth_len;
	struct http_director_report directors[HTTP_MAX_DIRECTOR_REPORTS];
	size_t n_directors;
};

/* A parsed /v1/status query (doc/agent-protocol.md). */
struct http_query {
	struct status_target target;
	int has_target;
	int has_wait;
	uint32_t wait_ms;                    /* as asked, 0-HTTP_WAIT_PARAM_MAX s */
	int has_after;
	uint32_t after;                      /* a generation */
	int has_beat;
	uint32_t beat_ms;                    /* 1.2: an interim 102 every that long while held */
};

/* Parse the request at the start of data[0..len).  Returns the number of
 * bytes of the whole request (head and body) when it is complete, 0 when
 * more bytes are needed (and the limits are not passed yet), or -EBADMSG
 * with req->error and req->why set. */
__attribute__((warn_unused_result))
int http_request_parse(const char *data, size_t len, struct http_request *req);

/* The whole /v1/status query: "vip=ADDR&port=N&wait=SECONDS&after=GEN", every
 * parameter optional, none twice; port needs vip, after needs wait.
 * Returns 0 with *q filled, or -EINVAL with *why (static text). */
__attribute__((warn_unused_result))
int http_query_parse(const char *query, struct http_query *q, const char **why);

/* One DSR-Director header value (v[0..n)).  0 or -EINVAL with *why. */
__attribute__((warn_unused_result))
int http_director_parse(const char *v, size_t n, struct http_director_report *out, const char **why);

/* The same, accepting the methods of the mask methods (HTTP_METHOD_*):
 * http_request_parse is this with HTTP_METHOD_GET. */
__attribute__((warn_unused_result))
int http_request_parse_methods(const char *data, size_t len, struct http_request *req, unsigned methods);

/* The target of a /v1/status query: "vip=ADDR&port=N" (port optional).
 * Returns 1 with *t filled, 0 for an empty query, or -EINVAL with *why. */
__attribute__((warn_unused_result))
int http_query_target(const char *query, struct status_target *t, const char **why);

#endif
