/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of what dsr-checkd writes in folders and how its listeners
 * behave without descriptors (issue 16, findings 2 and 9): track files are
 * written in a verified folder and never through a planted symlink; the
 * daemon socket replaces only a stale socket and gets its mode at bind,
 * not by a chmod of its path; an accept loop out of descriptors backs off
 * instead of spinning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "checker/dsr-checkd/listener.h"
#include "checker/dsr-checkd/rs.h"
#include "checker/dsr-checkd/sock.h"

static struct checkd d;
static char dir[64];

static int setup(void **state)
{
	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(loop_init(&d.loop), 0);
	snprintf(dir, sizeof(dir), "/tmp/checkd-files.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	checkd_sock_stop(&d);
	loop_free(&d.loop);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void expect_text(const char *path, const char *want)
{
	char got[64] = "";
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	(void)!fgets(got, sizeof(got), f);
	fclose(f);
	assert_string_equal(got, want);
}

static void track_files_never_follow_symlinks(void **state)
{
	struct checkd_rs rs;
	struct checkd_target t;
	char victim[128], victim2[128], p[200], track[128];
	struct stat st;
	(void)state;

	memset(&rs, 0, sizeof(rs));
	memset(&t, 0, sizeof(t));
	snprintf(rs.name, sizeof(rs.name), "192.0.2.11");
	assert_int_equal(ipaddr_parse("192.0.2.100", &t.vip), 0);
	t.port = 80;
	t.sm.state = CHECK_STATE_UP;
	snprintf(track, sizeof(track), "%s/track", dir);
	assert_int_equal(mkdir(track, 0755), 0);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(victim2, sizeof(victim2), "%s/victim2", dir);
	put(victim, "precious\n");
	put(victim2, "precious\n");
	/* symlinks planted at the temporary name and at the file itself */
	snprintf(p, sizeof(p), "%s/.192.0.2.11_192.0.2.100_80.tmp", track);
	assert_int_equal(symlink(victim, p), 0);
	snprintf(p, sizeof(p), "%s/192.0.2.11_192.0.2.100_80", track);
	assert_int_equal(symlink(victim2, p), 0);
	assert_int_equal(checkd_track_write(track, &rs, &t), 0);
	expect_text(victim, "precious\n");
	expect_text(victim2, "precious\n");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	expect_text(p, "0\n");
	t.sm.state = CHECK_STATE_DOWN;
	assert_int_equal(checkd_track_write(track, &rs, &t), 0);
	expect_text(p, "1\n");

	/* a folder others may write is refused, and so is a symlinked one */
	assert_int_equal(chmod(track, 0777), 0);
	assert_int_equal(checkd_track_write(track, &rs, &t), -EPERM);
	assert_int_equal(chmod(track, 0755), 0);
	snprintf(p, sizeof(p), "%s/linked", dir);
	assert_int_equal(symlink(track, p), 0);
	assert_true(checkd_track_write(p, &rs, &t) < 0);
}

static void socket_replaces_only_a_stale_socket(void **state)
{
	char path[128], err[300];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;
	(void)state;

	snprintf(path, sizeof(path), "%s/checkd.sock", dir);
	/* a regular file (or a symlink) at the path is not ours to remove */
	put(path, "not a socket\n");
	assert_int_equal(checkd_sock_start(&d, path, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "is not a socket"));
	expect_text(path, "not a socket\n");
	unlink(path);
	/* a stale socket is replaced */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(checkd_sock_start(&d, path, err, sizeof(err)), 0);
	/* its mode comes from bind: 0666 whatever our umask */
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0666);
	checkd_sock_stop(&d);
	/* a folder others may write (not sticky) is refused */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(checkd_sock_start(&d, path, err, sizeof(err)), -EPERM);
	assert_int_equal(chmod(dir, 0700), 0);
}

/* Finding 9: with no descriptor left, accept fails with EMFILE while the
 * connection stays queued; the listener must pause, not spin. */
static void accept_backs_off_on_emfile(void **state)
{
	char path[128], err[300];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct checkd_listener *l;
	struct rlimit old, lim;
	int clients[4], fillers[256], nfill = 0, i, fd;
	uint64_t wakeups;
	int64_t until;
	(void)state;

	snprintf(path, sizeof(path), "%s/checkd.sock", dir);
	assert_int_equal(checkd_sock_start(&d, path, err, sizeof(err)), 0);
	l = (struct checkd_listener *)d.sock; /* its first member */
	memcpy(sun.sun_path, path, strlen(path) + 1);
	for (i = 0; i < 4; i++) {
		clients[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		assert_int_equal(connect(clients[i], (struct sockaddr *)&sun, sizeof(sun)), 0);
	}
	/* use up every descriptor under a lowered limit */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	fd = open("/dev/null", O_RDONLY);
	close(fd);
	lim = old;
	lim.rlim_cur = (rlim_t)fd + 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	while (nfill < 256 && (fd = open("/dev/null", O_RDONLY)) >= 0)
		fillers[nfill++] = fd;
	assert_int_equal(errno, EMFILE);

	wakeups = d.loop.wakeups;
	until = loop_clock_ms() + 400;
	while (loop_clock_ms() < until)
		assert_int_equal(loop_run_once(&d.loop, 50), 0);
	wakeups = d.loop.wakeups - wakeups;
	/* spinning is tens of thousands of wake-ups in 400 ms; a pause of
	 * CHECKD_ACCEPT_BACKOFF_MS is a few */
	assert_true(wakeups < 60);
	assert_true(l->accept_pauses >= 1 && l->accept_pauses <= 10);
	assert_int_equal(l->n_conns, 0);

	/* descriptors back: the queued connections are taken */
	while (nfill > 0)
		close(fillers[--nfill]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	until = loop_clock_ms() + 1000;
	while (loop_clock_ms() < until && l->n_conns < 4)
		assert_int_equal(loop_run_once(&d.loop, 50), 0);
	assert_int_equal(l->n_conns, 4);
	for (i = 0; i < 4; i++)
		close(clients[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(track_files_never_follow_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(socket_replaces_only_a_stale_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(accept_backs_off_on_emfile, setup, teardown),
	};

	return cmocka_run_group_tests_name("checkd_files", tests, NULL, NULL);
}
