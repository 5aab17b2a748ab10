/* SPDX-License-Identifier: Apache-2.0 */
/* tls_crl.c - see tls_crl.h. */
#include "tlsfiles/tls_crl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

static unsigned loads; /* one thread per program: dsrkit's daemons are event loops */

static unsigned next_generation(void)
{
	if (++loads == 0)
		loads = 1;
	return loads;
}

int64_t tls_crl_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void ssl_why(char *out, size_t n)
{
	unsigned long e = ERR_get_error();

	if (e)
		ERR_error_string_n(e, out, n);
	else
		snprintf(out, n, "no PEM data");
	ERR_clear_error();
}

/* The CA of the bundle in store that signed crl, or NULL. */
static int crl_signed_by_store(X509_STORE *store, X509_CRL *crl)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
	int i;

	for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		X509 *ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		EVP_PKEY *k;

		if (!ca || X509_NAME_cmp(X509_get_subject_name(ca), X509_CRL_get_issuer(crl)) != 0)
			continue;
		k = X509_get0_pubkey(ca);
		if (k && X509_CRL_verify(crl, k) == 1)
			return 1;
	}
	ERR_clear_error();
	return 0;
}

/* A new store: CAs of ca, CRLs of path.  NULL with err. */
static X509_STORE *store_build(const char *ca, const char *path, unsigned *revoked, char *err, size_t errlen)
{
	X509_STORE *st = X509_STORE_new();
	X509_CRL *crl;
	BIO *in = NULL;
	char why[200];
	unsigned n = 0, total = 0;

	if (!st) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (X509_STORE_load_locations(st, ca, NULL) != 1) {
		ssl_why(why, sizeof(why));
		snprintf(err, errlen, "cannot load CA file %s: %s", ca, why);
		goto fail;
	}
	in = BIO_new_file(path, "r");
	if (!in) {
		snprintf(err, errlen, "cannot read CRL file %s: %s", path, strerror(errno ? errno : EIO));
		ERR_clear_error();
		goto fail;
	}
	while ((crl = PEM_read_bio_X509_CRL(in, NULL, NULL, NULL)) != NULL) {
		STACK_OF(X509_REVOKED) *rev = X509_CRL_get_REVOKED(crl);

		if (!crl_signed_by_store(st, crl)) {
			snprintf(err, errlen, "CRL file %s: CRL %u is not signed by a CA of %s", path, n + 1, ca);
			X509_CRL_free(crl);
			goto fail;
		}
		if (X509_STORE_add_crl(st, crl) != 1) {
			ssl_why(why, sizeof(why));
			snprintf(err, errlen, "CRL file %s: %s", path, why);
			X509_CRL_free(crl);
			goto fail;
		}
		total += rev ? (unsigned)sk_X509_REVOKED_num(rev) : 0;
		X509_CRL_free(crl); /* the store holds its own reference */
		n++;
	}
	ERR_clear_error(); /* the end of the PEM stream */
	if (n == 0) {
		snprintf(err, errlen, "CRL file %s holds no CRL (PEM \"X509 CRL\")", path);
		goto fail;
	}
	BIO_free(in);
	/* the peer's certificate must be covered by a CRL of its issuer */
	X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	*revoked = total;
	return st;
fail:
	BIO_free(in);
	X509_STORE_free(st);
	return NULL;
}

static void file_id(const struct stat *st, uint64_t *dev, uint64_t *ino, uint64_t *size, int64_t *mtime_ns)
{
	*dev = (uint64_t)st->st_dev;
	*ino = (uint64_t)st->st_ino;
	*size = (uint64_t)st->st_size;
	*mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

int tls_crl_load(struct tls_crl *c, SSL_CTX *ctx, const char *ca, const char *path, char *err, size_t errlen)
{
	struct stat st;
	X509_STORE *store;
	unsigned revoked = 0;

	memset(c, 0, sizeof(*c));
	if (!path || !*path)
		return 0;
	if (strlen(ca) >= sizeof(c->ca) || strlen(path) >= sizeof(c->path)) {
		snprintf(err, errlen, "CRL or CA path too long");
		return -ENAMETOOLONG;
	}
	if (stat(path, &st) < 0) {
		int e = errno;

		snprintf(err, errlen, "CRL file %s: %s", path, strerror(e));
		return -e;
	}
	store = store_build(ca, path, &revoked, err, errlen);
	if (!store)
		return -EINVAL;
	SSL_CTX_set_cert_store(ctx, store);
	snprintf(c->ca, sizeof(c->ca), "%s", ca);
	snprintf(c->path, sizeof(c->path), "%s", path);
	file_id(&st, &c->dev, &c->ino, &c->size, &c->mtime_ns);
	c->next_check_ms = tls_crl_clock_ms() + TLS_CRL_CHECK_MS;
	c->generation = next_generation();
	c->revoked = revoked;
	return 0;
}

int tls_crl_refresh(struct tls_crl *c, SSL_CTX *ctx, int64_t now_ms, char *err, size_t errlen)
{
	struct stat st;
	X509_STORE *store;
	uint64_t dev, ino, size;
	int64_t mtime_ns;
	unsigned revoked = 0;

	if (!c->path[0] || now_ms < c->next_check_ms)
		return 0;
	c->next_check_ms = now_ms + TLS_CRL_CHECK_MS;
	if (stat(c->path, &st) < 0) {
		int e = errno;

		/* being replaced (rename) or removed: the loaded CRL stays */
		if (c->ino == 0)
			return 0;
		c->ino = 0;
		snprintf(err, errlen, "CRL file %s: %s; the CRL loaded before stays in force", c->path, strerror(e));
		return -e;
	}
	file_id(&st, &dev, &ino, &size, &mtime_ns);
	if (dev == c->dev && ino == c->ino && size == c->size && mtime_ns == c->mtime_ns)
		return 0;
	c->dev = dev;
	c->ino = ino;
	c->size = size;
	c->mtime_ns = mtime_ns;
	store = store_build(c->ca, c->path, &revoked, err, errlen);
	if (!store) {
		size_t l = strlen(err);

		snprintf(err + l, errlen - l, "; the CRL loaded before stays in force");
		return -EINVAL;
	}
	SSL_CTX_set_cert_store(ctx, store);
	c->generation = next_generation();
	c->revoked = revoked;
	return 1;
}

void tls_crl_server_forget_sessions(SSL_CTX *ctx)
{
	unsigned char keys[80];

	/* tickets sealed with the old keys no longer decrypt: full handshakes */
	if (RAND_bytes(keys, sizeof(keys)) == 1)
		(void)SSL_CTX_set_tlsext_ticket_keys(ctx, keys, sizeof(keys));
	/* every session whose lifetime ends before ten years from now: all */
	SSL_CTX_flush_sessions(ctx, (long)time(NULL) + 10L * 366 * 86400);
	OPENSSL_cleanse(keys, sizeof(keys));
}
