/* SPDX-License-Identifier: Apache-2.0 */
/* fake_kernel.c - see fake_kernel.h. */
#include "tests/unit/ipvs-plugin/fake_kernel.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>

static void enqueue(struct fake_kernel *fk, const void *data, size_t len)
{
	uint8_t *p = malloc(len);

	if (!p)
		abort();
	memcpy(p, data, len);
	fk->q[fk->qtail % 65536] = p;
	fk->qlen[fk->qtail % 65536] = len;
	fk->qtail++;
}

static void ack(struct fake_kernel *fk, uint32_t seq, int error)
{
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} m;

	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = sizeof(m);
	m.h.nlmsg_type = NLMSG_ERROR;
	m.h.nlmsg_seq = seq;
	m.e.error = error;
	enqueue(fk, &m, sizeof(m));
}

static void done(struct fake_kernel *fk, uint32_t seq)
{
	struct {
		struct nlmsghdr h;
		int err;
	} m;

	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = sizeof(m);
	m.h.nlmsg_type = NLMSG_DONE;
	m.h.nlmsg_seq = seq;
	enqueue(fk, &m, sizeof(m));
}

struct fake_svc *fake_find(struct fake_kernel *fk, const struct ipvs_service *key)
{
	size_t i;

	for (i = 0; i < FAKE_SVC_MAX; i++)
		if (fk->svc[i].used && ipvs_service_key_equal(&fk->svc[i].s, key))
			return &fk->svc[i];
	return NULL;
}

static int dest_find(struct fake_svc *v, const struct ipvs_dest *d)
{
	size_t j;

	for (j = 0; j < v->nd; j++)
		if (ipvs_dest_key_equal(&v->d[j], d))
			return (int)j;
	return -1;
}

/* Dump answers in parts of dump_part messages, as the kernel fills skbs. */
static void dump(struct fake_kernel *fk, uint32_t seq, uint8_t cmd, const struct ipvs_service *key)
{
	struct buf b;
	size_t i, j, inpart = 0;
	struct fake_svc *v = NULL;

	if (cmd == IPVS_CMD_GET_DAEMON) {
		/* the kernel sends one message per running daemon */
		if (fk->fail_cmd == IPVS_CMD_GET_DAEMON) {
			ack(fk, seq, fk->fail_errno);
			return;
		}
		buf_init(&b, 4096);
		for (i = 0; i < fk->ndaemons; i++) {
			if (ipvs_sync_msg_build(&b, FAKE_FAMILY, seq, NLM_F_MULTI, &fk->daemons[i]))
				abort();
			enqueue(fk, b.data, b.len);
			buf_reset(&b);
		}
		buf_free(&b);
		done(fk, seq);
		return;
	}
	if (cmd == IPVS_CMD_GET_DEST) {
		v = fake_find(fk, key);
		if (!v) {
			ack(fk, seq, -ESRCH);
			return;
		}
	}
	buf_init(&b, 1 << 20);
	for (i = 0; i < (v ? v->nd : FAKE_SVC_MAX); i++) {
		if (!v && !fk->svc[i].used)
			continue;
		if (v) {
			if (ipvs_msg_build(&b, FAKE_FAMILY, seq, NLM_F_MULTI, IPVS_CMD_NEW_DEST, &v->s, &v->d[i], 1))
				abort();
		} else if (ipvs_msg_build(&b, FAKE_FAMILY, seq, NLM_F_MULTI, IPVS_CMD_NEW_SERVICE,
					  &fk->svc[i].s, NULL, 1)) {
			abort();
		}
		if (++inpart == fk->dump_part) {
			enqueue(fk, b.data, b.len);
			buf_reset(&b);
			inpart = 0;
		}
	}
	if (b.len)
		enqueue(fk, b.data, b.len);
	buf_free(&b);
	(void)j;
	done(fk, seq);
}

static int handle(struct fake_kernel *fk, const struct ipvs_msg_view *m)
{
	struct ipvs_service s;
	struct ipvs_dest d;
	struct fake_svc *v;
	size_t i;
	int has, j;

	if (m->type != FAKE_FAMILY)
		return -EINVAL;
	fk->cmds[m->cmd & 31]++;
	has = ipvs_msg_parse(m->attrs, m->attrs_len, &s, &d);
	if (has < 0)
		return -EINVAL;
	if ((m->flags & NLM_F_DUMP) == NLM_F_DUMP) {
		dump(fk, m->seq, m->cmd, &s);
		return 1;
	}
	if (fk->fail_cmd && m->cmd == fk->fail_cmd)
		return fk->fail_errno;
	v = (has & 1) ? fake_find(fk, &s) : NULL;
	switch (m->cmd) {
	case IPVS_CMD_NEW_SERVICE:
		if (v)
			return -EEXIST;
		for (i = 0; i < FAKE_SVC_MAX && fk->svc[i].used; i++)
			;
		if (i == FAKE_SVC_MAX)
			return -ENOMEM;
		memset(&fk->svc[i], 0, sizeof(fk->svc[i]));
		fk->svc[i].s = s;
		fk->svc[i].used = 1;
		return 0;
	case IPVS_CMD_SET_SERVICE:
		if (!v)
			return -ESRCH;
		v->s = s;
		return 0;
	case IPVS_CMD_DEL_SERVICE:
		if (!v)
			return -ESRCH;
		v->used = 0;
		return 0;
	case IPVS_CMD_GET_SERVICE: {
		struct buf b;

		if (!v)
			return -ESRCH;
		buf_init(&b, 4096);
		if (ipvs_msg_build(&b, FAKE_FAMILY, m->seq, 0, IPVS_CMD_NEW_SERVICE, &v->s, NULL, 1))
			abort();
		enqueue(fk, b.data, b.len);
		buf_free(&b);
		return 0; /* acknowledged too when asked (NLM_F_ACK) */
	}
	case IPVS_CMD_NEW_DEST:
	case IPVS_CMD_SET_DEST:
	case IPVS_CMD_DEL_DEST:
		if (!v)
			return -ESRCH;
		if (!(has & 2))
			return -EINVAL;
		j = dest_find(v, &d);
		if (m->cmd == IPVS_CMD_NEW_DEST) {
			if (j >= 0)
				return -EEXIST;
			if (v->nd == FAKE_DEST_MAX)
				return -ENOMEM;
			v->d[v->nd++] = d;
		} else if (j < 0) {
			return -ENOENT;
		} else if (m->cmd == IPVS_CMD_SET_DEST) {
			v->d[j] = d;
		} else {
			v->d[j] = v->d[--v->nd];
		}
		return 0;
	case IPVS_CMD_FLUSH:
		for (i = 0; i < FAKE_SVC_MAX; i++)
			fk->svc[i].used = 0;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int fk_send(void *ctx, const void *data, size_t len)
{
	struct fake_kernel *fk = ctx;
	struct ipvs_msg_view m;
	size_t off = 0;
	int r;

	fk->sends++;
	while ((r = ipvs_msg_next(data, len, &off, &m)) == 1) {
		int e = handle(fk, &m);

		if (e <= 0 && (e < 0 || (m.flags & NLM_F_ACK)))
			ack(fk, m.seq, e);
	}
	return r < 0 ? r : 0;
}

static ssize_t fk_recv(void *ctx, void *buf, size_t cap)
{
	struct fake_kernel *fk = ctx;
	size_t n;
	uint8_t *p;

	if (fk->qhead == fk->qtail)
		return -EAGAIN; /* the real socket would block forever */
	p = fk->q[fk->qhead % 65536];
	n = fk->qlen[fk->qhead % 65536];
	fk->qhead++;
	if (n > cap) {
		free(p);
		return -EMSGSIZE;
	}
	memcpy(buf, p, n);
	free(p);
	return (ssize_t)n;
}

static void fk_close(void *ctx)
{
	struct fake_kernel *fk = ctx;

	while (fk->qhead != fk->qtail)
		free(fk->q[fk->qhead++ % 65536]);
	free(fk);
}

const struct ipvs_transport fake_transport = {
	.send = fk_send,
	.recv = fk_recv,
	.close = fk_close,
};

struct ipvs *fake_open(struct fake_kernel **out)
{
	struct fake_kernel *fk = calloc(1, sizeof(*fk));
	struct ipvs *h;

	if (!fk)
		abort();
	fk->dump_part = 3;
	if (ipvs_open_transport(&h, &fake_transport, fk, FAKE_FAMILY) < 0)
		abort();
	*out = fk;
	return h;
}

void fake_close(struct ipvs *h, struct fake_kernel *fk)
{
	(void)fk;
	ipvs_close(h); /* closes the transport, which frees fk */
}

size_t fake_service_count(const struct fake_kernel *fk)
{
	size_t i, n = 0;

	for (i = 0; i < FAKE_SVC_MAX; i++)
		n += fk->svc[i].used != 0;
	return n;
}

unsigned fake_modifying_requests(const struct fake_kernel *fk)
{
	return fk->cmds[IPVS_CMD_NEW_SERVICE] + fk->cmds[IPVS_CMD_SET_SERVICE] +
	       fk->cmds[IPVS_CMD_DEL_SERVICE] + fk->cmds[IPVS_CMD_NEW_DEST] +
	       fk->cmds[IPVS_CMD_SET_DEST] + fk->cmds[IPVS_CMD_DEL_DEST] + fk->cmds[IPVS_CMD_FLUSH];
}
