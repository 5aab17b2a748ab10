/* SPDX-License-Identifier: Apache-2.0 */
/* textesc.c - see textesc.h. */
#include "bounded/textesc.h"
#include "bounded/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The valid UTF-8 sequence at s (bounded/utf8: dsrkit's one definition of
 * valid text) and its code point; 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len = utf8_seq_len(s, n), i;
	uint32_t c;

	if (len == 0)
		return 0;
	c = len == 1 ? s[0] : len == 2 ? s[0] & 0x1fu : len == 3 ? s[0] & 0x0fu : s[0] & 0x07u;
	for (i = 1; i < len; i++)
		c = (c << 6) | (s[i] & 0x3fu);
	*cp = c;
	return len;
}

static int needs_u_escape(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* The escaped form of the character at s[i] into piece (>= 16 bytes): its
 * length in *plen; returns how many input bytes it takes. */
static size_t piece_at(const unsigned char *p, size_t n, size_t i, char *piece, size_t *plen)
{
	uint32_t cp = 0;
	size_t used;

	if (p[i] == '\\') {
		memcpy(piece, "\\\\", 2);
		*plen = 2;
		return 1;
	}
	if (p[i] == '\n' || p[i] == '\r' || p[i] == '\t') {
		piece[0] = '\\';
		piece[1] = p[i] == '\n' ? 'n' : p[i] == '\r' ? 'r' : 't';
		*plen = 2;
		return 1;
	}
	if (p[i] < 0x20 || p[i] == 0x7f || (used = utf8_seq(p + i, n - i, &cp)) == 0) {
		snprintf(piece, 16, "\\x%02x", p[i]);
		*plen = 4;
		return 1;
	}
	if (needs_u_escape(cp)) {
		snprintf(piece, 16, "\\u%04x", (unsigned)cp);
		*plen = 6;
		return used;
	}
	memcpy(piece, p + i, used);
	*plen = used;
	return used;
}

char *text_escape_n(const char *s, size_t n, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	char piece[16];
	size_t i, o = 0, plen, total = 0;
	int fits;

	if (cap < 4) {
		if (cap)
			out[0] = '\0';
		return out;
	}
	for (i = 0; i < n;) {
		i += piece_at(p, n, i, piece, &plen);
		total += plen;
	}
	fits = total + 1 <= cap;
	for (i = 0; i < n;) {
		size_t used = piece_at(p, n, i, piece, &plen);

		/* when it does not all fit, keep room for "..." after each piece */
		if (!fits && o + plen + 4 > cap) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(out + o, piece, plen);
		o += plen;
		i += used;
	}
	out[o] = '\0';
	return out;
}

char *text_escape(const char *s, char *out, size_t cap)
{
	return text_escape_n(s, strlen(s), out, cap);
}
