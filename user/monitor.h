/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What `leakmon check`, `leakmon prometheus` and `leakmon growth` report:
 * module totals, owners, slab memory, bytes held by tracked objects and
 * the slab growth series.
 */
#ifndef LEAKMON_MONITOR_H
#define LEAKMON_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "growth.h"
#include "leakmon_nl.h"

#define MON_SLAB_DIR		"/sys/kernel/slab"
#define MON_DEFAULT_TOPK	10
#define MON_MAX_TOPK		1000

enum mon_size_src {
	MON_SIZE_UNKNOWN,	/* no size: bytes count as 0 */
	MON_SIZE_KERNEL,	/* obj_size from the module (ksize()) */
	MON_SIZE_SLAB,		/* /sys/kernel/slab/<cache>/object_size */
};

struct mon_kind_bytes {
	uint32_t obj_size;
	enum mon_size_src src;
	bool reclaimable;	/* counted in SReclaimable */
	uint64_t bytes;		/* live * obj_size */
};

struct mon {
	/* module: totals_rc is EXIT_OK when t is valid */
	int totals_rc;
	struct lm_totals t;
	int owners_rc;			/* EXIT_OK when o is valid */
	struct lm_owners o;
	bool owners_torn;		/* dump still torn after retries */
	const char *mod_op;		/* first module failure, or NULL */
	int mod_status;
	struct lm_error mod_err;
	struct meminfo m;
	int meminfo_err;		/* -errno, 0 if read */
	struct mon_kind_bytes kb[LM_NKINDS];
	uint64_t tracked_recl, tracked_unrecl;	/* bytes, valid with t */
	/* growth */
	char state[4096];
	struct growth_series *g;	/* malloc'ed */
	struct growth_fit fit;
	int state_err;			/* -errno from the state file */
	char state_msg[4400];		/* why the state file failed */
	char state_warn[4400];		/* replaced or new series */
};

struct mon_opts {
	const char *state;		/* NULL: growth_default_path() */
	uint64_t window_s;
	bool no_sample;
	bool need_owners;
};

/* "kernel", "slab", "unknown" */
const char *mon_size_src_name(enum mon_size_src src);
/*
 * Sizes and bytes per kind from t: the module's obj_size, else
 * slab_dir/<cache>/object_size (sock_inode_cache, lsm_file_cache);
 * reclaimable from slab_dir/<cache>/reclaim_account when present, else
 * sock_inode reclaimable and blobs not.
 */
void mon_bytes(const struct lm_totals *t, const char *slab_dir,
	       struct mon_kind_bytes kb[LM_NKINDS], uint64_t *recl,
	       uint64_t *unrecl);

/*
 * Gather everything: totals (and owners if asked), meminfo
 * ($LEAKMON_MEMINFO or /proc/meminfo), then a growth sample and the fit.
 * Module failures are recorded in totals_rc/owners_rc (exit codes) and
 * printed by mon_module_error(); state file failures in
 * state_err/state_msg.  Returns 0 or -ENOMEM.
 */
int mon_collect(struct mon *m, const struct mon_opts *o);
/*
 * The options check, growth and prometheus share: -s/--state FILE,
 * -w/--window SECONDS and --no-sample ('S').  Returns 1 when c is not one
 * of them, else EXIT_OK or the usage error's exit code.
 */
int mon_parse_opt(const char *cmd, int c, const char *arg,
		  struct mon_opts *o);
/*
 * mon_collect() for command cmd, with the state file's note and warning
 * on stderr; EXIT_RUNTIME (after saying so) when out of memory.
 */
int mon_collect_report(const char *cmd, struct mon *m,
		       const struct mon_opts *o);
/* Print the first module failure; returns its exit code (EXIT_OK: none) */
int mon_module_error(const struct mon *m);
void mon_free(struct mon *m);

struct top_rows;
/*
 * Rows per owner (or per uid) sorted by live objects, and in *sel (malloc'ed,
 * one flag per row) the rows to show: the first topk by live objects and
 * the first topk with unreachable objects or objects of exited owners (by
 * unreachable, then exited), one per tgid (uid).  Returns 0 or -ENOMEM.
 */
int mon_rows(const struct lm_owners *o, bool by_uid, unsigned int topk,
	     struct top_rows *r, bool **sel);

/* Sum over kinds */
uint64_t mon_live(const struct lm_totals *t);
uint64_t mon_exited(const struct lm_totals *t);
uint64_t mon_untracked(const struct lm_totals *t);

/* ---- leakmon check ---- */

enum check_need {
	CHECK_NEED_MEMINFO	= 1 << 0,
	CHECK_NEED_TOTALS	= 1 << 1,
	CHECK_NEED_OWNERS	= 1 << 2,
	CHECK_NEED_GROWTH	= 1 << 3,
	CHECK_NEED_ARG		= 1 << 4,
};

struct check_key {
	const char *name;
	unsigned int need;		/* CHECK_NEED_* */
	const char *arg;		/* name of the argument, or NULL */
	const char *unit;		/* for the help and docs */
	const char *help;
};

extern const struct check_key check_keys[];
extern const size_t check_nkeys;
const struct check_key *check_find(const char *name);
/* For a key of an earlier version: what it became (one line), else NULL */
const char *check_renamed(const char *name);

/*
 * Print the value of key (with arg, already validated) from m to f.
 * Returns EXIT_OK, or an exit code with the reason written to err.
 */
int check_value(FILE *f, const struct mon *m, const struct check_key *key,
		uint64_t arg, unsigned int topk, char *err, size_t errsize);

/* ---- leakmon prometheus ---- */

/* node_exporter textfile format; owners limited to topk rows + "other" */
void prom_write(FILE *f, const struct mon *m, unsigned int topk);
/* Label value escaping (\\, \", \n) with invalid UTF-8 as U+FFFD */
void prom_label_value(FILE *f, const char *s);

#endif /* LEAKMON_MONITOR_H */
