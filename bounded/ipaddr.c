/* SPDX-License-Identifier: Apache-2.0 */
/* ipaddr.c - address parsing and printing without inet_pton, see ipaddr.h. */
#include "bounded/ipaddr.h"
#include "bounded/strparse.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		size_t start = i;
		uint32_t v;

		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		/* no leading zeros: "010" is octal to some parsers, refuse it */
		if (i - start > 1 && s[start] == '0')
			return -EINVAL;
		if (parse_u32n(s + start, i - start, &v, 0, 255) < 0)
			return -EINVAL;
		out[part] = (uint8_t)v;
		if (part < 3) {
			if (i >= n || s[i] != '.')
				return -EINVAL;
			i++;
		}
	}
	return i == n ? 0 : -EINVAL;
}

static int parse_v6(const char *s, size_t n, uint8_t out[16])
{
	uint16_t words[8];
	int nw = 0, gap = -1;
	size_t i = 0;

	if (n < 2)
		return -EINVAL;
	if (s[0] == ':') {
		if (s[1] != ':')
			return -EINVAL;
		gap = 0;
		i = 2;
		if (i == n)
			goto done;
	}
	for (;;) {
		size_t start = i;
		unsigned v = 0;
		int d;

		while (i < n && (d = hex_digit_value(s[i])) >= 0 && i - start < 4) {
			v = v * 16 + (unsigned)d;
			i++;
		}
		if (i < n && s[i] == '.') {
			/* embedded IPv4 in the last 32 bits */
			if (nw > 6 || i == start)
				return -EINVAL;
			if (parse_v4(s + start, n - start, (uint8_t *)&words[nw]) < 0)
				return -EINVAL;
			{
				uint8_t *q = (uint8_t *)&words[nw];
				words[nw] = (uint16_t)(q[0] << 8 | q[1]);
				words[nw + 1] = (uint16_t)(q[2] << 8 | q[3]);
			}
			nw += 2;
			i = n;
			break;
		}
		if (i == start || nw >= 8)
			return -EINVAL;
		if (i < n && hex_digit_value(s[i]) >= 0)
			return -EINVAL; /* group longer than 4 digits */
		words[nw++] = (uint16_t)v;
		if (i == n)
			break;
		if (s[i] != ':')
			return -EINVAL;
		i++;
		if (i < n && s[i] == ':') {
			if (gap >= 0)
				return -EINVAL;
			gap = nw;
			i++;
			if (i == n)
				break;
		} else if (i == n) {
			return -EINVAL; /* trailing single colon */
		}
	}
done:
	if (gap < 0 && nw != 8)
		return -EINVAL;
	if (gap >= 0 && nw > 7)
		return -EINVAL;
	memset(out, 0, 16);
	{
		int k, tail = gap >= 0 ? nw - gap : 0, head = gap >= 0 ? gap : nw;

		for (k = 0; k < head; k++) {
			out[2 * k] = (uint8_t)(words[k] >> 8);
			out[2 * k + 1] = (uint8_t)words[k];
		}
		for (k = 0; k < tail; k++) {
			int pos = 8 - tail + k;
			out[2 * pos] = (uint8_t)(words[head + k] >> 8);
			out[2 * pos + 1] = (uint8_t)words[head + k];
		}
	}
	return 0;
}

int ipaddr_parsen(const char *s, size_t n, struct ip_addr *out)
{
	struct ip_addr a;

	if (!s || n == 0 || n >= IPADDR_STRLEN)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	if (memchr(s, ':', n)) {
		if (parse_v6(s, n, a.b) < 0)
			return -EINVAL;
		a.family = IP_FAMILY_V6;
	} else {
		if (parse_v4(s, n, a.b) < 0)
			return -EINVAL;
		a.family = IP_FAMILY_V4;
	}
	*out = a;
	return 0;
}

int ipaddr_parse(const char *s, struct ip_addr *out)
{
	if (!s)
		return -EINVAL;
	return ipaddr_parsen(s, strlen(s), out);
}

int ipaddr_parse_prefix(const char *s, struct ip_addr *out, unsigned *prefix_len)
{
	const char *slash;
	struct ip_addr a;
	uint32_t plen;

	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	if (ipaddr_parsen(s, slash ? (size_t)(slash - s) : strlen(s), &a) < 0)
		return -EINVAL;
	plen = ipaddr_host_prefix(&a);
	if (slash && parse_u32(slash + 1, &plen, 0, ipaddr_host_prefix(&a)) < 0)
		return -EINVAL;
	*out = a;
	*prefix_len = plen;
	return 0;
}

char *ipaddr_format(const struct ip_addr *a, char *out)
{
	if (a->family == IP_FAMILY_V4) {
		snprintf(out, IPADDR_STRLEN, "%u.%u.%u.%u", a->b[0], a->b[1], a->b[2], a->b[3]);
	} else if (a->family == IP_FAMILY_V6) {
		uint16_t w[8];
		int i, best = -1, bestlen = 0, cur = -1, curlen = 0;
		char *p = out;

		for (i = 0; i < 8; i++)
			w[i] = (uint16_t)(a->b[2 * i] << 8 | a->b[2 * i + 1]);
		/* RFC 5952: compress the longest run (>= 2) of zero groups, first wins */
		for (i = 0; i < 8; i++) {
			if (w[i] == 0) {
				if (cur < 0) {
					cur = i;
					curlen = 0;
				}
				curlen++;
				if (curlen > bestlen) {
					best = cur;
					bestlen = curlen;
				}
			} else {
				cur = -1;
			}
		}
		if (bestlen < 2)
			best = -1;
		for (i = 0; i < 8; i++) {
			if (i == best) {
				*p++ = ':';
				if (i == 0)
					*p++ = ':';
				i += bestlen - 1;
				continue;
			}
			p += snprintf(p, (size_t)(IPADDR_STRLEN - (p - out)), "%x", w[i]);
			if (i < 7)
				*p++ = ':';
		}
		*p = '\0';
	} else {
		snprintf(out, IPADDR_STRLEN, "?");
	}
	return out;
}

size_t ipaddr_len(const struct ip_addr *a)
{
	return a->family == IP_FAMILY_V4 ? 4 : a->family == IP_FAMILY_V6 ? 16 : 0;
}

unsigned ipaddr_host_prefix(const struct ip_addr *a)
{
	return a->family == IP_FAMILY_V6 ? 128 : 32;
}

int ipaddr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family && memcmp(a->b, b->b, ipaddr_len(a)) == 0;
}

int ipaddr_same_prefix(const struct ip_addr *a, const struct ip_addr *b, unsigned plen)
{
	unsigned full, rem;

	if (a->family != b->family || plen > ipaddr_host_prefix(a))
		return 0;
	full = plen / 8;
	rem = plen % 8;
	if (memcmp(a->b, b->b, full) != 0)
		return 0;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));
		if ((a->b[full] & mask) != (b->b[full] & mask))
			return 0;
	}
	return 1;
}
