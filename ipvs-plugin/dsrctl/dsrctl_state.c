/* SPDX-License-Identifier: Apache-2.0 */
/* dsrctl_state.c - what dsrctl remembers between runs, in files under
 * /run/dsrkit (DSRCTL_STATE_DIR), one set per network namespace: the table
 * it applied last, the services a --partial apply changed since, and the
 * weights of drained servers.  All are written in keepalived syntax and
 * read back through the same parser as the configuration. */
#include "ipvs-plugin/dsrctl/dsrctl_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipvs-plugin/dsrctl/dsrctl_conf.h"

#define ERRBUF_MAX (256 * 1024)

char *state_file_path(const char *kind, char *out, size_t n)
{
	const char *dir = getenv("DSRCTL_STATE_DIR");
	struct stat st;
	unsigned long ino = 0;

	if (!dir || !dir[0])
		dir = "/run/dsrkit";
	/* one file per network namespace: each has its own IPVS */
	if (stat("/proc/self/ns/net", &st) == 0)
		ino = (unsigned long)st.st_ino;
	snprintf(out, n, "%s/ipvs-%s.%lu.conf", dir, kind, ino);
	return out;
}

static int mkdir_parent(const char *path)
{
	char dir[512];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Written to a temporary file and renamed: a crash leaves the old one. */
int state_table_write(const char *path, const struct ipvs_table *t, size_t skip)
{
	char tmp[600];
	FILE *f;
	int r;

	if ((r = mkdir_parent(path)) < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	r = conf_table_write(t, skip, f);
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

/* The table in path (keys only: the journal), or NULL when missing or
 * unreadable, said on stderr (then the next apply compares fully). */
static struct ipvs_table *read_table(const char *path, int keys_only)
{
	struct ipvs_table *t = NULL;
	struct buf err;
	int r;

	if (access(path, F_OK) < 0)
		return NULL;
	buf_init(&err, ERRBUF_MAX);
	r = keys_only ? conf_keys_load(path, &t, &err) : conf_table_load(path, &t, &err, NULL);
	if (r < 0) {
		fprintf(stderr, "dsrctl: ignoring unreadable %s %s:\n%s", keys_only ? "journal" : "state", path,
			buf_str(&err));
		t = NULL;
	}
	buf_free(&err);
	return t;
}

struct ipvs_table *state_table_read(const char *path)
{
	return read_table(path, 0);
}

/* prev without the services that `drop` names (both may be NULL). */
struct ipvs_table *state_table_without(const struct ipvs_table *prev, const struct ipvs_table *drop)
{
	struct ipvs_table *t;
	size_t i, j;

	if (!prev)
		return NULL;
	t = ipvs_table_new();
	for (i = 0; t && i < ipvs_table_service_count(prev); i++) {
		const struct ipvs_service *s = ipvs_table_service(prev, i);
		int k;

		if (drop && ipvs_table_service_find(drop, s) >= 0)
			continue;
		k = ipvs_table_service_add(t, s);
		for (j = 0; k >= 0 && j < ipvs_table_dest_count(prev, i); j++)
			if (ipvs_table_dest_add(t, (size_t)k, ipvs_table_dest(prev, i, j)) < 0)
				k = -1;
		if (k < 0) {
			ipvs_table_free(t);
			return NULL; /* no previous: everything is compared */
		}
	}
	return t;
}

/* The services a --partial apply changed since the last full one: the next
 * full apply must not trust its state for them.  A journal: each --partial
 * appends the keys it was given in one write, so noting costs three system
 * calls whatever the table's size (a page or a system call is what costs in
 * a VM).  A torn append makes the journal unreadable, and an unreadable
 * journal makes the next full apply compare every service: safe.  Past
 * JOURNAL_COMPACT bytes it is rewritten with each key once. */
#define JOURNAL_COMPACT (1024 * 1024)

struct ipvs_table *state_dirty_read(const char *path)
{
	return read_table(path, 1);
}

static int journal_compact(const char *path)
{
	struct ipvs_table *t = state_dirty_read(path);
	int r;

	if (!t)
		return -EINVAL;
	r = state_table_write(path, t, SIZE_MAX);
	ipvs_table_free(t);
	return r;
}

int state_partial_note(const char *partial, const struct ipvs_table *given)
{
	struct buf b;
	struct stat st;
	size_t i;
	ssize_t n;
	int fd, r = 0;

	if ((r = mkdir_parent(partial)) < 0)
		return r;
	buf_init(&b, SIZE_MAX / 2);
	for (i = 0; r >= 0 && i < ipvs_table_service_count(given); i++)
		r = conf_key_append(&b, ipvs_table_service(given, i));
	if (r < 0) {
		buf_free(&b);
		return -ENOMEM;
	}
	fd = open(partial, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		buf_free(&b);
		return -errno;
	}
	do
		n = write(fd, b.data, b.len);
	while (n < 0 && errno == EINTR);
	r = n < 0 ? -errno : (size_t)n != b.len ? -EIO : 0;
	if (r == 0 && fstat(fd, &st) == 0 && st.st_size > JOURNAL_COMPACT)
		r = journal_compact(partial);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	buf_free(&b);
	return r;
}

/* Weight of (service, dest) in a state file, or -1. */
int32_t state_weight_find(const char *path, const struct ipvs_service *s, const struct ipvs_dest *d)
{
	struct ipvs_table *t = state_table_read(path);
	int32_t w = -1;
	int i, j;

	if (!t)
		return -1;
	i = ipvs_table_service_find(t, s);
	j = i < 0 ? -1 : ipvs_table_dest_find(t, (size_t)i, d);
	if (j >= 0)
		w = ipvs_table_dest(t, (size_t)i, (size_t)j)->weight;
	ipvs_table_free(t);
	return w;
}

/* Drained servers' previous weights, kept in the same syntax as the state. */
int state_drained_update(const struct ipvs_service *s, const struct ipvs_dest *d, int remove)
{
	char path[512];
	struct ipvs_table *t, *out;
	size_t i, j;
	int r = 0, si;

	state_file_path("drained", path, sizeof(path));
	t = state_table_read(path);
	si = t ? ipvs_table_service_find(t, s) : -1;
	out = ipvs_table_new();
	if (!out) {
		ipvs_table_free(t);
		return -ENOMEM;
	}
	for (i = 0; t && i < ipvs_table_service_count(t) && r >= 0; i++) {
		int k = ipvs_table_service_add(out, ipvs_table_service(t, i));

		if (k < 0) {
			r = k;
			break;
		}
		for (j = 0; j < ipvs_table_dest_count(t, i) && r >= 0; j++) {
			const struct ipvs_dest *x = ipvs_table_dest(t, i, j);

			if ((int)i == si && ipvs_table_dest_find(t, i, d) == (int)j)
				continue; /* replaced or removed below */
			r = ipvs_table_dest_add(out, (size_t)k, x);
		}
	}
	if (r >= 0 && !remove) {
		int k = ipvs_table_service_find(out, s);

		if (k < 0)
			k = ipvs_table_service_add(out, s);
		r = k < 0 ? k : ipvs_table_dest_add(out, (size_t)k, d);
	}
	if (r >= 0)
		r = state_table_write(path, out, SIZE_MAX);
	ipvs_table_free(t);
	ipvs_table_free(out);
	return r;
}
