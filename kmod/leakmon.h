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

/* Event counters, per CPU and per kind; zeroed by a reset. */
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

/* An owner's history with one kind (its live count is apart, packed). */
struct lm_owner_kind {
	u64 allocated;
	u64 freed;
	u64 first_ns;
	u64 last_ns;
	u64 received;			/* handed over to this owner */
	u64 handed_over;		/* handed over to another owner */
};

/*
 * An owner: 232 bytes on a kernel without lock debugging, a 240-byte slab
 * slot with the free pointer (leakmon_scale's sockets_100000 holds it to
 * 256 with slab waste and its bucket's share).
 * Live counts are u32: the object table holds at most
 * LEAKMON_MAX_OBJECTS_LIMIT (2^26) objects.
 */
struct lm_owner {
	struct hlist_node node;		/* owner bucket; bucket lock */
	refcount_t ref;			/* live objects, +1 while alive */
	spinlock_t lock;		/* everything below but type */
	pid_t tgid;
	kuid_t uid;
	u64 start_ns;
	u64 exit_ns;
	u64 cgroup_id;
	char comm[TASK_COMM_LEN];
	u32 live[LM_NKINDS];
	u8 type;			/* enum leakmon_owner_type, fixed */
	bool exited;
	bool over;			/* threshold event sent, not re-armed */
	struct lm_owner_kind k[LM_NKINDS];
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
extern unsigned int lm_max_objects;
extern unsigned int lm_max_owners;
extern unsigned int lm_restrict_read;
extern unsigned int lm_reader_gid;
extern unsigned int lm_event_threshold;
extern unsigned int lm_event_rate;
extern unsigned int lm_event_queue_max;
extern unsigned int lm_hash_bits;
extern unsigned int lm_hash_buckets;
extern unsigned int lm_kretprobe_maxactive;
extern struct mutex lm_config_mutex;

/* track.c */
int lm_track_init(void);
void lm_track_exit(void);
/* obj: the key; base: the start of the slab allocation that holds it */
void lm_track_alloc(unsigned int kind, const void *obj, const void *base);
void lm_track_free(unsigned int kind, const void *obj);
/* obj changes hands: current takes it over (an accepted socket) */
void lm_track_handover(unsigned int kind, const void *obj);
void lm_track_task_exit(struct task_struct *task);
void lm_track_totals(struct lm_totals *t);
void lm_track_reset(void);
u32 lm_owner_generation(void);
void lm_track_owner_put(struct lm_owner *o);
/*
 * Visit owners from the cursor (bucket, index) on, calling fn with a snapshot until it
 * returns non-zero; the cursor is left at the owner that made it stop.
 */
int lm_owner_walk(unsigned long *bucket, unsigned long *index,
		  int (*fn)(const struct lm_owner_snap *s, void *arg),
		  void *arg);

/* track.c, for the reachability pass (reach.c) */
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

/* The owner of t's process if it runs, referenced; else an ERR_PTR. */
struct lm_owner *lm_track_owner_of(struct task_struct *t);
void lm_track_owner_hold(struct lm_owner *o);
/* The owner of a network namespace's kernel sockets, referenced */
struct lm_owner *lm_track_netns_owner(u32 inum);
bool lm_track_give(unsigned int kind, const void *ptr, struct lm_owner *to);
void lm_track_owner_snap(struct lm_owner *o, struct lm_owner_snap *s);
/* The process the walk visits, as an owner's identity */
struct lm_holder {
	pid_t tgid;
	u64 start_ns;
};

enum lm_hold lm_track_hold(unsigned int kind, const void *ptr,
			   const struct lm_holder *h, struct lm_owner *holder,
			   bool ask);
unsigned long lm_track_buckets(void);
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

extern unsigned int lm_scan_interval;
extern unsigned int lm_scan_grace;
extern unsigned int lm_closing_max;
int lm_reach_init(void);
void lm_reach_exit(void);
/* Run a pass now (waits for one under way); -EINTR if interrupted. */
int lm_reach_run(struct lm_reach_stats *st);
/* The last pass; false before the first. */
bool lm_reach_last(struct lm_reach_stats *st);
/* An owner's objects per kind in the reported classes at the last pass. */
bool lm_reach_owner(const struct lm_owner_snap *s,
		    u64 n[LM_NKINDS][LM_RO_MAX]);
void lm_reach_interval_changed(void);

/* probes.c */
struct lm_kind_info {
	const char *name;
	bool enabled;
	const char *alloc_probe;	/* active alloc symbol + "(ret)" */
	const char *free_probe;
	const char *handover_probe;	/* NULL: none registered */
	char reason[96];		/* why disabled */
	unsigned long missed_alloc;
	unsigned long missed_free;
	unsigned long missed_handover;
};

int lm_probes_init(void);
void lm_probes_exit(void);
void lm_probes_info(unsigned int kind, struct lm_kind_info *info);

/* netlink.c */
int lm_netlink_init(void);
void lm_netlink_exit(void);

#endif /* _LEAKMON_H */
