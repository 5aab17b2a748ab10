/* SPDX-License-Identifier: Apache-2.0 */
/* fake_kernel.h - an in-memory IPVS behind the library's transport seam.
 * It parses our requests with the library's own parser, keeps services and
 * destinations, and answers as the kernel does (acks with the kernel's
 * errno values, dumps in several parts). */
#ifndef DSRKIT_TEST_FAKE_KERNEL_H
#define DSRKIT_TEST_FAKE_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "ipvs-plugin/ipvs-int.h"

#define FAKE_SVC_MAX 4096
#define FAKE_DEST_MAX 16
#define FAKE_FAMILY 0x42

struct fake_svc {
	struct ipvs_service s;
	struct ipvs_dest d[FAKE_DEST_MAX];
	size_t nd;
	int used;
};

struct fake_kernel {
	struct fake_svc svc[FAKE_SVC_MAX];
	/* answers waiting to be received: one datagram each */
	uint8_t *q[65536];
	size_t qlen[65536];
	size_t qhead, qtail;
	/* what we were sent */
	unsigned sends;                 /* send() calls */
	unsigned cmds[32];              /* requests per IPVS command */
	int fail_cmd, fail_errno;       /* make every request of one command fail */
	size_t dump_part;               /* messages per dump datagram */
	/* running sync daemons, answered to IPVS_CMD_GET_DAEMON */
	struct ipvs_sync_daemon daemons[2];
	size_t ndaemons;
};

extern const struct ipvs_transport fake_transport;

/* A handle over a fresh fake kernel; free both with fake_close. */
struct ipvs *fake_open(struct fake_kernel **fk);
void fake_close(struct ipvs *h, struct fake_kernel *fk);

/* Services and destinations the fake holds. */
size_t fake_service_count(const struct fake_kernel *fk);
struct fake_svc *fake_find(struct fake_kernel *fk, const struct ipvs_service *key);
unsigned fake_modifying_requests(const struct fake_kernel *fk);

#endif
