// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: the event pipeline.
 *
 * The probes only detect an event and hand a snapshot to lm_notify(), which
 * may run with interrupts off and under no leakmon lock: it copies the
 * snapshot into a GFP_ATOMIC record, pushes it on a lock-free list (bounded
 * by event_queue_max) and raises an irq_work, whose handler schedules the
 * work item that builds and multicasts the messages in process context.
 * The irq_work step keeps the probes from calling into the workqueue (and
 * the scheduler's wake-up) from whatever context the probed function runs
 * in.  An exited event (lm_notify_exit()) is held back until the exiting
 * task has closed its files (an exiting process closes them only after the
 * exit tracepoint, and what it closes then is not left behind) and the
 * exited owner's live count has then held still for LM_EXIT_GRACE_NS.
 *
 * The messages go out on the family netlink.c hands over with
 * lm_events_start(), and an exited event's owner is looked at through the
 * &struct lm_exit_ops its detector gives: this file calls into no other
 * file of the module.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/llist.h>
#include <linux/irq_work.h>
#include <linux/workqueue.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "leakmon.h"
#include "compat.h"
#include "events.h"

#define LM_EXIT_GRACE_NS	NSEC_PER_SEC
#define LM_EXIT_POLL_NS		(100 * NSEC_PER_MSEC)

/* Counters of what became of the events, LEAKMON_EVENTS_A_* */
enum lm_evstat {
	LM_EVS_SENT,
	LM_EVS_NO_LISTENERS,
	LM_EVS_RESTRICTED,
	LM_EVS_RATE_LIMITED,
	LM_EVS_QUEUE_FULL,
	LM_EVS_NOMEM,
	LM_EVS_SEND_FAILED,
	LM_EVS_MAX
};

/* What an exited event waits for; all zero for any other event */
struct lm_exit_wait {
	struct lm_owner *owner;		/* referenced; NULL: not exited */
	const struct lm_exit_ops *ops;
	struct task_struct *task;	/* referenced until it is a zombie */
	u64 due_ns;			/* when to look again */
	u64 last_live;			/* live when last looked */
};

/* A queued event */
struct lm_ev_rec {
	struct llist_node node;
	struct lm_exit_wait wait;
	struct lm_notif ev;
};

static LLIST_HEAD(lm_ev_list);
static atomic_t lm_ev_queued;
static atomic_long_t lm_evstats[LM_EVS_MAX];
static struct irq_work lm_ev_irq_work;
static struct delayed_work lm_ev_work;
/* Exited events waiting for their grace period; the work item's own. */
static struct llist_node *lm_ev_waiting;
/* The family to send on, once registered (lm_events_start()). */
static const struct genl_family *lm_ev_family;
/* Rate limit window; touched only by the work item, which never nests. */
static u64 lm_ev_window_ns;
static unsigned int lm_ev_window_sent;

static inline void lm_evstat_inc(enum lm_evstat s)
{
	atomic_long_inc(&lm_evstats[s]);
}

int lm_events_put_stats(struct sk_buff *skb)
{
	static const int attr[LM_EVS_MAX] = {
		[LM_EVS_SENT] = LEAKMON_EVENTS_A_SENT,
		[LM_EVS_NO_LISTENERS] = LEAKMON_EVENTS_A_NO_LISTENERS,
		[LM_EVS_RESTRICTED] = LEAKMON_EVENTS_A_RESTRICTED,
		[LM_EVS_RATE_LIMITED] = LEAKMON_EVENTS_A_RATE_LIMITED,
		[LM_EVS_QUEUE_FULL] = LEAKMON_EVENTS_A_QUEUE_FULL,
		[LM_EVS_NOMEM] = LEAKMON_EVENTS_A_NOMEM,
		[LM_EVS_SEND_FAILED] = LEAKMON_EVENTS_A_SEND_FAILED,
	};
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, LEAKMON_A_EVENTS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < LM_EVS_MAX; i++) {
		if (nla_put_u64_64bit(skb, attr[i],
				      atomic_long_read(&lm_evstats[i]),
				      LEAKMON_EVENTS_A_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

void lm_events_reset(void)
{
	unsigned int i;

	for (i = 0; i < LM_EVS_MAX; i++)
		atomic_long_set(&lm_evstats[i], 0);
}

/*
 * The family, if it is registered and someone listens to the events group;
 * else NULL, counted.  The listeners bitmap is read under RCU, without a
 * lock: any context.
 */
static const struct genl_family *lm_ev_listened(void)
{
	/* Pairs with the release in lm_events_start(): the family is complete. */
	const struct genl_family *family = smp_load_acquire(&lm_ev_family);

	if (family &&
	    (genl_has_listeners(family, &init_net, LM_MCGRP_EVENTS) ||
	     (LM_COMPAT_MCAST_ADMIN &&
	      genl_has_listeners(family, &init_net, LM_MCGRP_EVENTS_ADMIN))))
		return family;
	lm_evstat_inc(LM_EVS_NO_LISTENERS);
	return NULL;
}

/* A record with a copy of src, counted in the queue; NULL: dropped. */
static struct lm_ev_rec *lm_ev_new(const struct lm_notif *src)
{
	struct lm_ev_rec *rec;

	/* Nobody listens: nothing to queue (the work item checks again). */
	if (!lm_ev_listened())
		return NULL;
	if (atomic_inc_return(&lm_ev_queued) > READ_ONCE(LM_CFG(event_queue_max))) {
		atomic_dec(&lm_ev_queued);
		lm_evstat_inc(LM_EVS_QUEUE_FULL);
		return NULL;
	}
	rec = kmalloc(sizeof(*rec), GFP_ATOMIC | __GFP_NOWARN);
	if (!rec) {
		atomic_dec(&lm_ev_queued);
		lm_evstat_inc(LM_EVS_NOMEM);
		return NULL;
	}
	rec->ev = *src;
	return rec;
}

static void lm_ev_queue(struct lm_ev_rec *rec)
{
	llist_add(&rec->node, &lm_ev_list);
	irq_work_queue(&lm_ev_irq_work);
}

bool lm_notify(const struct lm_notif *ev)
{
	struct lm_ev_rec *rec = lm_ev_new(ev);

	if (!rec)
		return false;
	memset(&rec->wait, 0, sizeof(rec->wait));
	lm_ev_queue(rec);
	return true;
}

bool lm_notify_exit(const struct lm_notif *ev, struct lm_owner *o,
		    const struct lm_exit_ops *ops, struct task_struct *task)
{
	struct lm_ev_rec *rec = lm_ev_new(ev);

	if (!rec)
		return false;
	rec->wait.owner = o;
	rec->wait.ops = ops;
	get_task_struct(task);
	rec->wait.task = task;
	rec->wait.due_ns = ev->time_ns;
	rec->wait.last_live = U64_MAX;
	lm_ev_queue(rec);
	return true;
}

static void lm_ev_kick(struct irq_work *w)
{
	mod_delayed_work(system_wq, &lm_ev_work, 0);
}

static void lm_ev_free(struct lm_ev_rec *rec)
{
	if (rec->wait.task)
		put_task_struct(rec->wait.task);
	if (rec->wait.owner)
		rec->wait.ops->put(rec->wait.owner);
	kfree(rec);
	atomic_dec(&lm_ev_queued);
}

static int lm_ev_put_owner(struct sk_buff *skb, const struct lm_notif *ev)
{
	return nla_put_u32(skb, LEAKMON_EVENT_A_TGID, ev->tgid) ||
	       nla_put_u64_64bit(skb, LEAKMON_EVENT_A_START_NS, ev->start_ns,
				 LEAKMON_EVENT_A_PAD) ||
	       nla_put_string(skb, LEAKMON_EVENT_A_COMM, ev->comm) ||
	       nla_put_u32(skb, LEAKMON_EVENT_A_UID, ev->uid) ||
	       nla_put_u64_64bit(skb, LEAKMON_EVENT_A_CGROUP_ID, ev->cgroup_id,
				 LEAKMON_EVENT_A_PAD);
}

static int lm_ev_put_kinds(struct sk_buff *skb, const struct lm_notif *ev,
			   int total_attr)
{
	struct nlattr *kn;
	unsigned int k;
	u64 sum = 0;

	for (k = 0; k < LM_NKINDS; k++)
		sum += ev->count[k];
	if (nla_put_u64_64bit(skb, total_attr, sum, LEAKMON_EVENT_A_PAD))
		return -EMSGSIZE;
	for (k = 0; k < LM_NKINDS; k++) {
		kn = nla_nest_start(skb, LEAKMON_EVENT_A_KIND);
		if (!kn ||
		    nla_put_u32(skb, LEAKMON_OWNER_KIND_A_ID, k) ||
		    nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_LIVE,
				      ev->count[k], LEAKMON_OWNER_KIND_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, kn);
	}
	return 0;
}

static int lm_ev_fill(struct sk_buff *skb, const struct genl_family *family,
		      const struct lm_notif *ev)
{
	struct nlattr *nest;
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, 0, 0, family, 0, ev->cmd);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, LEAKMON_A_EVENT);
	if (!nest ||
	    nla_put_u64_64bit(skb, LEAKMON_EVENT_A_TIME_NS, ev->time_ns,
			      LEAKMON_EVENT_A_PAD))
		goto cancel;
	switch (ev->cmd) {
	case LEAKMON_CMD_EVENT_THRESHOLD:
		err = lm_ev_put_owner(skb, ev) ||
		      nla_put_u32(skb, LEAKMON_EVENT_A_THRESHOLD,
				  ev->threshold) ||
		      lm_ev_put_kinds(skb, ev, LEAKMON_EVENT_A_LIVE);
		break;
	case LEAKMON_CMD_EVENT_ORPHANS:
		err = lm_ev_put_owner(skb, ev) ||
		      lm_ev_put_kinds(skb, ev, LEAKMON_EVENT_A_ORPHANS);
		break;
	case LEAKMON_CMD_EVENT_UNREACHABLE:
		err = lm_ev_put_owner(skb, ev) ||
		      nla_put_u64_64bit(skb, LEAKMON_EVENT_A_NEW, ev->added,
					LEAKMON_EVENT_A_PAD) ||
		      lm_ev_put_kinds(skb, ev, LEAKMON_EVENT_A_UNREACHABLE);
		break;
	default:
		err = nla_put_u32(skb, LEAKMON_EVENT_A_REASON, ev->reason) ||
		      nla_put_u32(skb, LEAKMON_EVENT_A_KIND_ID, ev->kind) ||
		      nla_put_u32(skb, LEAKMON_EVENT_A_TGID, ev->tgid) ||
		      nla_put_string(skb, LEAKMON_EVENT_A_COMM, ev->comm) ||
		      nla_put_u64_64bit(skb, LEAKMON_EVENT_A_OBJECTS,
					ev->objects, LEAKMON_EVENT_A_PAD) ||
		      nla_put_u32(skb, LEAKMON_EVENT_A_MAX_OBJECTS,
				  ev->max_objects) ||
		      nla_put_u32(skb, LEAKMON_EVENT_A_OWNERS, ev->owners) ||
		      nla_put_u32(skb, LEAKMON_EVENT_A_MAX_OWNERS,
				  ev->max_owners);
		break;
	}
	if (err)
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * The groups an event goes to now, a mask of BIT(LM_MCGRP_*): the admin
 * group (only CAP_NET_ADMIN can join it) whenever it has listeners, the
 * open group only while restrict_read is 0: every event names an owner,
 * and the open group cannot check who listens.
 */
static unsigned long lm_ev_groups(const struct genl_family *family)
{
	unsigned long groups = 0;

	if (LM_COMPAT_MCAST_ADMIN &&
	    genl_has_listeners(family, &init_net, LM_MCGRP_EVENTS_ADMIN))
		groups |= BIT(LM_MCGRP_EVENTS_ADMIN);
	if (!READ_ONCE(LM_CFG(restrict_read)) &&
	    genl_has_listeners(family, &init_net, LM_MCGRP_EVENTS))
		groups |= BIT(LM_MCGRP_EVENTS);
	return groups;
}

/* Process context: the rate limit, then build and multicast one event. */
static void lm_ev_send(const struct lm_notif *ev)
{
	const struct genl_family *family;
	bool sent = false, failed = false;
	unsigned long groups;
	struct sk_buff *skb;
	unsigned int grp;
	u64 now;
	int err;

	family = lm_ev_listened();
	if (!family)
		return;
	groups = lm_ev_groups(family);
	if (!groups) {
		lm_evstat_inc(LM_EVS_RESTRICTED);
		return;
	}
	now = ktime_get_boottime_ns();
	if (now - lm_ev_window_ns >= NSEC_PER_SEC) {
		lm_ev_window_ns = now;
		lm_ev_window_sent = 0;
	}
	if (lm_ev_window_sent >= READ_ONCE(LM_CFG(event_rate))) {
		lm_evstat_inc(LM_EVS_RATE_LIMITED);
		return;
	}
	lm_ev_window_sent++;

	for_each_set_bit(grp, &groups, BITS_PER_LONG) {
		skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!skb) {
			failed = true;
			continue;
		}
		if (lm_ev_fill(skb, family, ev)) {
			nlmsg_free(skb);
			failed = true;
			continue;
		}
		/* Consumes skb; -ESRCH: the last listener left meanwhile. */
		err = genlmsg_multicast(family, skb, 0, grp, GFP_KERNEL);
		if (!err)
			sent = true;
		else if (err != -ESRCH)
			failed = true;
	}
	if (sent)
		lm_evstat_inc(LM_EVS_SENT);
	else if (failed)
		lm_evstat_inc(LM_EVS_SEND_FAILED);
	else
		lm_evstat_inc(LM_EVS_NO_LISTENERS);
}

/*
 * An exited event waits (true) until the exiting task has closed its files
 * and until its owner's live count has then held still for
 * LM_EXIT_GRACE_NS; then rec->ev has the counts (wait.last_live: the sum, 0
 * if nothing is left and nothing is to be sent).  The task passed the exit
 * tracepoint before exit_files(); the deferred fput()s of its files run in
 * exit_task_work(), before exit_notify() makes it a zombie (exit_state).
 * A process closing many files on a busy host can take longer than the
 * grace period for that, so the period starts only then.
 */
static bool lm_ev_exit_wait(struct lm_ev_rec *rec, u64 now)
{
	struct lm_exit_wait *w = &rec->wait;
	u64 live;

	if ((s64)(now - w->due_ns) < 0)
		return true;
	if (w->task) {
		if (!READ_ONCE(w->task->exit_state)) {
			w->due_ns = now + LM_EXIT_POLL_NS;
			return true;
		}
		put_task_struct(w->task);
		w->task = NULL;
	}
	live = w->ops->look(w->owner, &rec->ev);
	if (live && live != w->last_live) {
		w->last_live = live;
		w->due_ns = now + LM_EXIT_GRACE_NS;
		return true;
	}
	w->last_live = live;
	return false;
}

static void lm_ev_work_fn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&lm_ev_list), *waiting;
	u64 now = ktime_get_boot_fast_ns(), next = 0;
	struct lm_ev_rec *rec, *tmp;

	/* llist_add() pushes on the front: oldest first, waiting ones first. */
	list = llist_reverse_order(list);
	waiting = lm_ev_waiting;
	lm_ev_waiting = NULL;
	llist_for_each_entry_safe(rec, tmp, waiting, node) {
		rec->node.next = list;
		list = &rec->node;
	}
	llist_for_each_entry_safe(rec, tmp, list, node) {
		if (rec->wait.owner && lm_ev_exit_wait(rec, now)) {
			rec->node.next = lm_ev_waiting;
			lm_ev_waiting = &rec->node;
			if (!next || (s64)(rec->wait.due_ns - next) < 0)
				next = rec->wait.due_ns;
			continue;
		}
		if (!rec->wait.owner || rec->wait.last_live)
			lm_ev_send(&rec->ev);
		lm_ev_free(rec);
		cond_resched();
	}
	if (next)
		schedule_delayed_work(&lm_ev_work,
				      nsecs_to_jiffies(next - now) + 1);
}

static void lm_ev_free_list(struct llist_node *list)
{
	struct lm_ev_rec *rec, *tmp;

	llist_for_each_entry_safe(rec, tmp, list, node)
		lm_ev_free(rec);
}

int lm_events_init(void)
{
	init_irq_work(&lm_ev_irq_work, lm_ev_kick);
	INIT_DELAYED_WORK(&lm_ev_work, lm_ev_work_fn);
	return 0;
}

void lm_events_exit(void)
{
	irq_work_sync(&lm_ev_irq_work);
	cancel_delayed_work_sync(&lm_ev_work);
	lm_ev_free_list(llist_del_all(&lm_ev_list));
	lm_ev_free_list(lm_ev_waiting);
	lm_ev_waiting = NULL;
}

void lm_events_start(const struct genl_family *family)
{
	/* Pairs with the acquire in lm_ev_listened(): the family is complete. */
	smp_store_release(&lm_ev_family, family);
}

void lm_events_stop(void)
{
	/* From now on the work item drops what it finds, without sending. */
	WRITE_ONCE(lm_ev_family, NULL);
	cancel_delayed_work_sync(&lm_ev_work);
}
