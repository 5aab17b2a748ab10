/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the reply of BIRD's control socket as dsr-checkd's
 * announcement reads it (checkd_bird_parse, bird.c): never reads past the
 * bytes it is given, answers only complete / more / bad, a complete answer
 * is one of the states a reply can mean, and what it quotes of the peer is
 * escaped for a log line.  It keeps the name fuzz_announce_bird, under
 * which its seed corpus is filed. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checker/dsr-checkd/bird.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checkd_bird_reply r;
	/* a copy of exactly size bytes: ASan sees any read past the end */
	char *s = malloc(size ? size : 1);
	size_t i;
	int ret;

	if (!s)
		return 0;
	memcpy(s, data, size);
	ret = checkd_bird_parse(s, size, "dsrkit_vips", &r);
	if (ret == 1) {
		if (r.state != CHECKD_BIRD_UP && r.state != CHECKD_BIRD_NO_PROTOCOL &&
		    r.state != CHECKD_BIRD_PROTOCOL_DOWN)
			abort();
		if ((r.state == CHECKD_BIRD_UP) != !strcmp(r.word, "up"))
			abort();
		if (strlen(r.word) >= sizeof(r.word) || (r.state == CHECKD_BIRD_PROTOCOL_DOWN && !r.word[0]))
			abort();
	} else if (ret == -EBADMSG) {
		if (r.state != CHECKD_BIRD_BAD_REPLY || !r.why[0])
			abort();
		for (i = 0; r.why[i]; i++)
			if ((unsigned char)r.why[i] < 0x20 || r.why[i] == 0x7f)
				abort();  /* a control byte reached the log line */
	} else if (ret != 0 || size >= CHECKD_BIRD_REPLY_MAX) {
		abort();
	}
	free(s);
	return 0;
}
