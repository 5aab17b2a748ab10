/* SPDX-License-Identifier: Apache-2.0 */
/* tls_keyfile.h - is a private key file kept private?  Checked at start by
 * dsr-agent, dsr-check and dsr-checkd before they load their key, as
 * OpenSSH refuses a key others can read. */
#ifndef DSRKIT_TLSFILES_TLS_KEYFILE_H
#define DSRKIT_TLSFILES_TLS_KEYFILE_H

#include <stddef.h>

/* 0 when path is a regular file that others can neither read nor write and
 * its group cannot write; group read is accepted only when root owns the
 * file and its group is one of ours (an admin sharing the key with the
 * service's group: `chgrp dsrkit KEY; chmod 0640 KEY`, as PostgreSQL
 * accepts for its key).  -EPERM (or -errno of stat) with a one-line reason
 * and the fix in err otherwise. */
__attribute__((warn_unused_result))
int tls_keyfile_check(const char *path, char *err, size_t errlen);

#endif
