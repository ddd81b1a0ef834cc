// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon status: module totals, per-kind counters, slab memory.
 */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "status.h"

#define MEMINFO_PATH "/proc/meminfo"

void usage_status(FILE *f)
{
	fprintf(f,
		"Usage: leakmon status [--json]\n"
		"\n"
		"Show the module's version, object and owner tables, per kind the\n"
		"probes and counters (live, orphans, observed, tracked, untracked by\n"
		"reason, unknown frees, probe misses), and SUnreclaim/SReclaimable\n"
		"from /proc/meminfo.  A line starting 'warning: tracking incomplete'\n"
		"appears when allocations went untracked or probes missed events.\n"
		"\n"
		"  -j, --json   one JSON document on stdout (see Documentation/cli.md)\n"
		"  -h, --help   this text\n");
}

static const struct option status_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* ---- tracking completeness ---- */

static const char *kind_key(unsigned int id)
{
	return lm_kind_name(id);
}

uint64_t kind_untracked(const struct lm_kind_totals *k)
{
	return k->untracked_table_full + k->untracked_owners_full +
	       k->untracked_nomem;
}

static void append(char *buf, size_t size, const char *fmt, uint64_t v,
		   bool *first)
{
	size_t len = strlen(buf);

	if (!v || len >= size)
		return;
	snprintf(buf + len, size - len, "%s", *first ? "" : ", ");
	len = strlen(buf);
	snprintf(buf + len, size - len, fmt, v);
	*first = false;
}

bool kind_incomplete(const struct lm_kind_totals *k, char *buf, size_t size)
{
	bool first = true;
	char part[160];

	buf[0] = '\0';
	if (kind_untracked(k)) {
		bool f2 = true;

		part[0] = '\0';
		append(part, sizeof(part), "object table full %" PRIu64,
		       k->untracked_table_full, &f2);
		append(part, sizeof(part), "owner table full %" PRIu64,
		       k->untracked_owners_full, &f2);
		append(part, sizeof(part), "no memory %" PRIu64,
		       k->untracked_nomem, &f2);
		snprintf(buf, size, "%" PRIu64 " allocations untracked (%s)",
			 kind_untracked(k), part);
		first = false;
	}
	if (k->missed_alloc + k->missed_free) {
		size_t len = strlen(buf);

		snprintf(buf + len, size - len,
			 "%s%" PRIu64 " probe misses (alloc %" PRIu64 ", free %" PRIu64 ")",
			 first ? "" : ", ", k->missed_alloc + k->missed_free,
			 k->missed_alloc, k->missed_free);
		first = false;
	}
	append(buf, size, "%" PRIu64 " frees missed (address reused)",
	       k->replaced, &first);
	return !first;
}

/* ---- human output ---- */

static void print_bytes_kb(const char *label, bool has, uint64_t kb)
{
	char b[32];

	if (!has) {
		printf("  %s n/a", label);
		return;
	}
	fmt_bytes(b, sizeof(b), kb * 1024);
	printf("  %s %s", label, b);
}

static void print_kind(unsigned int id, const struct lm_kind_totals *k)
{
	const char *name = k->name[0] ? k->name : kind_key(id);

	if (!k->enabled) {
		printf("%-12s disabled%s%s\n", name,
		       k->disabled_reason[0] ? ": " : "", k->disabled_reason);
		if (!k->live && !k->observed)
			return;
	} else {
		printf("%-12s enabled, alloc probe %s, free probe %s\n", name,
		       k->alloc_probe[0] ? k->alloc_probe : "?",
		       k->free_probe[0] ? k->free_probe : "?");
	}
	printf("  live %" PRIu64 ", orphans %" PRIu64 "\n", k->live, k->orphans);
	printf("  observed %" PRIu64 ": tracked %" PRIu64 ", untracked %" PRIu64
	       " (table full %" PRIu64 ", owners full %" PRIu64 ", nomem %" PRIu64 ")\n",
	       k->observed, k->tracked, kind_untracked(k),
	       k->untracked_table_full, k->untracked_owners_full,
	       k->untracked_nomem);
	printf("  freed %" PRIu64 ", unknown frees %" PRIu64 ", replaced %" PRIu64
	       "\n", k->freed, k->unknown_frees, k->replaced);
	printf("  probe misses: alloc %" PRIu64 ", free %" PRIu64 "\n",
	       k->missed_alloc, k->missed_free);
}

static void print_limit(const struct lm_config *c, uint32_t bit, uint32_t v)
{
	if (c->present & bit)
		printf(", limit %" PRIu32, v);
}

static void status_human(const struct lm_totals *t, uint32_t genl_version,
			 const struct meminfo *m)
{
	const struct lm_config *c = &t->config;
	char since[32], why[512];

	printf("leakmon %s, module %s (genetlink v%" PRIu32 ")\n",
	       LEAKMON_VERSION, t->version[0] ? t->version : "?", genl_version);
	fmt_duration(since, sizeof(since),
		     t->now_ns > t->reset_ns ? t->now_ns - t->reset_ns : 0);
	printf("counters     since reset %s ago\n", since);
	printf("objects      %" PRIu64, t->objects);
	print_limit(c, LM_CFG_MAX_OBJECTS, c->max_objects);
	if (c->present & LM_CFG_HASH_BUCKETS)
		printf(", hash buckets %" PRIu32, c->hash_buckets);
	printf("\nowners       %" PRIu32 " (%" PRIu32 " exited)", t->owners,
	       t->owners_exited);
	print_limit(c, LM_CFG_MAX_OWNERS, c->max_owners);
	if (c->present & LM_CFG_RESTRICT_READ)
		printf("\nreading      %s", c->restrict_read ?
		       "restricted to CAP_NET_ADMIN" : "unprivileged");
	printf("\nslab memory ");
	print_bytes_kb("SUnreclaim", m->has_sunreclaim, m->sunreclaim_kb);
	print_bytes_kb("SReclaimable", m->has_sreclaimable, m->sreclaimable_kb);
	printf("\n\n");

	for (unsigned int id = 0; id < LM_NKINDS; id++)
		if (t->kind[id].present)
			print_kind(id, &t->kind[id]);

	for (unsigned int id = 0; id < LM_NKINDS; id++) {
		const struct lm_kind_totals *k = &t->kind[id];

		if (k->present && kind_incomplete(k, why, sizeof(why)))
			printf("warning: tracking incomplete: %s: %s\n",
			       kind_key(id), why);
	}
}

/* ---- JSON output ---- */

void json_config(struct json *j, const char *key, const struct lm_config *c)
{
	json_obj_open(j, key);
	if (c->present & LM_CFG_MAX_OBJECTS)
		json_u64(j, "max_objects", c->max_objects);
	else
		json_null(j, "max_objects");
	if (c->present & LM_CFG_MAX_OWNERS)
		json_u64(j, "max_owners", c->max_owners);
	else
		json_null(j, "max_owners");
	if (c->present & LM_CFG_RESTRICT_READ)
		json_bool(j, "restrict_read", c->restrict_read);
	else
		json_null(j, "restrict_read");
	if (c->present & LM_CFG_HASH_BUCKETS)
		json_u64(j, "hash_buckets", c->hash_buckets);
	else
		json_null(j, "hash_buckets");
	json_obj_close(j);
}

static void json_opt_str(struct json *j, const char *key, const char *s)
{
	json_str(j, key, s[0] ? s : NULL);
}

static void json_kind(struct json *j, unsigned int id,
		      const struct lm_kind_totals *k)
{
	json_obj_open(j, kind_key(id));
	json_u64(j, "id", id);
	json_opt_str(j, "name", k->name);
	json_bool(j, "enabled", k->enabled);
	json_opt_str(j, "alloc_probe", k->alloc_probe);
	json_opt_str(j, "free_probe", k->free_probe);
	json_opt_str(j, "disabled_reason", k->disabled_reason);
	json_u64(j, "live", k->live);
	json_u64(j, "orphans", k->orphans);
	json_u64(j, "observed", k->observed);
	json_u64(j, "tracked", k->tracked);
	json_u64(j, "freed", k->freed);
	json_u64(j, "untracked", kind_untracked(k));
	json_u64(j, "untracked_table_full", k->untracked_table_full);
	json_u64(j, "untracked_owners_full", k->untracked_owners_full);
	json_u64(j, "untracked_nomem", k->untracked_nomem);
	json_u64(j, "unknown_frees", k->unknown_frees);
	json_u64(j, "replaced", k->replaced);
	json_u64(j, "missed_alloc", k->missed_alloc);
	json_u64(j, "missed_free", k->missed_free);
	json_obj_close(j);
}

static void json_meminfo(struct json *j, const struct meminfo *m)
{
	json_obj_open(j, "meminfo");
	if (m->has_sunreclaim)
		json_u64(j, "sunreclaim_bytes", m->sunreclaim_kb * 1024);
	else
		json_null(j, "sunreclaim_bytes");
	if (m->has_sreclaimable)
		json_u64(j, "sreclaimable_bytes", m->sreclaimable_kb * 1024);
	else
		json_null(j, "sreclaimable_bytes");
	json_obj_close(j);
}

static void status_json(const struct lm_totals *t, uint32_t genl_version,
			const struct meminfo *m)
{
	uint64_t since = t->now_ns > t->reset_ns ? t->now_ns - t->reset_ns : 0;
	bool incomplete = false;
	char why[512];
	struct json j;

	json_init(&j, stdout);
	json_obj_open(&j, NULL);
	json_str(&j, "cli_version", LEAKMON_VERSION);
	json_opt_str(&j, "module_version", t->version);
	json_u64(&j, "genl_version", genl_version);
	json_u64(&j, "now_ns", t->now_ns);
	json_u64(&j, "reset_ns", t->reset_ns);
	json_u64(&j, "since_reset_s", since / 1000000000ULL);
	json_u64(&j, "objects", t->objects);
	json_u64(&j, "owners", t->owners);
	json_u64(&j, "owners_exited", t->owners_exited);
	json_config(&j, "config", &t->config);

	json_obj_open(&j, "kinds");
	for (unsigned int id = 0; id < LM_NKINDS; id++)
		if (t->kind[id].present)
			json_kind(&j, id, &t->kind[id]);
	json_obj_close(&j);

	json_meminfo(&j, m);

	json_arr_open(&j, "warnings");
	for (unsigned int id = 0; id < LM_NKINDS; id++) {
		char line[600];

		if (!t->kind[id].present ||
		    !kind_incomplete(&t->kind[id], why, sizeof(why)))
			continue;
		snprintf(line, sizeof(line), "tracking incomplete: %s: %s",
			 kind_key(id), why);
		json_str(&j, NULL, line);
		incomplete = true;
	}
	json_arr_close(&j);
	json_bool(&j, "tracking_incomplete", incomplete);
	json_obj_close(&j);
	json_finish(&j);
}

int cmd_status(int argc, char **argv)
{
	struct lm_handle *h;
	struct lm_totals t;
	struct meminfo m;
	bool json = false;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", status_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage_status(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("status", c, argv);
		}
	}
	ret = cli_no_args("status", argc, argv);
	if (ret)
		return ret;

	ret = cli_open(&h);
	if (ret)
		return ret;
	ret = lm_get_totals(h, &t);
	if (ret != LM_OK) {
		ret = cli_fail("get totals", ret, lm_last_error(h));
		lm_close(h);
		return ret;
	}
	read_meminfo(MEMINFO_PATH, &m);
	if (json)
		status_json(&t, lm_family(h)->version, &m);
	else
		status_human(&t, lm_family(h)->version, &m);
	lm_close(h);
	return EXIT_OK;
}
