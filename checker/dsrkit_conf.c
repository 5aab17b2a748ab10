/* dsrkit_conf.c - reader of /etc/dsrkit/dsrkit.conf; see dsrkit_conf.h. */
#include "checker/dsrkit_conf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bounded/buf.h"
#include "bounded/strparse.h"

#define CONF_MAX_SIZE (64 * 1024)
#define CONF_LINE_MAX 1024

void dsrkit_conf_defaults(struct dsrkit_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->ca, sizeof(c->ca), "/etc/dsrkit/ca.pem");
	snprintf(c->cert, sizeof(c->cert), "/etc/dsrkit/checker.pem");
	snprintf(c->key, sizeof(c->key), "/etc/dsrkit/checker.key");
	snprintf(c->daemon_socket, sizeof(c->daemon_socket), "/run/dsrkit/checkd.sock");
	c->agent_port = 9443;
	c->timeout_ms = 3000;
	c->tls_min = 13;
	c->syslog = 0;
}

static int set_path(char *dst, const char *v, size_t vl)
{
	if (vl == 0 || vl >= DSRKIT_CONF_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(dst, v, vl);
	dst[vl] = '\0';
	return 0;
}

static int apply(struct dsrkit_conf *c, const char *k, size_t kl, char *v, size_t vl, const char **why)
{
	v[vl] = '\0';
	if (span_eq_ci(k, kl, "ca"))
		return set_path(c->ca, v, vl) < 0 ? (*why = "path empty or too long", -EINVAL) : 0;
	if (span_eq_ci(k, kl, "cert"))
		return set_path(c->cert, v, vl) < 0 ? (*why = "path empty or too long", -EINVAL) : 0;
	if (span_eq_ci(k, kl, "key"))
		return set_path(c->key, v, vl) < 0 ? (*why = "path empty or too long", -EINVAL) : 0;
	if (span_eq_ci(k, kl, "daemon_socket"))
		return set_path(c->daemon_socket, v, vl) < 0 ? (*why = "path empty or too long", -EINVAL) : 0;
	if (span_eq_ci(k, kl, "agent_port"))
		return parse_u32(v, &c->agent_port, 1, 65535) < 0 ? (*why = "agent_port must be 1-65535", -EINVAL) : 0;
	if (span_eq_ci(k, kl, "timeout"))
		return parse_duration_ms(v, &c->timeout_ms, 10, 300000) < 0
			       ? (*why = "timeout must be 10ms-300s (e.g. 3s, 500ms)", -EINVAL) : 0;
	if (span_eq_ci(k, kl, "tls_min_version")) {
		if (!strcmp(v, "1.2"))
			c->tls_min = 12;
		else if (!strcmp(v, "1.3"))
			c->tls_min = 13;
		else
			return *why = "tls_min_version must be 1.2 or 1.3", -EINVAL;
		return 0;
	}
	if (span_eq_ci(k, kl, "syslog")) {
		if (!strcmp(v, "yes"))
			c->syslog = 1;
		else if (!strcmp(v, "no"))
			c->syslog = 0;
		else
			return *why = "syslog must be yes or no", -EINVAL;
		return 0;
	}
	*why = "unknown key";
	return -EINVAL;
}

int dsrkit_conf_parse(struct dsrkit_conf *c, const char *name, const char *text, size_t len,
		      char *err, size_t errlen)
{
	size_t pos = 0;
	unsigned lineno = 0;

	while (pos < len) {
		char line[CONF_LINE_MAX + 1];
		const char *eol = memchr(text + pos, '\n', len - pos);
		size_t ll = eol ? (size_t)(eol - (text + pos)) : len - pos, i = 0, ks, kl, vs, vl;
		const char *why = NULL;

		lineno++;
		if (ll > CONF_LINE_MAX) {
			snprintf(err, errlen, "%s:%u: line longer than %d bytes", name, lineno, CONF_LINE_MAX);
			return -EINVAL;
		}
		memcpy(line, text + pos, ll);
		line[ll] = '\0';
		pos += ll + (eol ? 1 : 0);
		if (memchr(line, '\0', ll)) {
			snprintf(err, errlen, "%s:%u: NUL byte in the line", name, lineno);
			return -EINVAL;
		}
		for (i = 0; i < ll; i++)
			if (line[i] == '#')
				break;
		ll = i;
		while (ll && (line[ll - 1] == ' ' || line[ll - 1] == '\t' || line[ll - 1] == '\r'))
			ll--;
		i = 0;
		while (i < ll && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == ll)
			continue;
		ks = i;
		while (i < ll && line[i] != ' ' && line[i] != '\t')
			i++;
		kl = i - ks;
		while (i < ll && (line[i] == ' ' || line[i] == '\t'))
			i++;
		vs = i;
		vl = ll - vs;
		if (vl == 0) {
			snprintf(err, errlen, "%s:%u: '%.*s' needs a value", name, lineno, (int)kl, line + ks);
			return -EINVAL;
		}
		if (memchr(line + vs, ' ', vl) || memchr(line + vs, '\t', vl)) {
			snprintf(err, errlen, "%s:%u: '%.*s' takes one value", name, lineno, (int)kl, line + ks);
			return -EINVAL;
		}
		if (apply(c, line + ks, kl, line + vs, vl, &why) < 0) {
			snprintf(err, errlen, "%s:%u: %.*s: %s", name, lineno, (int)kl, line + ks, why);
			return -EINVAL;
		}
	}
	return 0;
}

int dsrkit_conf_load(struct dsrkit_conf *c, const char *path, int must_exist, char *err, size_t errlen)
{
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");
	int r = 0;

	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	buf_init(&b, CONF_MAX_SIZE);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_append(&b, chunk, n) < 0) {
			snprintf(err, errlen, "%s: larger than %d bytes", path, CONF_MAX_SIZE);
			r = -EFBIG;
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		r = -EIO;
		goto out;
	}
	r = dsrkit_conf_parse(c, path, buf_str(&b), b.len, err, errlen);
out:
	fclose(f);
	buf_free(&b);
	return r;
}
