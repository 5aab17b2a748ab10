/* SPDX-License-Identifier: Apache-2.0 */
/* arp_check_cmd.h - `dsrctl arp-check`: one round of the ARP-problem
 * detector on demand. */
#ifndef DSRKIT_CHECKER_ARP_CHECK_CMD_H
#define DSRKIT_CHECKER_ARP_CHECK_CMD_H

extern const char arp_check_usage[];

/* argv[0] is "arp-check".  Exit status: 0 no finding, 1 a finding, 2 error. */
int arp_check_cmd(int argc, char **argv);

#endif
