/* SPDX-License-Identifier: Apache-2.0 */
/* file_trust_linux.c - file_trust_check() for Linux: owner and mode bits of
 * the file and of the directory that holds it.  See file_trust.h. */
#include "agent/file_trust.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int owner_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

int file_trust_check(const char *path, int secret, char *why, size_t n)
{
	char dir[4096];
	struct stat st;
	const char *slash;
	size_t dl;
	int fd;

	/* the file the agent will read: fstat of what open() finds, so a
	 * symlink is judged by its target */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		snprintf(why, n, "%s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		snprintf(why, n, "%s: %s", path, strerror(e));
		return -e;
	}
	close(fd);
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, n, "%s: not a regular file", path);
		return -EPERM;
	}
	if (!owner_ok(st.st_uid)) {
		snprintf(why, n, "%s: owned by uid %u, not root or the agent's own uid %u (chown root %s)", path,
			 (unsigned)st.st_uid, (unsigned)geteuid(), path);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, n, "%s: mode %04o lets other accounts write it (chmod go-w %s)", path,
			 (unsigned)(st.st_mode & 07777), path);
		return -EPERM;
	}
	if (secret && (st.st_mode & S_IROTH)) {
		snprintf(why, n, "%s: mode %04o lets every account read the private key (chmod o-rwx %s)", path,
			 (unsigned)(st.st_mode & 07777), path);
		return -EPERM;
	}
	/* the directory: another account that can write it can swap the file
	 * (a sticky directory such as /tmp only lets it swap its own files) */
	slash = strrchr(path, '/');
	dl = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
	if (dl >= sizeof(dir))
		return 0;
	memcpy(dir, slash ? path : ".", dl);
	dir[dl] = '\0';
	if (stat(dir, &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		snprintf(why, n, "%s: its directory %s (mode %04o) lets other accounts replace it (chmod go-w %s)",
			 path, dir, (unsigned)(st.st_mode & 07777), dir);
		return -EPERM;
	}
	if (stat(dir, &st) == 0 && !owner_ok(st.st_uid) && !(st.st_mode & S_ISVTX)) {
		snprintf(why, n, "%s: its directory %s is owned by uid %u, not root or the agent's own", path, dir,
			 (unsigned)st.st_uid);
		return -EPERM;
	}
	return 0;
}
