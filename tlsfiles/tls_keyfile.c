/* SPDX-License-Identifier: Apache-2.0 */
/* tls_keyfile.c - see tls_keyfile.h. */
#include "tlsfiles/tls_keyfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int in_our_groups(gid_t g)
{
	gid_t gs[256];
	int n, i;

	if (g == getegid())
		return 1;
	n = getgroups((int)(sizeof(gs) / sizeof(gs[0])), gs);
	for (i = 0; i < n; i++)
		if (gs[i] == g)
			return 1;
	return 0;
}

int tls_keyfile_check(const char *path, char *err, size_t errlen)
{
	struct stat st;
	unsigned mode;

	if (stat(path, &st) < 0) {
		int e = errno;

		snprintf(err, errlen, "private key %s: %s", path, strerror(e));
		return -e;
	}
	mode = (unsigned)(st.st_mode & 07777);
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "private key %s: not a regular file", path);
		return -EPERM;
	}
	if (mode & (S_IRWXO | S_IWGRP | S_IXGRP)) {
		snprintf(err, errlen,
			 "private key %s has mode %04o: others may read or change it; refusing it "
			 "(chmod 0600 %s, or 0640 with root as owner and the service's group)",
			 path, mode, path);
		return -EPERM;
	}
	if ((mode & S_IRGRP) && (st.st_uid != 0 || !in_our_groups(st.st_gid))) {
		snprintf(err, errlen,
			 "private key %s has mode %04o with owner uid %lu and group gid %lu: a group may read it; "
			 "refusing it (chmod 0600 %s as the service's user, or chown root:GROUP with the "
			 "service's group and chmod 0640)",
			 path, mode, (unsigned long)st.st_uid, (unsigned long)st.st_gid, path);
		return -EPERM;
	}
	return 0;
}
