// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of nlctrl through the real kernel, the slab growth series and
 * fit, the check keys and the Prometheus output.
 */
#include "unit.h"

/* ---- the real kernel, through nlctrl (no leakmon module needed) ---- */

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(unsigned int *)data)++;
	return LM_OK;
}

void test_live_nlctrl(void)
{
	struct lm_raw_result res;
	struct lm_handle *h;
	struct lm_error err;
	unsigned int count = 0;
	char attrs[64];
	struct nlattr *a = (struct nlattr *)attrs;
	uint32_t flags;
	int ret;

	ret = lm_open_family(&h, "nlctrl", &err);
	if (ret != LM_OK) {
		diag("no generic netlink here (%s: %s): live tests skipped",
		     lm_strstatus(ret), err.detail);
		return;
	}
	ok(lm_family(h)->id == GENL_ID_CTRL && lm_family(h)->nops > 0 &&
	   lm_family_op(lm_family(h), CTRL_CMD_GETFAMILY, &flags),
	   "live: nlctrl resolved, its ops recorded");

	ret = lm_raw(h, CTRL_CMD_GETFAMILY, NLM_F_DUMP, NULL, 0, count_cb,
		     &count, &res);
	ok(ret == LM_OK && res.error == 0 && res.nmsgs > 1 &&
	   count == res.nmsgs,
	   "live: multi-part dump of all families (%u messages)", res.nmsgs);

	/* CTRL_ATTR_FAMILY_NAME is NLA_NUL_STRING: send one without NUL */
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = MNL_ATTR_HDRLEN + 4;
	memcpy(attrs + MNL_ATTR_HDRLEN, "abcd", 4);
	ret = lm_raw(h, CTRL_CMD_GETFAMILY, 0, attrs, MNL_ALIGN(a->nla_len),
		     NULL, NULL, &res);
	ok(ret == LM_ERR_KERNEL && res.error == EINVAL &&
	   lm_last_error(h)->err == EINVAL,
	   "live: malformed attribute refused with EINVAL, extack '%s'%s",
	   res.extack, res.has_offs ? " (with offset)" : "");

	/* an attribute longer than the message */
	a->nla_len = 40;
	ret = lm_raw(h, CTRL_CMD_GETFAMILY, 0, attrs, 8, NULL, NULL, &res);
	ok(ret == LM_ERR_KERNEL && res.error == EINVAL,
	   "live: truncated attribute refused, extack '%s'", res.extack);

	ret = lm_raw(h, CTRL_CMD_GETFAMILY, 0, NULL, 0, NULL, NULL, &res);
	ok(ret == LM_ERR_KERNEL && res.error == EINVAL,
	   "live: request without a family refused (%s)", strerror(res.error));

	count = 0;
	ret = lm_raw(h, CTRL_CMD_GETFAMILY, NLM_F_DUMP, NULL, 0, count_cb,
		     &count, &res);
	ok(ret == LM_OK && count > 1, "live: handle usable after errors");
	lm_close(h);

	ret = lm_open_family(&h, "leakmon-none", &err);
	ok(ret == LM_ERR_NOFAMILY && err.status == LM_ERR_NOFAMILY && !h,
	   "live: missing family is LM_ERR_NOFAMILY (%s)", err.detail);
}

/* ---- slab growth, check keys, prometheus ---- */

static void mk_series(struct growth_series *g, size_t n, uint64_t t0_ms,
		      uint64_t step_ms, uint64_t u0, int64_t du, uint64_t r0,
		      int64_t dr)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->boot_id, sizeof(g->boot_id), "boot-1");
	for (size_t i = 0; i < n; i++) {
		struct growth_sample *s = &g->s[i];

		s->t_ms = t0_ms + i * step_ms;
		s->sunreclaim = (uint64_t)((int64_t)u0 + (int64_t)i * du);
		s->sreclaimable = (uint64_t)((int64_t)r0 + (int64_t)i * dr);
		s->tracked_unrecl = i * 1000;
		s->tracked_recl = GROWTH_UNKNOWN;
	}
	g->n = n;
}

void test_lsq(void)
{
	double x[] = { 0, 1, 2, 3, 4 }, y[5], slope = 0;
	bool res;

	for (int i = 0; i < 5; i++)
		y[i] = 7 + 3 * x[i];
	res = lsq_slope(x, y, 5, &slope);
	ok(res && slope == 3,
	   "growth: least squares of an exact line (slope %g)", slope);
	/* symmetric noise around y = 2x: +1 -1 -1 +1 ... */
	y[0] = 1; y[1] = 1; y[2] = 3; y[3] = 7; y[4] = 9;
	res = lsq_slope(x, y, 5, &slope);
	ok(res && fabs(slope - 2.2) < 1e-12,
	   "growth: least squares of noisy points (slope %g, expected 2.2)",
	   slope);
	ok(!lsq_slope(x, y, 1, &slope), "growth: one point has no slope");
	x[1] = x[2] = 0;
	ok(!lsq_slope(x, y, 2, &slope), "growth: points at one time have no slope");
	{
		/* large byte counts and times: centring keeps it exact */
		double bx[3] = { 1e12, 1e12 + 1000, 1e12 + 2000 };
		double by[3] = { 3e13, 3e13 + 5000, 3e13 + 10000 };

		res = lsq_slope(bx, by, 3, &slope);
		ok(res && fabs(slope - 5) < 1e-9,
		   "growth: large values keep their precision (slope %g)", slope);
	}
}

static char *series_text(const struct growth_series *g)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	growth_write(f, g);
	fclose(f);
	return out;
}

void test_growth_file(void)
{
	static struct growth_series g, h;
	static const char *const bad_files[] = {
		"",
		"leakmon-growth 2\nboot b\nend 0\n",
		"something else\nboot b\nend 0\n",
		"leakmon-growth 1\nboot b\ns 1 2 3 - -\n",		/* no end */
		"leakmon-growth 1\nboot b\ns 1 2 3 - -\nend 1",	/* no newline */
		"leakmon-growth 1\nboot b\ns 1 2 3 - -\nend 2\n",
		"leakmon-growth 1\nboot b\ns 5 2 3 - -\ns 5 2 3 - -\nend 2\n",
		"leakmon-growth 1\nboot b\ns 1 x 3 - -\nend 1\n",
		"leakmon-growth 1\nboot b\ns 1 -2 3 - -\nend 1\n",
		"leakmon-growth 1\nboot b\ns 1 2 - - -\nend 1\n",
		"leakmon-growth 1\nboot b\ns 1 2 3 4\nend 1\n",
		"leakmon-growth 1\nboot b\ns 1 2 3 4 5 6\nend 1\n",
		"leakmon-growth 1\nboot b\ns 1 99999999999999999999 3 4 5\nend 1\n",
		"leakmon-growth 1\nboot b\nend 0\ns 1 2 3 4 5\n",
		"leakmon-growth 1\nnoboot\nend 0\n",
		"leakmon-growth 1\nboot b\n\x01\xff\nend 0\n",
	};
	char why[200], *text;
	bool all_bad = true;

	mk_series(&g, 3, 1000, 60000, 100, 10, 200, -5);
	g.s[1].tracked_recl = 77;
	text = series_text(&g);
	ok(!growth_parse(text, &h, why, sizeof(why)) && h.n == 3 &&
	   !memcmp(h.s, g.s, sizeof(g.s[0]) * 3) && !strcmp(h.boot_id, "boot-1"),
	   "growth: state file round trip");
	ok(strstr(text, "s 1000 100 200 0 -\n") && strstr(text, "end 3\n"),
	   "growth: state file format (unknown bytes as '-')");
	free(text);

	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		why[0] = '\0';
		if (!growth_parse(bad_files[i], &h, why, sizeof(why)) || !why[0] ||
		    h.n) {
			diag("accepted: %s", bad_files[i]);
			all_bad = false;
		}
	}
	ok(all_bad, "growth: %zu corrupt or truncated files are refused with a reason",
	   sizeof(bad_files) / sizeof(bad_files[0]));

	/* append: minimum interval, order, thinning when full */
	mk_series(&g, 1, 1000, 0, 1, 0, 1, 0);
	{
		struct growth_sample s = g.s[0];
		bool all = true;

		s.t_ms = 1000 + 29999;
		ok(!growth_append(&g, &s, 30000) && g.n == 1,
		   "growth: a sample within the minimum interval is not added");
		s.t_ms = 500;
		ok(!growth_append(&g, &s, 0) && g.n == 1,
		   "growth: an older sample is not added");
		for (uint64_t i = 1; i < GROWTH_MAX_SAMPLES + 10; i++) {
			s.t_ms = 1000 + i * 30000;
			all &= growth_append(&g, &s, 30000);
		}
		ok(all && g.n <= GROWTH_MAX_SAMPLES &&
		   g.n >= GROWTH_MAX_SAMPLES * 3 / 4 &&
		   g.s[g.n - 1].t_ms == s.t_ms && g.s[0].t_ms == 1000,
		   "growth: a full series is thinned, keeping the oldest and newest (%zu samples)",
		   g.n);
		all = true;
		for (size_t i = 1; i < g.n; i++)
			all &= g.s[i].t_ms > g.s[i - 1].t_ms;
		ok(all, "growth: thinned series stays in order");
	}
}

void test_growth_fit(void)
{
	static struct growth_series g;
	struct growth_fit fit;
	double pct = -1;
	char why[200];
	bool res;

	/* SUnreclaim +1000 B and SReclaimable -250 B per minute, 61 samples */
	mk_series(&g, 61, 5000, 60000, 1000000000, 1000, 500000000, -250);
	growth_fit(&g, 3600, &fit);
	ok(fit.ok && fit.samples == 61 && fit.span_s == 3600 &&
	   fabs(fit.sunreclaim_per_h - 60000) < 1e-6 &&
	   fabs(fit.sreclaimable_per_h + 15000) < 1e-6 &&
	   fabs(fit.slab_per_h - 45000) < 1e-6,
	   "growth: fit over an hour: %.3f + %.3f = %.3f bytes/hour",
	   fit.sunreclaim_per_h, fit.sreclaimable_per_h, fit.slab_per_h);
	ok(!fit.tracked_ok && !growth_explained(&fit, &pct, why, sizeof(why)),
	   "growth: explained needs tracked bytes in the samples (%s)", why);

	for (size_t i = 0; i < g.n; i++)
		g.s[i].tracked_recl = 0;
	growth_fit(&g, 3600, &fit);
	/* tracked: +1000 B per sample = 60000 B/h of 45000 B/h: capped */
	res = growth_explained(&fit, &pct, why, sizeof(why));
	ok(fit.tracked_ok && fabs(fit.tracked_per_h - 60000) < 1e-6 &&
	   res && pct == 100,
	   "growth: explained is capped at 100%% (%.1f)", pct);
	for (size_t i = 0; i < g.n; i++)
		g.s[i].tracked_unrecl = i * 300;
	growth_fit(&g, 3600, &fit);
	res = growth_explained(&fit, &pct, why, sizeof(why));
	ok(res && fabs(pct - 40) < 1e-9,
	   "growth: explained share (%.3f%%, expected 40%%)", pct);

	/* the window: only the last 10 minutes (11 samples) */
	growth_fit(&g, 600, &fit);
	ok(fit.ok && fit.samples == 11 && fit.span_s == 600 &&
	   fabs(fit.sunreclaim_per_h - 60000) < 1e-6,
	   "growth: the window selects the newest samples (%zu)", fit.samples);

	mk_series(&g, 1, 5000, 0, 1, 0, 1, 0);
	growth_fit(&g, 3600, &fit);
	ok(!fit.ok && fit.samples == 1 && strstr(fit.why, "need 2"),
	   "growth: one sample gives no slope (%s)", fit.why);
	mk_series(&g, 3, 5000, 60000, 1, 1, 1, 1);
	growth_fit(&g, 3600, &fit);
	ok(!fit.ok && fit.samples == 3 && strstr(fit.why, "need 360 s"),
	   "growth: samples spanning too little of the window give no slope (%s)",
	   fit.why);
	g.n = 0;
	growth_fit(&g, 3600, &fit);
	ok(!fit.ok && fit.samples == 0, "growth: no samples, no slope (%s)",
	   fit.why);

	/* slab shrinking: nothing to explain */
	mk_series(&g, 61, 5000, 60000, 1000000, -10, 1000000, -10);
	for (size_t i = 0; i < g.n; i++)
		g.s[i].tracked_recl = 0;
	growth_fit(&g, 3600, &fit);
	ok(fit.ok && fit.slab_per_h < 0 &&
	   !growth_explained(&fit, &pct, why, sizeof(why)) &&
	   strstr(why, "not growing"),
	   "growth: a shrinking slab has no explained share (%s)", why);
}

static bool file_has(const char *path, const char *needle)
{
	char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, needle) != NULL;
}

void test_growth_state(void)
{
	static struct growth_series g;
	char dir[] = "/tmp/leakmon-unit.XXXXXX", path[256], warn[600], err[600];
	struct growth_sample s = { .t_ms = 100000, .sunreclaim = 4096,
				   .sreclaimable = 8192,
				   .tracked_unrecl = 10, .tracked_recl = 20 };
	int ret, status, nchild = 8;
	bool all_ok = true;
	FILE *f;

	if (!mkdtemp(dir)) {
		ok(false, "growth: mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/growth", dir);

	ret = growth_update(path, "boot-A", &s, false, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(!ret && g.n == 1 && strstr(warn, "no series yet") &&
	   file_has(path, "boot boot-A\ns 100000 4096 8192 10 20\nend 1\n"),
	   "growth: a missing state file starts a series (%s)", warn);

	s.t_ms += 10000;
	ret = growth_update(path, "boot-A", &s, false, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(!ret && g.n == 1 && !warn[0],
	   "growth: no sample within the minimum interval");
	s.t_ms += 30000;
	ret = growth_update(path, "boot-A", &s, true, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(!ret && g.n == 1 && file_has(path, "end 1\n"),
	   "growth: --no-sample reads without adding");
	ret = growth_update(path, "boot-A", &s, false, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(!ret && g.n == 2 && file_has(path, "end 2\n"),
	   "growth: a sample older than the minimum interval is added");

	ret = growth_update(path, "boot-B", &s, false, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(!ret && g.n == 1 && strstr(warn, "another boot") &&
	   file_has(path, "boot boot-B\n"),
	   "growth: a series of another boot is replaced (%s)", warn);

	f = fopen(path, "w");
	fputs("leakmon-growth 1\nboot boot-B\ns 1 2", f);
	fclose(f);
	ret = growth_update(path, "boot-B", &s, false, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(!ret && g.n == 1 && strstr(warn, "starting a new series") &&
	   file_has(path, "end 1\n"),
	   "growth: a corrupt state file is replaced with a warning (%s)", warn);

	/* concurrent callers: the file stays valid, samples in order */
	unlink(path);
	for (int i = 0; i < nchild; i++) {
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			static struct growth_series cg;
			struct growth_sample cs = s;
			char w[600], e[600];

			for (int k = 0; k < 20; k++) {
				cs.t_ms = 1000000 + (uint64_t)(k * nchild + i) * 40000;
				if (growth_update(path, "boot-C", &cs, false, &cg, w,
						  sizeof(w), e, sizeof(e)))
					_exit(1);
				if (strstr(w, "starting a new series"))
					_exit(2);	/* saw a corrupt file */
			}
			_exit(0);
		}
	}
	for (int i = 0; i < nchild; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			all_ok = false;
	}
	ret = growth_update(path, "boot-C", NULL, true, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(all_ok && !ret && !warn[0] && g.n >= 20,
	   "growth: %d concurrent writers leave a valid series (%zu samples)",
	   nchild, g.n);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd),
			 "test $(ls %s | wc -l) -eq 2", dir);	/* file + lock */
		ok(system(cmd) == 0,
		   "growth: no temporary files are left behind");
	}

	/* an unwritable place: an error, and the sample is still used */
	snprintf(path, sizeof(path), "%s/nodir/growth", dir);
	ret = growth_update(path, "boot-C", &s, false, &g, warn, sizeof(warn),
			    err, sizeof(err));
	ok(ret < 0 && err[0] && g.n == 1,
	   "growth: an unwritable state file is an error (%s)", err);

	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path))
		diag("cannot remove %s", dir);
}

static void write_file(const char *dir, const char *sub, const char *name,
		       const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

void test_mon_bytes(void)
{
	char dir[] = "/tmp/leakmon-slab.XXXXXX", cmd[256];
	struct mon_kind_bytes kb[LM_NKINDS];
	struct lm_totals t;
	uint64_t recl, unrecl;

	memset(&t, 0, sizeof(t));
	for (unsigned int k = 0; k < LM_NKINDS; k++) {
		t.kind[k].present = true;
		t.kind[k].live = 10;
	}
	if (!mkdtemp(dir)) {
		ok(false, "bytes: mkdtemp");
		return;
	}
	write_file(dir, "sock_inode_cache", "object_size", "768\n");
	write_file(dir, "sock_inode_cache", "reclaim_account", "1\n");
	write_file(dir, "lsm_file_cache", "object_size", "16\n");
	write_file(dir, "lsm_file_cache", "reclaim_account", "0\n");
	t.kind[LEAKMON_KIND_SK_BLOB].obj_size = 32;
	mon_bytes(&t, dir, kb, &recl, &unrecl);
	ok(kb[0].src == MON_SIZE_SLAB && kb[0].obj_size == 768 &&
	   kb[0].reclaimable && kb[1].src == MON_SIZE_SLAB &&
	   kb[1].obj_size == 16 && !kb[1].reclaimable &&
	   kb[2].src == MON_SIZE_KERNEL && kb[2].bytes == 320 &&
	   recl == 7680 && unrecl == 160 + 320,
	   "bytes: sizes from /sys/kernel/slab when the module has none, reclaimable split (%" PRIu64 " + %" PRIu64 ")",
	   recl, unrecl);
	t.kind[0].obj_size = 832;
	t.kind[LEAKMON_KIND_SK_BLOB].obj_size = 0;
	write_file(dir, "sock_inode_cache", "reclaim_account", "0\n");
	mon_bytes(&t, dir, kb, &recl, &unrecl);
	ok(kb[0].src == MON_SIZE_KERNEL && kb[0].obj_size == 832 &&
	   !kb[0].reclaimable && kb[2].src == MON_SIZE_UNKNOWN &&
	   kb[2].bytes == 0 && recl == 0 && unrecl == 8320 + 160,
	   "bytes: the module's size first; reclaim_account 0 counts as unreclaimable; unknown size counts 0");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		diag("cannot remove %s", dir);
}

static void mk_mon(struct mon *m, struct lm_owner *v, size_t n)
{
	memset(m, 0, sizeof(*m));
	m->g = calloc(1, sizeof(*m->g));
	m->m.has_sunreclaim = m->m.has_sreclaimable = true;
	m->m.sunreclaim_kb = 1000;
	m->m.sreclaimable_kb = 2000;
	for (unsigned int k = 0; k < LM_NKINDS; k++) {
		m->t.kind[k].present = true;
		m->t.kind[k].live = 100 * (k + 1);
		m->t.kind[k].orphans = 10 * (k + 1);
		m->t.kind[k].untracked_nomem = k;
		m->kb[k].obj_size = 8;
		m->kb[k].src = k ? MON_SIZE_UNKNOWN : MON_SIZE_KERNEL;
		m->kb[k].bytes = 800 * (k + 1);
		m->kb[k].reclaimable = !k;
	}
	m->tracked_recl = 800;
	m->tracked_unrecl = 4000;
	m->t.owners = (uint32_t)n;
	m->o.owner = v;
	m->o.n = n;
	mk_series(m->g, 61, 5000, 60000, 1000000000, 1000, 500000000, 0);
	for (size_t i = 0; i < m->g->n; i++)
		m->g->s[i].tracked_recl = 0;
	growth_fit(m->g, 3600, &m->fit);
}

static char *check_out(const struct mon *m, const char *key, uint64_t arg,
		       int *rc, char *err, size_t errsize)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	*rc = check_value(f, m, check_find(key), arg, 2, err, errsize);
	fclose(f);
	return out;
}

void test_check_values(void)
{
	struct lm_owner v[] = {
		mk_owner(10, 1, 0, 1, false, 5, 0),
		mk_owner(20, 2, 33, 1, true, 300, 300),	/* the leak */
		mk_owner(30, 3, 33, 1, false, 50, 1),
		mk_owner(20, 9, 33, 1, false, 1, 0),	/* reused tgid */
	};
	static const struct { const char *key; uint64_t arg; const char *want; } cases[] = {
		{ "sunreclaim", 0, "1024000\n" },
		{ "sreclaimable", 0, "2048000\n" },
		{ "slab.growth", 0, "60000\n" },
		{ "slab.growth.unreclaimable", 0, "60000\n" },
		{ "slab.growth.reclaimable", 0, "0\n" },
		{ "slab.growth.window", 0, "3600\n" },
		{ "slab.growth.samples", 0, "61\n" },
		{ "explained", 0, "100.0\n" },
		{ "live", 0, "600\n" },
		{ "live.sock", 0, "100\n" },
		{ "live.blob", 0, "500\n" },
		{ "live.fblob", 0, "200\n" },
		{ "live.skblob", 0, "300\n" },
		{ "exited", 0, "60\n" },
		{ "owners", 0, "4\n" },
		{ "untracked", 0, "3\n" },
		{ "incomplete", 0, "1\n" },
		{ "tracked.bytes", 0, "4800\n" },
		{ "tracked.bytes.reclaimable", 0, "800\n" },
		{ "tracked.bytes.unreclaimable", 0, "4000\n" },
		{ "top.live", 0, "600\n" },
		{ "owner.live", 20, "601\n" },
		{ "owner.exited", 20, "600\n" },
		{ "owner.live", 99, "0\n" },
		{ "uid.live", 33, "652\n" },
		{ "uid.exited", 33, "600\n" },
		{ "uid.exited", 0, "0\n" },
	};
	struct mon m;
	char err[600], *out;
	bool all = true;
	int rc;

	mk_mon(&m, v, 4);
	snprintf(v[1].comm, sizeof(v[1].comm), "apache2");
	snprintf(v[0].comm, sizeof(v[0].comm), "a\nb");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = check_out(&m, cases[i].key, cases[i].arg, &rc, err,
				sizeof(err));
		if (rc || strcmp(out, cases[i].want)) {
			diag("check %s %" PRIu64 ": rc %d, '%s', expected '%s' (%s)",
			     cases[i].key, cases[i].arg, rc, out, cases[i].want,
			     err);
			all = false;
		}
		free(out);
	}
	ok(all, "check: %zu keys give their value", sizeof(cases) / sizeof(cases[0]));
	ok(!check_find("orphans") && !check_find("owner.orphans") &&
	   !check_find("uid.orphans") && check_renamed("orphans") &&
	   strstr(check_renamed("orphans"), "'unreachable'") &&
	   strstr(check_renamed("orphans"), "'exited'") &&
	   strstr(check_renamed("owner.orphans"), "'owner.unreachable'") &&
	   strstr(check_renamed("owner.orphans"), "'owner.exited'") &&
	   strstr(check_renamed("uid.orphans"), "'uid.unreachable'") &&
	   strstr(check_renamed("uid.orphans"), "'uid.exited'") &&
	   !check_renamed("exited") && !check_renamed("frob"),
	   "check: the keys of earlier versions are refused, naming the new ones");
	for (size_t i = 0; i < check_nkeys; i++)
		if (strstr(check_keys[i].name, "orphan") ||
		    strstr(check_keys[i].help, "orphan"))
			all = false;
	ok(all, "check: no key is called or described 'orphan' any more");

	out = check_out(&m, "top.owner", 0, &rc, err, sizeof(err));
	ok(!rc && !strcmp(out, "apache2\n"), "check: top.owner names the largest owner");
	free(out);

	out = check_out(&m, "discovery.owners", 0, &rc, err, sizeof(err));
	ok(!rc && json_valid(out) && strstr(out, "\"{#TGID}\": \"20\"") &&
	   strstr(out, "\"{#COMM}\": \"apache2\"") &&
	   strstr(out, "\"{#STATE}\": \"exited\"") &&
	   strstr(out, "\"{#TGID}\": \"30\"") && !strstr(out, "\"10\"") &&
	   out[0] == '[',
	   "check: discovery.owners: top 2, one entry per tgid, valid LLD JSON");
	free(out);
	out = check_out(&m, "discovery.uids", 0, &rc, err, sizeof(err));
	ok(!rc && json_valid(out) && strstr(out, "\"{#UID}\": \"33\"") &&
	   strstr(out, "\"{#UID}\": \"0\""),
	   "check: discovery.uids is valid LLD JSON");
	free(out);

	m.g->n = 1;
	growth_fit(m.g, 3600, &m.fit);
	out = check_out(&m, "slab.growth", 0, &rc, err, sizeof(err));
	ok(rc == EXIT_NODATA && !out[0] && strstr(err, "need 2"),
	   "check: slab.growth with one sample exits %d without a value (%s)",
	   EXIT_NODATA, err);
	free(out);
	out = check_out(&m, "explained", 0, &rc, err, sizeof(err));
	ok(rc == EXIT_NODATA && !out[0], "check: explained too (%s)", err);
	free(out);
	out = check_out(&m, "slab.growth.samples", 0, &rc, err, sizeof(err));
	ok(!rc && !strcmp(out, "1\n"), "check: slab.growth.samples still answers");
	free(out);
	free(m.g);
}

/* Lines of the Prometheus text format, and families kept together */
static bool prom_valid(const char *text, int *samples)
{
	char names[64][80];
	int nnames = 0;
	const char *p = text;
	char cur[80] = "";

	*samples = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		char line[1024], name[80];
		size_t len;

		if (!nl)
			return false;
		len = (size_t)(nl - p);
		if (len >= sizeof(line))
			return false;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl + 1;
		if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7)) {
			if (sscanf(line + 7, "%79s", name) != 1)
				return false;
		} else {
			const char *q = line;
			char *end;

			while (*q == '_' || *q == ':' || (*q >= 'a' && *q <= 'z') ||
			       (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9'))
				q++;
			if (q == line || (size_t)(q - line) >= sizeof(name))
				return false;
			memcpy(name, line, (size_t)(q - line));
			name[q - line] = '\0';
			if (*q == '{') {
				/* label="value" pairs, escaped */
				q++;
				while (*q != '}') {
					while (*q && *q != '=')
						q++;
					if (q[0] != '=' || q[1] != '"')
						return false;
					for (q += 2; *q && *q != '"'; q++)
						if (*q == '\\' && !*++q)
							return false;
					if (*q++ != '"')
						return false;
					if (*q == ',')
						q++;
				}
				q++;
			}
			if (*q++ != ' ')
				return false;
			strtod(q, &end);
			if (end == q || *end)
				return false;
			(*samples)++;
		}
		if (strcmp(name, cur)) {
			for (int i = 0; i < nnames; i++)
				if (!strcmp(names[i], name))
					return false;	/* family split */
			if (nnames < 64)
				snprintf(names[nnames++], sizeof(names[0]), "%s", name);
			snprintf(cur, sizeof(cur), "%s", name);
		}
	}
	return true;
}

void test_prometheus(void)
{
	struct lm_owner v[6];
	struct mon m;
	char *out = NULL;
	size_t len = 0;
	int samples = 0;
	bool valid;
	FILE *f;

	for (int i = 0; i < 6; i++)
		v[i] = mk_owner((uint32_t)(100 + i), 1, (uint32_t)i, 1, i == 5,
				(uint64_t)(10 * (i + 1)), 0);
	snprintf(v[5].comm, sizeof(v[5].comm), "ap\"a\\c\nhe\xff");
	mk_mon(&m, v, 6);
	m.totals_rc = EXIT_OK;
	m.owners_rc = EXIT_OK;
	f = open_memstream(&out, &len);
	prom_write(f, &m, 2);
	fclose(f);
	valid = prom_valid(out, &samples);
	ok(valid && samples > 20,
	   "prometheus: text format, families together (%d samples)", samples);
	ok(strstr(out, "leakmon_up 1\n") &&
	   strstr(out, "leakmon_slab_bytes{type=\"unreclaimable\"} 1024000\n") &&
	   strstr(out, "leakmon_slab_growth_bytes_per_hour{type=\"unreclaimable\"} 60000\n") &&
	   strstr(out, "leakmon_live_objects{kind=\"sock_inode\"} 100\n") &&
	   strstr(out, "leakmon_object_size_bytes{kind=\"sock_inode\",source=\"kernel\"} 8\n") &&
	   strstr(out, "leakmon_tracked_bytes{kind=\"sock_inode\",type=\"reclaimable\"} 800\n") &&
	   strstr(out, "# TYPE leakmon_untracked_total counter\n"),
	   "prometheus: totals, slab, growth, sizes");
	ok(strstr(out, "comm=\"ap\\\"a\\\\c\\nhe\xef\xbf\xbd\"") != NULL,
	   "prometheus: label values escaped, invalid UTF-8 replaced");
	/* top 2 by live (105, 104) + 105 exited; the rest in "other" */
	ok(strstr(out, "leakmon_owner_live_objects{tgid=\"105\"") &&
	   strstr(out, "leakmon_owner_live_objects{tgid=\"104\"") &&
	   !strstr(out, "tgid=\"103\"") &&
	   strstr(out, "leakmon_owner_live_objects{tgid=\"other\",comm=\"other\",uid=\"other\",state=\"other\",user=\"other\"} 100\n") &&
	   strstr(out, "leakmon_uid_live_objects{uid=\"other\",user=\"other\"} 100\n"),
	   "prometheus: top-K owners and users plus an \"other\" row");
	ok(!strstr(out, "unreachable_objects{tgid") &&
	   !strstr(out, "unreachable_objects{uid"),
	   "prometheus: no owner or user unreachable rows before a pass");
	free(out);

	/* after a pass: 101 leaked 7, so it gets a row of its own */
	for (int i = 0; i < 6; i++)
		v[i].kind[0].scanned = true;
	v[1].kind[0].unreachable = 7;
	out = NULL;
	f = open_memstream(&out, &len);
	prom_write(f, &m, 2);
	fclose(f);
	{
		const char *u = strstr(out, "\nleakmon_owner_unreachable_objects{tgid=\"101\",");
		const char *x = strstr(out, "\nleakmon_owner_unreachable_objects{tgid=\"105\",");
		const char *nl = u ? strchr(u + 1, '\n') : NULL;

		ok(prom_valid(out, &samples) && nl && !strncmp(nl - 2, " 7", 2) &&
		   x && strstr(out, "leakmon_owner_live_objects{tgid=\"101\",") &&
		   strstr(out, "leakmon_owner_unreachable_objects{tgid=\"other\",comm=\"other\",uid=\"other\",state=\"other\",user=\"other\"} 0\n") &&
		   strstr(out, "# TYPE leakmon_uid_unreachable_objects gauge\n") &&
		   strstr(out, "leakmon_uid_unreachable_objects{uid=\"other\",user=\"other\"} 0\n"),
		   "prometheus: after a pass, owner and user unreachable rows; the leaking owner among the rows");
	}
	free(out);
	v[1].kind[0].unreachable = 0;

	out = NULL;
	m.totals_rc = EXIT_NOMODULE;
	m.g->n = 1;
	growth_fit(m.g, 3600, &m.fit);
	f = open_memstream(&out, &len);
	prom_write(f, &m, 2);
	fclose(f);
	ok(prom_valid(out, &samples) && strstr(out, "leakmon_up 0\n") &&
	   !strstr(out, "live_objects") && !strstr(out, "bytes_per_hour") &&
	   strstr(out, "leakmon_slab_growth_samples 1\n"),
	   "prometheus: without the module, slab metrics only");
	free(out);
	free(m.g);
}
