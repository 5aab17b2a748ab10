/* SPDX-License-Identifier: Apache-2.0 */
/* ha_lint_cmd.h - `dsrctl lint A.conf B.conf`, the pair lint. */
#ifndef DSRKIT_HA_LINT_CMD_H
#define DSRKIT_HA_LINT_CMD_H

extern const char ha_lint_cmd_usage[];

/* argv[0] is "lint"; two files (and options).  Returns the exit status. */
int ha_lint_cmd(int argc, char **argv);

#endif
