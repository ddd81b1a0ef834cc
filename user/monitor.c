// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Shared by check, prometheus and growth: one snapshot of the module, the
 * slab memory, the bytes held by tracked objects and the growth series.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "growth.h"
#include "monitor.h"
#include "status.h"
#include "top_model.h"

#define MEMINFO_PATH "/proc/meminfo"

const char *mon_size_src_name(enum mon_size_src src)
{
	switch (src) {
	case MON_SIZE_KERNEL:
		return "kernel";
	case MON_SIZE_SLAB:
		return "slab";
	default:
		return "unknown";
	}
}

/* The slab cache of each kind, when it has its own */
static const char *const kind_cache[LM_NKINDS] = {
	[LEAKMON_KIND_SOCK_INODE]	= "sock_inode_cache",
	[LEAKMON_KIND_FILE_BLOB]	= "lsm_file_cache",
};

static bool read_sysfs_u64(const char *dir, const char *cache,
			   const char *file, uint64_t *v)
{
	char path[512], line[64], *end;
	FILE *f;
	bool ok = false;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, cache, file);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fgets(line, sizeof(line), f)) {
		errno = 0;
		*v = strtoull(line, &end, 10);
		ok = !errno && end != line && (*end == '\n' || !*end);
	}
	fclose(f);
	return ok;
}

void mon_bytes(const struct lm_totals *t, const char *slab_dir,
	       struct mon_kind_bytes kb[LM_NKINDS], uint64_t *recl,
	       uint64_t *unrecl)
{
	*recl = *unrecl = 0;
	for (unsigned int k = 0; k < LM_NKINDS; k++) {
		const struct lm_kind_totals *kt = &t->kind[k];
		struct mon_kind_bytes *b = &kb[k];
		uint64_t v;

		memset(b, 0, sizeof(*b));
		b->reclaimable = k == LEAKMON_KIND_SOCK_INODE;
		if (kind_cache[k] &&
		    read_sysfs_u64(slab_dir, kind_cache[k], "reclaim_account", &v))
			b->reclaimable = v != 0;
		if (kt->obj_size) {
			b->obj_size = kt->obj_size;
			b->src = MON_SIZE_KERNEL;
		} else if (kind_cache[k] &&
			   read_sysfs_u64(slab_dir, kind_cache[k], "object_size",
					  &v) && v && v <= UINT32_MAX) {
			b->obj_size = (uint32_t)v;
			b->src = MON_SIZE_SLAB;
		}
		if (!kt->present)
			continue;
		b->bytes = kt->live * b->obj_size;
		if (b->reclaimable)
			*recl += b->bytes;
		else
			*unrecl += b->bytes;
	}
}

uint64_t mon_live(const struct lm_totals *t)
{
	uint64_t v = 0;

	for (unsigned int k = 0; k < LM_NKINDS; k++)
		if (t->kind[k].present)
			v += t->kind[k].live;
	return v;
}

/* Live objects of exited owners (the kernel's ORPHANS attributes) */
uint64_t mon_exited(const struct lm_totals *t)
{
	uint64_t v = 0;

	for (unsigned int k = 0; k < LM_NKINDS; k++)
		if (t->kind[k].present)
			v += t->kind[k].orphans;
	return v;
}

uint64_t mon_untracked(const struct lm_totals *t)
{
	uint64_t v = 0;

	for (unsigned int k = 0; k < LM_NKINDS; k++)
		if (t->kind[k].present)
			v += kind_untracked(&t->kind[k]);
	return v;
}

static int module_rc(int status, const struct lm_error *e)
{
	switch (status) {
	case LM_OK:
		return EXIT_OK;
	case LM_ERR_NOFAMILY:
		return EXIT_NOMODULE;
	case LM_ERR_KERNEL:
		return e->err == EPERM || e->err == EACCES ? EXIT_PERM :
		       EXIT_RUNTIME;
	case LM_ERR_PROTO:
		return EXIT_PROTO;
	default:
		return EXIT_RUNTIME;
	}
}

/* Record the first module failure; returns its exit code */
static int module_fail(struct mon *m, const char *op, int status,
		       const struct lm_error *e)
{
	if (!m->mod_op) {
		m->mod_op = op;
		m->mod_status = status;
		m->mod_err = *e;
	}
	return module_rc(status, e);
}

int mon_module_error(const struct mon *m)
{
	if (!m->mod_op)
		return EXIT_OK;
	return cli_fail(m->mod_op, m->mod_status, &m->mod_err);
}

static void mon_module(struct mon *m, const struct mon_opts *o)
{
	struct lm_handle *h;
	struct lm_error err;
	int ret;

	m->totals_rc = m->owners_rc = EXIT_RUNTIME;
	memset(&err, 0, sizeof(err));
	ret = lm_open(&h, &err);
	if (ret != LM_OK) {
		m->totals_rc = m->owners_rc = module_fail(m, "open", ret, &err);
		return;
	}
	ret = lm_get_totals(h, &m->t);
	m->totals_rc = ret == LM_OK ? EXIT_OK :
		       module_fail(m, "get totals", ret, lm_last_error(h));
	if (o->need_owners && m->totals_rc == EXIT_OK) {
		ret = lm_dump_owners(h, &m->o);
		m->owners_rc = ret == LM_OK ? EXIT_OK :
			       module_fail(m, "dump owners", ret,
					   lm_last_error(h));
		if (ret == LM_OK && m->o.interrupted)
			m->owners_torn = true;
	}
	lm_close(h);
}

int mon_parse_opt(const char *cmd, int c, const char *arg,
		  struct mon_opts *o)
{
	uint64_t v;
	int rc;

	switch (c) {
	case 's':
		if (!*arg)
			return cli_usage_error(cmd, "--state: empty file name");
		o->state = arg;
		return EXIT_OK;
	case 'w':
		rc = cli_parse_num(cmd, "--window", arg, GROWTH_MIN_WINDOW_S,
				   GROWTH_MAX_WINDOW_S, &v);
		if (!rc)
			o->window_s = v;
		return rc;
	case 'S':
		o->no_sample = true;
		return EXIT_OK;
	default:
		return 1;
	}
}

int mon_collect_report(const char *cmd, struct mon *m,
		       const struct mon_opts *o)
{
	if (mon_collect(m, o)) {
		fprintf(stderr, "leakmon: %s: out of memory\n", cmd);
		return EXIT_RUNTIME;
	}
	if (m->state_warn[0])
		fprintf(stderr, "leakmon: %s: note: %s\n", cmd, m->state_warn);
	if (m->state_err)
		fprintf(stderr, "leakmon: %s: warning: %s\n", cmd, m->state_msg);
	return EXIT_OK;
}

int mon_collect(struct mon *m, const struct mon_opts *o)
{
	const char *meminfo = getenv("LEAKMON_MEMINFO");
	struct growth_sample s;
	char boot[GROWTH_BOOT_ID_SIZE];
	int ret;

	memset(m, 0, sizeof(*m));
	m->g = calloc(1, sizeof(*m->g));
	if (!m->g)
		return -ENOMEM;
	mon_module(m, o);
	if (m->totals_rc == EXIT_OK)
		mon_bytes(&m->t, MON_SLAB_DIR, m->kb, &m->tracked_recl,
			  &m->tracked_unrecl);
	m->meminfo_err = read_meminfo(meminfo && *meminfo ? meminfo :
				      MEMINFO_PATH, &m->m);
	if (!m->meminfo_err && !m->m.has_sunreclaim)
		m->meminfo_err = -ENODATA;

	ret = o->state ? (snprintf(m->state, sizeof(m->state), "%s", o->state),
			  0) :
	      growth_default_path(m->state, sizeof(m->state), m->state_msg,
				  sizeof(m->state_msg));
	if (ret) {
		m->state_err = ret;
		growth_fit(m->g, o->window_s, &m->fit);
		return 0;
	}
	memset(&s, 0, sizeof(s));
	s.t_ms = boottime_ns() / 1000000;
	s.sunreclaim = m->m.sunreclaim_kb * 1024;
	s.sreclaimable = m->m.sreclaimable_kb * 1024;
	s.tracked_unrecl = m->totals_rc == EXIT_OK ? m->tracked_unrecl :
			   GROWTH_UNKNOWN;
	s.tracked_recl = m->totals_rc == EXIT_OK ? m->tracked_recl :
			 GROWTH_UNKNOWN;
	growth_boot_id(boot, sizeof(boot));
	m->state_err = growth_update(m->state, boot,
				     m->meminfo_err ? NULL : &s, o->no_sample,
				     m->g, m->state_warn,
				     sizeof(m->state_warn), m->state_msg,
				     sizeof(m->state_msg));
	growth_fit(m->g, o->window_s, &m->fit);
	return 0;
}

void mon_free(struct mon *m)
{
	lm_owners_free(&m->o);
	free(m->g);
	m->g = NULL;
}

int mon_rows(const struct lm_owners *o, bool by_uid, unsigned int topk,
	     struct top_rows *r, bool **selp)
{
	bool *sel, *mark;
	size_t n;

	if (top_build(o, NULL, 0, by_uid ? TOP_BY_UID : TOP_BY_TASK, r))
		return -ENOMEM;
	n = r->n;
	sel = calloc(n + 1, sizeof(*sel));
	mark = calloc(n + 1, sizeof(*mark));
	if (!sel || !mark) {
		free(sel);
		free(mark);
		top_rows_free(r);
		return -ENOMEM;
	}
	/*
	 * the most unreachable (leaked) objects first, then the most objects
	 * of exited owners: remember them by key and start time
	 */
	top_sort(r, TOP_SORT_UNREACHABLE);
	for (size_t i = 0; i < n && i < topk &&
	     (r->row[i].unreachable || r->row[i].exited); i++)
		mark[i] = true;
	for (size_t i = 0; i < n; i++)
		if (mark[i])
			r->row[i].rate = 1;	/* rate is unused without prev */
	top_sort(r, TOP_SORT_LIVE);
	for (size_t i = 0; i < n; i++) {
		sel[i] = i < topk || r->row[i].rate == 1;
		r->row[i].rate = 0;
		/* one row per id: a reused tgid keeps the first (largest) */
		for (size_t j = 0; sel[i] && j < i; j++)
			if (sel[j] && r->row[j].key == r->row[i].key)
				sel[i] = false;
	}
	free(mark);
	*selp = sel;
	return 0;
}
