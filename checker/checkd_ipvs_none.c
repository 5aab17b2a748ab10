/* checkd_ipvs_none.c - dsr-checkd built without libdsrkit-ipvs: no counters,
 * no standalone mode.  See checkd_ipvs.h. */
#include "checker/checkd_ipvs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int checkd_ipvs_open(struct checkd *d, char *err, size_t errlen)
{
	(void)d;
	snprintf(err, errlen, "built without libdsrkit-ipvs");
	return -ENOTSUP;
}

void checkd_ipvs_close(struct checkd *d)
{
	(void)d;
}

void checkd_ipvs_snapshot_read(struct checkd *d, struct checkd_ipvs_snapshot *s)
{
	(void)d;
	memset(s, 0, sizeof(*s));
	snprintf(s->err, sizeof(s->err), "built without libdsrkit-ipvs");
}

void checkd_ipvs_snapshot_free(struct checkd_ipvs_snapshot *s)
{
	(void)s;
}

void checkd_ipvs_mark_dirty(struct checkd *d)
{
	(void)d;
}

int checkd_ipvs_apply(struct checkd *d)
{
	(void)d;
	return -ENOTSUP;
}
