// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The strict JSON reader of json_read.h: recursive descent over a copy of
 * the text, strings decoded in place, the values in one growing array
 * linked by index (first child, next sibling).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"

struct jp {
	struct jdoc *d;
	char *p, *end;
	char *why;
	size_t whysize;
	int depth;
};

__attribute__((format(printf, 2, 3)))
static int jfail(struct jp *j, const char *fmt, ...)
{
	va_list ap;

	if (!j->why || !j->whysize)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(j->why, j->whysize, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void jskip(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\r' || *j->p == '\n'))
		j->p++;
}

static size_t jnew(struct jp *j, enum jtype t)
{
	struct jdoc *d = j->d;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct jval *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return 0;
		d->v = v;
		d->cap = cap;
	}
	memset(&d->v[d->n], 0, sizeof(d->v[0]));
	d->v[d->n].type = t;
	return d->n++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* Decode the string at j->p (after the quote) in place; *out points to it */
static int jstring(struct jp *j, const char **out)
{
	char *o = j->p, *start = j->p;

	for (;;) {
		unsigned char c;

		if (j->p >= j->end)
			return jfail(j, "unterminated string");
		c = (unsigned char)*j->p++;
		if (c == '"')
			break;
		if (c < 0x20)
			return jfail(j, "control character in a string");
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		if (j->p >= j->end)
			return jfail(j, "unterminated string");
		c = (unsigned char)*j->p++;
		switch (c) {
		case '"': case '\\': case '/':
			*o++ = (char)c;
			break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned int cp = 0;

			if (j->end - j->p < 4)
				return jfail(j, "bad \\u escape");
			for (int i = 0; i < 4; i++) {
				int h = hexval(j->p[i]);

				if (h < 0)
					return jfail(j, "bad \\u escape");
				cp = cp * 16 + (unsigned int)h;
			}
			j->p += 4;
			/* surrogates are not needed by this format */
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			if (cp == 0)
				return jfail(j, "NUL in a string");
			o = put_utf8(o, cp);
			break;
		}
		default:
			return jfail(j, "bad escape '\\%c'", c);
		}
	}
	*o = '\0';		/* o < j->p: the closing quote is behind us */
	*out = start;
	return 0;
}

static int jnumber(struct jp *j, struct jval *v)
{
	char *s = j->p, *end;
	bool neg = *s == '-', frac = false;
	char *q = s + neg;

	if (q >= j->end || *q < '0' || *q > '9')
		return jfail(j, "unexpected character '%c'", *s);
	if (*q == '0' && q + 1 < j->end && q[1] >= '0' && q[1] <= '9')
		return jfail(j, "leading zero in a number");
	while (q < j->end && ((*q >= '0' && *q <= '9') || *q == '.' ||
			      *q == 'e' || *q == 'E' || *q == '+' ||
			      *q == '-')) {
		if (*q == '.' || *q == 'e' || *q == 'E')
			frac = true;
		q++;
	}
	{
		char tmp[64];
		size_t len = (size_t)(q - s);

		if (len >= sizeof(tmp))
			return jfail(j, "number too long");
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		errno = 0;
		v->num = strtod(tmp, &end);
		if (end != tmp + len || !isfinite(v->num))
			return jfail(j, "bad number '%s'", tmp);
		if (!neg && !frac) {
			errno = 0;
			v->u = strtoull(tmp, &end, 10);
			v->is_uint = !errno && end == tmp + len;
		}
	}
	j->p = q;
	return 0;
}

static int jvalue(struct jp *j, size_t *idx);

static int jcontainer(struct jp *j, size_t self, bool obj)
{
	char close = obj ? '}' : ']';
	size_t last = 0;

	if (++j->depth > JREAD_MAX_DEPTH)
		return jfail(j, "nested too deeply");
	jskip(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		size_t child;
		int ret;

		jskip(j);
		if (obj) {
			if (j->p >= j->end || *j->p != '"')
				return jfail(j, "expected a member name");
			j->p++;
			ret = jstring(j, &key);
			if (ret)
				return ret;
			jskip(j);
			if (j->p >= j->end || *j->p != ':')
				return jfail(j, "expected ':'");
			j->p++;
		}
		ret = jvalue(j, &child);
		if (ret)
			return ret;
		j->d->v[child].key = key;
		if (last)
			j->d->v[last].next = child;
		else
			j->d->v[self].first = child;
		last = child;
		jskip(j);
		if (j->p >= j->end)
			return jfail(j, "unexpected end");
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p == close) {
			j->p++;
			j->depth--;
			return 0;
		}
		return jfail(j, "expected ',' or '%c'", close);
	}
}

static int jlit(struct jp *j, const char *lit)
{
	size_t len = strlen(lit);

	if ((size_t)(j->end - j->p) < len || memcmp(j->p, lit, len))
		return jfail(j, "unexpected character '%c'", *j->p);
	j->p += len;
	return 0;
}

static int jvalue(struct jp *j, size_t *idx)
{
	size_t v;
	int ret;

	jskip(j);
	if (j->p >= j->end)
		return jfail(j, "unexpected end");
	switch (*j->p) {
	case '{':
	case '[': {
		bool obj = *j->p == '{';

		v = jnew(j, obj ? JT_OBJ : JT_ARR);
		if (!v)
			return -ENOMEM;
		j->p++;
		ret = jcontainer(j, v, obj);
		break;
	}
	case '"':
		v = jnew(j, JT_STR);
		if (!v)
			return -ENOMEM;
		j->p++;
		ret = jstring(j, &j->d->v[v].str);
		break;
	case 't':
	case 'f':
		v = jnew(j, JT_BOOL);
		if (!v)
			return -ENOMEM;
		j->d->v[v].b = *j->p == 't';
		ret = jlit(j, j->d->v[v].b ? "true" : "false");
		break;
	case 'n':
		v = jnew(j, JT_NULL);
		if (!v)
			return -ENOMEM;
		ret = jlit(j, "null");
		break;
	default:
		v = jnew(j, JT_NUM);
		if (!v)
			return -ENOMEM;
		ret = jnumber(j, &j->d->v[v]);
		break;
	}
	*idx = v;
	return ret;
}

int jparse(struct jdoc *d, const char *text, size_t len, char *why,
	   size_t whysize)
{
	struct jp j = { .d = d, .why = why, .whysize = whysize };
	size_t root;
	int ret;

	d->n = 0;
	free(d->buf);
	d->buf = malloc(len + 1);
	if (!d->buf)
		return -ENOMEM;
	memcpy(d->buf, text, len);
	d->buf[len] = '\0';
	if (memchr(d->buf, '\0', len))
		return jfail(&j, "NUL byte");
	j.p = d->buf;
	j.end = d->buf + len;
	jnew(&j, JT_NULL);		/* index 0: "none" */
	if (d->n != 1)
		return -ENOMEM;
	ret = jvalue(&j, &root);
	if (ret)
		return ret;
	jskip(&j);
	if (j.p != j.end)
		return jfail(&j, "trailing characters");
	return 0;
}

void jdoc_free(struct jdoc *d)
{
	free(d->v);
	free(d->buf);
	memset(d, 0, sizeof(*d));
}

const struct jval *jget(const struct jdoc *d, const struct jval *obj,
			const char *key)
{
	if (!obj || obj->type != JT_OBJ)
		return NULL;
	for (size_t c = obj->first; c; c = d->v[c].next)
		if (d->v[c].key && !strcmp(d->v[c].key, key))
			return &d->v[c];
	return NULL;
}

bool jget_num(const struct jdoc *d, const struct jval *obj, const char *key,
	      double *v)
{
	const struct jval *x = jget(d, obj, key);

	if (!x || x->type != JT_NUM)
		return false;
	*v = x->num;
	return true;
}

int jget_u64(const struct jdoc *d, const struct jval *obj, const char *key,
	     uint64_t *v, bool *present)
{
	const struct jval *x = jget(d, obj, key);

	*present = false;
	if (!x || x->type == JT_NULL)
		return 0;
	if (x->type != JT_NUM || !x->is_uint)
		return -EINVAL;
	*v = x->u;
	*present = true;
	return 0;
}

void jget_str(const struct jdoc *d, const struct jval *obj, const char *key,
	      char *buf, size_t size)
{
	const struct jval *x = jget(d, obj, key);

	snprintf(buf, size, "%s", x && x->type == JT_STR ? x->str : "");
}
