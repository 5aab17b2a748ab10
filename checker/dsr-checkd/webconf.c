/* SPDX-License-Identifier: Apache-2.0 */
/* webconf.c - see webconf.h.  libyaml's event parser: the file is two
 * levels of mappings of scalars, walked event by event, each error with
 * the line libyaml marks. */
#include "checker/dsr-checkd/webconf.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include <openssl/crypto.h>

const char *const webconf_client_auth_names[WEBCONF_CLIENT_AUTH_COUNT] = {
	[WEBCONF_NO_CLIENT_CERT] = "NoClientCert",
	[WEBCONF_REQUEST_CLIENT_CERT] = "RequestClientCert",
	[WEBCONF_REQUIRE_ANY_CLIENT_CERT] = "RequireAnyClientCert",
	[WEBCONF_VERIFY_CLIENT_CERT_IF_GIVEN] = "VerifyClientCertIfGiven",
	[WEBCONF_REQUIRE_AND_VERIFY_CLIENT_CERT] = "RequireAndVerifyClientCert",
};

struct walk {
	yaml_parser_t p;
	yaml_event_t ev;
	int have_ev;
	const char *name;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct walk *w, size_t line0, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(w->err, w->errlen, "%s:%zu: ", w->name, line0 + 1);
	if (n < 0 || (size_t)n >= w->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(w->err + n, w->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The next event into w->ev (the previous one freed).  0 or -EINVAL. */
static int next(struct walk *w)
{
	if (w->have_ev)
		yaml_event_delete(&w->ev);
	w->have_ev = 0;
	if (!yaml_parser_parse(&w->p, &w->ev))
		return fail(w, w->p.problem_mark.line, "not valid YAML: %s%s%s", w->p.problem ? w->p.problem : "error",
			    w->p.context ? " " : "", w->p.context ? w->p.context : "");
	w->have_ev = 1;
	if (w->ev.type == YAML_ALIAS_EVENT)
		return fail(w, w->ev.start_mark.line, "YAML aliases are not accepted here");
	return 0;
}

static size_t line_of(const struct walk *w)
{
	return w->ev.start_mark.line;
}

static int is_null_scalar(const yaml_event_t *e)
{
	const char *v = (const char *)e->data.scalar.value;

	return e->type == YAML_SCALAR_EVENT && e->data.scalar.plain_implicit &&
	       (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"));
}

/* The current event must be a scalar of at most cap-1 bytes: copy it. */
static int scalar_copy(struct walk *w, const char *key, char *dst, size_t cap)
{
	size_t n;

	if (w->ev.type != YAML_SCALAR_EVENT)
		return fail(w, line_of(w), "%s wants a single value", key);
	n = w->ev.data.scalar.length;
	if (n >= cap)
		return fail(w, line_of(w), "%s is longer than %zu bytes", key, cap - 1);
	if (memchr(w->ev.data.scalar.value, '\0', n))
		return fail(w, line_of(w), "%s contains a NUL byte", key);
	memcpy(dst, w->ev.data.scalar.value, n);
	dst[n] = '\0';
	return 0;
}

static int tls_version(struct walk *w, const char *key, int *out)
{
	static const char *const names[] = { "TLS10", "TLS11", "TLS12", "TLS13" };
	char v[16];
	size_t i;
	int r = scalar_copy(w, key, v, sizeof(v));

	if (r < 0)
		return fail(w, line_of(w), "%s is not one of TLS10, TLS11, TLS12, TLS13", key);
	for (i = 0; i < 4; i++)
		if (!strcmp(v, names[i])) {
			*out = 10 + (int)i;
			return 0;
		}
	return fail(w, line_of(w), "%s '%s' is not one of TLS10, TLS11, TLS12, TLS13", key, v);
}

/* Relative paths are from the folder of the web configuration file, as
 * exporter-toolkit has them. */
static int resolve(struct walk *w, size_t line, const char *key, char *path, size_t cap)
{
	const char *slash = strrchr(w->name, '/');
	char tmp[WEBCONF_PATH_MAX];
	int n;

	if (!*path)
		return fail(w, line, "%s is empty", key);
	if (path[0] == '/' || !slash)
		return 0;
	n = snprintf(tmp, sizeof(tmp), "%.*s/%s", (int)(slash - w->name), w->name, path);
	if (n < 0 || (size_t)n >= sizeof(tmp) || (size_t)n >= cap)
		return fail(w, line, "%s: the path from the file's folder is too long", key);
	memcpy(path, tmp, (size_t)n + 1);
	return 0;
}

/* tls_server_config: the current event is its value. */
static int parse_tls(struct walk *w, struct webconf *c)
{
	unsigned seen = 0;
	size_t section_line = line_of(w);
	char key[64];
	int r;

	if (is_null_scalar(&w->ev))
		return 0;
	if (w->ev.type != YAML_MAPPING_START_EVENT)
		return fail(w, line_of(w), "tls_server_config wants a mapping (cert_file: ..., key_file: ...)");
	c->tls = 1;
	for (;;) {
		size_t kl, bit;
		static const char *const keys[] = { "cert_file", "key_file", "client_ca_file", "client_auth_type",
						    "min_version", "max_version" };

		if ((r = next(w)) < 0)
			return r;
		if (w->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (w->ev.type != YAML_SCALAR_EVENT || w->ev.data.scalar.length >= sizeof(key))
			return fail(w, line_of(w), "tls_server_config: a key must be a short name");
		memcpy(key, w->ev.data.scalar.value, w->ev.data.scalar.length + 1);
		kl = line_of(w);
		for (bit = 0; bit < sizeof(keys) / sizeof(keys[0]) && strcmp(key, keys[bit]); bit++)
			;
		if (bit == sizeof(keys) / sizeof(keys[0]))
			return fail(w, kl,
				    "tls_server_config: '%s' is not supported by dsr-checkd (it knows cert_file, key_file, "
				    "client_auth_type, client_ca_file, min_version, max_version)",
				    key);
		if (seen & (1u << bit))
			return fail(w, kl, "tls_server_config: %s given twice", key);
		seen |= 1u << bit;
		if ((r = next(w)) < 0)
			return r;
		switch (bit) {
		case 0:
			r = scalar_copy(w, key, c->cert_file, sizeof(c->cert_file));
			if (!r)
				r = resolve(w, kl, key, c->cert_file, sizeof(c->cert_file));
			break;
		case 1:
			r = scalar_copy(w, key, c->key_file, sizeof(c->key_file));
			if (!r)
				r = resolve(w, kl, key, c->key_file, sizeof(c->key_file));
			break;
		case 2:
			r = scalar_copy(w, key, c->client_ca_file, sizeof(c->client_ca_file));
			if (!r)
				r = resolve(w, kl, key, c->client_ca_file, sizeof(c->client_ca_file));
			break;
		case 3: {
			char v[64];
			size_t a;

			r = scalar_copy(w, key, v, sizeof(v));
			if (r < 0)
				break;
			for (a = 0; a < WEBCONF_CLIENT_AUTH_COUNT && strcmp(v, webconf_client_auth_names[a]); a++)
				;
			if (a == WEBCONF_CLIENT_AUTH_COUNT)
				r = fail(w, kl,
					 "client_auth_type '%s' is not NoClientCert, RequestClientCert, RequireAnyClientCert, "
					 "VerifyClientCertIfGiven or RequireAndVerifyClientCert",
					 v);
			else
				c->client_auth = (enum webconf_client_auth)a;
			break;
		}
		case 4:
			r = tls_version(w, key, &c->min_version);
			break;
		default:
			r = tls_version(w, key, &c->max_version);
			break;
		}
		if (r < 0)
			return r;
	}
	if (!(seen & 1u))
		return fail(w, section_line, "tls_server_config: cert_file is missing");
	if (!(seen & 2u))
		return fail(w, section_line, "tls_server_config: key_file is missing");
	if ((c->client_auth == WEBCONF_VERIFY_CLIENT_CERT_IF_GIVEN ||
	     c->client_auth == WEBCONF_REQUIRE_AND_VERIFY_CLIENT_CERT) && !c->client_ca_file[0])
		return fail(w, section_line, "tls_server_config: client_auth_type %s needs client_ca_file",
			    webconf_client_auth_names[c->client_auth]);
	if (c->client_ca_file[0] && c->client_auth == WEBCONF_NO_CLIENT_CERT)
		return fail(w, section_line,
			    "tls_server_config: client_ca_file given, but client_auth_type is NoClientCert (the CA "
			    "would never be used)");
	if (c->max_version && c->max_version < c->min_version)
		return fail(w, section_line, "tls_server_config: max_version is below min_version");
	return 0;
}

/* "$2a$" / "$2b$" / "$2y$", a two-digit cost, "$", 22 characters of salt
 * and 31 of hash in bcrypt's base64: the cost, or -1. */
static int bcrypt_valid(const char *h)
{
	static const char alphabet[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	int cost;
	size_t i;

	if (strlen(h) != 60 || h[0] != '$' || h[1] != '2' || !strchr("aby", h[2]) || !h[2] || h[3] != '$' ||
	    h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9' || h[6] != '$')
		return -1;
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	if (cost < 4 || cost > 31)
		return -1;
	for (i = 7; i < 60; i++)
		if (!strchr(alphabet, h[i]) || !h[i])
			return -1;
	return cost;
}

/* basic_auth_users: the current event is its value. */
static int parse_users(struct walk *w, struct webconf *c)
{
	int r;

	if (is_null_scalar(&w->ev))
		return 0;
	if (w->ev.type != YAML_MAPPING_START_EVENT)
		return fail(w, line_of(w), "basic_auth_users wants a mapping (name: bcrypt hash)");
	for (;;) {
		struct webconf_user *u;
		size_t i, kl;

		if ((r = next(w)) < 0)
			return r;
		if (w->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (c->n_users == WEBCONF_USERS_MAX)
			return fail(w, line_of(w), "basic_auth_users: more than %u users", WEBCONF_USERS_MAX);
		if (!c->users) {
			c->users = calloc(WEBCONF_USERS_MAX, sizeof(*c->users));
			if (!c->users)
				return -ENOMEM;
		}
		u = &c->users[c->n_users];
		kl = line_of(w);
		if (w->ev.type != YAML_SCALAR_EVENT)
			return fail(w, kl, "basic_auth_users: a user name must be a single value");
		if ((r = scalar_copy(w, "a user name", u->name, sizeof(u->name))) < 0)
			return r;
		if (!u->name[0] || strchr(u->name, ':'))
			return fail(w, kl, "basic_auth_users: user name '%s' is empty or has a ':'", u->name);
		for (i = 0; i < c->n_users; i++)
			if (!strcmp(c->users[i].name, u->name))
				return fail(w, kl, "basic_auth_users: user '%s' given twice", u->name);
		if ((r = next(w)) < 0)
			return r;
		if ((r = scalar_copy(w, "a password hash", u->hash, sizeof(u->hash))) < 0)
			return r;
		/* bcrypt only, as exporter-toolkit: a plain-text password or
		 * another scheme is refused, not compared */
		if ((r = bcrypt_valid(u->hash)) < 0)
			return fail(w, line_of(w), "basic_auth_users: the hash of '%s' is not a bcrypt hash "
				    "($2y$10$ and 53 characters, from htpasswd -nBC 10 %s)", u->name, u->name);
		if (r > WEBCONF_BCRYPT_COST_MAX)
			return fail(w, line_of(w), "basic_auth_users: the hash of '%s' has cost %d: more than %d would "
				    "stall dsr-checkd's event loop at each new password check", u->name, r,
				    WEBCONF_BCRYPT_COST_MAX);
		c->n_users++;
	}
}

static int parse_doc(struct walk *w, struct webconf *c)
{
	unsigned seen = 0;
	int r;

	if ((r = next(w)) < 0)
		return r;
	if (w->ev.type != YAML_STREAM_START_EVENT)
		return fail(w, line_of(w), "not a YAML stream");
	if ((r = next(w)) < 0)
		return r;
	if (w->ev.type == YAML_STREAM_END_EVENT)
		return 0;  /* an empty file: plain HTTP */
	if ((r = next(w)) < 0)
		return r;
	if (is_null_scalar(&w->ev)) {
		/* an empty document */
	} else if (w->ev.type != YAML_MAPPING_START_EVENT) {
		return fail(w, line_of(w), "the file must be a mapping (tls_server_config:, basic_auth_users:)");
	} else {
		for (;;) {
			const char *k;

			if ((r = next(w)) < 0)
				return r;
			if (w->ev.type == YAML_MAPPING_END_EVENT)
				break;
			if (w->ev.type != YAML_SCALAR_EVENT)
				return fail(w, line_of(w), "a key must be a name");
			k = (const char *)w->ev.data.scalar.value;
			if (!strcmp(k, "tls_server_config") || !strcmp(k, "basic_auth_users")) {
				unsigned bit = k[0] == 't' ? 1u : 2u;

				if (seen & bit)
					return fail(w, line_of(w), "%s given twice", k);
				seen |= bit;
				if ((r = next(w)) < 0)
					return r;
				r = bit == 1u ? parse_tls(w, c) : parse_users(w, c);
				if (r < 0)
					return r;
				continue;
			}
			return fail(w, line_of(w),
				    "'%.64s' is not supported by dsr-checkd (it knows tls_server_config and "
				    "basic_auth_users)",
				    k);
		}
	}
	if ((r = next(w)) < 0)
		return r;
	if (w->ev.type != YAML_DOCUMENT_END_EVENT)
		return fail(w, line_of(w), "unexpected content after the mapping");
	if ((r = next(w)) < 0)
		return r;
	if (w->ev.type != YAML_STREAM_END_EVENT)
		return fail(w, line_of(w), "one YAML document only");
	return 0;
}

int webconf_parse(struct webconf *c, const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	struct walk w;
	int r;

	memset(c, 0, sizeof(*c));
	c->min_version = 12;
	memset(&w, 0, sizeof(w));
	w.name = name;
	w.err = err;
	w.errlen = errlen;
	if (len > WEBCONF_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %u bytes", name, WEBCONF_FILE_MAX);
		return -EINVAL;
	}
	if (!yaml_parser_initialize(&w.p))
		return -ENOMEM;
	yaml_parser_set_input_string(&w.p, (const unsigned char *)text, len);
	r = parse_doc(&w, c);
	if (w.have_ev)
		yaml_event_delete(&w.ev);
	yaml_parser_delete(&w.p);
	if (r == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", name);
	if (r < 0)
		webconf_free(c);
	return r;
}

int webconf_load(struct webconf *c, const char *path, char *err, size_t errlen)
{
	char *text;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return r;
	}
	text = malloc(WEBCONF_FILE_MAX + 1);
	if (!text) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (len <= WEBCONF_FILE_MAX && (n = read(fd, text + len, WEBCONF_FILE_MAX + 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			free(text);
			return r;
		}
		len += (size_t)n;
	}
	close(fd);
	r = webconf_parse(c, path, text, len, err, errlen);
	free(text);
	return r;
}

void webconf_free(struct webconf *c)
{
	free(c->users);
	c->users = NULL;
	c->n_users = 0;
}

static int b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* Standard base64 with padding into out (cap bytes, NUL-terminated).
 * Returns the length or -1. */
static long b64_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;
	unsigned acc = 0;
	int bits = 0, pad = 0;

	if (n % 4)
		return -1;
	for (i = 0; i < n; i++) {
		int v;

		if (s[i] == '=') {
			if (i + 2 < n)
				return -1;
			pad++;
			continue;
		}
		if (pad || (v = b64_value((unsigned char)s[i])) < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= cap)
				return -1;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return (long)o;
}

int webconf_check_basic(const struct webconf *c, const char *value, size_t len)
{
	/* a hash of cost 10 for users that do not exist: as long as a real check */
	static const char dummy[] = "$2b$10$fse5DVYu9nb6FGN5Dhx1o.TeiPtALjcNqGAJP.OtbwqXlimM3BbCq";
	char dec[2 * WEBCONF_NAME_MAX + 8], *colon;
	const char *hash = dummy;
	struct crypt_data *cd;
	long n;
	size_t i;
	int ok = 0;

	if (len < 6 || strncasecmp(value, "Basic ", 6))
		return 0;
	value += 6;
	len -= 6;
	while (len && *value == ' ') {
		value++;
		len--;
	}
	n = b64_decode(value, len, dec, sizeof(dec));
	if (n < 0 || memchr(dec, '\0', (size_t)n) || !(colon = strchr(dec, ':')))
		return 0;
	*colon = '\0';
	for (i = 0; i < c->n_users; i++)
		if (!strcmp(c->users[i].name, dec)) {
			hash = c->users[i].hash;
			break;
		}
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return 0;
	if (crypt_rn(colon + 1, hash, cd, sizeof(*cd)) && cd->output[0] != '*' &&
	    strlen(cd->output) == strlen(hash) && CRYPTO_memcmp(cd->output, hash, strlen(hash)) == 0)
		ok = hash != dummy;
	OPENSSL_cleanse(cd, sizeof(*cd));
	OPENSSL_cleanse(dec, sizeof(dec));
	free(cd);
	return ok;
}
