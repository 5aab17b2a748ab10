/* SPDX-License-Identifier: Apache-2.0 */
/* read_budget.c - see read_budget.h. */
#include "agent/read_budget.h"

void read_budget_start(struct read_budget *b, uint64_t now_us)
{
	b->credit_us = READ_BURST_US;
	b->at_us = now_us;
}

int64_t read_budget_credit(struct read_budget *b, uint64_t t_us, unsigned gap)
{
	if (t_us > b->at_us) {
		uint64_t add = (t_us - b->at_us) / (gap + 1u);

		b->credit_us = add >= (uint64_t)READ_BURST_US || b->credit_us + (int64_t)add > READ_BURST_US
				       ? READ_BURST_US
				       : b->credit_us + (int64_t)add;
		b->at_us = t_us;
	}
	return b->credit_us;
}

void read_budget_spend(struct read_budget *b, uint64_t cost_us)
{
	b->credit_us -= cost_us > (uint64_t)INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)cost_us;
}

uint64_t read_budget_due(const struct read_budget *b, unsigned gap)
{
	return b->credit_us >= 0 ? b->at_us : b->at_us + (uint64_t)(-b->credit_us) * (gap + 1u);
}
