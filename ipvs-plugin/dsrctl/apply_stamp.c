/* SPDX-License-Identifier: Apache-2.0 */
/* apply_stamp.c - see apply_stamp.h.
 *
 * The kernel fingerprint.  IPVS keeps no generation counter, and reading
 * the table back over netlink takes a dump of the services and one dump per
 * service for its destinations (a netlink socket runs one dump at a time:
 * ~3 system calls each, 10,000 services ~30,000 calls).  What a whole-file
 * apply must know is whether the services are still those it left: a
 * service it did not change in the file is trusted (its destinations are
 * not compared, as before: `--full` does that), a service changed in the
 * file is read back from the kernel anyway.  The fingerprint is one dump of
 * the services over generic netlink (no destinations), each service's
 * attributes hashed as they arrive: protocol, address and port or fwmark,
 * scheduler, flags (sh-port, one-packet...), persistence timeout, netmask
 * and engine.  It was a read of /proc/net/ip_vs, which lists every
 * destination too and comes a page per read(2): at 10,000 services 2.5 MB
 * of text in 620 calls, 0.2 s in the lab's User-Mode Linux, the largest
 * cost of a whole-file apply after the parse.  A service added, deleted or
 * edited by someone else (keepalived, ipvsadm -A/-D/-E) changes the
 * fingerprint, and the apply then compares every service with a netlink
 * dump, as it did without a stamp.  Destinations are left out: keepalived
 * changes weights all the time, and they were never compared for an
 * unchanged service; `--full` compares them. */
#include "ipvs-plugin/dsrctl/apply_stamp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "DSRAPL2" /* 1: the /proc/net/ip_vs fingerprint */
#define CHUNK (64 * 1024)
#define FNV_OFF 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define STAMP_MAX_RECS (1u << 22)

struct apply_rec {
	uint16_t af, protocol, port, pad;
	uint32_t fwmark, pad2;
	uint8_t addr[16];
	uint64_t digest;
};
#define KEY_LEN offsetof(struct apply_rec, digest)

struct header {
	char magic[8];
	uint64_t file_digest, file_size, kernel, services, n;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

static uint64_t hash_u64(uint64_t h, uint64_t v)
{
	return fnv(h, &v, sizeof(v));
}

/* read(2), again after a signal; the bytes read, 0 at the end, or -errno. */
static ssize_t read_some(int fd, void *b, size_t n)
{
	ssize_t r;

	do
		r = read(fd, b, n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

/* An "include" at the start of a line (after blanks): the digest of this
 * file alone does not cover the configuration.  Crude on purpose: a false
 * positive only costs the shortcut.  *bol: at a line's start (across
 * chunks; a word cut by a chunk's end is missed only if it is cut). */
static int has_include(const char *b, size_t n, int *bol)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] == '\n') {
			*bol = 1;
		} else if (*bol && (b[i] == ' ' || b[i] == '\t')) {
			continue;
		} else if (*bol) {
			*bol = 0;
			if (b[i] == 'i' && (n - i < 7 || !memcmp(b + i, "include", 7)))
				return 1;
		}
	}
	return 0;
}

int file_fingerprint(const char *path, uint64_t *digest, uint64_t *size)
{
	static char buf[CHUNK];
	uint64_t h = FNV_OFF, total = 0;
	int includes = 0, bol = 1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r = read_some(fd, buf, sizeof(buf));

		if (r < 0) {
			close(fd);
			return (int)r;
		}
		if (r == 0)
			break;
		h = fnv(h, buf, (size_t)r);
		total += (uint64_t)r;
		if (!includes)
			includes = has_include(buf, (size_t)r, &bol);
	}
	close(fd);
	if (includes)
		return -EXDEV; /* other files are part of it */
	*digest = h;
	*size = total;
	return 0;
}

static void rec_key(struct apply_rec *r, const struct ipvs_service *s)
{
	memset(r, 0, sizeof(*r));
	r->af = (uint16_t)s->af;
	r->protocol = s->protocol;
	r->port = s->port;
	r->fwmark = s->fwmark;
	if (s->fwmark) { /* a fwmark service's key is its family and mark */
		r->protocol = r->port = 0;
		return;
	}
	memcpy(r->addr, &s->addr, s->af == AF_INET6 ? 16 : 4);
}

/* A service's key and what ipvs_service_attrs_equal compares (settable
 * flags only: the kernel adds HASHED), into h: the kernel fingerprint
 * and the per-service digests alike */
static uint64_t hash_service_attrs(uint64_t h, const struct ipvs_service *s)
{
	struct apply_rec k;

	rec_key(&k, s);
	h = fnv(h, &k, KEY_LEN);
	h = fnv(h, s->sched, strnlen(s->sched, sizeof(s->sched)));
	h = hash_u64(h, (uint64_t)(s->flags & IPVS_SVC_F_MASK) << 32 | s->timeout);
	h = hash_u64(h, s->netmask);
	return fnv(h, s->pe, strnlen(s->pe, sizeof(s->pe)));
}

/* One service of the dump into the hash (hash_service_attrs) */
static int hash_service(const struct ipvs_service *s, void *arg)
{
	uint64_t *h = arg;

	*h = hash_u64(hash_service_attrs(*h, s), 0x5e7u); /* end of a service */
	return 0;
}

int kernel_fingerprint(struct ipvs *ipvs, uint64_t *out)
{
	uint64_t h = FNV_OFF;
	int r = ipvs_service_walk(ipvs, hash_service, &h);

	if (r < 0)
		return r;
	*out = h;
	return 0;
}

uint64_t service_digest(const struct ipvs_table *t, size_t i)
{
	const struct ipvs_service *s = ipvs_table_service(t, i);
	uint64_t h = hash_service_attrs(FNV_OFF, s);
	size_t j;

	for (j = 0; j < ipvs_table_dest_count(t, i); j++) {
		const struct ipvs_dest *d = ipvs_table_dest(t, i, j);
		int af = d->af ? d->af : s->af;

		h = hash_u64(h, ((uint64_t)(unsigned)af << 32) | ((uint64_t)d->port << 16) | (uint64_t)d->fwd);
		h = fnv(h, &d->addr, af == AF_INET6 ? 16 : 4);
		h = hash_u64(h, ((uint64_t)(uint32_t)d->weight << 32) | d->u_threshold);
		h = hash_u64(h, ((uint64_t)d->l_threshold << 32) | ((uint64_t)d->tun_type << 24) |
					((uint64_t)d->tun_port << 8));
		h = hash_u64(h, d->tun_flags);
	}
	return h;
}

static int rec_cmp(const void *a, const void *b)
{
	return memcmp(a, b, KEY_LEN);
}

void apply_stamp_free(struct apply_stamp *st)
{
	free(st->recs);
	st->recs = NULL;
	st->n = 0;
}

int apply_stamp_read(const char *path, struct apply_stamp *st)
{
	struct header h;
	struct stat sb;
	size_t want;
	ssize_t r;
	int fd;

	memset(st, 0, sizeof(*st));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* root's memory of what it applied: a file only root could have written */
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid() || (sb.st_mode & 022) ||
	    read(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) || memcmp(h.magic, MAGIC, sizeof(h.magic)) ||
	    h.n > STAMP_MAX_RECS || (uint64_t)sb.st_size != sizeof(h) + h.n * sizeof(struct apply_rec)) {
		close(fd);
		return -EINVAL;
	}
	want = (size_t)h.n * sizeof(struct apply_rec);
	st->recs = malloc(want ? want : 1);
	if (!st->recs) {
		close(fd);
		return -ENOMEM;
	}
	r = want ? read(fd, st->recs, want) : 0;
	close(fd);
	if (r != (ssize_t)want) {
		apply_stamp_free(st);
		return -EINVAL;
	}
	st->file_digest = h.file_digest;
	st->file_size = h.file_size;
	st->kernel = h.kernel;
	st->services = h.services;
	st->n = (size_t)h.n;
	return 0;
}

int apply_stamp_find(const struct apply_stamp *st, const struct ipvs_service *s, uint64_t *digest)
{
	struct apply_rec k;
	const struct apply_rec *r;

	rec_key(&k, s);
	r = bsearch(&k, st->recs, st->n, sizeof(*r), rec_cmp);
	if (!r)
		return 0;
	*digest = r->digest;
	return 1;
}

struct ipvs_table *apply_stamp_missing(const struct apply_stamp *st, const struct ipvs_table *t)
{
	struct ipvs_table *out = ipvs_table_new();
	size_t i;

	for (i = 0; out && i < st->n; i++) {
		const struct apply_rec *r = &st->recs[i];
		struct ipvs_service s;

		memset(&s, 0, sizeof(s));
		s.af = r->af;
		s.protocol = r->protocol;
		s.port = r->port;
		s.fwmark = r->fwmark;
		memcpy(&s.addr, r->addr, s.af == AF_INET6 ? 16 : 4);
		if (ipvs_table_service_find(t, &s) >= 0)
			continue;
		if (ipvs_table_service_add(out, &s) < 0) {
			ipvs_table_free(out);
			return NULL;
		}
	}
	return out;
}

int apply_stamp_write(const char *path, const struct ipvs_table *t, uint64_t file_digest, uint64_t file_size,
		      uint64_t kernel)
{
	size_t i, n = ipvs_table_service_count(t);
	struct apply_rec *recs = calloc(n ? n : 1, sizeof(*recs));
	struct header h;
	char tmp[600];
	ssize_t w1, w2;
	int fd, r = 0;

	if (!recs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		rec_key(&recs[i], ipvs_table_service(t, i));
		recs[i].digest = service_digest(t, i);
	}
	qsort(recs, n, sizeof(*recs), rec_cmp);
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, MAGIC, sizeof(h.magic));
	h.file_digest = file_digest;
	h.file_size = file_size;
	h.kernel = kernel;
	h.services = n;
	h.n = n;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(recs);
		return -errno;
	}
	w1 = write(fd, &h, sizeof(h));
	w2 = n ? write(fd, recs, n * sizeof(*recs)) : 0;
	if (w1 != (ssize_t)sizeof(h) || w2 != (ssize_t)(n * sizeof(*recs)))
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	free(recs);
	return r;
}
