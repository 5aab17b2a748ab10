/* SPDX-License-Identifier: Apache-2.0 */
/* color.c - see color.h. */
#include "bounded/color.h"

#include <string.h>

const struct color color_none = { "", "", "", "", "", "" };
const struct color color_ansi = { "\033[1m", "\033[31m", "\033[33m", "\033[32m", "\033[2m", "\033[0m" };

int color_wanted(int is_terminal, const char *no_color, const char *term)
{
	if (!is_terminal)
		return 0;
	if (no_color && no_color[0])
		return 0;
	return !(term && strcmp(term, "dumb") == 0);
}

const struct color *color_pick(int is_terminal, const char *no_color, const char *term)
{
	return color_wanted(is_terminal, no_color, term) ? &color_ansi : &color_none;
}
