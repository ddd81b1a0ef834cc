// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon status: module totals, per-kind counters, slab memory.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
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
		"probes and counters (live, of exited owners, observed, tracked,\n"
		"untracked by reason, unknown frees, probe misses), the last\n"
		"reachability pass, and SUnreclaim/SReclaimable\n"
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

/* Append ", " (unless first) and the formatted text to buf */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t size, bool *first, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len >= size)
		return;
	if (!*first) {
		snprintf(buf + len, size - len, ", ");
		len = strlen(buf);
	}
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	*first = false;
}

static void untracked_reasons(const struct lm_kind_totals *k, char *buf,
			      size_t size)
{
	bool first = true;

	buf[0] = '\0';
	if (k->untracked_table_full)
		append(buf, size, &first, "object table full %" PRIu64,
		       k->untracked_table_full);
	if (k->untracked_owners_full)
		append(buf, size, &first, "owner table full %" PRIu64,
		       k->untracked_owners_full);
	if (k->untracked_nomem)
		append(buf, size, &first, "no memory %" PRIu64,
		       k->untracked_nomem);
}

bool kind_incomplete(const struct lm_kind_totals *k, char *buf, size_t size)
{
	uint64_t missed = k->missed_alloc + k->missed_free + k->missed_handover;
	bool first = true;
	char why[160];

	buf[0] = '\0';
	if (kind_untracked(k)) {
		untracked_reasons(k, why, sizeof(why));
		append(buf, size, &first,
		       "%" PRIu64 " allocations untracked (%s)",
		       kind_untracked(k), why);
	}
	if (missed && k->missed_handover)
		append(buf, size, &first,
		       "%" PRIu64 " probe misses (alloc %" PRIu64 ", free %" PRIu64
		       ", handover %" PRIu64 ")", missed, k->missed_alloc,
		       k->missed_free, k->missed_handover);
	else if (missed)
		append(buf, size, &first,
		       "%" PRIu64 " probe misses (alloc %" PRIu64 ", free %" PRIu64 ")",
		       missed, k->missed_alloc, k->missed_free);
	if (k->replaced)
		append(buf, size, &first,
		       "%" PRIu64 " frees missed (address reused)", k->replaced);
	return !first;
}

/* ---- human output ---- */

static void print_bytes_kb(FILE *f, const char *label, bool has, uint64_t kb)
{
	char b[32];

	if (!has) {
		fprintf(f, "%s n/a", label);
		return;
	}
	fmt_bytes(b, sizeof(b), kb * 1024);
	fprintf(f, "%s %s", label, b);
}

/* Print text as lines of at most width columns, each starting with indent. */
static void print_wrapped(FILE *f, const char *indent, const char *text,
			  size_t width)
{
	size_t avail = width - strlen(indent);

	while (*text) {
		size_t len = strlen(text), cut = len;

		if (len > avail) {
			cut = avail;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (!cut)
				cut = avail;
		}
		fprintf(f, "%s%.*s\n", indent, (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

static void print_kind(FILE *f, unsigned int id, const struct lm_kind_totals *k)
{
	const char *name = k->name[0] ? k->name : kind_key(id);

	if (!k->enabled) {
		fprintf(f, "%-12s disabled%s%s\n", name,
			k->disabled_reason[0] ? ": " : "", k->disabled_reason);
		if (!k->live && !k->observed)
			return;
	} else {
		fprintf(f, "%-12s enabled\n", name);
		fprintf(f, "  %ss: alloc %s, free %s\n",
			k->mechanism[0] ? k->mechanism : "probe",
			k->alloc_probe[0] ? k->alloc_probe : "?",
			k->free_probe[0] ? k->free_probe : "?");
		if (k->handover_probe[0])
			fprintf(f, "  handover: %s, %" PRIu64 " handed over\n",
				k->handover_probe, k->handed_over);
	}
	fprintf(f, "  live %" PRIu64 ", %" PRIu64 " of exited owners", k->live,
		k->orphans);
	if (k->obj_size)
		fprintf(f, ", %" PRIu32 " bytes each", k->obj_size);
	fprintf(f, "\n");
	fprintf(f, "  observed %" PRIu64 ", tracked %" PRIu64 ", untracked %" PRIu64
		"\n", k->observed, k->tracked, kind_untracked(k));
	if (kind_untracked(k))
		fprintf(f, "  untracked: table full %" PRIu64 ", owners full %"
			PRIu64 ", nomem %" PRIu64 "\n", k->untracked_table_full,
			k->untracked_owners_full, k->untracked_nomem);
	fprintf(f, "  freed %" PRIu64 ", unknown frees %" PRIu64 ", replaced %" PRIu64
		"\n", k->freed, k->unknown_frees, k->replaced);
	fprintf(f, "  probe misses: alloc %" PRIu64 ", free %" PRIu64,
		k->missed_alloc, k->missed_free);
	if (k->handover_probe[0])
		fprintf(f, ", handover %" PRIu64, k->missed_handover);
	fputc('\n', f);
}

static void print_limit(FILE *f, const struct lm_config *c, uint32_t bit, uint32_t v)
{
	if (c->present & bit)
		fprintf(f, ", limit %" PRIu32, v);
}

/* Who reads what: restrict_read, reader_gid, and what this caller sees */
static void print_reading(FILE *f, const struct lm_totals *t)
{
	const struct lm_config *c = &t->config;
	char group[48] = "";

	if ((c->present & LM_CFG_READER_GID) &&
	    c->reader_gid != LEAKMON_READER_GID_NONE)
		snprintf(group, sizeof(group), " or group %" PRIu32,
			 c->reader_gid);
	fprintf(f, "\nreading      ");
	switch (c->restrict_read) {
	case LEAKMON_RESTRICT_READ_NONE:
		fprintf(f, "unprivileged (restrict_read=0)");
		break;
	case LEAKMON_RESTRICT_READ_ADMIN:
		fprintf(f, "restricted to CAP_NET_ADMIN%s (restrict_read=1)",
			group);
		break;
	case LEAKMON_RESTRICT_READ_OWN_UID:
		fprintf(f, "own processes only, everything with CAP_NET_ADMIN%s "
			"(restrict_read=2)", group);
		break;
	default:
		fprintf(f, "restrict_read=%u", (unsigned int)c->restrict_read);
	}
	if (t->own_view)
		fprintf(f, "\n             you see the processes of uid %" PRIu32
			" only", t->view_uid);
}

void status_print_human(FILE *f, const struct lm_totals *t,
			uint32_t genl_version, const struct meminfo *m)
{
	const struct lm_config *c = &t->config;
	char since[32], why[512];

	fprintf(f, "leakmon %s, module %s (genetlink v%" PRIu32 ")\n",
		LEAKMON_VERSION, t->version[0] ? t->version : "?", genl_version);
	fmt_duration(since, sizeof(since),
		     t->now_ns > t->reset_ns ? t->now_ns - t->reset_ns : 0);
	fprintf(f, "counters     since reset %s ago\n", since);
	fprintf(f, "objects      %" PRIu64, t->objects);
	print_limit(f, c, LM_CFG_MAX_OBJECTS, c->max_objects);
	if (c->present & LM_CFG_HASH_BUCKETS)
		fprintf(f, ", hash buckets %" PRIu32, c->hash_buckets);
	fprintf(f, "\nowners       %" PRIu32 " (%" PRIu32 " exited)", t->owners,
		t->owners_exited);
	print_limit(f, c, LM_CFG_MAX_OWNERS, c->max_owners);
	if (c->present & LM_CFG_RESTRICT_READ)
		print_reading(f, t);
	if (c->present & LM_CFG_EVENT_THRESHOLD) {
		if (c->event_threshold)
			fprintf(f, "\nalerts       at %" PRIu32 " live objects",
				c->event_threshold);
		else
			fprintf(f, "\nalerts       threshold off");
	}
	if (t->has_events)
		fprintf(f, "%ssent %" PRIu64 ", unheard %" PRIu64
			", dropped %" PRIu64,
			c->present & LM_CFG_EVENT_THRESHOLD ? "; " :
			"\nalerts       ", t->events.sent,
			t->events.no_listeners + t->events.restricted,
			t->events.rate_limited + t->events.queue_full +
			t->events.nomem + t->events.send_failed);
	fprintf(f, "\nslab         ");
	print_bytes_kb(f, "SUnreclaim", m->has_sunreclaim, m->sunreclaim_kb);
	fprintf(f, ", ");
	print_bytes_kb(f, "SReclaimable", m->has_sreclaimable, m->sreclaimable_kb);
	fprintf(f, "\n");
	if (t->scan.present)
		scan_print_human(f, &t->scan, t->now_ns);
	fprintf(f, "\n");

	for (unsigned int id = 0; id < LM_NKINDS; id++)
		if (t->kind[id].present)
			print_kind(f, id, &t->kind[id]);

	for (unsigned int id = 0; id < LM_NKINDS; id++) {
		const struct lm_kind_totals *k = &t->kind[id];

		if (k->present && kind_incomplete(k, why, sizeof(why))) {
			fprintf(f, "warning: tracking incomplete: %s:\n",
				kind_key(id));
			print_wrapped(f, "  ", why, 78);
		}
	}
}

/* ---- JSON output ---- */

void json_config(struct json *j, const char *key, const struct lm_config *c)
{
	json_obj_open(j, key);
	for (unsigned int i = 0; i < LM_CFG_NFIELDS; i++) {
		const struct lm_config_field_desc *f = &lm_config_fields[i];

		if (f->bit == LM_CFG_RESTRICT_READ) {
			/*
			 * A flag before it had levels: kept, true from 1 on,
			 * for what reads it; the level is apart.
			 */
			if (!(c->present & f->bit)) {
				json_null(j, f->name);
				json_null(j, "restrict_read_level");
				continue;
			}
			json_bool(j, f->name, lm_config_value(c, f) != 0);
			json_u64(j, "restrict_read_level",
				 lm_config_value(c, f));
		} else if (!(c->present & f->bit)) {
			json_null(j, f->name);
		} else {
			json_u64(j, f->name, lm_config_value(c, f));
		}
	}
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
	json_opt_str(j, "probe_mechanism", k->mechanism);
	json_opt_str(j, "disabled_reason", k->disabled_reason);
	json_u64(j, "live", k->live);
	json_u64(j, "exited", k->orphans);
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
	json_opt_str(j, "handover_probe", k->handover_probe);
	json_u64(j, "handed_over", k->handed_over);
	json_u64(j, "missed_handover", k->missed_handover);
	if (k->obj_size)
		json_u64(j, "obj_size", k->obj_size);
	else
		json_null(j, "obj_size");
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

void status_print_json(FILE *f, const struct lm_totals *t,
		       uint32_t genl_version, const struct meminfo *m)
{
	uint64_t since = t->now_ns > t->reset_ns ? t->now_ns - t->reset_ns : 0;
	bool incomplete = false;
	char why[512];
	struct json j;

	json_init(&j, f);
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
	if (t->own_view)
		json_u64(&j, "view_uid", t->view_uid);
	else
		json_null(&j, "view_uid");

	json_obj_open(&j, "kinds");
	for (unsigned int id = 0; id < LM_NKINDS; id++)
		if (t->kind[id].present)
			json_kind(&j, id, &t->kind[id]);
	json_obj_close(&j);

	json_obj_open(&j, "events");
	if (t->has_events) {
		json_u64(&j, "sent", t->events.sent);
		json_u64(&j, "no_listeners", t->events.no_listeners);
		json_u64(&j, "restricted", t->events.restricted);
		json_u64(&j, "rate_limited", t->events.rate_limited);
		json_u64(&j, "queue_full", t->events.queue_full);
		json_u64(&j, "nomem", t->events.nomem);
		json_u64(&j, "send_failed", t->events.send_failed);
	}
	json_obj_close(&j);

	json_meminfo(&j, m);
	json_scan(&j, "scan", &t->scan, t->now_ns);

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
		status_print_json(stdout, &t, lm_family(h)->version, &m);
	else
		status_print_human(stdout, &t, lm_family(h)->version, &m);
	lm_close(h);
	return EXIT_OK;
}
