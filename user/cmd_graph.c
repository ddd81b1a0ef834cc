// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon graph: draw a recording of `leakmon record` with cairo, as PNG
 * or SVG: live objects of the top owners on the left axis, SUnreclaim and
 * SReclaimable on the right one with the least-squares slope of
 * SUnreclaim, the module's absences shaded.
 *
 * cairo draws text in SVG as glyph outlines, so the names in the picture
 * cannot be searched for; the SVG gets a <title> and a <desc> naming the
 * host, the time range and every series with its colour.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "axis.h"
#include "cli.h"
#include "gfx.h"
#include "growth.h"
#include "record.h"

#define GRAPH_DEFAULT_TOP	5
#define GRAPH_MAX_TOP		12
#define GRAPH_W			1000
#define GRAPH_H			600
#define M_LEFT			72.0
#define M_RIGHT			84.0
#define M_TOP			64.0
#define M_BOTTOM		138.0
#define FONT			"DejaVu Sans"
/* where leakmon-recorder.service records (its StateDirectory=) */
#define GRAPH_DEFAULT_DIR	"/var/lib/leakmon"

void usage_graph(FILE *f)
{
	fprintf(f,
		"Usage: leakmon graph [FILE|DIR...] -o OUT.png|OUT.svg [--since WHEN]\n"
		"                     [--until WHEN] [--top N] [--by comm|task]\n"
		"\n"
		"Draw a recording of 'leakmon record': live objects of the top\n"
		"owners, SUnreclaim and SReclaimable with the slope of SUnreclaim.\n"
		"A directory stands for the recordings in it, plain or gzip'ed\n"
		"(a recorder's file and its rotated ones), joined in time order;\n"
		"without FILE or DIR, those of " GRAPH_DEFAULT_DIR ".\n"
		"\n"
		"  -o, --output OUT       the picture; its name ends in .png or .svg\n"
		"  -s, --since WHEN       from WHEN: a time back from now (90m, 12h,\n"
		"                         7d, 2w; s m h d w), a local time\n"
		"                         (2026-12-01, '2026-12-01 08:00') or @UNIXTIME\n"
		"  -u, --until WHEN       up to WHEN (same forms)\n"
		"  -n, --top N            owners drawn, by their largest live count\n"
		"                         (1..%d, default %d)\n"
		"  -b, --by comm|task     one line per process name (default: the\n"
		"                         processes of a name summed), or per process\n"
		"  -h, --help             this text\n",
		GRAPH_MAX_TOP, GRAPH_DEFAULT_TOP);
}

static const struct option graph_opts[] = {
	{ "output",	required_argument,	NULL, 'o' },
	{ "top",	required_argument,	NULL, 'n' },
	{ "by",		required_argument,	NULL, 'b' },
	{ "since",	required_argument,	NULL, 's' },
	{ "until",	required_argument,	NULL, 'u' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct graph_args {
	char *const *in;		/* files and directories */
	size_t nin;
	const char *out;
	double since, until;		/* NAN: open */
	bool default_dir;		/* none named: GRAPH_DEFAULT_DIR */
	bool svg;
	uint64_t top;
	enum rec_by by;
};

/* Tableau 10; the slab lines have their own colours */
static const double palette[][3] = {
	{ 0.839, 0.153, 0.157 },	/* #d62728 red */
	{ 0.122, 0.467, 0.706 },	/* #1f77b4 blue */
	{ 0.173, 0.627, 0.173 },	/* #2ca02c green */
	{ 0.580, 0.404, 0.741 },	/* #9467bd purple */
	{ 1.000, 0.498, 0.055 },	/* #ff7f0e orange */
	{ 0.549, 0.337, 0.294 },	/* #8c564b brown */
	{ 0.890, 0.467, 0.761 },	/* #e377c2 pink */
	{ 0.090, 0.745, 0.812 },	/* #17becf cyan */
	{ 0.737, 0.741, 0.133 },	/* #bcbd22 olive */
	{ 0.000, 0.000, 0.502 },	/* #000080 navy */
	{ 0.400, 0.400, 0.000 },	/* #666600 */
	{ 0.000, 0.400, 0.400 },	/* #006666 */
};
static const double c_unrecl[3] = { 0.25, 0.25, 0.25 };
static const double c_recl[3] = { 0.60, 0.60, 0.60 };

static int graph_when(const char *opt, const char *arg, double *out)
{
	if (parse_when(arg, real_now(), out))
		return cli_usage_error("graph",
				       "%s: '%s' is not a time (like 7d, 12h or 2026-12-01 08:00)",
				       opt, arg);
	return EXIT_OK;
}

static int graph_parse_args(int argc, char **argv, struct graph_args *a)
{
	static char *const default_dir[] = { (char *)GRAPH_DEFAULT_DIR };
	const char *dot;
	int c, ret = EXIT_OK;

	memset(a, 0, sizeof(*a));
	a->top = GRAPH_DEFAULT_TOP;
	a->since = a->until = NAN;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:n:b:s:u:h", graph_opts,
				NULL)) != -1) {
		switch (c) {
		case 'o':
			a->out = optarg;
			break;
		case 'n':
			ret = cli_parse_num("graph", "--top", optarg, 1,
					    GRAPH_MAX_TOP, &a->top);
			break;
		case 'b':
			if (!strcmp(optarg, "comm"))
				a->by = REC_BY_COMM;
			else if (!strcmp(optarg, "task"))
				a->by = REC_BY_TASK;
			else
				return cli_usage_error("graph",
						       "--by: '%s' is not one of comm, task",
						       optarg);
			break;
		case 's':
			ret = graph_when("--since", optarg, &a->since);
			break;
		case 'u':
			ret = graph_when("--until", optarg, &a->until);
			break;
		case 'h':
			usage_graph(stdout);
			return -1;
		default:
			return cli_bad_option("graph", c, argv);
		}
		if (ret)
			return ret;
	}
	if (optind < argc) {
		a->in = argv + optind;
		a->nin = (size_t)(argc - optind);
	} else {
		a->in = default_dir;
		a->nin = 1;
		a->default_dir = true;
	}
	if (!isnan(a->since) && !isnan(a->until) && a->since >= a->until)
		return cli_usage_error("graph", "--since is not before --until");
	if (!a->out)
		return cli_usage_error("graph", "-o OUT.png|OUT.svg is required");
	dot = strrchr(a->out, '.');
	if (dot && !strcasecmp(dot, ".png"))
		a->svg = false;
	else if (dot && !strcasecmp(dot, ".svg"))
		a->svg = true;
	else
		return cli_usage_error("graph",
				       "--output: '%s' does not end in .png or .svg",
				       a->out);
	return EXIT_OK;
}

/* ---- drawing ---- */

struct plot {
	cairo_t *cr;
	const struct recording *r;
	double x0, x1, y0, y1;		/* plot area, y0 at the top */
	struct axis tx, ly, ry;
	bool has_slab;
};

static double px(const struct plot *p, double t)
{
	return p->x0 + (t - p->tx.lo) / (p->tx.hi - p->tx.lo) * (p->x1 - p->x0);
}

static double py(const struct plot *p, const struct axis *a, double v)
{
	return p->y1 - (v - a->lo) / (a->hi - a->lo) * (p->y1 - p->y0);
}

static void set_rgb(cairo_t *cr, const double c[3])
{
	cairo_set_source_rgb(cr, c[0], c[1], c[2]);
}

/* Text with its reference point aligned: ax, ay in 0 (left/top) .. 1 */
static void text_at(cairo_t *cr, double x, double y, double ax, double ay,
		    const char *s)
{
	cairo_text_extents_t e;

	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x - e.x_advance * ax - e.x_bearing * 0,
		      y + e.height * (1 - ay) - (e.height + e.y_bearing));
	cairo_show_text(cr, s);
}

static void draw_frame(struct plot *p, const char *title, const char *sub)
{
	cairo_t *cr = p->cr;
	char buf[64];
	double span = p->tx.hi - p->tx.lo;

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_BOLD);
	cairo_set_font_size(cr, 17);
	cairo_set_source_rgb(cr, 0, 0, 0);
	text_at(cr, GRAPH_W / 2.0, 22, 0.5, 0.5, title);
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 12);
	text_at(cr, GRAPH_W / 2.0, 44, 0.5, 0.5, sub);

	/* grid and ticks */
	cairo_set_line_width(cr, 1);
	cairo_set_font_size(cr, 11);
	for (size_t i = 0; i < p->ly.n; i++) {
		double y = round(py(p, &p->ly, p->ly.tick[i])) + 0.5;

		cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
		cairo_move_to(cr, p->x0, y);
		cairo_line_to(cr, p->x1, y);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		axis_count_label(buf, sizeof(buf), p->ly.tick[i]);
		text_at(cr, p->x0 - 6, y, 1, 0.5, buf);
	}
	for (size_t i = 0; i < p->tx.n; i++) {
		double x = round(px(p, p->tx.tick[i])) + 0.5;

		cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
		cairo_move_to(cr, x, p->y0);
		cairo_line_to(cr, x, p->y1);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_move_to(cr, x, p->y1);
		cairo_line_to(cr, x, p->y1 + 5);
		cairo_stroke(cr);
		axis_time_label(buf, sizeof(buf), p->tx.tick[i], p->tx.step,
				span);
		text_at(cr, x, p->y1 + 16, 0.5, 0.5, buf);
	}
	if (p->has_slab) {
		for (size_t i = 0; i < p->ry.n; i++) {
			double y = round(py(p, &p->ry, p->ry.tick[i])) + 0.5;

			cairo_move_to(cr, p->x1, y);
			cairo_line_to(cr, p->x1 + 5, y);
			cairo_stroke(cr);
			axis_bytes_label(buf, sizeof(buf), p->ry.tick[i],
					 p->ry.step);
			text_at(cr, p->x1 + 8, y, 0, 0.5, buf);
		}
	}
	/* axis titles */
	cairo_save(cr);
	cairo_translate(cr, 16, (p->y0 + p->y1) / 2);
	cairo_rotate(cr, -M_PI / 2);
	text_at(cr, 0, 0, 0.5, 0.5, "live objects per owner");
	cairo_restore(cr);
	if (p->has_slab) {
		cairo_save(cr);
		cairo_translate(cr, GRAPH_W - 12, (p->y0 + p->y1) / 2);
		cairo_rotate(cr, M_PI / 2);
		text_at(cr, 0, 0, 0.5, 0.5, "slab memory (/proc/meminfo)");
		cairo_restore(cr);
	}
	text_at(cr, (p->x0 + p->x1) / 2, p->y1 + 34, 0.5, 0.5, "local time");
}

static void draw_gaps(struct plot *p)
{
	cairo_t *cr = p->cr;

	for (size_t i = 0; i < p->r->ngaps; i++) {
		const struct rec_gap *g = &p->r->gap[i];
		double a = px(p, g->t0), b = px(p, g->t1);

		if (b - a < 2)
			b = a + 2;
		cairo_set_source_rgb(cr, 0.93, 0.93, 0.97);
		cairo_rectangle(cr, a, p->y0, b - a, p->y1 - p->y0);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.5);
		cairo_set_font_size(cr, 10);
		cairo_save(cr);
		cairo_translate(cr, a + 4, p->y0 + 6);
		cairo_rotate(cr, M_PI / 2);
		text_at(cr, 0, 0, 0, 1, g->reason[0] ? g->reason : "gap");
		cairo_restore(cr);
	}
}

/* A polyline of y[i] at the sample times, broken where y is NaN */
static void draw_line(struct plot *p, const struct axis *ax, const double *y,
		      const double c[3], double width, const double *dash,
		      int ndash)
{
	cairo_t *cr = p->cr;
	bool pen = false;

	set_rgb(cr, c);
	cairo_set_line_width(cr, width);
	cairo_set_dash(cr, dash, ndash, 0);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	for (size_t i = 0; i < p->r->n; i++) {
		double x = px(p, p->r->s[i].t), v;

		if (isnan(y[i])) {
			pen = false;
			continue;
		}
		v = py(p, ax, y[i]);
		if (pen) {
			cairo_line_to(cr, x, v);
		} else {
			cairo_move_to(cr, x, v);
			/* a lone point still shows */
			if (i + 1 >= p->r->n || isnan(y[i + 1]))
				cairo_line_to(cr, x + 1, v);
		}
		pen = true;
	}
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);
}

struct legend {
	char text[128];
	const double *rgb;
	bool dashed, dotted;
};

static void draw_legend(struct plot *p, const struct legend *l, size_t n)
{
	cairo_t *cr = p->cr;
	double col_w = (GRAPH_W - M_LEFT - 20) / 3.0;
	double y = p->y1 + 56;
	const double dash[] = { 8, 4 }, dot[] = { 2, 3 };

	cairo_set_font_size(cr, 12);
	for (size_t i = 0; i < n; i++) {
		double x = M_LEFT + (double)(i % 3) * col_w;
		double yy = y + (double)(i / 3) * 20;

		set_rgb(cr, l[i].rgb);
		cairo_set_line_width(cr, 3);
		if (l[i].dashed)
			cairo_set_dash(cr, dash, 2, 0);
		if (l[i].dotted)
			cairo_set_dash(cr, dot, 2, 0);
		cairo_move_to(cr, x, yy);
		cairo_line_to(cr, x + 28, yy);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		cairo_set_source_rgb(cr, 0, 0, 0);
		text_at(cr, x + 34, yy, 0, 0.5, l[i].text);
	}
}

static void fmt_rate_h(char *buf, size_t size, double bytes_per_h)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double a = fabs(bytes_per_h);
	int i = 0;

	while (a >= 1024 && i < 4) {
		a /= 1024;
		i++;
	}
	snprintf(buf, size, "%s%.*f %s/h", bytes_per_h < 0 ? "-" : "+",
		 i ? 1 : 0, a, unit[i]);
}

struct graph {
	struct rec_series *s;
	int ns;
	double *unrecl, *recl;
	bool slope_ok;
	double slope, icept;		/* SUnreclaim bytes = icept + slope*t */
	double t0, t1;
	char title[512], sub[512];
};

static void graph_fit(struct graph *g, const struct recording *r)
{
	double *x = malloc(r->n * sizeof(double));
	double *y = malloc(r->n * sizeof(double));
	double mx = 0, my = 0;
	size_t m = 0;

	if (x && y) {
		for (size_t i = 0; i < r->n; i++) {
			if (!r->s[i].has_slab)
				continue;
			x[m] = r->s[i].t - g->t0;
			y[m] = (double)r->s[i].sunreclaim;
			mx += x[m];
			my += y[m];
			m++;
		}
		if (m >= 2 && lsq_slope(x, y, m, &g->slope)) {
			g->slope_ok = true;
			g->icept = my / (double)m - g->slope * mx / (double)m;
		}
	}
	free(x);
	free(y);
}

static void graph_titles(struct graph *g, const struct recording *r,
			 unsigned int files)
{
	char a[64], b[64], dur[64];
	time_t t0 = (time_t)g->t0, t1 = (time_t)g->t1;
	struct tm tm0, tm1;
	size_t total = 0;

	localtime_r(&t0, &tm0);
	localtime_r(&t1, &tm1);
	strftime(a, sizeof(a), "%Y-%m-%d %H:%M:%S", &tm0);
	if (tm0.tm_yday == tm1.tm_yday && tm0.tm_year == tm1.tm_year)
		strftime(b, sizeof(b), "%H:%M:%S %Z", &tm1);
	else
		strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S %Z", &tm1);
	fmt_duration(dur, sizeof(dur), (uint64_t)((g->t1 - g->t0) * 1e9));
	snprintf(g->title, sizeof(g->title), "leakmon: %s, %s to %s",
		 r->h.host[0] ? r->h.host : "?", a, b);
	for (size_t i = 0; i < r->n; i++)
		total += r->s[i].module;
	snprintf(g->sub, sizeof(g->sub),
		 "%zu samples every %.3g s over %s, kernel %s%s%s", r->n,
		 r->h.interval_s, dur, r->h.kernel[0] ? r->h.kernel : "?",
		 total < r->n ? ", module absent in shaded spans" : "",
		 files > 1 ? ", several files" :
		 r->recordings > 1 ? ", several recordings" : "");
}

static void graph_draw(cairo_t *cr, const struct recording *r,
		       struct graph *g)
{
	struct plot p = { .cr = cr, .r = r };
	struct legend leg[GRAPH_MAX_TOP + 3];
	const double dash[] = { 8, 4 }, dot[] = { 2, 3 };
	double lmax = 0, smin = INFINITY, smax = -INFINITY;
	size_t nl = 0;

	p.x0 = M_LEFT;
	p.x1 = GRAPH_W - M_RIGHT;
	p.y0 = M_TOP;
	p.y1 = GRAPH_H - M_BOTTOM;
	for (int i = 0; i < g->ns; i++)
		if (g->s[i].max > lmax)
			lmax = g->s[i].max;
	for (size_t i = 0; i < r->n; i++) {
		if (!r->s[i].has_slab)
			continue;
		p.has_slab = true;
		smin = fmin(smin, fmin(g->unrecl[i], g->recl[i]));
		smax = fmax(smax, fmax(g->unrecl[i], g->recl[i]));
	}
	axis_time(&p.tx, g->t0, g->t1 > g->t0 ? g->t1 : g->t0 + 1, 8);
	/*
	 * Live counts are whole: a range of 6 or more gives 7 ticks a whole
	 * step apart (0..1 for a recording without owners gave 0.2 steps,
	 * labelled 0 0 0 1 1 1)
	 */
	axis_nice(&p.ly, 0, fmax(lmax, 6), 7, false);
	if (p.has_slab)
		axis_nice(&p.ry, smin, smax, 7, true);

	draw_frame(&p, g->title, g->sub);
	cairo_save(cr);
	cairo_rectangle(cr, p.x0, p.y0 - 2, p.x1 - p.x0, p.y1 - p.y0 + 4);
	cairo_clip(cr);
	draw_gaps(&p);
	if (p.has_slab) {
		draw_line(&p, &p.ry, g->recl, c_recl, 2, dash, 2);
		draw_line(&p, &p.ry, g->unrecl, c_unrecl, 2, dash, 2);
		if (g->slope_ok) {
			set_rgb(cr, c_unrecl);
			cairo_set_line_width(cr, 1.5);
			cairo_set_dash(cr, dot, 2, 0);
			cairo_move_to(cr, px(&p, g->t0),
				      py(&p, &p.ry, g->icept));
			cairo_line_to(cr, px(&p, g->t1),
				      py(&p, &p.ry, g->icept + g->slope *
						    (g->t1 - g->t0)));
			cairo_stroke(cr);
			cairo_set_dash(cr, NULL, 0, 0);
		}
	}
	for (int i = g->ns - 1; i >= 0; i--)
		draw_line(&p, &p.ly, g->s[i].y, palette[i], 2.5, NULL, 0);
	cairo_restore(cr);

	/* frame */
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, p.x0 + 0.5, p.y0 + 0.5, p.x1 - p.x0, p.y1 - p.y0);
	cairo_stroke(cr);

	for (int i = 0; i < g->ns; i++, nl++) {
		char max[32];

		axis_count_label(max, sizeof(max), g->s[i].max);
		leg[nl] = (struct legend){ .rgb = palette[i] };
		if (g->s[i].tasks > 1)
			snprintf(leg[nl].text, sizeof(leg[nl].text),
				 "%s (%u processes), max %s", g->s[i].name,
				 g->s[i].tasks, max);
		else
			snprintf(leg[nl].text, sizeof(leg[nl].text),
				 "%s, max %s", g->s[i].name, max);
	}
	if (!g->ns) {
		leg[nl] = (struct legend){ .rgb = c_recl };
		snprintf(leg[nl++].text, sizeof(leg[0].text),
			 "no owners recorded");
	}
	if (p.has_slab) {
		leg[nl] = (struct legend){ .rgb = c_unrecl, .dashed = true };
		snprintf(leg[nl++].text, sizeof(leg[0].text),
			 "SUnreclaim (right axis)");
		leg[nl] = (struct legend){ .rgb = c_recl, .dashed = true };
		snprintf(leg[nl++].text, sizeof(leg[0].text),
			 "SReclaimable (right axis)");
		if (g->slope_ok) {
			char rate[48];

			fmt_rate_h(rate, sizeof(rate), g->slope * 3600);
			leg[nl] = (struct legend){ .rgb = c_unrecl,
						   .dotted = true };
			snprintf(leg[nl++].text, sizeof(leg[0].text),
				 "SUnreclaim slope %s", rate);
		}
	}
	draw_legend(&p, leg, nl);
}

/* "2026-12-04 13:56:00" in local time */
static void fmt_local(char *buf, size_t size, double t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

/* ---- output ---- */

struct membuf {
	char *p;
	size_t n, cap;
	bool nomem;
};

static cairo_status_t mem_write(void *closure, const unsigned char *data,
				unsigned int len)
{
	struct membuf *m = closure;

	if (m->n + len > m->cap) {
		size_t cap = (m->n + len) * 2;
		char *p = realloc(m->p, cap);

		if (!p) {
			m->nomem = true;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		m->p = p;
		m->cap = cap;
	}
	memcpy(m->p + m->n, data, len);
	m->n += len;
	return CAIRO_STATUS_SUCCESS;
}

static void xml_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			fputc((unsigned char)*s >= 0x20 && *s != 0x7f ?
			      *s : '?', f);
		}
	}
}

/* <title> and <desc>: the searchable text of the picture */
static void svg_meta(FILE *f, const struct graph *g)
{
	fputs("\n<title>", f);
	xml_escape(f, g->title);
	fputs("</title>\n<desc>", f);
	xml_escape(f, g->sub);
	fputs(". Left axis: live objects per owner. Series:", f);
	for (int i = 0; i < g->ns; i++) {
		fputs(i ? "; " : " ", f);
		xml_escape(f, g->s[i].name);
		fprintf(f, " (colour #%02x%02x%02x, max %.0f live objects)",
			(unsigned int)lround(palette[i][0] * 255),
			(unsigned int)lround(palette[i][1] * 255),
			(unsigned int)lround(palette[i][2] * 255),
			g->s[i].max);
	}
	if (g->slope_ok)
		fprintf(f, ". Right axis: SUnreclaim, SReclaimable; "
			"SUnreclaim slope %.0f bytes/h", g->slope * 3600);
	fputs(".</desc>\n", f);
}

static int write_out(const char *path, const struct membuf *m,
		     const struct graph *g, bool svg)
{
	char tmp[4200];
	const char *tag;
	size_t head = m->n;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	f = fopen(tmp, "we");
	if (!f)
		goto fail;
	if (svg) {
		/* after the end of the root element's start tag */
		tag = memmem(m->p, m->n, "<svg", 4);
		if (tag) {
			const char *gt = memchr(tag, '>', m->n -
						(size_t)(tag - m->p));

			if (gt)
				head = (size_t)(gt + 1 - m->p);
		}
	}
	fwrite(m->p, 1, head, f);
	if (svg && head < m->n)
		svg_meta(f, g);
	fwrite(m->p + head, 1, m->n - head, f);
	if (ferror(f) | fclose(f))
		goto fail_unlink;
	if (rename(tmp, path))
		goto fail_unlink;
	return EXIT_OK;
fail_unlink:
	unlink(tmp);
fail:
	fprintf(stderr, "leakmon: graph: %s: %s\n", path, strerror(errno));
	return EXIT_RUNTIME;
}

static int graph_render(const struct graph_args *a, const struct recording *r,
			struct graph *g)
{
	struct membuf m = { 0 };
	cairo_surface_t *sf;
	cairo_status_t st;
	cairo_t *cr;
	int ret;

	if (a->svg)
		sf = cairo_svg_surface_create_for_stream(mem_write, &m,
							 GRAPH_W, GRAPH_H);
	else
		sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, GRAPH_W,
						GRAPH_H);
	cr = cairo_create(sf);
	graph_draw(cr, r, g);
	st = cairo_status(cr);
	cairo_destroy(cr);
	if (!st && !a->svg)
		st = cairo_surface_write_to_png_stream(sf, mem_write, &m);
	cairo_surface_finish(sf);
	if (!st)
		st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	if (st || m.nomem) {
		fprintf(stderr, "leakmon: graph: drawing failed: %s\n",
			m.nomem ? "out of memory" : cairo_status_to_string(st));
		free(m.p);
		return EXIT_RUNTIME;
	}
	ret = write_out(a->out, &m, g, a->svg);
	free(m.p);
	return ret;
}

int cmd_graph(int argc, char **argv)
{
	struct recording r;
	struct graph g = { 0 };
	struct graph_args a;
	bool drew = false;
	unsigned int files;
	char why[4400];
	int ret;

	ret = graph_parse_args(argc, argv, &a);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;

	ret = rec_load_set(a.in, a.nin, a.since, a.until, "graph", &r, &files,
			   why, sizeof(why));
	if (ret) {
		const char *hint = "";

		/* the recorder's directory, not named: say what it is */
		if (ret == REC_IO && a.default_dir)
			hint = access(GRAPH_DEFAULT_DIR, F_OK) ?
			       "\nleakmon: graph: is leakmon-recorder.service enabled?" :
			       "\nleakmon: graph: the recorder's files are root's";
		fprintf(stderr, "leakmon: graph: %s%s\n", why, hint);
		rec_free(&r);
		return ret == REC_IO || ret == REC_NOMEM ? EXIT_RUNTIME :
		       ret == REC_NODATA ? EXIT_NODATA : EXIT_BADFILE;
	}
	g.ns = rec_series(&r, a.by, (size_t)a.top, &g.s);
	g.unrecl = malloc(r.n * sizeof(double));
	g.recl = malloc(r.n * sizeof(double));
	if (g.ns < 0 || !g.unrecl || !g.recl) {
		fprintf(stderr, "leakmon: graph: out of memory\n");
		ret = EXIT_RUNTIME;
		goto out;
	}
	for (size_t i = 0; i < r.n; i++) {
		g.unrecl[i] = r.s[i].has_slab ? (double)r.s[i].sunreclaim : NAN;
		g.recl[i] = r.s[i].has_slab ? (double)r.s[i].sreclaimable : NAN;
	}
	if (lm_gfx_load(why, sizeof(why))) {
		fprintf(stderr, "leakmon: graph: %s\n", why);
		ret = EXIT_RUNTIME;
		goto out;
	}
	drew = true;
	g.t0 = r.s[0].t;
	g.t1 = r.t_end;
	graph_fit(&g, &r);
	graph_titles(&g, &r, files);
	ret = graph_render(&a, &r, &g);
	if (!ret) {
		char t0[32], t1[32];

		fmt_local(t0, sizeof(t0), g.t0);
		fmt_local(t1, sizeof(t1), g.t1);
		printf("%s: %zu samples, %d owner series%s\n", a.out, r.n,
		       g.ns, r.lines_skipped ? " (some lines of a newer "
					      "format skipped)" : "");
		printf("from %s to %s, %u file%s\n", t0, t1, files,
		       files == 1 ? "" : "s");
	}
out:
	if (g.ns > 0)
		rec_series_free(g.s, (size_t)g.ns);
	else
		free(g.s);
	free(g.unrecl);
	free(g.recl);
	rec_free(&r);
	/* cairo's font caches, then fontconfig's: nothing left for LSan */
	if (drew) {
		cairo_debug_reset_static_data();
		FcFini();
	}
	return ret;
}
