/* SPDX-License-Identifier: Apache-2.0 */
/* ipvs_apply.c - declarative apply: compare a desired table with the
 * kernel, plan only the difference, send it pipelined. */
#include "ipvs-plugin/ipvs-int.h"

#include <errno.h>
#include <linux/ip_vs.h>
#include <stdlib.h>
#include <string.h>

struct ipvs_plan {
	struct ipvs_op *ops;
	size_t n, cap;
	size_t reads;
	size_t failed;
};

static int plan_push(struct ipvs_plan *p, enum ipvs_op_kind kind, const struct ipvs_service *s,
		     const struct ipvs_dest *d)
{
	struct ipvs_op *op;

	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 64;
		struct ipvs_op *no = realloc(p->ops, nc * sizeof(*no));

		if (!no)
			return -ENOMEM;
		p->ops = no;
		p->cap = nc;
	}
	op = &p->ops[p->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->svc = *s;
	memset(&op->svc.stats, 0, sizeof(op->svc.stats));
	if (d)
		op->dest = *d;
	return 0;
}

/* Same service definition in two tables: attributes and destinations. */
static int service_same(const struct ipvs_table *a, size_t ia, const struct ipvs_table *b, size_t ib)
{
	size_t j, n = ipvs_table_dest_count(a, ia);

	if (!ipvs_service_attrs_equal(ipvs_table_service(a, ia), ipvs_table_service(b, ib)) ||
	    n != ipvs_table_dest_count(b, ib))
		return 0;
	for (j = 0; j < n; j++) {
		const struct ipvs_dest *d = ipvs_table_dest(a, ia, j);
		int k = ipvs_table_dest_find(b, ib, d);

		if (k < 0 || !ipvs_dest_attrs_equal(d, ipvs_table_dest(b, ib, (size_t)k)))
			return 0;
	}
	return 1;
}

static int plan_dests(struct ipvs_plan *p, const struct ipvs_table *want, size_t iw,
		      const struct ipvs_table *have, size_t ih)
{
	const struct ipvs_service *s = ipvs_table_service(want, iw);
	size_t j;
	int r;

	for (j = 0; j < ipvs_table_dest_count(have, ih); j++) {
		const struct ipvs_dest *d = ipvs_table_dest(have, ih, j);

		if (ipvs_table_dest_find(want, iw, d) < 0 &&
		    (r = plan_push(p, IPVS_OP_DEST_DEL, s, d)) < 0)
			return r;
	}
	for (j = 0; j < ipvs_table_dest_count(want, iw); j++) {
		const struct ipvs_dest *d = ipvs_table_dest(want, iw, j);
		int k = ipvs_table_dest_find(have, ih, d);

		if (k < 0)
			r = plan_push(p, IPVS_OP_DEST_ADD, s, d);
		else if (!ipvs_dest_attrs_equal(d, ipvs_table_dest(have, ih, (size_t)k)))
			r = plan_push(p, IPVS_OP_DEST_EDIT, s, d);
		else
			r = 0;
		if (r < 0)
			return r;
	}
	return 0;
}

/* The kernel's view of just the services of `desired`: GET_SERVICE for
 * each, pipelined; "no such service" means absent. */
static int read_given(struct ipvs *h, const struct ipvs_table *desired, const struct ipvs_table *also,
		      struct ipvs_table **out, size_t *reads)
{
	size_t i, nd = ipvs_table_service_count(desired), n = nd + (also ? ipvs_table_service_count(also) : 0);
	struct ipvs_req *reqs = calloc(n ? n : 1, sizeof(*reqs));
	struct ipvs_service *got = calloc(n ? n : 1, sizeof(*got));
	struct ipvs_table *t = ipvs_table_new();
	int r;

	if (!reqs || !got || !t) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		reqs[i].cmd = IPVS_CMD_GET_SERVICE;
		reqs[i].s = i < nd ? ipvs_table_service(desired, i) : ipvs_table_service(also, i - nd);
		reqs[i].reply = &got[i];
	}
	r = ipvs_request_batch(h, reqs, n);
	*reads += n;
	if (r < 0) {
		ipvs_set_err(h, r, "ipvs: get services");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (reqs[i].error == -ESRCH || reqs[i].error == -ENOENT)
			continue;
		if (reqs[i].error < 0 || !reqs[i].got) {
			char what[96];

			r = reqs[i].error < 0 ? reqs[i].error : -EPROTO;
			ipvs_set_err(h, r, "ipvs: get service %s",
				     ipvs_service_format(reqs[i].s, what, sizeof(what)));
			goto out;
		}
		if ((r = ipvs_table_service_add(t, &got[i])) < 0 && r != -EEXIST)
			goto out;
	}
	*out = t;
	t = NULL;
	r = 0;
out:
	ipvs_table_free(t);
	free(reqs);
	free(got);
	return r;
}

IPVS_API int ipvs_plan_make(struct ipvs *h, const struct ipvs_table *desired,
			    const struct ipvs_table *previous, unsigned flags, struct ipvs_plan **out)
{
	struct ipvs_plan *p = calloc(1, sizeof(*p));
	struct ipvs_table *kern = NULL;
	size_t i, j;
	int r;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	if (flags & IPVS_PLAN_GIVEN_ONLY) {
		if (!(flags & IPVS_PLAN_DELETE_PREVIOUS))
			previous = NULL;
		r = read_given(h, desired, previous, &kern, &p->reads);
	} else {
		r = ipvs_service_dump(h, &kern);
		p->reads++;
	}
	if (r < 0)
		goto out;
	/* Services we put there before and that are no longer wanted. */
	for (i = 0; previous && i < ipvs_table_service_count(previous); i++) {
		const struct ipvs_service *s = ipvs_table_service(previous, i);

		if (ipvs_table_service_find(desired, s) < 0 && ipvs_table_service_find(kern, s) >= 0 &&
		    (r = plan_push(p, IPVS_OP_SERVICE_DEL, s, NULL)) < 0)
			goto out;
	}
	for (i = 0; i < ipvs_table_service_count(desired); i++) {
		const struct ipvs_service *s = ipvs_table_service(desired, i);
		int k = ipvs_table_service_find(kern, s), pi;

		if (k < 0) {
			if ((r = plan_push(p, IPVS_OP_SERVICE_ADD, s, NULL)) < 0)
				goto out;
			for (j = 0; j < ipvs_table_dest_count(desired, i); j++)
				if ((r = plan_push(p, IPVS_OP_DEST_ADD, s, ipvs_table_dest(desired, i, j))) < 0)
					goto out;
			continue;
		}
		if (!ipvs_service_attrs_equal(s, ipvs_table_service(kern, (size_t)k))) {
			if ((r = plan_push(p, IPVS_OP_SERVICE_EDIT, s, NULL)) < 0)
				goto out;
		} else if (previous && !(flags & IPVS_PLAN_FULL) &&
			   (pi = ipvs_table_service_find(previous, s)) >= 0 &&
			   service_same(desired, i, previous, (size_t)pi)) {
			continue; /* unchanged since we applied it: trust it */
		}
		r = ipvs_dest_dump(h, kern, (size_t)k);
		p->reads++;
		if (r < 0)
			goto out;
		if ((r = plan_dests(p, desired, i, kern, (size_t)k)) < 0)
			goto out;
	}
	*out = p;
	p = NULL;
	r = 0;
out:
	ipvs_table_free(kern);
	ipvs_plan_free(p);
	return r;
}

IPVS_API size_t ipvs_plan_count(const struct ipvs_plan *p)
{
	return p ? p->n : 0;
}

IPVS_API const struct ipvs_op *ipvs_plan_op(const struct ipvs_plan *p, size_t i)
{
	return p && i < p->n ? &p->ops[i] : NULL;
}

IPVS_API size_t ipvs_plan_reads(const struct ipvs_plan *p)
{
	return p ? p->reads : 0;
}

IPVS_API size_t ipvs_plan_failed(const struct ipvs_plan *p)
{
	return p ? p->failed : 0;
}

IPVS_API void ipvs_plan_free(struct ipvs_plan *p)
{
	if (!p)
		return;
	free(p->ops);
	free(p);
}

static const uint8_t op_cmd[IPVS_OP_COUNT] = {
	[IPVS_OP_SERVICE_ADD] = IPVS_CMD_NEW_SERVICE,
	[IPVS_OP_SERVICE_EDIT] = IPVS_CMD_SET_SERVICE,
	[IPVS_OP_SERVICE_DEL] = IPVS_CMD_DEL_SERVICE,
	[IPVS_OP_DEST_ADD] = IPVS_CMD_NEW_DEST,
	[IPVS_OP_DEST_EDIT] = IPVS_CMD_SET_DEST,
	[IPVS_OP_DEST_DEL] = IPVS_CMD_DEL_DEST,
};

IPVS_API int ipvs_plan_execute(struct ipvs *h, struct ipvs_plan *p)
{
	struct ipvs_req *reqs;
	size_t i;
	int r;

	h->errmsg[0] = '\0';
	p->failed = 0;
	if (p->n == 0)
		return 0;
	reqs = calloc(p->n, sizeof(*reqs));
	if (!reqs)
		return -ENOMEM;
	for (i = 0; i < p->n; i++) {
		reqs[i].cmd = op_cmd[p->ops[i].kind];
		reqs[i].s = &p->ops[i].svc;
		reqs[i].d = p->ops[i].kind >= IPVS_OP_DEST_ADD ? &p->ops[i].dest : NULL;
	}
	r = ipvs_request_batch(h, reqs, p->n);
	if (r < 0) {
		ipvs_set_err(h, r, "ipvs: apply");
		goto out;
	}
	for (i = 0; i < p->n; i++) {
		struct ipvs_op *op = &p->ops[i];
		int e = reqs[i].error;
		int is_add = op->kind == IPVS_OP_SERVICE_ADD || op->kind == IPVS_OP_DEST_ADD;
		int is_del = op->kind == IPVS_OP_SERVICE_DEL || op->kind == IPVS_OP_DEST_DEL;

		/* Someone else got there first: the state we want holds. */
		if ((is_add && e == -EEXIST) || (is_del && (e == -ENOENT || e == -ESRCH))) {
			op->raced = 1;
			e = 0;
		}
		op->error = e;
		if (e < 0 && p->failed++ == 0) {
			char what[192];

			ipvs_set_err(h, e, "ipvs: %s", ipvs_op_format(op, what, sizeof(what)));
		}
	}
	r = p->failed ? -EIO : 0;
out:
	free(reqs);
	return r;
}
