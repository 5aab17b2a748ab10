/* SPDX-License-Identifier: Apache-2.0 */
/* test_win_tls.c - the HTTPS transport's client-certificate check
 * (win32_tls_client_verify in win32_http_tls.c) on certificates made with
 * openssl by win-check.sh: only a client-authentication certificate that
 * chains to the configured CA - that CA alone - is accepted.  Runs under
 * wine (its crypt32 builds the chains); http.sys itself is not involved.
 *
 * Also the server certificate's source (win32_tls_server_cert): a store
 * thumbprint, a PFX imported into LocalMachine\My with its password file,
 * a wrong password and a PEM path refused.
 *
 * Usage: test_win_tls.exe CA_FILE ok|no:CERT.der ... [pfx:FILE:PASSFILE:SHA1HEX]
 * Ends with "win-tls: N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win-realserver/win32_http.h"

static int read_der(const char *path, unsigned char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;

	if (!f)
		return -1;
	b = malloc(64 * 1024);
	if (!b) {
		fclose(f);
		return -1;
	}
	*len = fread(b, 1, 64 * 1024, f);
	fclose(f);
	*out = b;
	return 0;
}

static int hexeq(const unsigned char h[20], const char *hex)
{
	char t[41];
	int i;

	for (i = 0; i < 20; i++)
		snprintf(t + 2 * i, 3, "%02X", h[i]);
	return strcmp(t, hex) == 0;
}

/* "FILE|PASSFILE|SHA1HEX" (| because Windows paths hold ':') */
static int pfx_checks(const char *spec)
{
	char file[512], pass[512], hex[64], store[128], err[256] = "";
	unsigned char h[20];
	const char *a = strchr(spec, '|'), *b = a ? strchr(a + 1, '|') : NULL;

	if (!a || !b || (size_t)(a - spec) >= sizeof(file) || (size_t)(b - a - 1) >= sizeof(pass) ||
	    strlen(b + 1) >= sizeof(hex))
		return -1;
	memcpy(file, spec, (size_t)(a - spec));
	file[a - spec] = '\0';
	memcpy(pass, a + 1, (size_t)(b - a - 1));
	pass[b - a - 1] = '\0';
	snprintf(hex, sizeof(hex), "%s", b + 1);
	if (win32_tls_server_cert(file, pass, h, err, sizeof(err)) < 0 || !hexeq(h, hex)) {
		printf("FAIL PFX %s not imported with thumbprint %s: %s\n", file, hex, err);
		return -1;
	}
	printf("ok   PFX imported into LocalMachine\\My, thumbprint %s\n", hex);
	snprintf(store, sizeof(store), "cert:\\LocalMachine\\My\\%s", hex);
	memset(h, 0, sizeof(h));
	if (win32_tls_server_cert(store, "", h, err, sizeof(err)) < 0 || !hexeq(h, hex)) {
		printf("FAIL %s: %s\n", store, err);
		return -1;
	}
	printf("ok   %s names that certificate (in the store, with its key)\n", store);
	if (win32_tls_server_cert("cert:\\LocalMachine\\My\\0000000000000000000000000000000000000000", "", h, err,
				  sizeof(err)) == 0) {
		printf("FAIL a thumbprint not in the store accepted\n");
		return -1;
	}
	printf("ok   a thumbprint not in the store refused: %s\n", err);
	if (win32_tls_server_cert(file, "NUL", h, err, sizeof(err)) == 0) {
		printf("FAIL PFX imported without its password\n");
		return -1;
	}
	printf("ok   wrong PFX password refused: %s\n", err);
	if (win32_tls_server_cert("C:\\agent.crt", "", h, err, sizeof(err)) == 0) {
		printf("FAIL a PEM path accepted\n");
		return -1;
	}
	printf("ok   a PEM path refused: %s\n", err);
	return 0;
}

int main(int argc, char **argv)
{
	char err[256] = "";
	int i, passed = 0, failed = 0;

	if (argc < 3 || win32_tls_ca_load(argv[1], err, sizeof(err)) < 0) {
		printf("cannot load the CA %s: %s\n", argc > 1 ? argv[1] : "(none)", err);
		printf("win-tls: 0 passed, 1 failed\n");
		return 1;
	}
	for (i = 2; i < argc; i++) {
		if (strncmp(argv[i], "pfx:", 4) == 0) {
			if (pfx_checks(argv[i] + 4) == 0)
				passed += 5;
			else
				failed++;
			continue;
		}
		int want = strncmp(argv[i], "ok:", 3) == 0;
		const char *path = strchr(argv[i], ':') ? strchr(argv[i], ':') + 1 : argv[i];
		const char *why = "";
		unsigned char *der;
		size_t len;
		int got;

		if (read_der(path, &der, &len) < 0) {
			printf("FAIL %s: unreadable\n", path);
			failed++;
			continue;
		}
		got = win32_tls_client_verify(der, len, &why);
		free(der);
		if (got == want) {
			printf("ok   %s %s%s%s\n", got ? "accepted" : "refused", path, got ? "" : ": ", got ? "" : why);
			passed++;
		} else {
			printf("FAIL %s %s%s%s\n", got ? "accepted" : "refused", path, got ? "" : ": ", got ? "" : why);
			failed++;
		}
	}
	printf("win-tls: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
