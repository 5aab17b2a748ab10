/* SPDX-License-Identifier: Apache-2.0 */
/* color.h - when and how command-line output is coloured: only on a
 * terminal, never when NO_COLOR is set to anything (no-color.org) or TERM
 * is "dumb".  Pure and portable: callers say whether their stream is a
 * terminal (isatty on Linux; the Windows console once it accepts VT
 * sequences). */
#ifndef DSRKIT_BOUNDED_COLOR_H
#define DSRKIT_BOUNDED_COLOR_H

/* The escape sequences to print: every field "" when colour is off. */
struct color {
	const char *bold, *red, *yellow, *green, *dim, *reset;
};

extern const struct color color_none;
extern const struct color color_ansi;

/* 1 when colour is wanted: is_terminal, no_color NULL or "", term not
 * "dumb".  0 otherwise. */
int color_wanted(int is_terminal, const char *no_color, const char *term);

/* &color_ansi or &color_none, as color_wanted says. */
const struct color *color_pick(int is_terminal, const char *no_color, const char *term);

#endif
