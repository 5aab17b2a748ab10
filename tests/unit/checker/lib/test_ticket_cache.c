/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of dsr-check's TLS session cache: a good file round-trips, and
 * every hostile or corrupt one is ignored (never followed, never blocking,
 * never trusted): symbolic link, FIFO, other mode, second link, oversize,
 * garbage, truncation, a header for other TLS files, a chain too old or
 * from the future, an unsafe directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checker/lib/ticket_cache.h"

static char dir[64];
static struct ip_addr rs;
static struct ticket_stamp stamp;
static const char *const name = "192.0.2.11_9443";

static SSL_SESSION *session_new(void)
{
	static const unsigned char id[32] = { 1, 2, 3 }, mk[48] = { 4, 5, 6 };
	SSL_SESSION *s = SSL_SESSION_new();
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = SSL_new(ctx);

	assert_non_null(s);
	assert_non_null(ssl);
	/* a session serialises only with a cipher */
	assert_int_equal(SSL_SESSION_set_cipher(s, sk_SSL_CIPHER_value(SSL_get_ciphers(ssl), 0)), 1);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	assert_int_equal(SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION), 1);
	assert_int_equal(SSL_SESSION_set1_id(s, id, sizeof(id)), 1);
	assert_int_equal(SSL_SESSION_set1_master_key(s, mk, sizeof(mk)), 1);
	SSL_SESSION_set_time(s, (long)time(NULL));
	SSL_SESSION_set_timeout(s, 7200);
	return s;
}

static int setup(void **state)
{
	int fd;
	(void)state;

	snprintf(dir, sizeof(dir), "/tmp/dsrkit-tkt.XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(ipaddr_parse("192.0.2.11", &rs), 0);
	memset(&stamp, 0, sizeof(stamp));
	stamp.tls_min = 13;
	stamp.f[0][1] = 42;
	fd = ticket_dir_open(dir);
	assert_true(fd >= 0);
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* store a good session, return the directory descriptor */
static int store_good(time_t full_at)
{
	SSL_SESSION *s = session_new();
	int fd = ticket_dir_open(dir);

	assert_true(fd >= 0);
	assert_int_equal(ticket_cache_store(fd, &rs, 9443, &stamp, full_at, s), 0);
	SSL_SESSION_free(s);
	return fd;
}

static void expect_ignored(int fd)
{
	time_t at = 0;
	SSL_SESSION *s = ticket_cache_load(fd, &rs, 9443, &stamp, time(NULL), &at);

	assert_null(s);
}

static void round_trip(void **state)
{
	time_t now = time(NULL), at = 0;
	int fd = store_good(now - 5);
	struct stat st;
	SSL_SESSION *s = ticket_cache_load(fd, &rs, 9443, &stamp, now, &at);
	(void)state;

	assert_non_null(s);
	assert_int_equal(at, now - 5);
	SSL_SESSION_free(s);
	assert_int_equal(fstatat(fd, name, &st, 0), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* other port, other address: nothing */
	assert_null(ticket_cache_load(fd, &rs, 9444, &stamp, now, &at));
	close(fd);
}

static void other_tls_files(void **state)
{
	struct ticket_stamp other = stamp;
	time_t at;
	int fd = store_good(time(NULL));
	(void)state;

	other.f[2][3]++; /* the key file was rewritten */
	assert_null(ticket_cache_load(fd, &rs, 9443, &other, time(NULL), &at));
	other = stamp;
	other.tls_min = 12;
	assert_null(ticket_cache_load(fd, &rs, 9443, &other, time(NULL), &at));
	close(fd);
}

static void chain_age(void **state)
{
	int fd = store_good(time(NULL) - TICKET_CHAIN_MAX_S - 1);
	(void)state;

	expect_ignored(fd);
	close(fd);
	fd = store_good(time(NULL) + 100); /* from the future */
	expect_ignored(fd);
	close(fd);
}

static void hostile_files(void **state)
{
	int fd = store_good(time(NULL)), f;
	char junk[TICKET_FILE_MAX + 10];
	struct stat st;
	(void)state;

	/* group/other readable */
	assert_int_equal(fchmodat(fd, name, 0644, 0), 0);
	expect_ignored(fd);
	assert_int_equal(fchmodat(fd, name, 0600, 0), 0);
	/* a second link */
	assert_int_equal(linkat(fd, name, fd, "other", 0), 0);
	expect_ignored(fd);
	assert_int_equal(unlinkat(fd, "other", 0), 0);
	/* truncated */
	assert_int_equal(fstatat(fd, name, &st, 0), 0);
	f = openat(fd, name, O_WRONLY);
	assert_true(f >= 0);
	assert_int_equal(ftruncate(f, st.st_size - 7), 0);
	close(f);
	expect_ignored(fd);
	/* garbage of every size up to and past the limit */
	memset(junk, 0x30, sizeof(junk));
	memcpy(junk, "DSRTKT1", 8);
	f = openat(fd, name, O_WRONLY | O_TRUNC);
	assert_true(f >= 0);
	assert_int_equal(write(f, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(f);
	expect_ignored(fd);
	assert_null(ticket_cache_parse((const unsigned char *)junk, 100, &stamp, time(NULL), &(time_t){ 0 }));
	assert_null(ticket_cache_parse((const unsigned char *)junk, 0, &stamp, time(NULL), &(time_t){ 0 }));
	/* a symbolic link to a good file */
	assert_int_equal(unlinkat(fd, name, 0), 0);
	close(fd);
	fd = store_good(time(NULL));
	assert_int_equal(renameat(fd, name, fd, "real"), 0);
	assert_int_equal(symlinkat("real", fd, name), 0);
	expect_ignored(fd);
	/* a FIFO: ignored, and the load does not block */
	assert_int_equal(unlinkat(fd, name, 0), 0);
	assert_int_equal(mkfifoat(fd, name, 0600), 0);
	expect_ignored(fd);
	/* a directory */
	assert_int_equal(unlinkat(fd, name, 0), 0);
	assert_int_equal(mkdirat(fd, name, 0700), 0);
	expect_ignored(fd);
	/* and the store replaces nothing it should not follow: the
	 * directory in the way makes it fail, not write elsewhere */
	{
		SSL_SESSION *s = session_new();

		assert_true(ticket_cache_store(fd, &rs, 9443, &stamp, time(NULL), s) < 0);
		SSL_SESSION_free(s);
	}
	close(fd);
}

static void unsafe_dir(void **state)
{
	char link[96], sub[96];
	(void)state;

	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(ticket_dir_open(dir), -EPERM);
	assert_int_equal(chmod(dir, 0700), 0);
	snprintf(link, sizeof(link), "%s.link", dir);
	unlink(link);
	assert_int_equal(symlink(dir, link), 0);
	assert_true(ticket_dir_open(link) < 0);
	unlink(link);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	{
		struct stat st;
		int fd = ticket_dir_open(sub); /* created 0700 */

		assert_true(fd >= 0);
		close(fd);

		assert_int_equal(stat(sub, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0700);
	}
	assert_int_equal(ticket_dir_open(""), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(other_tls_files, setup, teardown),
		cmocka_unit_test_setup_teardown(chain_age, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_files, setup, teardown),
		cmocka_unit_test_setup_teardown(unsafe_dir, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
