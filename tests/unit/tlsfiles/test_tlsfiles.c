/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of tlsfiles/ (issue 16, finding 7): which private key files
 * are refused, and the CRL's load, rate-limited reload on change, refusal
 * of a CRL from another CA and keeping the old CRL when a new file is bad.
 * Certificates come from pki/dsrkit-pki (openssl) in a temporary folder. */
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

#include "tlsfiles/tls_crl.h"
#include "tlsfiles/tls_keyfile.h"

static char dir[64];

/* fmt names the test folder as %1$s (every time) */
__attribute__((format(printf, 1, 2)))
static void run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static void key_modes(void **state)
{
	char path[128], err[400];
	FILE *f;
	(void)state;

	snprintf(dir, sizeof(dir), "/tmp/tlsfiles.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k.key", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("not a key, only its mode matters\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(tls_keyfile_check(path, err, sizeof(err)), 0);
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(tls_keyfile_check(path, err, sizeof(err)), 0);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(tls_keyfile_check(path, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "mode 0644: others may read"));
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(tls_keyfile_check(path, err, sizeof(err)), -EPERM);
	assert_int_equal(chmod(path, 0660), 0);
	assert_int_equal(tls_keyfile_check(path, err, sizeof(err)), -EPERM);
	/* group read: only a root-owned file whose group is ours */
	assert_int_equal(chmod(path, 0640), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 0, getegid()), 0);
		assert_int_equal(tls_keyfile_check(path, err, sizeof(err)), 0);
		assert_int_equal(chown(path, 0, 65534), 0);
		if (getegid() != 65534)
			assert_int_equal(tls_keyfile_check(path, err, sizeof(err)), -EPERM);
		assert_int_equal(chown(path, 65534, getegid()), 0);
		assert_int_equal(tls_keyfile_check(path, err, sizeof(err)), -EPERM);
		assert_non_null(strstr(err, "a group may read it"));
	} else {
		assert_int_equal(tls_keyfile_check(path, err, sizeof(err)), -EPERM);
	}
	snprintf(path, sizeof(path), "%s/missing.key", dir);
	assert_int_equal(tls_keyfile_check(path, err, sizeof(err)), -ENOENT);
	assert_int_equal(tls_keyfile_check(dir, err, sizeof(err)), -EPERM);
	run("rm -rf '%1$s'", dir);
}

static void crl_reload(void **state)
{
	struct tls_crl c;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char ca[128], crl[128], other[128], err[400];
	int64_t now;
	unsigned g;
	(void)state;

	assert_non_null(ctx);
	snprintf(dir, sizeof(dir), "/tmp/tlsfiles.XXXXXX");
	assert_non_null(mkdtemp(dir));
	run("pki/dsrkit-pki --dir '%1$s' ca >/dev/null && pki/dsrkit-pki --dir '%1$s' checker c >/dev/null"
	    " && pki/dsrkit-pki --dir '%1$s' crl >/dev/null", dir);
	run("pki/dsrkit-pki --dir '%1$s/o' ca >/dev/null && pki/dsrkit-pki --dir '%1$s/o' crl >/dev/null", dir);
	snprintf(ca, sizeof(ca), "%s/ca.crt", dir);
	snprintf(crl, sizeof(crl), "%s/crl.pem", dir);
	snprintf(other, sizeof(other), "%s/o/crl.pem", dir);

	/* no CRL set: nothing loaded, nothing to refresh */
	assert_int_equal(tls_crl_load(&c, ctx, ca, "", err, sizeof(err)), 0);
	assert_int_equal(c.generation, 0);
	assert_int_equal(tls_crl_refresh(&c, ctx, tls_crl_clock_ms() + 10000, err, sizeof(err)), 0);
	/* a CRL of another CA is refused, with the reason */
	assert_int_equal(tls_crl_load(&c, ctx, ca, other, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not signed by a CA of"));
	assert_int_equal(tls_crl_load(&c, ctx, ca, crl, err, sizeof(err)), 0);
	assert_int_not_equal(c.generation, 0);
	g = c.generation;
	assert_int_equal(c.revoked, 0);
	assert_int_equal(X509_VERIFY_PARAM_get_flags(X509_STORE_get0_param(SSL_CTX_get_cert_store(ctx))) &
			 X509_V_FLAG_CRL_CHECK, X509_V_FLAG_CRL_CHECK);

	/* a revocation rewrites the file: seen at the next look, not before */
	run("pki/dsrkit-pki --dir '%1$s' revoke c >/dev/null", dir);
	now = tls_crl_clock_ms();
	c.next_check_ms = now + TLS_CRL_CHECK_MS; /* as if just looked at (openssl took its time) */
	assert_int_equal(tls_crl_refresh(&c, ctx, now, err, sizeof(err)), 0);
	assert_int_equal(tls_crl_refresh(&c, ctx, now + TLS_CRL_CHECK_MS + 1, err, sizeof(err)), 1);
	assert_int_not_equal(c.generation, g);
	g = c.generation;
	assert_int_equal(c.revoked, 1);
	/* unchanged: nothing to do */
	now += 2 * (TLS_CRL_CHECK_MS + 1);
	assert_int_equal(tls_crl_refresh(&c, ctx, now, err, sizeof(err)), 0);
	/* a bad new file keeps the previous CRL, and says so */
	run("echo garbage > '%1$s/crl.pem.new' && mv '%1$s/crl.pem.new' '%1$s/crl.pem'", dir);
	now += TLS_CRL_CHECK_MS + 1;
	assert_int_equal(tls_crl_refresh(&c, ctx, now, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "stays in force"));
	assert_int_equal(c.generation, g);
	assert_int_equal(c.revoked, 1);
	/* ... and is not reported again until it changes */
	now += TLS_CRL_CHECK_MS + 1;
	assert_int_equal(tls_crl_refresh(&c, ctx, now, err, sizeof(err)), 0);
	SSL_CTX_free(ctx);
	run("rm -rf '%1$s'", dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_modes),
		cmocka_unit_test(crl_reload),
	};

	return cmocka_run_group_tests_name("tlsfiles", tests, NULL, NULL);
}
