/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Slab growth: a series of samples of SUnreclaim, SReclaimable and the
 * bytes held by tracked objects, kept in a small state file, and the
 * least-squares slope over a window.
 *
 * State file (text, one sample a line, replaced by atomic rename while
 * FILE.lock is flock()ed):
 *
 *	leakmon-growth 1
 *	boot <boot id>
 *	s <t_ms> <sunreclaim> <sreclaimable> <tracked_unrecl|-> <tracked_recl|->
 *	...
 *	end <number of samples>
 *
 * t_ms is CLOCK_BOOTTIME in milliseconds, the others are bytes; "-" is
 * unknown (module not loaded).  A file of another boot is discarded.
 */
#ifndef LEAKMON_GROWTH_H
#define LEAKMON_GROWTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GROWTH_MAGIC		"leakmon-growth"
#define GROWTH_VERSION		1
#define GROWTH_MAX_SAMPLES	1024	/* then the older half is thinned */
#define GROWTH_MIN_INTERVAL_MS	30000	/* no new sample before this */
#define GROWTH_DEFAULT_WINDOW_S	3600
#define GROWTH_MIN_WINDOW_S	60
#define GROWTH_MAX_WINDOW_S	(7 * 86400)
#define GROWTH_MIN_SPAN_S	60	/* and at least a tenth of the window */
#define GROWTH_BOOT_ID_SIZE	64
#define GROWTH_UNKNOWN		UINT64_MAX

struct growth_sample {
	uint64_t t_ms;			/* CLOCK_BOOTTIME */
	uint64_t sunreclaim;		/* bytes */
	uint64_t sreclaimable;		/* bytes */
	uint64_t tracked_unrecl;	/* bytes, GROWTH_UNKNOWN if unknown */
	uint64_t tracked_recl;		/* bytes, GROWTH_UNKNOWN if unknown */
};

struct growth_series {
	char boot_id[GROWTH_BOOT_ID_SIZE];
	size_t n;
	struct growth_sample s[GROWTH_MAX_SAMPLES];
};

/* Least-squares line through (x[i], y[i]); false if undefined */
bool lsq_slope(const double *x, const double *y, size_t n, double *slope);

/*
 * Parse a state file's text.  Returns 0, or -EINVAL with a reason in why
 * (corrupt, wrong version, samples out of order...).
 */
int growth_parse(const char *text, struct growth_series *g, char *why,
		 size_t whysize);
/* Write the series in the format above */
int growth_write(FILE *f, const struct growth_series *g);
/*
 * Append s unless the newest sample is younger than min_interval_ms
 * (returns false then); when full, every second sample of the older half
 * is dropped first.
 */
bool growth_append(struct growth_series *g, const struct growth_sample *s,
		   uint64_t min_interval_ms);

/* Slopes over the window ending at the newest sample */
struct growth_fit {
	bool ok;			/* slopes are defined */
	char why[160];			/* why not, when !ok */
	size_t samples;			/* samples in the window */
	double span_s;			/* newest - oldest in the window */
	uint64_t window_s;		/* requested */
	uint64_t newest_ms;		/* newest sample (0 if none) */
	double sunreclaim_per_h;	/* bytes per hour */
	double sreclaimable_per_h;
	double slab_per_h;		/* sum of the two */
	/* tracked bytes: from the samples that have them */
	bool tracked_ok;
	size_t tracked_samples;
	double tracked_unrecl_per_h;
	double tracked_recl_per_h;
	double tracked_per_h;
};

void growth_fit(const struct growth_series *g, uint64_t window_s,
		struct growth_fit *fit);
/*
 * Share of the slab growth that tracked objects explain, in percent
 * (0..100); false with a reason if not defined (no fit, slab not growing).
 */
bool growth_explained(const struct growth_fit *fit, double *pct, char *why,
		      size_t whysize);

/* ---- the state file ---- */

struct growth_opts {
	const char *state;		/* NULL: default path */
	uint64_t window_s;
	bool no_sample;			/* read the series, add nothing */
};

/*
 * Default state file: $LEAKMON_STATE, else /run/leakmon/growth for root,
 * else ${XDG_RUNTIME_DIR:-/tmp}/leakmon-<uid>/growth.  Directories are
 * created (0755 for /run/leakmon, 0700 otherwise); a private directory
 * that is not ours, or is a symbolic link, is refused.
 */
int growth_default_path(char *buf, size_t size, char *err, size_t errsize);

/*
 * Load the series from path under its lock, append s (unless o->no_sample
 * or s is NULL, or too recent), and write it back.  A missing file starts
 * a new series; a corrupt one or one from another boot is replaced, with
 * a warning in warn.  Returns 0, or -errno with a message in err when the
 * file cannot be read or written (g then holds what could be read plus s).
 */
int growth_update(const char *path, const char *boot_id,
		  const struct growth_sample *s, bool no_sample,
		  struct growth_series *g, char *warn, size_t warnsize,
		  char *err, size_t errsize);

/* /proc/sys/kernel/random/boot_id, or "" */
void growth_boot_id(char *buf, size_t size);

#endif /* LEAKMON_GROWTH_H */
