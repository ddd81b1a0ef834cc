// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the top model, the /proc and cgroup files, the rendered
 * output (valid JSON, 80 columns).
 */
#include "unit.h"

/* ---- top model ---- */

struct lm_owner mk_owner(uint32_t tgid, uint64_t start, uint32_t uid,
			 uint64_t cg, bool exited, uint64_t l0, uint64_t l1)
{
	struct lm_owner o;

	memset(&o, 0, sizeof(o));
	o.tgid = tgid;
	o.start_ns = start;
	o.uid = uid;
	o.cgroup_id = cg;
	o.exited = exited;
	o.kind[0].present = o.kind[1].present = true;
	o.kind[0].live = l0;
	o.kind[1].live = l1;
	o.kind[0].allocated = l0 + 1;
	o.kind[0].freed = 1;
	return o;
}

void test_top(void)
{
	struct lm_owner prev_v[] = {
		mk_owner(100, 1, 0, 1, false, 10, 0),
		mk_owner(200, 5, 33, 2, false, 50, 0),	/* pid reused below */
		mk_owner(300, 1, 33, 2, false, 9, 0),	/* gone */
	};
	struct lm_owner cur_v[] = {
		mk_owner(100, 1, 0, 1, false, 20, 10),	/* +20 in 2 s */
		mk_owner(200, 7, 33, 2, false, 4, 0),	/* new: +4 */
		mk_owner(400, 1, 33, 3, true, 5, 0),	/* exited, new */
		mk_owner(500, 1, 1000, 3, false, 5, 0),	/* ties 400 on live */
	};
	struct lm_owners prev = { .owner = prev_v, .n = 3 };
	struct lm_owners cur = { .owner = cur_v, .n = 4 };
	struct top_rows r;

	ok(top_build(&cur, &prev, 2.0, TOP_BY_TASK, &r) == 0 && r.n == 4,
	   "top: one row per owner");
	top_sort(&r, TOP_SORT_LIVE);
	ok(r.row[0].key == 100 && r.row[0].live_total == 30 &&
	   r.row[1].key == 400 && r.row[2].key == 500 && r.row[3].key == 200,
	   "top: sort by live, ties broken by unreachable, exited, then tgid");
	ok(fabs(r.row[0].rate - 10.0) < 1e-9 && fabs(r.row[3].rate - 2.0) < 1e-9,
	   "top: rate from matched owner, missing owner counts as 0 (pid reuse is a new owner)");
	ok(r.row[1].exited == 5 && r.row[0].exited == 0,
	   "top: exited counts the live objects of exited owners");
	top_sort(&r, TOP_SORT_UNREACHABLE);
	ok(r.row[0].key == 400 && r.row[1].key == 100,
	   "top: sort by unreachable, before a pass by exited, then live");
	top_sort(&r, TOP_SORT_RATE);
	ok(r.row[0].key == 100 && r.row[1].key == 400 && r.row[2].key == 500 &&
	   r.row[3].key == 200, "top: sort by rate, ties broken by live, exited, id");
	top_rows_free(&r);

	/* a pass found 3 leaked objects of 500 (alive), none of 400 */
	cur_v[3].kind[0].scanned = cur_v[2].kind[0].scanned = true;
	cur_v[3].kind[0].unreachable = 3;
	ok(top_build(&cur, NULL, 0, TOP_BY_TASK, &r) == 0 && r.n == 4,
	   "top: rows after a pass");
	top_sort(&r, TOP_SORT_UNREACHABLE);
	ok(r.row[0].key == 500 && r.row[0].unreachable == 3 &&
	   r.row[0].scanned && r.row[1].key == 400 && !r.row[2].scanned,
	   "top: sort by unreachable: the leaking owner first, then exited");
	top_sort(&r, TOP_SORT_LIVE);
	ok(r.row[1].key == 500 && r.row[2].key == 400,
	   "top: sort by live, ties broken by unreachable first");
	cur_v[3].kind[0].scanned = cur_v[2].kind[0].scanned = false;
	cur_v[3].kind[0].unreachable = 0;
	top_rows_free(&r);

	ok(top_build(&cur, NULL, 0, TOP_BY_UID, &r) == 0 && r.n == 3,
	   "top: by uid: one row per uid");
	top_sort(&r, TOP_SORT_LIVE);
	ok(r.row[0].key == 0 && r.row[1].key == 33 && r.row[1].owners == 2 &&
	   r.row[1].owners_exited == 1 && r.row[1].live_total == 9 &&
	   r.row[1].exited == 5 && r.row[1].allocated_total == 11 &&
	   r.row[1].freed_total == 2 && !r.row[1].owner && r.row[1].rate == 0,
	   "top: by uid: sums of live, exited, allocated, freed, owners");
	top_rows_free(&r);

	ok(top_build(&cur, &prev, 2.0, TOP_BY_CGROUP, &r) == 0 && r.n == 3,
	   "top: by cgroup: one row per cgroup");
	top_sort(&r, TOP_SORT_RATE);
	ok(r.row[0].key == 1 && fabs(r.row[0].rate - 10.0) < 1e-9 &&
	   r.row[1].key == 3 && fabs(r.row[1].rate - 5.0) < 1e-9,
	   "top: by cgroup: group rate is the sum of its owners' rates");
	top_rows_free(&r);

	{
		struct lm_owners empty = { 0 };

		ok(top_build(&empty, NULL, 0, TOP_BY_UID, &r) == 0 && r.n == 0,
		   "top: no owners, no rows");
		top_rows_free(&r);
	}
}

void test_incomplete(void)
{
	struct lm_kind_totals k;
	char buf[512];

	memset(&k, 0, sizeof(k));
	k.present = k.enabled = true;
	k.live = 5;
	k.unknown_frees = 3;
	ok(!kind_incomplete(&k, buf, sizeof(buf)),
	   "status: complete tracking gives no warning");
	k.untracked_table_full = 10;
	k.missed_free = 2;
	ok(kind_incomplete(&k, buf, sizeof(buf)) &&
	   strstr(buf, "10 allocations untracked (object table full 10)") &&
	   strstr(buf, "2 probe misses"),
	   "status: untracked and missed explained (%s)", buf);
}

/* ---- files ---- */

/* Write s into a new temporary file named from tmpl; false on failure. */
static bool write_tmp(char *tmpl, const char *s)
{
	int fd = mkstemp(tmpl);
	FILE *f;

	if (fd < 0)
		return false;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return false;
	}
	fputs(s, f);
	return !fclose(f);
}

void test_signed_only(void)
{
	char none[] = "/tmp/leakmon-lockdown-XXXXXX";
	char integ[] = "/tmp/leakmon-lockdown-XXXXXX";
	char no[] = "/tmp/leakmon-sigenf-XXXXXX";
	char yes[] = "/tmp/leakmon-sigenf-XXXXXX";
	char why[96] = "";

	if (!write_tmp(none, "[none] integrity confidentiality\n") ||
	    !write_tmp(integ, "none [integrity] confidentiality\n") ||
	    !write_tmp(no, "N\n") || !write_tmp(yes, "Y\n")) {
		ok(false, "signed_only: temporary files");
		return;
	}
	ok(!cli_signed_only(none, no, why, sizeof(why)),
	   "signed_only: no lockdown, signatures not enforced");
	ok(!cli_signed_only("/nonexistent/a", "/nonexistent/b", why,
			    sizeof(why)),
	   "signed_only: neither file (no securityfs, no module support)");
	ok(cli_signed_only(integ, no, why, sizeof(why)) &&
	   !strcmp(why, "the kernel is locked down (integrity)"),
	   "signed_only: lockdown integrity (%s)", why);
	ok(cli_signed_only(none, yes, why, sizeof(why)) &&
	   !strcmp(why, "module signatures are enforced"),
	   "signed_only: module.sig_enforce=1 (%s)", why);
	unlink(none);
	unlink(integ);
	unlink(no);
	unlink(yes);
}

void test_meminfo(void)
{
	char path[] = "/tmp/leakmon-meminfo-XXXXXX";
	struct meminfo m;

	if (!write_tmp(path, "MemTotal:       16000000 kB\n"
			     "Slab:            2000000 kB\n"
			     "SReclaimable:     300000 kB\n"
			     "SUnreclaim:      1700000 kB\n")) {
		ok(false, "meminfo: temporary file");
		return;
	}
	ok(read_meminfo(path, &m) == 0 && m.has_sunreclaim &&
	   m.sunreclaim_kb == 1700000 && m.has_sreclaimable &&
	   m.sreclaimable_kb == 300000, "meminfo: SUnreclaim and SReclaimable");
	unlink(path);
	ok(read_meminfo(path, &m) < 0 && !m.has_sunreclaim,
	   "meminfo: missing file reported");
}

static uint64_t ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

void test_cgroup_paths(void)
{
	char root[] = "/tmp/leakmon-cg-XXXXXX";
	char p[256], *paths[5];
	uint64_t ids[5];
	size_t found;

	if (!mkdtemp(root)) {
		ok(false, "cgroup: temporary directory");
		return;
	}
	snprintf(p, sizeof(p), "%s/system.slice", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/system.slice/apache2.service", root);
	mkdir(p, 0755);
	ids[0] = ino_of(p);
	ids[1] = ino_of(root);
	ids[2] = 1ULL << 60;
	snprintf(p, sizeof(p), "%s/user.slice", root);
	mkdir(p, 0755);
	ids[3] = ino_of(p);
	ids[4] = ids[0];

	found = cgroup_paths(root, ids, 5, paths);
	ok(found == 4 && paths[0] && !strcmp(paths[0], "/system.slice/apache2.service") &&
	   paths[1] && !strcmp(paths[1], "/") && !paths[2] &&
	   paths[3] && !strcmp(paths[3], "/user.slice") &&
	   paths[4] && !strcmp(paths[4], paths[0]),
	   "cgroup: ids resolved to paths by inode, unknown id left NULL");
	for (int i = 0; i < 5; i++)
		free(paths[i]);

	snprintf(p, sizeof(p), "%s/system.slice/apache2.service", root);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/system.slice", root);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/user.slice", root);
	rmdir(p);
	rmdir(root);
}

/* ---- rendered output: valid JSON, 80 columns ---- */

static bool lines_fit(const char *text, size_t width)
{
	size_t col = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			col = 0;
			continue;
		}
		if (++col > width) {
			diag("line too long: %.*s", (int)col, p - col + 1);
			return false;
		}
	}
	return true;
}

static char *render_status(bool json, const struct lm_totals *t,
			   const struct meminfo *m)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (json)
		status_print_json(f, t, 1, m);
	else
		status_print_human(f, t, 1, m);
	fclose(f);
	return out;
}

void test_render_status(void)
{
	struct meminfo m = { .has_sunreclaim = true, .sunreclaim_kb = 1700000 };
	struct lm_totals t;
	char *out;

	lm_parse_totals(totals_msg(false), &t, NULL);
	snprintf(t.version, sizeof(t.version), "0.1\"\n\x01\xff");
	out = render_status(true, &t, &m);
	ok(json_valid(out) && strstr(out, "\"sunreclaim_bytes\": 1740800000") &&
	   strstr(out, "\"sreclaimable_bytes\": null") &&
	   strstr(out, "\"tracking_incomplete\": true") &&
	   strstr(out, "\"sock_inode\": {") && strstr(out, "\"untracked\": 21"),
	   "render: status --json is valid JSON with kB turned into bytes");
	free(out);

	out = render_status(false, &t, &m);
	ok(strstr(out, "warning: tracking incomplete: sock_inode:\n") != NULL,
	   "render: status warns that tracking is incomplete");
	{
		size_t col = 0, widest = 0;

		for (const char *c = out; *c; c++) {
			col = *c == '\n' ? 0 : col + 1;
			if (col > widest)
				widest = col;
		}
		ok(widest <= 80, "render: status with warnings fits 80 columns (%zu)",
		   widest);
	}
	free(out);

	for (int k = 0; k < LM_NKINDS; k++) {
		t.kind[k].untracked_table_full = t.kind[k].untracked_owners_full = 0;
		t.kind[k].untracked_nomem = t.kind[k].missed_alloc = 0;
		t.kind[k].missed_free = t.kind[k].replaced = 0;
	}
	out = render_status(false, &t, &m);
	ok(!strstr(out, "warning"), "render: no warning when tracking is complete");
	free(out);
	out = render_status(true, &t, &m);
	ok(json_valid(out) && strstr(out, "\"tracking_incomplete\": false") &&
	   strstr(out, "\"warnings\": []"),
	   "render: status --json without warnings");
	free(out);
}

/* What `leakmon config` prints: a stable interface (Documentation/cli.md) */
void test_render_config(void)
{
	static const char usage[] =
		"Usage: leakmon config [--max-objects N] [--max-owners N]\n"
		"                      [--restrict-read 0|1|2] [--event-threshold N]\n"
		"                      [--event-rate N] [--event-queue-max N]\n"
		"                      [--reader-gid GROUP] [--json]\n"
		"\n"
		"Without options, print the module's configuration.  With options,\n"
		"change it (needs CAP_NET_ADMIN) and print the new configuration.\n"
		"Lowering a limit keeps existing entries; only new ones are refused.\n"
		"\n"
		"  --max-objects N       object table limit (1..67108864)\n"
		"  --max-owners N        owner table limit (1..1048576)\n"
		"  --restrict-read 0|1|2 who reads what\n"
		"                        (0..2, 0 all, 1 admin or reader group, 2 own rows)\n"
		"  --event-threshold N   alert when an owner holds N live objects\n"
		"                        (0..67108864, 0: off; see leakmon events)\n"
		"  --event-rate N        most alerts sent per second (1..100000)\n"
		"  --event-queue-max N   most alerts waiting to be sent (1..65536)\n"
		"  --reader-gid GROUP    group that reads everything\n"
		"                        (a name or a number; none: no group)\n"
		"  -j, --json            one JSON document on stdout\n"
		"  -h, --help            this text\n";
	static const char human[] =
		"max_objects    1048576\n"
		"max_owners     65536\n"
		"restrict_read  1\n"
		"hash_buckets   131072\n"
		"event_threshold 0\n"
		"event_rate     10\n"
		"event_queue_max 256\n";
	static const char json[] =
		"{\n"
		"  \"max_objects\": 1048576,\n"
		"  \"max_owners\": 65536,\n"
		"  \"restrict_read\": true,\n"
		"  \"restrict_read_level\": 1,\n"
		"  \"hash_buckets\": 131072,\n"
		"  \"event_threshold\": 0,\n"
		"  \"event_rate\": 10,\n"
		"  \"event_queue_max\": 256,\n"
		"  \"reader_gid\": null\n"
		"}\n";
	static const char part_json[] =
		"{\"config\": {\"max_objects\": null, \"max_owners\": 4294967295, "
		"\"restrict_read\": false, \"restrict_read_level\": 0, "
		"\"hash_buckets\": null, "
		"\"event_threshold\": null, \"event_rate\": 7, "
		"\"event_queue_max\": null, \"reader_gid\": null}}\n";
	struct lm_config full = {
		.present = 0x7f, .max_objects = 1048576, .max_owners = 65536,
		.restrict_read = 1, .hash_buckets = 131072,
		.event_threshold = 0, .event_rate = 10, .event_queue_max = 256,
	};
	struct lm_config part = {
		.present = LM_CFG_MAX_OWNERS | LM_CFG_RESTRICT_READ |
			   LM_CFG_EVENT_RATE,
		.max_objects = 99, .max_owners = 4294967295U, .event_rate = 7,
	};
	struct lm_config gid = { .present = LM_CFG_READER_GID };
	char *out = NULL;
	size_t len = 0;
	struct json j;
	FILE *f;

	f = open_memstream(&out, &len);
	usage_config(f);
	fclose(f);
	ok(!strcmp(out, usage), "render: config --help, from the field table");
	if (strcmp(out, usage))
		diag("got:\n%s", out);
	free(out);

	f = open_memstream(&out, &len);
	config_print_human(f, &full);
	fclose(f);
	ok(!strcmp(out, human), "render: config, every field");
	free(out);

	f = open_memstream(&out, &len);
	config_print_human(f, &part);
	fclose(f);
	ok(!strcmp(out, "max_owners     4294967295\nrestrict_read  0\n"
		   "event_rate     7\n"),
	   "render: config, only the fields present");
	free(out);

	/* the reader group by its name where known, and "none" */
	f = open_memstream(&out, &len);
	config_print_human(f, &gid);
	fclose(f);
	ok(!strcmp(out, "reader_gid     0 (root)\n"),
	   "render: config, reader_gid 0 named root");
	if (strcmp(out, "reader_gid     0 (root)\n"))
		diag("got: %s", out);
	free(out);
	gid.reader_gid = LEAKMON_READER_GID_NONE;
	f = open_memstream(&out, &len);
	config_print_human(f, &gid);
	fclose(f);
	ok(!strcmp(out, "reader_gid     4294967295 (none)\n"),
	   "render: config, no reader group");
	free(out);

	f = open_memstream(&out, &len);
	json_init(&j, f);
	json_config(&j, NULL, &full);
	json_finish(&j);
	fclose(f);
	ok(!strcmp(out, json), "render: config --json, every field");
	free(out);

	f = open_memstream(&out, &len);
	json_init_style(&j, f, JSON_SPACED);
	json_obj_open(&j, NULL);
	json_config(&j, "config", &part);
	json_obj_close(&j);
	json_finish(&j);
	fclose(f);
	ok(!strcmp(out, part_json),
	   "render: config --json, null for the fields not present");
	free(out);
}

static char *render_top(bool json, enum top_by by, enum top_sort sort,
			bool rate, const struct lm_owners *cur,
			const struct lm_owners *prev, char *const *cgpaths)
{
	struct top_args a = { .limit = 0, .by = by, .sort = sort,
			      .interval_ns = rate ? 1000000000ULL : 0 };
	struct top_rows r;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	top_build(cur, rate ? prev : NULL, 1.0, by, &r);
	top_sort(&r, sort);
	if (json)
		top_print_json(f, &a, cur, &r, r.n, 1.0, 5000000000ULL, cgpaths);
	else
		top_print_human(f, &a, cur, &r, r.n, 1.0, cgpaths);
	fclose(f);
	top_rows_free(&r);
	return out;
}

void test_render_top(void)
{
	struct lm_owner v[] = {
		mk_owner(4194304, 1, 4294967294U, 1, false, UINT64_MAX / 4, 7),
		mk_owner(2, 2, 0, 2, true, 12, 123456789012ULL),
		mk_owner(3, 3, 65534, 3, false, 0, 0),
	};
	struct lm_owners cur = { .owner = v, .n = 3 };
	struct lm_owners prev = { .owner = v + 1, .n = 1 };
	char *cg[] = { "/a/very/long/cgroup/path/that/does/not/fit/in/the/column/system.slice/apache2.service",
		       NULL, "/" };
	static const enum top_by bys[] = { TOP_BY_TASK, TOP_BY_UID, TOP_BY_CGROUP };
	bool all_fit = true, all_valid = true;

	snprintf(v[0].comm, sizeof(v[0].comm), "0123456789abcdef");
	snprintf(v[1].comm, sizeof(v[1].comm), "a\"b\\c\n\x1b[2J\xc3");
	for (size_t b = 0; b < 3; b++) {
		for (int rate = 0; rate < 2; rate++) {
			char *h = render_top(false, bys[b], TOP_SORT_LIVE, rate,
					     &cur, &prev, cg);
			char *j = render_top(true, bys[b], TOP_SORT_RATE, rate,
					     &cur, &prev, cg);

			all_fit &= lines_fit(h, 80);
			if (!json_valid(j)) {
				diag("invalid JSON:\n%s", j);
				all_valid = false;
			}
			free(h);
			free(j);
		}
	}
	ok(all_fit, "render: top human output fits 80 columns (task, uid, cgroup; with and without rate)");
	ok(all_valid, "render: top --json is valid JSON for every --by");

	{
		char *j = render_top(true, TOP_BY_TASK, TOP_SORT_LIVE, true,
				     &cur, &prev, NULL);

		ok(strstr(j, "\"rate_per_s\": 0.000") && strstr(j, "\"age_s\": 4") &&
		   strstr(j, "\"state\": \"exited\"") &&
		   strstr(j, "\"exit_ns\": null"),
		   "render: top --json fields (rate, age_s, state, exit_ns)");
		ok(strstr(j, "\"exited_objects\": 123456789024") &&
		   strstr(j, "\"unreachable\": null") && !strstr(j, "orphan"),
		   "render: top --json: exited_objects, unreachable null before a pass");
		free(j);
	}
	{
		char *h = render_top(false, TOP_BY_TASK, TOP_SORT_UNREACHABLE,
				     false, &cur, &prev, NULL);
		char *u;

		ok(strstr(h, " UNREACH\n") && strstr(h, "sorted by unreachable") &&
		   strstr(h, "      -\n") && !strstr(h, "orphan") &&
		   !strstr(h, "ORPHAN") && !strstr(h, "UNREACH:"),
		   "render: top: UNREACH is - before a pass, no footnote");
		free(h);
		v[1].kind[1].scanned = v[0].kind[0].scanned = true;
		v[1].kind[1].unreachable = 4;
		h = render_top(false, TOP_BY_TASK, TOP_SORT_UNREACHABLE, true,
			       &cur, &prev, NULL);
		u = render_top(false, TOP_BY_UID, TOP_SORT_UNREACHABLE, false,
			       &cur, &prev, NULL);
		ok(strstr(h, "exited ") && strstr(h, "       4    +0.0\n") &&
		   strstr(h, "\nUNREACH: leaked objects") && lines_fit(h, 80) &&
		   !strstr(h, "*") && strstr(u, " UNREACH  ALLOCS") &&
		   lines_fit(u, 80),
		   "render: top: a pass's leaked objects under UNREACH, explained");
		free(h);
		free(u);
		v[1].kind[1].scanned = v[0].kind[0].scanned = false;
		v[1].kind[1].unreachable = 0;
	}
}
