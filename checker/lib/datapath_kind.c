/* SPDX-License-Identifier: Apache-2.0 */
/* datapath_kind.c - the names of the data-path probe kinds, apart from the
 * probe itself so that configuration readers need no IPVS or TLS. */
#include "checker/lib/datapath.h"

#include <errno.h>
#include <string.h>

static const char *const kind_names[DATAPATH_KIND_COUNT] = {
	[DATAPATH_TCP] = "tcp",
	[DATAPATH_TLS] = "tls",
	[DATAPATH_HTTP] = "http",
	[DATAPATH_HTTPS] = "https",
};

const char *datapath_kind_name(enum datapath_kind k)
{
	return (unsigned)k < DATAPATH_KIND_COUNT ? kind_names[k] : "unknown";
}

int datapath_kind_parse(const char *s, enum datapath_kind *out)
{
	int k;

	for (k = 0; k < DATAPATH_KIND_COUNT; k++)
		if (!strcmp(s, kind_names[k])) {
			*out = (enum datapath_kind)k;
			return 0;
		}
	return -EINVAL;
}
