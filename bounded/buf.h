/* SPDX-License-Identifier: Apache-2.0 */
/* buf.h - the one bounded buffer type for outside input and generated output.
 *
 * Invariant, checked on every append: len <= cap <= max.  `max` is mandatory:
 * a request body, a JSON document or a netlink attribute can never grow a
 * buffer past the limit its owner chose.  Portable C (also built for Windows).
 */
#ifndef DSRKIT_BOUNDED_BUF_H
#define DSRKIT_BOUNDED_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;   /* always NUL-terminated when non-NULL (not counted in len) */
	size_t len;
	size_t cap;   /* bytes allocated, excluding the terminator */
	size_t max;   /* hard limit for len */
};

/* Start an empty buffer that may grow up to `max` bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Release the storage; the buffer is empty and reusable with the same max. */
void buf_free(struct buf *b);

/* Forget the contents, keep the storage. */
void buf_reset(struct buf *b);

/* Append n bytes. Returns 0, -ENOSPC when max would be exceeded (nothing is
 * appended), or -ENOMEM. */
__attribute__((warn_unused_result))
int buf_append(struct buf *b, const void *p, size_t n);

__attribute__((warn_unused_result))
int buf_append_str(struct buf *b, const char *s);

/* printf-style append; same returns as buf_append. */
__attribute__((warn_unused_result, format(printf, 2, 3)))
int buf_appendf(struct buf *b, const char *fmt, ...);

__attribute__((warn_unused_result, format(printf, 2, 0)))
int buf_vappendf(struct buf *b, const char *fmt, va_list ap);

/* Append src's lines, each whole or not at all: when dst's max would be
 * passed, the lines that fit are kept and the rest dropped.  Returns 0 or
 * -ENOSPC / -ENOMEM when a line was dropped. */
int buf_append_lines(struct buf *dst, const struct buf *src);

/* Drop the first n bytes (n <= len), moving the rest to the front. */
void buf_consume(struct buf *b, size_t n);

/* The contents as a C string ("" when empty); owned by the buffer. */
const char *buf_str(const struct buf *b);

#endif
