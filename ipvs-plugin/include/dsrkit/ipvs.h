/* SPDX-License-Identifier: Apache-2.0 */
/* dsrkit/ipvs.h - libdsrkit-ipvs: Linux IPVS over generic netlink.
 *
 * One opaque handle holds one generic-netlink socket and the IPVS family id,
 * resolved once.  Every fallible function returns 0 or a negative errno: the
 * kernel's own (taken from nlmsgerr.error, so ENOENT and ESRCH stay apart).
 * The handle keeps the text of its last error ("add dest 192.0.2.11:80 to
 * TCP 192.0.2.100:80: No such process"); there is no global state.  A
 * handle is not thread-safe; use one per thread.
 *
 * Link with `pkg-config --libs dsrkit-ipvs`.
 */
#ifndef DSRKIT_IPVS_H
#define DSRKIT_IPVS_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IPVS_WUR __attribute__((warn_unused_result))

struct ipvs;        /* a handle: one netlink socket */
struct ipvs_table;  /* a set of services, each with its destinations */
struct ipvs_plan;   /* the operations that turn the kernel into a table */

union ipvs_addr {
	struct in_addr v4;
	struct in6_addr v6;
	uint8_t b[16];
};

/* Forwarding methods; DR is the default everywhere in dsrkit. */
enum ipvs_fwd {
	IPVS_FWD_DR = 0,
	IPVS_FWD_TUN,
	IPVS_FWD_NAT,
	IPVS_FWD_LOCAL,
	IPVS_FWD_COUNT
};

/* Service flags (the kernel's IP_VS_SVC_F_*).  For `mh` (Maglev):
 * SCHED1 = mh-fallback, SCHED2 = mh-port; for `sh` the same bits are
 * sh-fallback and sh-port. */
#define IPVS_SVC_F_PERSISTENT 0x0001u
#define IPVS_SVC_F_ONEPACKET  0x0004u
#define IPVS_SVC_F_SCHED1     0x0008u
#define IPVS_SVC_F_SCHED2     0x0010u
#define IPVS_SVC_F_SCHED3     0x0020u
#define IPVS_SVC_F_MASK       0x003du /* every settable bit (not HASHED) */

#define IPVS_SCHED_MAX 16
#define IPVS_PE_MAX 16

struct ipvs_stats {
	uint64_t conns, inpkts, outpkts, inbytes, outbytes;
	uint64_t cps, inpps, outpps, inbps, outbps; /* rates, per second */
};

/* A virtual service.  The key is (af, protocol, addr, port) or, when fwmark
 * is not 0, (af, fwmark). */
struct ipvs_service {
	int af;                    /* AF_INET or AF_INET6 */
	uint16_t protocol;         /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP; 0 for fwmark */
	union ipvs_addr addr;
	uint16_t port;             /* host byte order */
	uint32_t fwmark;
	char sched[IPVS_SCHED_MAX];
	uint32_t flags;            /* IPVS_SVC_F_* */
	uint32_t timeout;          /* persistence timeout, seconds (0: none) */
	uint32_t netmask;          /* persistence granularity as a prefix length */
	char pe[IPVS_PE_MAX];      /* persistence engine ("" or "sip") */
	struct ipvs_stats stats;   /* read only */
};

/* A destination (real server) of a service. */
struct ipvs_dest {
	int af;                    /* 0 means the service's family */
	union ipvs_addr addr;
	uint16_t port;
	enum ipvs_fwd fwd;
	int32_t weight;
	uint32_t u_threshold, l_threshold;
	uint8_t tun_type;          /* tunnel: 0 ipip, 1 gue, 2 gre */
	uint16_t tun_port;
	uint16_t tun_flags;
	/* read only */
	uint32_t active_conns, inactive_conns, persist_conns;
	struct ipvs_stats stats;
};

/* ---- handle ---- */

/* Opens a socket and resolves the IPVS family.  Returns 0 and *out (free
 * with ipvs_close), -ENOENT when the kernel has no IPVS, or -errno. */
IPVS_WUR int ipvs_open(struct ipvs **out);
void ipvs_close(struct ipvs *h);

/* Text of the handle's last error; owned by the handle, valid until its
 * next call. */
const char *ipvs_errmsg(const struct ipvs *h);

/* ---- single operations (one request, one acknowledgement) ---- */

IPVS_WUR int ipvs_service_add(struct ipvs *h, const struct ipvs_service *s);
IPVS_WUR int ipvs_service_edit(struct ipvs *h, const struct ipvs_service *s);
IPVS_WUR int ipvs_service_del(struct ipvs *h, const struct ipvs_service *s);
/* Fills *out (all attributes and stats) for the service keyed by key. */
IPVS_WUR int ipvs_service_get(struct ipvs *h, const struct ipvs_service *key,
			      struct ipvs_service *out);
/* Removes every service (ipvsadm -C). */
IPVS_WUR int ipvs_flush(struct ipvs *h);

IPVS_WUR int ipvs_dest_add(struct ipvs *h, const struct ipvs_service *s, const struct ipvs_dest *d);
IPVS_WUR int ipvs_dest_edit(struct ipvs *h, const struct ipvs_service *s, const struct ipvs_dest *d);
IPVS_WUR int ipvs_dest_del(struct ipvs *h, const struct ipvs_service *s, const struct ipvs_dest *d);

/* Dumps: *out is a new table owned by the caller (ipvs_table_free). */
IPVS_WUR int ipvs_service_dump(struct ipvs *h, struct ipvs_table **out); /* services only */
/* One dump of the services, fn called on each (attributes and stats) as
 * it is read, nothing stored: a negative return of fn ends the walk and is
 * returned. */
IPVS_WUR int ipvs_service_walk(struct ipvs *h, int (*fn)(const struct ipvs_service *s, void *arg), void *arg);
IPVS_WUR int ipvs_dest_dump(struct ipvs *h, struct ipvs_table *t, size_t svc_index);
IPVS_WUR int ipvs_table_read(struct ipvs *h, struct ipvs_table **out);   /* services and dests */

/* ---- tables ---- */

IPVS_WUR struct ipvs_table *ipvs_table_new(void);
void ipvs_table_free(struct ipvs_table *t);
/* Adds a copy of s; returns its index (>= 0), -EEXIST for a duplicate key,
 * -EINVAL or -ENOMEM. */
IPVS_WUR int ipvs_table_service_add(struct ipvs_table *t, const struct ipvs_service *s);
/* Adds a copy of d to service svc_index; -EEXIST for a duplicate address:port. */
IPVS_WUR int ipvs_table_dest_add(struct ipvs_table *t, size_t svc_index, const struct ipvs_dest *d);
size_t ipvs_table_service_count(const struct ipvs_table *t);
/* Pointers stay valid until the table changes. */
const struct ipvs_service *ipvs_table_service(const struct ipvs_table *t, size_t i);
size_t ipvs_table_dest_count(const struct ipvs_table *t, size_t svc_index);
const struct ipvs_dest *ipvs_table_dest(const struct ipvs_table *t, size_t svc_index, size_t j);
/* Index of the service with the key of s, or -ENOENT. */
int ipvs_table_service_find(const struct ipvs_table *t, const struct ipvs_service *s);
int ipvs_table_dest_find(const struct ipvs_table *t, size_t svc_index, const struct ipvs_dest *d);
/* Sets the weight of a destination held in the table. */
void ipvs_table_dest_set_weight(struct ipvs_table *t, size_t svc_index, size_t j, int32_t weight);

/* ---- declarative apply ---- */

enum ipvs_op_kind {
	IPVS_OP_SERVICE_ADD = 0,
	IPVS_OP_SERVICE_EDIT,
	IPVS_OP_SERVICE_DEL,
	IPVS_OP_DEST_ADD,
	IPVS_OP_DEST_EDIT,
	IPVS_OP_DEST_DEL,
	IPVS_OP_COUNT
};

struct ipvs_op {
	enum ipvs_op_kind kind;
	struct ipvs_service svc;
	struct ipvs_dest dest;     /* for IPVS_OP_DEST_* */
	int error;                 /* after execution: 0 or the kernel's -errno */
	int raced;                 /* EEXIST on add / not found on delete, taken as success */
};

/* Plan flags. */
#define IPVS_PLAN_FULL 0x1u /* compare every desired service with the kernel,
			       even those unchanged since `previous` */
#define IPVS_PLAN_GIVEN_ONLY 0x2u /* `desired` names only some services: read
				     just those (one pipelined get each, no dump
				     of the whole table), delete none */
#define IPVS_PLAN_DELETE_PREVIOUS 0x4u /* with IPVS_PLAN_GIVEN_ONLY: `previous`
				     names services to delete (read just those
				     too, deleted when not in `desired`) */

/* Compares `desired` with what the kernel holds and plans the difference.
 * Only services in `desired` are added or changed; a service is deleted
 * only when it is in `previous` (what the caller applied before) and no
 * longer in `desired`.  With `previous` given and without IPVS_PLAN_FULL, a
 * service identical in desired and previous whose kernel attributes still
 * match is taken as unchanged without dumping its destinations (this is
 * what makes a small change to a large table fast).  previous may be NULL.
 * *out is owned by the caller (ipvs_plan_free). */
IPVS_WUR int ipvs_plan_make(struct ipvs *h, const struct ipvs_table *desired,
			    const struct ipvs_table *previous, unsigned flags,
			    struct ipvs_plan **out);
size_t ipvs_plan_count(const struct ipvs_plan *p);
const struct ipvs_op *ipvs_plan_op(const struct ipvs_plan *p, size_t i);
/* Netlink requests the planning itself sent (dumps, gets). */
size_t ipvs_plan_reads(const struct ipvs_plan *p);

/* Sends every operation, pipelined (many requests per send, acknowledgements
 * collected afterwards).  Each op's `error` is set.  Returns 0 when all
 * succeeded, -EIO when some failed (see ipvs_plan_op), or -errno when the
 * socket failed. */
IPVS_WUR int ipvs_plan_execute(struct ipvs *h, struct ipvs_plan *p);
size_t ipvs_plan_failed(const struct ipvs_plan *p);
void ipvs_plan_free(struct ipvs_plan *p);

/* ---- connection sync (the kernel's sync daemons) ---- */

/* Sync daemon roles (the kernel's IP_VS_STATE_*). */
#define IPVS_SYNC_MASTER 0x1u
#define IPVS_SYNC_BACKUP 0x2u
#define IPVS_IFNAME_MAX 16

/* One running sync daemon.  Kernels before 4.3 report only state, sync id
 * and interface: the group/port/ttl fields are 0 then (the daemon uses
 * 224.0.0.81:8848). */
struct ipvs_sync_daemon {
	uint32_t state;            /* IPVS_SYNC_MASTER or IPVS_SYNC_BACKUP */
	uint32_t syncid;
	char mcast_ifn[IPVS_IFNAME_MAX];
	uint16_t sync_maxlen;      /* UDP payload size, 0: not reported */
	int mcast_af;              /* AF_INET, AF_INET6, 0: not reported */
	union ipvs_addr mcast_group;
	uint16_t mcast_port;       /* host byte order */
	uint8_t mcast_ttl;
};

/* Reads the running sync daemons (IPVS_CMD_GET_DAEMON, a dump: at most a
 * master and a backup).  Fills out[0..*n) with up to cap of them.  Returns 0
 * or -errno. */
IPVS_WUR int ipvs_sync_daemon_get(struct ipvs *h, struct ipvs_sync_daemon *out, size_t cap,
				  size_t *n);
/* "master", "backup", or "none" */
const char *ipvs_sync_state_name(uint32_t state);

/* The connection table's size, from the file the kernel lists it in
 * (/proc/net/ip_vs_conn, of the caller's network namespace: there is no
 * netlink command and no counter for it).  path NULL means that file.
 * *total gets every entry, *established the TCP ones in ESTABLISHED (either
 * may be NULL).  Returns 0, -ENOENT without IPVS, or -errno. */
IPVS_WUR int ipvs_conn_count(const char *path, uint64_t *total, uint64_t *established);

/* ---- text ---- */

/* "TCP 192.0.2.100:80", "UDP [2001:db8::100]:53", "FWM 7 IPv4" into out. */
char *ipvs_service_format(const struct ipvs_service *s, char *out, size_t n);
/* "192.0.2.11:80", "[2001:db8::11]:80" */
char *ipvs_dest_format(const struct ipvs_service *s, const struct ipvs_dest *d, char *out, size_t n);
/* "add dest 192.0.2.11:80 to TCP 192.0.2.100:80" */
char *ipvs_op_format(const struct ipvs_op *op, char *out, size_t n);
/* "DR", "TUN", "NAT", "LOCAL" */
const char *ipvs_fwd_name(enum ipvs_fwd f);
const char *ipvs_op_kind_name(enum ipvs_op_kind k);

#ifdef __cplusplus
}
#endif
#endif
