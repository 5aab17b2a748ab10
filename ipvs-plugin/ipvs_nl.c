/* SPDX-License-Identifier: Apache-2.0 */
/* ipvs_nl.c - the handle, its netlink transport, and the three ways of
 * talking to the kernel: one request, one dump, a pipelined batch. */
#include "ipvs-plugin/ipvs-int.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Requests per send, and bytes per send: a send must fit the socket's send
 * buffer (we ask 64 KiB, the kernel doubles it; libnl's default 32 KiB made
 * larger sends fail with EMSGSIZE), and the acknowledgements of one batch
 * must fit the receive buffer (RCVBUF below) or the kernel drops them with
 * ENOBUFS. */
#define BATCH_MAX_MSGS 512
#define BATCH_MAX_BYTES (60 * 1024)
#define RCVBUF (8 * 1024 * 1024)
#define POOL 32 /* datagrams per recvmmsg */

struct nl_transport {
	struct nl_sock *sk;
	int fd;
	uint8_t *pool;     /* POOL * IPVS_RECV_MAX */
	struct mmsghdr msgs[POOL];
	struct iovec iov[POOL];
	unsigned have, next;
	size_t stride;     /* slot size of the datagrams now in the pool */
};

static int nl_tp_send(void *ctx, const void *data, size_t len)
{
	struct nl_transport *t = ctx;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n;

	do
		n = sendto(t->fd, data, len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

/* Many small acknowledgements or dump parts arrive at once: recvmmsg takes
 * them in one system call, which matters in User-Mode Linux and on busy
 * directors alike. */
static ssize_t nl_tp_recv(void *ctx, void *buf, size_t cap)
{
	struct nl_transport *t = ctx;
	size_t n;

	if (t->next >= t->have) {
		int r;
		unsigned i;

		/* slots as large as the caller expects (no larger than a dump
		 * skb): small ones share pages */
		t->stride = cap < IPVS_RECV_MAX ? cap : IPVS_RECV_MAX;
		for (i = 0; i < POOL; i++) {
			t->iov[i].iov_base = t->pool + (size_t)i * t->stride;
			t->iov[i].iov_len = t->stride;
			memset(&t->msgs[i], 0, sizeof(t->msgs[i]));
			t->msgs[i].msg_hdr.msg_iov = &t->iov[i];
			t->msgs[i].msg_hdr.msg_iovlen = 1;
		}
		do
			r = recvmmsg(t->fd, t->msgs, POOL, MSG_WAITFORONE, NULL);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return -errno;
		t->have = (unsigned)r;
		t->next = 0;
	}
	n = t->msgs[t->next].msg_len;
	if (t->msgs[t->next].msg_hdr.msg_flags & MSG_TRUNC || n > cap) {
		t->next++;
		return -EMSGSIZE;
	}
	memcpy(buf, t->pool + (size_t)t->next * t->stride, n);
	t->next++;
	return (ssize_t)n;
}

static void nl_tp_close(void *ctx)
{
	struct nl_transport *t = ctx;

	nl_socket_free(t->sk);
	free(t->pool);
	free(t);
}

static const struct ipvs_transport nl_transport_ops = {
	.send = nl_tp_send,
	.recv = nl_tp_recv,
	.close = nl_tp_close,
};

void ipvs_set_err(struct ipvs *h, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(h->errmsg, sizeof(h->errmsg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(h->errmsg) && err)
		snprintf(h->errmsg + n, sizeof(h->errmsg) - (size_t)n, ": %s", strerror(-err));
}

IPVS_API const char *ipvs_errmsg(const struct ipvs *h)
{
	return h ? h->errmsg : "no handle";
}

int ipvs_open_transport(struct ipvs **out, const struct ipvs_transport *tp, void *ctx,
			uint16_t family)
{
	struct ipvs *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->rbuf = malloc(IPVS_RECV_MAX);
	if (!h->rbuf) {
		free(h);
		return -ENOMEM;
	}
	h->tp = tp;
	h->ctx = ctx;
	h->family = family;
	h->seq = 1;
	*out = h;
	return 0;
}

IPVS_API int ipvs_open(struct ipvs **out)
{
	struct nl_transport *t = calloc(1, sizeof(*t));
	int r, one = 1, fam;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->pool = malloc((size_t)POOL * IPVS_RECV_MAX);
	t->sk = nl_socket_alloc();
	if (!t->pool || !t->sk) {
		r = -ENOMEM;
		goto out;
	}
	if (genl_connect(t->sk) < 0) {
		r = -EPROTONOSUPPORT;
		goto out;
	}
	t->fd = nl_socket_get_fd(t->sk);
	/* Resolving the family is the one exchange libnl does for us. */
	fam = genl_ctrl_resolve(t->sk, IPVS_GENL_NAME);
	if (fam < 0) {
		r = -ENOENT;
		goto out;
	}
	/* Root may exceed rmem_max; others get what the system allows. */
	if (nl_socket_set_buffer_size(t->sk, RCVBUF, 64 * 1024) < 0) {
		r = -ENOBUFS;
		goto out;
	}
	if (setsockopt(t->fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ RCVBUF }, sizeof(int)) < 0)
		(void)setsockopt(t->fd, SOL_SOCKET, SO_RCVBUF, &(int){ RCVBUF }, sizeof(int));
	/* Error acknowledgements without a copy of our request. */
	(void)setsockopt(t->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	r = ipvs_open_transport(out, &nl_transport_ops, t, (uint16_t)fam);
	if (r == 0)
		return 0;
out:
	if (t->sk)
		nl_socket_free(t->sk);
	free(t->pool);
	free(t);
	return r;
}

IPVS_API void ipvs_close(struct ipvs *h)
{
	if (!h)
		return;
	if (h->tp && h->tp->close)
		h->tp->close(h->ctx);
	free(h->rbuf);
	free(h);
}

static uint16_t req_flags(uint8_t cmd)
{
	switch (cmd) {
	case IPVS_CMD_NEW_SERVICE:
	case IPVS_CMD_NEW_DEST:
		return NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	default:
		return NLM_F_REQUEST | NLM_F_ACK;
	}
}

static int cmd_full(uint8_t cmd)
{
	return cmd == IPVS_CMD_NEW_SERVICE || cmd == IPVS_CMD_SET_SERVICE ||
	       cmd == IPVS_CMD_NEW_DEST || cmd == IPVS_CMD_SET_DEST;
}

int ipvs_request_batch(struct ipvs *h, struct ipvs_req *reqs, size_t n)
{
	struct buf b;
	size_t i = 0;
	int r = 0;

	buf_init(&b, BATCH_MAX_BYTES);
	while (i < n) {
		uint32_t base = h->seq;
		size_t k = 0, acked = 0;

		buf_reset(&b);
		while (i + k < n && k < BATCH_MAX_MSGS && b.len + 1024 <= BATCH_MAX_BYTES) {
			struct ipvs_req *q = &reqs[i + k];

			q->error = 1; /* not answered yet */
			r = ipvs_msg_build(&b, h->family, base + (uint32_t)k, req_flags(q->cmd), q->cmd,
					   q->s, q->d, cmd_full(q->cmd));
			if (r < 0)
				goto out;
			k++;
		}
		h->seq += (uint32_t)k;
		r = h->tp->send(h->ctx, b.data, b.len);
		if (r < 0)
			goto out;
		while (acked < k) {
			ssize_t got = h->tp->recv(h->ctx, h->rbuf, IPVS_ACK_RECV_MAX);
			struct ipvs_msg_view v;
			size_t off = 0;

			if (got < 0) {
				r = (int)got;
				goto out;
			}
			while ((r = ipvs_msg_next(h->rbuf, (size_t)got, &off, &v)) == 1) {
				uint32_t idx = v.seq - base;

				if (idx >= k || reqs[i + idx].error != 1)
					continue; /* not ours: a stale answer */
				if (v.type == h->family && reqs[i + idx].reply) {
					if (ipvs_msg_parse(v.attrs, v.attrs_len, reqs[i + idx].reply, NULL) == 1)
						reqs[i + idx].got = 1;
					continue;
				}
				if (v.type != NLMSG_ERROR)
					continue;
				reqs[i + idx].error = v.error;
				acked++;
			}
			if (r < 0)
				goto out;
		}
		i += k;
	}
	r = 0;
out:
	buf_free(&b);
	return r;
}

int ipvs_request(struct ipvs *h, uint8_t cmd, const struct ipvs_service *s,
		 const struct ipvs_dest *d)
{
	struct ipvs_req q = { .cmd = cmd, .s = s, .d = d };
	int r = ipvs_request_batch(h, &q, 1);

	return r < 0 ? r : q.error;
}

int ipvs_dump(struct ipvs *h, uint8_t cmd, const struct ipvs_service *s,
	      int (*cb)(const struct ipvs_msg_view *v, void *arg), void *arg)
{
	struct buf b;
	uint32_t seq = h->seq++;
	int r;

	buf_init(&b, 4096);
	r = ipvs_msg_build(&b, h->family, seq, NLM_F_REQUEST | NLM_F_DUMP, cmd, s, NULL, 0);
	if (r == 0)
		r = h->tp->send(h->ctx, b.data, b.len);
	buf_free(&b);
	if (r < 0)
		return r;
	for (;;) {
		ssize_t got = h->tp->recv(h->ctx, h->rbuf, IPVS_RECV_MAX);
		struct ipvs_msg_view v;
		size_t off = 0;

		if (got < 0)
			return (int)got;
		while ((r = ipvs_msg_next(h->rbuf, (size_t)got, &off, &v)) == 1) {
			if (v.seq != seq)
				continue;
			if (v.type == NLMSG_DONE)
				return v.error;
			if (v.type == NLMSG_ERROR)
				return v.error;
			if (v.type == h->family) {
				r = cb(&v, arg);
				if (r < 0) {
					/* drain the rest of this dump before returning */
					int e = r;

					while ((got = h->tp->recv(h->ctx, h->rbuf, IPVS_RECV_MAX)) > 0) {
						off = 0;
						while (ipvs_msg_next(h->rbuf, (size_t)got, &off, &v) == 1)
							if (v.seq == seq && (v.type == NLMSG_DONE ||
									     v.type == NLMSG_ERROR))
								return e;
					}
					return e;
				}
			}
		}
		if (r < 0)
			return r;
	}
}
