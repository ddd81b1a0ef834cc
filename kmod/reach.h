/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leakmon: the reachability pass's two halves, the walk of what processes
 * hold (reach_walk.c) and the classification of every object (reach.c).
 */
#ifndef _LEAKMON_REACH_H
#define _LEAKMON_REACH_H

#include <linux/ktime.h>
#include <linux/sched.h>

#include "leakmon.h"

/**
 * struct lm_reach_clock - The pass's account of its longest stretch.
 * @st: the pass's statistics (max_step_ns is kept here)
 * @step_ns: when the current stretch started
 */
struct lm_reach_clock {
	struct lm_reach_stats *st;
	u64 step_ns;
};

/**
 * lm_reach_step() - Offer the CPU, and measure the stretch that ends here.
 * @c: the pass's clock
 *
 * Called between batches, with no spinlock held.
 */
static inline void lm_reach_step(struct lm_reach_clock *c)
{
	u64 now = ktime_get_ns();

	if (now - c->step_ns > c->st->max_step_ns)
		c->st->max_step_ns = now - c->step_ns;
	cond_resched();
	c->step_ns = ktime_get_ns();
}

/**
 * lm_reach_walk() - Mark every tracked object a process holds.
 * @c: the pass's clock; its statistics count the tasks, descriptors and
 *     mappings visited and the objects handed over to their holders
 *
 * Visits every process's descriptor table and memory mappings, what they
 * lead to (descriptors in flight to a unix socket, files registered with
 * an io_uring instance), and marks each tracked object reached
 * (lm_track_hold()).  Sleeps.
 *
 * Return: 0, or -ENOMEM.
 */
int lm_reach_walk(struct lm_reach_clock *c);

#endif /* _LEAKMON_REACH_H */
