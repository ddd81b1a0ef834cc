// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Sparklines: see sparkline.h */
#include <string.h>

#include "sparkline.h"

static const char *const blocks[8] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
static const char ascii[] = " .:-=+*#";

size_t sparkline(char *buf, size_t size, const uint64_t *v, size_t n,
		 size_t width, bool utf8)
{
	size_t need = utf8 ? 3 * width + 1 : width + 1, first, pad, o = 0;
	uint64_t max = 0;

	if (!size)
		return 0;
	buf[0] = '\0';
	if (size < need)
		return 0;
	first = n > width ? n - width : 0;
	pad = width - (n - first);
	for (size_t i = first; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (size_t i = 0; i < pad; i++)
		buf[o++] = ' ';
	for (size_t i = first; i < n; i++) {
		/* level 0..7: 0 for 0, at least 1 for anything above 0 */
		unsigned int lvl = 0;

		if (v[i] && max) {
			lvl = (unsigned int)(((long double)v[i] * 7 +
					      (long double)max - 1) / max);
			if (lvl < 1)
				lvl = 1;
			if (lvl > 7)
				lvl = 7;
		}
		if (utf8) {
			memcpy(buf + o, blocks[lvl], 3);
			o += 3;
		} else {
			buf[o++] = ascii[lvl];
		}
	}
	buf[o] = '\0';
	return width;
}
