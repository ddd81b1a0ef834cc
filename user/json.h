/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The CLI's one streaming JSON writer: keys given by the caller, strings
 * escaped (control characters, quotes, backslashes) and invalid UTF-8
 * replaced with U+FFFD so that the output is always valid JSON.  Three
 * layouts of the same values:
 *
 *	JSON_PRETTY	a member a line, indented by two spaces: the --json
 *			documents of status, top, config, ...
 *	JSON_SPACED	one line, ", " and ": " between members: the lines
 *			of `leakmon events --json`
 *	JSON_COMPACT	one line, no white space: the lines of a recording
 *			(record.h)
 *
 * Each is a stable interface (Documentation/cli.md): a layout is never
 * changed, only chosen.
 */
#ifndef LEAKMON_JSON_H
#define LEAKMON_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

enum json_style {
	JSON_PRETTY,
	JSON_SPACED,
	JSON_COMPACT,
};

struct json {
	FILE *f;
	enum json_style style;
	int depth;
	bool has_members[JSON_MAX_DEPTH + 1];
};

/* A pretty-printed document */
void json_init(struct json *j, FILE *f);
void json_init_style(struct json *j, FILE *f, enum json_style style);
/* key is NULL for the top-level value and for array elements */
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_str(struct json *j, const char *key, const char *s); /* NULL: null */
void json_u64(struct json *j, const char *key, uint64_t v);
/* v if present, else null */
void json_opt_u64(struct json *j, const char *key, bool present, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
/* fixed-point with prec decimals; NaN and infinities become null */
void json_double(struct json *j, const char *key, double v, int prec);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* ends the document (or the line) with a newline and flushes it */
void json_finish(struct json *j);

/* Writes s as a quoted JSON string */
void json_write_string(FILE *f, const char *s);
/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid */
int utf8_seq_len(const unsigned char *s);

#endif /* LEAKMON_JSON_H */
