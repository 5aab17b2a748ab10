/* SPDX-License-Identifier: Apache-2.0 */
/* webconf.h - the web configuration file of dsr-checkd's status endpoint,
 * in the format of node_exporter's --web.config.file (Prometheus
 * exporter-toolkit), so operators reuse the file they have:
 *
 *   tls_server_config:
 *     cert_file: server.crt          # relative paths: from the file's folder
 *     key_file: server.key
 *     client_auth_type: RequireAndVerifyClientCert   # NoClientCert (default),
 *         # RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven
 *     client_ca_file: ca.crt
 *     min_version: TLS12             # TLS10..TLS13 (default TLS12)
 *     max_version: TLS13
 *   basic_auth_users:
 *     prometheus: $2y$10$...         # bcrypt hashes (htpasswd -nBC 10 USER)
 *
 * Read with libyaml (aliases refused), every error as "file:line: what";
 * keys of that format dsrkit does not implement (cipher_suites,
 * curve_preferences, http_server_config, ...) are refused by name rather
 * than ignored.  Passwords are checked with libxcrypt's crypt_rn(). */
#ifndef DSRKIT_CHECKER_CHECKD_WEBCONF_H
#define DSRKIT_CHECKER_CHECKD_WEBCONF_H

#include <stddef.h>
#include <stdint.h>

#define WEBCONF_FILE_MAX  (64u << 10)
#define WEBCONF_PATH_MAX  1024
#define WEBCONF_USERS_MAX 256
#define WEBCONF_NAME_MAX  128
#define WEBCONF_HASH_MAX  128
#define WEBCONF_BCRYPT_COST_MAX 12   /* 2^12 rounds: ~0.2 s of the loop per new password check */

enum webconf_client_auth {
	WEBCONF_NO_CLIENT_CERT = 0,
	WEBCONF_REQUEST_CLIENT_CERT,
	WEBCONF_REQUIRE_ANY_CLIENT_CERT,
	WEBCONF_VERIFY_CLIENT_CERT_IF_GIVEN,
	WEBCONF_REQUIRE_AND_VERIFY_CLIENT_CERT,
	WEBCONF_CLIENT_AUTH_COUNT
};

extern const char *const webconf_client_auth_names[WEBCONF_CLIENT_AUTH_COUNT];

struct webconf_user {
	char name[WEBCONF_NAME_MAX];
	char hash[WEBCONF_HASH_MAX];
};

struct webconf {
	int tls;                              /* tls_server_config given */
	char cert_file[WEBCONF_PATH_MAX];
	char key_file[WEBCONF_PATH_MAX];
	char client_ca_file[WEBCONF_PATH_MAX];
	enum webconf_client_auth client_auth;
	int min_version, max_version;         /* 10..13 (TLS 1.x); max 0: none */
	struct webconf_user *users;
	size_t n_users;
};

/* Parse the text of a web configuration file named name (for errors and
 * to resolve relative paths).  An empty document is plain HTTP without
 * auth.  Returns 0, or -EINVAL / -ENOMEM with err = "name:line: what".
 * On success w owns its users (webconf_free). */
__attribute__((warn_unused_result))
int webconf_parse(struct webconf *w, const char *name, const char *text, size_t len, char *err, size_t errlen);

/* Read and parse path (at most WEBCONF_FILE_MAX bytes). */
__attribute__((warn_unused_result))
int webconf_load(struct webconf *w, const char *path, char *err, size_t errlen);

void webconf_free(struct webconf *w);

/* Check an Authorization header value ("Basic base64(user:password)")
 * against the users.  Returns 1 when it names a user with that password,
 * 0 otherwise (also for a malformed value).  Costs one bcrypt. */
int webconf_check_basic(const struct webconf *w, const char *value, size_t len);

#endif
