/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Axis ticks and labels for `leakmon graph`: "nice" steps (1, 2, 5 x 10^k)
 * for counts and bytes, and clock-aligned steps for time.
 */
#ifndef LEAKMON_AXIS_H
#define LEAKMON_AXIS_H

#include <stdbool.h>
#include <stddef.h>

#define AXIS_MAX_TICKS	32

struct axis {
	double lo, hi;			/* the axis range, ticks included */
	double step;
	size_t n;
	double tick[AXIS_MAX_TICKS];
};

/*
 * Ticks covering [lo, hi] with at most max_ticks (2..AXIS_MAX_TICKS)
 * ticks at multiples of a nice step; the range is widened to the outer
 * ticks.  lo == hi gives a unit range around the value.  With
 * binary, steps are 1, 2, 4, 8... 512 x 1024^k and 1/2/5 below 1 kiB
 * (byte axes), otherwise 1, 2, 5 x 10^k.
 */
void axis_nice(struct axis *a, double lo, double hi, size_t max_ticks,
	       bool binary);
/*
 * Time ticks within [t0, t1] (Unix seconds, not widened) at multiples of
 * 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1 day...
 * of local time, at most max_ticks of them.
 */
void axis_time(struct axis *a, double t0, double t1, size_t max_ticks);
/* "14:02:10" (step < 1 min), "14:02", with "05-01 " before when span >= 1 day */
void axis_time_label(char *buf, size_t size, double t, double step,
		     double span);
/* 0, 950, 1.5k, 20k, 1.2M ... (powers of 1000) */
void axis_count_label(char *buf, size_t size, double v);
/* "512 KiB", "1.5 MiB" (powers of 1024, decimals as the step needs) */
void axis_bytes_label(char *buf, size_t size, double v, double step);

#endif /* LEAKMON_AXIS_H */
