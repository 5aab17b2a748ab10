/* SPDX-License-Identifier: Apache-2.0 */
/* ipvs_sync.c - the kernel's connection sync daemons read over generic
 * netlink (IPVS_CMD_GET_DAEMON), and the size of the connection table. */
#include "ipvs-plugin/ipvs-int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>

static struct nla_policy cmd_policy[IPVS_CMD_ATTR_MAX + 1] = {
	[IPVS_CMD_ATTR_DAEMON] = { .type = NLA_NESTED },
};

static struct nla_policy daemon_policy[IPVS_DAEMON_ATTR_MAX + 1] = {
	[IPVS_DAEMON_ATTR_STATE] = { .type = NLA_U32 },
	[IPVS_DAEMON_ATTR_MCAST_IFN] = { .type = NLA_STRING, .maxlen = IPVS_IFNAME_MAX },
	[IPVS_DAEMON_ATTR_SYNC_ID] = { .type = NLA_U32 },
	[IPVS_DAEMON_ATTR_SYNC_MAXLEN] = { .type = NLA_U16 },
	[IPVS_DAEMON_ATTR_MCAST_GROUP] = { .type = NLA_U32 },
	[IPVS_DAEMON_ATTR_MCAST_GROUP6] = { .type = NLA_UNSPEC, .minlen = 16 },
	[IPVS_DAEMON_ATTR_MCAST_PORT] = { .type = NLA_U16 },
	[IPVS_DAEMON_ATTR_MCAST_TTL] = { .type = NLA_U8 },
};

int ipvs_sync_msg_build(struct buf *b, uint16_t family, uint32_t seq, uint16_t flags,
			const struct ipvs_sync_daemon *d)
{
	struct nl_msg *m = nlmsg_alloc();
	struct nlattr *nest;
	struct nlmsghdr *nlh;
	int r = -ENOMEM;

	if (!m)
		return -ENOMEM;
	if (!genlmsg_put(m, NL_AUTO_PORT, seq, family, 0, flags, IPVS_CMD_NEW_DAEMON, IPVS_GENL_VERSION))
		goto out;
	nest = nla_nest_start(m, IPVS_CMD_ATTR_DAEMON);
	if (!nest || nla_put_u32(m, IPVS_DAEMON_ATTR_STATE, d->state) < 0 ||
	    nla_put_string(m, IPVS_DAEMON_ATTR_MCAST_IFN, d->mcast_ifn) < 0 ||
	    nla_put_u32(m, IPVS_DAEMON_ATTR_SYNC_ID, d->syncid) < 0)
		goto out;
	if (d->sync_maxlen && nla_put_u16(m, IPVS_DAEMON_ATTR_SYNC_MAXLEN, d->sync_maxlen) < 0)
		goto out;
	if (d->mcast_af == AF_INET &&
	    nla_put(m, IPVS_DAEMON_ATTR_MCAST_GROUP, 4, &d->mcast_group.v4) < 0)
		goto out;
	if (d->mcast_af == AF_INET6 &&
	    nla_put(m, IPVS_DAEMON_ATTR_MCAST_GROUP6, 16, &d->mcast_group.v6) < 0)
		goto out;
	if (d->mcast_af && (nla_put_u16(m, IPVS_DAEMON_ATTR_MCAST_PORT, d->mcast_port) < 0 ||
			    nla_put_u8(m, IPVS_DAEMON_ATTR_MCAST_TTL, d->mcast_ttl) < 0))
		goto out;
	nla_nest_end(m, nest);
	nlh = nlmsg_hdr(m);
	r = buf_append(b, nlh, NLMSG_ALIGN(nlh->nlmsg_len));
out:
	nlmsg_free(m);
	return r;
}

int ipvs_sync_msg_parse(const void *attrs, size_t len, struct ipvs_sync_daemon *d)
{
	struct nlattr *cmd[IPVS_CMD_ATTR_MAX + 1], *tb[IPVS_DAEMON_ATTR_MAX + 1];

	memset(d, 0, sizeof(*d));
	if (len > INT32_MAX)
		return -EINVAL;
	/* libnl's parser takes a non-const pointer but does not write. */
	if (nla_parse(cmd, IPVS_CMD_ATTR_MAX, (struct nlattr *)(uintptr_t)attrs, (int)len, cmd_policy) < 0 ||
	    !cmd[IPVS_CMD_ATTR_DAEMON])
		return -EINVAL;
	if (nla_parse_nested(tb, IPVS_DAEMON_ATTR_MAX, cmd[IPVS_CMD_ATTR_DAEMON], daemon_policy) < 0 ||
	    !tb[IPVS_DAEMON_ATTR_STATE] || !tb[IPVS_DAEMON_ATTR_SYNC_ID] || !tb[IPVS_DAEMON_ATTR_MCAST_IFN])
		return -EINVAL;
	d->state = nla_get_u32(tb[IPVS_DAEMON_ATTR_STATE]);
	d->syncid = nla_get_u32(tb[IPVS_DAEMON_ATTR_SYNC_ID]);
	nla_strlcpy(d->mcast_ifn, tb[IPVS_DAEMON_ATTR_MCAST_IFN], sizeof(d->mcast_ifn));
	if (tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN])
		d->sync_maxlen = nla_get_u16(tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN]);
	if (tb[IPVS_DAEMON_ATTR_MCAST_GROUP]) {
		d->mcast_af = AF_INET;
		memcpy(&d->mcast_group.v4, nla_data(tb[IPVS_DAEMON_ATTR_MCAST_GROUP]), 4);
	} else if (tb[IPVS_DAEMON_ATTR_MCAST_GROUP6]) {
		d->mcast_af = AF_INET6;
		memcpy(&d->mcast_group.v6, nla_data(tb[IPVS_DAEMON_ATTR_MCAST_GROUP6]), 16);
	}
	if (tb[IPVS_DAEMON_ATTR_MCAST_PORT])
		d->mcast_port = nla_get_u16(tb[IPVS_DAEMON_ATTR_MCAST_PORT]); /* host order, unlike service ports */
	if (tb[IPVS_DAEMON_ATTR_MCAST_TTL])
		d->mcast_ttl = nla_get_u8(tb[IPVS_DAEMON_ATTR_MCAST_TTL]);
	return 0;
}

struct daemon_acc {
	struct ipvs_sync_daemon *out;
	size_t cap, n;
	int bad;
};

static int on_daemon(const struct ipvs_msg_view *v, void *arg)
{
	struct daemon_acc *a = arg;
	struct ipvs_sync_daemon d;

	if (ipvs_sync_msg_parse(v->attrs, v->attrs_len, &d) < 0) {
		a->bad = 1;
		return 0;
	}
	if (a->n < a->cap)
		a->out[a->n++] = d;
	return 0;
}

IPVS_API int ipvs_sync_daemon_get(struct ipvs *h, struct ipvs_sync_daemon *out, size_t cap,
				  size_t *n)
{
	struct daemon_acc a = { .out = out, .cap = cap };
	int r;

	*n = 0;
	r = ipvs_dump(h, IPVS_CMD_GET_DAEMON, NULL, on_daemon, &a);
	if (r < 0) {
		ipvs_set_err(h, r, "read sync daemons");
		return r;
	}
	if (a.bad) {
		ipvs_set_err(h, -EBADMSG, "read sync daemons: malformed answer");
		return -EBADMSG;
	}
	*n = a.n;
	return 0;
}

IPVS_API const char *ipvs_sync_state_name(uint32_t state)
{
	switch (state) {
	case IPVS_SYNC_MASTER: return "master";
	case IPVS_SYNC_BACKUP: return "backup";
	default: return "none";
	}
}

/* One line of /proc/net/ip_vs_conn:
 * "Pro FromIP FPrt ToIP TPrt DestIP DPrt State Expires PEName PEData";
 * the state is the 8th field. */
static void count_line(const char *l, size_t len, uint64_t *total, uint64_t *est)
{
	size_t i = 0, f = 0, start = 0;

	if (len >= 3 && memcmp(l, "Pro", 3) == 0)
		return; /* the header */
	(*total)++;
	if (len < 3 || memcmp(l, "TCP", 3) != 0)
		return;
	while (i <= len) {
		if (i == len || l[i] == ' ') {
			if (i > start) {
				f++;
				if (f == 8) {
					if (i - start == 11 && memcmp(l + start, "ESTABLISHED", 11) == 0)
						(*est)++;
					return;
				}
			}
			start = i + 1;
		}
		i++;
	}
}

IPVS_API int ipvs_conn_count(const char *path, uint64_t *total, uint64_t *established)
{
	char buf[8192];
	char line[512];
	size_t ll = 0;
	uint64_t t = 0, e = 0;
	ssize_t got;
	int fd = open(path ? path : "/proc/net/ip_vs_conn", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		ssize_t i;

		for (i = 0; i < got; i++) {
			if (buf[i] == '\n') {
				count_line(line, ll, &t, &e);
				ll = 0;
			} else if (ll < sizeof(line)) {
				line[ll++] = buf[i];
			}
		}
	}
	if (got < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	close(fd);
	if (ll)
		count_line(line, ll, &t, &e);
	if (total)
		*total = t;
	if (established)
		*established = e;
	return 0;
}
