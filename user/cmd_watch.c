// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon watch: a live full-screen view (ncursesw) of the totals, slab
 * memory with its slope, and the top owners with a sparkline of their
 * live objects; plain text frames when stdout is not a terminal.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "cli.h"
#include "growth.h"
#include "sparkline.h"
#include "top_model.h"

#define NS_PER_S		1000000000ULL
#define W_DEFAULT_INTERVAL_NS	(2 * NS_PER_S)
#define W_MIN_INTERVAL_NS	(100 * 1000000ULL)
#define W_MAX_INTERVAL_NS	(3600 * NS_PER_S)
#define W_DEFAULT_ROWS		10
#define W_HIST			120	/* samples of history per row */
#define W_HIST_ROWS		256	/* rows per grouping given history */
#define W_MAX_ENTRIES		2048
#define W_SLOPE_S		300.0	/* slope over the last 5 minutes */
#define W_MAX_LINES		200
#define W_LINE			1024
#define W_NAME_W		22
#define W_FIXED			(W_NAME_W + 1 + 6 + 1 + 7 + 1 + 7 + 1 + 8 + 2)

void usage_watch(FILE *f)
{
	fprintf(f,
		"Usage: leakmon watch [-i SECONDS] [--by task|uid|cgroup]\n"
		"                     [--sort live|unreachable|rate] [-n N] [-c COUNT]\n"
		"\n"
		"A live view of the totals, SUnreclaim and SReclaimable with their\n"
		"slope, and the top owners with a history of their live objects.\n"
		"UNREACH: leaked objects at the last reachability pass (- before one).\n"
		"Keys: l, o, r sort by live, unreachable, rate (s cycles); t, u, c\n"
		"group by task, uid, cgroup (b cycles); p or space pause; q quit.\n"
		"Plain text frames when stdout is not a terminal.\n"
		"\n"
		"  -i, --interval SECONDS refresh every SECONDS (0.1..3600, default 2)\n"
		"  -b, --by task|uid|cgroup\n"
		"                         grouping at start (default task)\n"
		"  -s, --sort live|unreachable|rate\n"
		"                         order at start (default live)\n"
		"  -n, --limit N          rows in plain text (1..1000, default %d);\n"
		"                         full screen shows as many as fit\n"
		"  -c, --count COUNT      stop after COUNT refreshes (1..4294967295)\n"
		"  -h, --help             this text\n",
		W_DEFAULT_ROWS);
}

static const struct option watch_opts[] = {
	{ "interval",	required_argument,	NULL, 'i' },
	{ "by",		required_argument,	NULL, 'b' },
	{ "sort",	required_argument,	NULL, 's' },
	{ "limit",	required_argument,	NULL, 'n' },
	{ "count",	required_argument,	NULL, 'c' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t w_stop;

static void w_on_signal(int sig)
{
	(void)sig;
	w_stop = 1;
}

struct hist {
	bool used;
	enum top_by by;
	uint64_t key, start_ns;
	uint64_t last_tick;
	size_t n;			/* values, oldest first, at most W_HIST */
	uint64_t v[W_HIST];
};

struct slab_pt {
	double t;
	double unrecl, recl;
};

struct watch {
	uint64_t interval_ns, count, limit;
	enum top_by by;
	enum top_sort sort;
	bool paused, utf8;
	struct lm_handle *h;
	char modmsg[256];		/* why the module did not answer */
	struct lm_totals t;
	bool have_t;
	struct lm_owners cur, prev;
	bool have_prev;
	uint64_t cur_ns, prev_ns;
	struct top_rows rows;		/* of w->by, sorted */
	uint64_t tick;
	struct hist *hist;		/* W_MAX_ENTRIES */
	struct slab_pt slab[W_HIST * 4];
	size_t nslab;
	struct meminfo m;
	bool has_m;
	char host[256];
};

/* ---- options ---- */

static int watch_parse_args(int argc, char **argv, struct watch *w)
{
	uint64_t v;
	int c, ret = EXIT_OK;

	w->interval_ns = W_DEFAULT_INTERVAL_NS;
	w->limit = W_DEFAULT_ROWS;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:b:s:n:c:h", watch_opts,
				NULL)) != -1) {
		switch (c) {
		case 'i':
			ret = parse_seconds_ns(optarg, W_MAX_INTERVAL_NS, &v);
			if (ret == -EINVAL)
				return cli_usage_error("watch",
						       "--interval: '%s' is not a number of seconds",
						       optarg);
			if (ret || v < W_MIN_INTERVAL_NS)
				return cli_usage_error("watch",
						       "--interval: '%s' out of range (0.1..3600)",
						       optarg);
			w->interval_ns = v;
			break;
		case 'b':
			if (top_parse_by(optarg, &w->by))
				return cli_usage_error("watch",
						       "--by: '%s' is not one of task, uid, cgroup",
						       optarg);
			break;
		case 's':
			if (top_sort_renamed(optarg))
				return cli_renamed("watch", "--sort %s",
						   top_sort_renamed(optarg));
			if (top_parse_sort(optarg, &w->sort))
				return cli_usage_error("watch",
						       "--sort: '%s' is not one of live, unreachable, rate",
						       optarg);
			break;
		case 'n':
			ret = cli_parse_num("watch", "--limit", optarg, 1, 1000,
					    &w->limit);
			break;
		case 'c':
			ret = cli_parse_num("watch", "--count", optarg, 1,
					    UINT32_MAX, &w->count);
			break;
		case 'h':
			usage_watch(stdout);
			return -1;
		default:
			return cli_bad_option("watch", c, argv);
		}
		if (ret)
			return ret;
	}
	return cli_no_args("watch", argc, argv);
}

/* ---- sampling ---- */

static struct hist *hist_find(struct watch *w, enum top_by by, uint64_t key,
			      uint64_t start_ns, bool create)
{
	struct hist *free_e = NULL, *oldest = NULL;

	for (size_t i = 0; i < W_MAX_ENTRIES; i++) {
		struct hist *e = &w->hist[i];

		if (!e->used) {
			if (!free_e)
				free_e = e;
			continue;
		}
		if (e->by == by && e->key == key && e->start_ns == start_ns)
			return e;
		if (!oldest || e->last_tick < oldest->last_tick)
			oldest = e;
	}
	if (!create)
		return NULL;
	if (!free_e)
		free_e = oldest;
	memset(free_e, 0, sizeof(*free_e));
	free_e->used = true;
	free_e->by = by;
	free_e->key = key;
	free_e->start_ns = start_ns;
	free_e->last_tick = w->tick;
	return free_e;
}

static void hist_push(struct hist *e, uint64_t v)
{
	if (e->n == W_HIST) {
		memmove(e->v, e->v + 1, (W_HIST - 1) * sizeof(e->v[0]));
		e->n--;
	}
	e->v[e->n++] = v;
}

static void hist_update(struct watch *w, uint64_t tick)
{
	static const enum top_by bys[] = { TOP_BY_TASK, TOP_BY_UID,
					   TOP_BY_CGROUP };

	for (size_t b = 0; b < 3; b++) {
		struct top_rows r = { 0 };

		if (top_build(&w->cur, NULL, 0, bys[b], &r))
			continue;
		top_sort(&r, TOP_SORT_LIVE);
		for (size_t i = 0; i < r.n && i < W_HIST_ROWS; i++) {
			struct hist *e;

			if (!r.row[i].live_total)
				break;
			e = hist_find(w, bys[b], r.row[i].key,
				      r.row[i].start_ns, true);
			/* ticks it was not among the largest: 0 */
			for (uint64_t t = e->last_tick + 1;
			     e->n && t < tick && t + W_HIST > tick; t++)
				hist_push(e, 0);
			hist_push(e, r.row[i].live_total);
			e->last_tick = tick;
		}
		top_rows_free(&r);
	}
}

static void watch_sample(struct watch *w)
{
	const char *mi = getenv("LEAKMON_MEMINFO");
	struct lm_owners tmp;
	struct lm_error err;
	int ret;

	w->tick++;
	w->has_m = !read_meminfo(mi ? mi : "/proc/meminfo", &w->m) &&
		   w->m.has_sunreclaim && w->m.has_sreclaimable;
	if (w->has_m) {
		size_t cap = sizeof(w->slab) / sizeof(w->slab[0]);

		if (w->nslab == cap) {
			memmove(w->slab, w->slab + 1,
				(cap - 1) * sizeof(w->slab[0]));
			w->nslab--;
		}
		w->slab[w->nslab++] = (struct slab_pt){
			real_now(), (double)w->m.sunreclaim_kb * 1024,
			(double)w->m.sreclaimable_kb * 1024 };
	}
	if (!w->h) {
		ret = lm_open(&w->h, &err);
		if (ret != LM_OK) {
			w->h = NULL;
			snprintf(w->modmsg, sizeof(w->modmsg), "%s",
				 ret == LM_ERR_NOFAMILY ? "module not loaded" :
				 lm_strstatus(ret));
			w->have_t = false;
			return;
		}
	}
	ret = lm_get_totals(w->h, &w->t);
	if (ret == LM_OK) {
		/* the previous dump becomes prev, its array reused */
		tmp = w->prev;
		w->prev = w->cur;
		w->cur = tmp;
		w->prev_ns = w->cur_ns;
		w->have_prev = w->have_t;
		ret = lm_dump_owners(w->h, &w->cur);
		w->cur_ns = boottime_ns();
	}
	if (ret != LM_OK) {
		const struct lm_error *e = lm_last_error(w->h);

		snprintf(w->modmsg, sizeof(w->modmsg), "%s%s%s",
			 lm_strstatus(ret), e->err ? ": " : "",
			 e->err ? strerror(e->err) : "");
		lm_close(w->h);
		w->h = NULL;
		w->have_t = w->have_prev = false;
		return;
	}
	w->have_t = true;
	w->modmsg[0] = '\0';
	hist_update(w, w->tick);
}

static void watch_rows(struct watch *w)
{
	double dt = 0;

	top_rows_free(&w->rows);
	if (!w->have_t)
		return;
	if (w->have_prev)
		dt = (double)(w->cur_ns - w->prev_ns) / 1e9;
	if (top_build(&w->cur, w->have_prev && dt > 0 ? &w->prev : NULL, dt,
		      w->by, &w->rows))
		return;
	top_sort(&w->rows, w->sort);
}

/* ---- the frame ---- */

struct frame {
	char line[W_MAX_LINES][W_LINE];
	size_t n;
	int hl;				/* the column header line, or -1 */
};

__attribute__((format(printf, 2, 3)))
static void fline(struct frame *f, const char *fmt, ...)
{
	va_list ap;

	if (f->n >= W_MAX_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(f->line[f->n++], W_LINE, fmt, ap);
	va_end(ap);
}

static bool slab_slope(const struct watch *w, bool unrecl, double *per_h)
{
	double x[W_HIST * 4], y[W_HIST * 4], tn;
	size_t n = 0;

	if (!w->nslab)
		return false;
	tn = w->slab[w->nslab - 1].t;
	for (size_t i = 0; i < w->nslab; i++) {
		if (w->slab[i].t < tn - W_SLOPE_S)
			continue;
		x[n] = w->slab[i].t - tn;
		y[n] = unrecl ? w->slab[i].unrecl : w->slab[i].recl;
		n++;
	}
	if (n < 3 || !lsq_slope(x, y, n, per_h))
		return false;
	*per_h *= 3600;
	return true;
}

static void fmt_slab(char *buf, size_t size, const struct watch *w,
		     const char *name, uint64_t kb, bool unrecl)
{
	char b[32], s[40];
	double slope;

	fmt_bytes(b, sizeof(b), kb * 1024);
	if (slab_slope(w, unrecl, &slope)) {
		char r[32];

		fmt_bytes(r, sizeof(r), (uint64_t)fabs(slope));
		snprintf(s, sizeof(s), " %s%s/h", slope < 0 ? "-" : "+", r);
	} else {
		snprintf(s, sizeof(s), " (slope: wait)");
	}
	snprintf(buf, size, "%s %s%s", name, b, s);
}

static void row_name(char *buf, size_t size, const struct watch *w,
		     const struct top_row *r, char *state, size_t ssize)
{
	char name[256], cut[32];

	switch (w->by) {
	case TOP_BY_TASK:
		fmt_name(cut, sizeof(cut), r->owner->comm, 15);
		snprintf(buf, size, "%-7" PRIu32 " %s", r->owner->tgid, cut);
		snprintf(state, ssize, "%s", lm_owner_state(r->owner));
		break;
	case TOP_BY_UID:
		if (!user_name((uint32_t)r->key, name, sizeof(name)))
			snprintf(name, sizeof(name), "-");
		fmt_name(cut, sizeof(cut), name, 14);
		snprintf(buf, size, "%-7" PRIu64 " %s", r->key, cut);
		snprintf(state, ssize, "%u", r->owners);
		break;
	case TOP_BY_CGROUP:
		snprintf(buf, size, "%" PRIu64, r->key);
		snprintf(state, ssize, "%u", r->owners);
		break;
	}
}

static void watch_frame(struct watch *w, struct frame *f, int cols,
			size_t maxrows)
{
	char a[160], b[160], tm[32], spark[3 * 256 + 1];
	size_t sw = cols > W_FIXED + 4 ? (size_t)(cols - W_FIXED - 1) : 3;
	time_t now = time(NULL);
	struct tm lt;
	int hw;
	double dt = w->have_prev ?
		    (double)(w->cur_ns - w->prev_ns) / 1e9 : 0;

	if (sw > 256)
		sw = 256;
	f->n = 0;
	f->hl = -1;
	localtime_r(&now, &lt);
	strftime(tm, sizeof(tm), "%H:%M:%S", &lt);
	/* the host name gets what the rest leaves of the width (8 at least) */
	snprintf(a, sizeof(a), "  %s  every %.3g s  by %s, sort %s%s", tm,
		 (double)w->interval_ns / 1e9, top_by_name(w->by),
		 top_sort_name(w->sort), w->paused ? "  [paused]" : "");
	hw = cols - 1 - (int)strlen("leakmon watch on ") - (int)strlen(a);
	fline(f, "leakmon watch on %.*s%s", hw < 8 ? 8 : hw > 64 ? 64 : hw,
	      w->host, a);
	if (w->have_t) {
		uint64_t live = 0, unreach = 0;
		char l[16], u[16];

		for (unsigned int k = 0; k < LM_NKINDS; k++) {
			live += w->t.kind[k].live;
			unreach += w->t.scan.kind[k].unreachable;
		}
		fmt_count(l, sizeof(l), live, 8);
		if (w->t.scan.present)
			fmt_count(u, sizeof(u), unreach, 8);
		else
			snprintf(u, sizeof(u), "-");
		fline(f, "live %s  unreachable %s  owners %" PRIu32
		      " (%" PRIu32 " exited)", l, u, w->t.owners,
		      w->t.owners_exited);
	} else {
		fline(f, "module: %s (retrying every interval)", w->modmsg);
	}
	if (w->has_m) {
		fmt_slab(a, sizeof(a), w, "SUnreclaim", w->m.sunreclaim_kb,
			 true);
		fmt_slab(b, sizeof(b), w, "SReclaimable",
			 w->m.sreclaimable_kb, false);
		fline(f, "%s   %s", a, b);
	} else {
		fline(f, "SUnreclaim, SReclaimable: not in /proc/meminfo");
	}
	fline(f, "keys: l/o/r sort  t/u/c group  p pause  q quit");
	fline(f, "%s", "");
	f->hl = (int)f->n;
	snprintf(a, sizeof(a), "HISTORY (%.0f s)",
		 (double)sw * (double)w->interval_ns / 1e9);
	fline(f, "%-*s %-6s %7s %7s %8s  %s", W_NAME_W,
	      w->by == TOP_BY_TASK ? "TGID    COMM" :
	      w->by == TOP_BY_UID ? "UID     USER" : "CGROUP ID",
	      w->by == TOP_BY_TASK ? "STATE" : "OWNERS", "LIVE", "UNREACH",
	      "RATE/s", a);
	for (size_t i = 0; i < w->rows.n && i < maxrows; i++) {
		const struct top_row *r = &w->rows.row[i];
		char name[128], state[16], live[16], unreach[16], rate[16];
		struct hist *e;

		row_name(name, sizeof(name), w, r, state, sizeof(state));
		fmt_count(live, sizeof(live), r->live_total, 7);
		if (r->scanned)
			fmt_count(unreach, sizeof(unreach), r->unreachable, 7);
		else
			snprintf(unreach, sizeof(unreach), "-");
		if (dt > 0)
			fmt_rate(rate, sizeof(rate), r->rate, 8);
		else
			snprintf(rate, sizeof(rate), "-");
		e = hist_find(w, w->by, r->key, r->start_ns, false);
		spark[0] = '\0';
		if (e)
			sparkline(spark, sizeof(spark), e->v, e->n, sw,
				  w->utf8);
		fline(f, "%-*.*s %-6s %7s %7s %8s  %s", W_NAME_W, W_NAME_W,
		      name, state, live, unreach, rate, spark);
	}
	if (!w->rows.n && w->have_t)
		fline(f, "(no owners)");
}

/* ---- the two front ends ---- */

static int watch_plain(struct watch *w)
{
	static struct frame f;

	for (uint64_t i = 0; !w_stop; i++) {
		if (i)
			putchar('\n');
		watch_rows(w);
		watch_frame(w, &f, 80, (size_t)w->limit);
		for (size_t l = 0; l < f.n; l++)
			printf("%s\n", f.line[l]);
		fflush(stdout);
		if (w->count && i + 1 >= w->count)
			break;
		{
			struct timespec ts = {
				.tv_sec = (time_t)(w->interval_ns / NS_PER_S),
				.tv_nsec = (long)(w->interval_ns % NS_PER_S),
			};

			if (nanosleep(&ts, NULL) && errno == EINTR && w_stop)
				break;
		}
		watch_sample(w);
	}
	return EXIT_OK;
}

static void watch_draw(struct watch *w)
{
	static struct frame f;
	int rows = LINES, cols = COLS;

	watch_rows(w);
	watch_frame(w, &f, cols, rows > 7 ? (size_t)(rows - 7) : 0);
	erase();
	for (size_t l = 0; l < f.n && (int)l < rows; l++) {
		if ((int)l == f.hl)
			attron(A_REVERSE);
		else if (l == 0)
			attron(A_BOLD);
		mvaddnstr((int)l, 0, f.line[l], -1);
		if ((int)l == f.hl) {
			/* the header bar spans the width */
			for (int x = (int)strlen(f.line[l]); x < cols; x++)
				mvaddch((int)l, x, ' ');
			attroff(A_REVERSE);
		} else if (l == 0) {
			attroff(A_BOLD);
		}
	}
	refresh();
}

static bool watch_key(struct watch *w, int ch)
{
	switch (ch) {
	case 'q': case 'Q':
		return false;
	case 'l': w->sort = TOP_SORT_LIVE; break;
	case 'o': w->sort = TOP_SORT_UNREACHABLE; break;
	case 'r': w->sort = TOP_SORT_RATE; break;
	case 's': w->sort = (enum top_sort)((w->sort + 1) % 3); break;
	case 't': w->by = TOP_BY_TASK; break;
	case 'u': w->by = TOP_BY_UID; break;
	case 'c': w->by = TOP_BY_CGROUP; break;
	case 'b': w->by = (enum top_by)((w->by + 1) % 3); break;
	case 'p': case ' ': w->paused = !w->paused; break;
	default: break;
	}
	return true;
}

static int watch_curses(struct watch *w)
{
	struct sigaction sa = { .sa_handler = w_on_signal };
	uint64_t next = mono_ns() + w->interval_ns, done = 1;
	bool run = true;

	if (!initscr()) {
		fprintf(stderr, "leakmon: watch: cannot set up the terminal\n");
		return EXIT_RUNTIME;
	}
	/* ours, not ncurses' handlers: getch() returns and we clean up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	watch_draw(w);
	while (run && !w_stop) {
		uint64_t now = mono_ns();
		int ch;

		if (now >= next) {
			if (w->count && done >= w->count)
				break;
			if (!w->paused) {
				watch_sample(w);
				done++;
			}
			next = next_tick(next, now, w->interval_ns);
			watch_draw(w);
			continue;
		}
		timeout((int)((next - now) / 1000000) + 1);
		ch = getch();
		if (ch == ERR)
			continue;
		if (ch == KEY_RESIZE) {
			watch_draw(w);
			continue;
		}
		run = watch_key(w, ch);
		if (run)
			watch_draw(w);
	}
	endwin();
	return EXIT_OK;
}

int cmd_watch(int argc, char **argv)
{
	struct watch *w = calloc(1, sizeof(*w));
	struct sigaction sa = { .sa_handler = w_on_signal };
	int ret;

	if (!w) {
		fprintf(stderr, "leakmon: watch: out of memory\n");
		return EXIT_RUNTIME;
	}
	ret = watch_parse_args(argc, argv, w);
	if (ret) {
		free(w);
		return ret < 0 ? EXIT_OK : ret;
	}
	w->hist = calloc(W_MAX_ENTRIES, sizeof(*w->hist));
	if (!w->hist) {
		free(w);
		fprintf(stderr, "leakmon: watch: out of memory\n");
		return EXIT_RUNTIME;
	}
	setlocale(LC_ALL, "");
	w->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	if (gethostname(w->host, sizeof(w->host) - 1))
		snprintf(w->host, sizeof(w->host), "?");
	/* the module must be there at the start, as for top */
	ret = cli_open(&w->h);
	if (ret)
		goto out;
	w_stop = 0;
	watch_sample(w);
	if (!w->have_t) {
		fprintf(stderr, "leakmon: watch: %s\n", w->modmsg);
		ret = EXIT_RUNTIME;
		goto out;
	}
	if (isatty(STDOUT_FILENO) && isatty(STDIN_FILENO) &&
	    getenv("TERM") && strcmp(getenv("TERM"), "dumb")) {
		ret = watch_curses(w);
	} else {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		signal(SIGPIPE, SIG_IGN);
		ret = watch_plain(w);
	}
out:
	top_rows_free(&w->rows);
	lm_owners_free(&w->cur);
	lm_owners_free(&w->prev);
	lm_close(w->h);
	free(w->hist);
	free(w);
	return ret;
}
