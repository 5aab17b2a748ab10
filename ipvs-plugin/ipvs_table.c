/* SPDX-License-Identifier: Apache-2.0 */
/* ipvs_table.c - a set of services with their destinations, indexed by
 * service key (open addressing) so that diffs of 10,000 services stay
 * linear. */
#include "ipvs-plugin/ipvs-int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct tsvc {
	struct ipvs_service s;
	struct ipvs_dest *d;
	size_t nd, capd;
};

struct ipvs_table {
	struct tsvc *svc;
	size_t n, cap;
	size_t *slot;   /* index + 1; 0 is empty */
	size_t nslot;   /* power of two, > 2 * n */
};

static int addr_equal(int af, const union ipvs_addr *a, const union ipvs_addr *b)
{
	return memcmp(a, b, af == AF_INET6 ? 16 : 4) == 0;
}

int ipvs_service_key_equal(const struct ipvs_service *a, const struct ipvs_service *b)
{
	if (a->af != b->af || a->fwmark != b->fwmark)
		return 0;
	if (a->fwmark)
		return 1;
	return a->protocol == b->protocol && a->port == b->port &&
	       addr_equal(a->af, &a->addr, &b->addr);
}

static uint32_t norm_netmask(const struct ipvs_service *s)
{
	return s->netmask ? s->netmask : (s->af == AF_INET6 ? 128u : 32u);
}

int ipvs_service_attrs_equal(const struct ipvs_service *a, const struct ipvs_service *b)
{
	const char *sa = a->sched[0] ? a->sched : "wlc", *sb = b->sched[0] ? b->sched : "wlc";

	return strcmp(sa, sb) == 0 && (a->flags & IPVS_SVC_F_MASK) == (b->flags & IPVS_SVC_F_MASK) &&
	       a->timeout == b->timeout && norm_netmask(a) == norm_netmask(b) &&
	       strcmp(a->pe, b->pe) == 0;
}

int ipvs_dest_key_equal(const struct ipvs_dest *a, const struct ipvs_dest *b)
{
	/* af 0 means "as the service": compare with the wider length then. */
	int af = a->af == AF_INET6 || b->af == AF_INET6 ? AF_INET6 : AF_INET;

	if (a->af && b->af && a->af != b->af)
		return 0;
	return a->port == b->port && addr_equal(af, &a->addr, &b->addr);
}

int ipvs_dest_attrs_equal(const struct ipvs_dest *a, const struct ipvs_dest *b)
{
	if (a->fwd != b->fwd || a->weight != b->weight || a->u_threshold != b->u_threshold ||
	    a->l_threshold != b->l_threshold)
		return 0;
	if (a->fwd == IPVS_FWD_TUN)
		return a->tun_type == b->tun_type && a->tun_port == b->tun_port &&
		       a->tun_flags == b->tun_flags;
	return 1;
}

uint64_t ipvs_service_key_hash(const struct ipvs_service *s)
{
	uint64_t h = 1469598103934665603ull;
	uint8_t k[24];
	size_t i, n = 0;

	memset(k, 0, sizeof(k));
	k[n++] = (uint8_t)s->af;
	if (s->fwmark) {
		memcpy(k + n, &s->fwmark, 4);
		n += 4;
	} else {
		k[n++] = (uint8_t)s->protocol;
		memcpy(k + n, &s->port, 2);
		n += 2;
		memcpy(k + n, &s->addr, s->af == AF_INET6 ? 16 : 4);
		n += s->af == AF_INET6 ? 16 : 4;
	}
	for (i = 0; i < n; i++) {
		h ^= k[i];
		h *= 1099511628211ull;
	}
	return h;
}

IPVS_API struct ipvs_table *ipvs_table_new(void)
{
	return calloc(1, sizeof(struct ipvs_table));
}

IPVS_API void ipvs_table_free(struct ipvs_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free(t->svc[i].d);
	free(t->svc);
	free(t->slot);
	free(t);
}

static size_t *find_slot(const struct ipvs_table *t, const struct ipvs_service *s)
{
	size_t m = t->nslot - 1, i = (size_t)ipvs_service_key_hash(s) & m;

	for (;;) {
		size_t *p = &t->slot[i];

		if (*p == 0 || ipvs_service_key_equal(&t->svc[*p - 1].s, s))
			return p;
		i = (i + 1) & m;
	}
}

static int rehash(struct ipvs_table *t, size_t nslot)
{
	size_t *old = t->slot, i;

	t->slot = calloc(nslot, sizeof(*t->slot));
	if (!t->slot) {
		t->slot = old;
		return -ENOMEM;
	}
	t->nslot = nslot;
	for (i = 0; i < t->n; i++)
		*find_slot(t, &t->svc[i].s) = i + 1;
	free(old);
	return 0;
}

IPVS_API int ipvs_table_service_find(const struct ipvs_table *t, const struct ipvs_service *s)
{
	size_t *p;

	if (!t || t->nslot == 0)
		return -ENOENT;
	p = find_slot(t, s);
	return *p ? (int)(*p - 1) : -ENOENT;
}

IPVS_API int ipvs_table_service_add(struct ipvs_table *t, const struct ipvs_service *s)
{
	size_t *p;

	if (s->af != AF_INET && s->af != AF_INET6)
		return -EINVAL;
	if (t->n >= 0x7fffffff)
		return -ENOSPC;
	if ((t->n + 1) * 2 >= t->nslot && rehash(t, t->nslot ? t->nslot * 2 : 64) < 0)
		return -ENOMEM;
	p = find_slot(t, s);
	if (*p)
		return -EEXIST;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		struct tsvc *ns = realloc(t->svc, nc * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		t->svc = ns;
		t->cap = nc;
	}
	memset(&t->svc[t->n], 0, sizeof(t->svc[t->n]));
	t->svc[t->n].s = *s;
	*p = ++t->n;
	return (int)(t->n - 1);
}

IPVS_API int ipvs_table_dest_find(const struct ipvs_table *t, size_t svc_index,
				  const struct ipvs_dest *d)
{
	const struct tsvc *v;
	size_t j;

	if (svc_index >= t->n)
		return -ENOENT;
	v = &t->svc[svc_index];
	for (j = 0; j < v->nd; j++)
		if (ipvs_dest_key_equal(&v->d[j], d))
			return (int)j;
	return -ENOENT;
}

IPVS_API int ipvs_table_dest_add(struct ipvs_table *t, size_t svc_index, const struct ipvs_dest *d)
{
	struct tsvc *v;

	if (svc_index >= t->n)
		return -EINVAL;
	v = &t->svc[svc_index];
	if (ipvs_table_dest_find(t, svc_index, d) >= 0)
		return -EEXIST;
	if (v->nd == v->capd) {
		size_t nc = v->capd ? v->capd * 2 : 4;
		struct ipvs_dest *nd = realloc(v->d, nc * sizeof(*nd));

		if (!nd)
			return -ENOMEM;
		v->d = nd;
		v->capd = nc;
	}
	v->d[v->nd] = *d;
	if (!v->d[v->nd].af)
		v->d[v->nd].af = v->s.af;
	v->nd++;
	return 0;
}

IPVS_API size_t ipvs_table_service_count(const struct ipvs_table *t)
{
	return t ? t->n : 0;
}

IPVS_API const struct ipvs_service *ipvs_table_service(const struct ipvs_table *t, size_t i)
{
	return i < t->n ? &t->svc[i].s : NULL;
}

IPVS_API size_t ipvs_table_dest_count(const struct ipvs_table *t, size_t svc_index)
{
	return svc_index < t->n ? t->svc[svc_index].nd : 0;
}

IPVS_API const struct ipvs_dest *ipvs_table_dest(const struct ipvs_table *t, size_t svc_index,
						 size_t j)
{
	if (svc_index >= t->n || j >= t->svc[svc_index].nd)
		return NULL;
	return &t->svc[svc_index].d[j];
}

IPVS_API void ipvs_table_dest_set_weight(struct ipvs_table *t, size_t svc_index, size_t j,
					 int32_t weight)
{
	if (svc_index < t->n && j < t->svc[svc_index].nd)
		t->svc[svc_index].d[j].weight = weight;
}
