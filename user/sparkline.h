/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Sparklines of `leakmon watch`: a series in one line of text. */
#ifndef LEAKMON_SPARKLINE_H
#define LEAKMON_SPARKLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The last width values of v[0..n) (older first) as width cells, scaled
 * from 0 to the largest value shown: U+2581..U+2588 block elements with
 * utf8, else " .:-=+*#" (cell 0 is a value of 0, the top cell the
 * maximum; a value above 0 never shows as 0).  Fewer values than width
 * are right-aligned after spaces.  buf gets a NUL-terminated string;
 * returns the number of cells (width, unless buf is too small: then 0 and
 * buf is "").  Needs 3 * width + 1 bytes with utf8, width + 1 without.
 */
size_t sparkline(char *buf, size_t size, const uint64_t *v, size_t n,
		 size_t width, bool utf8);

#endif /* LEAKMON_SPARKLINE_H */
