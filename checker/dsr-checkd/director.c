/* SPDX-License-Identifier: Apache-2.0 */
/* director.c - see director.h. */
#include "checker/dsr-checkd/director.h"
#include "checker/dsr-checkd/ipvs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent-proto/http_request.h"

struct checkd_director {
	struct checkd_ipvs_snapshot snap;
	int64_t read_ms;              /* -1: never */
	char name[HTTP_DIRECTOR_NAME_MAX];
};

static struct checkd_director *get(struct checkd *d)
{
	struct checkd_director *x = d->director;
	size_t i;

	if (x)
		return x;
	x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->read_ms = -1;
	/* the host name, kept to what the agent's parser takes */
	if (gethostname(x->name, sizeof(x->name) - 1) < 0 || !x->name[0])
		snprintf(x->name, sizeof(x->name), "dsr-checkd");
	for (i = 0; x->name[i]; i++) {
		char c = x->name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-' || c == ':'))
			x->name[i] = '_';
	}
	d->director = x;
	return x;
}

void checkd_director_headers(struct checkd *d, const struct checkd_rs *rs, char *out, size_t n)
{
	struct checkd_director *x;
	size_t o = 0, k, i, j, lines = 0;
	int64_t now = d->loop.now_ms;

	out[0] = '\0';
	if (!d->ipvs || !(x = get(d)))
		return;
	if (x->read_ms < 0 || now - x->read_ms > CHECKD_DIRECTOR_MAX_AGE_MS) {
		checkd_ipvs_snapshot_free(&x->snap);
		checkd_ipvs_snapshot_read(d, &x->snap);
		x->read_ms = now;
	}
	if (!x->snap.ok)
		return;
	for (k = 0; k < rs->n_targets && lines < HTTP_MAX_DIRECTOR_REPORTS; k++) {
		const struct checkd_target *t = &rs->targets[k];

		for (i = 0; i < x->snap.n_svc; i++) {
			const struct checkd_ipvs_svc *v = &x->snap.svc[i];

			if (v->fwmark || !ipaddr_equal(&v->vip, &t->vip))
				continue;
			for (j = 0; j < v->n_dests; j++) {
				const struct checkd_ipvs_dest *de = &v->dests[j];
				char a[IPADDR_STRLEN];
				int w;

				if (!ipaddr_equal(&de->addr, &rs->addr) || (t->port && de->port != t->port))
					continue;
				w = snprintf(out + o, n - o, "DSR-Director: %s; vip=%s; port=%u; weight=%d; active=%u; "
					     "inactive=%u\r\n", x->name, ipaddr_format(&v->vip, a), v->port,
					     de->weight < 0 ? 0 : de->weight > 65535 ? 65535 : de->weight, de->active,
					     de->inactive);
				if (w < 0 || (size_t)w >= n - o) {
					out[o] = '\0';
					return;
				}
				o += (size_t)w;
				lines++;
			}
		}
	}
}

void checkd_director_free(struct checkd *d)
{
	struct checkd_director *x = d->director;

	if (!x)
		return;
	checkd_ipvs_snapshot_free(&x->snap);
	free(x);
	d->director = NULL;
}
