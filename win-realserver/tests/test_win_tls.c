/* test_win_tls.c - the HTTPS transport's client-certificate check
 * (win32_tls_client_verify in win32_http_tls.c) on certificates made with
 * openssl by win-check.sh: only a client-authentication certificate that
 * chains to the configured CA - that CA alone - is accepted.  Runs under
 * wine (its crypt32 builds the chains); http.sys itself is not involved.
 *
 * Usage: test_win_tls.exe CA_FILE ok|no:CERT.der ...
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
