/* SPDX-License-Identifier: Apache-2.0 */
/* route_lookup.c - "how would this host reach address A?" over rtnetlink
 * (RTM_GETROUTE, the question `ip route get` asks). */
#include "ipvs-plugin/dsrctl/dr_lint.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <string.h>
#include <sys/socket.h>

static int route_cb(struct nl_msg *msg, void *arg)
{
	enum route_kind *kind = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct rtmsg *rtm = nlmsg_data(nlh);
	struct nlattr *tb[RTA_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWROUTE || nlmsg_parse(nlh, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return NL_SKIP;
	if (rtm->rtm_type == RTN_LOCAL)
		*kind = ROUTE_LOCAL;
	else if (rtm->rtm_type != RTN_UNICAST)
		*kind = ROUTE_NONE;
	else if (tb[RTA_GATEWAY] || tb[RTA_VIA] || tb[RTA_MULTIPATH])
		*kind = ROUTE_GATEWAY;
	else
		*kind = ROUTE_CONNECTED;
	return NL_OK;
}

enum route_kind route_lookup_sk(struct nl_sock *sk, const struct ip_addr *a)
{
	struct nl_msg *m = NULL;
	struct rtmsg rtm;
	enum route_kind kind = ROUTE_NONE;

	m = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST);
	if (!m)
		goto out;
	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = a->family == IP_FAMILY_V6 ? AF_INET6 : AF_INET;
	rtm.rtm_dst_len = (unsigned char)ipaddr_host_prefix(a);
	if (nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(m, RTA_DST, (int)ipaddr_len(a), a->b) < 0)
		goto out;
	if (nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, route_cb, &kind) < 0 ||
	    nl_send_auto(sk, m) < 0)
		goto out;
	/* an unreachable address comes back as an error: kind stays NONE */
	(void)nl_recvmsgs_default(sk);
out:
	nlmsg_free(m);
	return kind;
}

enum route_kind route_lookup_rtnl(void *ctx, const struct ip_addr *a)
{
	struct nl_sock *sk = nl_socket_alloc();
	enum route_kind kind = ROUTE_NONE;

	(void)ctx;
	if (sk && nl_connect(sk, NETLINK_ROUTE) == 0)
		kind = route_lookup_sk(sk, a);
	nl_socket_free(sk);
	return kind;
}
