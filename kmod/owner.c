// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: the owners off the probe path: a process's exit, the softirq
 * and network namespace owners, the reachability pass's and the dumps'
 * access to owners.  An owner is found or made, accounted and freed on
 * the probe path (track.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched/signal.h>
#include <linux/string.h>

#include "leakmon.h"
#include "events.h"
#include "track.h"

static struct lm_owner *lm_owner_find(struct hlist_head *head, pid_t tgid,
				      u64 start_ns)
{
	return lm_owner_find_type(head, LEAKMON_OWNER_TYPE_TASK, tgid,
				  start_ns);
}

/* The event pipeline's look at an exited owner (struct lm_exit_ops) */
static u64 lm_owner_exited_look(struct lm_owner *o, struct lm_notif *ev)
{
	unsigned long flags;
	u64 live;

	spin_lock_irqsave(&o->lock, flags);
	lm_owner_event(o, ev, LEAKMON_CMD_EVENT_ORPHANS, o->exit_ns);
	live = lm_owner_live(o);
	spin_unlock_irqrestore(&o->lock, flags);
	return live;
}

static const struct lm_exit_ops lm_exit_ops = {
	.look = lm_owner_exited_look,
	.put = lm_owner_put,
};

void lm_track_task_exit(struct task_struct *task)
{
	pid_t tgid = task_tgid_nr(task);
	u64 start_ns = task->group_leader->start_boottime;
	unsigned long b = lm_owner_bucket(tgid, start_ns);
	spinlock_t *lock = lm_lock_of(&lm_owners, b);
	struct lm_owner *o;
	struct lm_notif ev;
	unsigned long flags;
	bool marked = false, orphans = false;
	unsigned int i;

	/* Only the end of the whole thread group matters. */
	if (atomic_read(&task->signal->live) != 0)
		return;

	spin_lock_irqsave(lock, flags);
	o = lm_owner_find(lm_owner_head(b), tgid, start_ns);
	if (o) {
		spin_lock(&o->lock);
		if (!o->exited) {
			o->exited = true;
			o->exit_ns = ktime_get_boot_fast_ns();
			for (i = 0; i < LM_NKINDS; i++)
				this_cpu_add(lm_pcpu->orphans[i],
					     (long)(atomic_fetch_or(LM_LIVE_EXITED,
								    &o->live[i]) &
						    LM_LIVE_COUNT));
			marked = true;
			atomic_inc(&lm_nr_exited);
			/*
			 * Its files are closed only after this tracepoint:
			 * whether objects outlive the process is seen later,
			 * by the event pipeline's work item, which takes
			 * over the reference the live process held.
			 */
			if (lm_owner_live(o)) {
				memset(&ev, 0, sizeof(ev));
				ev.cmd = LEAKMON_CMD_EVENT_ORPHANS;
				ev.time_ns = o->exit_ns;
				orphans = true;
			}
		}
		spin_unlock(&o->lock);
	}
	spin_unlock_irqrestore(lock, flags);
	if (orphans && lm_notify_exit(&ev, o, &lm_exit_ops, task))
		marked = false;
	/* Drop the reference the live process held. */
	if (marked)
		lm_owner_put(o);
}

void lm_track_owner_put(struct lm_owner *o)
{
	lm_owner_put(o);
}

/* ---- the reachability pass's access (reach.c) ------------------------- */

struct lm_owner *lm_track_owner_of(struct task_struct *t)
{
	struct lm_owner *o = lm_owner_get(t);

	if (!IS_ERR(o) && !lm_owner_alive(o)) {
		lm_owner_put(o);
		return ERR_PTR(-ESRCH);
	}
	return o;
}

void lm_track_owner_hold(struct lm_owner *o)
{
	atomic_inc(&o->ref);
}

/*
 * The owner of a network namespace's kernel sockets (tgid 0, its inode
 * number in start_ns), with a reference; created when first needed, gone
 * with its last object (no process holds a reference for it).
 */
struct lm_owner *lm_track_netns_owner(u32 inum)
{
	unsigned long b = lm_owner_bucket(0, inum);
	spinlock_t *lock = lm_lock_of(&lm_owners, b);
	struct lm_owner *o;
	unsigned long flags;
	bool fresh;

	spin_lock_irqsave(lock, flags);
	o = lm_owner_lookup(b, LEAKMON_OWNER_TYPE_NETNS, 0, inum, &fresh);
	if (fresh) {
		o->uid = GLOBAL_ROOT_UID;
		strscpy(o->comm, "[netns]", sizeof(o->comm));
		atomic_set(&o->ref, 1);
		hlist_add_head(&o->node, lm_owner_head(b));
		atomic_inc(&lm_owner_gen);
	}
	spin_unlock_irqrestore(lock, flags);
	return o;
}

/* ---- setup ------------------------------------------------------------ */

/*
 * The softirq owner, listed like any other (tgid 0, start 0: its bucket is
 * the idle task's, which lm_owner_find() never confuses with it).  Its
 * reference of a live process is never dropped; lm_track_exit() frees it
 * with the table.
 */
int lm_irq_owner_init(void)
{
	struct lm_owner *o;
	unsigned long b;

	o = kmem_cache_alloc(lm_owner_cache, GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	memset(o, 0, sizeof(*o));
	spin_lock_init(&o->lock);
	o->type = LEAKMON_OWNER_TYPE_SOFTIRQ;
	strscpy(o->comm, "[softirq]", sizeof(o->comm));
	o->uid = GLOBAL_ROOT_UID;
	atomic_set(&o->ref, 1);
	b = lm_owner_bucket(0, 0);
	/* Nothing else can see the table yet. */
	hlist_add_head(&o->node, lm_owner_head(b));
	atomic_inc(&lm_nr_owners);
	lm_irq_owner = o;
	return 0;
}

/* ---- reporting -------------------------------------------------------- */

u32 lm_owner_generation(void)
{
	/* Never zero: a zero cb->seq means "no consistency checking". */
	return (u32)atomic_read(&lm_owner_gen) | 1U << 31;
}

/*
 * A copy of an owner: its identity as of one moment (its lock), its
 * counters each as of about then (they change without the lock).
 */
static void lm_owner_snapshot(struct lm_owner *o, struct lm_owner_snap *s)
{
	unsigned int k;

	spin_lock(&o->lock);
	s->type = o->type;
	s->tgid = o->tgid;
	s->exited = o->exited;
	s->uid = from_kuid_munged(&init_user_ns, o->uid);
	s->start_ns = o->start_ns;
	s->exit_ns = o->exit_ns;
	s->cgroup_id = o->cgroup_id;
	memcpy(s->comm, o->comm, sizeof(s->comm));
	spin_unlock(&o->lock);
	for (k = 0; k < LM_NKINDS; k++) {
		const struct lm_owner_acct *a = &o->k[k];

		s->live[k] = lm_owner_live_kind(o, k);
		s->k[k].allocated = atomic64_read(&a->allocated);
		s->k[k].freed = atomic64_read(&a->freed);
		s->k[k].first_ns = READ_ONCE(a->first_ns);
		s->k[k].last_ns = READ_ONCE(a->last_ns);
		s->k[k].received = atomic64_read(&a->received);
		s->k[k].handed_over = atomic64_read(&a->handed_over);
	}
}

void lm_track_owner_snap(struct lm_owner *o, struct lm_owner_snap *s)
{
	unsigned long flags;

	local_irq_save(flags);
	lm_owner_snapshot(o, s);
	local_irq_restore(flags);
}

int lm_owner_walk(unsigned long *bucket, unsigned long *index,
		  int (*fn)(const struct lm_owner_snap *s, void *arg),
		  void *arg)
{
	struct lm_owner_snap s;
	struct lm_owner *o;
	unsigned long flags, i;
	int ret = 0;

	for (; *bucket < (1UL << lm_owners.bits); (*bucket)++, *index = 0) {
		spinlock_t *lock = lm_lock_of(&lm_owners, *bucket);

		/*
		 * An owner added meanwhile may or may not be listed, locked
		 * or not: no lock for an empty bucket
		 */
		if (hlist_empty(lm_owner_head(*bucket)))
			continue;
		i = 0;
		spin_lock_irqsave(lock, flags);
		hlist_for_each_entry(o, lm_owner_head(*bucket), node) {
			if (i++ < *index)
				continue;
			/* on its way out: a lookup makes another meanwhile */
			if (!atomic_read(&o->ref)) {
				(*index)++;
				continue;
			}
			lm_owner_snapshot(o, &s);
			ret = fn(&s, arg);
			if (ret)
				break;
			(*index)++;
		}
		spin_unlock_irqrestore(lock, flags);
		if (ret)
			return ret;
	}
	return 0;
}
