/* SPDX-License-Identifier: Apache-2.0 */
/* win32_http_tls.c - the HTTPS transport of the shipped dsr-agent.exe.
 *
 * Server certificate (config key tls_cert):
 *   cert:\LocalMachine\My\THUMBPRINT  (or LocalMachine\My\THUMBPRINT) - a
 *       certificate with its private key already in the machine store;
 *   a .pfx / .p12 file - imported into LocalMachine\My at start (its
 *       password, if any, is the first line of the file named by tls_key).
 * http.sys gets it as the SSL binding of the listening port, asked to
 * negotiate a client certificate in the handshake.  Every request is then
 * answered only when the connection's client certificate chains to the CA
 * in tls_ca (PEM or DER) - that CA alone, not the machine's trusted roots -
 * and is valid for client authentication; anything else gets 403 and the
 * connection is closed, without a byte of status.
 * Verified on a real Windows Server by win-realserver/tests/verify.ps1
 * (wine's http.sys has no TLS).
 */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <wincrypt.h>
#include <http.h>

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win-realserver/win32_http.h"
#include "win-realserver/win32_service.h"

const char win32_http_transport_name[] = "https, client certificate required";

/* Flags of newer http.sys (Windows 10 / Server 2016+ http.h). */
#define SSL_FLAG_DISABLE_HTTP2_      0x00000010
#define SSL_FLAG_DISABLE_LEGACY_TLS_ 0x00000400
#define SSL_FLAG_DISABLE_TLS12_      0x00001000
#define CERT_CHECK_NO_REVOCATION_    0x00000001

/* A fixed AppId for the binding: netsh http show sslcert shows it. */
static const GUID app_id = { 0x6d7e2b1a, 0x4c1f, 0x4a57, { 0x9a, 0x63, 0x64, 0x73, 0x72, 0x6b, 0x69, 0x74 } };

static struct {
	SOCKADDR_STORAGE ip_port[2];     /* [1]: [::]:port beside 0.0.0.0:port for "+" */
	int bound[2];
	HCERTSTORE ca_store;
	PCCERT_CONTEXT ca;
	HCERTCHAINENGINE engine;
	int config_init;
} tls;

static int read_all(const char *path, BYTE **out, DWORD *len)
{
	FILE *f = fopen(path, "rb");
	BYTE *b;
	size_t n;

	if (!f)
		return -errno;
	b = malloc(256 * 1024);
	if (!b) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(b, 1, 256 * 1024, f);
	fclose(f);
	if (n == 256 * 1024) {
		free(b);
		return -EFBIG;
	}
	*out = b;
	*len = (DWORD)n;
	return 0;
}

/* The CA: PEM (first certificate) or DER; an exclusive-root chain engine
 * over it, so only this CA makes a client certificate valid. */
static int load_ca(const char *path, char *err, size_t errlen)
{
	CERT_CHAIN_ENGINE_CONFIG ec;
	BYTE *raw = NULL, *der = NULL;
	DWORD len = 0, dlen = 0;
	int r = read_all(path, &raw, &len);

	if (r < 0) {
		snprintf(err, errlen, "tls_ca %s: %s", path, strerror(-r));
		return r;
	}
	if (len > 10 && memcmp(raw, "-----BEGIN", 10) == 0) {
		if (CryptStringToBinaryA((const char *)raw, len, CRYPT_STRING_BASE64HEADER, NULL, &dlen, NULL, NULL) &&
		    (der = malloc(dlen)) &&
		    CryptStringToBinaryA((const char *)raw, len, CRYPT_STRING_BASE64HEADER, der, &dlen, NULL, NULL))
			tls.ca = CertCreateCertificateContext(X509_ASN_ENCODING, der, dlen);
	} else {
		tls.ca = CertCreateCertificateContext(X509_ASN_ENCODING, raw, len);
	}
	free(raw);
	free(der);
	if (!tls.ca) {
		snprintf(err, errlen, "tls_ca %s: not a PEM or DER certificate", path);
		return -EINVAL;
	}
	tls.ca_store = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, NULL);
	if (!tls.ca_store || !CertAddCertificateContextToStore(tls.ca_store, tls.ca, CERT_STORE_ADD_ALWAYS, NULL))
		return -ENOMEM;
	memset(&ec, 0, sizeof(ec));
	/* the Windows 7 layout (up to hExclusiveTrustedPeople): every Windows
	 * since accepts it, and it is the one wine's crypt32 knows */
	ec.cbSize = offsetof(CERT_CHAIN_ENGINE_CONFIG, dwExclusiveFlags);
	ec.hExclusiveRoot = tls.ca_store;
	if (!CertCreateCertificateChainEngine(&ec, &tls.engine)) {
		snprintf(err, errlen, "cannot create a chain engine for tls_ca (error %lu)", (unsigned long)GetLastError());
		return -EIO;
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "cert:\LocalMachine\My\AB12..." -> the 20-byte SHA-1 thumbprint. */
static int store_thumbprint(const char *spec, BYTE hash[20])
{
	const char *p = spec;
	int i = 0;

	if (_strnicmp(p, "cert:\\", 6) == 0)
		p += 6;
	if (_strnicmp(p, "LocalMachine\\My\\", 16) != 0)
		return -EINVAL;
	p += 16;
	for (; *p && i < 40; p++) {
		int v = hexval((unsigned char)*p);

		if (*p == ' ')
			continue;
		if (v < 0)
			return -EINVAL;
		if (i % 2 == 0)
			hash[i / 2] = (BYTE)(v << 4);
		else
			hash[i / 2] |= (BYTE)v;
		i++;
	}
	return i == 40 && !*p ? 0 : -EINVAL;
}

/* Import a PFX into LocalMachine\My; its leaf (the one with a key) gives
 * the thumbprint. */
static int import_pfx(const char *path, const char *pwfile, BYTE hash[20], char *err, size_t errlen)
{
	CRYPT_DATA_BLOB blob;
	WCHAR pw[256] = L"";
	HCERTSTORE pfx = NULL, my = NULL;
	PCCERT_CONTEXT c = NULL;
	BYTE *raw = NULL;
	DWORD len = 0, hl = 20;
	int r;

	r = read_all(path, &raw, &len);
	if (r < 0) {
		snprintf(err, errlen, "tls_cert %s: %s", path, strerror(-r));
		return r;
	}
	if (pwfile && *pwfile) {
		char line[256] = "";
		FILE *f = fopen(pwfile, "r");

		if (f) {
			if (fgets(line, sizeof(line), f))
				line[strcspn(line, "\r\n")] = '\0';
			fclose(f);
			MultiByteToWideChar(CP_UTF8, 0, line, -1, pw, 256);
			SecureZeroMemory(line, sizeof(line));
		}
	}
	blob.pbData = raw;
	blob.cbData = len;
	r = -EINVAL;
	pfx = PFXImportCertStore(&blob, pw, CRYPT_MACHINE_KEYSET);
	SecureZeroMemory(pw, sizeof(pw));
	if (!pfx) {
		snprintf(err, errlen, "tls_cert %s: not a PFX, or the password (first line of tls_key) is wrong "
			 "(error %lu)", path, (unsigned long)GetLastError());
		goto out;
	}
	my = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_LOCAL_MACHINE, L"MY");
	if (!my) {
		snprintf(err, errlen, "cannot open LocalMachine\\My (error %lu): run as administrator",
			 (unsigned long)GetLastError());
		goto out;
	}
	while ((c = CertEnumCertificatesInStore(pfx, c))) {
		DWORD ks = 0;

		if (!CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, NULL, &ks))
			continue;
		if (!CertAddCertificateContextToStore(my, c, CERT_STORE_ADD_REPLACE_EXISTING, NULL) ||
		    !CertGetCertificateContextProperty(c, CERT_HASH_PROP_ID, hash, &hl)) {
			snprintf(err, errlen, "adding the PFX certificate to LocalMachine\\My failed (error %lu)",
				 (unsigned long)GetLastError());
			CertFreeCertificateContext(c);
			goto out;
		}
		CertFreeCertificateContext(c);
		r = 0;
		break;
	}
	if (r < 0 && !err[0])
		snprintf(err, errlen, "tls_cert %s: no certificate with a private key in the PFX", path);
out:
	if (my)
		CertCloseStore(my, 0);
	if (pfx)
		CertCloseStore(pfx, 0);
	free(raw);
	return r;
}

/* The certificate must be in LocalMachine\My with its private key, or the
 * http.sys binding fails later with a less helpful error. */
static int store_has_key(BYTE hash[20], const char *spec, char *err, size_t errlen)
{
	CRYPT_HASH_BLOB blob = { 20, hash };
	HCERTSTORE my = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
				      CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_READONLY_FLAG, L"MY");
	PCCERT_CONTEXT c = NULL;
	DWORD ks = 0;
	int r = 0;

	if (!my) {
		snprintf(err, errlen, "cannot open LocalMachine\\My (error %lu)", (unsigned long)GetLastError());
		return -EIO;
	}
	c = CertFindCertificateInStore(my, X509_ASN_ENCODING, 0, CERT_FIND_SHA1_HASH, &blob, NULL);
	if (!c) {
		snprintf(err, errlen, "tls_cert %s: no such certificate in LocalMachine\\My", spec);
		r = -ENOENT;
	} else if (!CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, NULL, &ks)) {
		snprintf(err, errlen, "tls_cert %s: the certificate has no private key in the machine store", spec);
		r = -EACCES;
	}
	if (c)
		CertFreeCertificateContext(c);
	CertCloseStore(my, 0);
	return r;
}

int win32_tls_server_cert(const char *tls_cert, const char *tls_key, unsigned char hash[20], char *err,
			  size_t errlen)
{
	const char *ext = strrchr(tls_cert, '.');

	if (store_thumbprint(tls_cert, hash) == 0)
		return store_has_key(hash, tls_cert, err, errlen);
	if (ext && (_stricmp(ext, ".pfx") == 0 || _stricmp(ext, ".p12") == 0))
		return import_pfx(tls_cert, tls_key, hash, err, errlen);
	snprintf(err, errlen, "tls_cert must be cert:\\LocalMachine\\My\\THUMBPRINT or a .pfx file on Windows "
		 "(got %s)", tls_cert);
	return -EINVAL;
}

static ULONG bind_cert(int k, BYTE hash[20], DWORD flags)
{
	HTTP_SERVICE_CONFIG_SSL_SET set;

	memset(&set, 0, sizeof(set));
	set.KeyDesc.pIpPort = (PSOCKADDR)&tls.ip_port[k];
	set.ParamDesc.SslHashLength = 20;
	set.ParamDesc.pSslHash = hash;
	set.ParamDesc.AppId = app_id;
	set.ParamDesc.pSslCertStoreName = (WCHAR *)L"MY";
	set.ParamDesc.DefaultCertCheckMode = CERT_CHECK_NO_REVOCATION_;
	set.ParamDesc.DefaultFlags = flags;
	/* replace a binding left by an earlier run */
	HttpDeleteServiceConfiguration(NULL, HttpServiceConfigSSLCertInfo, &set, sizeof(set), NULL);
	return HttpSetServiceConfiguration(NULL, HttpServiceConfigSSLCertInfo, &set, sizeof(set), NULL);
}

int win32_http_transport_begin(const struct agent_config *cfg, char *url, size_t urllen, char *err,
			       size_t errlen)
{
	HTTPAPI_VERSION v1 = HTTPAPI_VERSION_1;
	BYTE hash[20];
	DWORD base = HTTP_SERVICE_CONFIG_SSL_FLAG_NEGOTIATE_CLIENT_CERT;
	DWORD strict = base | SSL_FLAG_DISABLE_HTTP2_ | SSL_FLAG_DISABLE_LEGACY_TLS_ |
		       (cfg->tls_min_minor >= 3 ? SSL_FLAG_DISABLE_TLS12_ : 0);
	char host[IPADDR_STRLEN + 2], a[IPADDR_STRLEN];
	size_t i, n = ipaddr_len(&cfg->listen);
	int r, k, wildcard = 1;
	ULONG e;

	for (i = 0; i < n; i++)
		wildcard &= cfg->listen.b[i] == 0;
	e = HttpInitialize(v1, HTTP_INITIALIZE_CONFIG, NULL);
	if (e != NO_ERROR) {
		snprintf(err, errlen, "http.sys configuration is not available (error %lu)", (unsigned long)e);
		return -EIO;
	}
	tls.config_init = 1;
	/* agent.conf is shared with the Linux agent, which checks tls_crl; this
	 * one does not yet: say so rather than run without revocation */
	if (cfg->tls_crl[0]) {
		snprintf(err, errlen, "tls_crl is not supported by the Windows agent (yet): remove it, or revoke by "
			 "issuing a new CA");
		return -ENOTSUP;
	}
	r = load_ca(cfg->tls_ca, err, errlen);
	if (r < 0)
		return r;
	r = win32_tls_server_cert(cfg->tls_cert, cfg->tls_key, hash, err, errlen);
	if (r < 0)
		return r;

	memset(&tls.ip_port, 0, sizeof(tls.ip_port));
	if (cfg->listen.family == IP_FAMILY_V4 && !wildcard) {
		SOCKADDR_IN *s4 = (SOCKADDR_IN *)&tls.ip_port[0];

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, cfg->listen.b, 4);
		s4->sin_port = htons(cfg->port);
	} else if (cfg->listen.family == IP_FAMILY_V6 && !wildcard) {
		SOCKADDR_IN6 *s6 = (SOCKADDR_IN6 *)&tls.ip_port[0];

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, cfg->listen.b, 16);
		s6->sin6_port = htons(cfg->port);
	} else {
		/* 0.0.0.0:port and [::]:port bind the certificate for every
		 * address of each family */
		SOCKADDR_IN *s4 = (SOCKADDR_IN *)&tls.ip_port[0];
		SOCKADDR_IN6 *s6 = (SOCKADDR_IN6 *)&tls.ip_port[1];

		s4->sin_family = AF_INET;
		s4->sin_port = htons(cfg->port);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(cfg->port);
	}
	for (k = 0; k < 2 && tls.ip_port[k].ss_family; k++) {
		e = bind_cert(k, hash, strict);
		if (e == ERROR_INVALID_PARAMETER) {
			/* an http.sys older than the TLS/HTTP2 flags: Schannel's
			 * configured protocol versions apply */
			if (k == 0)
				win32_note("this http.sys cannot pin the TLS version; Schannel's settings apply");
			e = bind_cert(k, hash, base);
		}
		if (e != NO_ERROR) {
			snprintf(err, errlen, "binding the certificate to port %u failed (http.sys error %lu)%s",
				 cfg->port, (unsigned long)e, e == ERROR_ACCESS_DENIED ? ": run as administrator" : "");
			win32_http_transport_end();
			return -EIO;
		}
		tls.bound[k] = 1;
	}
	if (wildcard)
		snprintf(host, sizeof(host), "+");
	else
		snprintf(host, sizeof(host), cfg->listen.family == IP_FAMILY_V6 ? "[%s]" : "%s",
			 ipaddr_format(&cfg->listen, a));
	snprintf(url, urllen, "https://%s:%u/", host, cfg->port);
	return 0;
}

int win32_tls_client_verify(const unsigned char *der, size_t len, const char **why)
{
	static LPSTR client_auth[] = { (LPSTR)szOID_PKIX_KP_CLIENT_AUTH };
	CERT_CHAIN_PARA para;
	PCCERT_CHAIN_CONTEXT chain = NULL;
	PCCERT_CONTEXT cert;
	DWORD bad;
	int ok = 0;

	if (!tls.engine || !tls.ca) {
		*why = "no CA loaded";
		return 0;
	}
	cert = CertCreateCertificateContext(X509_ASN_ENCODING, der, (DWORD)len);
	if (!cert) {
		*why = "unreadable client certificate";
		return 0;
	}
	memset(&para, 0, sizeof(para));
	para.cbSize = sizeof(para);
	para.RequestedUsage.dwType = USAGE_MATCH_TYPE_AND;
	para.RequestedUsage.Usage.cUsageIdentifier = 1;
	para.RequestedUsage.Usage.rgpszUsageIdentifier = client_auth;
	if (!CertGetCertificateChain(tls.engine, cert, NULL, NULL, &para, 0, NULL, &chain)) {
		*why = "client certificate chain could not be built";
		goto out;
	}
	/* revocation is not checked (no CRL/OCSP for a private CA) */
	bad = chain->TrustStatus.dwErrorStatus &
	      ~(DWORD)(CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION);
	if (bad) {
		*why = bad & CERT_TRUST_IS_UNTRUSTED_ROOT ? "client certificate is not from the configured CA" :
		       bad & CERT_TRUST_IS_NOT_TIME_VALID ? "client certificate expired or not yet valid" :
		       bad & CERT_TRUST_IS_NOT_VALID_FOR_USAGE ? "client certificate not valid for client authentication" :
		       bad & CERT_TRUST_IS_PARTIAL_CHAIN ? "client certificate is not from the configured CA" :
							       "client certificate rejected";
		goto out;
	}
	/* the exclusive root engine only trusts tls_ca; make sure of it */
	if (chain->cChain < 1 || chain->rgpChain[0]->cElement < 1 ||
	    !CertCompareCertificate(X509_ASN_ENCODING,
				    chain->rgpChain[0]->rgpElement[chain->rgpChain[0]->cElement - 1]->pCertContext->pCertInfo,
				    tls.ca->pCertInfo)) {
		*why = "client certificate is not from the configured CA";
		goto out;
	}
	ok = 1;
out:
	if (chain)
		CertFreeCertificateChain(chain);
	CertFreeCertificateContext(cert);
	return ok;
}

int win32_http_client_ok(void *queue, uint64_t conn, const char **why)
{
	union {
		HTTP_SSL_CLIENT_CERT_INFO info;
		BYTE raw[16 * 1024];
	} u;
	ULONG got = 0, e;

	e = HttpReceiveClientCertificate(queue, conn, 0, &u.info, sizeof(u), &got, NULL);
	if (e != NO_ERROR || !u.info.pCertEncoded || !u.info.CertEncodedSize) {
		*why = "no client certificate";
		return 0;
	}
	return win32_tls_client_verify(u.info.pCertEncoded, u.info.CertEncodedSize, why);
}

int win32_tls_ca_load(const char *path, char *err, size_t errlen)
{
	return load_ca(path, err, errlen);
}

void win32_http_transport_end(void)
{
	HTTP_SERVICE_CONFIG_SSL_SET set;

	int k;

	for (k = 0; k < 2; k++) {
		if (!tls.bound[k])
			continue;
		memset(&set, 0, sizeof(set));
		set.KeyDesc.pIpPort = (PSOCKADDR)&tls.ip_port[k];
		HttpDeleteServiceConfiguration(NULL, HttpServiceConfigSSLCertInfo, &set, sizeof(set), NULL);
		tls.bound[k] = 0;
	}
	if (tls.engine)
		CertFreeCertificateChainEngine(tls.engine);
	if (tls.ca)
		CertFreeCertificateContext(tls.ca);
	if (tls.ca_store)
		CertCloseStore(tls.ca_store, 0);
	if (tls.config_init)
		HttpTerminate(HTTP_INITIALIZE_CONFIG, NULL);
	memset(&tls, 0, sizeof(tls));
}
