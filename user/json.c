// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <inttypes.h>
#include <math.h>

#include "json.h"

void json_init_style(struct json *j, FILE *f, enum json_style style)
{
	j->f = f;
	j->style = style;
	j->depth = 0;
	j->has_members[0] = false;
}

void json_init(struct json *j, FILE *f)
{
	json_init_style(j, f, JSON_PRETTY);
}

static bool utf8_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

int utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return utf8_cont(s[1]) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		/* no overlong forms (e0 80..9f), no surrogates (ed a0..bf) */
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;
		if (c == 0xed && s[1] > 0x9f)
			return 0;
		return utf8_cont(s[1]) && utf8_cont(s[2]) ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		/* no overlong forms (f0 80..8f), nothing above U+10FFFF */
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] > 0x8f)
			return 0;
		return utf8_cont(s[1]) && utf8_cont(s[2]) &&
		       utf8_cont(s[3]) ? 4 : 0;
	}
	return 0;
}

static void json_write_char(FILE *f, unsigned char c)
{
	static const char short_esc[][3] = {
		['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b",
		['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
	};

	if (c < sizeof(short_esc) / sizeof(short_esc[0]) && short_esc[c][0])
		fputs(short_esc[c], f);
	else if (c < 0x20 || c == 0x7f)
		fprintf(f, "\\u%04x", c);
	else
		fputc(c, f);
}

void json_write_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	fputc('"', f);
	while (*s) {
		if (*s < 0x80) {
			json_write_char(f, *s++);
			continue;
		}
		/* a NUL inside a sequence makes it invalid: no overrun */
		n = utf8_seq_len(s);
		if (n) {
			fwrite(s, 1, (size_t)n, f);
			s += n;
		} else {
			fputs("\\ufffd", f);
			s++;
		}
	}
	fputc('"', f);
}

static void json_indent(struct json *j)
{
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

static void json_member(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->has_members[j->depth])
			fputs(j->style == JSON_SPACED ? ", " : ",", j->f);
		if (j->style == JSON_PRETTY)
			json_indent(j);
	}
	j->has_members[j->depth] = true;
	if (key) {
		json_write_string(j->f, key);
		fputs(j->style == JSON_COMPACT ? ":" : ": ", j->f);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_member(j, key);
	fputc(c, j->f);
	if (j->depth < JSON_MAX_DEPTH)
		j->depth++;
	j->has_members[j->depth] = false;
}

static void json_close(struct json *j, char c)
{
	bool had = j->has_members[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had && j->style == JSON_PRETTY)
		json_indent(j);
	fputc(c, j->f);
}

void json_obj_open(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_close(struct json *j)
{
	json_close(j, '}');
}

void json_arr_open(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_close(struct json *j)
{
	json_close(j, ']');
}

void json_str(struct json *j, const char *key, const char *s)
{
	json_member(j, key);
	if (s)
		json_write_string(j->f, s);
	else
		fputs("null", j->f);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_opt_u64(struct json *j, const char *key, bool present, uint64_t v)
{
	if (present)
		json_u64(j, key, v);
	else
		json_null(j, key);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	json_member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void json_double(struct json *j, const char *key, double v, int prec)
{
	json_member(j, key);
	if (!isfinite(v)) {
		fputs("null", j->f);
		return;
	}
	if (v == 0)
		v = 0;	/* no "-0.0" */
	fprintf(j->f, "%.*f", prec, v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	json_member(j, key);
	fputs("null", j->f);
}

void json_finish(struct json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
