/* SPDX-License-Identifier: Apache-2.0 */
/* strparse.h - checked parsers for numbers, the only way dsrkit turns outside
 * text into integers (no atoi/strtol at call sites).  Portable C.
 */
#ifndef DSRKIT_BOUNDED_STRPARSE_H
#define DSRKIT_BOUNDED_STRPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Parse a whole NUL-terminated decimal string into [min, max].
 * Returns 0, -EINVAL (empty, sign, junk, whitespace) or -ERANGE. *out is only
 * written on success. */
__attribute__((warn_unused_result))
int parse_u32(const char *s, uint32_t *out, uint32_t min, uint32_t max);

/* The same for the first n bytes of s (no terminator needed). */
__attribute__((warn_unused_result))
int parse_u32n(const char *s, size_t n, uint32_t *out, uint32_t min, uint32_t max);

__attribute__((warn_unused_result))
int parse_u64(const char *s, uint64_t *out, uint64_t min, uint64_t max);

__attribute__((warn_unused_result))
int parse_u64n(const char *s, size_t n, uint64_t *out, uint64_t min, uint64_t max);

/* Hexadecimal variant ("0x" prefix optional) for marks and flags. */
__attribute__((warn_unused_result))
int parse_u32_hex(const char *s, uint32_t *out);

/* A duration: "N" or "Ns" seconds, "Nms" milliseconds, into [min_ms, max_ms]
 * milliseconds.  Returns 0, -EINVAL or -ERANGE. */
__attribute__((warn_unused_result))
int parse_duration_ms(const char *s, uint32_t *out_ms, uint32_t min_ms, uint32_t max_ms);

/* The value of a hexadecimal digit (0-15), or -1. */
int hex_digit_value(char c);

/* Does the comma-separated list v[0..n) (an HTTP header value such as
 * "keep-alive, close") hold tok, case-insensitively, ignoring blanks? */
int span_has_token(const char *v, size_t n, const char *tok);

/* Case-insensitive comparison of n bytes against a NUL-terminated word;
 * true only when lengths match too. */
int span_eq_ci(const char *s, size_t n, const char *word);

#endif
