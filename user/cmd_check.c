// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon check KEY [ARG]: one value for a monitoring system (Zabbix
 * UserParameter or external check, Nagios-style scripts).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "monitor.h"
#include "status.h"
#include "top_model.h"

#define M	CHECK_NEED_MEMINFO
#define T	CHECK_NEED_TOTALS
#define O	(CHECK_NEED_TOTALS | CHECK_NEED_OWNERS)
#define G	CHECK_NEED_GROWTH
#define A	CHECK_NEED_ARG

const struct check_key check_keys[] = {
	{ "sunreclaim", M, NULL, "bytes", "SUnreclaim of /proc/meminfo" },
	{ "sreclaimable", M, NULL, "bytes", "SReclaimable of /proc/meminfo" },
	{ "slab.growth", G, NULL, "bytes/hour",
	  "slope of SUnreclaim + SReclaimable" },
	{ "slab.growth.unreclaimable", G, NULL, "bytes/hour",
	  "slope of SUnreclaim" },
	{ "slab.growth.reclaimable", G, NULL, "bytes/hour",
	  "slope of SReclaimable" },
	{ "slab.growth.window", 0, NULL, "seconds",
	  "time spanned by the window's samples" },
	{ "slab.growth.samples", 0, NULL, "count", "samples in the window" },
	{ "explained", G | T, NULL, "percent",
	  "% of slab growth from tracked objects" },
	{ "live", T, NULL, "objects", "live objects, all kinds" },
	{ "live.sock", T, NULL, "objects", "live socket inodes" },
	{ "live.blob", T, NULL, "objects", "live LSM blobs (file + socket)" },
	{ "live.fblob", T, NULL, "objects", "live LSM file blobs" },
	{ "live.skblob", T, NULL, "objects", "live LSM socket blobs" },
	{ "unreachable", T, NULL, "objects",
	  "leaked: nothing holds them (last pass)" },
	{ "exited", T, NULL, "objects", "live objects of exited owners" },
	{ "owners", T, NULL, "count", "owners listed" },
	{ "owners.exited", T, NULL, "count", "owners whose process exited" },
	{ "untracked", T, NULL, "count",
	  "allocations not tracked (since reset)" },
	{ "incomplete", T, NULL, "0|1", "1 if tracking is incomplete" },
	{ "disabled", T, NULL, "count", "kinds not tracked (probes off)" },
	{ "tracked.bytes", T, NULL, "bytes", "bytes held by live objects" },
	{ "tracked.bytes.reclaimable", T, NULL, "bytes",
	  "of which in SReclaimable (sock inodes)" },
	{ "tracked.bytes.unreclaimable", T, NULL, "bytes",
	  "of which in SUnreclaim (LSM blobs)" },
	{ "top.live", O, NULL, "objects", "live objects of the largest owner" },
	{ "top.owner", O, NULL, "text", "name (comm) of the largest owner" },
	{ "owner.live", O | A, "TGID", "objects",
	  "live objects of the process TGID" },
	{ "uid.live", O | A, "UID", "objects", "live objects of a user" },
	{ "owner.unreachable", O | A, "TGID", "objects",
	  "leaked objects of TGID (last pass)" },
	{ "uid.unreachable", O | A, "UID", "objects",
	  "leaked objects of a user (last pass)" },
	{ "owner.exited", O | A, "TGID", "objects",
	  "live objects of TGID if it exited" },
	{ "uid.exited", O | A, "UID", "objects",
	  "live objects of a user's exited owners" },
	{ "discovery.owners", O, NULL, "JSON",
	  "Zabbix discovery of the top owners" },
	{ "discovery.uids", O, NULL, "JSON",
	  "Zabbix discovery of the top users" },
};

const size_t check_nkeys = sizeof(check_keys) / sizeof(check_keys[0]);

#undef M
#undef T
#undef O
#undef G
#undef A

const struct check_key *check_find(const char *name)
{
	for (size_t i = 0; i < check_nkeys; i++)
		if (!strcmp(check_keys[i].name, name))
			return &check_keys[i];
	return NULL;
}

/*
 * Keys of earlier versions: "orphans" counted the live objects of exited
 * owners, now "exited"; the leaks are "unreachable".  The old names are
 * refused (with the new ones) rather than kept as aliases: a monitoring
 * item on them would go on alerting on what is no leak.
 */
const char *check_renamed(const char *name)
{
	static const struct {
		const char *old, *msg;
	} renamed[] = {
		{ "orphans", "'orphans' was renamed: 'unreachable' counts "
		  "leaked objects, 'exited' the live objects of exited owners" },
		{ "owner.orphans", "'owner.orphans' was renamed: "
		  "'owner.unreachable' counts leaked objects, 'owner.exited' "
		  "the live objects of an exited process" },
		{ "uid.orphans", "'uid.orphans' was renamed: 'uid.unreachable' "
		  "counts leaked objects, 'uid.exited' the live objects of "
		  "exited processes" },
	};

	for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++)
		if (!strcmp(renamed[i].old, name))
			return renamed[i].msg;
	return NULL;
}

void usage_check(FILE *f)
{
	fprintf(f,
		"Usage: leakmon check [--state FILE] [--window SECONDS] [--no-sample]\n"
		"                     [-n N] KEY [ARG]\n"
		"       leakmon check --list\n"
		"\n"
		"Print one value for a monitoring system and exit 0, or print nothing\n"
		"on stdout and exit non-zero with the reason on stderr.  Exit 7: no\n"
		"value yet (too few samples for a slope, slab not growing).  Every run\n"
		"adds a slab sample to the state file when the newest is at least %d s\n"
		"old, so a poll every minute builds the growth series.\n"
		"\n"
		"  -s, --state FILE       the growth state file (default $LEAKMON_STATE,\n"
		"                         else /run/leakmon/growth as root, else\n"
		"                         ${XDG_RUNTIME_DIR:-/tmp}/leakmon-UID/growth)\n"
		"  -w, --window SECONDS   fit the slope over this window (%d..%d,\n"
		"                         default %d)\n"
		"  --no-sample            read the state file, add no sample\n"
		"  -n, --limit N          owners and users discovered (1..%d, default %d)\n"
		"  -l, --list             list the keys\n"
		"  -h, --help             this text\n",
		GROWTH_MIN_INTERVAL_MS / 1000, GROWTH_MIN_WINDOW_S,
		GROWTH_MAX_WINDOW_S, GROWTH_DEFAULT_WINDOW_S, MON_MAX_TOPK,
		MON_DEFAULT_TOPK);
}

static const struct option check_opts[] = {
	{ "state",	required_argument,	NULL, 's' },
	{ "window",	required_argument,	NULL, 'w' },
	{ "no-sample",	no_argument,		NULL, 'S' },
	{ "limit",	required_argument,	NULL, 'n' },
	{ "list",	no_argument,		NULL, 'l' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void list_keys(FILE *f)
{
	for (size_t i = 0; i < check_nkeys; i++) {
		const struct check_key *k = &check_keys[i];
		char name[40];

		snprintf(name, sizeof(name), "%s%s%s", k->name,
			 k->arg ? " " : "", k->arg ? k->arg : "");
		fprintf(f, "%-28s %-10s %s\n", name, k->unit, k->help);
	}
}

/* ---- values ---- */

static void put_u64(FILE *f, uint64_t v)
{
	fprintf(f, "%" PRIu64 "\n", v);
}

static void put_rate_per_h(FILE *f, double v)
{
	/* whole bytes per hour; never "-0" */
	double r = round(v);

	fprintf(f, "%.0f\n", r == 0 ? 0.0 : r);
}

/* The comm, printable (one line, no control characters) */
static void put_comm(FILE *f, const char *comm)
{
	for (const char *p = comm; *p; p++)
		fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, f);
	fputc('\n', f);
}

static int growth_error(const struct mon *m, char *err, size_t errsize)
{
	if (m->state_err)
		snprintf(err, errsize, "no slab growth figure: %s; %s",
			 m->fit.why, m->state_msg);
	else
		snprintf(err, errsize, "no slab growth figure: %s", m->fit.why);
	return EXIT_NODATA;
}

struct owner_sum {
	uint64_t live;
	uint64_t exited;
	uint64_t unreachable;
};

static void owner_sums(const struct lm_owners *o, bool by_uid, uint64_t id,
		       struct owner_sum *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (size_t i = 0; i < o->n; i++) {
		const struct lm_owner *w = &o->owner[i];
		uint64_t l;

		if ((by_uid ? w->uid : w->tgid) != id)
			continue;
		l = lm_owner_live(w);
		sum->live += l;
		if (w->exited)
			sum->exited += l;
		for (unsigned int k = 0; k < LM_NKINDS; k++)
			sum->unreachable += w->kind[k].unreachable;
	}
}

/* Unreachable objects need a pass: none yet is "no value yet". */
static bool no_pass(const struct lm_totals *t, char *err, size_t errsize)
{
	if (t->scan.present)
		return false;
	snprintf(err, errsize, "no reachability pass yet (the module passes "
		 "every scan_interval seconds; 'leakmon scan' runs one)");
	return true;
}

/* One LLD macro {#NAME} of a discovery row */
static void lld_macro(struct json *j, const char *name, const char *value)
{
	char key[32];

	snprintf(key, sizeof(key), "{#%s}", name);
	json_str(j, key, value);
}

static int discovery(FILE *f, const struct mon *m, bool by_uid,
		     unsigned int topk, char *err, size_t errsize)
{
	struct top_rows r;
	struct json j;
	bool *sel;
	char user[64], num[32];

	if (mon_rows(&m->o, by_uid, topk, &r, &sel)) {
		snprintf(err, errsize, "out of memory");
		return EXIT_RUNTIME;
	}
	json_init(&j, f);
	json_arr_open(&j, NULL);
	for (size_t i = 0; i < r.n; i++) {
		const struct top_row *w = &r.row[i];
		uint32_t uid = by_uid ? (uint32_t)w->key : w->owner->uid;

		if (!sel[i])
			continue;
		json_obj_open(&j, NULL);
		if (!by_uid) {
			snprintf(num, sizeof(num), "%" PRIu64, w->key);
			lld_macro(&j, "TGID", num);
			lld_macro(&j, "COMM", w->owner->comm);
			lld_macro(&j, "STATE", lm_owner_state(w->owner));
		}
		snprintf(num, sizeof(num), "%" PRIu32, uid);
		lld_macro(&j, "UID", num);
		lld_macro(&j, "USER", user_name(uid, user, sizeof(user)) ?
			 user : num);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_finish(&j);
	free(sel);
	top_rows_free(&r);
	return EXIT_OK;
}

static int top_value(FILE *f, const struct mon *m, bool name, char *err,
		     size_t errsize)
{
	struct top_rows r;

	if (top_build(&m->o, NULL, 0, TOP_BY_TASK, &r)) {
		snprintf(err, errsize, "out of memory");
		return EXIT_RUNTIME;
	}
	top_sort(&r, TOP_SORT_LIVE);
	if (name)
		put_comm(f, r.n ? r.row[0].owner->comm : "");
	else
		put_u64(f, r.n ? r.row[0].live_total : 0);
	top_rows_free(&r);
	return EXIT_OK;
}

static uint64_t kind_live(const struct lm_totals *t, unsigned int k)
{
	return t->kind[k].present ? t->kind[k].live : 0;
}

int check_value(FILE *f, const struct mon *m, const struct check_key *key,
		uint64_t arg, unsigned int topk, char *err, size_t errsize)
{
	const struct lm_totals *t = &m->t;
	const struct growth_fit *g = &m->fit;
	const char *n = key->name;
	struct owner_sum sum;
	double pct;

	if ((key->need & CHECK_NEED_MEMINFO) && m->meminfo_err) {
		snprintf(err, errsize, "cannot read SUnreclaim/SReclaimable: %s",
			 strerror(-m->meminfo_err));
		return EXIT_RUNTIME;
	}
	if ((key->need & CHECK_NEED_GROWTH) && !g->ok)
		return growth_error(m, err, errsize);

	if (!strcmp(n, "sunreclaim"))
		put_u64(f, m->m.sunreclaim_kb * 1024);
	else if (!strcmp(n, "sreclaimable"))
		put_u64(f, m->m.sreclaimable_kb * 1024);
	else if (!strcmp(n, "slab.growth"))
		put_rate_per_h(f, g->slab_per_h);
	else if (!strcmp(n, "slab.growth.unreclaimable"))
		put_rate_per_h(f, g->sunreclaim_per_h);
	else if (!strcmp(n, "slab.growth.reclaimable"))
		put_rate_per_h(f, g->sreclaimable_per_h);
	else if (!strcmp(n, "slab.growth.window"))
		put_u64(f, (uint64_t)llround(g->span_s));
	else if (!strcmp(n, "slab.growth.samples"))
		put_u64(f, g->samples);
	else if (!strcmp(n, "explained")) {
		if (!growth_explained(g, &pct, err, errsize))
			return EXIT_NODATA;
		fprintf(f, "%.1f\n", pct);
	} else if (!strcmp(n, "live"))
		put_u64(f, mon_live(t));
	else if (!strcmp(n, "live.sock"))
		put_u64(f, kind_live(t, LEAKMON_KIND_SOCK_INODE));
	else if (!strcmp(n, "live.blob"))
		put_u64(f, kind_live(t, LEAKMON_KIND_FILE_BLOB) +
			   kind_live(t, LEAKMON_KIND_SK_BLOB));
	else if (!strcmp(n, "live.fblob"))
		put_u64(f, kind_live(t, LEAKMON_KIND_FILE_BLOB));
	else if (!strcmp(n, "live.skblob"))
		put_u64(f, kind_live(t, LEAKMON_KIND_SK_BLOB));
	else if (!strcmp(n, "exited"))
		put_u64(f, mon_exited(t));
	else if (!strcmp(n, "unreachable")) {
		if (no_pass(t, err, errsize))
			return EXIT_NODATA;
		put_u64(f, scan_unreachable(&t->scan));
	}
	else if (!strcmp(n, "owners"))
		put_u64(f, t->owners);
	else if (!strcmp(n, "owners.exited"))
		put_u64(f, t->owners_exited);
	else if (!strcmp(n, "untracked"))
		put_u64(f, mon_untracked(t));
	else if (!strcmp(n, "incomplete")) {
		char why[512];
		bool inc = false;

		for (unsigned int k = 0; k < LM_NKINDS; k++)
			if (t->kind[k].present &&
			    kind_incomplete(&t->kind[k], why, sizeof(why)))
				inc = true;
		put_u64(f, inc);
	} else if (!strcmp(n, "disabled")) {
		uint64_t off = 0;

		for (unsigned int k = 0; k < LM_NKINDS; k++)
			off += t->kind[k].present && !t->kind[k].enabled;
		put_u64(f, off);
	} else if (!strcmp(n, "tracked.bytes"))
		put_u64(f, m->tracked_recl + m->tracked_unrecl);
	else if (!strcmp(n, "tracked.bytes.reclaimable"))
		put_u64(f, m->tracked_recl);
	else if (!strcmp(n, "tracked.bytes.unreclaimable"))
		put_u64(f, m->tracked_unrecl);
	else if (!strcmp(n, "top.live"))
		return top_value(f, m, false, err, errsize);
	else if (!strcmp(n, "top.owner"))
		return top_value(f, m, true, err, errsize);
	else if (!strncmp(n, "owner.", 6) || !strncmp(n, "uid.", 4)) {
		bool by_uid = n[0] == 'u';
		const char *what = strchr(n, '.') + 1;

		if (!strcmp(what, "unreachable") && no_pass(t, err, errsize))
			return EXIT_NODATA;
		owner_sums(&m->o, by_uid, arg, &sum);
		put_u64(f, !strcmp(what, "live") ? sum.live :
			   !strcmp(what, "exited") ? sum.exited :
			   sum.unreachable);
	} else if (!strcmp(n, "discovery.owners"))
		return discovery(f, m, false, topk, err, errsize);
	else if (!strcmp(n, "discovery.uids"))
		return discovery(f, m, true, topk, err, errsize);
	else {
		snprintf(err, errsize, "key '%s' has no value", n);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* ---- the command ---- */

int cmd_check(int argc, char **argv)
{
	struct mon_opts mo = { .window_s = GROWTH_DEFAULT_WINDOW_S };
	const struct check_key *key;
	uint64_t arg = 0, topk = MON_DEFAULT_TOPK;
	char err[4600];
	char *out = NULL;
	size_t outlen = 0;
	FILE *mem;
	struct mon m;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:w:n:lh", check_opts,
				NULL)) != -1) {
		switch (c) {
		case 's':
		case 'w':
		case 'S':
			rc = mon_parse_opt("check", c, optarg, &mo);
			if (rc)
				return rc;
			break;
		case 'n':
			rc = cli_parse_num("check", "--limit", optarg, 1,
					   MON_MAX_TOPK, &topk);
			if (rc)
				return rc;
			break;
		case 'l':
			list_keys(stdout);
			return EXIT_OK;
		case 'h':
			usage_check(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("check", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("check",
				       "no KEY given ('leakmon check --list' lists them)");
	key = check_find(argv[optind]);
	if (!key && check_renamed(argv[optind]))
		return cli_renamed("check", "%s", check_renamed(argv[optind]));
	if (!key)
		return cli_usage_error("check",
				       "unknown key '%s' ('leakmon check --list' lists them)",
				       argv[optind]);
	optind++;
	if (key->arg) {
		if (optind >= argc)
			return cli_usage_error("check", "%s needs %s",
					       key->name, key->arg);
		rc = cli_parse_num("check", key->arg, argv[optind], 0,
				   UINT32_MAX, &arg);
		if (rc)
			return rc;
		optind++;
	}
	rc = cli_no_args("check", argc, argv);
	if (rc)
		return rc;

	mo.need_owners = key->need & CHECK_NEED_OWNERS;
	if (mon_collect(&m, &mo)) {
		fprintf(stderr, "leakmon: check: out of memory\n");
		return EXIT_RUNTIME;
	}
	if ((key->need & CHECK_NEED_TOTALS) && m.totals_rc) {
		rc = mon_module_error(&m);
		goto out;
	}
	if ((key->need & CHECK_NEED_OWNERS) && m.owners_rc) {
		rc = mon_module_error(&m);
		goto out;
	}
	/* nothing on stdout unless the whole value was made */
	mem = open_memstream(&out, &outlen);
	if (!mem) {
		fprintf(stderr, "leakmon: check: out of memory\n");
		rc = EXIT_RUNTIME;
		goto out;
	}
	err[0] = '\0';
	rc = check_value(mem, &m, key, arg, (unsigned int)topk, err,
			 sizeof(err));
	fclose(mem);
	if (rc == EXIT_OK) {
		fwrite(out, 1, outlen, stdout);
	} else {
		fprintf(stderr, "leakmon: check %s: %s\n", key->name, err);
		if (m.state_warn[0] && (key->need & CHECK_NEED_GROWTH))
			fprintf(stderr, "leakmon: check: note: %s\n",
				m.state_warn);
	}
	free(out);
out:
	mon_free(&m);
	return rc;
}
