/* SPDX-License-Identifier: Apache-2.0 */
/* file_trust.h - may dsr-agent trust a configuration, certificate or key
 * file?  As OpenSSH's StrictModes: a file another account can write could
 * hand the agent a configuration, a CA or a key of that account's choosing
 * (issue 16, finding 3).  One whole implementation per platform:
 * file_trust_linux.c (owner and mode bits), win-realserver's
 * win32_file_trust.c (owner and DACL).  No OS header here. */
#ifndef DSRKIT_AGENT_FILE_TRUST_H
#define DSRKIT_AGENT_FILE_TRUST_H

#include <stddef.h>

/* 0 when path may be trusted: a regular file owned by the administrator
 * (root; SYSTEM or Administrators) or by the account the agent runs as,
 * that no other account can write (and, when secret, read).  -EPERM with
 * the reason and the fix in why (n bytes) when it may not; another negative
 * errno (the file cannot be examined: -ENOENT...) with the reason too. */
__attribute__((warn_unused_result))
int file_trust_check(const char *path, int secret, char *why, size_t n);

#endif
