/* SPDX-License-Identifier: Apache-2.0 */
/* track.c - a removed target's track file; see track.h. */
#include "checker/dsr-checkd/track.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "checker/dsr-checkd/conf.h"

int checkd_track_forget(const char *dir, const struct checkd_rs *rs, const struct checkd_target *t)
{
	char path[CHECKD_CONF_PATH_MAX + 128], vip[IPADDR_STRLEN];

	if (!dir[0] || t->published_state < 0)
		return 0;
	/* the name checkd_track_write gives it */
	if (snprintf(path, sizeof(path), "%s/%s_%s_%u", dir, rs->name, ipaddr_format(&t->vip, vip), t->port) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}
