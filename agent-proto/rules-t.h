/* SPDX-License-Identifier: Apache-2.0 */
/* rules-t.h - findings: what the rules say about a real server's facts.
 * The code list is the protocol's: codes are stable strings, never renamed
 * (doc/agent-protocol.md).  Portable C. */
#ifndef DSRKIT_AGENT_PROTO_RULES_T_H
#define DSRKIT_AGENT_PROTO_RULES_T_H

#include <stddef.h>
#include <stdint.h>

#include "agent-proto/facts-t.h"

enum finding_code {
	FINDING_VIP_MISSING = 0,        /* VIP not on the loopback interface */
	FINDING_VIP_PREFIX,             /* on loopback, but not /32 (/128) */
	FINDING_VIP_ON_ARP_IFACE,       /* on an interface that answers ARP/ND */
	FINDING_LOOPBACK_MISSING,       /* no loopback interface/adapter, or it is down */
	FINDING_ARP_IGNORE,             /* Linux: effective arp_ignore not 1 or 2 */
	FINDING_ARP_ANNOUNCE,           /* Linux: effective arp_announce not 2 */
	FINDING_RP_FILTER_STRICT,       /* Linux: effective rp_filter 1 on a receiving iface */
	FINDING_WEAKHOST_RECV_NIC,      /* Windows: weak-host receive off on the NIC */
	FINDING_WEAKHOST_RECV_LOOPBACK, /* Windows: weak-host receive off on the loopback */
	FINDING_WEAKHOST_SEND_LOOPBACK, /* Windows: weak-host send off on the loopback */
	FINDING_DNS_REGISTER_LOOPBACK,  /* Windows: loopback registers its addresses in DNS */
	FINDING_NO_LISTENER,            /* nothing listens on VIP (or wildcard) at the port */
	FINDING_ADMIN_DRAIN,            /* administrator drains the server */
	FINDING_ADMIN_MAINT,            /* administrator took the server out */
	FINDING_FACT_UNKNOWN,           /* a fact needed for judging could not be read */
	FINDING_FACTS_TRUNCATED,        /* a facts limit cut a table this VIP's verdict needs */
	FINDING_COUNT
};

enum finding_severity {
	FINDING_SEVERITY_INFO = 0,      /* worth showing; the server stays healthy */
	FINDING_SEVERITY_WARNING,       /* DR works, but not as it should */
	FINDING_SEVERITY_CRITICAL,      /* traffic is lost or stolen: take it out */
	FINDING_SEVERITY_COUNT
};

/* Which layer a finding belongs to, as the checker names failing layers. */
enum finding_layer {
	FINDING_LAYER_DR = 0,      /* addresses, ARP, weak host */
	FINDING_LAYER_SERVICE,     /* the listening socket */
	FINDING_LAYER_ADMIN,       /* administrative state */
	FINDING_LAYER_FACTS,       /* the facts themselves */
	FINDING_LAYER_COUNT
};

/* The one table: code text, severity, layer and a short summary per code. */
struct finding_info {
	const char *name;          /* "VIP_MISSING" */
	enum finding_severity severity;
	enum finding_layer layer;
	const char *summary;       /* generic one-liner for docs and unknown contexts */
};

#define FINDING_REASON_LEN 192
#define FINDING_FIX_LEN    320
#define FINDINGS_MAX       48

struct finding {
	enum finding_code code;
	struct ip_addr vip;        /* family NONE for host-wide findings */
	uint16_t port;
	char iface[FACTS_NAME_LEN];  /* the interface concerned, or "" */
	char reason[FINDING_REASON_LEN];
	/* Linux: the shell command(s). Windows: the netsh command, and the
	 * PowerShell equivalent in fix_alt. Plain text otherwise. */
	char fix[FINDING_FIX_LEN];
	char fix_alt[FINDING_FIX_LEN];
};

struct findings {
	struct finding items[FINDINGS_MAX];
	size_t n;
	int truncated;             /* more findings than FINDINGS_MAX */
};

enum rules_verdict {
	RULES_VERDICT_OK = 0,      /* no finding above info */
	RULES_VERDICT_WARNING,
	RULES_VERDICT_CRITICAL,
	RULES_VERDICT_COUNT
};

#endif
