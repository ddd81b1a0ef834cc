// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Axis ticks and labels: see axis.h */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "axis.h"

static double nice_step(double raw, bool binary)
{
	static const double dec[] = { 1, 2, 5, 10 };
	double p;

	if (!(raw > 0))
		return 1;
	if (binary && raw >= 1024) {
		double unit = 1024;

		while (raw / unit >= 1024)
			unit *= 1024;
		/* 1, 2, 4 ... 512 of the unit */
		for (double m = 1; m <= 1024; m *= 2)
			if (m * unit >= raw)
				return m * unit;
		return 1024 * unit;
	}
	p = pow(10, floor(log10(raw)));
	for (size_t i = 0; i < sizeof(dec) / sizeof(dec[0]); i++)
		if (dec[i] * p >= raw * (1 - 1e-9))
			return dec[i] * p;
	return 10 * p;
}

void axis_nice(struct axis *a, double lo, double hi, size_t max_ticks,
	       bool binary)
{
	double step, first, last;

	if (max_ticks < 2)
		max_ticks = 2;
	if (max_ticks > AXIS_MAX_TICKS)
		max_ticks = AXIS_MAX_TICKS;
	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	if (lo > hi) {
		double t = lo;

		lo = hi;
		hi = t;
	}
	if (hi == lo) {
		if (lo == 0) {
			hi = 1;
		} else {
			double d = fabs(lo) * 0.1;

			lo -= d;
			hi += d;
		}
	}
	step = nice_step((hi - lo) / (double)(max_ticks - 1), binary);
	for (;;) {
		first = floor(lo / step + 1e-9) * step;
		last = ceil(hi / step - 1e-9) * step;
		if ((last - first) / step + 1 <= (double)max_ticks + 1e-9)
			break;
		step = nice_step(step * 1.01, binary);
	}
	a->lo = first;
	a->hi = last;
	a->step = step;
	a->n = 0;
	for (double v = first; v <= last + step * 1e-6 &&
	     a->n < AXIS_MAX_TICKS; v += step)
		a->tick[a->n++] = fabs(v) < step * 1e-9 ? 0 : v;
}

void axis_time(struct axis *a, double t0, double t1, size_t max_ticks)
{
	static const double steps[] = {
		1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
		3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
		2592000,
	};
	size_t i, ns = sizeof(steps) / sizeof(steps[0]);
	double step = steps[ns - 1], off = 0, first;
	struct tm tm;
	time_t tt;

	if (max_ticks < 2)
		max_ticks = 2;
	if (max_ticks > AXIS_MAX_TICKS)
		max_ticks = AXIS_MAX_TICKS;
	if (t1 < t0) {
		double t = t0;

		t0 = t1;
		t1 = t;
	}
	a->lo = t0;
	a->hi = t1;
	for (i = 0; i < ns; i++) {
		if ((t1 - t0) / steps[i] + 1 <= (double)max_ticks) {
			step = steps[i];
			break;
		}
	}
	while ((t1 - t0) / step + 1 > (double)max_ticks)
		step *= 2;
	/* align to local time: minutes and hours of the wall clock */
	tt = (time_t)t0;
	if (localtime_r(&tt, &tm))
		off = (double)tm.tm_gmtoff;
	first = ceil((t0 + off) / step - 1e-9) * step - off;
	a->step = step;
	a->n = 0;
	for (double t = first; t <= t1 + 1e-6 && a->n < AXIS_MAX_TICKS;
	     t += step)
		a->tick[a->n++] = t;
}

void axis_time_label(char *buf, size_t size, double t, double step,
		     double span)
{
	time_t tt = (time_t)floor(t + 0.5);
	const char *fmt;
	struct tm tm;

	if (span >= 86400)
		fmt = step < 60 ? "%m-%d %H:%M:%S" : "%m-%d %H:%M";
	else
		fmt = step < 60 ? "%H:%M:%S" : "%H:%M";
	if (!localtime_r(&tt, &tm) || !strftime(buf, size, fmt, &tm))
		snprintf(buf, size, "?");
}

void axis_count_label(char *buf, size_t size, double v)
{
	static const char suffix[] = " kMGTPE";
	double a = fabs(v);
	int i = 0;

	if (a < 1000) {
		snprintf(buf, size, "%.0f", v);
		return;
	}
	while (a >= 1000 && i < 6) {
		a /= 1000;
		v /= 1000;
		i++;
	}
	if (fabs(v - round(v)) < 0.05)
		snprintf(buf, size, "%.0f%c", v, suffix[i]);
	else
		snprintf(buf, size, "%.1f%c", v, suffix[i]);
}

void axis_bytes_label(char *buf, size_t size, double v, double step)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB",
					    "PiB" };
	double a = fabs(v) > fabs(step) ? fabs(v) : fabs(step), div = 1;
	int i = 0, dec = 0;

	while (a >= 1024 && i < 5) {
		a /= 1024;
		div *= 1024;
		i++;
	}
	/* enough decimals to tell ticks apart */
	if (step > 0) {
		double s = step / div;

		while (dec < 3 && fabs(s * pow(10, dec) -
				       round(s * pow(10, dec))) > 1e-6)
			dec++;
	}
	snprintf(buf, size, "%.*f %s", dec, v / div, unit[i]);
}
