/* SPDX-License-Identifier: Apache-2.0 */
/* facts-t.h - the DR-relevant facts of one real server, as the agent reads
 * them from its OS and as the checker parses them back from /v1/status.
 *
 * Fixed-size arrays keep the model bounded: a hostile status document or a
 * host with thousands of addresses can never grow it past FACTS_MAX_*.
 * Values an agent could not read are FACTS_UNKNOWN (-1), never guessed.
 * Portable C: no OS header, also built with mingw-w64.
 */
#ifndef DSRKIT_AGENT_PROTO_FACTS_T_H
#define DSRKIT_AGENT_PROTO_FACTS_T_H

#include <stddef.h>
#include <stdint.h>

#include "bounded/ipaddr.h"

#define FACTS_UNKNOWN (-1)

/* Raised from 64/256/256 (issue 16, finding 4): a host with hundreds of
 * container veths or thousands of sockets still fits.  Past a limit the
 * table is marked truncated and the rules say FACTS_TRUNCATED for any VIP
 * whose verdict depends on the missing rows, never a pass or a fail. */
#define FACTS_MAX_IFACES    1024
#define FACTS_MAX_ADDRS     4096
#define FACTS_MAX_LISTENERS 4096
#define FACTS_NAME_LEN      128   /* interface names (Windows aliases are long) */
#define FACTS_TEXT_LEN      128   /* hostname, OS release, descriptions */

/* Which tables a FACTS_MAX_* limit cut short (facts.truncated bits). */
enum facts_trunc {
	FACTS_TRUNC_IFACES = 1,
	FACTS_TRUNC_ADDRS = 2,
	FACTS_TRUNC_LISTENERS = 4,
	FACTS_TRUNC_ALL = 7
};

enum facts_os {
	FACTS_OS_UNKNOWN = 0,
	FACTS_OS_LINUX,
	FACTS_OS_WINDOWS,
	FACTS_OS_COUNT
};

enum admin_state {
	ADMIN_STATE_UP = 0,
	ADMIN_STATE_DRAIN,   /* keep established connections, take no new ones */
	ADMIN_STATE_MAINT,   /* out of service */
	ADMIN_STATE_COUNT
};

/* Linux per-interface IPv4 sysctls that matter for DR (net.ipv4.conf.X.*). */
struct facts_linux_conf {
	int arp_ignore;    /* 0..8 or FACTS_UNKNOWN */
	int arp_announce;  /* 0..2 */
	int rp_filter;     /* 0 off, 1 strict, 2 loose */
};

/* Windows per-interface settings (GetIpInterfaceEntry, DNS client). */
struct facts_windows_conf {
	int weak_host_send;     /* 1 enabled, 0 disabled, FACTS_UNKNOWN */
	int weak_host_receive;
	int dns_register;       /* RegisterThisConnectionsAddress */
	char description[FACTS_TEXT_LEN];  /* driver description */
	char hardware_id[FACTS_TEXT_LEN];  /* "*MSLOOP" for the KM-TEST adapter */
};

struct facts_iface {
	char name[FACTS_NAME_LEN];
	uint32_t index;          /* OS interface index */
	int up;                  /* 1, 0 or FACTS_UNKNOWN */
	/* The interface DR wants the VIPs on: Linux `lo`; Windows the KM-TEST
	 * loopback adapter (not the "Loopback Pseudo-Interface"). Such an
	 * interface never answers ARP for its addresses. */
	int loopback;
	struct facts_linux_conf linux_conf;
	struct facts_windows_conf win_conf;
};

struct facts_addr {
	struct ip_addr addr;
	unsigned prefix_len;
	size_t iface;            /* position in facts.ifaces */
};

enum facts_proto {
	FACTS_PROTO_TCP = 0,
	FACTS_PROTO_UDP,
	FACTS_PROTO_COUNT
};

struct facts_listener {
	enum facts_proto proto;
	struct ip_addr addr;     /* all-zero address of its family = wildcard */
	uint16_t port;
	/* A wildcard "::" socket also takes IPv4 unless it is v6only; 1, 0 or
	 * FACTS_UNKNOWN (treated as dual-stack, the Linux default). */
	int v6only;
};

struct facts {
	enum facts_os os;
	char agent_version[32];
	char os_release[FACTS_TEXT_LEN];
	char hostname[FACTS_TEXT_LEN];

	/* Linux: net.ipv4.conf.all.*; the effective value on an interface is
	 * the maximum of `all` and the interface's own (rp_filter likewise). */
	struct facts_linux_conf linux_all;

	struct facts_iface ifaces[FACTS_MAX_IFACES];
	size_t n_ifaces;
	struct facts_addr addrs[FACTS_MAX_ADDRS];
	size_t n_addrs;
	struct facts_listener listeners[FACTS_MAX_LISTENERS];
	size_t n_listeners;
	int truncated;           /* FACTS_TRUNC_* bits: tables a limit cut short */

	enum admin_state admin;
	int weight;              /* hint 0..100, or FACTS_UNKNOWN for none */
	char admin_reason[FACTS_TEXT_LEN];

	/* The status generation (protocol 1.1): changes whenever any fact or
	 * the admin state changes.  -1: none (an agent of protocol 1.0, or
	 * facts read outside the status server). */
	int64_t generation;
};

#endif
