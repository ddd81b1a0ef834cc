// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the JSON writer (every layout), number parsing and
 * formatting.
 */
#include "unit.h"

/* ---- JSON ---- */

struct jp {
	const char *s;
};

static void jp_ws(struct jp *p)
{
	while (*p->s == ' ' || *p->s == '\n' || *p->s == '\t' || *p->s == '\r')
		p->s++;
}

static bool jp_string(struct jp *p)
{
	if (*p->s != '"')
		return false;
	p->s++;
	while (*p->s != '"') {
		unsigned char c = (unsigned char)*p->s;
		int n;

		if (c < 0x20)
			return false;
		if (c == '\\') {
			p->s++;
			if (*p->s == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p->s[i]) ||
					    !p->s[i])
						return false;
				p->s += 5;
			} else if (*p->s && strchr("\"\\/bfnrt", *p->s)) {
				p->s++;
			} else {
				return false;
			}
			continue;
		}
		n = utf8_seq_len((const unsigned char *)p->s);
		if (!n)
			return false;
		p->s += n;
	}
	p->s++;
	return true;
}

static bool jp_digits(struct jp *p)
{
	const char *start = p->s;

	while (*p->s >= '0' && *p->s <= '9')
		p->s++;
	return p->s > start;
}

static bool jp_number(struct jp *p)
{
	if (*p->s == '-')
		p->s++;
	if (*p->s == '0')
		p->s++;
	else if (!jp_digits(p))
		return false;
	if (*p->s == '.') {
		p->s++;
		if (!jp_digits(p))
			return false;
	}
	if (*p->s == 'e' || *p->s == 'E') {
		p->s++;
		if (*p->s == '+' || *p->s == '-')
			p->s++;
		if (!jp_digits(p))
			return false;
	}
	return true;
}

static bool jp_value(struct jp *p, int depth);

static bool jp_container(struct jp *p, int depth, char close, bool obj)
{
	p->s++;
	jp_ws(p);
	if (*p->s == close) {
		p->s++;
		return true;
	}
	for (;;) {
		jp_ws(p);
		if (obj) {
			if (!jp_string(p))
				return false;
			jp_ws(p);
			if (*p->s++ != ':')
				return false;
		}
		if (!jp_value(p, depth + 1))
			return false;
		jp_ws(p);
		if (*p->s == ',') {
			p->s++;
			continue;
		}
		return *p->s++ == close;
	}
}

static bool jp_value(struct jp *p, int depth)
{
	if (depth > 64)
		return false;
	jp_ws(p);
	switch (*p->s) {
	case '{':
		return jp_container(p, depth, '}', true);
	case '[':
		return jp_container(p, depth, ']', false);
	case '"':
		return jp_string(p);
	case 't':
		return !strncmp(p->s, "true", 4) && (p->s += 4);
	case 'f':
		return !strncmp(p->s, "false", 5) && (p->s += 5);
	case 'n':
		return !strncmp(p->s, "null", 4) && (p->s += 4);
	default:
		return jp_number(p);
	}
}

bool json_valid(const char *s)
{
	struct jp p = { .s = s };

	if (!jp_value(&p, 0))
		return false;
	jp_ws(&p);
	return *p.s == '\0';
}

static char *json_capture_style(enum json_style style,
				void (*fn)(struct json *j, void *arg),
				void *arg)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct json j;

	json_init_style(&j, f, style);
	fn(&j, arg);
	fclose(f);
	return out;
}

static char *json_capture(void (*fn)(struct json *j, void *arg), void *arg)
{
	return json_capture_style(JSON_PRETTY, fn, arg);
}

static const char *const json_style_name[] = {
	[JSON_PRETTY] = "pretty", [JSON_SPACED] = "spaced",
	[JSON_COMPACT] = "compact",
};

static void escape_str(struct json *j, void *arg)
{
	json_str(j, NULL, arg);
}

/* The same escaping in every layout */
static bool escapes_to(const char *in, const char *want)
{
	bool same = true;

	for (int st = JSON_PRETTY; st <= JSON_COMPACT; st++) {
		char *got = json_capture_style(st, escape_str, (void *)in);

		if (strcmp(got, want)) {
			diag("escape (%s): got %s want %s",
			     json_style_name[st], got, want);
			same = false;
		}
		free(got);
	}
	return same;
}

static void doc_sample(struct json *j, void *arg)
{
	(void)arg;
	json_obj_open(j, NULL);
	json_str(j, "name", "a\"b");
	json_u64(j, "big", UINT64_MAX);
	json_i64(j, "neg", -5);
	json_double(j, "rate", 1.5, 3);
	json_double(j, "nan", NAN, 3);
	json_bool(j, "yes", true);
	json_null(j, "nothing");
	json_obj_open(j, "empty");
	json_obj_close(j);
	json_arr_open(j, "list");
	json_u64(j, NULL, 1);
	json_obj_open(j, NULL);
	json_str(j, "k", "\x01\xff");
	json_obj_close(j);
	json_arr_close(j);
	json_arr_open(j, "empty_list");
	json_arr_close(j);
	json_obj_close(j);
	json_finish(j);
}

void test_json(void)
{
	char *doc;

	ok(escapes_to("plain", "\"plain\""), "json: plain string");
	ok(escapes_to("q\"b\\s/", "\"q\\\"b\\\\s/\""),
	   "json: quote and backslash escaped");
	ok(escapes_to("a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\""),
	   "json: short control escapes");
	ok(escapes_to("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""),
	   "json: other control characters as \\u00XX");
	ok(escapes_to("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		      "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""),
	   "json: valid UTF-8 kept");
	ok(escapes_to("\x80x", "\"\\ufffdx\""),
	   "json: lone continuation byte replaced");
	ok(escapes_to("\xc0\x80", "\"\\ufffd\\ufffd\""),
	   "json: overlong NUL replaced");
	ok(escapes_to("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""),
	   "json: UTF-16 surrogate replaced");
	ok(escapes_to("\xe2\x82", "\"\\ufffd\\ufffd\""),
	   "json: truncated sequence at end replaced");
	ok(escapes_to("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""),
	   "json: code point above U+10FFFF replaced");

	doc = json_capture(doc_sample, NULL);
	ok(json_valid(doc), "json: nested document is valid JSON");
	ok(strstr(doc, "\"big\": 18446744073709551615") &&
	   strstr(doc, "\"rate\": 1.500") && strstr(doc, "\"nan\": null") &&
	   strstr(doc, "\"empty\": {}") && strstr(doc, "\"empty_list\": []"),
	   "json: numbers, null for NaN, empty containers");
	free(doc);

	ok(!json_valid("{\"a\": 1,}") && !json_valid("{\"a\" 1}") &&
	   !json_valid("\"\x01\"") && !json_valid("01") && json_valid("[1, -2.5e3]"),
	   "json: test validator rejects bad documents");
}

static void escape_member(struct json *j, void *arg)
{
	(void)arg;
	json_obj_open(j, NULL);
	json_str(j, "k\"\\\n\x01\x80", "v\t\x7f\xc0\xafw");
	json_opt_u64(j, "opt", true, 7);
	json_opt_u64(j, "none", false, 7);
	json_obj_close(j);
	json_finish(j);
}

/*
 * The three layouts, byte for byte: the --json documents (pretty), the
 * lines of `leakmon events --json` (spaced) and of a recording (compact)
 * are stable interfaces.
 */
void test_json_layouts(void)
{
	static const char *const want[] = {
		[JSON_PRETTY] =
			"{\n"
			"  \"name\": \"a\\\"b\",\n"
			"  \"big\": 18446744073709551615,\n"
			"  \"neg\": -5,\n"
			"  \"rate\": 1.500,\n"
			"  \"nan\": null,\n"
			"  \"yes\": true,\n"
			"  \"nothing\": null,\n"
			"  \"empty\": {},\n"
			"  \"list\": [\n"
			"    1,\n"
			"    {\n"
			"      \"k\": \"\\u0001\\ufffd\"\n"
			"    }\n"
			"  ],\n"
			"  \"empty_list\": []\n"
			"}\n",
		[JSON_SPACED] =
			"{\"name\": \"a\\\"b\", \"big\": 18446744073709551615, "
			"\"neg\": -5, \"rate\": 1.500, \"nan\": null, "
			"\"yes\": true, \"nothing\": null, \"empty\": {}, "
			"\"list\": [1, {\"k\": \"\\u0001\\ufffd\"}], "
			"\"empty_list\": []}\n",
		[JSON_COMPACT] =
			"{\"name\":\"a\\\"b\",\"big\":18446744073709551615,"
			"\"neg\":-5,\"rate\":1.500,\"nan\":null,\"yes\":true,"
			"\"nothing\":null,\"empty\":{},"
			"\"list\":[1,{\"k\":\"\\u0001\\ufffd\"}],"
			"\"empty_list\":[]}\n",
	};
	static const char *const want_esc[] = {
		[JSON_PRETTY] =
			"{\n"
			"  \"k\\\"\\\\\\n\\u0001\\ufffd\": "
			"\"v\\t\\u007f\\ufffd\\ufffdw\",\n"
			"  \"opt\": 7,\n"
			"  \"none\": null\n"
			"}\n",
		[JSON_SPACED] =
			"{\"k\\\"\\\\\\n\\u0001\\ufffd\": "
			"\"v\\t\\u007f\\ufffd\\ufffdw\", \"opt\": 7, "
			"\"none\": null}\n",
		[JSON_COMPACT] =
			"{\"k\\\"\\\\\\n\\u0001\\ufffd\":"
			"\"v\\t\\u007f\\ufffd\\ufffdw\",\"opt\":7,"
			"\"none\":null}\n",
	};

	for (int st = JSON_PRETTY; st <= JSON_COMPACT; st++) {
		char *doc = json_capture_style(st, doc_sample, NULL);
		char *esc = json_capture_style(st, escape_member, NULL);

		ok(doc && !strcmp(doc, want[st]) && json_valid(doc),
		   "json %s: the nested document byte for byte",
		   json_style_name[st]);
		if (doc && strcmp(doc, want[st]))
			diag("got:\n%s", doc);
		ok(esc && !strcmp(esc, want_esc[st]) && json_valid(esc),
		   "json %s: keys and values escaped, json_opt_u64",
		   json_style_name[st]);
		if (esc && strcmp(esc, want_esc[st]))
			diag("got:\n%s", esc);
		if (st != JSON_PRETTY)
			ok(doc && esc &&
			   strchr(doc, '\n') == doc + strlen(doc) - 1 &&
			   strchr(esc, '\n') == esc + strlen(esc) - 1,
			   "json %s: one line, ending in a newline",
			   json_style_name[st]);
		free(doc);
		free(esc);
	}
}

/* ---- number parsing ---- */

void test_numbers(void)
{
	uint64_t v = 0;

	ok(parse_u64("0", 10, &v) == 0 && v == 0 &&
	   parse_u64("42", 100, &v) == 0 && v == 42,
	   "parse_u64: plain decimals");
	ok(parse_u64("18446744073709551615", UINT64_MAX, &v) == 0 &&
	   v == UINT64_MAX, "parse_u64: UINT64_MAX");
	ok(parse_u64("18446744073709551616", UINT64_MAX, &v) == -ERANGE &&
	   parse_u64("99999999999999999999999", UINT64_MAX, &v) == -ERANGE,
	   "parse_u64: overflow is ERANGE");
	ok(parse_u64("101", 100, &v) == -ERANGE, "parse_u64: above max is ERANGE");
	ok(parse_u64("", 10, &v) == -EINVAL && parse_u64("-1", 10, &v) == -EINVAL &&
	   parse_u64("+1", 10, &v) == -EINVAL && parse_u64(" 1", 10, &v) == -EINVAL &&
	   parse_u64("1 ", 10, &v) == -EINVAL && parse_u64("1a", 10, &v) == -EINVAL &&
	   parse_u64("0x10", 100, &v) == -EINVAL && parse_u64("1.5", 10, &v) == -EINVAL,
	   "parse_u64: empty, signed, spaced, hex, fractional rejected");

	ok(parse_seconds_ns("1", UINT64_MAX, &v) == 0 && v == 1000000000ULL,
	   "parse_seconds_ns: whole seconds");
	ok(parse_seconds_ns("0.5", UINT64_MAX, &v) == 0 && v == 500000000ULL &&
	   parse_seconds_ns("2.25", UINT64_MAX, &v) == 0 && v == 2250000000ULL &&
	   parse_seconds_ns("0.000000001", UINT64_MAX, &v) == 0 && v == 1,
	   "parse_seconds_ns: fractions down to a nanosecond");
	ok(parse_seconds_ns("0.0000000001", UINT64_MAX, &v) == -EINVAL &&
	   parse_seconds_ns("1.", UINT64_MAX, &v) == -EINVAL &&
	   parse_seconds_ns(".5", UINT64_MAX, &v) == -EINVAL &&
	   parse_seconds_ns("-1", UINT64_MAX, &v) == -EINVAL &&
	   parse_seconds_ns("1e3", UINT64_MAX, &v) == -EINVAL &&
	   parse_seconds_ns("", UINT64_MAX, &v) == -EINVAL,
	   "parse_seconds_ns: malformed rejected");
	ok(parse_seconds_ns("3601", 3600000000000ULL, &v) == -ERANGE &&
	   parse_seconds_ns("99999999999999999999", UINT64_MAX, &v) == -ERANGE,
	   "parse_seconds_ns: too large is ERANGE");
}

void test_format(void)
{
	char b[64];

	fmt_count(b, sizeof(b), 12345, 8);
	ok(!strcmp(b, "12345"), "fmt_count: fits as is (%s)", b);
	fmt_count(b, sizeof(b), 123456789, 8);
	ok(!strcmp(b, "123.5M"),
	   "fmt_count: scaled to fit (%s)", b);
	fmt_count(b, sizeof(b), UINT64_MAX, 8);
	ok(strlen(b) <= 8, "fmt_count: UINT64_MAX fits (%s)", b);
	fmt_rate(b, sizeof(b), -2.5, 8);
	ok(!strcmp(b, "-2.5"), "fmt_rate: signed (%s)", b);
	fmt_rate(b, sizeof(b), 123456789.0, 8);
	ok(strlen(b) <= 8, "fmt_rate: scaled (%s)", b);

	fmt_name(b, sizeof(b), "ab\x1b[31mcd", 20);
	ok(!strcmp(b, "ab?[31mcd"), "fmt_name: control characters replaced");
	fmt_name(b, sizeof(b), "verylongusername", 8);
	ok(!strcmp(b, "verylon+"), "fmt_name: cut marked with + (%s)", b);
	fmt_name_tail(b, sizeof(b), "/system.slice/apache2.service", 16);
	ok(!strcmp(b, "...ache2.service") && strlen(b) == 16,
	   "fmt_name_tail: keeps the end (%s)", b);

	fmt_bytes(b, sizeof(b), 512);
	ok(!strcmp(b, "512 B"), "fmt_bytes: bytes (%s)", b);
	fmt_bytes(b, sizeof(b), 24ULL << 30);
	ok(!strcmp(b, "24.0 GiB"), "fmt_bytes: GiB (%s)", b);
	fmt_duration(b, sizeof(b), 3723ULL * 1000000000ULL);
	ok(!strcmp(b, "1h02m"), "fmt_duration: (%s)", b);
}
