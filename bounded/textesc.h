/* SPDX-License-Identifier: Apache-2.0 */
/* textesc.h - text from a peer made safe for one log or terminal line.
 * Reasons, interface names, host names and admin reasons come from agents
 * on the real servers; printed raw, a newline in one forges a second line
 * ("UP ...") in syslog or keepalived's log, and escape bytes drive the
 * terminal of whoever reads it.  Every line dsr-check and dsr-checkd print
 * or log passes such text through text_escape.  Portable C. */
#ifndef DSRKIT_BOUNDED_TEXTESC_H
#define DSRKIT_BOUNDED_TEXTESC_H

#include <stddef.h>

/* The room text_escape needs for an input of n bytes, never truncating
 * (each byte becomes at most 4: "\xHH", and a 2-byte C1 control 6:
 * "\u0085"). */
#define TEXT_ESC_SIZE(n) ((n) * 4 + 1)

/* Writes s into out (cap bytes, cap >= 4), always NUL-terminated:
 * backslash as "\\", tab, newline and carriage return as "\t" "\n" "\r",
 * other C0 controls and DEL as "\xHH", a byte that is not part of valid
 * UTF-8 as "\xHH", the C1 controls and the bidirectional overrides
 * (U+0080-U+009F, U+202A-U+202E, U+2066-U+2069) as "\uXXXX"; other valid
 * UTF-8 is kept.  When out is too small the text ends with "..." .
 * Returns out. */
char *text_escape(const char *s, char *out, size_t cap);

/* The same for the first n bytes of s (NUL bytes escaped as "\x00"). */
char *text_escape_n(const char *s, size_t n, char *out, size_t cap);

#endif
