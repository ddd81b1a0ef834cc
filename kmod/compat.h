/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where leakmon adapts to kernel API differences.
 *
 * Differences are detected by feature tests: whether a macro exists, or,
 * where a type or function has to be tried, a Kbuild probe compiled against
 * the target kernel's headers.  Nothing in leakmon tests LINUX_VERSION_CODE.
 */
#ifndef _LEAKMON_COMPAT_H
#define _LEAKMON_COMPAT_H

#include <linux/cgroup.h>
#include <linux/sched.h>

/*
 * __cond_lock() told sparse that a conditional lock function returned with
 * the lock held.  Kernels that annotate such functions themselves (for
 * Clang's context analysis) no longer have it; there it is a no-op.
 */
#ifndef __cond_lock
#define __cond_lock(x, c) (c)
#endif

/* cgroup v2 id of a task's default-hierarchy cgroup, 0 without cgroups. */
static inline u64 lm_compat_task_cgroup_id(struct task_struct *task)
{
#ifdef CONFIG_CGROUPS
	u64 id;

	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(task));
	rcu_read_unlock();
	return id;
#else
	return 0;
#endif
}

#endif /* _LEAKMON_COMPAT_H */
