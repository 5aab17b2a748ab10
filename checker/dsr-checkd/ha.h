/* SPDX-License-Identifier: Apache-2.0 */
/* ha.h - what dsr-checkd shows of a director pair: the IPVS sync daemons,
 * the size of the connection table, and whether this director holds each
 * VIP it checks now (the VRRP master holds it on an interface). */
#ifndef DSRKIT_CHECKER_CHECKD_HA_H
#define DSRKIT_CHECKER_CHECKD_HA_H

#include "bounded/buf.h"
#include "bounded/ipaddr.h"
#include "checker/dsr-checkd/checkd-t.h"
#include "dsrkit/ipvs.h"

#define CHECKD_HA_VIPS_MAX 64

struct checkd_ha {
	int sync_ok;                         /* the daemons could be read */
	struct ipvs_sync_daemon daemons[2];
	size_t n_daemons;
	int conns_ok;
	uint64_t conns, established;
	struct ip_addr vips[CHECKD_HA_VIPS_MAX];
	int held[CHECKD_HA_VIPS_MAX];
	size_t n_vips;
};

/* Reads all of it now (a netlink dump, /proc/net/ip_vs_conn, the local
 * addresses).  What cannot be read is marked so, never an error. */
void checkd_ha_read(const struct checkd *d, struct checkd_ha *h);

/* Prometheus families appended to out:
 *   dsrkit_ipvs_sync_daemon{role,syncid,interface,group,port}  1 per running daemon
 *   dsrkit_ipvs_sync_daemons_up                               the daemons could be read
 *   dsrkit_ipvs_connection_table_entries{state="all"|"established"}
 *   dsrkit_director_vip_held{vip}                             1: the VIP is on a local interface
 * Returns 0, -ENOSPC or -ENOMEM. */
__attribute__((warn_unused_result))
int checkd_ha_metrics_render(const struct checkd_ha *h, struct buf *out);

/* Adds "ha":{...} to the /status document in out (a JSON object). */
__attribute__((warn_unused_result))
int checkd_ha_status_append(const struct checkd_ha *h, struct buf *out);

#endif
