// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon record: sample totals, slab memory and the top owners into a
 * JSON lines file (record.h) until stopped or for a duration.  Survives
 * the module being unloaded and loaded again (a gap and a resume line).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "record.h"
#include "top_model.h"

#define NS_PER_S		1000000000ULL
#define REC_DEFAULT_INTERVAL_NS	(2 * NS_PER_S)
#define REC_MIN_INTERVAL_NS	(100 * 1000000ULL)
#define REC_MAX_INTERVAL_NS	(3600 * NS_PER_S)
#define REC_MAX_DURATION_NS	(31ULL * 86400 * NS_PER_S)
#define REC_DEFAULT_TOP		10
#define REC_MIN_ROTATE		(64ULL << 10)
#define REC_MAX_ROTATE		(1ULL << 30)
#define REC_MAX_KEEP_DAYS	3650

void usage_record(FILE *f)
{
	fprintf(f,
		"Usage: leakmon record [-i SECONDS] [-d SECONDS] [-n N] -o FILE\n"
		"                      [--rotate-size SIZE [--keep-days N]\n"
		"                       [--max-total SIZE]]\n"
		"\n"
		"Sample the module's totals, SUnreclaim and SReclaimable and the\n"
		"top owners every interval and append them to FILE (JSON lines)\n"
		"for 'leakmon graph'.  Stops after the duration, or on SIGINT or\n"
		"SIGTERM; every sample is written whole as it is taken.\n"
		"\n"
		"  -i, --interval SECONDS between samples (0.1..3600, default 2)\n"
		"  -d, --duration SECONDS stop after SECONDS (0.1..2678400; default:\n"
		"                         until interrupted)\n"
		"  -n, --top N            owners per sample, by live objects (1..1000,\n"
		"                         default %d)\n"
		"  -o, --output FILE      the recording (appended to if it is one)\n"
		"      --rotate-size SIZE when FILE reaches SIZE (64k..1G; k, M, G:\n"
		"                         binary), rename it FILE-YYYYMMDDTHHMMSSZ\n"
		"                         (UTC, its last sample), gzip it, start a\n"
		"                         new FILE\n"
		"      --keep-days N      remove rotated files older than N days\n"
		"      --max-total SIZE   remove the oldest rotated files while they\n"
		"                         and FILE take more than SIZE\n"
		"  -h, --help             this text\n",
		REC_DEFAULT_TOP);
}

static const struct option record_opts[] = {
	{ "interval",	required_argument,	NULL, 'i' },
	{ "duration",	required_argument,	NULL, 'd' },
	{ "top",	required_argument,	NULL, 'n' },
	{ "output",	required_argument,	NULL, 'o' },
	{ "rotate-size", required_argument,	NULL, 'R' },
	{ "keep-days",	required_argument,	NULL, 'K' },
	{ "max-total",	required_argument,	NULL, 'M' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct record_args {
	uint64_t interval_ns;
	uint64_t duration_ns;		/* 0: until stopped */
	uint64_t top;
	const char *out;
	uint64_t rotate_size, keep_days, max_total;	/* 0: none */
	bool fake;			/* LEAKMON_FAKE_CLOCK (tests) */
	double fake_t0;
};

static volatile sig_atomic_t rec_stop;

static void rec_on_signal(int sig)
{
	(void)sig;
	rec_stop = 1;
}

static int rec_seconds(const char *opt, const char *arg, uint64_t min,
		       uint64_t max, const char *range, uint64_t *out)
{
	int ret = parse_seconds_ns(arg, max, out);

	if (ret == -EINVAL)
		return cli_usage_error("record",
				       "%s: '%s' is not a number of seconds",
				       opt, arg);
	if (ret == -ERANGE || *out < min)
		return cli_usage_error("record", "%s: '%s' out of range (%s)",
				       opt, arg, range);
	return EXIT_OK;
}

static int rec_size(const char *opt, const char *arg, uint64_t min,
		    uint64_t *out)
{
	int ret = parse_size(arg, REC_MAX_ROTATE * 1024, out);

	if (ret == -EINVAL)
		return cli_usage_error("record",
				       "%s: '%s' is not a size (like 512k, 8M or 1G)",
				       opt, arg);
	if (ret == -ERANGE || *out < min)
		return cli_usage_error("record", "%s: '%s' out of range (%s)",
				       opt, arg,
				       min == REC_MIN_ROTATE ? "64k..1G" :
							       "128k..1T");
	if (min == REC_MIN_ROTATE && *out > REC_MAX_ROTATE)
		return cli_usage_error("record", "%s: '%s' out of range (%s)",
				       opt, arg, "64k..1G");
	return EXIT_OK;
}

/*
 * LEAKMON_FAKE_CLOCK=UNIXTIME, for tests: sample n is dated UNIXTIME + n
 * intervals and taken at once, without sleeping, so that days of
 * recording (and their rotation) take seconds.
 */
static int rec_fake_clock(struct record_args *a)
{
	const char *v = getenv("LEAKMON_FAKE_CLOCK");
	uint64_t ns;

	if (!v)
		return EXIT_OK;
	if (parse_seconds_ns(v, UINT64_MAX / 2, &ns))
		return cli_usage_error("record",
				       "LEAKMON_FAKE_CLOCK: '%s' is not a Unix time",
				       v);
	a->fake = true;
	a->fake_t0 = (double)ns / 1e9;
	return EXIT_OK;
}

static int record_parse_args(int argc, char **argv, struct record_args *a)
{
	int c, ret = EXIT_OK;

	memset(a, 0, sizeof(*a));
	a->interval_ns = REC_DEFAULT_INTERVAL_NS;
	a->top = REC_DEFAULT_TOP;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:d:n:o:h", record_opts,
				NULL)) != -1) {
		switch (c) {
		case 'i':
			ret = rec_seconds("--interval", optarg,
					  REC_MIN_INTERVAL_NS,
					  REC_MAX_INTERVAL_NS, "0.1..3600",
					  &a->interval_ns);
			break;
		case 'd':
			ret = rec_seconds("--duration", optarg,
					  REC_MIN_INTERVAL_NS,
					  REC_MAX_DURATION_NS, "0.1..2678400",
					  &a->duration_ns);
			break;
		case 'n':
			ret = cli_parse_num("record", "--top", optarg, 1,
					    REC_MAX_TOP, &a->top);
			break;
		case 'o':
			if (!*optarg)
				return cli_usage_error("record",
						       "--output: empty file name");
			a->out = optarg;
			break;
		case 'R':
			ret = rec_size("--rotate-size", optarg, REC_MIN_ROTATE,
				       &a->rotate_size);
			break;
		case 'K':
			ret = cli_parse_num("record", "--keep-days", optarg, 1,
					    REC_MAX_KEEP_DAYS, &a->keep_days);
			break;
		case 'M':
			ret = rec_size("--max-total", optarg, 2 * REC_MIN_ROTATE,
				       &a->max_total);
			break;
		case 'h':
			usage_record(stdout);
			return -1;
		default:
			return cli_bad_option("record", c, argv);
		}
		if (ret)
			return ret;
	}
	ret = cli_no_args("record", argc, argv);
	if (ret)
		return ret;
	if (!a->out)
		return cli_usage_error("record", "-o FILE is required");
	if ((a->keep_days || a->max_total) && !a->rotate_size)
		return cli_usage_error("record",
				       "--%s needs --rotate-size: only rotated files are removed",
				       a->keep_days ? "keep-days" : "max-total");
	if (a->max_total && a->max_total < 2 * a->rotate_size)
		return cli_usage_error("record",
				       "--max-total must be at least twice --rotate-size");
	return rec_fake_clock(a);
}

/* Sleep until CLOCK_MONOTONIC reaches t_ns, or a signal stops us */
static void sleep_until(uint64_t t_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(t_ns / NS_PER_S),
		.tv_nsec = (long)(t_ns % NS_PER_S),
	};

	while (!rec_stop &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
		       EINTR)
		;
}

struct rec_state {
	struct lm_handle *h;
	struct lm_owners o;
	struct top_rows rows;
	struct rec_owner *top;
	bool was_up, seen_up;
	uint64_t reset_ns;
	char reason[REC_TEXT_SIZE];
};

static void rec_module_down(struct rec_state *st, const char *op, int status,
			    const struct lm_error *e)
{
	if (status == LM_ERR_NOFAMILY)
		snprintf(st->reason, sizeof(st->reason), "module not loaded");
	else if (e && e->err)
		snprintf(st->reason, sizeof(st->reason), "%s: %s", op,
			 strerror(e->err));
	else
		snprintf(st->reason, sizeof(st->reason), "%s: %s", op,
			 lm_strstatus(status));
	lm_close(st->h);
	st->h = NULL;
	/* a request that failed because the module just went away */
	if (status != LM_ERR_NOFAMILY) {
		struct lm_handle *h;

		if (lm_open(&h, NULL) == LM_ERR_NOFAMILY)
			snprintf(st->reason, sizeof(st->reason),
				 "module not loaded");
		else
			lm_close(h);
	}
}

/* Fill s (and st->top) from the module; false when it did not answer */
static bool rec_sample_module(struct rec_state *st, const struct record_args *a,
			      struct rec_sample *s, size_t *ntop)
{
	struct lm_totals t;
	struct lm_error err;
	int ret;

	*ntop = 0;
	if (!st->h) {
		ret = lm_open(&st->h, &err);
		if (ret != LM_OK) {
			st->h = NULL;
			rec_module_down(st, "open", ret, &err);
			return false;
		}
	}
	ret = lm_get_totals(st->h, &t);
	if (ret != LM_OK) {
		rec_module_down(st, "get totals", ret, lm_last_error(st->h));
		return false;
	}
	ret = lm_dump_owners(st->h, &st->o);
	if (ret != LM_OK) {
		rec_module_down(st, "dump owners", ret, lm_last_error(st->h));
		return false;
	}
	s->objects = t.objects;
	s->owners = t.owners;
	s->owners_exited = t.owners_exited;
	s->reset_ns = t.reset_ns;
	for (unsigned int k = 0; k < LM_NKINDS; k++) {
		s->live += t.kind[k].live;
		s->exited += t.kind[k].orphans;	/* of exited owners */
	}
	top_rows_free(&st->rows);
	if (top_build(&st->o, NULL, 0, TOP_BY_TASK, &st->rows))
		return true;		/* no memory: a sample without owners */
	top_sort(&st->rows, TOP_SORT_LIVE);
	for (size_t i = 0; i < st->rows.n && *ntop < a->top; i++) {
		const struct top_row *r = &st->rows.row[i];
		struct rec_owner *w = &st->top[*ntop];

		if (!r->live_total)
			break;
		memset(w, 0, sizeof(*w));
		w->tgid = r->owner->tgid;
		w->start_ns = r->owner->start_ns;
		memcpy(w->comm, r->owner->comm, sizeof(w->comm));
		w->uid = r->owner->uid;
		w->exited = r->owner->exited;
		w->live = r->live_total;
		for (unsigned int k = 0; k < LM_NKINDS; k++)
			w->live_kind[k] = r->live[k];
		(*ntop)++;
	}
	return true;
}

static int rec_put(struct rec_out *o, char *line)
{
	int ret;

	if (!line) {
		fprintf(stderr, "leakmon: record: out of memory\n");
		return EXIT_RUNTIME;
	}
	ret = rec_out_write(o, line);
	free(line);
	if (ret) {
		fprintf(stderr, "leakmon: record: writing %s: %s\n", o->path,
			strerror(-ret));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static void rec_progress(const struct rec_sample *s, unsigned long n,
			 double elapsed, const char *path)
{
	char live[16] = "-", unrecl[32] = "-";

	if (s->module)
		fmt_count(live, sizeof(live), s->live, 7);
	if (s->has_slab)
		fmt_bytes(unrecl, sizeof(unrecl), s->sunreclaim);
	fprintf(stderr, "\r\033[Krecording %.20s: %lu samples, %.0f s, live %s, "
		"SUnreclaim %s%s", path, n, elapsed, live, unrecl,
		s->module ? "" : " (no module)");
	fflush(stderr);
}

static int rec_header(struct rec_out *o, const struct record_args *a,
		      double start_t)
{
	struct rec_header hd = { 0 };
	struct utsname u;
	struct lm_handle *h;
	struct lm_totals t;

	if (gethostname(hd.host, sizeof(hd.host) - 1))
		snprintf(hd.host, sizeof(hd.host), "?");
	if (!uname(&u))
		snprintf(hd.kernel, sizeof(hd.kernel), "%s", u.release);
	snprintf(hd.cli_version, sizeof(hd.cli_version), "%s",
		 LEAKMON_VERSION);
	if (lm_open(&h, NULL) == LM_OK) {
		if (lm_get_totals(h, &t) == LM_OK)
			snprintf(hd.module_version, sizeof(hd.module_version),
				 "%s", t.version);
		lm_close(h);
	}
	hd.interval_s = (double)a->interval_ns / 1e9;
	hd.duration_s = (double)a->duration_ns / 1e9;
	hd.top = (unsigned int)a->top;
	hd.start_t = start_t;
	return rec_put(o, rec_line_header(&hd));
}

/* Start a new file when the current one is full; 0 or an exit code */
static int rec_maybe_rotate(struct rec_out *o, const struct record_args *a,
			    double t, unsigned long *nseg)
{
	char why[4400];

	if (!rec_out_due(o))
		return EXIT_OK;
	if (rec_out_rotate(o, t, why, sizeof(why))) {
		fprintf(stderr, "leakmon: record: %s\n", why);
		return EXIT_RUNTIME;
	}
	*nseg = 0;
	return rec_header(o, a, t);
}

static int rec_loop(struct rec_out *o, const struct record_args *a, bool tty)
{
	struct rec_state st = { 0 };
	const char *meminfo = getenv("LEAKMON_MEMINFO");
	uint64_t start = mono_ns(), next = start, boot0 = boottime_ns();
	unsigned long n = 0, nseg = 1;	/* samples; in this file */
	double pruned = 0;		/* when the files were last pruned */
	int ret = EXIT_OK;

	st.top = calloc(a->top, sizeof(*st.top));
	if (!st.top) {
		fprintf(stderr, "leakmon: record: out of memory\n");
		return EXIT_RUNTIME;
	}
	while (!rec_stop) {
		struct rec_sample s = { 0 };
		struct meminfo m;
		size_t ntop = 0;
		bool up;

		if (a->fake) {
			s.t = a->fake_t0 + (double)n * (double)a->interval_ns / 1e9;
			s.boot_ns = boot0 + n * a->interval_ns;
		} else {
			s.t = real_now();
			s.boot_ns = boottime_ns();
		}
		ret = rec_maybe_rotate(o, a, s.t, &nseg);
		if (ret)
			break;
		/* --keep-days, between rotations too: hourly */
		if (o->keep_s > 0 && s.t - pruned >= 3600) {
			if (pruned > 0)
				rec_out_prune(o, s.t);
			pruned = s.t;
		}
		if (!read_meminfo(meminfo ? meminfo : "/proc/meminfo", &m) &&
		    m.has_sunreclaim && m.has_sreclaimable) {
			s.has_slab = true;
			s.sunreclaim = m.sunreclaim_kb * 1024;
			s.sreclaimable = m.sreclaimable_kb * 1024;
			s.slab = s.sunreclaim + s.sreclaimable;
		}
		up = rec_sample_module(&st, a, &s, &ntop);
		s.module = up;
		if (!up)
			snprintf(s.error, sizeof(s.error), "%s", st.reason);
		/* a file rotated while the module is away opens with a gap */
		if (!up && (st.was_up || !n || !nseg))
			ret = rec_put(o, rec_line_gap(s.t, s.boot_ns,
						      st.reason));
		else if (up && !st.was_up && n)
			ret = rec_put(o, rec_line_resume(s.t, s.boot_ns,
				      st.seen_up && s.reset_ns != st.reset_ns));
		if (ret)
			break;
		if (up) {
			st.seen_up = true;
			st.reset_ns = s.reset_ns;
		}
		st.was_up = up;
		ret = rec_put(o, rec_line_sample(&s, st.top, ntop));
		if (ret)
			break;
		o->last_t = s.t;
		n++;
		nseg++;
		if (tty)
			rec_progress(&s, n, (double)(mono_ns() - start) / 1e9,
				     a->out);
		if (a->fake) {
			if (a->duration_ns && n * a->interval_ns >= a->duration_ns)
				break;
			continue;
		}
		next = next_tick(next, mono_ns(), a->interval_ns);
		if (a->duration_ns && next - start > a->duration_ns)
			break;
		sleep_until(next);
	}
	if (tty)
		fputc('\n', stderr);
	if (!ret)
		printf("%lu samples in %.1f s written to %s\n", n,
		       (double)(mono_ns() - start) / 1e9, a->out);
	if (!ret && o->rotated)
		printf("%u files rotated, %u removed\n", o->rotated,
		       o->removed);
	free(st.top);
	top_rows_free(&st.rows);
	lm_owners_free(&st.o);
	lm_close(st.h);
	return ret;
}

int cmd_record(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = rec_on_signal };
	static struct rec_out o;
	struct record_args a;
	char why[4400];
	int ret;

	ret = record_parse_args(argc, argv, &a);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;

	ret = rec_out_open(&o, a.out, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "leakmon: record: %s\n", why);
		return ret == REC_IO ? EXIT_RUNTIME : EXIT_BADFILE;
	}
	o.rotate_size = a.rotate_size;
	o.max_total = a.max_total;
	o.keep_s = (double)a.keep_days * 86400;
	rec_stop = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* what an earlier run left: compress, and keep within the bounds */
	if (a.rotate_size)
		rec_out_prune(&o, a.fake ? a.fake_t0 : real_now());
	ret = rec_header(&o, &a, a.fake ? a.fake_t0 : real_now());
	if (!ret)
		ret = rec_loop(&o, &a, isatty(STDERR_FILENO));
	if (rec_out_close(&o) && !ret) {
		fprintf(stderr, "leakmon: record: %s: %s\n", a.out,
			strerror(errno));
		ret = EXIT_RUNTIME;
	}
	return ret;
}
