// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon top: owners ranked by live, unreachable objects or growth rate,
 * per task or aggregated per uid or cgroup.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "json.h"
#include "top_model.h"

#define TOP_DEFAULT_LIMIT	10
#define TOP_MAX_INTERVAL_NS	(3600ULL * 1000000000ULL)
#define NS_PER_S		1000000000ULL
#define LINE_WIDTH		79	/* leave the 80th column free */
#define NUM_W			7

void usage_top(FILE *f)
{
	fprintf(f,
		"Usage: leakmon top [-n N] [--by task|uid|cgroup]\n"
		"                   [--sort live|unreachable|rate] [-i SECONDS] [--json]\n"
		"\n"
		"Rank the owners of live objects.\n"
		"\n"
		"  -n, --limit N          show the first N rows (default %d, 0 = all)\n"
		"  -b, --by task|uid|cgroup\n"
		"                         one row per process (default), or per user or\n"
		"                         cgroup, summing its owners\n"
		"  -s, --sort live|unreachable|rate\n"
		"                         rank by live objects (default), by unreachable\n"
		"                         (leaked) objects at the last reachability pass,\n"
		"                         then live objects of exited owners, or by growth\n"
		"                         of live objects per second; ties are broken by\n"
		"                         live, unreachable, then id\n"
		"  -i, --interval SECONDS take two samples SECONDS apart (may be\n"
		"                         fractional) and show the rate; default 1 with\n"
		"                         --sort rate, otherwise one sample\n"
		"  -j, --json             one JSON document on stdout\n"
		"  -h, --help             this text\n",
		TOP_DEFAULT_LIMIT);
}

static const struct option top_opts[] = {
	{ "limit",	required_argument,	NULL, 'n' },
	{ "by",		required_argument,	NULL, 'b' },
	{ "sort",	required_argument,	NULL, 's' },
	{ "interval",	required_argument,	NULL, 'i' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* ---- options ---- */

static int opt_conflict(const char *opt)
{
	return cli_usage_error("top", "%s given twice with different values",
			       opt);
}

static int top_opt_limit(struct top_args *a, const char *arg)
{
	uint64_t v;
	int ret = cli_parse_num("top", "--limit", arg, 0, UINT32_MAX, &v);

	if (ret)
		return ret;
	if (a->limit_set && a->limit != v)
		return opt_conflict("--limit");
	a->limit = v;
	a->limit_set = true;
	return EXIT_OK;
}

static int top_opt_by(struct top_args *a, const char *arg)
{
	enum top_by by;

	if (top_parse_by(arg, &by))
		return cli_usage_error("top",
				       "--by: '%s' is not one of task, uid, cgroup",
				       arg);
	if (a->by_set && a->by != by)
		return opt_conflict("--by");
	a->by = by;
	a->by_set = true;
	return EXIT_OK;
}

static int top_opt_sort(struct top_args *a, const char *arg)
{
	enum top_sort sort;
	const char *renamed = top_sort_renamed(arg);

	if (renamed)
		return cli_renamed("top", "--sort %s", renamed);
	if (top_parse_sort(arg, &sort))
		return cli_usage_error("top",
				       "--sort: '%s' is not one of live, unreachable, rate",
				       arg);
	if (a->sort_set && a->sort != sort)
		return opt_conflict("--sort");
	a->sort = sort;
	a->sort_set = true;
	return EXIT_OK;
}

static int top_opt_interval(struct top_args *a, const char *arg)
{
	uint64_t ns;
	int ret = parse_seconds_ns(arg, TOP_MAX_INTERVAL_NS, &ns);

	if (ret == -EINVAL)
		return cli_usage_error("top",
				       "--interval: '%s' is not a number of seconds",
				       arg);
	if (ret == -ERANGE || ns < 1000000)
		return cli_usage_error("top",
				       "--interval: '%s' out of range (0.001..3600)",
				       arg);
	if (a->interval_set && a->interval_ns != ns)
		return opt_conflict("--interval");
	a->interval_ns = ns;
	a->interval_set = true;
	return EXIT_OK;
}

static int top_parse_args(int argc, char **argv, struct top_args *a)
{
	int c, ret;

	memset(a, 0, sizeof(*a));
	a->limit = TOP_DEFAULT_LIMIT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:b:s:i:jh", top_opts,
				NULL)) != -1) {
		switch (c) {
		case 'n':
			ret = top_opt_limit(a, optarg);
			break;
		case 'b':
			ret = top_opt_by(a, optarg);
			break;
		case 's':
			ret = top_opt_sort(a, optarg);
			break;
		case 'i':
			ret = top_opt_interval(a, optarg);
			break;
		case 'j':
			a->json = true;
			ret = EXIT_OK;
			break;
		case 'h':
			usage_top(stdout);
			return -1;
		default:
			return cli_bad_option("top", c, argv);
		}
		if (ret)
			return ret;
	}
	ret = cli_no_args("top", argc, argv);
	if (ret)
		return ret;
	if (a->sort == TOP_SORT_RATE && !a->interval_set)
		a->interval_ns = NS_PER_S;
	return EXIT_OK;
}

/* ---- sampling ---- */

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / NS_PER_S),
		.tv_nsec = (long)(ns % NS_PER_S),
	};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int top_sample(struct lm_handle *h, struct lm_owners *o,
		      uint64_t *at_ns)
{
	int ret = lm_dump_owners(h, o);

	if (ret != LM_OK)
		return cli_fail("dump owners", ret, lm_last_error(h));
	*at_ns = boottime_ns();
	if (o->interrupted)
		fprintf(stderr,
			"leakmon: warning: owner list changed during %u dumps; rows may be missing or doubled\n",
			o->attempts);
	return EXIT_OK;
}

/* ---- names ---- */

struct top_names {
	char **cgroup;		/* per shown row, TOP_BY_CGROUP */
	size_t n;
};

static void top_names_resolve(struct top_names *nm, const struct top_rows *r,
			      size_t shown, enum top_by by)
{
	const char *root = cgroup2_root();
	uint64_t *ids;

	nm->cgroup = NULL;
	nm->n = 0;
	if (by != TOP_BY_CGROUP || !shown)
		return;
	nm->cgroup = calloc(shown, sizeof(*nm->cgroup));
	ids = calloc(shown, sizeof(*ids));
	if (nm->cgroup && ids && root) {
		for (size_t i = 0; i < shown; i++)
			ids[i] = r->row[i].key;
		cgroup_paths(root, ids, shown, nm->cgroup);
	}
	if (nm->cgroup)
		nm->n = shown;
	free(ids);
}

static void top_names_free(struct top_names *nm)
{
	for (size_t i = 0; i < nm->n; i++)
		free(nm->cgroup[i]);
	free(nm->cgroup);
}

/* ---- human output ---- */

static const char *kind_label(unsigned int k)
{
	static const char *const labels[LM_NKINDS] = {
		[LEAKMON_KIND_SOCK_INODE]	= "SOCK",
		[LEAKMON_KIND_FILE_BLOB]	= "FBLOB",
		[LEAKMON_KIND_SK_BLOB]		= "SKBLOB",
	};

	return labels[k] ? labels[k] : lm_kind_name(k);
}

static void put_count(FILE *f, uint64_t v)
{
	char b[32];

	fmt_count(b, sizeof(b), v, NUM_W);
	fprintf(f, " %*s", NUM_W, b);
}

static void put_rate(FILE *f, double v)
{
	char b[32];

	fmt_rate(b, sizeof(b), v, NUM_W);
	fprintf(f, " %*s", NUM_W, b);
}

/* Leaked objects at the last pass; "-" before a pass has judged the row */
static void put_unreach(FILE *f, const struct top_row *r)
{
	if (r->scanned)
		put_count(f, r->unreachable);
	else
		fprintf(f, " %*s", NUM_W, "-");
}

static void put_kind_headers(FILE *f)
{
	for (unsigned int k = 0; k < LM_NKINDS; k++)
		fprintf(f, " %*.*s", NUM_W, NUM_W, kind_label(k));
}

static void put_kind_counts(FILE *f, const struct top_row *r)
{
	for (unsigned int k = 0; k < LM_NKINDS; k++)
		put_count(f, r->live[k]);
}

static void user_label(uint32_t uid, char *buf, size_t size, size_t width)
{
	char name[256];

	if (!user_name(uid, name, sizeof(name)))
		snprintf(name, sizeof(name), "%" PRIu32, uid);
	fmt_name(buf, size, name, width);
}

static void top_human_task(FILE *f, const struct top_rows *r, size_t shown,
			   bool rate)
{
	char comm[32], user[32];
	bool leaked = false;

	fprintf(f, "%7s %-15s %-8s %-6s", "TGID", "COMM", "USER", "STATE");
	put_kind_headers(f);
	fprintf(f, " %*s", NUM_W, "UNREACH");
	if (rate)
		fprintf(f, " %*s", NUM_W, "RATE/s");
	fputc('\n', f);

	for (size_t i = 0; i < shown; i++) {
		const struct top_row *row = &r->row[i];
		const struct lm_owner *o = row->owner;

		fmt_name(comm, sizeof(comm), o->comm, 15);
		user_label(o->uid, user, sizeof(user), 8);
		leaked |= row->unreachable != 0;
		fprintf(f, "%7" PRIu32 " %-15s %-8s %-6s", o->tgid, comm, user,
			lm_owner_state(o));
		put_kind_counts(f, row);
		put_unreach(f, row);
		if (rate)
			put_rate(f, row->rate);
		fputc('\n', f);
	}
	if (leaked)
		fprintf(f, "UNREACH: leaked objects, nothing held them at the "
			"last reachability pass\n");
}

static void put_group_counts(FILE *f, const struct top_row *row, bool rate)
{
	char b[32];

	snprintf(b, sizeof(b), "%u", row->owners);
	fprintf(f, "%6s", b);
	put_kind_counts(f, row);
	put_unreach(f, row);
	put_count(f, row->allocated_total);
	put_count(f, row->freed_total);
	if (rate)
		put_rate(f, row->rate);
}

static void put_group_headers(FILE *f, bool rate)
{
	fprintf(f, "%6s", "OWNERS");
	put_kind_headers(f);
	fprintf(f, " %*s %*s %*s", NUM_W, "UNREACH", NUM_W, "ALLOCS", NUM_W,
		"FREES");
	if (rate)
		fprintf(f, " %*s", NUM_W, "RATE/s");
}

static int group_width(bool rate)
{
	return 6 + (NUM_W + 1) * (LM_NKINDS + 3 + (rate ? 1 : 0));
}

static void top_human_uid(FILE *f, const struct top_rows *r, size_t shown, bool rate)
{
	char user[32];

	fprintf(f, "%-15s ", "USER");
	put_group_headers(f, rate);
	fputc('\n', f);
	for (size_t i = 0; i < shown; i++) {
		user_label((uint32_t)r->row[i].key, user, sizeof(user), 15);
		fprintf(f, "%-15s ", user);
		put_group_counts(f, &r->row[i], rate);
		fputc('\n', f);
	}
}

static void top_human_cgroup(FILE *f, const struct top_rows *r, size_t shown,
			     bool rate, char *const *cgpaths)
{
	int width = LINE_WIDTH - group_width(rate) - 1;
	char path[LINE_WIDTH + 1], id[32];

	if (width < 8)
		width = 8;
	put_group_headers(f, rate);
	fprintf(f, " %s\n", "CGROUP");
	for (size_t i = 0; i < shown; i++) {
		const char *p = cgpaths ? cgpaths[i] : NULL;

		if (!p) {
			snprintf(id, sizeof(id), "id %" PRIu64, r->row[i].key);
			p = id;
		}
		fmt_name_tail(path, sizeof(path), p, (size_t)width);
		put_group_counts(f, &r->row[i], rate);
		fprintf(f, " %s\n", path);
	}
}

void top_print_human(FILE *f, const struct top_args *a,
		     const struct lm_owners *o, const struct top_rows *r,
		     size_t shown, double dt, char *const *cgpaths)
{
	bool rate = a->interval_ns != 0;
	size_t exited = 0, col = 0;
	char part[4][64];
	int np = 0;

	for (size_t i = 0; i < o->n; i++)
		exited += o->owner[i].exited;
	snprintf(part[np++], sizeof(part[0]), "%zu owners (%zu exited)", o->n,
		 exited);
	if (rate)
		snprintf(part[np++], sizeof(part[0]), "rate over %.2f s", dt);
	snprintf(part[np++], sizeof(part[0]), "by %s, sorted by %s",
		 top_by_name(a->by), top_sort_name(a->sort));
	snprintf(part[np++], sizeof(part[0]), "%zu of %zu rows", shown, r->n);
	/* one line if it fits, else broken between the parts */
	for (int i = 0; i < np; i++) {
		size_t len = strlen(part[i]);

		if (i && col + 2 + len + 1 > LINE_WIDTH) {
			fputs(",\n", f);
			col = 0;
		} else if (i) {
			fputs(", ", f);
			col += 2;
		}
		fputs(part[i], f);
		col += len;
	}
	fputs("\n", f);
	cli_print_view(f, a->own_view, a->view_uid);
	fputs("\n", f);

	switch (a->by) {
	case TOP_BY_TASK:
		top_human_task(f, r, shown, rate);
		break;
	case TOP_BY_UID:
		top_human_uid(f, r, shown, rate);
		break;
	case TOP_BY_CGROUP:
		top_human_cgroup(f, r, shown, rate, cgpaths);
		break;
	}
}

/* ---- JSON output ---- */

static void json_age(struct json *j, const char *key, uint64_t now,
		     uint64_t then)
{
	json_u64(j, key, now > then ? (now - then) / NS_PER_S : 0);
}

static void json_totals(struct json *j, const struct top_row *r, bool rate)
{
	json_u64(j, "live", r->live_total);
	json_u64(j, "exited_objects", r->exited);
	if (r->scanned)
		json_u64(j, "unreachable", r->unreachable);
	else
		json_null(j, "unreachable");
	json_u64(j, "allocated", r->allocated_total);
	json_u64(j, "freed", r->freed_total);
	if (rate)
		json_double(j, "rate_per_s", r->rate, 3);
	else
		json_null(j, "rate_per_s");
}

static void json_group_kinds(struct json *j, const struct top_row *r)
{
	json_obj_open(j, "kinds");
	for (unsigned int k = 0; k < LM_NKINDS; k++) {
		json_obj_open(j, lm_kind_name(k));
		json_u64(j, "live", r->live[k]);
		json_u64(j, "allocated", r->allocated[k]);
		json_u64(j, "freed", r->freed[k]);
		json_obj_close(j);
	}
	json_obj_close(j);
}

static void json_owner_kinds(struct json *j, const struct lm_owner *o)
{
	json_obj_open(j, "kinds");
	for (unsigned int k = 0; k < LM_NKINDS; k++) {
		const struct lm_owner_kind *ok = &o->kind[k];

		json_obj_open(j, lm_kind_name(k));
		json_u64(j, "live", ok->live);
		json_u64(j, "allocated", ok->allocated);
		json_u64(j, "freed", ok->freed);
		json_u64(j, "first_alloc_ns", ok->first_alloc_ns);
		json_u64(j, "last_alloc_ns", ok->last_alloc_ns);
		json_u64(j, "received", ok->received);
		json_u64(j, "handed_over", ok->handed_over);
		if (ok->scanned) {
			json_u64(j, "kernel", ok->kernel);
			json_u64(j, "closing", ok->closing);
			json_u64(j, "unreachable", ok->unreachable);
		} else {
			json_null(j, "kernel");
			json_null(j, "closing");
			json_null(j, "unreachable");
		}
		json_obj_close(j);
	}
	json_obj_close(j);
}

static void json_user(struct json *j, uint32_t uid)
{
	char name[256];

	json_u64(j, "uid", uid);
	json_str(j, "user", user_name(uid, name, sizeof(name)) ? name : NULL);
}

static void json_task_row(struct json *j, const struct top_row *r,
			  uint64_t now, bool rate)
{
	const struct lm_owner *o = r->owner;

	json_u64(j, "tgid", o->tgid);
	json_str(j, "comm", o->comm);
	json_user(j, o->uid);
	json_u64(j, "cgroup_id", o->cgroup_id);
	json_str(j, "state", lm_owner_state(o));
	json_bool(j, "exited", o->exited);
	json_u64(j, "start_ns", o->start_ns);
	json_age(j, "age_s", now, o->start_ns);
	if (o->exited) {
		json_u64(j, "exit_ns", o->exit_ns);
		json_age(j, "exit_age_s", now, o->exit_ns);
	} else {
		json_null(j, "exit_ns");
		json_null(j, "exit_age_s");
	}
	json_totals(j, r, rate);
	json_owner_kinds(j, o);
}

static void json_group_row(struct json *j, const struct top_args *a,
			   const struct top_row *r, const char *cgpath,
			   bool rate)
{
	if (a->by == TOP_BY_UID) {
		json_user(j, (uint32_t)r->key);
	} else {
		json_u64(j, "cgroup_id", r->key);
		json_str(j, "cgroup_path", cgpath);
	}
	json_u64(j, "owners", r->owners);
	json_u64(j, "owners_exited", r->owners_exited);
	json_totals(j, r, rate);
	json_group_kinds(j, r);
}

void top_print_json(FILE *f, const struct top_args *a,
		    const struct lm_owners *o, const struct top_rows *r,
		    size_t shown, double dt, uint64_t now, char *const *cgpaths)
{
	bool rate = a->interval_ns != 0;
	size_t exited = 0;
	struct json j;

	for (size_t i = 0; i < o->n; i++)
		exited += o->owner[i].exited;

	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_str(&j, "by", top_by_name(a->by));
	json_str(&j, "sort", top_sort_name(a->sort));
	json_u64(&j, "limit", a->limit);
	if (rate)
		json_double(&j, "interval_s", dt, 3);
	else
		json_null(&j, "interval_s");
	json_u64(&j, "now_ns", now);
	json_u64(&j, "owners", o->n);
	json_u64(&j, "owners_exited", exited);
	json_bool(&j, "dump_interrupted", o->interrupted);
	if (a->own_view)
		json_u64(&j, "view_uid", a->view_uid);
	else
		json_null(&j, "view_uid");
	json_u64(&j, "rows_total", r->n);
	json_arr_open(&j, "rows");
	for (size_t i = 0; i < shown; i++) {
		json_obj_open(&j, NULL);
		if (a->by == TOP_BY_TASK)
			json_task_row(&j, &r->row[i], now, rate);
		else
			json_group_row(&j, a, &r->row[i],
				       cgpaths ? cgpaths[i] : NULL, rate);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_finish(&j);
}

/* ---- command ---- */

static int top_collect(struct lm_handle *h, const struct top_args *a,
		       struct lm_owners *cur, struct lm_owners *prev,
		       double *dt, uint64_t *now)
{
	uint64_t t0;
	int ret;

	*dt = 0;
	if (a->interval_ns) {
		ret = top_sample(h, prev, &t0);
		if (ret)
			return ret;
		sleep_ns(a->interval_ns);
	}
	ret = top_sample(h, cur, now);
	if (ret)
		return ret;
	if (a->interval_ns)
		*dt = (double)(*now - t0) / (double)NS_PER_S;
	return EXIT_OK;
}

int cmd_top(int argc, char **argv)
{
	struct lm_owners cur = { 0 }, prev = { 0 };
	struct top_rows rows = { 0 };
	struct top_names names = { 0 };
	struct lm_handle *h = NULL;
	struct top_args a;
	uint64_t now;
	size_t shown;
	double dt;
	int ret;

	ret = top_parse_args(argc, argv, &a);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;

	ret = cli_open(&h);
	if (ret)
		return ret;
	ret = top_collect(h, &a, &cur, &prev, &dt, &now);
	if (ret)
		goto out;
	cli_get_view(h, &a.own_view, &a.view_uid);
	if (top_build(&cur, a.interval_ns ? &prev : NULL, dt, a.by, &rows)) {
		fprintf(stderr, "leakmon: top: out of memory\n");
		ret = EXIT_RUNTIME;
		goto out;
	}
	top_sort(&rows, a.sort);
	shown = a.limit && a.limit < rows.n ? (size_t)a.limit : rows.n;
	top_names_resolve(&names, &rows, shown, a.by);

	if (a.json)
		top_print_json(stdout, &a, &cur, &rows, shown, dt, now,
			       names.cgroup);
	else
		top_print_human(stdout, &a, &cur, &rows, shown, dt,
				names.cgroup);
	ret = EXIT_OK;
out:
	top_names_free(&names);
	top_rows_free(&rows);
	lm_owners_free(&cur);
	lm_owners_free(&prev);
	lm_close(h);
	return ret;
}
