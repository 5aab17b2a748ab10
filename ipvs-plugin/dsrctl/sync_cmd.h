/* SPDX-License-Identifier: Apache-2.0 */
/* sync_cmd.h - `dsrctl sync`: the IPVS connection sync daemons and the size
 * of the connection table. */
#ifndef DSRKIT_DSRCTL_SYNC_CMD_H
#define DSRKIT_DSRCTL_SYNC_CMD_H

extern const char sync_cmd_usage[];

/* argv[0] is "sync".  Returns the exit status. */
int sync_cmd(int argc, char **argv);

#endif
