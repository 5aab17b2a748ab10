/* SPDX-License-Identifier: Apache-2.0 */
/* checkd_notify.c - see checkd_notify.h. */
#include "checker/dsr-checkd/notify.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bounded/strparse.h"

int checkd_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t sl;
	size_t n;
	int fd, r = 1;

	if (!path || !*path)
		return 0;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sun.sun_path))
		return -EINVAL;
	memcpy(sun.sun_path, path, n);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';  /* abstract namespace */
	sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun, sl) < 0)
		r = -errno;
	close(fd);
	return r;
}

uint64_t checkd_notify_watchdog_ms(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	uint64_t u, p;

	if (!usec || parse_u64(usec, &u, 1, UINT64_MAX) < 0)
		return 0;
	if (pid && (parse_u64(pid, &p, 1, UINT64_MAX) < 0 || p != (uint64_t)getpid()))
		return 0;
	return u / 1000 ? u / 1000 : 1;
}
