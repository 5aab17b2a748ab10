/* SPDX-License-Identifier: Apache-2.0 */
/* win_request.h - what the Windows status server answers to one request,
 * decided from plain buffers.  win32_http.c reads http.sys' HTTP_REQUEST
 * (verb, cooked URL converted to UTF-8, header values) into a struct
 * win_request and sends what win_request_decide says; the decision has no
 * Windows call in it, so the fuzz target fuzz_win_http builds it natively
 * and reaches everything a client controls.  Portable C. */
#ifndef DSRKIT_WIN_REQUEST_H
#define DSRKIT_WIN_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "agent-proto/http_request.h"

/* One header http.sys does not know by name (it hands them over trimmed). */
struct win_request_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* One request as http.sys parsed it.  No buffer needs a NUL. */
struct win_request {
	const char *verb;                 /* "GET", or the verb's text */
	size_t verb_len;
	unsigned major, minor;            /* HTTP/major.minor */
	size_t url_units;                 /* the full URL's length in UTF-16 units */
	/* the cooked (decoded) path and the query after '?', in UTF-8; url_bad:
	 * the conversion from UTF-16 failed */
	const char *path;
	size_t path_len;
	const char *query;
	size_t query_len;
	int url_bad;
	size_t n_known;                   /* known headers present (each a line) */
	const char *content_length;       /* its value, or NULL */
	size_t content_length_len;
	size_t transfer_encoding_len;     /* > 0: Transfer-Encoding present */
	const struct win_request_header *unknown;
	size_t n_unknown;
};

/* The decision: an error answer, or the status document for q (with the
 * DSR-Director reports to note first). */
struct win_answer {
	enum http_error error;            /* HTTP_ERR_NONE: serve the status document */
	const char *why;                  /* static text, for the log and the error body */
	int disconnect;                   /* close the connection after the answer */
	struct http_query q;
	struct http_director_report dirs[HTTP_MAX_DIRECTOR_REPORTS];
	size_t n_dirs;
};

/* Decide the answer to req, in the order the checks were always made
 * (size limits, version, method, body framing, URL, DSR-Director headers,
 * path, query).  Fills *a and returns a->error. */
enum http_error win_request_decide(const struct win_request *req, struct win_answer *a);

/* How long to hold a long-poll for q before answering it (capped at
 * HTTP_WAIT_CAP_MS), or 0 when it is to be answered at once (no wait, no
 * after, or wait=0). */
uint32_t win_request_hold_ms(const struct http_query *q);

/* An error answer's status, phrase, Allow header (NULL: none) and JSON
 * body `{"error":"WHY"}\n` (NUL-terminated in body[0..cap); empty when why
 * does not fit).  Returns the body's length. */
struct win_error_reply {
	int status;
	const char *phrase;
	const char *allow;
};
size_t win_request_error_render(enum http_error e, const char *why, struct win_error_reply *r, char *body,
				size_t cap);

#endif
