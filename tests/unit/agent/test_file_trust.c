/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of file_trust_check() on Linux (issue 16, finding 3): files a
 * second account could write, a key every account could read, a foreign
 * owner and a directory others could write are refused with the reason;
 * what dsrkit's packages and dsrkit-pki create is accepted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/file_trust.h"

static char dir[64];

static void mk(const char *name, mode_t mode, char *path, size_t n)
{
	FILE *f;

	snprintf(path, n, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("x = y\n", f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void file_trust_modes(void **state)
{
	static const struct { const char *name; mode_t mode; int secret; int want; const char *why; } cases[] = {
		{ "conf-0644", 0644, 0, 0, NULL },
		{ "conf-0600", 0600, 0, 0, NULL },
		{ "conf-0664", 0664, 0, -EPERM, "lets other accounts write" },
		{ "conf-0646", 0646, 0, -EPERM, "lets other accounts write" },
		{ "key-0600", 0600, 1, 0, NULL },
		{ "key-0640", 0640, 1, 0, NULL },           /* root:dsrkit, the documented way */
		{ "key-0644", 0644, 1, -EPERM, "every account read" },
		{ "key-0660", 0660, 1, -EPERM, "lets other accounts write" },
	};
	char path[128], why[512];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		mk(cases[i].name, cases[i].mode, path, sizeof(path));
		why[0] = '\0';
		r = file_trust_check(path, cases[i].secret, why, sizeof(why));
		if (r != cases[i].want)
			fail_msg("%s: %d, want %d (%s)", cases[i].name, r, cases[i].want, why);
		if (cases[i].why && (!strstr(why, cases[i].why) || !strstr(why, path)))
			fail_msg("%s: reason \"%s\" lacks \"%s\" or the path", cases[i].name, why, cases[i].why);
	}
}

static void file_trust_owner_dir_and_kind(void **state)
{
	char path[128], link[160], sub[128], why[512];
	(void)state;

	/* another account's file (the tests run as root, or chown fails) */
	mk("foreign", 0644, path, sizeof(path));
	if (chown(path, 4242, 4242) == 0) {
		assert_int_equal(file_trust_check(path, 0, why, sizeof(why)), geteuid() == 4242 ? 0 : -EPERM);
		assert_non_null(strstr(why, "owned by uid 4242"));
	}
	/* a symlink is judged by its target */
	mk("target", 0644, path, sizeof(path));
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(file_trust_check(link, 0, why, sizeof(why)), 0);
	/* a directory is not a file */
	assert_int_equal(file_trust_check(dir, 0, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "not a regular file"));
	/* missing: not a trust error, the caller reports it where it reads */
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(file_trust_check(path, 0, why, sizeof(why)), -ENOENT);
	/* a directory any account may write, not sticky: the file can be swapped */
	snprintf(sub, sizeof(sub), "%s/open", dir);
	assert_int_equal(mkdir(sub, 0777), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	snprintf(path, sizeof(path), "%s/open/agent.conf", dir);
	fclose(fopen(path, "w"));
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(file_trust_check(path, 0, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "lets other accounts replace it"));
	/* ... sticky, as /tmp: each account can only swap its own files */
	assert_int_equal(chmod(sub, 01777), 0);
	assert_int_equal(file_trust_check(path, 0, why, sizeof(why)), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/dsrkit-trust-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(file_trust_modes),
		cmocka_unit_test(file_trust_owner_dir_and_kind),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
