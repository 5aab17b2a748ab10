/* SPDX-License-Identifier: Apache-2.0 */
/* win32_file_trust.c - file_trust_check() for Windows: the owner and the
 * DACL of the file (GetNamedSecurityInfo), as sshd for Windows checks its
 * keys.  Trusted: SYSTEM, Administrators, TrustedInstaller and the account
 * the agent runs as; any other account allowed to write the file (or to
 * change its DACL or owner), or to read a secret, makes it untrusted; so
 * does a NULL DACL (everyone full control).  See agent/file_trust.h. */
#include "agent/file_trust.h"

#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define WRITE_RIGHTS (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | WRITE_DAC | WRITE_OWNER | \
		      GENERIC_WRITE | GENERIC_ALL)
#define READ_RIGHTS (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL)

/* S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464 */
static int is_trusted_installer(PSID sid)
{
	char *s = NULL;
	int r;

	if (!ConvertSidToStringSidA(sid, &s))
		return 0;
	r = strcmp(s, "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464") == 0;
	LocalFree(s);
	return r;
}

static PSID self_sid(void)
{
	static union {
		TOKEN_USER tu;
		char raw[256];
	} u;
	HANDLE tok;
	DWORD len = 0;
	int ok;

	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
		return NULL;
	ok = GetTokenInformation(tok, TokenUser, &u, sizeof(u), &len);
	CloseHandle(tok);
	return ok ? u.tu.User.Sid : NULL;
}

static int trusted(PSID sid, PSID self)
{
	return IsWellKnownSid(sid, WinLocalSystemSid) || IsWellKnownSid(sid, WinBuiltinAdministratorsSid) ||
	       (self && EqualSid(sid, self)) || is_trusted_installer(sid);
}

static void sid_text(PSID sid, char *out, size_t n)
{
	char *s = NULL;
	char name[128], dom[128];
	DWORD nl = sizeof(name), dl = sizeof(dom);
	SID_NAME_USE use;

	if (LookupAccountSidA(NULL, sid, name, &nl, dom, &dl, &use)) {
		snprintf(out, n, "%s%s%s", dom, dom[0] ? "\\" : "", name);
		return;
	}
	if (ConvertSidToStringSidA(sid, &s)) {
		snprintf(out, n, "%s", s);
		LocalFree(s);
		return;
	}
	snprintf(out, n, "an unknown account");
}

int file_trust_check(const char *path, int secret, char *why, size_t n)
{
	wchar_t wpath[1024];
	PSECURITY_DESCRIPTOR sd = NULL;
	PSID owner = NULL, self;
	PACL dacl = NULL;
	DWORD e;
	char who[300];
	int r = 0;
	WORD i;

	if (!MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath, (int)(sizeof(wpath) / sizeof(wpath[0])))) {
		snprintf(why, n, "%s: path not valid UTF-8 or too long", path);
		return -EINVAL;
	}
	e = GetNamedSecurityInfoW(wpath, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
				  &owner, NULL, &dacl, NULL, &sd);
	if (e != ERROR_SUCCESS) {
		snprintf(why, n, "%s: cannot read its security descriptor (error %lu)", path, (unsigned long)e);
		return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? -ENOENT : -EIO;
	}
	self = self_sid();
	if (!owner || !trusted(owner, self)) {
		sid_text(owner, who, sizeof(who));
		snprintf(why, n, "%s: owned by %s, not SYSTEM, Administrators or the agent's account "
			 "(icacls \"%s\" /setowner Administrators)", path, owner ? who : "nobody", path);
		r = -EPERM;
		goto out;
	}
	if (!dacl) {
		snprintf(why, n, "%s: no DACL, every account may write it (icacls \"%s\" /inheritance:r "
			 "/grant:r SYSTEM:F Administrators:F)", path, path);
		r = -EPERM;
		goto out;
	}
	for (i = 0; i < dacl->AceCount; i++) {
		ACE_HEADER *h;
		ACCESS_ALLOWED_ACE *a;
		PSID sid;

		if (!GetAce(dacl, i, (void **)&h) || h->AceType != ACCESS_ALLOWED_ACE_TYPE ||
		    (h->AceFlags & INHERIT_ONLY_ACE))
			continue;
		a = (ACCESS_ALLOWED_ACE *)h;
		sid = (PSID)&a->SidStart;
		if (trusted(sid, self) || IsWellKnownSid(sid, WinCreatorOwnerSid))
			continue;
		if (a->Mask & WRITE_RIGHTS) {
			sid_text(sid, who, sizeof(who));
			snprintf(why, n, "%s: %s may write it (icacls \"%s\" /inheritance:r /grant:r SYSTEM:F "
				 "Administrators:F)", path, who, path);
			r = -EPERM;
			goto out;
		}
		if (secret && (a->Mask & READ_RIGHTS)) {
			sid_text(sid, who, sizeof(who));
			snprintf(why, n, "%s: %s may read this secret (icacls \"%s\" /inheritance:r /grant:r "
				 "SYSTEM:F Administrators:F)", path, who, path);
			r = -EPERM;
			goto out;
		}
	}
out:
	LocalFree(sd);
	return r;
}
