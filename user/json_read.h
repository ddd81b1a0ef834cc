/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A small strict JSON reader: one value parsed into a tree of values kept
 * in one array, strings decoded into a copy of the text (a \u escape of a
 * UTF-16 surrogate becomes U+FFFD, \u0000 and NUL bytes are refused).
 * It reads the lines of a recording (record.c); json.h is the writer.
 */
#ifndef LEAKMON_JSON_READ_H
#define LEAKMON_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JREAD_MAX_DEPTH	16		/* deeper nesting is refused */

enum jtype { JT_NULL, JT_BOOL, JT_NUM, JT_STR, JT_ARR, JT_OBJ };

struct jval {
	enum jtype type;
	const char *key;		/* member name inside an object */
	bool b;
	double num;
	bool is_uint;			/* num is a non-negative integer */
	uint64_t u;			/* exact, when is_uint */
	const char *str;		/* decoded, NUL-terminated */
	size_t first;			/* first child (index), 0 if none */
	size_t next;			/* next sibling (index), 0 if none */
};

struct jdoc {
	struct jval *v;			/* v[0] unused, v[1] the root */
	size_t n, cap;
	char *buf;			/* decoded copy of the text */
};

/*
 * Parse exactly one JSON value (with surrounding blanks) from text[0..len)
 * into d (zeroed before the first use; reused by later calls).  Returns 0,
 * -ENOMEM, or -EINVAL with the reason in why.
 */
int jparse(struct jdoc *d, const char *text, size_t len, char *why,
	   size_t whysize);
void jdoc_free(struct jdoc *d);

/* Member key of object obj, or NULL (also when obj is no object) */
const struct jval *jget(const struct jdoc *d, const struct jval *obj,
			const char *key);
/* Member key as a number: false if absent or not a number */
bool jget_num(const struct jdoc *d, const struct jval *obj, const char *key,
	      double *v);
/*
 * Member key as a non-negative integer, exact to 64 bits: 0 with *present
 * true; 0 with *present false if absent or null; -EINVAL if anything else
 */
int jget_u64(const struct jdoc *d, const struct jval *obj, const char *key,
	     uint64_t *v, bool *present);
/* Member key as a string copied to buf (cut to size), "" if not a string */
void jget_str(const struct jdoc *d, const struct jval *obj, const char *key,
	      char *buf, size_t size);

#endif /* LEAKMON_JSON_READ_H */
