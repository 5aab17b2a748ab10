/* SPDX-License-Identifier: Apache-2.0 */
/* ipaddr.h - IPv4/IPv6 addresses parsed and printed without OS headers, so
 * the same code runs in the Linux and the Windows agent.  Portable C.
 */
#ifndef DSRKIT_BOUNDED_IPADDR_H
#define DSRKIT_BOUNDED_IPADDR_H

#include <stddef.h>
#include <stdint.h>

enum ip_family {
	IP_FAMILY_NONE = 0,
	IP_FAMILY_V4 = 4,
	IP_FAMILY_V6 = 6,
};

struct ip_addr {
	enum ip_family family;
	uint8_t b[16];  /* network byte order; IPv4 uses b[0..3] */
};

/* Longest text form including the terminator ("ffff:...:255.255.255.255"). */
#define IPADDR_STRLEN 46

/* Parse the n bytes at s as a dotted-quad IPv4 or an RFC 4291 IPv6 address
 * (no zone, no brackets). Returns 0 or -EINVAL. */
__attribute__((warn_unused_result))
int ipaddr_parsen(const char *s, size_t n, struct ip_addr *out);

__attribute__((warn_unused_result))
int ipaddr_parse(const char *s, struct ip_addr *out);

/* "ADDR/LEN"; without "/LEN" the full length (32 or 128) is assumed. */
__attribute__((warn_unused_result))
int ipaddr_parse_prefix(const char *s, struct ip_addr *out, unsigned *prefix_len);

/* Canonical text (RFC 5952 for IPv6) into out[IPADDR_STRLEN]; returns out. */
char *ipaddr_format(const struct ip_addr *a, char *out);

int ipaddr_equal(const struct ip_addr *a, const struct ip_addr *b);

/* True when a and b share the first plen bits (same family). */
int ipaddr_same_prefix(const struct ip_addr *a, const struct ip_addr *b, unsigned plen);

/* 4 or 16; 0 for IP_FAMILY_NONE. */
size_t ipaddr_len(const struct ip_addr *a);

/* Full prefix length of the family: 32 or 128. */
unsigned ipaddr_host_prefix(const struct ip_addr *a);

#endif
