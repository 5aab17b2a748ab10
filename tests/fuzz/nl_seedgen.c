/* SPDX-License-Identifier: Apache-2.0 */
/* nl_seedgen - writes the seed corpora of fuzz_ipvs_dump and
 * fuzz_rtnl_reply: kernel answers shaped as the kernel builds them (its
 * structures from the linux/ headers, the attributes its fill functions put:
 * ip_vs_genl_fill_service/_dest/_daemon, neigh_fill_info, rt_fill_info),
 * built with libnl's message builders, in the datagram framing of
 * tests/fuzz/nl_feed.h.  Multi-part dumps, NLMSG_DONE (with and without an
 * errno), NLMSG_ERROR, acknowledgements, truncated and stale messages.
 *
 *   make BUILD=build/x build/x/tests/nl-seedgen
 *   build/x/tests/nl-seedgen tests/fuzz/corpus
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/nl_feed.h"

#define FAMILY 0x42 /* fuzz_ipvs_dump's family id */
/* fuzz_ipvs_dump's first byte */
#define OP_TABLE 0x01
#define OP_SYNC 0x02
#define OP_GET 0x04
#define OP_ADD 0x08
#define OP_PLAN 0x10
#define OP_EXEC 0x20
#define OP_GIVEN 0x40

struct bytes {
	uint8_t d[65536];
	size_t n;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	if (b->n + n > sizeof(b->d))
		abort();
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

/* Appends a finished libnl message to a datagram and frees it. */
static void put_msg(struct bytes *dg, struct nl_msg *m)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	put(dg, h, NLMSG_ALIGN(h->nlmsg_len));
	nlmsg_free(m);
}

static void put_done(struct bytes *dg, uint32_t seq, int err)
{
	struct {
		struct nlmsghdr h;
		int err;
	} m = { { sizeof(m), NLMSG_DONE, NLM_F_MULTI, seq, 0 }, err };

	put(dg, &m, sizeof(m));
}

/* With NETLINK_CAP_ACK (libdsrkit-ipvs) the request's header only. */
static void put_err(struct bytes *dg, uint32_t seq, int err)
{
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} m;

	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = sizeof(m);
	m.h.nlmsg_type = NLMSG_ERROR;
	m.h.nlmsg_flags = err ? 0 : NLM_F_CAPPED;
	m.h.nlmsg_seq = seq;
	m.e.error = err;
	m.e.msg.nlmsg_seq = seq;
	put(dg, &m, sizeof(m));
}

/* A seed: its first byte, then datagrams. */
static void seed_dgram(struct bytes *s, unsigned flags, const struct bytes *dg, size_t len)
{
	uint8_t h[NL_FEED_HDR] = { (uint8_t)flags, (uint8_t)(len & 0xff), (uint8_t)(len >> 8) };

	put(s, h, sizeof(h));
	put(s, dg->d, len < dg->n ? len : dg->n);
}

static void seed_write(const char *dir, const char *name, const struct bytes *s)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->d, 1, s->n, f) != s->n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* ---- IPVS, as ip_vs_ctl.c fills its answers ---- */

static void put_stats(struct nl_msg *m, int type, uint64_t base, int wide)
{
	struct nlattr *st = nla_nest_start(m, type);
	int i;

	for (i = IPVS_STATS_ATTR_CONNS; i <= IPVS_STATS_ATTR_OUTBPS; i++) {
		if (wide)
			nla_put_u64(m, i, base * (uint64_t)i);
		else if (i == IPVS_STATS_ATTR_INBYTES || i == IPVS_STATS_ATTR_OUTBYTES)
			nla_put_u64(m, i, base * (uint64_t)i);
		else
			nla_put_u32(m, i, (uint32_t)(base * (uint64_t)i));
	}
	nla_nest_end(m, st);
}

struct svc {
	uint16_t af, proto, port; /* port in host order */
	const char *addr;
	uint32_t fwmark, flags, timeout, netmask;
	const char *sched, *pe;
};

static struct nl_msg *genl_msg(uint32_t seq, int flags, uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	if (!m || !genlmsg_put(m, 0, seq, FAMILY, 0, flags, cmd, IPVS_GENL_VERSION))
		abort();
	return m;
}

static void put_svc_attrs(struct nl_msg *m, const struct svc *v)
{
	struct nlattr *n = nla_nest_start(m, IPVS_CMD_ATTR_SERVICE);
	struct ip_vs_flags fl = { .flags = v->flags | 0x2 /* HASHED */, .mask = ~0u };
	uint8_t a[16] = { 0 };

	nla_put_u16(m, IPVS_SVC_ATTR_AF, v->af);
	if (v->fwmark) {
		nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, v->fwmark);
	} else {
		inet_pton(v->af, v->addr, a);
		nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, v->proto);
		nla_put(m, IPVS_SVC_ATTR_ADDR, 16, a);
		nla_put_u16(m, IPVS_SVC_ATTR_PORT, htons(v->port));
	}
	nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, v->sched);
	if (v->pe)
		nla_put_string(m, IPVS_SVC_ATTR_PE_NAME, v->pe);
	nla_put(m, IPVS_SVC_ATTR_FLAGS, sizeof(fl), &fl);
	nla_put_u32(m, IPVS_SVC_ATTR_TIMEOUT, v->timeout);
	nla_put_u32(m, IPVS_SVC_ATTR_NETMASK, v->netmask);
	put_stats(m, IPVS_SVC_ATTR_STATS, 10, 0);
	put_stats(m, IPVS_SVC_ATTR_STATS64, 10, 1);
	nla_nest_end(m, n);
}

static void put_svc(struct bytes *dg, uint32_t seq, int flags, const struct svc *v)
{
	struct nl_msg *m = genl_msg(seq, flags, IPVS_CMD_NEW_SERVICE);

	put_svc_attrs(m, v);
	put_msg(dg, m);
}

struct dst {
	uint16_t af, port;
	const char *addr;
	uint32_t fwd, weight, active;
	uint8_t tun_type;
	uint16_t tun_port;
};

static void put_dst(struct bytes *dg, uint32_t seq, const struct dst *v)
{
	struct nl_msg *m = genl_msg(seq, NLM_F_MULTI, IPVS_CMD_NEW_DEST);
	struct nlattr *n = nla_nest_start(m, IPVS_CMD_ATTR_DEST);
	uint8_t a[16] = { 0 };

	inet_pton(v->af, v->addr, a);
	nla_put(m, IPVS_DEST_ATTR_ADDR, 16, a);
	nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(v->port));
	nla_put_u32(m, IPVS_DEST_ATTR_FWD_METHOD, v->fwd);
	nla_put_u32(m, IPVS_DEST_ATTR_WEIGHT, v->weight);
	nla_put_u8(m, IPVS_DEST_ATTR_TUN_TYPE, v->tun_type);
	nla_put_u16(m, IPVS_DEST_ATTR_TUN_PORT, htons(v->tun_port));
	nla_put_u16(m, IPVS_DEST_ATTR_TUN_FLAGS, 0);
	nla_put_u32(m, IPVS_DEST_ATTR_U_THRESH, 0);
	nla_put_u32(m, IPVS_DEST_ATTR_L_THRESH, 0);
	nla_put_u32(m, IPVS_DEST_ATTR_ACTIVE_CONNS, v->active);
	nla_put_u32(m, IPVS_DEST_ATTR_INACT_CONNS, 3);
	nla_put_u32(m, IPVS_DEST_ATTR_PERSIST_CONNS, 0);
	nla_put_u16(m, IPVS_DEST_ATTR_ADDR_FAMILY, v->af);
	put_stats(m, IPVS_DEST_ATTR_STATS, 7, 0);
	put_stats(m, IPVS_DEST_ATTR_STATS64, 7, 1);
	nla_nest_end(m, n);
	put_msg(dg, m);
}

/* ip_vs_genl_dump_daemon: one message per daemon, the newer attributes
 * since 4.3 (full). */
static void put_daemon(struct bytes *dg, uint32_t seq, uint32_t state, const char *ifn,
		       uint32_t syncid, int af)
{
	struct nl_msg *m = genl_msg(seq, NLM_F_MULTI, IPVS_CMD_NEW_DAEMON);
	struct nlattr *n = nla_nest_start(m, IPVS_CMD_ATTR_DAEMON);

	nla_put_u32(m, IPVS_DAEMON_ATTR_STATE, state);
	nla_put_string(m, IPVS_DAEMON_ATTR_MCAST_IFN, ifn);
	nla_put_u32(m, IPVS_DAEMON_ATTR_SYNC_ID, syncid);
	if (af) {
		uint8_t g[16] = { 0 };

		nla_put_u16(m, IPVS_DAEMON_ATTR_SYNC_MAXLEN, 1472);
		if (af == AF_INET) {
			inet_pton(AF_INET, "224.0.0.81", g);
			nla_put(m, IPVS_DAEMON_ATTR_MCAST_GROUP, 4, g);
		} else {
			inet_pton(AF_INET6, "ff02::81", g);
			nla_put(m, IPVS_DAEMON_ATTR_MCAST_GROUP6, 16, g);
		}
		nla_put_u16(m, IPVS_DAEMON_ATTR_MCAST_PORT, 8848);
		nla_put_u8(m, IPVS_DAEMON_ATTR_MCAST_TTL, 1);
	}
	nla_nest_end(m, n);
	put_msg(dg, m);
}

static const struct svc svc_web = { AF_INET, IPPROTO_TCP, 80, "192.0.2.100", 0, 0, 0, 0xffffffff, "wlc", NULL };
static const struct svc svc_fwm = { AF_INET, 0, 0, NULL, 7, 0x1, 300, 0xffffff00, "rr", NULL };
static const struct svc svc_dns6 = { AF_INET6, IPPROTO_UDP, 53, "2001:db8::100", 0, 0x18, 0, 128, "mh", NULL };
static const struct svc svc_sip = { AF_INET, IPPROTO_UDP, 5060, "192.0.2.101", 0, 0x1, 60, 0xffffffff, "sh", "sip" };
static const struct dst dst_a = { AF_INET, 80, "192.0.2.11", IP_VS_CONN_F_DROUTE, 1, 12, 0, 0 };
static const struct dst dst_b = { AF_INET, 80, "192.0.2.12", IP_VS_CONN_F_TUNNEL, 0, 0, 1, 6080 };
static const struct dst dst_c = { AF_INET6, 53, "2001:db8::11", IP_VS_CONN_F_DROUTE, 100, 0, 0, 0 };

static void ipvs_seeds(const char *dir)
{
	struct bytes s, dg;

	/* the whole table: services in two parts, then each service's dests
	 * (the first in one part, the second gone: ESRCH, the third none) */
	s.n = 0;
	put(&s, (uint8_t[]){ OP_TABLE }, 1);
	dg.n = 0;
	put_svc(&dg, 1, NLM_F_MULTI, &svc_web);
	put_svc(&dg, 1, NLM_F_MULTI, &svc_fwm);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_svc(&dg, 1, NLM_F_MULTI, &svc_dns6);
	put_svc(&dg, 1, NLM_F_MULTI, &svc_sip);
	put_done(&dg, 1, 0);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_dst(&dg, 2, &dst_a);
	put_dst(&dg, 2, &dst_b);
	put_done(&dg, 2, 0);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_err(&dg, 3, -ESRCH);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_dst(&dg, 4, &dst_c);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_done(&dg, 4, 0);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_done(&dg, 5, 0);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n);
	seed_write(dir, "table-multipart", &s);

	/* the same with every sequence number written in by the feed */
	s.n = 0;
	put(&s, (uint8_t[]){ OP_TABLE }, 1);
	dg.n = 0;
	put_svc(&dg, 0, NLM_F_MULTI, &svc_web);
	put_done(&dg, 0, 0);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n);
	dg.n = 0;
	put_dst(&dg, 0, &dst_a);
	put_dst(&dg, 0, &dst_b);
	put_done(&dg, 0, 0);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n);
	seed_write(dir, "table-stamped", &s);

	/* a dump that ends with an errno in NLMSG_DONE (interrupted) */
	s.n = 0;
	put(&s, (uint8_t[]){ OP_TABLE }, 1);
	dg.n = 0;
	put_svc(&dg, 1, NLM_F_MULTI, &svc_web);
	put_done(&dg, 1, -EINTR);
	seed_dgram(&s, 0, &dg, dg.n);
	seed_write(dir, "table-done-errno", &s);

	/* not allowed: NLMSG_ERROR instead of a dump */
	s.n = 0;
	put(&s, (uint8_t[]){ OP_TABLE | OP_SYNC }, 1);
	dg.n = 0;
	put_err(&dg, 1, -EPERM);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_err(&dg, 2, -EPERM);
	seed_dgram(&s, 0, &dg, dg.n);
	seed_write(dir, "eperm", &s);

	/* a datagram cut inside its second service, then the socket fails */
	s.n = 0;
	put(&s, (uint8_t[]){ OP_TABLE }, 1);
	dg.n = 0;
	put_svc(&dg, 1, NLM_F_MULTI, &svc_web);
	put_svc(&dg, 1, NLM_F_MULTI, &svc_dns6);
	seed_dgram(&s, 0, &dg, dg.n - 40);
	seed_write(dir, "table-truncated", &s);
	s.n = 0;
	put(&s, (uint8_t[]){ OP_TABLE }, 1);
	dg.n = 0;
	put_svc(&dg, 1, NLM_F_MULTI, &svc_web);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	seed_dgram(&s, NL_FEED_FAIL, &dg, 0);
	seed_write(dir, "table-enobufs", &s);

	/* sync daemons: a master (IPv4 group) and a backup (IPv6), one
	 * datagram each as the kernel sends them; an old kernel's */
	s.n = 0;
	put(&s, (uint8_t[]){ OP_SYNC }, 1);
	dg.n = 0;
	put_daemon(&dg, 1, IP_VS_STATE_MASTER, "eth0", 1, AF_INET);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_daemon(&dg, 1, IP_VS_STATE_BACKUP, "eth1", 2, AF_INET6);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_done(&dg, 1, 0);
	seed_dgram(&s, 0, &dg, dg.n);
	seed_write(dir, "sync-two", &s);
	s.n = 0;
	put(&s, (uint8_t[]){ OP_SYNC }, 1);
	dg.n = 0;
	put_daemon(&dg, 1, IP_VS_STATE_MASTER, "bond0.100", 42, 0);
	put_done(&dg, 1, 0);
	seed_dgram(&s, 0, &dg, dg.n);
	seed_write(dir, "sync-old-kernel", &s);
	s.n = 0;
	put(&s, (uint8_t[]){ OP_SYNC }, 1);
	dg.n = 0;
	put_done(&dg, 1, 0);
	seed_dgram(&s, 0, &dg, dg.n);
	seed_write(dir, "sync-none", &s);

	/* GET_SERVICE: the answer (no ACK asked); then one not there */
	s.n = 0;
	put(&s, (uint8_t[]){ OP_GET }, 1);
	dg.n = 0;
	put_svc(&dg, 1, 0, &svc_web);
	seed_dgram(&s, 0, &dg, dg.n);
	seed_write(dir, "get", &s);
	s.n = 0;
	put(&s, (uint8_t[]){ OP_GET | OP_ADD }, 1);
	dg.n = 0;
	put_err(&dg, 1, -ESRCH);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_err(&dg, 1, 0); /* stale: the earlier request's */
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_err(&dg, 2, -EEXIST);
	seed_dgram(&s, 0, &dg, dg.n);
	seed_write(dir, "get-esrch-add-eexist", &s);

	/* a datagram larger than an acknowledgement's receive (2 KiB) */
	s.n = 0;
	put(&s, (uint8_t[]){ OP_ADD }, 1);
	dg.n = 0;
	while (dg.n < 2100)
		put_svc(&dg, 1, NLM_F_MULTI, &svc_sip);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_err(&dg, 1, 0);
	seed_dgram(&s, 0, &dg, dg.n);
	seed_write(dir, "add-emsgsize", &s);

	/* a plan from a dump (seq 1, dests of 192.0.2.100:80 seq 2) and its
	 * execution: add dest .12, add FWM 7 (seq 3, 4) */
	s.n = 0;
	put(&s, (uint8_t[]){ OP_PLAN | OP_EXEC }, 1);
	dg.n = 0;
	put_svc(&dg, 1, NLM_F_MULTI, &svc_web);
	put_done(&dg, 1, 0);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_dst(&dg, 2, &dst_a);
	put_done(&dg, 2, 0);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_err(&dg, 4, 0);
	put_err(&dg, 3, -EEXIST);
	seed_dgram(&s, 0, &dg, dg.n);
	seed_write(dir, "plan-execute", &s);

	/* IPVS_PLAN_GIVEN_ONLY: four pipelined GET_SERVICE (seq 1-4, the
	 * desired and the previous), each answered and acknowledged, or
	 * ESRCH; the dests of the one found (seq 5); the execution (6, 7) */
	s.n = 0;
	put(&s, (uint8_t[]){ OP_PLAN | OP_EXEC | OP_GIVEN }, 1);
	dg.n = 0;
	put_svc(&dg, 1, 0, &svc_web);
	put_err(&dg, 1, 0);
	put_err(&dg, 2, -ESRCH);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_svc(&dg, 3, 0, &svc_web);
	put_err(&dg, 3, 0);
	put_err(&dg, 4, -ESRCH);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_dst(&dg, 5, &dst_b);
	put_done(&dg, 5, 0);
	seed_dgram(&s, 0, &dg, dg.n);
	dg.n = 0;
	put_err(&dg, 6, 0);
	put_err(&dg, 7, 0);
	put_err(&dg, 8, 0);
	put_err(&dg, 9, 0);
	seed_dgram(&s, NL_FEED_COUNT, &dg, dg.n);
	seed_write(dir, "plan-given", &s);
}

/* ---- rtnetlink, as neigh_fill_info and rt_fill_info fill theirs ---- */

static void put_neigh(struct bytes *dg, uint32_t seq, int af, const char *addr, uint8_t mac_last,
		      uint16_t state)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWNEIGH, NLM_F_MULTI);
	struct ndmsg nd = { .ndm_family = (uint8_t)af, .ndm_ifindex = 2, .ndm_state = state,
			    .ndm_type = RTN_UNICAST };
	struct nda_cacheinfo ci = { 100, 200, 300, 1 };
	uint8_t a[16], mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, mac_last };

	if (!m || nlmsg_append(m, &nd, sizeof(nd), NLMSG_ALIGNTO) < 0)
		abort();
	nlmsg_hdr(m)->nlmsg_seq = seq;
	inet_pton(af, addr, a);
	nla_put(m, NDA_DST, af == AF_INET ? 4 : 16, a);
	if (state != NUD_FAILED && state != NUD_INCOMPLETE)
		nla_put(m, NDA_LLADDR, 6, mac);
	nla_put_u32(m, NDA_PROBES, 0);
	nla_put(m, NDA_CACHEINFO, sizeof(ci), &ci);
	put_msg(dg, m);
}

/* RTM_GETROUTE's answer (not a dump): rtmsg, RTA_TABLE, RTA_DST, RTA_OIF,
 * RTA_PREFSRC, RTA_GATEWAY or RTA_VIA, RTA_UID, RTA_CACHEINFO. */
static void put_route(struct bytes *dg, uint32_t seq, int af, const char *dst, uint8_t type,
		      const char *gw, int via)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWROUTE, 0);
	struct rtmsg rt = { .rtm_family = (uint8_t)af, .rtm_dst_len = af == AF_INET ? 32 : 128,
			    .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_UNSPEC,
			    .rtm_scope = type == RTN_LOCAL ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE,
			    .rtm_type = type, .rtm_flags = RTM_F_CLONED };
	struct rta_cacheinfo ci = { 0 };
	uint8_t a[16];

	if (!m || nlmsg_append(m, &rt, sizeof(rt), NLMSG_ALIGNTO) < 0)
		abort();
	nlmsg_hdr(m)->nlmsg_seq = seq;
	nla_put_u32(m, RTA_TABLE, type == RTN_LOCAL ? RT_TABLE_LOCAL : RT_TABLE_MAIN);
	inet_pton(af, dst, a);
	nla_put(m, RTA_DST, af == AF_INET ? 4 : 16, a);
	nla_put_u32(m, RTA_OIF, 2);
	if (gw && !via) {
		inet_pton(af, gw, a);
		nla_put(m, RTA_GATEWAY, af == AF_INET ? 4 : 16, a);
	} else if (gw) {
		struct {
			uint16_t family;
			uint8_t addr[16];
		} v = { AF_INET6, { 0 } };

		inet_pton(AF_INET6, gw, v.addr);
		nla_put(m, RTA_VIA, sizeof(v), &v);
	}
	nla_put_u32(m, RTA_UID, 0);
	nla_put(m, RTA_CACHEINFO, sizeof(ci), &ci);
	put_msg(dg, m);
}

static void rtnl_seeds(const char *dir)
{
	struct bytes s, dg;

	/* the neighbour dump in two parts: claims' MACs end 0b, 0c, 0d */
	s.n = 0;
	put(&s, (uint8_t[]){ 0 }, 1);
	dg.n = 0;
	put_neigh(&dg, 0, AF_INET, "192.0.2.11", 0x0b, NUD_REACHABLE);
	put_neigh(&dg, 0, AF_INET6, "2001:db8::12", 0x0c, NUD_STALE);
	put_neigh(&dg, 0, AF_INET, "192.0.2.99", 0x99, NUD_FAILED);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n);
	dg.n = 0;
	put_neigh(&dg, 0, AF_INET, "192.0.2.12", 0x0c, NUD_STALE);
	put_neigh(&dg, 0, AF_INET, "192.0.2.13", 0x0d, NUD_PERMANENT);
	put_done(&dg, 0, 0);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n);
	seed_write(dir, "neigh-multipart", &s);

	s.n = 0;
	put(&s, (uint8_t[]){ 0 }, 1);
	dg.n = 0;
	put_done(&dg, 0, 0);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n);
	seed_write(dir, "neigh-empty", &s);

	s.n = 0;
	put(&s, (uint8_t[]){ 0 }, 1);
	dg.n = 0;
	put_err(&dg, 0, -EPERM);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n);
	seed_write(dir, "neigh-error", &s);

	/* cut inside the second message; and a wrong sequence number */
	s.n = 0;
	put(&s, (uint8_t[]){ 0 }, 1);
	dg.n = 0;
	put_neigh(&dg, 0, AF_INET, "192.0.2.11", 0x0b, NUD_REACHABLE);
	put_neigh(&dg, 0, AF_INET, "192.0.2.12", 0x0c, NUD_REACHABLE);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n - 12);
	seed_write(dir, "neigh-truncated", &s);
	s.n = 0;
	put(&s, (uint8_t[]){ 0 }, 1);
	dg.n = 0;
	put_neigh(&dg, 7, AF_INET, "192.0.2.11", 0x0b, NUD_REACHABLE);
	put_done(&dg, 7, 0);
	seed_dgram(&s, 0, &dg, dg.n);
	seed_write(dir, "neigh-seq-mismatch", &s);

	/* routes: through a gateway, connected, local, unreachable, IPv6 via */
	s.n = 0;
	put(&s, (uint8_t[]){ 1 }, 1);
	dg.n = 0;
	put_route(&dg, 0, AF_INET, "192.0.2.100", RTN_UNICAST, "192.0.2.1", 0);
	put_err(&dg, 0, 0);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n);
	seed_write(dir, "route-gateway", &s);
	s.n = 0;
	put(&s, (uint8_t[]){ 1 }, 1);
	dg.n = 0;
	put_route(&dg, 0, AF_INET, "192.0.2.100", RTN_UNICAST, NULL, 0);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n);
	seed_write(dir, "route-connected", &s);
	s.n = 0;
	put(&s, (uint8_t[]){ 1 }, 1);
	dg.n = 0;
	put_route(&dg, 0, AF_INET, "192.0.2.100", RTN_LOCAL, NULL, 0);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n);
	seed_write(dir, "route-local", &s);
	s.n = 0;
	put(&s, (uint8_t[]){ 1 }, 1);
	dg.n = 0;
	put_err(&dg, 0, -ENETUNREACH);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n);
	seed_write(dir, "route-unreachable", &s);
	s.n = 0;
	put(&s, (uint8_t[]){ 3 }, 1);
	dg.n = 0;
	put_route(&dg, 0, AF_INET6, "2001:db8::100", RTN_UNICAST, "fe80::1", 1);
	put_err(&dg, 0, 0);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n);
	seed_write(dir, "route6-via", &s);
	s.n = 0;
	put(&s, (uint8_t[]){ 3 }, 1);
	dg.n = 0;
	put_route(&dg, 0, AF_INET6, "2001:db8::100", RTN_UNREACHABLE, NULL, 0);
	seed_dgram(&s, NL_FEED_STAMP, &dg, dg.n);
	seed_write(dir, "route6-unreachable-type", &s);
}

int main(int argc, char **argv)
{
	char d[512];

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR (tests/fuzz/corpus)\n", argv[0]);
		return 2;
	}
	snprintf(d, sizeof(d), "%s/fuzz_ipvs_dump", argv[1]);
	ipvs_seeds(d);
	snprintf(d, sizeof(d), "%s/fuzz_rtnl_reply", argv[1]);
	rtnl_seeds(d);
	return 0;
}
