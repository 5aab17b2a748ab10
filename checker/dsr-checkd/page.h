/* SPDX-License-Identifier: Apache-2.0 */
/* page.h - dsr-checkd's status page at "/": one HTML document, rendered on
 * the server (it works without JavaScript and refreshes itself), one table
 * per service with a row per real server, in the spirit of HAProxy's stats
 * page.  A few lines of script, where JavaScript is on, replace the tables
 * in place instead of reloading.  No external asset, nothing fetched from
 * elsewhere.  Every string that came from an agent (host name, reasons,
 * versions, interface names) goes through page_html_escape. */
#ifndef DSRKIT_CHECKER_CHECKD_PAGE_H
#define DSRKIT_CHECKER_CHECKD_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "bounded/buf.h"
#include "checker/dsr-checkd/checkd-t.h"

/* Seconds between refreshes (the meta refresh and the script). */
#define CHECKD_PAGE_REFRESH_S 5

/* Append s (len bytes, any bytes) to out as HTML text: & < > " ' as
 * entities, control bytes, DEL and bytes that are not well-formed UTF-8 as
 * a visible "\xNN".  Returns 0 or -ENOSPC/-ENOMEM. */
__attribute__((warn_unused_result))
int page_html_escape(struct buf *out, const char *s, size_t len);

/* Append the page to out.  ipvs may be NULL (not read).  Pure but for the
 * documents it parses again (the fix of a failing row comes from the real
 * server's last document, run through the shared rules).
 * Returns 0, -ENOSPC or -ENOMEM. */
__attribute__((warn_unused_result))
int checkd_page_render(const struct checkd *d, const struct checkd_ipvs_snapshot *ipvs, int64_t now_ms,
		       struct buf *out);

#endif
