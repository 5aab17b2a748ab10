/* SPDX-License-Identifier: Apache-2.0 */
/* utf8.h - dsrkit's one definition of valid text: strict UTF-8 (RFC 3629):
 * no overlong forms (C0 85 is not U+0045), no surrogates (U+D800..DFFF),
 * nothing past U+10FFFF.  The status parser refuses any string that is not
 * valid text, the JSON writer writes valid text unchanged and replaces each
 * byte that is not with one '?' (so a string's length never changes on the
 * way out and a field at its limit still fits when read back), and the
 * facts model stores only valid text.  Portable C. */
#ifndef DSRKIT_BOUNDED_UTF8_H
#define DSRKIT_BOUNDED_UTF8_H

#include <stddef.h>

/* The length (1-4) of the valid UTF-8 sequence that starts at s, n > 0
 * bytes being available; 0 when the bytes there are not valid text. */
size_t utf8_seq_len(const unsigned char *s, size_t n);

/* 1 when all n bytes of s are valid text (NUL counts as valid: callers
 * that refuse NUL check it themselves), else 0. */
int utf8_valid(const char *s, size_t n);

/* Make the NUL-terminated string s valid text in place: each byte that does
 * not start a valid sequence becomes '?'.  Returns how many were replaced. */
size_t utf8_sanitize(char *s);

/* The largest length <= n at which s can be cut without splitting a valid
 * sequence (the cut of a string to a field's size). */
size_t utf8_cut_len(const char *s, size_t n);

#endif
