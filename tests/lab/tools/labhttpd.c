/* SPDX-License-Identifier: Apache-2.0 */
/* labhttpd - the lab's real-server HTTP service.  Answers every request with
 * "NAME\n" so a test sees which real server answered; keeps connections alive
 * (HTTP/1.1) so drain tests can hold an established connection.  Lab only:
 * never installed. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bounded/strparse.h"

#define MAX_CLIENTS 512

struct client {
	int fd;
	size_t len;
	char req[4096];
};

static void usage(void)
{
	fprintf(stderr, "usage: labhttpd [--port N] --name NAME\n"
			"Serves HTTP on [::]:PORT (IPv4 and IPv6), answering NAME.\n");
}

static int answer(int fd, const char *name, int keep)
{
	char out[512];
	int n = snprintf(out, sizeof(out),
			 "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			 "Connection: %s\r\n\r\n%s\n",
			 strlen(name) + 1, keep ? "keep-alive" : "close", name);
	return write(fd, out, (size_t)n) == n ? 0 : -1;
}

int main(int argc, char **argv)
{
	static struct pollfd pfd[MAX_CLIENTS + 1];
	static struct client cl[MAX_CLIENTS + 1];
	const char *name = NULL;
	uint32_t port = 80;
	struct sockaddr_in6 sa;
	int lfd, one = 1, zero = 0, i, n = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--port") && i + 1 < argc) {
			if (parse_u32(argv[++i], &port, 1, 65535) < 0) {
				fprintf(stderr, "labhttpd: bad port '%s'\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--name") && i + 1 < argc) {
			name = argv[++i];
		} else {
			usage();
			return 2;
		}
	}
	if (!name || strlen(name) > 200) {
		usage();
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	if (lfd < 0) {
		perror("labhttpd: socket");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_port = htons((uint16_t)port);
	sa.sin6_addr = in6addr_any;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 128) < 0) {
		perror("labhttpd: bind/listen");
		return 1;
	}
	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("labhttpd: poll");
			return 1;
		}
		if (pfd[0].revents & POLLIN) {
			int fd = accept(lfd, NULL, NULL);

			if (fd >= 0 && n <= MAX_CLIENTS) {
				pfd[n].fd = fd;
				pfd[n].events = POLLIN;
				pfd[n].revents = 0;
				cl[n].fd = fd;
				cl[n].len = 0;
				n++;
			} else if (fd >= 0) {
				close(fd);
			}
		}
		for (i = 1; i < n; i++) {
			struct client *c = &cl[i];
			ssize_t r;
			char *end;
			int drop = 0;

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(c->fd, c->req + c->len, sizeof(c->req) - 1 - c->len);
			if (r <= 0) {
				drop = 1;
			} else {
				c->len += (size_t)r;
				c->req[c->len] = '\0';
				while ((end = strstr(c->req, "\r\n\r\n")) != NULL) {
					size_t used = (size_t)(end + 4 - c->req);
					int keep = strstr(c->req, "Connection: close") == NULL ||
						   strstr(c->req, "Connection: close") > end;

					if (answer(c->fd, name, keep) < 0 || !keep) {
						drop = 1;
						break;
					}
					memmove(c->req, c->req + used, c->len - used + 1);
					c->len -= used;
				}
				if (c->len >= sizeof(c->req) - 1)
					drop = 1;
			}
			if (drop) {
				close(c->fd);
				n--;
				pfd[i] = pfd[n];
				cl[i] = cl[n];
				i--;
			}
		}
	}
}
