// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon prometheus: the node_exporter textfile collector format, written
 * atomically (temporary file + rename), with top-K owner rows and an
 * "other" row so the number of series is bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "monitor.h"
#include "status.h"
#include "top_model.h"

void usage_prometheus(FILE *f)
{
	fprintf(f,
		"Usage: leakmon prometheus [-o FILE] [-n N] [--state FILE]\n"
		"                          [--window SECONDS] [--no-sample]\n"
		"\n"
		"Write the module's totals, slab memory and growth, and the top owners\n"
		"and users in the Prometheus text format, for node_exporter's textfile\n"
		"collector (FILE should end in .prom).  The file is replaced atomically.\n"
		"Adds a slab sample like 'leakmon check'.\n"
		"\n"
		"  -o, --output FILE      write to FILE instead of stdout\n"
		"  -n, --limit N          owner and user rows (1..%d, default %d); the\n"
		"                         rest is summed in a row labelled \"other\"\n"
		"  -s, --state FILE       the growth state file (see 'leakmon check')\n"
		"  -w, --window SECONDS   fit the slope over this window (%d..%d,\n"
		"                         default %d)\n"
		"  --no-sample            read the state file, add no sample\n"
		"  -h, --help             this text\n",
		MON_MAX_TOPK, MON_DEFAULT_TOPK, GROWTH_MIN_WINDOW_S,
		GROWTH_MAX_WINDOW_S, GROWTH_DEFAULT_WINDOW_S);
}

static const struct option prom_opts[] = {
	{ "output",	required_argument,	NULL, 'o' },
	{ "limit",	required_argument,	NULL, 'n' },
	{ "state",	required_argument,	NULL, 's' },
	{ "window",	required_argument,	NULL, 'w' },
	{ "no-sample",	no_argument,		NULL, 'S' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* ---- format ---- */

void prom_label_value(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		int len = utf8_seq_len(p);

		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '"')
			fputs("\\\"", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (len == 0)
			fputs("\xef\xbf\xbd", f);	/* U+FFFD */
		else
			fwrite(p, 1, (size_t)len, f);
		p += len ? len : 1;
	}
	fputc('"', f);
}

static void meta(FILE *f, const char *name, const char *type,
		 const char *help)
{
	fprintf(f, "# HELP leakmon_%s %s\n# TYPE leakmon_%s %s\n", name, help,
		name, type);
}

static void put_double(FILE *f, double v)
{
	fprintf(f, " %.17g\n", v);
}

static void kind_metric(FILE *f, const struct lm_totals *t, const char *name,
			const char *type, const char *help,
			uint64_t (*get)(const struct lm_kind_totals *))
{
	meta(f, name, type, help);
	for (unsigned int k = 0; k < LM_NKINDS; k++)
		if (t->kind[k].present)
			fprintf(f, "leakmon_%s{kind=\"%s\"} %" PRIu64 "\n", name,
				lm_kind_name(k), get(&t->kind[k]));
}

static uint64_t k_live(const struct lm_kind_totals *k) { return k->live; }
/* the kernel's ORPHANS attribute: live objects of exited owners */
static uint64_t k_exited(const struct lm_kind_totals *k) { return k->orphans; }
static uint64_t k_observed(const struct lm_kind_totals *k) { return k->observed; }
static uint64_t k_freed(const struct lm_kind_totals *k) { return k->freed; }
static uint64_t k_enabled(const struct lm_kind_totals *k) { return k->enabled; }
static uint64_t k_missed(const struct lm_kind_totals *k)
{
	return k->missed_alloc + k->missed_free + k->missed_handover;
}

static void owner_labels(FILE *f, const struct top_row *w, bool by_uid)
{
	char num[32], user[64];
	uint32_t uid;

	if (!w) {
		if (by_uid)
			fputs("{uid=\"other\",user=\"other\"}", f);
		else
			fputs("{tgid=\"other\",comm=\"other\",uid=\"other\",state=\"other\",user=\"other\"}",
			      f);
		return;
	}
	uid = by_uid ? (uint32_t)w->key : w->owner->uid;
	snprintf(num, sizeof(num), "%" PRIu32, uid);
	if (by_uid) {
		fprintf(f, "{uid=\"%s\",user=", num);
	} else {
		fprintf(f, "{tgid=\"%" PRIu64 "\",comm=", w->key);
		prom_label_value(f, w->owner->comm);
		fprintf(f, ",uid=\"%s\",state=\"%s\",user=", num,
			lm_owner_state(w->owner));
	}
	prom_label_value(f, user_name(uid, user, sizeof(user)) ? user : num);
	fputc('}', f);
}

/*
 * The owner (or uid) rows: live objects, those of exited owners, and the
 * unreachable (leaked) ones at the last pass, the last only for the rows a
 * pass has judged (the family is absent before the first pass).
 */
static void owner_metrics(FILE *f, const struct lm_owners *o, bool by_uid,
			  unsigned int topk)
{
	static const char *const value[] = { "live", "exited", "unreachable" };
	static const char *const help_of[] = {
		"Live objects of",
		"Live objects of exited owners among",
		"Unreachable (leaked) objects at the last reachability pass of",
	};
	const char *what = by_uid ? "uid" : "owner";
	struct top_rows r;
	uint64_t other_v[3] = { 0 };
	bool *sel, other = false, other_scanned = false, scanned = false;
	char name[64], help[256];

	if (mon_rows(o, by_uid, topk, &r, &sel))
		return;
	for (size_t i = 0; i < r.n; i++) {
		const struct top_row *w = &r.row[i];

		scanned |= w->scanned;
		if (sel[i])
			continue;
		other = true;
		other_scanned |= w->scanned;
		other_v[0] += w->live_total;
		other_v[1] += w->exited;
		other_v[2] += w->unreachable;
	}
	for (unsigned int pass = 0; pass < 3; pass++) {
		if (pass == 2 && !scanned)
			break;
		snprintf(name, sizeof(name), "%s_%s_objects", what,
			 value[pass]);
		snprintf(help, sizeof(help),
			 "%s the top %s (by live objects, and by unreachable then exited-owner objects); the rest in \"other\"",
			 help_of[pass], by_uid ? "users" : "processes");
		meta(f, name, "gauge", help);
		for (size_t i = 0; i < r.n; i++) {
			const struct top_row *w = &r.row[i];
			const uint64_t v[3] = { w->live_total, w->exited,
						w->unreachable };

			if (!sel[i] || (pass == 2 && !w->scanned))
				continue;
			fprintf(f, "leakmon_%s", name);
			owner_labels(f, w, by_uid);
			fprintf(f, " %" PRIu64 "\n", v[pass]);
		}
		if (other && (pass < 2 || other_scanned)) {
			fprintf(f, "leakmon_%s", name);
			owner_labels(f, NULL, by_uid);
			fprintf(f, " %" PRIu64 "\n", other_v[pass]);
		}
	}
	free(sel);
	top_rows_free(&r);
}

void prom_write(FILE *f, const struct mon *m, unsigned int topk)
{
	const struct growth_fit *g = &m->fit;
	const struct lm_totals *t = &m->t;
	char why[512];
	double pct;
	bool inc = false;

	meta(f, "up", "gauge",
	     "1 if the leakmon module answered, else 0 (and no module metrics)");
	fprintf(f, "leakmon_up %d\n", m->totals_rc == EXIT_OK);

	if (!m->meminfo_err) {
		meta(f, "slab_bytes", "gauge",
		     "Slab memory from /proc/meminfo: SUnreclaim (unreclaimable) and SReclaimable (reclaimable)");
		fprintf(f, "leakmon_slab_bytes{type=\"unreclaimable\"} %" PRIu64
			"\n", m->m.sunreclaim_kb * 1024);
		if (m->m.has_sreclaimable)
			fprintf(f, "leakmon_slab_bytes{type=\"reclaimable\"} %"
				PRIu64 "\n", m->m.sreclaimable_kb * 1024);
	}
	meta(f, "slab_growth_samples", "gauge",
	     "Samples in the slab growth window");
	fprintf(f, "leakmon_slab_growth_samples %zu\n", g->samples);
	meta(f, "slab_growth_window_seconds", "gauge",
	     "Time spanned by the samples in the slab growth window");
	fprintf(f, "leakmon_slab_growth_window_seconds");
	put_double(f, g->span_s);
	if (g->ok) {
		meta(f, "slab_growth_bytes_per_hour", "gauge",
		     "Least-squares slope of slab memory over the window");
		fprintf(f, "leakmon_slab_growth_bytes_per_hour{type=\"unreclaimable\"}");
		put_double(f, g->sunreclaim_per_h);
		fprintf(f, "leakmon_slab_growth_bytes_per_hour{type=\"reclaimable\"}");
		put_double(f, g->sreclaimable_per_h);
	}
	if (growth_explained(g, &pct, why, sizeof(why))) {
		meta(f, "slab_growth_explained_ratio", "gauge",
		     "Share of the slab growth that tracked objects explain (0..1)");
		fprintf(f, "leakmon_slab_growth_explained_ratio");
		put_double(f, pct / 100);
	}
	if (m->totals_rc != EXIT_OK)
		return;

	meta(f, "owners", "gauge", "Owners listed (processes with live objects)");
	fprintf(f, "leakmon_owners %" PRIu32 "\n", t->owners);
	meta(f, "owners_exited", "gauge", "Owners whose process has exited");
	fprintf(f, "leakmon_owners_exited %" PRIu32 "\n", t->owners_exited);
	meta(f, "objects", "gauge", "Entries in the object table");
	fprintf(f, "leakmon_objects %" PRIu64 "\n", t->objects);
	kind_metric(f, t, "kind_enabled", "gauge",
		    "1 if the kind's probes are registered", k_enabled);
	kind_metric(f, t, "live_objects", "gauge", "Tracked live objects",
		    k_live);
	kind_metric(f, t, "exited_owner_objects", "gauge",
		    "Live objects of exited owners (informational; leaks: unreachable_objects)",
		    k_exited);
	kind_metric(f, t, "allocations_total", "counter",
		    "Allocations observed since the last reset", k_observed);
	kind_metric(f, t, "frees_total", "counter",
		    "Frees of tracked objects since the last reset", k_freed);
	kind_metric(f, t, "untracked_total", "counter",
		    "Allocations not tracked since the last reset", kind_untracked);
	kind_metric(f, t, "probe_misses_total", "counter",
		    "Allocations and releases the probes missed since the last reset",
		    k_missed);
	meta(f, "object_size_bytes", "gauge",
	     "Bytes per object; source: kernel (ksize() in the module), slab (/sys/kernel/slab) or unknown (0)");
	for (unsigned int k = 0; k < LM_NKINDS; k++)
		if (t->kind[k].present)
			fprintf(f, "leakmon_object_size_bytes{kind=\"%s\",source=\"%s\"} %"
				PRIu32 "\n", lm_kind_name(k),
				mon_size_src_name(m->kb[k].src),
				m->kb[k].obj_size);
	meta(f, "tracked_bytes", "gauge",
	     "Bytes held by live tracked objects, by the slab memory they count in");
	for (unsigned int k = 0; k < LM_NKINDS; k++) {
		if (!t->kind[k].present)
			continue;
		fprintf(f, "leakmon_tracked_bytes{kind=\"%s\",type=\"%s\"} %"
			PRIu64 "\n", lm_kind_name(k),
			m->kb[k].reclaimable ? "reclaimable" : "unreclaimable",
			m->kb[k].bytes);
	}
	for (unsigned int k = 0; k < LM_NKINDS; k++)
		if (t->kind[k].present &&
		    kind_incomplete(&t->kind[k], why, sizeof(why)))
			inc = true;
	meta(f, "tracking_incomplete", "gauge",
	     "1 if allocations went untracked or probes missed events");
	fprintf(f, "leakmon_tracking_incomplete %d\n", inc);
	if (t->scan.present) {
		const struct lm_scan *sc = &t->scan;

		meta(f, "unreachable_objects", "gauge",
		     "Leaked objects at the last reachability pass: nothing holds them");
		for (unsigned int k = 0; k < LM_NKINDS; k++)
			if (sc->kind[k].present)
				fprintf(f, "leakmon_unreachable_objects{kind=\"%s\"} %"
					PRIu64 "\n", lm_kind_name(k),
					sc->kind[k].unreachable);
		meta(f, "scan_age_seconds", "gauge",
		     "Seconds since the last reachability pass ended");
		fprintf(f, "leakmon_scan_age_seconds %" PRIu64 "\n",
			(uint64_t)(scan_age_ns(sc, t->now_ns) / 1000000000U));
		meta(f, "scan_duration_seconds", "gauge",
		     "How long the last reachability pass took");
		fprintf(f, "leakmon_scan_duration_seconds");
		put_double(f, sc->duration_ns / 1e9);
		meta(f, "scan_max_step_seconds", "gauge",
		     "The longest stretch the last pass ran without offering the CPU");
		fprintf(f, "leakmon_scan_max_step_seconds");
		put_double(f, sc->max_step_ns / 1e9);
	}
	if (m->owners_rc == EXIT_OK) {
		owner_metrics(f, &m->o, false, topk);
		owner_metrics(f, &m->o, true, topk);
	}
}

/* ---- the command ---- */

static int write_atomic(const char *path, const char *data, size_t len)
{
	char tmp[4200];
	int fd, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	/* a new file: never one someone else left or linked there */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0) {
		fprintf(stderr, "leakmon: prometheus: cannot create %s: %s\n",
			tmp, strerror(errno));
		return EXIT_RUNTIME;
	}
	/* 0644 whatever the umask: node_exporter runs as another user */
	if (fchmod(fd, 0644) < 0)
		ret = -errno;
	while (!ret && len) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			ret = -errno;
			break;
		}
		data += w;
		len -= (size_t)w;
	}
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret) {
		fprintf(stderr, "leakmon: prometheus: cannot write %s: %s\n",
			path, strerror(-ret));
		unlink(tmp);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int cmd_prometheus(int argc, char **argv)
{
	struct mon_opts mo = { .window_s = GROWTH_DEFAULT_WINDOW_S,
			       .need_owners = true };
	uint64_t topk = MON_DEFAULT_TOPK;
	const char *output = NULL;
	char *out = NULL;
	size_t outlen = 0;
	struct mon m;
	FILE *mem;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:n:s:w:h", prom_opts,
				NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!*optarg)
				return cli_usage_error("prometheus",
						       "--output: empty file name");
			output = optarg;
			break;
		case 'n':
			rc = cli_parse_num("prometheus", "--limit", optarg, 1,
					   MON_MAX_TOPK, &topk);
			if (rc)
				return rc;
			break;
		case 's':
		case 'w':
		case 'S':
			rc = mon_parse_opt("prometheus", c, optarg, &mo);
			if (rc)
				return rc;
			break;
		case 'h':
			usage_prometheus(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("prometheus", c, argv);
		}
	}
	rc = cli_no_args("prometheus", argc, argv);
	if (rc)
		return rc;

	rc = mon_collect_report("prometheus", &m, &mo);
	if (rc)
		return rc;
	mem = open_memstream(&out, &outlen);
	if (!mem) {
		mon_free(&m);
		fprintf(stderr, "leakmon: prometheus: out of memory\n");
		return EXIT_RUNTIME;
	}
	prom_write(mem, &m, (unsigned int)topk);
	if (fclose(mem)) {
		rc = EXIT_RUNTIME;
	} else if (output && strcmp(output, "-")) {
		rc = write_atomic(output, out, outlen);
	} else {
		fwrite(out, 1, outlen, stdout);
		rc = fflush(stdout) ? EXIT_RUNTIME : EXIT_OK;
	}
	/* the metrics say leakmon_up 0; the exit code says why */
	if (!rc)
		rc = mon_module_error(&m);
	free(out);
	mon_free(&m);
	return rc;
}
