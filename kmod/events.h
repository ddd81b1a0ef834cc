/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leakmon: the event pipeline (events.c).  The detectors (track.c,
 * owner.c, reach.c) hand it events; it queues them from any context and a
 * work item sends them on the events groups of the family netlink.c
 * registers.
 */
#ifndef _LEAKMON_EVENTS_H
#define _LEAKMON_EVENTS_H

#include <linux/types.h>
#include <linux/sched.h>

#include "leakmon.h"

struct genl_family;
struct sk_buff;

/*
 * The events groups, indexes of the family's multicast groups: "events"
 * (anyone may join; sent to while restrict_read is 0) and "events-admin"
 * (CAP_NET_ADMIN only; always sent to), where the kernel can refuse a
 * listener (compat.h, LM_COMPAT_MCAST_ADMIN).
 */
#define LM_MCGRP_EVENTS		0
#define LM_MCGRP_EVENTS_ADMIN	1

/**
 * struct lm_notif - an event, as its detector saw it
 * @cmd: LEAKMON_CMD_EVENT_*
 * @reason: saturated: enum leakmon_saturation
 * @kind: saturated: the kind of the dropped object
 * @threshold: threshold: event_threshold then
 * @tgid: the owner's, or saturated: the dropping process's
 * @uid: the owner's
 * @owners: saturated: owners tracked
 * @max_objects: saturated: max_objects then
 * @max_owners: saturated: max_owners then
 * @start_ns: the owner's
 * @cgroup_id: the owner's
 * @time_ns: when it happened
 * @objects: saturated: objects tracked
 * @added: unreachable: how many more than at the pass before
 * @count: per kind: live (threshold), live of the exited owner (exited),
 *         unreachable (unreachable)
 * @comm: the owner's, or saturated: the dropping process's
 *
 * A snapshot taken when it happened, but for an exited event, which the
 * work item fills when it looks at the owner again (&struct lm_exit_ops).
 */
struct lm_notif {
	u8 cmd;
	u8 reason;
	u32 kind;
	u32 threshold;
	pid_t tgid;
	u32 uid;
	u32 owners;
	u32 max_objects;
	u32 max_owners;
	u64 start_ns;
	u64 cgroup_id;
	u64 time_ns;
	u64 objects;
	u64 added;
	u64 count[LM_NKINDS];
	char comm[TASK_COMM_LEN];
};

/**
 * struct lm_exit_ops - how the event pipeline looks at an exited owner
 * @look: fill the event with the owner's identity, the exit's time and
 *        what the owner still has live; return that live count, summed
 *        over kinds.  Process context.
 * @put: drop the reference on the owner that the event held
 *
 * The owner table is track.c's and owner.c's, and they call into the
 * pipeline: the pipeline reaches an exited event's owner only through
 * these, so that it does not call back into them.
 */
struct lm_exit_ops {
	u64 (*look)(struct lm_owner *o, struct lm_notif *ev);
	void (*put)(struct lm_owner *o);
};

/**
 * lm_events_init() - set up the queue: nothing is sent until lm_events_start()
 *
 * Return: 0.
 */
int lm_events_init(void);

/**
 * lm_events_exit() - free what is queued and what waits
 *
 * Called once nothing can queue events any more (the probes are
 * unregistered) and before the tables go: waiting exited events drop their
 * owner references through their &struct lm_exit_ops.
 */
void lm_events_exit(void);

/**
 * lm_events_start() - send on a family from now on
 * @family: registered, with the events group at LM_MCGRP_EVENTS
 */
void lm_events_start(const struct genl_family *family);

/**
 * lm_events_stop() - stop sending, before the family is unregistered
 *
 * What the work item finds from then on is dropped (counted no_listeners);
 * returns once a run of the work item under way has finished.  Sleeps.
 */
void lm_events_stop(void);

/**
 * lm_notify() - queue a copy of an event for sending
 * @ev: the event (not an exited one: lm_notify_exit())
 *
 * Any context, interrupts on or off (probe handlers): never sleeps, takes
 * no lock but the allocator's, wakes no task directly.
 *
 * Return: true if queued; false if dropped, which is counted.
 */
bool lm_notify(const struct lm_notif *ev);

/**
 * lm_notify_exit() - queue an exited event, held back until the exit is over
 * @ev: the event, LEAKMON_CMD_EVENT_ORPHANS with the exit's time;
 *      @ops->look fills in the rest before it is sent
 * @o: the exited owner, referenced
 * @ops: how to look at @o and drop the reference
 * @task: the exiting task, which runs (it is referenced while it waits)
 *
 * The event waits until @task has closed its files (it is a zombie), and
 * then until the live count @ops->look returns has held still for a
 * second; it is sent then, or dropped if nothing is left live.  Any
 * context, as lm_notify().
 *
 * Return: true if queued, and then the event owns the reference on @o;
 * false if dropped (counted), and then the caller still owns it.
 */
bool lm_notify_exit(const struct lm_notif *ev, struct lm_owner *o,
		    const struct lm_exit_ops *ops, struct task_struct *task);

/**
 * lm_events_reset() - zero the counters of what became of the events
 */
void lm_events_reset(void);

/**
 * lm_events_put_stats() - put the counters into a message
 * @skb: the message; gets the LEAKMON_A_EVENTS nest
 *
 * Return: 0, or -EMSGSIZE if it does not fit (the nest is cancelled).
 */
int lm_events_put_stats(struct sk_buff *skb);

#endif /* _LEAKMON_EVENTS_H */
