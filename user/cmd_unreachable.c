// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon unreachable: what the leaked objects of the last reachability
 * pass are, per owner, grouped by what they look like.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "describe.h"
#include "json.h"
#include "status.h"

#define WHAT_COL	22	/* "    COUNT KIND        " */
#define LINE_WIDTH	80

void usage_unreachable(FILE *f)
{
	fprintf(f,
		"Usage: leakmon unreachable [PID] [--json]\n"
		"\n"
		"What the unreachable (leaked) objects of the last reachability\n"
		"pass are: for each owner that has some (or only PID's), its\n"
		"objects grouped by what they look like: for sockets the family,\n"
		"type, protocol, state, whether bound or connected and the\n"
		"file's reference count; for files their type, name and\n"
		"filesystem.  Largest owner first.  `leakmon scan` runs a pass.\n"
		"\n"
		"  -j, --json   one JSON document on stdout (see Documentation/cli.md)\n"
		"  -h, --help   this text\n"
		"\n"
		"Exit status 7 before the first pass.\n");
}

static const struct option unreachable_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The groups of one owner: u[first .. first + n) */
struct block {
	size_t first, n;
	uint64_t total;
	const struct lm_owner *owner;	/* NULL: gone since the pass */
};

static bool unreach_same_owner(const struct lm_unreach *a, const struct lm_unreach *b)
{
	return a->owner_type == b->owner_type && a->tgid == b->tgid &&
	       a->start_ns == b->start_ns && a->netns_inum == b->netns_inum;
}

static const struct lm_owner *unreach_find_owner(const struct lm_owners *o,
					 const struct lm_unreach *u)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct lm_owner *w = &o->owner[i];

		if (w->type == u->owner_type && w->tgid == u->tgid &&
		    w->start_ns == u->start_ns &&
		    w->netns_inum == u->netns_inum)
			return w;
	}
	return NULL;
}

static int unreach_block_cmp(const void *a, const void *b)
{
	const struct block *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* The owners' blocks, largest first; *nb of them, malloc'ed */
static struct block *unreach_blocks(const struct lm_unreachs *u,
				 const struct lm_owners *o, bool has_pid,
				 uint32_t pid, size_t *nb)
{
	struct block *b = calloc(u->n ? u->n : 1, sizeof(*b));
	size_t n = 0;

	if (!b)
		return NULL;
	for (size_t i = 0; i < u->n; i++) {
		const struct lm_unreach *g = &u->u[i];

		if (has_pid && (g->owner_type != LEAKMON_OWNER_TYPE_TASK ||
				g->tgid != pid))
			continue;
		if (!n || !unreach_same_owner(&u->u[b[n - 1].first], g)) {
			b[n].first = i;
			b[n].owner = unreach_find_owner(o, g);
			n++;
		}
		b[n - 1].n = i + 1 - b[n - 1].first;
		b[n - 1].total += g->count;
	}
	qsort(b, n, sizeof(*b), unreach_block_cmp);
	*nb = n;
	return b;
}

static void unreach_owner_label(char *buf, size_t size, const struct block *b,
			const struct lm_unreach *g)
{
	char comm[LM_COMM_SIZE * 4];
	char user[64];

	if (!b->owner) {
		snprintf(buf, size, "tgid %" PRIu32 " (gone since the pass)",
			 g->tgid);
		return;
	}
	fmt_name(comm, sizeof(comm), b->owner->comm, LM_COMM_SIZE - 1);
	if (b->owner->type != LEAKMON_OWNER_TYPE_TASK) {
		snprintf(buf, size, "%s (%s)", comm, lm_owner_state(b->owner));
		return;
	}
	if (!user_name(b->owner->uid, user, sizeof(user)))
		snprintf(user, sizeof(user), "%" PRIu32, b->owner->uid);
	snprintf(buf, size, "%s[%" PRIu32 "] %s, user %s", comm,
		 b->owner->tgid, lm_owner_state(b->owner), user);
}

/* what, wrapped at ", " to fit the WHAT column */
static void unreach_print_what(FILE *f, const char *what)
{
	const size_t width = LINE_WIDTH - WHAT_COL;
	size_t len = strlen(what);

	while (len > width) {
		size_t cut = width;

		while (cut > 0 && !(what[cut - 1] == ',' && what[cut] == ' '))
			cut--;
		if (!cut)
			cut = width;
		fprintf(f, "%.*s\n%*s", (int)cut, what, WHAT_COL, "");
		what += cut;
		len -= cut;
		while (*what == ' ') {
			what++;
			len--;
		}
	}
	fprintf(f, "%s\n", what);
}

static void unreach_print_human(FILE *f, const struct lm_totals *t,
			const struct lm_unreachs *u, const struct block *b,
			size_t nb, bool has_pid, uint32_t pid)
{
	uint64_t total = 0;
	char ago[32], label[256], what[256];

	for (size_t i = 0; i < nb; i++)
		total += b[i].total;
	fmt_duration(ago, sizeof(ago), scan_age_ns(&t->scan, t->now_ns));
	cli_print_view(f, t->own_view, t->view_uid);
	if (has_pid && !nb) {
		fprintf(f, "%" PRIu32 ": no unreachable objects at pass %"
			PRIu64 " (%s ago)\n", pid, t->scan.seq, ago);
		return;
	}
	if (!nb) {
		fprintf(f, "No unreachable objects at pass %" PRIu64
			" (%s ago).\n", t->scan.seq, ago);
		return;
	}
	fprintf(f, "Unreachable objects at pass %" PRIu64 " (%s ago): %"
		PRIu64 " of %zu owner%s.\nNothing holds them: leaked.\n",
		t->scan.seq, ago, total, nb, nb == 1 ? "" : "s");
	for (size_t i = 0; i < nb; i++) {
		const struct lm_unreach *g = &u->u[b[i].first];

		unreach_owner_label(label, sizeof(label), &b[i], g);
		fprintf(f, "\n%s: %" PRIu64 "\n", label, b[i].total);
		fprintf(f, "%9s %-11s %s\n", "    COUNT", "KIND", "WHAT");
		for (size_t k = 0; k < b[i].n; k++) {
			const struct lm_unreach *w = &g[k];
			const char *kind = lm_kind_name(w->kind);

			desc_unreach(what, sizeof(what), w);
			fprintf(f, "%9" PRIu64 " %-11s ", w->count,
				kind ? kind : "?");
			unreach_print_what(f, what);
		}
	}
	if (t->scan.groups_unreported)
		fprintf(f, "\nwarning: %" PRIu64 " unreachable objects are "
			"counted but not described\n  (more than the pass's "
			"groups)\n", t->scan.groups_unreported);
}

static void unreach_json_group(struct json *j, const struct lm_unreach *g)
{
	const char *kind = lm_kind_name(g->kind);
	char what[256];

	desc_unreach(what, sizeof(what), g);
	json_obj_open(j, NULL);
	json_str(j, "kind", kind);
	json_u64(j, "kind_id", g->kind);
	json_u64(j, "count", g->count);
	json_str(j, "what", what);
	json_arr_open(j, "flags");
	for (unsigned int bit = 0; bit < 32; bit++)
		if ((g->flags & (1U << bit)) && desc_flag(bit))
			json_str(j, NULL, desc_flag(bit));
	json_arr_close(j);
	if (g->has_sock) {
		json_str(j, "family", desc_family(g->family));
		json_u64(j, "family_id", g->family);
		json_str(j, "sock_type", desc_sock_type(g->sock_type));
		json_u64(j, "sock_type_id", g->sock_type);
		json_str(j, "protocol", desc_protocol(g->family, g->protocol));
		json_u64(j, "protocol_id", g->protocol);
		json_str(j, "state", desc_state(g->state));
		json_u64(j, "state_id", g->state);
		json_bool(j, "bound", g->flags & LEAKMON_UNREACH_F_BOUND);
		json_bool(j, "connected",
			  g->flags & LEAKMON_UNREACH_F_CONNECTED);
	}
	if (g->has_refs)
		json_u64(j, "file_refs", g->file_refs);
	else
		json_null(j, "file_refs");
	if (g->has_file) {
		json_str(j, "fs", desc_fs(g->fs_magic));
		json_u64(j, "fs_magic", g->fs_magic);
		json_str(j, "file_type", desc_file_type(g->file_mode));
		json_str(j, "name", g->name);
	}
	json_obj_close(j);
}

static void unreach_print_json(FILE *f, const struct lm_totals *t,
		       const struct lm_unreachs *u, const struct block *b,
		       size_t nb)
{
	char user[64];
	struct json j;
	uint64_t total = 0;

	for (size_t i = 0; i < nb; i++)
		total += b[i].total;
	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_u64(&j, "now_ns", t->now_ns);
	json_obj_open(&j, "scan");
	json_u64(&j, "seq", t->scan.seq);
	json_u64(&j, "time_ns", t->scan.time_ns);
	json_u64(&j, "age_s", scan_age_ns(&t->scan, t->now_ns) / 1000000000ULL);
	json_obj_close(&j);
	json_u64(&j, "unreachable", total);
	json_u64(&j, "groups_unreported", t->scan.groups_unreported);
	if (t->own_view)
		json_u64(&j, "view_uid", t->view_uid);
	else
		json_null(&j, "view_uid");
	json_arr_open(&j, "owners");
	for (size_t i = 0; i < nb; i++) {
		const struct lm_unreach *g = &u->u[b[i].first];
		const struct lm_owner *o = b[i].owner;

		json_obj_open(&j, NULL);
		json_str(&j, "type", o ? lm_owner_state(o) : NULL);
		json_u64(&j, "tgid", g->tgid);
		json_u64(&j, "start_ns", g->start_ns);
		if (g->owner_type == LEAKMON_OWNER_TYPE_NETNS)
			json_u64(&j, "netns_inum", g->netns_inum);
		json_str(&j, "comm", o ? o->comm : NULL);
		if (o) {
			json_u64(&j, "uid", o->uid);
			json_str(&j, "user", user_name(o->uid, user,
						       sizeof(user)) ?
					     user : NULL);
		}
		json_u64(&j, "unreachable", b[i].total);
		json_arr_open(&j, "groups");
		for (size_t k = 0; k < b[i].n; k++)
			unreach_json_group(&j, &g[k]);
		json_arr_close(&j);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_finish(&j);
}

int cmd_unreachable(int argc, char **argv)
{
	struct lm_unreachs u = { 0 };
	struct lm_owners o = { 0 };
	struct lm_handle *h;
	struct lm_totals t;
	struct block *b = NULL;
	bool json = false, has_pid = false;
	uint64_t pid = 0;
	size_t nb = 0;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", unreachable_opts,
				NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage_unreachable(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("unreachable", c, argv);
		}
	}
	if (optind < argc) {
		ret = cli_parse_num("unreachable", "PID", argv[optind], 1,
				    UINT32_MAX, &pid);
		if (ret)
			return ret;
		has_pid = true;
		optind++;
	}
	ret = cli_no_args("unreachable", argc, argv);
	if (ret)
		return ret;

	ret = cli_open(&h);
	if (ret)
		return ret;
	if (!lm_family_op(lm_family(h), LEAKMON_CMD_GET_UNREACHABLE, NULL)) {
		fprintf(stderr, "leakmon: unreachable: the loaded module cannot "
			"describe unreachable objects (older than this "
			"program)\n");
		lm_close(h);
		return EXIT_UNSUPPORTED;
	}
	ret = lm_dump_unreachable(h, &u);
	if (ret == LM_OK)
		ret = lm_dump_owners(h, &o);
	if (ret == LM_OK)
		ret = lm_get_totals(h, &t);
	if (ret != LM_OK) {
		ret = cli_fail("unreachable", ret, lm_last_error(h));
		goto out;
	}
	if (!t.scan.present) {
		fprintf(stderr, "leakmon: unreachable: no reachability pass "
			"yet (`leakmon scan` runs one)\n");
		ret = EXIT_NODATA;
		goto out;
	}
	b = unreach_blocks(&u, &o, has_pid, (uint32_t)pid, &nb);
	if (!b) {
		fprintf(stderr, "leakmon: unreachable: out of memory\n");
		ret = EXIT_RUNTIME;
		goto out;
	}
	if (json)
		unreach_print_json(stdout, &t, &u, b, nb);
	else
		unreach_print_human(stdout, &t, &u, b, nb, has_pid, (uint32_t)pid);
	ret = EXIT_OK;
out:
	free(b);
	lm_owners_free(&o);
	lm_unreachs_free(&u);
	lm_close(h);
	return ret;
}
