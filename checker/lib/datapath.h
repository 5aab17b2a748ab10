/* SPDX-License-Identifier: Apache-2.0 */
/* datapath.h - the VIP data-path probe.  For a real server the checker owns
 * a private firewall-mark IPVS service (mark from a configured range) whose
 * only destination is that server, DR forwarding.  A probe socket carrying
 * that mark (SO_MARK), bound to the director's own address toward the
 * server, connects to VIP:port: IPVS's local-output hook rewrites the MAC
 * and the probe reaches exactly that server, addressed to the VIP like
 * client traffic; the server answers from the VIP straight back.
 *
 * Only marked probe sockets match these services, so they never carry
 * client traffic. */
#ifndef DSRKIT_CHECKER_DATAPATH_H
#define DSRKIT_CHECKER_DATAPATH_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "bounded/buf.h"
#include "bounded/ipaddr.h"
#include "checker/lib/http_resp.h"
#include "checker/lib/verdict-t.h"

#define DATAPATH_MARK_BASE_DEFAULT  0x44530000u  /* "DS" */
#define DATAPATH_MARK_COUNT_DEFAULT 4096u

struct ipvs;

struct datapath_cfg {
	uint32_t mark_base;      /* first mark of our range */
	uint32_t mark_count;     /* marks in the range */
	int set_sysctls;         /* set accept_local=1 (and loose rp_filter) instead of only explaining */
};

/* A probe service: one real server, one mark. */
struct datapath_svc {
	struct ip_addr rs;
	uint32_t mark;
};

/* Remove every fwmark service in [base, base + count): leftovers of a
 * checker that crashed.  Returns the number removed, or -errno. */
__attribute__((warn_unused_result))
int datapath_cleanup(struct ipvs *h, const struct datapath_cfg *cfg);

/* Create the probe service for rs with a free mark of the range, starting
 * at the one derived from `hint` (stable per real server).  A mark in use by
 * another service is skipped.  Returns 0 and fills *svc, or -errno with a
 * reason in err. */
__attribute__((warn_unused_result))
int datapath_svc_create(struct ipvs *h, const struct datapath_cfg *cfg, const struct ip_addr *rs,
			uint32_t hint, struct datapath_svc *svc, char *err, size_t errlen);

/* Remove it (not found counts as removed). */
__attribute__((warn_unused_result))
int datapath_svc_remove(struct ipvs *h, const struct datapath_svc *svc);

/* The director's source address toward rs, and its interface.  Then check
 * (and with cfg->set_sysctls, set) what the reply from the VIP needs:
 * net.ipv4.conf.IF.accept_local=1 and rp_filter not strict (1).  Returns 0
 * when ready, -EPERM/-errno otherwise with the explanation in why. */
__attribute__((warn_unused_result))
int datapath_prepare(const struct datapath_cfg *cfg, const struct ip_addr *rs, struct ip_addr *src,
		     char *iface, size_t iface_len, char *why, size_t whylen);

enum datapath_kind {
	DATAPATH_TCP,      /* a TCP handshake through the VIP */
	DATAPATH_TLS,      /* and a TLS handshake (no certificate check: the path is what is probed) */
	DATAPATH_HTTP,     /* and an HTTP request, the status must match */
	DATAPATH_HTTPS,
	DATAPATH_KIND_COUNT
};

struct datapath_probe {
	enum datapath_kind kind;
	int fd;
	SSL_CTX *ctx;             /* borrowed, for TLS kinds */
	SSL *ssl;
	int state;
	struct buf out;
	size_t out_off;
	struct http_resp resp;
	unsigned want_status;
	struct verdict result;
};

/* Start a probe of vip:port with the mark of svc, from src.  path and
 * want_status are for the HTTP kinds.  Returns like datapath_probe_step. */
int datapath_probe_start(struct datapath_probe *p, enum datapath_kind kind, SSL_CTX *ctx,
			 const struct datapath_svc *svc, const struct ip_addr *src, const struct ip_addr *vip,
			 uint16_t port, const char *path, unsigned want_status);

/* Returns 1 (wait to read on p->fd), 2 (wait to write), 3 (done: p->result
 * healthy) or 4 (failed: p->result says why, layer datapath). */
int datapath_probe_step(struct datapath_probe *p);

/* The deadline passed. */
void datapath_probe_timeout(struct datapath_probe *p, unsigned timeout_ms);

void datapath_probe_free(struct datapath_probe *p);

const char *datapath_kind_name(enum datapath_kind k);
__attribute__((warn_unused_result))
int datapath_kind_parse(const char *s, enum datapath_kind *out);

#endif
