/* SPDX-License-Identifier: Apache-2.0 */
/* http_resp.h - incremental, bounded parser of one HTTP/1.1 response, as the
 * checker reads it from an agent.  Outside input: every limit is explicit. */
#ifndef DSRKIT_CHECKER_HTTP_RESP_H
#define DSRKIT_CHECKER_HTTP_RESP_H

#include <stddef.h>

#include "bounded/buf.h"

#define HTTP_RESP_MAX_HEAD  8192      /* status line + headers */
#define HTTP_RESP_MAX_BODY  (1 << 20) /* a status document is a few KiB */

enum http_resp_state {
	HTTP_RESP_HEAD,
	HTTP_RESP_BODY,
	HTTP_RESP_CHUNK_SIZE,
	HTTP_RESP_CHUNK_DATA,
	HTTP_RESP_CHUNK_CRLF,
	HTTP_RESP_TRAILER,
	HTTP_RESP_UNTIL_CLOSE,
	HTTP_RESP_DONE,
	HTTP_RESP_STATE_COUNT
};

struct http_resp {
	enum http_resp_state state;
	unsigned status;          /* 100..599 */
	int keep_alive;           /* the connection may carry another request */
	int chunked;
	size_t content_length;    /* when !chunked and has_length */
	int has_length;
	size_t chunk_left;
	unsigned interim;         /* interim (1xx) responses read before the final one */
	unsigned dsr_protocol;    /* DSR-Protocol: "1.2" is 102; 0 when absent or malformed */
	struct buf head;          /* raw head, until parsed */
	struct buf body;          /* bounded by HTTP_RESP_MAX_BODY */
	char error[128];          /* why parsing failed */
};

void http_resp_init(struct http_resp *r);
void http_resp_free(struct http_resp *r);
/* Ready for the next response on a kept-alive connection. */
void http_resp_reset(struct http_resp *r);

/* Feed n bytes received.  Returns 1 when the response is complete (*used set
 * to the bytes consumed; the rest belong to a next response), 0 when more is
 * needed (all n consumed), or -EPROTO / -EMSGSIZE with r->error set.
 * Interim responses (1xx; 101 fails) are parsed, counted in r->interim and
 * skipped: the final one follows. */
__attribute__((warn_unused_result))
int http_resp_feed(struct http_resp *r, const char *p, size_t n, size_t *used);

/* The peer closed the connection: completes a read-until-close body.
 * Returns 1 if the response is now complete, -EPROTO if it was cut short. */
__attribute__((warn_unused_result))
int http_resp_eof(struct http_resp *r);

#endif
