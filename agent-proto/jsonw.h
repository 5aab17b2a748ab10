/* SPDX-License-Identifier: Apache-2.0 */
/* jsonw.h - a write-only JSON writer into a bounded struct buf.
 *
 * Errors are sticky: the first failing append (-ENOSPC when the document
 * would pass the buffer's max, -ENOMEM, -EINVAL for misuse such as a value
 * without a key inside an object) is kept and every later call is a no-op,
 * so a renderer checks once, at jsonw_finish().  Strings are escaped per
 * RFC 8259; a byte that is not valid text (bounded/utf8.h: strict UTF-8)
 * becomes '?', one byte for one, so lengths never change.  Portable C.
 */
#ifndef DSRKIT_AGENT_PROTO_JSONW_H
#define DSRKIT_AGENT_PROTO_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "bounded/buf.h"

#define JSONW_MAX_DEPTH 16

struct jsonw {
	struct buf *out;        /* not owned */
	int err;
	unsigned depth;
	unsigned char count[JSONW_MAX_DEPTH];   /* 0: no member yet, 1: some */
	unsigned char is_obj[JSONW_MAX_DEPTH];
	int after_key;
};

void jsonw_init(struct jsonw *w, struct buf *out);

void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);

/* A member name inside an object; the next call writes its value. */
void jsonw_key(struct jsonw *w, const char *k);

void jsonw_string(struct jsonw *w, const char *s);
void jsonw_stringn(struct jsonw *w, const char *s, size_t n);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, int v);
void jsonw_null(struct jsonw *w);

/* Shorthands: key + value. jsonw_kv_int_or_null writes null for v < 0. */
void jsonw_kv_string(struct jsonw *w, const char *k, const char *s);
void jsonw_kv_int(struct jsonw *w, const char *k, int64_t v);
void jsonw_kv_int_or_null(struct jsonw *w, const char *k, int v);
void jsonw_kv_bool(struct jsonw *w, const char *k, int v);
void jsonw_kv_tristate(struct jsonw *w, const char *k, int v);  /* true/false/null(<0) */

/* 0 when the document is complete and well formed, else the first error
 * (-EINVAL if containers are still open). */
__attribute__((warn_unused_result))
int jsonw_finish(const struct jsonw *w);

/* Add the member "key": member (member: a complete JSON value, as
 * jsonw_finish() accepted it) at the end of the finished object held in
 * doc, before its closing brace; trailing blanks and newlines after that
 * brace are replaced by one newline.  key is written as it is (a literal
 * name, nothing to escape).  Returns 0, -EINVAL when doc does not end with
 * a '}', -ENOSPC or -ENOMEM (doc is then unusable). */
__attribute__((warn_unused_result))
int jsonw_splice_member(struct buf *doc, const char *key, const struct buf *member);

#endif
