/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_metrics.h - dsr-checkd's /metrics (Prometheus text format 0.0.4)
 * and /status (JSON) documents, rendered from the real-server table, the
 * last IPVS snapshot and the daemon's own counters.  Pure: the caller passes
 * the time, so tests render with a fake clock.
 *
 * Metric families (label names of the IPVS ones follow node_exporter's
 * ipvs collector: local_address, local_port, local_mark, proto,
 * remote_address, remote_port):
 *
 *   dsrkit_checkd_real_server_up{real_server,agent_port}          1/0
 *   dsrkit_checkd_target_up{real_server,vip,port}                 1/0
 *   dsrkit_checkd_target_state{real_server,vip,port,state}        1 for the current state
 *   dsrkit_checkd_target_failing{real_server,vip,port,layer,code} 1 per failing finding
 *   dsrkit_checkd_real_server_last_check_age_seconds{...}
 *   dsrkit_checkd_real_server_last_check_duration_seconds{...}
 *   dsrkit_checkd_real_server_weight_hint{...}                    0-100 (absent: none)
 *   dsrkit_checkd_real_server_admin_state{...,state}              1 for up/drain/maint
 *   dsrkit_checkd_real_server_checks_total / _check_failures_total / _tls_handshakes_total
 *     / _tls_resumptions_total
 *   dsrkit_ipvs_service_{connections,incoming_packets,outgoing_packets,incoming_bytes,outgoing_bytes}_total
 *   dsrkit_ipvs_backend_{connections_active,connections_inactive,weight}
 *   dsrkit_ipvs_backend_{connections,incoming_packets,outgoing_packets,incoming_bytes,outgoing_bytes}_total
 *   dsrkit_ipvs_up                                                the last netlink read worked
 *   dsrkit_checkd_{build_info,real_servers,targets,checks_in_flight,loop_lag_seconds,
 *                  config_reloads_total,config_reload_failures_total,config_last_reload_success,
 *                  state_transitions_total,ipvs_applies_total,ipvs_apply_failures_total}
 *   process_{cpu_seconds_total,resident_memory_bytes,start_time_seconds,open_fds}
 */
#ifndef DSRKIT_CHECKER_CHECKD_METRICS_H
#define DSRKIT_CHECKER_CHECKD_METRICS_H

#include "bounded/buf.h"
#include "checker/dsr-checkd/checkd-t.h"

/* The process's own numbers (from /proc; tests pass fixed ones). */
struct checkd_process {
	double cpu_seconds;
	uint64_t rss_bytes;
	uint64_t open_fds;
	int64_t start_unix;
};

/* Fill p from /proc/self.  0 or -errno. */
__attribute__((warn_unused_result))
int checkd_process_read(struct checkd_process *p);

/* Append the Prometheus text to out.  ipvs may be NULL (not read).
 * Returns 0, -ENOSPC or -ENOMEM. */
__attribute__((warn_unused_result))
int checkd_metrics_render(const struct checkd *d, const struct checkd_ipvs_snapshot *ipvs,
			  const struct checkd_process *proc, int64_t now_ms, struct buf *out);

/* Append the /status JSON document to out (every reason spelled out).
 * Returns 0, -ENOSPC or -ENOMEM. */
__attribute__((warn_unused_result))
int checkd_status_render(const struct checkd *d, const struct checkd_ipvs_snapshot *ipvs, int64_t now_ms,
			 struct buf *out);

#endif
