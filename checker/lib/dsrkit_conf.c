/* SPDX-License-Identifier: Apache-2.0 */
/* dsrkit_conf.c - reader of /etc/dsrkit/dsrkit.conf; see dsrkit_conf.h. */
#include "checker/lib/dsrkit_conf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bounded/kvfile.h"
#include "bounded/strparse.h"

#define CONF_MAX_SIZE (64 * 1024)

void dsrkit_conf_defaults(struct dsrkit_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->ca, sizeof(c->ca), "/etc/dsrkit/pki/ca.crt");
	snprintf(c->cert, sizeof(c->cert), "/etc/dsrkit/pki/checker.crt");
	snprintf(c->key, sizeof(c->key), "/etc/dsrkit/pki/checker.key");
	snprintf(c->daemon_socket, sizeof(c->daemon_socket), "/run/dsrkit/checkd.sock");
	snprintf(c->ticket_dir, sizeof(c->ticket_dir), "/run/dsrkit-check");
	c->agent_port = 9443;
	c->timeout_ms = 3000;
	c->tls_min = 13;
	c->syslog = 0;
}

static int set_path(const char *k, char *dst, const char *v, char *why, size_t whylen)
{
	size_t vl = strlen(v);

	if (vl >= DSRKIT_CONF_PATH_MAX || strpbrk(v, " \t")) {
		snprintf(why, whylen, "%s: one path of at most %d bytes expected", k, DSRKIT_CONF_PATH_MAX - 1);
		return -EINVAL;
	}
	memcpy(dst, v, vl + 1);
	return 0;
}

static int apply(void *ctx, const char *k, const char *v, char *why, size_t whylen)
{
	struct dsrkit_conf *c = ctx;

	if (!strcmp(k, "ca"))
		return set_path(k, c->ca, v, why, whylen);
	if (!strcmp(k, "cert"))
		return set_path(k, c->cert, v, why, whylen);
	if (!strcmp(k, "key"))
		return set_path(k, c->key, v, why, whylen);
	if (!strcmp(k, "tls_crl"))
		return set_path(k, c->tls_crl, v, why, whylen);
	if (!strcmp(k, "daemon_socket"))
		return set_path(k, c->daemon_socket, v, why, whylen);
	if (!strcmp(k, "ticket_dir")) {
		if (!strcmp(v, "none")) {
			c->ticket_dir[0] = '\0';
			return 0;
		}
		if (v[0] != '/')
			return snprintf(why, whylen, "ticket_dir: '%s' is not an absolute path or none", v), -EINVAL;
		return set_path(k, c->ticket_dir, v, why, whylen);
	}
	if (!strcmp(k, "agent_port")) {
		if (parse_u32(v, &c->agent_port, 1, 65535) < 0)
			return snprintf(why, whylen, "agent_port: '%s' is not a port (1-65535)", v), -EINVAL;
		return 0;
	}
	if (!strcmp(k, "timeout")) {
		if (parse_duration_ms(v, &c->timeout_ms, 10, 300000) < 0)
			return snprintf(why, whylen, "timeout: '%s' is not 10ms-300s (e.g. 3s, 500ms)", v), -EINVAL;
		return 0;
	}
	if (!strcmp(k, "keeper")) {
		if (!strcmp(v, "no") || !strcmp(v, "0")) {
			c->keeper_idle_ms = 0;
			return 0;
		}
		if (parse_duration_ms(v, &c->keeper_idle_ms, 1000, 3600000) < 0)
			return snprintf(why, whylen, "keeper: '%s' is not no or an idle time of 1s-3600s (e.g. 60s)", v),
			       -EINVAL;
		return 0;
	}
	if (!strcmp(k, "tls_min_version")) {
		if (!strcmp(v, "1.2"))
			c->tls_min = 12;
		else if (!strcmp(v, "1.3"))
			c->tls_min = 13;
		else
			return snprintf(why, whylen, "tls_min_version: '%s' is not 1.2 or 1.3", v), -EINVAL;
		return 0;
	}
	if (!strcmp(k, "syslog")) {
		if (!strcmp(v, "yes"))
			c->syslog = 1;
		else if (!strcmp(v, "no"))
			c->syslog = 0;
		else
			return snprintf(why, whylen, "syslog: '%s' is not yes or no", v), -EINVAL;
		return 0;
	}
	snprintf(why, whylen, "%s: unknown key (ca, cert, key, tls_crl, agent_port, timeout, tls_min_version, syslog, "
			      "daemon_socket, ticket_dir, keeper)", k);
	return -EINVAL;
}

int dsrkit_conf_parse(struct dsrkit_conf *c, const char *name, const char *text, size_t len,
		      char *err, size_t errlen)
{
	return kvfile_parse(text, len, name, apply, c, err, errlen);
}

int dsrkit_conf_load(struct dsrkit_conf *c, const char *path, int must_exist, char *err, size_t errlen)
{
	int r = kvfile_load(path, CONF_MAX_SIZE, apply, c, err, errlen);

	if (r == -ENOENT && !must_exist)
		return 0;
	return r;
}
