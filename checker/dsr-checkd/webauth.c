/* SPDX-License-Identifier: Apache-2.0 */
/* webauth.c - see webauth.h. */
#include "checker/dsr-checkd/webauth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

static int accept_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1;  /* RequestClientCert, RequireAnyClientCert: asked for, not verified */
}

static int tls_err(char *err, size_t errlen, const char *conf, const char *what, const char *file)
{
	unsigned long e = ERR_get_error();
	char why[256];

	ERR_error_string_n(e, why, sizeof(why));
	ERR_clear_error();
	snprintf(err, errlen, "%s: %s %s: %s", conf, what, file, e ? why : "failed");
	return -EINVAL;
}

static int make_ctx(struct checkd_webauth *a, const char *path, char *err, size_t errlen)
{
	static const int vers[] = { TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION };
	const struct webconf *w = &a->conf;
	int mode = SSL_VERIFY_NONE;

	a->ctx = SSL_CTX_new(TLS_server_method());
	if (!a->ctx)
		return -ENOMEM;
	SSL_CTX_set_min_proto_version(a->ctx, vers[w->min_version - 10]);
	if (w->max_version)
		SSL_CTX_set_max_proto_version(a->ctx, vers[w->max_version - 10]);
	if (SSL_CTX_use_certificate_chain_file(a->ctx, w->cert_file) != 1)
		return tls_err(err, errlen, path, "cert_file", w->cert_file);
	if (SSL_CTX_use_PrivateKey_file(a->ctx, w->key_file, SSL_FILETYPE_PEM) != 1)
		return tls_err(err, errlen, path, "key_file", w->key_file);
	if (SSL_CTX_check_private_key(a->ctx) != 1)
		return tls_err(err, errlen, path, "key_file does not match cert_file:", w->key_file);
	if (w->client_ca_file[0]) {
		STACK_OF(X509_NAME) *names;

		if (SSL_CTX_load_verify_locations(a->ctx, w->client_ca_file, NULL) != 1)
			return tls_err(err, errlen, path, "client_ca_file", w->client_ca_file);
		names = SSL_load_client_CA_file(w->client_ca_file);
		if (names)
			SSL_CTX_set_client_CA_list(a->ctx, names);
	}
	switch (w->client_auth) {
	case WEBCONF_NO_CLIENT_CERT:
	case WEBCONF_CLIENT_AUTH_COUNT:
		break;
	case WEBCONF_REQUEST_CLIENT_CERT:
		SSL_CTX_set_verify(a->ctx, SSL_VERIFY_PEER, accept_any);
		break;
	case WEBCONF_REQUIRE_ANY_CLIENT_CERT:
		SSL_CTX_set_verify(a->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
		break;
	case WEBCONF_VERIFY_CLIENT_CERT_IF_GIVEN:
		mode = SSL_VERIFY_PEER;
		SSL_CTX_set_verify(a->ctx, mode, NULL);
		break;
	case WEBCONF_REQUIRE_AND_VERIFY_CLIENT_CERT:
		mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
		SSL_CTX_set_verify(a->ctx, mode, NULL);
		break;
	}
	SSL_CTX_set_session_id_context(a->ctx, (const unsigned char *)"dsr-checkd-http", 15);
	SSL_CTX_set_mode(a->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
					 SSL_MODE_RELEASE_BUFFERS);
	return 0;
}

int checkd_webauth_load(struct checkd_webauth **out, const char *path, char *err, size_t errlen)
{
	struct checkd_webauth *a;
	int r;

	*out = NULL;
	if (!path || !*path)
		return 0;
	a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = webconf_load(&a->conf, path, err, errlen);
	if (r == 0 && a->conf.tls)
		r = make_ctx(a, path, err, errlen);
	if (r < 0) {
		checkd_webauth_free(a);
		return r;
	}
	*out = a;
	return 0;
}

void checkd_webauth_free(struct checkd_webauth *a)
{
	if (!a)
		return;
	SSL_CTX_free(a->ctx);
	webconf_free(&a->conf);
	OPENSSL_cleanse(a->good, sizeof(a->good));
	free(a);
}

enum webauth_result checkd_webauth_check(struct checkd_webauth *a, const char *value, size_t len, int64_t now_ms)
{
	unsigned char md[32];
	unsigned i;

	if (!a || !a->conf.n_users)
		return WEBAUTH_OK;
	if (!value || !len)
		return WEBAUTH_DENIED;
	if (!EVP_Digest(value, len, md, NULL, EVP_sha256(), NULL))
		return WEBAUTH_DENIED;
	for (i = 0; i < WEBAUTH_GOOD_MAX; i++)
		if (a->good_until[i] > now_ms && CRYPTO_memcmp(a->good[i], md, sizeof(md)) == 0)
			return WEBAUTH_OK;
	if (now_ms / 1000 != a->budget_second) {
		a->budget_second = now_ms / 1000;
		a->budget_used = 0;
	}
	if (a->budget_used >= WEBAUTH_CHECKS_PER_S)
		return WEBAUTH_BUSY;
	a->budget_used++;
	if (!webconf_check_basic(&a->conf, value, len))
		return WEBAUTH_DENIED;
	memcpy(a->good[a->good_next], md, sizeof(md));
	a->good_until[a->good_next] = now_ms + WEBAUTH_GOOD_MS;
	a->good_next = (a->good_next + 1) % WEBAUTH_GOOD_MAX;
	return WEBAUTH_OK;
}
