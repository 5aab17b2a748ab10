/* SPDX-License-Identifier: Apache-2.0 */
/* win_facts-t.h - what the Windows agent reads from IP Helper, SetupAPI and
 * the firewall, as plain records.  agent_win32.c fills a snapshot from the
 * OS; tests fill one by hand.  win_facts.c turns a snapshot into the
 * portable facts, win_setup.c into a setup plan.  No Windows header here:
 * the logic over snapshots is portable and testable with fake data. */
#ifndef DSRKIT_WIN_FACTS_T_H
#define DSRKIT_WIN_FACTS_T_H

#include <stddef.h>
#include <stdint.h>

#include "agent-proto/facts-t.h"
#include "agent-proto/status-t.h"

#define WIN_GUID_LEN   40          /* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" */
#define WIN_NOTES_MAX  16
#define WIN_NOTE_LEN   160
#define WIN_IF_TYPE_SOFTWARE_LOOPBACK 24   /* IF_TYPE_SOFTWARE_LOOPBACK */
#define WIN_LOOPBACK_HWID "*MSLOOP"

/* One network adapter (GetAdaptersAddresses, GetIpInterfaceEntry). */
struct win_adapter {
	char alias[FACTS_NAME_LEN];          /* FriendlyName, UTF-8 */
	char description[FACTS_TEXT_LEN];    /* driver description */
	char hardware_id[FACTS_TEXT_LEN];    /* SetupAPI SPDRP_HARDWAREID, "" unknown */
	char guid[WIN_GUID_LEN];             /* AdapterName = NetCfgInstanceId */
	uint64_t luid;
	uint32_t index;
	uint32_t if_type;                    /* IF_TYPE_* */
	int up;                              /* 1, 0, FACTS_UNKNOWN */
	int dns_register;                    /* IP_ADAPTER_DDNS_ENABLED */
	/* Per address family (index 0 IPv4, 1 IPv6): 1, 0 or FACTS_UNKNOWN
	 * (the family is not bound, or GetIpInterfaceEntry is missing). */
	int weak_send[2];
	int weak_recv[2];
};

/* One unicast address (GetUnicastIpAddressTable). */
struct win_uaddr {
	struct ip_addr addr;
	unsigned prefix_len;
	uint32_t index;                      /* interface index */
	int skip_as_source;                  /* 1, 0, FACTS_UNKNOWN */
};

/* State of the firewall rule setup adds for one VIP (and port). */
enum win_fw_state {
	WIN_FW_UNKNOWN = 0,                  /* could not be read */
	WIN_FW_ABSENT,                       /* firewall on, no dsrkit rule */
	WIN_FW_PRESENT,                      /* the rule exists and is enabled */
	WIN_FW_OFF,                          /* the firewall is off for every profile */
	WIN_FW_COUNT
};

struct win_snapshot {
	char hostname[FACTS_TEXT_LEN];
	char os_release[FACTS_TEXT_LEN];
	struct win_adapter adapters[FACTS_MAX_IFACES];
	size_t n_adapters;
	struct win_uaddr addrs[FACTS_MAX_ADDRS];
	size_t n_addrs;
	struct facts_listener listeners[FACTS_MAX_LISTENERS];
	size_t n_listeners;
	int truncated;
	/* Facts the OS would not give (a missing or unimplemented export, an
	 * access error): one line each, shown by `check` and logged. */
	char notes[WIN_NOTES_MAX][WIN_NOTE_LEN];
	size_t n_notes;
};

/* What the Windows layer needs to know besides the snapshot. */
struct win_options {
	/* Alias of the adapter to treat as the DR loopback ("" = find the
	 * KM-TEST adapter by hardware id *MSLOOP or its description). */
	char loopback[FACTS_NAME_LEN];
	/* Alias setup gives a loopback adapter it creates or finds unnamed. */
	char loopback_new_name[FACTS_NAME_LEN];
	/* Alias of the NIC that receives the VIP traffic ("" = every NIC with
	 * an address of the VIP's family). */
	char nic[FACTS_NAME_LEN];
};

#endif
