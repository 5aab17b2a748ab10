/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the ARP and ND frame parsers on whatever the wire sends. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arp/arp_packet.h"
#include "arp/nd_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arp_msg m;
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	struct nd_advert a;

	if (arp_frame_parse(copy, size, &m) == 0 && (m.op != ARP_OP_REQUEST && m.op != ARP_OP_REPLY))
		abort();
	if (nd_frame_parse(copy, size, &a) == 0 && a.target.family != IP_FAMILY_V6)
		abort();
	free(copy);
	return 0;
}
