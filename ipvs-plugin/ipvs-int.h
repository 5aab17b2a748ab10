/* SPDX-License-Identifier: Apache-2.0 */
/* ipvs-int.h - internals of libdsrkit-ipvs (not installed).
 *
 * The seam: every byte to and from the kernel goes through struct
 * ipvs_transport, so unit tests replace the kernel with a fake that parses
 * our requests and answers with netlink messages (tests/unit/fake_kernel.c).
 */
#ifndef DSRKIT_IPVS_INT_H
#define DSRKIT_IPVS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bounded/buf.h"
#include "ipvs-plugin/include/dsrkit/ipvs.h"

#define IPVS_API __attribute__((visibility("default")))

struct ipvs_transport {
	/* Sends len bytes holding one or more netlink messages. 0 or -errno. */
	int (*send)(void *ctx, const void *data, size_t len);
	/* Receives one datagram into buf; returns its length or -errno.
	 * -EMSGSIZE when it did not fit.  cap is also the size the caller
	 * expects its datagrams to have at most. */
	ssize_t (*recv)(void *ctx, void *buf, size_t cap);
	void (*close)(void *ctx);
};

#define IPVS_RECV_MAX 32768 /* the kernel's largest netlink dump skb */
/* An acknowledgement (with our request echoed and an extended-ack text) or
 * a GET reply: a few hundred bytes.  Batches receive with this cap, so the
 * transport can pack their datagrams 2 KiB apart: 32 to 16 pages touched,
 * where each first touch is what a VM charges most for. */
#define IPVS_ACK_RECV_MAX 2048
#define IPVS_ERRMSG_MAX 256

struct ipvs {
	const struct ipvs_transport *tp;
	void *ctx;
	uint16_t family;
	uint32_t seq;
	uint8_t *rbuf; /* IPVS_RECV_MAX */
	char errmsg[IPVS_ERRMSG_MAX];
};

/* Builds a handle over any transport (unit tests, and ipvs_open). */
IPVS_WUR int ipvs_open_transport(struct ipvs **out, const struct ipvs_transport *tp,
				 void *ctx, uint16_t family);

/* ---- messages (ipvs_msg.c): pure, no I/O ---- */

/* Appends one request (nlmsghdr, genlmsghdr, attributes) to b.  d may be
 * NULL for service commands; s may be NULL for FLUSH. full: include every
 * attribute a NEW/SET needs (only the key otherwise). */
IPVS_WUR int ipvs_msg_build(struct buf *b, uint16_t family, uint32_t seq, uint16_t flags,
			    uint8_t cmd, const struct ipvs_service *s, const struct ipvs_dest *d,
			    int full);

/* Parses the attributes of one genetlink IPVS message (after genlmsghdr):
 * fills *s from IPVS_CMD_ATTR_SERVICE and/or *d from IPVS_CMD_ATTR_DEST when
 * present (either may be NULL).  Returns a bitmask: 1 service, 2 dest;
 * -EINVAL for malformed attributes. */
IPVS_WUR int ipvs_msg_parse(const void *attrs, size_t len, struct ipvs_service *s,
			    struct ipvs_dest *d);

/* One received datagram, walked message by message. */
struct ipvs_msg_view {
	uint16_t type;      /* NLMSG_ERROR, NLMSG_DONE or the family */
	uint16_t flags;
	uint32_t seq;
	int error;          /* NLMSG_ERROR: 0 or -errno */
	uint8_t cmd;        /* family messages */
	const void *attrs;  /* family messages: after the genlmsghdr */
	size_t attrs_len;
};

/* Returns 1 and fills *v with the message at *off (advanced), 0 at the end
 * of the datagram, -EINVAL when truncated or malformed. */
IPVS_WUR int ipvs_msg_next(const void *data, size_t len, size_t *off, struct ipvs_msg_view *v);

/* ---- transport use (ipvs_nl.c) ---- */

/* Sends one request and waits for its acknowledgement: 0 or -errno. */
IPVS_WUR int ipvs_request(struct ipvs *h, uint8_t cmd, const struct ipvs_service *s,
			  const struct ipvs_dest *d);

/* Runs a dump request; cb gets every message of the answer. */
IPVS_WUR int ipvs_dump(struct ipvs *h, uint8_t cmd, const struct ipvs_service *s,
		       int (*cb)(const struct ipvs_msg_view *v, void *arg), void *arg);

/* Sends many requests pipelined; err[i] gets the result of request i.
 * Returns 0 or -errno for a transport failure. */
struct ipvs_req {
	uint8_t cmd;
	const struct ipvs_service *s;
	const struct ipvs_dest *d;
	int error;
	struct ipvs_service *reply; /* GET_SERVICE: filled from the answer */
	int got;                    /* the answer came */
};
IPVS_WUR int ipvs_request_batch(struct ipvs *h, struct ipvs_req *reqs, size_t n);

/* ---- sync daemons (ipvs_sync.c) ---- */

/* Appends one IPVS_CMD_NEW_DAEMON message describing d (what the kernel's
 * dump sends; the fake kernel answers with it). */
IPVS_WUR int ipvs_sync_msg_build(struct buf *b, uint16_t family, uint32_t seq, uint16_t flags,
				 const struct ipvs_sync_daemon *d);
/* Parses the attributes of one daemon message: 0, or -EINVAL when
 * malformed or without IPVS_CMD_ATTR_DAEMON. */
IPVS_WUR int ipvs_sync_msg_parse(const void *attrs, size_t len, struct ipvs_sync_daemon *d);

/* Keys and comparisons shared by table and plan. */
int ipvs_service_key_equal(const struct ipvs_service *a, const struct ipvs_service *b);
int ipvs_service_attrs_equal(const struct ipvs_service *a, const struct ipvs_service *b);
int ipvs_dest_key_equal(const struct ipvs_dest *a, const struct ipvs_dest *b);
int ipvs_dest_attrs_equal(const struct ipvs_dest *a, const struct ipvs_dest *b);
uint64_t ipvs_service_key_hash(const struct ipvs_service *s);

void ipvs_set_err(struct ipvs *h, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The kernel's value of a forwarding method and back. */
uint32_t ipvs_fwd_to_kernel(enum ipvs_fwd f);
enum ipvs_fwd ipvs_fwd_from_kernel(uint32_t v);

#endif
