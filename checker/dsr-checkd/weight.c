/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_weight.c - the weight policy of standalone mode; see checkd_ipvs.h.
 * Kept apart from the netlink code so it builds (and is tested) without it. */
#include "checker/dsr-checkd/ipvs.h"

int checkd_dest_weight(uint32_t configured, const struct checkd_rs *rs, const struct checkd_target *t,
		       int kernel_weight)
{
	uint64_t w;

	if (!t)
		return (int)configured;  /* not checked (fwmark service): as configured */
	if (t->failsafe_held && t->sm.state != CHECK_STATE_UP)
		goto up;  /* the fail-safe holds it (failsafe.h): its healthy weight */
	switch (t->sm.state) {
	case CHECK_STATE_INIT:
		return kernel_weight >= 0 ? kernel_weight : 0;
	case CHECK_STATE_DOWN:
	case CHECK_STATE_COUNT:
		return 0;
	case CHECK_STATE_UP:
		break;
	}
up:
	if (rs->admin == ADMIN_STATE_DRAIN)
		return 0;
	if (rs->weight_hint < 0)
		return (int)configured;
	w = ((uint64_t)configured * (uint64_t)rs->weight_hint + 50) / 100;
	if (w == 0 && configured > 0 && rs->weight_hint > 0)
		w = 1;  /* a small hint still takes some traffic */
	return (int)w;
}
