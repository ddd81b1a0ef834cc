// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness: arbitrary bytes as a `leakmon record` file, through
 * the parser `leakmon graph` uses (rec_parse) and the series it draws
 * (rec_series, by comm and by task).  Seeds: Documentation/cli.md's example
 * lines, written by `make -C user fuzz`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	struct recording r;
	char why[256];

	if (!text)
		return 0;
	memcpy(text, data, size);
	memset(&r, 0, sizeof(r));
	if (rec_parse(text, size, &r, why, sizeof(why)) == REC_OK) {
		for (int by = REC_BY_COMM; by <= REC_BY_TASK; by++) {
			struct rec_series *s = NULL;
			int n = rec_series(&r, by, 12, &s);

			if (n > 0)
				rec_series_free(s, n);
		}
	}
	rec_free(&r);
	free(text);
	return 0;
}
