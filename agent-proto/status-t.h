/* SPDX-License-Identifier: Apache-2.0 */
/* status-t.h - what a /v1/status document carries besides the facts.
 * Portable C. */
#ifndef DSRKIT_AGENT_PROTO_STATUS_T_H
#define DSRKIT_AGENT_PROTO_STATUS_T_H

#include <stdint.h>

#include "bounded/ipaddr.h"

#define STATUS_SCHEMA       "dsrkit-agent-status"
#define STATUS_VERSION      1          /* major: bumped only on incompatible change */
#define STATUS_MAX_TARGETS  32
#define STATUS_DOC_MAX      (1024 * 1024) /* the renderer's and parser's bound (= the checker's body bound) */

/* One VIP (and TCP service port, 0 for none) to evaluate. */
struct status_target {
	struct ip_addr vip;
	uint16_t port;
};

#endif
