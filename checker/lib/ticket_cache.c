/* SPDX-License-Identifier: Apache-2.0 */
/* ticket_cache.c - TLS sessions between dsr-check processes; see
 * ticket_cache.h.  A file: the header below (native byte order: the file
 * never leaves the machine), then the session in DER. */
#include "checker/lib/ticket_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "DSRTKT2"

struct header {
	char magic[8];
	uint64_t full_at;
	uint64_t f[3][5];
	uint32_t tls_min;
	uint32_t der_len;
};

int ticket_file_stamp(const char *path, uint64_t f[5])
{
	struct stat st;

	memset(f, 0, 5 * sizeof(f[0]));
	if (!path || !*path)
		return 0;
	if (stat(path, &st) < 0)
		return -errno;
	f[0] = (uint64_t)st.st_dev;
	f[1] = (uint64_t)st.st_ino;
	f[2] = (uint64_t)st.st_size;
	f[3] = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
	f[4] = (uint64_t)st.st_ctim.tv_sec * 1000000000u + (uint64_t)st.st_ctim.tv_nsec;
	return 0;
}

int ticket_stamp_make(struct ticket_stamp *s, const char *ca, const char *cert, const char *key,
		      unsigned tls_min)
{
	const char *p[3] = { ca, cert, key };
	int i, r;

	memset(s, 0, sizeof(*s));
	s->tls_min = tls_min;
	for (i = 0; i < 3; i++)
		if ((r = ticket_file_stamp(p[i], s->f[i])) < 0)
			return r;
	return 0;
}

int ticket_dir_open(const char *dir)
{
	struct stat st;
	int fd;

	if (!dir || !*dir)
		return -ENOENT;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* ours alone: nobody else may plant or swap a file in it */
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static void file_name(const struct ip_addr *addr, uint16_t port, char *out, size_t n)
{
	char a[IPADDR_STRLEN];

	snprintf(out, n, "%s_%u", ipaddr_format(addr, a), port);
}

SSL_SESSION *ticket_cache_parse(const unsigned char *data, size_t n, const struct ticket_stamp *stamp,
				time_t now, time_t *full_at)
{
	struct header h;
	const unsigned char *p;
	SSL_SESSION *s;

	if (n < sizeof(h) || n > TICKET_FILE_MAX)
		return NULL;
	memcpy(&h, data, sizeof(h));
	if (memcmp(h.magic, MAGIC, sizeof(h.magic)) || h.der_len != n - sizeof(h) || h.der_len == 0)
		return NULL;
	if (memcmp(h.f, stamp->f, sizeof(h.f)) || h.tls_min != stamp->tls_min)
		return NULL; /* other CA, certificate, key or settings */
	if (h.full_at > (uint64_t)now || (uint64_t)now - h.full_at > TICKET_CHAIN_MAX_S)
		return NULL;
	p = data + sizeof(h);
	s = d2i_SSL_SESSION(NULL, &p, (long)h.der_len);
	if (!s)
		return NULL;
	if (p != data + n || !SSL_SESSION_is_resumable(s) ||
	    (uint64_t)SSL_SESSION_get_time(s) + (uint64_t)SSL_SESSION_get_timeout(s) <= (uint64_t)now ||
	    SSL_SESSION_get_protocol_version(s) < (stamp->tls_min == 12 ? TLS1_2_VERSION : TLS1_3_VERSION)) {
		SSL_SESSION_free(s);
		return NULL;
	}
	*full_at = (time_t)h.full_at;
	return s;
}

SSL_SESSION *ticket_cache_load(int dirfd, const struct ip_addr *addr, uint16_t port,
			       const struct ticket_stamp *stamp, time_t now, time_t *full_at)
{
	unsigned char data[TICKET_FILE_MAX + 1];
	char name[IPADDR_STRLEN + 8];
	struct stat st;
	size_t got = 0;
	int fd;

	file_name(addr, port, name, sizeof(name));
	/* O_NONBLOCK: a FIFO planted there must not hang the check */
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) ||
	    st.st_nlink != 1 || st.st_size > TICKET_FILE_MAX) {
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t r = read(fd, data + got, sizeof(data) - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			return NULL;
		}
		if (r == 0 || (got += (size_t)r) == sizeof(data))
			break;
	}
	close(fd);
	return ticket_cache_parse(data, got, stamp, now, full_at);
}

int ticket_cache_store(int dirfd, const struct ip_addr *addr, uint16_t port, const struct ticket_stamp *stamp,
		       time_t full_at, SSL_SESSION *s)
{
	unsigned char data[TICKET_FILE_MAX];
	char name[IPADDR_STRLEN + 8], tmp[IPADDR_STRLEN + 32];
	struct header h;
	unsigned char *p = data + sizeof(h);
	int len = i2d_SSL_SESSION(s, NULL), fd, r = 0;
	ssize_t w;

	if (len <= 0 || (size_t)len > sizeof(data) - sizeof(h))
		return -E2BIG;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, MAGIC, sizeof(h.magic));
	h.full_at = (uint64_t)full_at;
	memcpy(h.f, stamp->f, sizeof(h.f));
	h.tls_min = stamp->tls_min;
	h.der_len = (uint32_t)len;
	memcpy(data, &h, sizeof(h));
	if (i2d_SSL_SESSION(s, &p) != len)
		return -EINVAL;
	file_name(addr, port, name, sizeof(name));
	snprintf(tmp, sizeof(tmp), ".%s.%ld", name, (long)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	do
		w = write(fd, data, sizeof(h) + (size_t)len);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)(sizeof(h) + (size_t)len))
		r = w < 0 ? -errno : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dirfd, tmp, 0);
	OPENSSL_cleanse(data, sizeof(data)); /* the session's secret */
	return r;
}
