/* SPDX-License-Identifier: Apache-2.0 */
/* arp_check_cmd.c - dsrctl arp-check; see arp_check_cmd.h. */
#include "arp/iface.h"
#include "arp/arp_check_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "bounded/strparse.h"
#include "arp/arp_detect.h"

#define MAX_VIPS 64
#define MAX_RS   256
#define MAX_CLAIMS 64

const char arp_check_usage[] =
	"usage: dsrctl arp-check [--iface IF] [--rs ADDR ...] [--allow-mac MAC ...]\n"
	"                        [--window MS] [--rounds N] [--json] VIP...\n"
	"\n"
	"Asks \"who has VIP?\" on the director's interface and reports every MAC\n"
	"other than the director's own (or an --allow-mac: a VRRP virtual MAC or\n"
	"peer) that answers or announces a VIP: the ARP problem of a real server\n"
	"without arp_ignore=1/arp_announce=2.  The offending server is named by\n"
	"address from --rs probes and the neighbour table.  IPv6 VIPs: the same\n"
	"with Neighbour Solicitations and Advertisements.\n"
	"\n"
	"  --iface IF       interface to ask on (default: the one holding the first VIP)\n"
	"  --rs ADDR        a real server's own address, asked too so its MAC is known\n"
	"  --allow-mac MAC  another MAC allowed to answer (repeatable)\n"
	"  --window MS      how long to collect replies per round (default 500)\n"
	"  --rounds N       rounds (default 1)\n"
	"  --json           JSON output\n"
	"Exit status: 0 no finding, 1 ARP problem found, 2 error.\n";

int arp_check_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "rs", required_argument, NULL, 'r' },
		{ "allow-mac", required_argument, NULL, 'a' },
		{ "window", required_argument, NULL, 'w' },
		{ "rounds", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct arp_detector d;
	struct ip_addr vips[MAX_VIPS], rs[MAX_RS];
	uint8_t allow[ARP_DETECT_MAX_ALLOWED][6];
	struct arp_claim claims[MAX_CLAIMS];
	size_t n_vips = 0, n_rs = 0, n_allow = 0, n_claims = 0, i;
	uint32_t window = 500, rounds = 1, round;
	char iface[64] = "", err[256];
	int json = 0, ch, r;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			if (strlen(optarg) >= sizeof(iface))
				return fprintf(stderr, "dsrctl arp-check: --iface: name too long\n"), 2;
			snprintf(iface, sizeof(iface), "%s", optarg);
			break;
		case 'r':
			if (n_rs >= MAX_RS || ipaddr_parse(optarg, &rs[n_rs]) < 0)
				return fprintf(stderr, "dsrctl arp-check: --rs: '%s' is not an address (or too many)\n",
					       optarg), 2;
			n_rs++;
			break;
		case 'a':
			if (n_allow >= ARP_DETECT_MAX_ALLOWED - 1 || mac_parse(optarg, allow[n_allow]) < 0)
				return fprintf(stderr, "dsrctl arp-check: --allow-mac: '%s' is not aa:bb:cc:dd:ee:ff\n",
					       optarg), 2;
			n_allow++;
			break;
		case 'w':
			if (parse_u32(optarg, &window, 10, 60000) < 0)
				return fprintf(stderr, "dsrctl arp-check: --window: '%s' is not 10-60000 ms\n", optarg), 2;
			break;
		case 'n':
			if (parse_u32(optarg, &rounds, 1, 100000) < 0)
				return fprintf(stderr, "dsrctl arp-check: --rounds: '%s' is not 1-100000\n", optarg), 2;
			break;
		case 'j': json = 1; break;
		case 'h': fputs(arp_check_usage, stdout); return 0;
		default: fputs(arp_check_usage, stderr); return 2;
		}
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (n_vips >= MAX_VIPS || ipaddr_parse(argv[i], &vips[n_vips]) < 0)
			return fprintf(stderr, "dsrctl arp-check: '%s' is not a VIP address (or too many)\n", argv[i]), 2;
		n_vips++;
	}
	if (!n_vips) {
		fputs(arp_check_usage, stderr);
		return 2;
	}
	if (!iface[0] && iface_of_addr(&vips[0], iface, sizeof(iface)) < 0)
		return fprintf(stderr, "dsrctl arp-check: no interface here holds %s: name one with --iface\n",
			       argv[optind]), 2;
	r = arp_detector_open(&d, iface, err, sizeof(err));
	if (r < 0)
		return fprintf(stderr, "dsrctl arp-check: %s\n", err), 2;
	for (i = 0; i < n_allow; i++)
		if (arp_detector_allow(&d, allow[i]) < 0)
			return fprintf(stderr, "dsrctl arp-check: too many --allow-mac\n"), 2;
	for (round = 0; round < rounds; round++) {
		struct arp_claim found[MAX_CLAIMS];
		size_t n_found = 0, k, m;

		r = arp_detector_round(&d, vips, n_vips, round == 0 ? rs : NULL, round == 0 ? n_rs : 0, window, found,
				       MAX_CLAIMS, &n_found);
		if (r < 0) {
			fprintf(stderr, "dsrctl arp-check: %s: %s\n", iface, strerror(-r));
			arp_detector_close(&d);
			return 2;
		}
		for (k = 0; k < n_found; k++) {
			for (m = 0; m < n_claims; m++)
				if (ipaddr_equal(&claims[m].vip, &found[k].vip) && !memcmp(claims[m].mac, found[k].mac, 6))
					break;
			if (m == n_claims && n_claims < MAX_CLAIMS)
				claims[n_claims++] = found[k];
		}
	}
	arp_detector_close(&d);
	if (json)
		printf("{\"iface\":\"%s\",\"rounds\":%u,\"findings\":[", iface, rounds);
	for (i = 0; i < n_claims; i++) {
		char v[IPADDR_STRLEN], o[IPADDR_STRLEN], mac[MAC_STRLEN];

		ipaddr_format(&claims[i].vip, v);
		mac_format(claims[i].mac, mac);
		if (claims[i].have_owner)
			ipaddr_format(&claims[i].owner, o);
		if (json)
			printf("%s{\"code\":\"ARP_PROBLEM\",\"vip\":\"%s\",\"mac\":\"%s\",\"server\":%s%s%s,"
			       "\"kind\":\"%s\"}", i ? "," : "", v, mac, claims[i].have_owner ? "\"" : "",
			       claims[i].have_owner ? o : "null", claims[i].have_owner ? "\"" : "",
			       claims[i].gratuitous ? "gratuitous" : claims[i].op == ARP_OP_REPLY ? "reply" : "request");
		else
			printf("ARP_PROBLEM %s: %s (%s) %s VIP %s; fix: %s (dsr-agent setup --vip %s)\n",
			       iface, claims[i].have_owner ? o : "unknown server", mac,
			       claims[i].gratuitous ? "announces"
			       : claims[i].op == ARP_OP_REPLY ? (claims[i].vip.family == IP_FAMILY_V6 ? "answers ND for"
												       : "answers ARP for")
							      : "claims",
			       v,
			       claims[i].vip.family == IP_FAMILY_V6 ? "the VIP as /128 on lo only, never on an interface that answers ND"
								    : "arp_ignore=1 and arp_announce=2 on it",
			       v);
	}
	if (json)
		printf("]}\n");
	else if (!n_claims)
		printf("OK %s: only this director answers ARP for %zu VIP(s) in %u round(s)\n", iface, n_vips, rounds);
	return n_claims ? 1 : 0;
}
