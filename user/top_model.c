// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "top_model.h"

static const char *const by_names[] = {
	[TOP_BY_TASK]	= "task",
	[TOP_BY_UID]	= "uid",
	[TOP_BY_CGROUP]	= "cgroup",
};

static const char *const sort_names[] = {
	[TOP_SORT_LIVE]		= "live",
	[TOP_SORT_UNREACHABLE]	= "unreachable",
	[TOP_SORT_RATE]		= "rate",
};

int top_parse_by(const char *s, enum top_by *by)
{
	for (unsigned int i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++) {
		if (!strcmp(s, by_names[i])) {
			*by = (enum top_by)i;
			return 0;
		}
	}
	return -EINVAL;
}

int top_parse_sort(const char *s, enum top_sort *sort)
{
	for (unsigned int i = 0; i < sizeof(sort_names) / sizeof(sort_names[0]); i++) {
		if (!strcmp(s, sort_names[i])) {
			*sort = (enum top_sort)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *top_sort_renamed(const char *s)
{
	if (!strcmp(s, "orphans"))
		return "'orphans' was renamed: 'unreachable' ranks by leaked objects";
	return NULL;
}

const char *top_by_name(enum top_by by)
{
	return by_names[by];
}

const char *top_sort_name(enum top_sort sort)
{
	return sort_names[sort];
}

/* ---- matching owners of the previous sample ---- */

static int owner_id_cmp(const void *a, const void *b)
{
	const struct lm_owner *x = *(const struct lm_owner *const *)a;
	const struct lm_owner *y = *(const struct lm_owner *const *)b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return 0;
}

static const struct lm_owner **prev_index(const struct lm_owners *prev)
{
	const struct lm_owner **idx;

	idx = malloc((prev->n ? prev->n : 1) * sizeof(*idx));
	if (!idx)
		return NULL;
	for (size_t i = 0; i < prev->n; i++)
		idx[i] = &prev->owner[i];
	qsort(idx, prev->n, sizeof(*idx), owner_id_cmp);
	return idx;
}

static uint64_t prev_live(const struct lm_owner **idx, size_t n,
			  const struct lm_owner *o)
{
	const struct lm_owner **m = bsearch(&o, idx, n, sizeof(*idx),
					    owner_id_cmp);

	return m ? lm_owner_live(*m) : 0;
}

/* ---- rows ---- */

static uint64_t row_key(const struct lm_owner *o, enum top_by by)
{
	switch (by) {
	case TOP_BY_UID:
		return o->uid;
	case TOP_BY_CGROUP:
		return o->cgroup_id;
	default:
		return o->tgid;
	}
}

static void row_fill(struct top_row *r, const struct lm_owner *o,
		     enum top_by by, double rate)
{
	memset(r, 0, sizeof(*r));
	r->owner = o;
	r->key = row_key(o, by);
	r->start_ns = o->start_ns;
	r->owners = 1;
	r->owners_exited = o->exited;
	for (unsigned int k = 0; k < LM_NKINDS; k++) {
		r->live[k] = o->kind[k].live;
		r->allocated[k] = o->kind[k].allocated;
		r->freed[k] = o->kind[k].freed;
		r->live_total += o->kind[k].live;
		r->allocated_total += o->kind[k].allocated;
		r->freed_total += o->kind[k].freed;
		r->unreachable += o->kind[k].unreachable;
		r->scanned |= o->kind[k].scanned;
	}
	r->exited = o->exited ? r->live_total : 0;
	r->rate = rate;
}

static void row_add(struct top_row *dst, const struct top_row *src)
{
	dst->owners += src->owners;
	dst->owners_exited += src->owners_exited;
	for (unsigned int k = 0; k < LM_NKINDS; k++) {
		dst->live[k] += src->live[k];
		dst->allocated[k] += src->allocated[k];
		dst->freed[k] += src->freed[k];
	}
	dst->live_total += src->live_total;
	dst->exited += src->exited;
	dst->unreachable += src->unreachable;
	dst->scanned |= src->scanned;
	dst->allocated_total += src->allocated_total;
	dst->freed_total += src->freed_total;
	dst->rate += src->rate;
}

static int row_key_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* Merge rows with equal keys; rows become groups (no owner) */
static void rows_aggregate(struct top_rows *rows)
{
	size_t out = 0;

	qsort(rows->row, rows->n, sizeof(*rows->row), row_key_cmp);
	for (size_t i = 0; i < rows->n; i++) {
		if (out && rows->row[out - 1].key == rows->row[i].key) {
			row_add(&rows->row[out - 1], &rows->row[i]);
			continue;
		}
		rows->row[out] = rows->row[i];
		rows->row[out].owner = NULL;
		rows->row[out].start_ns = 0;
		out++;
	}
	rows->n = out;
}

int top_build(const struct lm_owners *cur, const struct lm_owners *prev,
	      double interval_s, enum top_by by, struct top_rows *out)
{
	const struct lm_owner **idx = NULL;

	out->n = 0;
	out->row = calloc(cur->n ? cur->n : 1, sizeof(*out->row));
	if (!out->row)
		return -ENOMEM;
	if (prev && interval_s > 0) {
		idx = prev_index(prev);
		if (!idx) {
			top_rows_free(out);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < cur->n; i++) {
		const struct lm_owner *o = &cur->owner[i];
		double rate = 0;

		if (idx)
			rate = ((double)lm_owner_live(o) -
				(double)prev_live(idx, prev->n, o)) / interval_s;
		row_fill(&out->row[out->n++], o, by, rate);
	}
	free(idx);
	if (by != TOP_BY_TASK)
		rows_aggregate(out);
	return 0;
}

void top_rows_free(struct top_rows *rows)
{
	free(rows->row);
	rows->row = NULL;
	rows->n = 0;
}

/* ---- ranking: descending by the sort key, ties as below, then id ---- */

static int desc_u64(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int desc_double(double a, double b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int row_id_cmp(const struct top_row *x, const struct top_row *y)
{
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return 0;
}

static int cmp_live(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	int r = desc_u64(x->live_total, y->live_total);

	if (!r)
		r = desc_u64(x->unreachable, y->unreachable);
	if (!r)
		r = desc_u64(x->exited, y->exited);
	return r ? r : row_id_cmp(x, y);
}

/*
 * Leaked objects first; before the first pass (all 0) the objects of
 * exited owners, the candidates, lead.
 */
static int cmp_unreachable(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	int r = desc_u64(x->unreachable, y->unreachable);

	if (!r)
		r = desc_u64(x->exited, y->exited);
	if (!r)
		r = desc_u64(x->live_total, y->live_total);
	return r ? r : row_id_cmp(x, y);
}

static int cmp_rate(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	int r = desc_double(x->rate, y->rate);

	if (!r)
		r = cmp_live(a, b);
	return r;
}

void top_sort(struct top_rows *rows, enum top_sort sort)
{
	static int (*const cmp[])(const void *, const void *) = {
		[TOP_SORT_LIVE]		= cmp_live,
		[TOP_SORT_UNREACHABLE]	= cmp_unreachable,
		[TOP_SORT_RATE]		= cmp_rate,
	};

	qsort(rows->row, rows->n, sizeof(*rows->row), cmp[sort]);
}
