/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_conf.h - dsr-checkd's configuration, read in keepalived's own
 * syntax, through kaconf/ (the tree reader dsrctl uses too): the DR
 * `virtual_server` blocks of keepalived.conf (with `include` files) give
 * the services and real servers to check; a `dsr_checkd { }`
 * block (in dsr-checkd's own file, which uses the same syntax) gives the
 * daemon's settings.  Blocks the daemon does not need are skipped, not
 * errors.  Outside input: bounded, and every error is "file:line: what".
 *
 * Recognised (everything else is skipped):
 *
 *   dsr_checkd {
 *       keepalived_conf /etc/keepalived/keepalived.conf   # read its DR services too
 *       interval 1s            # between checks of one real server
 *       timeout 2s             # per check, every layer included
 *       retry 500ms            # next check after a failure, while the state may change
 *       rise 2                 # consecutive successes to go up
 *       fall 3                 # consecutive failures to go down
 *       heartbeat 1s           # long-poll: a silent agent is down after this; "off": poll
 *       agent_port 9443        # default for every real server
 *       listen 127.0.0.1:9445  # status HTTP endpoint (/metrics, /status); "off"
 *       web_config_file /etc/dsrkit/web.yml  # TLS and basic auth of that endpoint, in
 *                              # node_exporter's --web.config.file format; unset: plain HTTP
 *       socket /run/dsrkit/checkd.sock   # for dsr-check --daemon; "off"
 *       track_dir /run/dsrkit/track      # keepalived track_file outputs; unset: none
 *       standalone yes         # own the IPVS services below (CAP_NET_ADMIN)
 *       data_path tcp          # probe each VIP through IPVS to each server: tcp, tls,
 *                              # http, https, or off (default); CAP_NET_ADMIN
 *       data_path_url /health  # path of http/https probes (default /)
 *       data_path_status 200   # the status they expect
 *       data_path_mark_base 0x44530000   # firewall marks of the probe services
 *       data_path_mark_count 4096
 *       data_path_set_sysctls no         # yes: set accept_local=1 where the answer needs it
 *       arp_check 10s          # the ARP-problem detector every 10 s (default off); CAP_NET_RAW
 *       arp_iface eth0         # where to ask (default: the interface holding the first VIP)
 *       arp_allow_mac 00:00:5e:00:01:33  # VRRP virtual MAC or peer (repeatable)
 *       arp_fail_server no     # yes: a real server caught answering for a VIP is down
 *       failsafe_threshold 50% # over this share of a service's servers unreachable at
 *                              # once: keep their weights (all = only when every one; off)
 *       announce_interface dsrvip0       # announce healthy VIPs (announce.h): a TUN device
 *                              # holding them, gone with the process; unset: off
 *       announce_min_healthy 1 # healthy real servers every service of a VIP needs
 *       announce_bird_socket /run/bird/bird.ctl  # BIRD asked every 5 s; "off"
 *       announce_bird_protocol dsrkit_vips       # its direct protocol on that device
 *   }
 *   virtual_server 192.0.2.100 80 {      # or: virtual_server fwmark N { }
 *       delay_loop 2           # the interval when dsr_checkd sets none
 *       lb_algo wrr            # lvs_sched
 *       mh-port                # with lb_algo mh (mh-fallback, sh-port, sh-fallback, flag-1..3)
 *       lb_kind DR             # lvs_method; only DR services are taken
 *       protocol TCP
 *       persistence_timeout 300
 *       persistence_granularity 255.255.255.0
 *       real_server 192.0.2.11 80 {
 *           weight 100
 *           MISC_CHECK {       # any *_CHECK block: retry / delay_before_retry
 *               misc_path "/usr/bin/dsr-check ... --agent-port 9443"
 *               retry 2        # fall = retry + 1 unless dsr_checkd sets fall
 *           }
 *       }
 *   }
 */
#ifndef DSRKIT_CHECKER_CHECKD_CONF_H
#define DSRKIT_CHECKER_CHECKD_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "bounded/ipaddr.h"

#define CHECKD_CONF_PATH_MAX   512
#define CHECKD_CONF_SERVICES_MAX 20000
#define CHECKD_CONF_RS_MAX     1000       /* per service */
#define CHECKD_CONF_SCHED_MAX  16
#define CHECKD_CONF_WHERE_MAX  96
#define CHECKD_FAILSAFE_DEFAULT_PCT 50
#define CHECKD_ANNOUNCE_IFACE_MAX  16     /* IFNAMSIZ */
#define CHECKD_ANNOUNCE_SOCKET_MAX 108    /* sizeof(sockaddr_un.sun_path) */
#define CHECKD_ANNOUNCE_PROTO_MAX  64     /* a BIRD symbol */
#define CHECKD_ANNOUNCE_BIRD_SOCKET_DEFAULT "/run/bird/bird.ctl"
#define CHECKD_ANNOUNCE_BIRD_PROTOCOL_DEFAULT "dsrkit_vips"

struct checkd_conf_rs {
	struct ip_addr addr;
	uint16_t port;
	uint32_t weight;          /* keepalived's default: 1 */
	uint32_t agent_port;      /* 0: the daemon default */
	uint32_t retry;           /* from a *_CHECK block; UINT32_MAX: not given */
	uint32_t delay_before_retry_ms;  /* 0: not given */
	char where[CHECKD_CONF_WHERE_MAX];  /* file:line of the real_server */
};

struct checkd_conf_svc {
	struct ip_addr vip;       /* family NONE for fwmark services */
	uint16_t port;
	uint32_t fwmark;          /* 0: an address service */
	uint16_t protocol;        /* IPPROTO_TCP (default), _UDP, _SCTP */
	char sched[CHECKD_CONF_SCHED_MAX];
	uint32_t sched_flags;     /* IPVS_SVC_F_SCHED1-3: mh-port, mh-fallback, sh-port, sh-fallback */
	int dr;                   /* lb_kind DR */
	int kind_given;
	uint32_t persistence_timeout;   /* seconds, 0: none */
	uint32_t persistence_prefix;    /* granularity as a prefix length, 0: none */
	uint32_t delay_loop_ms;   /* 0: not given */
	struct checkd_conf_rs *rs;
	size_t n_rs, cap_rs;
	char where[CHECKD_CONF_WHERE_MAX];
};

struct checkd_conf {
	/* daemon settings, with the built-in defaults (checkd_conf_init) */
	char keepalived_conf[CHECKD_CONF_PATH_MAX];
	uint32_t interval_ms, timeout_ms, retry_ms, rise, fall;
	int interval_given, timeout_given, fall_given;
	uint32_t heartbeat_ms;    /* long-poll heartbeat; 0: poll only (default 1000) */
	uint32_t agent_port;      /* 0: from dsrkit.conf */
	char listen[128];         /* "" = off */
	char web_config_file[CHECKD_CONF_PATH_MAX];  /* "" = plain HTTP, no auth */
	char socket_path[CHECKD_CONF_PATH_MAX];  /* "" = from dsrkit.conf, "off" = none */
	char track_dir[CHECKD_CONF_PATH_MAX];    /* "" = no track files */
	int standalone;
	/* data-path probes: data_path is enum datapath_kind + 1, 0 = off */
	int data_path;
	char dp_path[128];
	uint32_t dp_status;
	uint32_t dp_mark_base, dp_mark_count;
	int dp_set_sysctls;
	/* the ARP-problem detector */
	uint32_t arp_interval_ms;  /* 0: off */
	char arp_iface[32];
	uint8_t arp_allow[8][6];
	size_t n_arp_allow;
	int arp_fail_server;
	/* the fail-safe threshold: percent of a service's real servers
	 * unreachable at the connection level over which none is drained for
	 * it (1-99; 100: only when all are; 0: off) */
	uint32_t failsafe_pct;
	/* health-driven VIP announcement (announce.h): the TUN device the
	 * announced VIPs sit on ("" = off), the healthy real servers every
	 * service of a VIP needs, BIRD's control socket ("off" = not checked)
	 * and the name of its direct protocol on that device */
	char announce_iface[CHECKD_ANNOUNCE_IFACE_MAX];
	uint32_t announce_min_healthy;
	char announce_bird_socket[CHECKD_ANNOUNCE_SOCKET_MAX];
	char announce_bird_protocol[CHECKD_ANNOUNCE_PROTO_MAX];

	/* the DR services (non-DR ones are counted and dropped) */
	struct checkd_conf_svc *svc;
	size_t n_svc, cap_svc;
	unsigned n_skipped;       /* virtual_server blocks that are not DR */
	unsigned n_unmodelled;    /* services with sorry_server, quorum, hysteresis or
				   * inhibit_on_failure: standalone mode does not apply them */
	char first_unmodelled[CHECKD_CONF_WHERE_MAX];
	unsigned n_files;         /* configuration files read */
};

void checkd_conf_init(struct checkd_conf *c);
void checkd_conf_free(struct checkd_conf *c);

/* Read the file at path (with its includes, through kaconf/) into c: the
 * dsr_checkd block and the DR virtual servers.  Returns 0, or a negative
 * errno with "file:line: what is wrong" in err.  On error c holds what was
 * read so far; the caller frees it and keeps its running configuration. */
__attribute__((warn_unused_result))
int checkd_conf_load(struct checkd_conf *c, const char *path, char *err, size_t errlen);

/* The same for text in memory named `name`; kaconf_flags as kaconf's
 * (KACONF_NO_INCLUDE for fuzzing). */
__attribute__((warn_unused_result))
int checkd_conf_parse(struct checkd_conf *c, const char *name, const char *text, size_t len,
		      unsigned kaconf_flags, char *err, size_t errlen);

/* After every file: sanity of the whole (at least one real server, ...).
 * Returns 0 or -EINVAL with the reason. */
__attribute__((warn_unused_result))
int checkd_conf_finish(struct checkd_conf *c, char *err, size_t errlen);

#endif
