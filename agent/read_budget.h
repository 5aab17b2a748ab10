/* SPDX-License-Identifier: Apache-2.0 */
/* read_budget.h - the share of a core the agent's watcher may spend
 * re-reading the facts (Linux: status_server.c, Windows: win32_watch.c).
 *
 * Each kind of read has a budget of reading time that fills at a fixed
 * share of the wall clock, 1/(gap + 1), up to a burst of READ_BURST_US, and
 * a read spends what it cost (CPU time where the platform can tell):
 * - a signalled change (an address or link event, the state file) reads
 *   everything at once while its budget lasts: a fifth of a core
 *   (READ_GAP_EVENT), so a change after a quiet spell is read at once and
 *   a storm of events is held to that share;
 * - the safety-net tick reads everything when READ_GAP_TICK x the last
 *   whole read's cost has passed (a twentieth), and at most once every
 *   READ_WHOLE_MIN_US (a second: what sends no event and is not an ARP
 *   sysctl, the listeners, is seen within it, as when the agent read its
 *   facts on request); between those (Linux) each tick re-reads only
 *   arp_ignore, which is bounded work (17 files at most, from open
 *   descriptors) and has no budget: a budget in CPU time can be
 *   fooled by a host's stall charged to the thread, and then hide an ARP
 *   change for a second.
 * A server with a few interfaces reads in a few ms even under User-Mode
 * Linux, so all of it acts at once; one with 300 interfaces and 1,000
 * listeners no longer spends its whole core re-reading every 50 ms and
 * starves its own checkers (issue 16, finding 4).  The burst keeps one
 * slow read from pushing the next one out by 20 times its cost.  Portable
 * C, no OS header. */
#ifndef DSRKIT_AGENT_READ_BUDGET_H
#define DSRKIT_AGENT_READ_BUDGET_H

#include <stdint.h>

#define READ_GAP_EVENT 4
#define READ_GAP_TICK 20
#define READ_BURST_US 100000
#define READ_WHOLE_MIN_US 1000000

struct read_budget {
	int64_t credit_us;          /* negative: spent ahead, wait */
	uint64_t at_us;             /* when credit_us was brought up to date */
};

/* A full budget at now_us. */
void read_budget_start(struct read_budget *b, uint64_t now_us);

/* Bring b's credit up to t_us at the share 1/(gap + 1); returns it (a read
 * may go ahead when it is not negative). */
int64_t read_budget_credit(struct read_budget *b, uint64_t t_us, unsigned gap);

/* A read that cost cost_us. */
void read_budget_spend(struct read_budget *b, uint64_t cost_us);

/* When b, spent below zero, is whole again (its last update when it is). */
uint64_t read_budget_due(const struct read_budget *b, unsigned gap);

#endif
