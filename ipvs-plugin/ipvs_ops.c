/* SPDX-License-Identifier: Apache-2.0 */
/* ipvs_ops.c - one operation at a time (add, edit, delete, get), dumps into
 * tables, and the text forms used in error messages. */
#include "ipvs-plugin/ipvs-int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>

static const char *proto_name(uint16_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "TCP";
	case IPPROTO_UDP: return "UDP";
	case IPPROTO_SCTP: return "SCTP";
	default: return "proto?";
	}
}

static void addr_port(int af, const union ipvs_addr *a, uint16_t port, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(af == AF_INET6 ? AF_INET6 : AF_INET, a, ip, sizeof(ip));
	if (af == AF_INET6)
		snprintf(out, n, "[%s]:%u", ip, port);
	else
		snprintf(out, n, "%s:%u", ip, port);
}

IPVS_API char *ipvs_service_format(const struct ipvs_service *s, char *out, size_t n)
{
	char ap[INET6_ADDRSTRLEN + 8];

	if (s->fwmark) {
		snprintf(out, n, "FWM %u %s", s->fwmark, s->af == AF_INET6 ? "IPv6" : "IPv4");
		return out;
	}
	addr_port(s->af, &s->addr, s->port, ap, sizeof(ap));
	snprintf(out, n, "%s %s", proto_name(s->protocol), ap);
	return out;
}

IPVS_API char *ipvs_dest_format(const struct ipvs_service *s, const struct ipvs_dest *d, char *out,
				size_t n)
{
	addr_port(d->af ? d->af : s->af, &d->addr, d->port, out, n);
	return out;
}

static const char *const op_names[IPVS_OP_COUNT] = {
	[IPVS_OP_SERVICE_ADD] = "add service",
	[IPVS_OP_SERVICE_EDIT] = "edit service",
	[IPVS_OP_SERVICE_DEL] = "delete service",
	[IPVS_OP_DEST_ADD] = "add dest",
	[IPVS_OP_DEST_EDIT] = "edit dest",
	[IPVS_OP_DEST_DEL] = "delete dest",
};

IPVS_API const char *ipvs_op_kind_name(enum ipvs_op_kind k)
{
	return (unsigned)k < IPVS_OP_COUNT ? op_names[k] : "?";
}

IPVS_API char *ipvs_op_format(const struct ipvs_op *op, char *out, size_t n)
{
	char sv[96], dv[64];

	ipvs_service_format(&op->svc, sv, sizeof(sv));
	if (op->kind >= IPVS_OP_DEST_ADD) {
		ipvs_dest_format(&op->svc, &op->dest, dv, sizeof(dv));
		snprintf(out, n, "%s %s %s %s", op_names[op->kind], dv,
			 op->kind == IPVS_OP_DEST_DEL ? "from" : op->kind == IPVS_OP_DEST_ADD ? "to" : "of",
			 sv);
	} else {
		snprintf(out, n, "%s %s", ipvs_op_kind_name(op->kind), sv);
	}
	return out;
}

IPVS_API const char *ipvs_fwd_name(enum ipvs_fwd f)
{
	static const char *const names[IPVS_FWD_COUNT] = {
		[IPVS_FWD_DR] = "DR", [IPVS_FWD_TUN] = "TUN", [IPVS_FWD_NAT] = "NAT",
		[IPVS_FWD_LOCAL] = "LOCAL",
	};

	return (unsigned)f < IPVS_FWD_COUNT ? names[f] : "?";
}

static int one_op(struct ipvs *h, enum ipvs_op_kind kind, uint8_t cmd, const struct ipvs_service *s,
		  const struct ipvs_dest *d)
{
	struct ipvs_op op = { .kind = kind, .svc = *s };
	char what[192];
	int r;

	if (d)
		op.dest = *d;
	r = ipvs_request(h, cmd, s, d);
	if (r < 0)
		ipvs_set_err(h, r, "ipvs: %s", ipvs_op_format(&op, what, sizeof(what)));
	else
		h->errmsg[0] = '\0';
	return r;
}

IPVS_API int ipvs_service_add(struct ipvs *h, const struct ipvs_service *s)
{
	return one_op(h, IPVS_OP_SERVICE_ADD, IPVS_CMD_NEW_SERVICE, s, NULL);
}

IPVS_API int ipvs_service_edit(struct ipvs *h, const struct ipvs_service *s)
{
	return one_op(h, IPVS_OP_SERVICE_EDIT, IPVS_CMD_SET_SERVICE, s, NULL);
}

IPVS_API int ipvs_service_del(struct ipvs *h, const struct ipvs_service *s)
{
	return one_op(h, IPVS_OP_SERVICE_DEL, IPVS_CMD_DEL_SERVICE, s, NULL);
}

IPVS_API int ipvs_dest_add(struct ipvs *h, const struct ipvs_service *s, const struct ipvs_dest *d)
{
	return one_op(h, IPVS_OP_DEST_ADD, IPVS_CMD_NEW_DEST, s, d);
}

IPVS_API int ipvs_dest_edit(struct ipvs *h, const struct ipvs_service *s, const struct ipvs_dest *d)
{
	return one_op(h, IPVS_OP_DEST_EDIT, IPVS_CMD_SET_DEST, s, d);
}

IPVS_API int ipvs_dest_del(struct ipvs *h, const struct ipvs_service *s, const struct ipvs_dest *d)
{
	return one_op(h, IPVS_OP_DEST_DEL, IPVS_CMD_DEL_DEST, s, d);
}

IPVS_API int ipvs_flush(struct ipvs *h)
{
	int r = ipvs_request(h, IPVS_CMD_FLUSH, NULL, NULL);

	if (r < 0)
		ipvs_set_err(h, r, "ipvs: flush");
	return r;
}

struct get_ctx {
	struct ipvs_service *out;
	int found;
};

static int get_cb(const struct ipvs_msg_view *v, void *arg)
{
	struct get_ctx *g = arg;
	int r = ipvs_msg_parse(v->attrs, v->attrs_len, g->out, NULL);

	if (r < 0)
		return r;
	g->found = r & 1;
	return 0;
}

/* GET_SERVICE with a key is answered by a single message; libnl-style
 * request/response without the dump flag. */
IPVS_API int ipvs_service_get(struct ipvs *h, const struct ipvs_service *key,
			      struct ipvs_service *out)
{
	struct buf b;
	struct get_ctx g = { .out = out };
	uint32_t seq = h->seq++;
	char what[96];
	int r;

	buf_init(&b, 4096);
	r = ipvs_msg_build(&b, h->family, seq, NLM_F_REQUEST, IPVS_CMD_GET_SERVICE, key, NULL, 0);
	if (r == 0)
		r = h->tp->send(h->ctx, b.data, b.len);
	buf_free(&b);
	while (r == 0) {
		ssize_t got = h->tp->recv(h->ctx, h->rbuf, IPVS_RECV_MAX);
		struct ipvs_msg_view v;
		size_t off = 0;

		if (got < 0) {
			r = (int)got;
			break;
		}
		while ((r = ipvs_msg_next(h->rbuf, (size_t)got, &off, &v)) == 1) {
			if (v.seq != seq)
				continue;
			if (v.type == NLMSG_ERROR) {
				/* an acknowledgement (we ask for none) carries no
				 * service: success there would leave *out unset */
				r = v.error ? v.error : -EPROTO;
				goto out;
			}
			if (v.type == h->family) {
				r = get_cb(&v, &g);
				if (r == 0 && !g.found)
					r = -EINVAL;
				goto out;
			}
		}
	}
out:
	if (r < 0)
		ipvs_set_err(h, r, "ipvs: get service %s", ipvs_service_format(key, what, sizeof(what)));
	return r;
}

struct walk_ctx {
	int (*fn)(const struct ipvs_service *s, void *arg);
	void *arg;
};

static int svc_walk_cb(const struct ipvs_msg_view *v, void *arg)
{
	struct walk_ctx *c = arg;
	struct ipvs_service s;
	int r = ipvs_msg_parse(v->attrs, v->attrs_len, &s, NULL);

	if (r < 0)
		return r;
	return r & 1 ? c->fn(&s, c->arg) : 0;
}

IPVS_API int ipvs_service_walk(struct ipvs *h, int (*fn)(const struct ipvs_service *s, void *arg), void *arg)
{
	struct walk_ctx c = { .fn = fn, .arg = arg };
	int r = ipvs_dump(h, IPVS_CMD_GET_SERVICE, NULL, svc_walk_cb, &c);

	if (r < 0)
		ipvs_set_err(h, r, "ipvs: dump services");
	return r;
}

/* ipvs_service_dump's walk: each service into the table (a duplicate,
 * seen twice across the dump's restarts, once) */
static int svc_add_cb(const struct ipvs_service *s, void *arg)
{
	int r = ipvs_table_service_add(arg, s);

	return r == -EEXIST ? 0 : r < 0 ? r : 0;
}

IPVS_API int ipvs_service_dump(struct ipvs *h, struct ipvs_table **out)
{
	struct ipvs_table *t = ipvs_table_new();
	int r;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	r = ipvs_service_walk(h, svc_add_cb, t); /* sets the error text */
	if (r < 0) {
		ipvs_table_free(t);
		return r;
	}
	*out = t;
	return 0;
}

struct dest_ctx {
	struct ipvs_table *t;
	size_t i;
};

static int dest_dump_cb(const struct ipvs_msg_view *v, void *arg)
{
	struct dest_ctx *c = arg;
	struct ipvs_dest d;
	int r = ipvs_msg_parse(v->attrs, v->attrs_len, NULL, &d);

	if (r < 0)
		return r;
	if (!(r & 2))
		return 0;
	r = ipvs_table_dest_add(c->t, c->i, &d);
	return r == -EEXIST ? 0 : r;
}

IPVS_API int ipvs_dest_dump(struct ipvs *h, struct ipvs_table *t, size_t svc_index)
{
	struct dest_ctx c = { .t = t, .i = svc_index };
	const struct ipvs_service *s = ipvs_table_service(t, svc_index);
	char what[96];
	int r;

	if (!s)
		return -EINVAL;
	r = ipvs_dump(h, IPVS_CMD_GET_DEST, s, dest_dump_cb, &c);
	if (r < 0)
		ipvs_set_err(h, r, "ipvs: dump dests of %s", ipvs_service_format(s, what, sizeof(what)));
	return r;
}

IPVS_API int ipvs_table_read(struct ipvs *h, struct ipvs_table **out)
{
	struct ipvs_table *t;
	size_t i;
	int r = ipvs_service_dump(h, &t);

	*out = NULL;
	if (r < 0)
		return r;
	for (i = 0; i < ipvs_table_service_count(t); i++) {
		r = ipvs_dest_dump(h, t, i);
		/* a service deleted between the two dumps is not an error */
		if (r < 0 && r != -ESRCH && r != -ENOENT) {
			ipvs_table_free(t);
			return r;
		}
	}
	*out = t;
	return 0;
}
