// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon growth: slab growth (least-squares slope over a window of
 * samples kept in the state file), the bytes held by tracked objects and
 * the share of the growth they explain.
 */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "monitor.h"

void usage_growth(FILE *f)
{
	fprintf(f,
		"Usage: leakmon growth [--state FILE] [--window SECONDS] [--no-sample]\n"
		"                      [--json]\n"
		"\n"
		"Show how fast SUnreclaim and SReclaimable grow (least-squares slope over\n"
		"the samples of the window, in bytes per hour), the bytes held by the\n"
		"live tracked objects of each kind (live x object size, the size from\n"
		"the module or /sys/kernel/slab), and the share of the slab growth they\n"
		"explain.  Adds a sample like 'leakmon check'.\n"
		"\n"
		"  -s, --state FILE       the growth state file (see 'leakmon check')\n"
		"  -w, --window SECONDS   fit the slope over this window (%d..%d,\n"
		"                         default %d)\n"
		"  --no-sample            read the state file, add no sample\n"
		"  -j, --json             one JSON document on stdout\n"
		"  -h, --help             this text\n",
		GROWTH_MIN_WINDOW_S, GROWTH_MAX_WINDOW_S, GROWTH_DEFAULT_WINDOW_S);
}

static const struct option growth_opts[] = {
	{ "state",	required_argument,	NULL, 's' },
	{ "window",	required_argument,	NULL, 'w' },
	{ "no-sample",	no_argument,		NULL, 'S' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* "+1.5 MiB/h" */
static void fmt_rate_bytes(char *buf, size_t size, double v)
{
	char b[32];

	fmt_bytes(b, sizeof(b), (uint64_t)llround(fabs(v)));
	snprintf(buf, size, "%s%s/h", v < 0 ? "-" : "+", b);
}

static void print_human(FILE *f, const struct mon *m)
{
	const struct growth_fit *g = &m->fit;
	char a[48], b[48], c[48], win[32], span[32], why[300];
	double pct;

	fmt_duration(win, sizeof(win), g->window_s * 1000000000ULL);
	fmt_duration(span, sizeof(span),
		     (uint64_t)llround(g->span_s * 1e9));
	fprintf(f, "slab growth, window %s: %zu samples spanning %s\n", win,
		g->samples, span);
	if (!m->meminfo_err) {
		fmt_bytes(a, sizeof(a), m->m.sunreclaim_kb * 1024);
		fmt_bytes(b, sizeof(b), m->m.sreclaimable_kb * 1024);
	} else {
		snprintf(a, sizeof(a), "n/a");
		snprintf(b, sizeof(b), "n/a");
	}
	if (g->ok) {
		fmt_rate_bytes(c, sizeof(c), g->sunreclaim_per_h);
		fprintf(f, "  SUnreclaim   %-12s %s\n", a, c);
		fmt_rate_bytes(c, sizeof(c), g->sreclaimable_per_h);
		fprintf(f, "  SReclaimable %-12s %s\n", b, c);
		fmt_rate_bytes(c, sizeof(c), g->slab_per_h);
		fprintf(f, "  total        %-12s %s\n", "", c);
	} else {
		fprintf(f, "  SUnreclaim   %s\n  SReclaimable %s\n", a, b);
		fprintf(f, "  no slope yet: %.60s\n", g->why);
	}
	if (m->totals_rc != EXIT_OK) {
		fprintf(f, "tracked objects: module not available\n");
		return;
	}
	fprintf(f, "\n%-12s %10s %6s %-8s %-13s %12s\n", "KIND", "LIVE", "SIZE",
		"SOURCE", "SLAB", "BYTES");
	for (unsigned int k = 0; k < LM_NKINDS; k++) {
		const struct mon_kind_bytes *kb = &m->kb[k];

		if (!m->t.kind[k].present)
			continue;
		fmt_count(a, sizeof(a), m->t.kind[k].live, 10);
		fmt_bytes(b, sizeof(b), kb->bytes);
		fprintf(f, "%-12s %10s %6" PRIu32 " %-8s %-13s %12s\n",
			lm_kind_name(k), a, kb->obj_size,
			mon_size_src_name(kb->src),
			kb->reclaimable ? "reclaimable" : "unreclaimable", b);
	}
	fmt_bytes(a, sizeof(a), m->tracked_recl);
	fmt_bytes(b, sizeof(b), m->tracked_unrecl);
	fprintf(f, "tracked: %s reclaimable, %s unreclaimable\n", a, b);
	if (growth_explained(g, &pct, why, sizeof(why))) {
		fmt_rate_bytes(c, sizeof(c), g->tracked_per_h);
		fprintf(f, "tracked growth %s: %.1f%% of the slab growth\n", c,
			pct);
	} else {
		fprintf(f, "explained: n/a (%.62s)\n", why);
	}
}

static void json_rate(struct json *j, const char *key, bool ok, double v)
{
	if (ok)
		json_double(j, key, v, 1);
	else
		json_null(j, key);
}

static void print_json(FILE *f, const struct mon *m)
{
	const struct growth_fit *g = &m->fit;
	char why[300];
	double pct;
	bool expl = growth_explained(g, &pct, why, sizeof(why));
	struct json j;

	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_str(&j, "state_file", m->state);
	json_u64(&j, "window_s", g->window_s);
	json_u64(&j, "samples", g->samples);
	json_double(&j, "span_s", g->span_s, 3);
	json_bool(&j, "growth_known", g->ok);
	json_str(&j, "growth_reason", g->ok ? NULL : g->why);
	json_obj_open(&j, "meminfo");
	if (m->meminfo_err) {
		json_null(&j, "sunreclaim_bytes");
		json_null(&j, "sreclaimable_bytes");
	} else {
		json_u64(&j, "sunreclaim_bytes", m->m.sunreclaim_kb * 1024);
		if (m->m.has_sreclaimable)
			json_u64(&j, "sreclaimable_bytes",
				 m->m.sreclaimable_kb * 1024);
		else
			json_null(&j, "sreclaimable_bytes");
	}
	json_obj_close(&j);
	json_obj_open(&j, "growth_bytes_per_h");
	json_rate(&j, "sunreclaim", g->ok, g->sunreclaim_per_h);
	json_rate(&j, "sreclaimable", g->ok, g->sreclaimable_per_h);
	json_rate(&j, "slab", g->ok, g->slab_per_h);
	json_rate(&j, "tracked_unreclaimable", g->tracked_ok,
		  g->tracked_unrecl_per_h);
	json_rate(&j, "tracked_reclaimable", g->tracked_ok,
		  g->tracked_recl_per_h);
	json_rate(&j, "tracked", g->tracked_ok, g->tracked_per_h);
	json_obj_close(&j);
	json_rate(&j, "explained_pct", expl, pct);
	json_str(&j, "explained_reason", expl ? NULL : why);
	json_bool(&j, "module_loaded", m->totals_rc == EXIT_OK);
	json_obj_open(&j, "tracked");
	if (m->totals_rc == EXIT_OK) {
		for (unsigned int k = 0; k < LM_NKINDS; k++) {
			const struct mon_kind_bytes *kb = &m->kb[k];

			if (!m->t.kind[k].present)
				continue;
			json_obj_open(&j, lm_kind_name(k));
			json_u64(&j, "live", m->t.kind[k].live);
			json_u64(&j, "obj_size", kb->obj_size);
			json_str(&j, "obj_size_source",
				 mon_size_src_name(kb->src));
			json_bool(&j, "reclaimable", kb->reclaimable);
			json_u64(&j, "bytes", kb->bytes);
			json_obj_close(&j);
		}
		json_u64(&j, "reclaimable_bytes", m->tracked_recl);
		json_u64(&j, "unreclaimable_bytes", m->tracked_unrecl);
	}
	json_obj_close(&j);
	json_obj_close(&j);
	json_finish(&j);
}

int cmd_growth(int argc, char **argv)
{
	struct mon_opts mo = { .window_s = GROWTH_DEFAULT_WINDOW_S };
	bool json = false;
	struct mon m;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:w:jh", growth_opts,
				NULL)) != -1) {
		switch (c) {
		case 's':
		case 'w':
		case 'S':
			rc = mon_parse_opt("growth", c, optarg, &mo);
			if (rc)
				return rc;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage_growth(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("growth", c, argv);
		}
	}
	rc = cli_no_args("growth", argc, argv);
	if (rc)
		return rc;
	rc = mon_collect_report("growth", &m, &mo);
	if (rc)
		return rc;
	if (m.totals_rc != EXIT_OK && m.totals_rc != EXIT_NOMODULE) {
		/* the module is there but refused: say so and fail */
		rc = mon_module_error(&m);
		mon_free(&m);
		return rc;
	}
	if (json)
		print_json(stdout, &m);
	else
		print_human(stdout, &m);
	mon_free(&m);
	return EXIT_OK;
}
