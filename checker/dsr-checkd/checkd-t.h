/* SPDX-License-Identifier: Apache-2.0 */
/* checkd-t.h - the types of dsr-checkd shared by its modules (event loop,
 * real-server table, status server, metrics, daemon socket, IPVS driver). */
#ifndef DSRKIT_CHECKER_CHECKD_T_H
#define DSRKIT_CHECKER_CHECKD_T_H

#include <stddef.h>
#include <stdint.h>

#include "agent-proto/facts-t.h"
#include "bounded/ipaddr.h"
#include "checker/lib/agent_conn.h"
#include "checker/lib/check_sm.h"
#include "checker/dsr-checkd/conf.h"
#include "checker/dsr-checkd/loop.h"
#include "checker/lib/datapath.h"
#include "checker/lib/dsrkit_conf.h"
#include "checker/lib/judge.h"

struct checkd;
struct checkd_dp_target;
struct checkd_dp;
struct checkd_arp;

/* Check durations a real server keeps for the status page's sparkline. */
#define CHECKD_RS_DUR_HIST 30

/* One VIP and service port a real server carries: judged from the real
 * server's one status document per interval, with its own rise/fall. */
struct checkd_target {
	struct ip_addr vip;
	uint16_t port;            /* the service port on the real server (0: none) */
	struct check_sm sm;
	struct judgement j;       /* the latest judgement (j.verdict = sm.last) */
	int seen;                 /* reload: still in the configuration */
	int published_state;      /* state last written to a track file (-1: none) */
	int published_key;        /* state, admin and hint last given to IPVS (-1: none) */
	struct checkd_dp_target *dp;  /* the data-path probe (data_path on), or NULL */
	int failsafe_held;        /* the fail-safe keeps its healthy weight (failsafe.h) */
};

/* One real server, identified by its address and agent port: one agent
 * connection, one fetch per interval, shared by all its targets. */
struct checkd_rs {
	struct checkd *d;
	struct ip_addr addr;
	uint16_t agent_port;
	char name[IPADDR_STRLEN]; /* the address as text */
	struct checkd_target *targets;
	size_t n_targets;
	struct agent_conn conn;
	unsigned seen_connects;   /* conn.connects when io was registered */
	struct loop_io io;
	struct loop_timer timer;
	int probing;
	int64_t probe_started_ms;
	int64_t last_done_ms;     /* -1: never */
	uint32_t last_duration_ms;
	uint32_t dur_hist[CHECKD_RS_DUR_HIST];  /* ring of recent durations (page.c) */
	unsigned dur_n;           /* durations ever recorded; the ring holds the last ones */
	enum admin_state admin;   /* from the last document */
	int weight_hint;          /* FACTS_UNKNOWN: none */
	uint64_t n_fetches, n_fetch_failures;
	struct verdict fetch;     /* the last fetch's own result (transport/protocol) */
	int seen;                 /* reload: still in the configuration */
	/* the last document judged: an identical one (the steady state) is not
	 * parsed and judged again, its targets' judgements stand */
	char *doc;
	size_t doc_len;
	int doc_valid;
	uint64_t n_doc_reused;
	int connecting;           /* this probe holds one of the new-connection slots */
	/* data path (checkd_datapath.c): the private fwmark service of this server */
	struct datapath_svc dp_svc;
	int dp_svc_ok;
	struct ip_addr dp_src;    /* the director's address toward this server */
	struct verdict dp_setup;  /* why there is no probe service, if there is none */
	/* long-poll (protocol 1.1): the agent's generation from the last
	 * document (-1: none, an agent of 1.0: polled as before) */
	int64_t gen;
	int longpoll;             /* the running probe is a long-poll */
	int push;                 /* results are pushed: a failure takes it down at once */
	uint64_t n_longpolls, n_heartbeats;
	uint32_t lp_wait_ms;      /* the wait the running long-poll asked for */
	uint32_t late_ms;         /* how late its 304s come, a decaying maximum */
	int lp_overtime;          /* past the heartbeat, in CHECKD_LP_OVERTIME_MS */
	/* beats (protocol 1.2): the agent's last answer said DSR-Protocol
	 * 1.2+ (agent_beats), and the running long-poll asked for them */
	int agent_beats, lp_beats;
	int64_t lp_sent_ms;       /* when the running long-poll's request went out */
	uint64_t n_beats;
	/* a long-poll with beats waits for its next beat on d's beat list
	 * (due at beat_due), not on the timer heap */
	int on_beat_list;
	int64_t beat_due;
	struct checkd_rs *beat_next, *beat_prev;
	int waiting;              /* due, queued for a new-connection slot */
	struct checkd_rs *wait_next, *wait_prev;
};

/* IPVS counters of one destination and one service, read over netlink. */
struct checkd_ipvs_dest {
	struct ip_addr addr;
	uint16_t port;
	int32_t weight;
	uint32_t active, inactive;
	uint64_t conns, inpkts, outpkts, inbytes, outbytes;
};

struct checkd_ipvs_svc {
	struct ip_addr vip;       /* NONE for fwmark */
	uint16_t port;
	uint32_t fwmark;
	uint16_t protocol;
	int af;                   /* 4 or 6 */
	uint64_t conns, inpkts, outpkts, inbytes, outbytes;
	struct checkd_ipvs_dest *dests;
	size_t n_dests;
};

struct checkd_ipvs_snapshot {
	int ok;                   /* the last read succeeded */
	struct checkd_ipvs_svc *svc;
	size_t n_svc;
	char err[256];
};

struct checkd_stats {
	int64_t started_ms;       /* monotonic */
	int64_t started_unix;     /* wall clock seconds */
	uint64_t reloads, reload_failures;
	int last_reload_ok;
	uint64_t http_requests, sock_requests, ipvs_applies, ipvs_apply_failures;
	uint64_t transitions;
};

struct checkd_http;
struct checkd_sock;
struct checkd_ipvs;
struct checkd_failsafe_svc;
struct checkd_director;
struct checkd_announce;
struct checkd_announce_ops;

struct checkd {
	struct loop loop;
	struct checkd_conf conf;
	struct dsrkit_conf dconf;
	char conf_path[CHECKD_CONF_PATH_MAX];
	char dconf_path[CHECKD_CONF_PATH_MAX];
	struct agent_tls *tls;
	struct check_params params;
	uint32_t default_agent_port;
	struct checkd_rs **rs;    /* sorted by address then agent port */
	size_t n_rs, cap_rs;
	struct facts *facts;      /* scratch: one document parsed at a time */
	/* new connections (TCP + TLS handshake) are limited, so that a start or
	 * a network coming back does not turn into a handshake storm that
	 * times itself out; due probes wait in this FIFO */
	unsigned n_connecting, max_connecting;
	struct checkd_rs *wait_head, *wait_tail;
	struct loop_timer kick_timer;
	/* long-polls with beats by the time their next beat is due: each due
	 * the heartbeat after the last, so a beat moves one to the tail in
	 * O(1) (on the timer heap each beat cost a sift through 1,000 timers,
	 * a tenth of the checker's CPU); one timer for the head */
	struct checkd_rs *beat_head, *beat_tail;
	struct loop_timer beat_timer;
	struct checkd_http *http;
	struct checkd_sock *sock;
	struct checkd_ipvs *ipvs;
	struct checkd_director *director;  /* DSR-Director headers (director.c) */
	struct checkd_dp *dp;     /* data-path probes (data_path on) */
	struct checkd_arp *arp;   /* the ARP-problem detector (arp_check on) */
	struct checkd_stats stats;
	/* the fail-safe threshold (failsafe.c): one entry per configured service */
	struct checkd_failsafe_svc *failsafe;
	size_t n_failsafe;
	struct loop_timer failsafe_timer;
	/* health-driven VIP announcement (announce_interface set), and the
	 * device's operations: NULL is the kernel's, unit tests set a fake */
	struct checkd_announce *announce;
	const struct checkd_announce_ops *announce_ops;
	int verbose;
	/* hooks the table calls on a state change (IPVS, track files) */
	void (*on_change)(struct checkd *d, struct checkd_rs *rs, struct checkd_target *t);
};

#endif
