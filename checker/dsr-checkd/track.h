/* SPDX-License-Identifier: Apache-2.0 */
/* track.h - what becomes of a keepalived track file whose target a reload
 * removed (the files themselves are written by checkd_track_write). */
#ifndef DSRKIT_CHECKD_TRACK_H
#define DSRKIT_CHECKD_TRACK_H

#include "checker/dsr-checkd/checkd-t.h"

/* t (a target of rs) left the configuration: its track file in dir, if
 * dsr-checkd wrote one, is deleted.  keepalived 2.2 reads a deleted track
 * file as the value 0 (observed in the lab, doc/keepalived.md), which is
 * what a target it no longer judges should count as: no fault.  Returns 0,
 * or a negative errno other than ENOENT. */
__attribute__((warn_unused_result))
int checkd_track_forget(const char *dir, const struct checkd_rs *rs, const struct checkd_target *t);

#endif
