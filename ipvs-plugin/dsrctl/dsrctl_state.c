/* SPDX-License-Identifier: Apache-2.0 */
/* dsrctl_state.c - what dsrctl remembers between runs, in files under
 * /run/dsrctl (DSRCTL_STATE_DIR), one set per network namespace: the table
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
#include "kaconf/kaconf.h"

#define ERRBUF_MAX (256 * 1024)

/* /run, not /var/lib: the state describes the kernel's IPVS table, which a
 * reboot empties, and /run is emptied with it, so a state never outlives
 * the table it describes.  Not /run/dsrkit: that folder belongs to the
 * dsrkit account of the network-facing daemons, and root must not trust a
 * file another account can plant or replace. */
#define STATE_DIR_DEFAULT "/run/dsrctl"

const char *state_dir_default(void)
{
	const char *dir = getenv("DSRCTL_STATE_DIR");

	return dir && dir[0] ? dir : STATE_DIR_DEFAULT;
}

char *state_file_path(const char *kind, char *out, size_t n)
{
	struct stat st;
	unsigned long ino = 0;

	/* one file per network namespace: each has its own IPVS */
	if (stat("/proc/self/ns/net", &st) == 0)
		ino = (unsigned long)st.st_ino;
	snprintf(out, n, "%s/ipvs-%s.%lu.conf", state_dir_default(), kind, ino);
	return out;
}

/* The folder of path, opened without following a symlink as its last part,
 * created (0700) when missing, and verified: a folder of ours (the
 * effective user's) that neither group nor others may write.  Its fd, with
 * *base pointing at the file name in path; or -errno and why. */
static int dir_open(const char *path, const char **base, char *why, size_t n)
{
	char dir[512];
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd;

	if (!slash) {
		snprintf(dir, sizeof(dir), ".");
		*base = path;
	} else {
		if ((size_t)(slash - path) >= sizeof(dir)) {
			snprintf(why, n, "%s: path too long", path);
			return -ENAMETOOLONG;
		}
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
		*base = slash + 1;
	}
	if (!**base || !strcmp(*base, ".") || !strcmp(*base, "..")) {
		snprintf(why, n, "%s: not a file name", path);
		return -EINVAL;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(why, n, "cannot create the state folder %s: %s", dir, strerror(errno));
		return -errno;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		snprintf(why, n, "state folder %s: %s", dir,
			 e == ELOOP || e == ENOTDIR ? "not a folder (a symlink?)" : strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		snprintf(why, n, "state folder %s: %s", dir, strerror(e));
		return -e;
	}
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		snprintf(why, n,
			 "state folder %s is owned by uid %lu with mode %04o: it must be owned by uid %lu and "
			 "writable by no one else (another account could plant or replace state files); "
			 "use a folder of its own (default " STATE_DIR_DEFAULT ", or DSRCTL_STATE_DIR)",
			 dir, (unsigned long)st.st_uid, (unsigned)(st.st_mode & 07777), (unsigned long)geteuid());
		return -EPERM;
	}
	return fd;
}

/* As dir_open, the reason on stderr. */
static int dir_open_say(const char *path, const char **base)
{
	char why[768];
	int fd = dir_open(path, base, why, sizeof(why));

	if (fd < 0)
		fprintf(stderr, "dsrctl: %s\n", why);
	return fd;
}

int state_dir_check(const char *path, char *why, size_t n)
{
	const char *base;
	int fd = dir_open(path, &base, why, n);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* Written to a fresh temporary file (O_EXCL, no symlink followed) in the
 * verified folder and renamed: a crash leaves the old one. */
int state_table_write(const char *path, const struct ipvs_table *t, size_t skip)
{
	char tmp[600];
	const char *base;
	FILE *f;
	int dfd, fd, r;

	dfd = dir_open_say(path, &base);
	if (dfd < 0)
		return dfd;
	snprintf(tmp, sizeof(tmp), ".%s.tmp", base);
	if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT) {
		r = -errno;
		goto out;
	}
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		unlinkat(dfd, tmp, 0);
		goto out;
	}
	/* 10,000 services are 2.5 MB of text: stdio's 4 KiB buffer made that
	 * 630 write(2) calls, 0.1 ms each in the lab's User-Mode Linux */
	(void)setvbuf(f, NULL, _IOFBF, 256 * 1024);
	r = conf_table_write(t, skip, f);
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dfd, tmp, dfd, base) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dfd, tmp, 0);
out:
	close(dfd);
	return r;
}

int state_file_remove(const char *path)
{
	const char *base;
	int dfd = dir_open_say(path, &base), r = 0;

	if (dfd < 0)
		return dfd;
	if (unlinkat(dfd, base, 0) < 0 && errno != ENOENT)
		r = -errno;
	close(dfd);
	return r;
}

int state_file_exists(const char *path)
{
	const char *base;
	struct stat st;
	int dfd = dir_open_say(path, &base), r;

	if (dfd < 0)
		return dfd;
	r = fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 ? 1 : errno == ENOENT ? 0 : -errno;
	close(dfd);
	return r;
}

/* Opens base in dfd without following a symlink: a regular file of ours
 * that no one else may write.  fd or -errno. */
static int file_open(int dfd, const char *base, int flags)
{
	struct stat st;
	int fd = openat(dfd, base, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* The whole of a state file, bounded by what the parser accepts. */
static int file_slurp(int fd, char **data, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *p;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size > KACONF_FILE_MAX)
		return -EFBIG;
	p = malloc((size_t)st.st_size + 1);
	if (!p)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* shorter than it was: parse what is there */
		got += (size_t)n;
	}
	p[got] = '\0';
	*data = p;
	*len = got;
	return 0;
}

/* The table in path (keys only: the journal), or NULL when missing or
 * unreadable, said on stderr (then the next apply compares fully).  Read
 * from the verified folder, no symlink followed, no include honoured. */
static struct ipvs_table *read_table(const char *path, int keys_only)
{
	struct ipvs_table *t = NULL;
	const char *base;
	struct buf err;
	char *data = NULL;
	size_t len = 0;
	int dfd, fd, r;

	dfd = dir_open_say(path, &base);
	if (dfd < 0)
		return NULL;
	fd = file_open(dfd, base, O_RDONLY);
	close(dfd);
	if (fd == -ENOENT)
		return NULL;
	if (fd < 0) {
		fprintf(stderr, "dsrctl: ignoring %s %s: %s\n", keys_only ? "journal" : "state", path,
			fd == -EPERM || fd == -ELOOP ? "not a regular file of ours that only we may write"
						     : strerror(-fd));
		return NULL;
	}
	r = file_slurp(fd, &data, &len);
	close(fd);
	buf_init(&err, ERRBUF_MAX);
	if (r == 0)
		r = keys_only ? conf_keys_load_mem(path, data, len, &t, &err)
			      : conf_table_load_mem(path, data, len, &t, &err);
	else
		(void)!buf_appendf(&err, "%s\n", strerror(-r));
	if (r < 0) {
		fprintf(stderr, "dsrctl: ignoring unreadable %s %s:\n%s", keys_only ? "journal" : "state", path,
			buf_str(&err));
		t = NULL;
	}
	free(data);
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
	const char *base;
	struct buf b;
	struct stat st;
	size_t i;
	ssize_t n;
	int dfd, fd, r = 0;

	buf_init(&b, SIZE_MAX / 2);
	for (i = 0; r >= 0 && i < ipvs_table_service_count(given); i++)
		r = conf_key_append(&b, ipvs_table_service(given, i));
	if (r < 0) {
		buf_free(&b);
		return -ENOMEM;
	}
	dfd = dir_open_say(partial, &base);
	if (dfd < 0) {
		buf_free(&b);
		return dfd;
	}
	fd = file_open(dfd, base, O_WRONLY | O_APPEND | O_CREAT);
	close(dfd);
	if (fd < 0) {
		buf_free(&b);
		return fd;
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
