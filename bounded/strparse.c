/* SPDX-License-Identifier: Apache-2.0 */
/* strparse.c - checked number parsing. */
#include "bounded/strparse.h"

#include <errno.h>
#include <string.h>

int parse_u64n(const char *s, size_t n, uint64_t *out, uint64_t min, uint64_t max)
{
	uint64_t v = 0;
	size_t i;

	if (!s || n == 0 || n > 20)
		return n > 20 ? -ERANGE : -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_u64(const char *s, uint64_t *out, uint64_t min, uint64_t max)
{
	if (!s)
		return -EINVAL;
	return parse_u64n(s, strlen(s), out, min, max);
}

int parse_u32n(const char *s, size_t n, uint32_t *out, uint32_t min, uint32_t max)
{
	uint64_t v;
	int r = parse_u64n(s, n, &v, min, max);

	if (r == 0)
		*out = (uint32_t)v;
	return r;
}

int parse_u32(const char *s, uint32_t *out, uint32_t min, uint32_t max)
{
	if (!s)
		return -EINVAL;
	return parse_u32n(s, strlen(s), out, min, max);
}

int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_u32_hex(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	size_t i = 0, n;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		i = 2;
	n = strlen(s);
	if (i == n)
		return -EINVAL;
	for (; i < n; i++) {
		int d = hex_digit_value(s[i]);

		if (d < 0)
			return -EINVAL;
		v = v * 16 + (unsigned)d;
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

int span_eq_ci(const char *s, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char a = s[i], b = word[i];

		if (b == '\0')
			return 0;
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return word[n] == '\0';
}

int parse_duration_ms(const char *s, uint32_t *out_ms, uint32_t min_ms, uint32_t max_ms)
{
	size_t n;
	uint64_t v, mult = 1000;

	if (!s)
		return -EINVAL;
	n = strlen(s);
	if (n > 2 && s[n - 2] == 'm' && s[n - 1] == 's') {
		n -= 2;
		mult = 1;
	} else if (n > 1 && s[n - 1] == 's') {
		n -= 1;
	}
	if (parse_u64n(s, n, &v, 0, UINT32_MAX) < 0)
		return n == 0 ? -EINVAL : parse_u64n(s, n, &v, 0, UINT64_MAX) == -EINVAL ? -EINVAL : -ERANGE;
	v *= mult;
	if (v < min_ms || v > max_ms)
		return -ERANGE;
	*out_ms = (uint32_t)v;
	return 0;
}

int span_has_token(const char *v, size_t n, const char *tok)
{
	size_t i = 0, tl = strlen(tok);

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && span_eq_ci(v + s, e - s, tok))
			return 1;
	}
	return 0;
}
