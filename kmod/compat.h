/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where leakmon adapts to kernel API differences.
 *
 * Differences are detected by Kbuild feature probes compiled against the
 * target kernel's headers (LM_HAVE_* macros); nothing in leakmon tests
 * LINUX_VERSION_CODE.
 */
#ifndef _LEAKMON_COMPAT_H
#define _LEAKMON_COMPAT_H

#include <linux/cgroup.h>
#include <linux/sched.h>

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
