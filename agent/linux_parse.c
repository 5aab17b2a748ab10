/* SPDX-License-Identifier: Apache-2.0 */
/* linux_parse.c - the Linux agent's parsers of procfs text and sock_diag
 * replies (linux_parse.h).  Bytes in, facts out: the reading stays in
 * agent_linux.c.
 */
#include "agent/linux_parse.h"
#include "agent-proto/facts.h"
#include "bounded/strparse.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Bytes of s[0..n) before the first of the two stop characters. */
static size_t span_until(const char *s, size_t n, char stop1, char stop2)
{
	size_t i;

	for (i = 0; i < n && s[i] != stop1 && s[i] != stop2; i++)
		;
	return i;
}

int linux_parse_sysctl(const char *buf, size_t len)
{
	uint32_t x;

	if (parse_u32n(buf, span_until(buf, len, '\n', '\0'), &x, 0, 255) < 0)
		return FACTS_UNKNOWN;
	return (int)x;
}

int linux_parse_load_weight(const char *buf, size_t len, long ncpu)
{
	uint32_t ip = 0, fp = 0;
	size_t n, frac, d;
	uint64_t load100;

	len = strnlen(buf, len);
	n = span_until(buf, len, '.', '\0');
	frac = n < len ? n + 1 : n;
	d = span_until(buf + frac, len - frac, ' ', '\0');
	if (parse_u32n(buf, n, &ip, 0, 1000000) < 0 || (d && parse_u32n(buf + frac, d > 2 ? 2 : d, &fp, 0, 99) < 0))
		return -EIO;
	if (d == 1)
		fp *= 10;
	if (ncpu < 1)
		ncpu = 1;
	load100 = (uint64_t)ip * 100 + fp;   /* load average x 100 */
	return 100 - (int)(load100 / (uint64_t)ncpu > 100 ? 100 : load100 / (uint64_t)ncpu);
}

/* "sl local rem st ...": local is hex ADDR:PORT with the address as 32-bit
 * words in host byte order.  strtok_r on a copy, as the line came from
 * fgets() into a buffer of LINUX_TCP_LINE_MAX. */
void linux_parse_tcp_line(struct facts *f, const char *buf, size_t len, int v6)
{
	char line[LINUX_TCP_LINE_MAX];
	char *save = NULL, *sl, *local, *rem, *st, *colon;
	uint32_t port, w, state;
	struct ip_addr a = { 0 };
	int i, words = v6 ? 4 : 1;

	len = strnlen(buf, len < sizeof(line) - 1 ? len : sizeof(line) - 1);
	memcpy(line, buf, len);
	line[len] = '\0';
	sl = strtok_r(line, " \t", &save);
	local = strtok_r(NULL, " \t", &save);
	rem = strtok_r(NULL, " \t", &save);
	st = strtok_r(NULL, " \t", &save);
	if (!sl || !local || !rem || !st || parse_u32_hex(st, &state) < 0 || state != 0x0a)
		return;
	colon = strchr(local, ':');
	if (!colon || (size_t)(colon - local) != (size_t)words * 8 || parse_u32_hex(colon + 1, &port) < 0 ||
	    port > 65535)
		return;
	a.family = v6 ? IP_FAMILY_V6 : IP_FAMILY_V4;
	for (i = 0; i < words; i++) {
		char word[9];

		memcpy(word, local + i * 8, 8);
		word[8] = '\0';
		if (parse_u32_hex(word, &w) < 0)
			return;
		memcpy(a.b + i * 4, &w, 4); /* host order in the file = memory order */
	}
	(void)!facts_listener_add(f, FACTS_PROTO_TCP, &a, (uint16_t)port, FACTS_UNKNOWN);
}

/* One inet_diag_msg and its attributes (h->nlmsg_len already checked
 * against the datagram). */
static void diag_msg(struct facts *f, const struct nlmsghdr *h)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	const struct rtattr *rta;
	struct ip_addr a = { 0 };
	int len, v6only = FACTS_UNKNOWN;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return;
	if (m->idiag_family == AF_INET) {
		a.family = IP_FAMILY_V4;
		memcpy(a.b, m->id.idiag_src, 4);
	} else if (m->idiag_family == AF_INET6) {
		a.family = IP_FAMILY_V6;
		memcpy(a.b, m->id.idiag_src, 16);
	} else {
		return;
	}
	len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*m));
	for (rta = (const struct rtattr *)(m + 1); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == INET_DIAG_SKV6ONLY && RTA_PAYLOAD(rta) >= 1)
			v6only = *(const uint8_t *)RTA_DATA(rta) ? 1 : 0;
	(void)!facts_listener_add(f, FACTS_PROTO_TCP, &a, ntohs(m->id.idiag_sport), v6only);
}

/* The walk is written out rather than NLMSG_OK/NLMSG_NEXT over a size_t:
 * NLMSG_NEXT subtracts the aligned length, which may pass the end of a
 * datagram whose length is not a multiple of 4, and a negative remainder
 * cast to size_t passes NLMSG_OK and reads past the datagram. */
int linux_parse_diag(struct facts *f, const void *buf, size_t len)
{
	const char *p = buf;
	size_t off = 0;

	while (len - off >= NLMSG_HDRLEN) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)(p + off);
		size_t step;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len - off)
			break;
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			/* only a kernel errno: 0 (an ACK) or a positive value in a
			 * dump means the reply is not what was asked for */
			return h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error < 0 ? e->error : -EIO;
		}
		diag_msg(f, h);
		step = NLMSG_ALIGN(h->nlmsg_len);
		if (step >= len - off)
			break;
		off += step;
	}
	return 0;
}
