/* SPDX-License-Identifier: Apache-2.0 */
/* ipvs_msg.c - IPVS generic-netlink messages, built and parsed with libnl's
 * attribute helpers.  No I/O: the unit tests call these directly and the
 * fake kernel parses our requests with the same code. */
#include "ipvs-plugin/ipvs-int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <string.h>

#define IP_VS_SVC_F_HASHED_BIT 0x0002u

static uint32_t prefix_to_mask4(uint32_t plen)
{
	if (plen == 0 || plen > 32)
		return 0xffffffffu;
	return htonl(plen == 32 ? 0xffffffffu : ~(0xffffffffu >> plen));
}

static uint32_t mask4_to_prefix(uint32_t be)
{
	uint32_t m = ntohl(be), n = 0;

	while (m & 0x80000000u) {
		n++;
		m <<= 1;
	}
	return n;
}

static uint32_t full_netmask(const struct ipvs_service *s)
{
	return s->af == AF_INET6 ? 128 : 32;
}

static int put_service(struct nl_msg *m, const struct ipvs_service *s, int full)
{
	struct nlattr *nest = nla_nest_start(m, IPVS_CMD_ATTR_SERVICE);

	if (!nest)
		return -ENOMEM;
	if (nla_put_u16(m, IPVS_SVC_ATTR_AF, (uint16_t)s->af) < 0)
		return -ENOMEM;
	if (s->fwmark) {
		if (nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, s->fwmark) < 0)
			return -ENOMEM;
	} else {
		if (nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, s->protocol) < 0 ||
		    nla_put(m, IPVS_SVC_ATTR_ADDR, sizeof(s->addr), &s->addr) < 0 ||
		    nla_put_u16(m, IPVS_SVC_ATTR_PORT, htons(s->port)) < 0)
			return -ENOMEM;
	}
	if (full) {
		struct ip_vs_flags fl = { .flags = s->flags & IPVS_SVC_F_MASK, .mask = ~0u };
		uint32_t nm = s->netmask ? s->netmask : full_netmask(s);

		if (s->af == AF_INET)
			nm = prefix_to_mask4(nm);
		if (nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, s->sched[0] ? s->sched : "wlc") < 0 ||
		    nla_put(m, IPVS_SVC_ATTR_FLAGS, sizeof(fl), &fl) < 0 ||
		    nla_put_u32(m, IPVS_SVC_ATTR_TIMEOUT, s->timeout) < 0 ||
		    nla_put_u32(m, IPVS_SVC_ATTR_NETMASK, nm) < 0)
			return -ENOMEM;
		if (s->pe[0] && nla_put_string(m, IPVS_SVC_ATTR_PE_NAME, s->pe) < 0)
			return -ENOMEM;
	}
	nla_nest_end(m, nest);
	return 0;
}

static int put_dest(struct nl_msg *m, const struct ipvs_service *s, const struct ipvs_dest *d,
		    int full)
{
	struct nlattr *nest = nla_nest_start(m, IPVS_CMD_ATTR_DEST);
	int af = d->af ? d->af : s->af;

	if (!nest)
		return -ENOMEM;
	if (nla_put(m, IPVS_DEST_ATTR_ADDR, sizeof(d->addr), &d->addr) < 0 ||
	    nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(d->port)) < 0 ||
	    nla_put_u16(m, IPVS_DEST_ATTR_ADDR_FAMILY, (uint16_t)af) < 0)
		return -ENOMEM;
	if (full) {
		if (nla_put_u32(m, IPVS_DEST_ATTR_FWD_METHOD, ipvs_fwd_to_kernel(d->fwd)) < 0 ||
		    nla_put_u32(m, IPVS_DEST_ATTR_WEIGHT, (uint32_t)d->weight) < 0 ||
		    nla_put_u32(m, IPVS_DEST_ATTR_U_THRESH, d->u_threshold) < 0 ||
		    nla_put_u32(m, IPVS_DEST_ATTR_L_THRESH, d->l_threshold) < 0)
			return -ENOMEM;
		if (d->fwd == IPVS_FWD_TUN &&
		    (nla_put_u8(m, IPVS_DEST_ATTR_TUN_TYPE, d->tun_type) < 0 ||
		     nla_put_u16(m, IPVS_DEST_ATTR_TUN_PORT, htons(d->tun_port)) < 0 ||
		     nla_put_u16(m, IPVS_DEST_ATTR_TUN_FLAGS, d->tun_flags) < 0))
			return -ENOMEM;
	}
	nla_nest_end(m, nest);
	return 0;
}

int ipvs_msg_build(struct buf *b, uint16_t family, uint32_t seq, uint16_t flags, uint8_t cmd,
		   const struct ipvs_service *s, const struct ipvs_dest *d, int full)
{
	struct nl_msg *m = nlmsg_alloc();
	struct nlmsghdr *nlh;
	int r = -ENOMEM;

	if (!m)
		return -ENOMEM;
	if (!genlmsg_put(m, NL_AUTO_PORT, seq, family, 0, flags, cmd, IPVS_GENL_VERSION))
		goto out;
	if (s && (r = put_service(m, s, full && !d)) < 0)
		goto out;
	if (s && d && (r = put_dest(m, s, d, full)) < 0)
		goto out;
	nlh = nlmsg_hdr(m);
	r = buf_append(b, nlh, NLMSG_ALIGN(nlh->nlmsg_len));
out:
	nlmsg_free(m);
	return r;
}

static struct nla_policy cmd_policy[IPVS_CMD_ATTR_MAX + 1] = {
	[IPVS_CMD_ATTR_SERVICE] = { .type = NLA_NESTED },
	[IPVS_CMD_ATTR_DEST] = { .type = NLA_NESTED },
};

static struct nla_policy svc_policy[IPVS_SVC_ATTR_MAX + 1] = {
	[IPVS_SVC_ATTR_AF] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_PROTOCOL] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_ADDR] = { .type = NLA_UNSPEC, .minlen = 4 },
	[IPVS_SVC_ATTR_PORT] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_FWMARK] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_SCHED_NAME] = { .type = NLA_STRING, .maxlen = IPVS_SCHED_MAX },
	[IPVS_SVC_ATTR_FLAGS] = { .type = NLA_UNSPEC, .minlen = sizeof(struct ip_vs_flags) },
	[IPVS_SVC_ATTR_TIMEOUT] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_NETMASK] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_STATS] = { .type = NLA_NESTED },
	[IPVS_SVC_ATTR_PE_NAME] = { .type = NLA_STRING, .maxlen = IPVS_PE_MAX },
	[IPVS_SVC_ATTR_STATS64] = { .type = NLA_NESTED },
};

static struct nla_policy dest_policy[IPVS_DEST_ATTR_MAX + 1] = {
	[IPVS_DEST_ATTR_ADDR] = { .type = NLA_UNSPEC, .minlen = 4 },
	[IPVS_DEST_ATTR_PORT] = { .type = NLA_U16 },
	[IPVS_DEST_ATTR_FWD_METHOD] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_WEIGHT] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_U_THRESH] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_L_THRESH] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_ACTIVE_CONNS] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_INACT_CONNS] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_PERSIST_CONNS] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_STATS] = { .type = NLA_NESTED },
	[IPVS_DEST_ATTR_ADDR_FAMILY] = { .type = NLA_U16 },
	[IPVS_DEST_ATTR_STATS64] = { .type = NLA_NESTED },
	[IPVS_DEST_ATTR_TUN_TYPE] = { .type = NLA_U8 },
	[IPVS_DEST_ATTR_TUN_PORT] = { .type = NLA_U16 },
	[IPVS_DEST_ATTR_TUN_FLAGS] = { .type = NLA_U16 },
};

static struct nla_policy stats_policy[IPVS_STATS_ATTR_MAX + 1] = {
	[IPVS_STATS_ATTR_CONNS] = { .type = NLA_U64 },
	[IPVS_STATS_ATTR_INPKTS] = { .type = NLA_U64 },
	[IPVS_STATS_ATTR_OUTPKTS] = { .type = NLA_U64 },
	[IPVS_STATS_ATTR_INBYTES] = { .type = NLA_U64 },
	[IPVS_STATS_ATTR_OUTBYTES] = { .type = NLA_U64 },
	[IPVS_STATS_ATTR_CPS] = { .type = NLA_U64 },
	[IPVS_STATS_ATTR_INPPS] = { .type = NLA_U64 },
	[IPVS_STATS_ATTR_OUTPPS] = { .type = NLA_U64 },
	[IPVS_STATS_ATTR_INBPS] = { .type = NLA_U64 },
	[IPVS_STATS_ATTR_OUTBPS] = { .type = NLA_U64 },
};

static int parse_stats64(struct nlattr *nest, struct ipvs_stats *st)
{
	struct nlattr *tb[IPVS_STATS_ATTR_MAX + 1];
	uint64_t *dst[IPVS_STATS_ATTR_MAX + 1] = {
		[IPVS_STATS_ATTR_CONNS] = &st->conns, [IPVS_STATS_ATTR_INPKTS] = &st->inpkts,
		[IPVS_STATS_ATTR_OUTPKTS] = &st->outpkts, [IPVS_STATS_ATTR_INBYTES] = &st->inbytes,
		[IPVS_STATS_ATTR_OUTBYTES] = &st->outbytes, [IPVS_STATS_ATTR_CPS] = &st->cps,
		[IPVS_STATS_ATTR_INPPS] = &st->inpps, [IPVS_STATS_ATTR_OUTPPS] = &st->outpps,
		[IPVS_STATS_ATTR_INBPS] = &st->inbps, [IPVS_STATS_ATTR_OUTBPS] = &st->outbps,
	};
	int i;

	if (nla_parse_nested(tb, IPVS_STATS_ATTR_MAX, nest, stats_policy) < 0)
		return -EINVAL;
	for (i = IPVS_STATS_ATTR_CONNS; i <= IPVS_STATS_ATTR_OUTBPS; i++)
		if (tb[i] && dst[i])
			*dst[i] = nla_get_u64(tb[i]);
	return 0;
}

static void get_addr(struct nlattr *a, union ipvs_addr *out)
{
	size_t n = (size_t)nla_len(a);

	memset(out, 0, sizeof(*out));
	memcpy(out, nla_data(a), n < sizeof(*out) ? n : sizeof(*out));
}

static int parse_service(struct nlattr *nest, struct ipvs_service *s)
{
	struct nlattr *tb[IPVS_SVC_ATTR_MAX + 1];

	memset(s, 0, sizeof(*s));
	if (nla_parse_nested(tb, IPVS_SVC_ATTR_MAX, nest, svc_policy) < 0 || !tb[IPVS_SVC_ATTR_AF])
		return -EINVAL;
	s->af = nla_get_u16(tb[IPVS_SVC_ATTR_AF]);
	if (s->af != AF_INET && s->af != AF_INET6)
		return -EINVAL;
	if (tb[IPVS_SVC_ATTR_FWMARK])
		s->fwmark = nla_get_u32(tb[IPVS_SVC_ATTR_FWMARK]);
	if (tb[IPVS_SVC_ATTR_PROTOCOL])
		s->protocol = nla_get_u16(tb[IPVS_SVC_ATTR_PROTOCOL]);
	if (tb[IPVS_SVC_ATTR_ADDR])
		get_addr(tb[IPVS_SVC_ATTR_ADDR], &s->addr);
	if (tb[IPVS_SVC_ATTR_PORT])
		s->port = ntohs(nla_get_u16(tb[IPVS_SVC_ATTR_PORT]));
	if (s->fwmark) { /* the kernel reports no address for fwmark services */
		s->protocol = 0;
		s->port = 0;
		memset(&s->addr, 0, sizeof(s->addr));
	}
	if (tb[IPVS_SVC_ATTR_SCHED_NAME])
		nla_strlcpy(s->sched, tb[IPVS_SVC_ATTR_SCHED_NAME], sizeof(s->sched));
	if (tb[IPVS_SVC_ATTR_PE_NAME])
		nla_strlcpy(s->pe, tb[IPVS_SVC_ATTR_PE_NAME], sizeof(s->pe));
	if (tb[IPVS_SVC_ATTR_FLAGS]) {
		struct ip_vs_flags fl;

		memcpy(&fl, nla_data(tb[IPVS_SVC_ATTR_FLAGS]), sizeof(fl));
		s->flags = fl.flags & ~IP_VS_SVC_F_HASHED_BIT;
	}
	if (tb[IPVS_SVC_ATTR_TIMEOUT])
		s->timeout = nla_get_u32(tb[IPVS_SVC_ATTR_TIMEOUT]);
	if (tb[IPVS_SVC_ATTR_NETMASK]) {
		uint32_t nm = nla_get_u32(tb[IPVS_SVC_ATTR_NETMASK]);

		s->netmask = s->af == AF_INET ? mask4_to_prefix(nm) : nm;
	}
	if (tb[IPVS_SVC_ATTR_STATS64] && parse_stats64(tb[IPVS_SVC_ATTR_STATS64], &s->stats) < 0)
		return -EINVAL;
	return 0;
}

static int parse_dest(struct nlattr *nest, struct ipvs_dest *d)
{
	struct nlattr *tb[IPVS_DEST_ATTR_MAX + 1];

	memset(d, 0, sizeof(*d));
	if (nla_parse_nested(tb, IPVS_DEST_ATTR_MAX, nest, dest_policy) < 0 ||
	    !tb[IPVS_DEST_ATTR_ADDR] || !tb[IPVS_DEST_ATTR_PORT])
		return -EINVAL;
	get_addr(tb[IPVS_DEST_ATTR_ADDR], &d->addr);
	d->port = ntohs(nla_get_u16(tb[IPVS_DEST_ATTR_PORT]));
	if (tb[IPVS_DEST_ATTR_ADDR_FAMILY])
		d->af = nla_get_u16(tb[IPVS_DEST_ATTR_ADDR_FAMILY]);
	if (tb[IPVS_DEST_ATTR_FWD_METHOD])
		d->fwd = ipvs_fwd_from_kernel(nla_get_u32(tb[IPVS_DEST_ATTR_FWD_METHOD]));
	if (tb[IPVS_DEST_ATTR_WEIGHT])
		d->weight = (int32_t)nla_get_u32(tb[IPVS_DEST_ATTR_WEIGHT]);
	if (tb[IPVS_DEST_ATTR_U_THRESH])
		d->u_threshold = nla_get_u32(tb[IPVS_DEST_ATTR_U_THRESH]);
	if (tb[IPVS_DEST_ATTR_L_THRESH])
		d->l_threshold = nla_get_u32(tb[IPVS_DEST_ATTR_L_THRESH]);
	if (tb[IPVS_DEST_ATTR_ACTIVE_CONNS])
		d->active_conns = nla_get_u32(tb[IPVS_DEST_ATTR_ACTIVE_CONNS]);
	if (tb[IPVS_DEST_ATTR_INACT_CONNS])
		d->inactive_conns = nla_get_u32(tb[IPVS_DEST_ATTR_INACT_CONNS]);
	if (tb[IPVS_DEST_ATTR_PERSIST_CONNS])
		d->persist_conns = nla_get_u32(tb[IPVS_DEST_ATTR_PERSIST_CONNS]);
	if (tb[IPVS_DEST_ATTR_TUN_TYPE])
		d->tun_type = nla_get_u8(tb[IPVS_DEST_ATTR_TUN_TYPE]);
	if (tb[IPVS_DEST_ATTR_TUN_PORT])
		d->tun_port = ntohs(nla_get_u16(tb[IPVS_DEST_ATTR_TUN_PORT]));
	if (tb[IPVS_DEST_ATTR_TUN_FLAGS])
		d->tun_flags = nla_get_u16(tb[IPVS_DEST_ATTR_TUN_FLAGS]);
	if (tb[IPVS_DEST_ATTR_STATS64] && parse_stats64(tb[IPVS_DEST_ATTR_STATS64], &d->stats) < 0)
		return -EINVAL;
	return 0;
}

int ipvs_msg_parse(const void *attrs, size_t len, struct ipvs_service *s, struct ipvs_dest *d)
{
	struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1];
	int found = 0;

	if (len > INT32_MAX)
		return -EINVAL;
	/* libnl's parser takes a non-const pointer but does not write. */
	if (nla_parse(tb, IPVS_CMD_ATTR_MAX, (struct nlattr *)(uintptr_t)attrs, (int)len,
		      cmd_policy) < 0)
		return -EINVAL;
	if (tb[IPVS_CMD_ATTR_SERVICE] && s) {
		if (parse_service(tb[IPVS_CMD_ATTR_SERVICE], s) < 0)
			return -EINVAL;
		found |= 1;
	}
	if (tb[IPVS_CMD_ATTR_DEST] && d) {
		if (parse_dest(tb[IPVS_CMD_ATTR_DEST], d) < 0)
			return -EINVAL;
		found |= 2;
	}
	return found;
}

int ipvs_msg_next(const void *data, size_t len, size_t *off, struct ipvs_msg_view *v)
{
	const struct nlmsghdr *nlh;
	size_t rest;

	if (*off >= len)
		return 0;
	rest = len - *off;
	if (rest < sizeof(*nlh))
		return -EINVAL;
	nlh = (const struct nlmsghdr *)((const uint8_t *)data + *off);
	if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > rest)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	v->type = nlh->nlmsg_type;
	v->flags = nlh->nlmsg_flags;
	v->seq = nlh->nlmsg_seq;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nlh);

		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
			return -EINVAL;
		v->error = e->error;
		if (v->error > 0 || v->error < -4095)
			return -EINVAL;
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		/* a dump that failed midway ends with its errno here */
		if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
			int e;

			memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
			v->error = e < 0 && e >= -4095 ? e : 0;
		}
	} else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
		const struct genlmsghdr *g = NLMSG_DATA(nlh);

		if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
			return -EINVAL;
		v->cmd = g->cmd;
		v->attrs = (const uint8_t *)g + GENL_HDRLEN;
		v->attrs_len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	}
	rest = NLMSG_ALIGN(nlh->nlmsg_len);
	*off += rest < len - *off ? rest : len - *off;
	return 1;
}

uint32_t ipvs_fwd_to_kernel(enum ipvs_fwd f)
{
	static const uint32_t k[IPVS_FWD_COUNT] = {
		[IPVS_FWD_DR] = IP_VS_CONN_F_DROUTE,
		[IPVS_FWD_TUN] = IP_VS_CONN_F_TUNNEL,
		[IPVS_FWD_NAT] = IP_VS_CONN_F_MASQ,
		[IPVS_FWD_LOCAL] = IP_VS_CONN_F_LOCALNODE,
	};

	return (unsigned)f < IPVS_FWD_COUNT ? k[f] : IP_VS_CONN_F_DROUTE;
}

enum ipvs_fwd ipvs_fwd_from_kernel(uint32_t v)
{
	switch (v & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ: return IPVS_FWD_NAT;
	case IP_VS_CONN_F_LOCALNODE: return IPVS_FWD_LOCAL;
	case IP_VS_CONN_F_TUNNEL: return IPVS_FWD_TUN;
	default: return IPVS_FWD_DR;
	}
}
