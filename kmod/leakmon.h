/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leakmon internal interfaces.
 *
 * Data structures (see Documentation/design.md for the reasoning):
 *  - the object table: a fixed array of hlist buckets keyed by object
 *    address, guarded by a small array of hashed spinlocks;
 *  - the owner table: the same scheme keyed by (tgid, start time);
 *  - per-CPU counters for everything that is only ever summed.
 */
#ifndef _LEAKMON_H
#define _LEAKMON_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/uidgid.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/leakmon.h>

#define LM_NKINDS __LEAKMON_KIND_MAX
/* Room for why a kind is disabled: each of its probes and their errors */
#define LM_REASON_LEN	96

/*
 * Event counters, per CPU and per kind; zeroed by a reset.  OBSERVED is not
 * counted: it is the sum of TRACKED and the three UNTRACKED when read
 * (lm_track_totals()), one counter less on every allocation.
 */
enum lm_event {
	LM_EV_OBSERVED,
	LM_EV_TRACKED,
	LM_EV_FREED,
	LM_EV_UNTRACKED_TABLE_FULL,
	LM_EV_UNTRACKED_OWNERS_FULL,
	LM_EV_UNTRACKED_NOMEM,
	LM_EV_UNKNOWN_FREES,
	LM_EV_REPLACED,
	LM_EV_HANDED_OVER,
	LM_EV_MAX
};

/* An owner's history with one kind, as reported (its live count apart). */
struct lm_owner_kind {
	u64 allocated;
	u64 freed;
	u64 first_ns;
	u64 last_ns;
	u64 received;			/* handed over to this owner */
	u64 handed_over;		/* handed over to another owner */
};

/*
 * The same, as the probe handlers count it: without a lock, each counter
 * on its own.  The times are the coarse boot-time clock's (to the tick).
 */
struct lm_owner_acct {
	atomic64_t allocated;
	atomic64_t freed;
	u64 first_ns;			/* WRITE_ONCE */
	u64 last_ns;			/* WRITE_ONCE */
	atomic64_t received;
	atomic64_t handed_over;
};

/*
 * An owner's live count of a kind, with LM_LIVE_EXITED set from the moment
 * its process exited: every increment and decrement sees, in the value it
 * returns, whether it came before or after the exit, and the exit sees the
 * count of those that came before.  That keeps the exited owners' total
 * (lm_pcpu.orphans) exact without a lock.
 */
#define LM_LIVE_EXITED		BIT(30)
#define LM_LIVE_COUNT		(LM_LIVE_EXITED - 1)

/*
 * An owner: 232 bytes on a kernel without lock debugging, a 240-byte slab
 * slot with the free pointer (leakmon_scale's sockets_100000 holds it to
 * 256 with slab waste and its bucket's share).
 * Live counts are 30 bits: the object table holds at most
 * LEAKMON_MAX_OBJECTS_LIMIT (2^26) objects.
 */
struct lm_owner {
	struct hlist_node node;		/* owner bucket; bucket lock */
	/*
	 * Live objects, +1 while alive.  An atomic_t, not a refcount_t: it
	 * is bounded by LEAKMON_MAX_OBJECTS_LIMIT + 1 and never saturates,
	 * and a probe handler drops one per object without a call
	 * (lm_owner_put()).  At 0 the owner is on its way out of the table:
	 * only a holder of a reference takes one unconditionally, a look in
	 * the table with atomic_inc_not_zero().
	 */
	atomic_t ref;
	spinlock_t lock;		/* the identity, exit_ns, exited */
	pid_t tgid;
	kuid_t uid;
	u64 start_ns;
	u64 exit_ns;
	u64 cgroup_id;
	char comm[TASK_COMM_LEN];
	atomic_t live[LM_NKINDS];	/* count | LM_LIVE_EXITED */
	u8 type;			/* enum leakmon_owner_type, fixed */
	bool exited;
	u8 over;			/* threshold event sent (cmpxchg) */
	struct lm_owner_acct k[LM_NKINDS];
};

/* A copy of an owner taken under its lock, for reporting. */
struct lm_owner_snap {
	u8 type;
	pid_t tgid;
	bool exited;
	u32 uid;
	u64 start_ns;
	u64 exit_ns;
	u64 cgroup_id;
	char comm[TASK_COMM_LEN];
	u32 live[LM_NKINDS];
	struct lm_owner_kind k[LM_NKINDS];
};

struct lm_kind_totals {
	s64 live;
	s64 orphans;
	u64 ev[LM_EV_MAX];
	u32 obj_size;			/* 0 until measured */
};

struct lm_totals {
	u64 objects;
	u32 owners;
	u32 owners_exited;
	u64 reset_ns;
	struct lm_kind_totals k[LM_NKINDS];
};

/* What the reachability pass made of an object (reach.c) */
enum lm_class {
	LM_CLS_YOUNG,
	LM_CLS_HELD,
	LM_CLS_KERNEL,
	LM_CLS_CLOSING,
	LM_CLS_UNREACHABLE,
	LM_CLS_MAX,
	LM_CLS_NONE = LM_CLS_MAX,	/* not classified yet */
	LM_CLS_STALE,			/* verdict: the object is gone */
};

/* Seconds since boot, from jiffies: cheap, for ages only. */
static inline u32 lm_now_s(void)
{
	return (u32)div_u64(get_jiffies_64() - INITIAL_JIFFIES, HZ);
}

/*
 * Configuration (config.c); module parameters and LEAKMON_CMD_SET_CONFIG
 * share it.
 */
/* LM_SET_<name>: a setting's index in lm_config[] (config_table.h) */
enum lm_setting_id {
#define LM_SETTING(_kind, _name, ...) LM_SET_##_name,
#include "config_table.h"
#undef LM_SETTING
	LM_SET_MAX
};

/* The settings' values, each config_table.h's default at load */
extern unsigned int lm_config[LM_SET_MAX];
/* A setting's value, by its name in config_table.h: READ_ONCE() it */
#define LM_CFG(name) (lm_config[LM_SET_##name])

extern struct mutex lm_config_mutex;

/**
 * lm_config_watch() - Be called after a setting changed.
 * @id: the setting, LM_SET_<name>.
 * @fn: called after each change of it, lm_config_mutex held; NULL: no more.
 *
 * One watcher a setting.  Once lm_config_watch(@id, NULL) has returned,
 * @fn is not running and will not be called.
 *
 * Context: lm_config_mutex held.
 */
void lm_config_watch(enum lm_setting_id id, void (*fn)(void));

/* The object and owner tables: track.c, owner.c, table.c (track.h) */

/**
 * lm_track_init() - Allocate the object and owner tables and their caches.
 *
 * Context: module load, before any probe is registered.
 * Return: 0, or -ENOMEM.
 */
int lm_track_init(void);

/**
 * lm_track_exit() - Free every entry, owner, table and cache.
 *
 * Context: module unload, once no probe handler can run any more.
 */
void lm_track_exit(void);

/**
 * lm_track_nesting() - Say that probe handlers may nest on a CPU.
 *
 * Before the first fprobe is registered: a softirq can run an fprobe's
 * handler in the middle of another's, which a kprobe's cannot (track.c).
 * From then on the probe path runs with interrupts off.
 *
 * Context: module load, may sleep.
 */
void lm_track_nesting(void);

/**
 * lm_track_alloc() - Enter an allocated object, owned by current's process.
 * @kind: enum leakmon_kind.
 * @obj: the key: the object's address (a blob is keyed by its carrier's),
 *	aligned to LM_KEY_ALIGN (the table keeps the kind in its low bits).
 * @base: the start of the slab allocation that holds what is measured.
 *
 * Counted untracked (and why) when a table is full or memory is short.
 * Outside task context the object is the softirq owner's.
 *
 * Context: a probe handler; any context, never sleeps.
 * Return: 0, what a probe's handler returns (probe_table.h), so that a
 * handler can end in a jump here.
 */
#define LM_KEY_ALIGN	8
int lm_track_alloc(unsigned int kind, const void *obj, const void *base);

/**
 * lm_track_free() - Forget a released object and credit its owner.
 * @kind: enum leakmon_kind.
 * @obj: the key given to lm_track_alloc().
 *
 * An object not in the table is counted as an unknown free.
 *
 * Context: a probe handler; any context, never sleeps.
 * Return: 0, what an entry probe's handler returns (probe_table.h), so
 * that a handler can end in a jump here.
 */
int lm_track_free(unsigned int kind, const void *obj);

/**
 * lm_track_handover() - Hand an object over to current's process.
 * @kind: enum leakmon_kind.
 * @obj: the key.
 *
 * An accepted socket: the acceptor takes over what the softirq made.
 *
 * Context: a probe handler; does nothing outside task context.
 * Return: 0, as lm_track_free().
 */
int lm_track_handover(unsigned int kind, const void *obj);

/**
 * lm_track_task_exit() - Mark the owner of an exiting process exited.
 * @task: the exiting task; only its thread group's last one counts.
 *
 * Its live objects count as exited from now on, and an owner that keeps
 * some queues an exited event (events.c) once its files are closed.
 *
 * Context: the sched_process_exit tracepoint.
 */
void lm_track_task_exit(struct task_struct *task);

/**
 * lm_track_totals() - Sum the per-CPU counters and the table sizes.
 * @t: filled in.
 *
 * Context: any; lock-free reads.
 */
void lm_track_totals(struct lm_totals *t);

/**
 * lm_track_reset() - Zero the event counters and the owners' histories.
 *
 * Context: process context.  Live counts are kept, as they describe
 * objects still in the table.
 */
void lm_track_reset(void);

/**
 * lm_owner_generation() - A number that changes when an owner comes or goes.
 *
 * Return: never 0, for a dump's consistency check (cb->seq).
 */
u32 lm_owner_generation(void);

/**
 * lm_track_owner_put() - Drop a reference taken on an owner.
 * @o: the owner; freed with its last reference.
 */
void lm_track_owner_put(struct lm_owner *o);

/**
 * lm_owner_walk() - Visit the owners from a cursor on.
 * @bucket: cursor, the owner bucket; advanced.
 * @index: cursor, the position in the bucket; advanced.
 * @fn: called with a snapshot of each owner under its bucket's lock; a
 *      non-zero return stops the walk.
 * @arg: passed to @fn.
 *
 * The cursor is left at the owner that made @fn stop, for the next call.
 *
 * Context: process context; @fn must not sleep.
 * Return: what @fn returned, or 0 at the end of the table.
 */
int lm_owner_walk(unsigned long *bucket, unsigned long *index,
		  int (*fn)(const struct lm_owner_snap *s, void *arg),
		  void *arg);

/* The tables, for the reachability pass (reach.c) */
enum lm_hold {
	LM_HOLD_UNTRACKED,	/* not in the table */
	LM_HOLD_MARKED,		/* marked reached */
	LM_HOLD_MOVED,		/* marked, and handed over to the holder */
	LM_HOLD_ASK,		/* marked; its owner is gone: who holds it? */
};

/* One object as lm_track_classify() shows it, under its bucket's lock */
struct lm_obj_view {
	unsigned int kind;
	const void *key;
	struct lm_owner *owner;		/* referenced by the object */
	bool held;			/* reached by the pass */
	u8 cls;				/* enum lm_class at the last pass */
	u32 stamp;			/* lm_now_s(): allocated; fn may set */
};

/**
 * lm_track_owner_of() - The owner of a running task's process.
 * @t: the task.
 *
 * Return: the owner with a reference, or an ERR_PTR: -ESRCH when the
 * process has exited, -ENOSPC or -ENOMEM when no owner can be made.
 */
struct lm_owner *lm_track_owner_of(struct task_struct *t);

/**
 * lm_track_owner_hold() - Take one more reference on a referenced owner.
 * @o: the owner.
 */
void lm_track_owner_hold(struct lm_owner *o);

/**
 * lm_track_netns_owner() - The owner of a network namespace's kernel sockets.
 * @inum: the namespace's inode number.
 *
 * Made when first needed, gone with its last object.
 *
 * Return: the owner with a reference, or an ERR_PTR as lm_track_owner_of().
 */
struct lm_owner *lm_track_netns_owner(u32 inum);

/**
 * lm_track_give() - Give a tracked object to another owner.
 * @kind: enum leakmon_kind.
 * @ptr: the object's key.
 * @to: the new owner, referenced by the caller.
 *
 * The new owner counts it received as the entry comes to name it (under
 * the lock that guards the entry), then the previous owner counts it
 * handed over.
 * The caller keeps its reference.
 *
 * Return: false if the object is not tracked or already @to's.
 */
bool lm_track_give(unsigned int kind, const void *ptr, struct lm_owner *to);

/**
 * lm_track_owner_snap() - Copy an owner's identity and counters.
 * @o: a referenced owner.
 * @s: filled in, under the owner's lock.
 */
void lm_track_owner_snap(struct lm_owner *o, struct lm_owner_snap *s);
/* The process the walk visits, as an owner's identity */
struct lm_holder {
	pid_t tgid;
	u64 start_ns;
};

/**
 * lm_track_hold() - Mark an object reached by the pass in a process.
 * @kind: enum leakmon_kind.
 * @ptr: the object's key.
 * @h: the process the walk visits.
 * @holder: @h's owner, or NULL while the caller has none yet.
 * @ask: with no @holder, ask for one when the object should move.
 *
 * An object held by another process than its owner moves to it when its
 * owner no longer runs, or when the last pass too found it only elsewhere.
 *
 * Return: what became of it (enum lm_hold); LM_HOLD_ASK: call again with
 * a holder.
 */
enum lm_hold lm_track_hold(unsigned int kind, const void *ptr,
			   const struct lm_holder *h, struct lm_owner *holder,
			   bool ask);

/**
 * lm_track_settle() - Put every recent entry in the object table.
 *
 * Entries wait among their CPU's newest before they go to the table
 * (recent.c); after the call, every object allocated before it is found by
 * lm_track_hold() and lm_track_classify().
 *
 * Context: process context.
 */
void lm_track_settle(void);

/**
 * lm_track_buckets() - The number of object buckets.
 *
 * Return: the bucket count, the end of lm_track_classify()'s range.
 */
unsigned long lm_track_buckets(void);

/**
 * lm_track_classify() - Classify the objects of a range of buckets.
 * @bucket: the first bucket.
 * @n: how many buckets.
 * @fn: called for each object under its bucket's lock (it cannot be freed
 *      meanwhile); returns its class, LM_CLS_STALE to drop the entry.
 * @arg: passed to @fn.
 *
 * The pass's marks are cleared, keeping what the next pass needs.
 *
 * Context: process context; @fn must not sleep.
 * Return: the next bucket.
 */
unsigned long lm_track_classify(unsigned long bucket, unsigned long n,
				u8 (*fn)(struct lm_obj_view *v, void *arg),
				void *arg);

/* reach.c */
struct lm_reach_kind {
	u64 cls[LM_CLS_MAX];
};

struct lm_reach_stats {
	u64 seq;
	u64 time_ns;
	u64 duration_ns;
	u64 max_step_ns;
	u64 tasks;
	u64 fds;
	u64 vmas;
	u64 objects;
	u64 reattributed;
	u64 owners_unreported;
	u64 groups_unreported;
	u64 stale;			/* entries of unreadable objects dropped */
	struct lm_reach_kind k[LM_NKINDS];
};

/* The per-owner classes reported (LEAKMON_OWNER_KIND_A_KERNEL ...) */
enum { LM_RO_KERNEL, LM_RO_CLOSING, LM_RO_UNREACHABLE, LM_RO_MAX };

/**
 * lm_reach_init() - Set up the reachability pass and its periodic work.
 *
 * Return: 0, or -ENOMEM.
 */
int lm_reach_init(void);

/**
 * lm_reach_exit() - Stop the periodic pass and free its results.
 */
void lm_reach_exit(void);

/**
 * lm_reach_run() - Run a pass now.
 * @st: the pass's statistics, filled in.
 *
 * Waits for a pass under way instead of starting a second.
 *
 * Context: process context, may sleep.
 * Return: 0, or -EINTR if interrupted by a signal.
 */
int lm_reach_run(struct lm_reach_stats *st);

/**
 * lm_reach_last() - The statistics of the last pass.
 * @st: filled in.
 *
 * Return: false before the first pass.
 */
bool lm_reach_last(struct lm_reach_stats *st);

/**
 * lm_reach_owner() - An owner's objects in the reported classes.
 * @s: the owner, as a snapshot (its key is what is looked up).
 * @n: per kind and class (LM_RO_*), filled in.
 *
 * Return: false if the last pass counted nothing of this owner.
 */
bool lm_reach_owner(const struct lm_owner_snap *s,
		    u64 n[LM_NKINDS][LM_RO_MAX]);

/* probes.c */
struct lm_kind_info {
	const char *name;
	bool enabled;
	const char *alloc_probe;	/* active alloc symbol + "(ret)" */
	const char *free_probe;
	const char *mechanism;		/* "kprobe", "fprobe"; NULL: disabled */
	const char *handover_probe;	/* NULL: none registered */
	char reason[LM_REASON_LEN];	/* why disabled */
	unsigned long missed_alloc;
	unsigned long missed_free;
	unsigned long missed_handover;
};

/**
 * lm_probes_init() - Register each kind's probes and the exit tracepoint.
 *
 * Context: module load.  A kind takes the first candidate pair of probes
 * that registers (release before allocation); a kind with none is
 * disabled, with its reason.
 *
 * Return: 0, or a negative errno: a bad kinds or probe_exclude parameter,
 * no exit tracepoint, or nothing at all can be tracked.
 */
int lm_probes_init(void);

/**
 * lm_probes_exit() - Unregister every probe and wait for their handlers.
 */
void lm_probes_exit(void);

/**
 * lm_probes_info() - What a kind probes, and what its probes missed.
 * @kind: enum leakmon_kind.
 * @info: filled in.
 */
void lm_probes_info(unsigned int kind, struct lm_kind_info *info);

/* netlink.c */

/**
 * lm_netlink_init() - Register the generic netlink family and start events.
 *
 * Return: 0, or a negative errno from genl_register_family().
 */
int lm_netlink_init(void);

/**
 * lm_netlink_exit() - Stop the events and unregister the family.
 */
void lm_netlink_exit(void);

#endif /* _LEAKMON_H */
