/* SPDX-License-Identifier: Apache-2.0 */
/* apply_stamp.h - what a whole-file `dsrctl apply` remembers so that the
 * next one need not parse an unchanged file nor read the kernel's table
 * back: a digest of the file's bytes, a fingerprint of the kernel's table
 * as it left it, and one digest per service it applied (see apply_stamp.c
 * for what the fingerprint covers and why). */
#ifndef DSRKIT_DSRCTL_APPLY_STAMP_H
#define DSRKIT_DSRCTL_APPLY_STAMP_H

#include <stddef.h>
#include <stdint.h>

#include "dsrkit/ipvs.h"

struct apply_stamp {
	uint64_t file_digest, file_size;
	uint64_t kernel;            /* kernel_fingerprint after the apply */
	uint64_t services;          /* in the file */
	size_t n;                   /* records */
	struct apply_rec *recs;     /* sorted by key */
};

/* FNV-1a 64 of the file's bytes, read through a small buffer.  0, -EXDEV
 * when the file includes others (its digest alone says nothing), or -errno. */
__attribute__((warn_unused_result))
int file_fingerprint(const char *path, uint64_t *digest, uint64_t *size);

/* A digest of the IPVS services of ipvs's network namespace, from one
 * dump of the services (no destinations).  0 or -errno (ipvs_errmsg). */
__attribute__((warn_unused_result))
int kernel_fingerprint(struct ipvs *ipvs, uint64_t *out);

/* Digest of service i of t: its attributes and its destinations'. */
uint64_t service_digest(const struct ipvs_table *t, size_t i);

/* Read path into st (st->recs owned by st: apply_stamp_free).  0, or a
 * negative errno (missing, unreadable, not ours: compare everything). */
__attribute__((warn_unused_result))
int apply_stamp_read(const char *path, struct apply_stamp *st);

/* Digest of service s in st, 1 if found, 0 if not. */
int apply_stamp_find(const struct apply_stamp *st, const struct ipvs_service *s, uint64_t *digest);

/* The services of st that t does not hold (keys only), in a new table. */
struct ipvs_table *apply_stamp_missing(const struct apply_stamp *st, const struct ipvs_table *t);

/* Write the stamp of table t (temporary file + rename, 0600).  0 or -errno. */
__attribute__((warn_unused_result))
int apply_stamp_write(const char *path, const struct ipvs_table *t, uint64_t file_digest, uint64_t file_size,
		      uint64_t kernel);

void apply_stamp_free(struct apply_stamp *st);

#endif
