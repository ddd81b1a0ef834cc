/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Rows of `leakmon top`: per owner or aggregated per uid or cgroup, with
 * the rate of change of live objects between two samples.
 */
#ifndef LEAKMON_TOP_MODEL_H
#define LEAKMON_TOP_MODEL_H

#include <stdio.h>

#include "leakmon_nl.h"

enum top_by {
	TOP_BY_TASK,
	TOP_BY_UID,
	TOP_BY_CGROUP,
};

enum top_sort {
	TOP_SORT_LIVE,
	TOP_SORT_UNREACHABLE,
	TOP_SORT_RATE,
};

struct top_row {
	const struct lm_owner *owner;	/* TOP_BY_TASK only */
	uint64_t key;			/* tgid, uid or cgroup id */
	uint64_t start_ns;		/* TOP_BY_TASK only */
	unsigned int owners;
	unsigned int owners_exited;
	uint64_t live[LM_NKINDS];
	uint64_t allocated[LM_NKINDS];
	uint64_t freed[LM_NKINDS];
	uint64_t live_total;
	uint64_t exited;		/* live objects of exited owners */
	bool scanned;			/* a reachability pass has judged it */
	uint64_t unreachable;		/* leaked objects at the last pass */
	uint64_t allocated_total;
	uint64_t freed_total;
	double rate;			/* live objects per second */
};

struct top_rows {
	struct top_row *row;
	size_t n;
};

/*
 * Build rows from the owners of cur.  With prev (may be NULL), each
 * owner's rate is (live now - live in prev) / interval_s, owners matched
 * by (tgid, start_ns), an owner missing from prev counting as 0 live; a
 * group's rate is the sum of its owners' rates.  Rows point into cur.
 * Returns 0 or -ENOMEM.
 */
int top_build(const struct lm_owners *cur, const struct lm_owners *prev,
	      double interval_s, enum top_by by, struct top_rows *out);
void top_sort(struct top_rows *rows, enum top_sort sort);
void top_rows_free(struct top_rows *rows);

/* Options of `leakmon top` */
struct top_args {
	uint64_t limit;
	enum top_by by;
	enum top_sort sort;
	uint64_t interval_ns;		/* 0: one sample */
	bool json;
	bool limit_set, by_set, sort_set, interval_set;
	bool own_view;			/* the module showed uid view_uid's */
	uint32_t view_uid;		/* owners only (restrict_read 2) */
};

/* Output of `leakmon top` (cmd_top.c); cgpaths: per shown row, or NULL */
void top_print_human(FILE *f, const struct top_args *a,
		     const struct lm_owners *o, const struct top_rows *r,
		     size_t shown, double dt, char *const *cgpaths);
void top_print_json(FILE *f, const struct top_args *a,
		    const struct lm_owners *o, const struct top_rows *r,
		    size_t shown, double dt, uint64_t now, char *const *cgpaths);

int top_parse_by(const char *s, enum top_by *by);
int top_parse_sort(const char *s, enum top_sort *sort);
/*
 * For a --sort value this version no longer takes (an earlier name), why
 * and what to give instead, for the usage error; NULL otherwise.
 */
const char *top_sort_renamed(const char *s);
const char *top_by_name(enum top_by by);
const char *top_sort_name(enum top_sort sort);

#endif /* LEAKMON_TOP_MODEL_H */
