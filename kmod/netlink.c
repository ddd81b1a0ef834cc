// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: the "leakmon" generic netlink family.  The attribute tree is
 * documented in include/uapi/linux/leakmon.h.
 *
 * Notifications: the probes only detect an event and hand a snapshot to
 * lm_notify(), which may run with interrupts off and under no leakmon
 * lock: it copies the snapshot into a GFP_ATOMIC record, pushes it on a
 * lock-free list (bounded by event_queue_max) and raises an irq_work, whose
 * handler schedules the work item that builds and multicasts the messages
 * in process context.  The irq_work step keeps the probes from calling into
 * the workqueue (and the scheduler's wake-up) from whatever context the
 * probed function runs in.  An orphans event is held back until the
 * exiting task has closed its files (an exiting process closes them only
 * after the exit tracepoint, and what it closes then are not orphans) and
 * the exited owner's live count has then held still for
 * LM_ORPHANS_GRACE_NS.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/capability.h>
#include <linux/ktime.h>
#include <linux/llist.h>
#include <linux/irq_work.h>
#include <linux/workqueue.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <uapi/linux/magic.h>

#include "leakmon.h"
#include "compat.h"
#include "describe.h"
#include "../include/leakmon-version.h"

static struct genl_family lm_genl_family;
static int lm_put_evstats(struct sk_buff *skb);

static struct netlink_range_validation lm_objects_range = {
	.min = 1, .max = LEAKMON_MAX_OBJECTS_LIMIT,
};

static struct netlink_range_validation lm_owners_range = {
	.min = 1, .max = LEAKMON_MAX_OWNERS_LIMIT,
};

static struct netlink_range_validation lm_threshold_range = {
	.min = 0, .max = LEAKMON_MAX_OBJECTS_LIMIT,
};

static struct netlink_range_validation lm_rate_range = {
	.min = 1, .max = LEAKMON_EVENT_RATE_LIMIT,
};

static struct netlink_range_validation lm_queue_range = {
	.min = 1, .max = LEAKMON_EVENT_QUEUE_LIMIT,
};

static const struct nla_policy lm_config_policy[LEAKMON_CONFIG_A_MAX + 1] = {
	[LEAKMON_CONFIG_A_MAX_OBJECTS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &lm_objects_range),
	[LEAKMON_CONFIG_A_MAX_OWNERS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &lm_owners_range),
	[LEAKMON_CONFIG_A_RESTRICT_READ] = NLA_POLICY_MAX(NLA_U8, 1),
	[LEAKMON_CONFIG_A_HASH_BUCKETS] = {
		.type = NLA_REJECT,
		.reject_message =
			"hash_buckets is read-only: set it at load with the hash_bits parameter",
	},
	[LEAKMON_CONFIG_A_EVENT_THRESHOLD] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &lm_threshold_range),
	[LEAKMON_CONFIG_A_EVENT_RATE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &lm_rate_range),
	[LEAKMON_CONFIG_A_EVENT_QUEUE_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &lm_queue_range),
};

static const struct nla_policy lm_set_config_policy[LEAKMON_A_MAX + 1] = {
	[LEAKMON_A_CONFIG] = NLA_POLICY_NESTED(lm_config_policy),
};

/*
 * Commands without request attributes: every entry is NLA_UNSPEC, which
 * strict validation rejects ("Unsupported attribute"), and types above
 * LEAKMON_A_MAX are rejected as unknown.
 */
static const struct nla_policy lm_no_attr_policy[LEAKMON_A_MAX + 1];

static bool lm_may_read(struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	if (!READ_ONCE(lm_restrict_read) || netlink_capable(skb, CAP_NET_ADMIN))
		return true;
	NL_SET_ERR_MSG(extack,
		       "reading leakmon needs CAP_NET_ADMIN (restrict_read is set)");
	return false;
}

/* Changes need CAP_NET_ADMIN in the initial user namespace. */
static bool lm_is_admin(struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_NET_ADMIN);
}

static void *lm_reply_start(struct genl_info *info, struct sk_buff **skbp)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	hdr = genlmsg_put_reply(skb, info, &lm_genl_family, 0, info->genlhdr->cmd);
	if (!hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	*skbp = skb;
	return hdr;
}

static int lm_put_config(struct sk_buff *skb)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, LEAKMON_A_CONFIG);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, LEAKMON_CONFIG_A_MAX_OBJECTS,
			READ_ONCE(lm_max_objects)) ||
	    nla_put_u32(skb, LEAKMON_CONFIG_A_MAX_OWNERS,
			READ_ONCE(lm_max_owners)) ||
	    nla_put_u8(skb, LEAKMON_CONFIG_A_RESTRICT_READ,
		       READ_ONCE(lm_restrict_read)) ||
	    nla_put_u32(skb, LEAKMON_CONFIG_A_HASH_BUCKETS, lm_hash_buckets) ||
	    nla_put_u32(skb, LEAKMON_CONFIG_A_EVENT_THRESHOLD,
			READ_ONCE(lm_event_threshold)) ||
	    nla_put_u32(skb, LEAKMON_CONFIG_A_EVENT_RATE,
			READ_ONCE(lm_event_rate)) ||
	    nla_put_u32(skb, LEAKMON_CONFIG_A_EVENT_QUEUE_MAX,
			READ_ONCE(lm_event_queue_max))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int lm_put_kind(struct sk_buff *skb, unsigned int kind,
		       const struct lm_kind_totals *kt)
{
	static const int ev_attr[LM_EV_MAX] = {
		[LM_EV_OBSERVED] = LEAKMON_KIND_A_OBSERVED,
		[LM_EV_TRACKED] = LEAKMON_KIND_A_TRACKED,
		[LM_EV_FREED] = LEAKMON_KIND_A_FREED,
		[LM_EV_UNTRACKED_TABLE_FULL] =
			LEAKMON_KIND_A_UNTRACKED_TABLE_FULL,
		[LM_EV_UNTRACKED_OWNERS_FULL] =
			LEAKMON_KIND_A_UNTRACKED_OWNERS_FULL,
		[LM_EV_UNTRACKED_NOMEM] = LEAKMON_KIND_A_UNTRACKED_NOMEM,
		[LM_EV_UNKNOWN_FREES] = LEAKMON_KIND_A_UNKNOWN_FREES,
		[LM_EV_REPLACED] = LEAKMON_KIND_A_REPLACED,
		[LM_EV_HANDED_OVER] = LEAKMON_KIND_A_HANDED_OVER,
	};
	struct lm_kind_info info;
	struct nlattr *nest;
	unsigned int e;

	lm_probes_info(kind, &info);
	nest = nla_nest_start(skb, LEAKMON_A_KIND);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, LEAKMON_KIND_A_ID, kind) ||
	    nla_put_string(skb, LEAKMON_KIND_A_NAME, info.name) ||
	    nla_put_u8(skb, LEAKMON_KIND_A_ENABLED, info.enabled) ||
	    (info.alloc_probe &&
	     nla_put_string(skb, LEAKMON_KIND_A_ALLOC_PROBE, info.alloc_probe)) ||
	    (info.free_probe &&
	     nla_put_string(skb, LEAKMON_KIND_A_FREE_PROBE, info.free_probe)) ||
	    (!info.enabled &&
	     nla_put_string(skb, LEAKMON_KIND_A_DISABLED_REASON, info.reason)) ||
	    nla_put_u64_64bit(skb, LEAKMON_KIND_A_LIVE, max_t(s64, kt->live, 0),
			      LEAKMON_KIND_A_PAD) ||
	    nla_put_u64_64bit(skb, LEAKMON_KIND_A_ORPHANS,
			      max_t(s64, kt->orphans, 0), LEAKMON_KIND_A_PAD) ||
	    nla_put_u64_64bit(skb, LEAKMON_KIND_A_MISSED_ALLOC,
			      info.missed_alloc, LEAKMON_KIND_A_PAD) ||
	    nla_put_u64_64bit(skb, LEAKMON_KIND_A_MISSED_FREE,
			      info.missed_free, LEAKMON_KIND_A_PAD) ||
	    (kt->obj_size &&
	     nla_put_u32(skb, LEAKMON_KIND_A_OBJ_SIZE, kt->obj_size)) ||
	    (info.handover_probe &&
	     (nla_put_string(skb, LEAKMON_KIND_A_HANDOVER_PROBE,
			     info.handover_probe) ||
	      nla_put_u64_64bit(skb, LEAKMON_KIND_A_MISSED_HANDOVER,
				info.missed_handover, LEAKMON_KIND_A_PAD))))
		goto cancel;
	for (e = 0; e < LM_EV_MAX; e++)
		if (nla_put_u64_64bit(skb, ev_attr[e], kt->ev[e],
				      LEAKMON_KIND_A_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* A reachability pass's result: LEAKMON_A_SCAN */
static int lm_put_scan(struct sk_buff *skb, const struct lm_reach_stats *st)
{
	static const int cls_attr[LM_CLS_MAX] = {
		[LM_CLS_YOUNG] = LEAKMON_SCAN_KIND_A_YOUNG,
		[LM_CLS_HELD] = LEAKMON_SCAN_KIND_A_HELD,
		[LM_CLS_KERNEL] = LEAKMON_SCAN_KIND_A_KERNEL,
		[LM_CLS_CLOSING] = LEAKMON_SCAN_KIND_A_CLOSING,
		[LM_CLS_UNREACHABLE] = LEAKMON_SCAN_KIND_A_UNREACHABLE,
	};
	struct nlattr *nest, *kn;
	unsigned int k, c;

	nest = nla_nest_start(skb, LEAKMON_A_SCAN);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, LEAKMON_SCAN_A_SEQ, st->seq,
			      LEAKMON_SCAN_A_PAD) ||
	    nla_put_u64_64bit(skb, LEAKMON_SCAN_A_TIME_NS, st->time_ns,
			      LEAKMON_SCAN_A_PAD) ||
	    nla_put_u64_64bit(skb, LEAKMON_SCAN_A_DURATION_NS,
			      st->duration_ns, LEAKMON_SCAN_A_PAD) ||
	    nla_put_u64_64bit(skb, LEAKMON_SCAN_A_MAX_STEP_NS,
			      st->max_step_ns, LEAKMON_SCAN_A_PAD) ||
	    nla_put_u64_64bit(skb, LEAKMON_SCAN_A_TASKS, st->tasks,
			      LEAKMON_SCAN_A_PAD) ||
	    nla_put_u64_64bit(skb, LEAKMON_SCAN_A_FDS, st->fds,
			      LEAKMON_SCAN_A_PAD) ||
	    nla_put_u64_64bit(skb, LEAKMON_SCAN_A_VMAS, st->vmas,
			      LEAKMON_SCAN_A_PAD) ||
	    nla_put_u64_64bit(skb, LEAKMON_SCAN_A_OBJECTS, st->objects,
			      LEAKMON_SCAN_A_PAD) ||
	    nla_put_u64_64bit(skb, LEAKMON_SCAN_A_REATTRIBUTED,
			      st->reattributed, LEAKMON_SCAN_A_PAD) ||
	    nla_put_u64_64bit(skb, LEAKMON_SCAN_A_OWNERS_UNREPORTED,
			      st->owners_unreported, LEAKMON_SCAN_A_PAD) ||
	    nla_put_u64_64bit(skb, LEAKMON_SCAN_A_GROUPS_UNREPORTED,
			      st->groups_unreported, LEAKMON_SCAN_A_PAD) ||
	    nla_put_u32(skb, LEAKMON_SCAN_A_INTERVAL_S,
			READ_ONCE(lm_scan_interval)) ||
	    nla_put_u32(skb, LEAKMON_SCAN_A_GRACE_S, READ_ONCE(lm_scan_grace)) ||
	    nla_put_u32(skb, LEAKMON_SCAN_A_CLOSING_MAX_S,
			READ_ONCE(lm_closing_max)))
		goto cancel;
	for (k = 0; k < LM_NKINDS; k++) {
		kn = nla_nest_start(skb, LEAKMON_SCAN_A_KIND);
		if (!kn || nla_put_u32(skb, LEAKMON_SCAN_KIND_A_ID, k))
			goto cancel;
		for (c = 0; c < LM_CLS_MAX; c++)
			if (nla_put_u64_64bit(skb, cls_attr[c], st->k[k].cls[c],
					      LEAKMON_SCAN_KIND_A_PAD))
				goto cancel;
		nla_nest_end(skb, kn);
	}
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* The last pass, if any (a frame of its own: get-totals' is large) */
static noinline int lm_put_last_scan(struct sk_buff *skb)
{
	struct lm_reach_stats st;

	return lm_reach_last(&st) ? lm_put_scan(skb, &st) : 0;
}

static int lm_cmd_get_totals(struct sk_buff *skb, struct genl_info *info)
{
	struct lm_totals t;
	struct sk_buff *msg;
	unsigned int k;
	void *hdr;

	if (!lm_may_read(skb, info->extack))
		return -EPERM;
	lm_track_totals(&t);
	hdr = lm_reply_start(info, &msg);
	if (!hdr)
		return -ENOMEM;
	if (nla_put_string(msg, LEAKMON_A_VERSION, LEAKMON_VERSION) ||
	    nla_put_u64_64bit(msg, LEAKMON_A_NOW_NS, ktime_get_boottime_ns(),
			      LEAKMON_A_PAD) ||
	    nla_put_u64_64bit(msg, LEAKMON_A_RESET_NS, t.reset_ns,
			      LEAKMON_A_PAD) ||
	    nla_put_u64_64bit(msg, LEAKMON_A_OBJECTS, t.objects,
			      LEAKMON_A_PAD) ||
	    nla_put_u32(msg, LEAKMON_A_OWNERS, t.owners) ||
	    nla_put_u32(msg, LEAKMON_A_OWNERS_EXITED, t.owners_exited) ||
	    lm_put_config(msg) || lm_put_evstats(msg) ||
	    lm_put_last_scan(msg))
		goto err;
	for (k = 0; k < LM_NKINDS; k++)
		if (lm_put_kind(msg, k, &t.k[k]))
			goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

struct lm_dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int lm_put_owner(const struct lm_owner_snap *s, void *arg)
{
	struct lm_dump_ctx *ctx = arg;
	struct sk_buff *skb = ctx->skb;
	u64 ro[LM_NKINDS][LM_RO_MAX];
	struct nlattr *owner, *kn;
	unsigned int k;
	bool scanned, netns;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(ctx->cb->skb).portid,
			  ctx->cb->nlh->nlmsg_seq, &lm_genl_family, NLM_F_MULTI,
			  LEAKMON_CMD_GET_OWNERS);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(ctx->cb, hdr);
	owner = nla_nest_start(skb, LEAKMON_A_OWNER);
	if (!owner)
		goto cancel;
	netns = s->type == LEAKMON_OWNER_TYPE_NETNS;
	if (nla_put_u32(skb, LEAKMON_OWNER_A_TYPE, s->type) ||
	    nla_put_u32(skb, LEAKMON_OWNER_A_TGID, s->tgid) ||
	    nla_put_u64_64bit(skb, LEAKMON_OWNER_A_START_NS,
			      netns ? 0 : s->start_ns, LEAKMON_OWNER_A_PAD) ||
	    (netns && nla_put_u32(skb, LEAKMON_OWNER_A_NETNS_INUM,
				  (u32)s->start_ns)) ||
	    nla_put_string(skb, LEAKMON_OWNER_A_COMM, s->comm) ||
	    nla_put_u32(skb, LEAKMON_OWNER_A_UID, s->uid) ||
	    nla_put_u64_64bit(skb, LEAKMON_OWNER_A_CGROUP_ID, s->cgroup_id,
			      LEAKMON_OWNER_A_PAD) ||
	    (s->exited && (nla_put_flag(skb, LEAKMON_OWNER_A_EXITED) ||
			   nla_put_u64_64bit(skb, LEAKMON_OWNER_A_EXIT_NS,
					     s->exit_ns, LEAKMON_OWNER_A_PAD))))
		goto cancel;
	scanned = lm_reach_owner(s, ro);
	for (k = 0; k < LM_NKINDS; k++) {
		const struct lm_owner_kind *ok = &s->k[k];

		kn = nla_nest_start(skb, LEAKMON_OWNER_A_KIND);
		if (!kn ||
		    nla_put_u32(skb, LEAKMON_OWNER_KIND_A_ID, k) ||
		    nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_LIVE, s->live[k],
				      LEAKMON_OWNER_KIND_A_PAD) ||
		    nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_ALLOCATED,
				      ok->allocated, LEAKMON_OWNER_KIND_A_PAD) ||
		    nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_FREED,
				      ok->freed, LEAKMON_OWNER_KIND_A_PAD) ||
		    nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_FIRST_ALLOC_NS,
				      ok->first_ns, LEAKMON_OWNER_KIND_A_PAD) ||
		    nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_LAST_ALLOC_NS,
				      ok->last_ns, LEAKMON_OWNER_KIND_A_PAD) ||
		    nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_RECEIVED,
				      ok->received, LEAKMON_OWNER_KIND_A_PAD) ||
		    nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_HANDED_OVER,
				      ok->handed_over, LEAKMON_OWNER_KIND_A_PAD))
			goto cancel;
		if (scanned &&
		    (nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_KERNEL,
				       ro[k][LM_RO_KERNEL],
				       LEAKMON_OWNER_KIND_A_PAD) ||
		     nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_CLOSING,
				       ro[k][LM_RO_CLOSING],
				       LEAKMON_OWNER_KIND_A_PAD) ||
		     nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_UNREACHABLE,
				       ro[k][LM_RO_UNREACHABLE],
				       LEAKMON_OWNER_KIND_A_PAD)))
			goto cancel;
		nla_nest_end(skb, kn);
	}
	nla_nest_end(skb, owner);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* cb->args[0]: owner bucket, [1]: index in bucket, [2]: read checked. */
static int lm_cmd_dump_owners(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct lm_dump_ctx ctx = { .skb = skb, .cb = cb };
	unsigned long bucket = cb->args[0], index = cb->args[1];
	int err;

	if (!cb->args[2]) {
		if (!lm_may_read(cb->skb, cb->extack))
			return -EPERM;
		cb->args[2] = 1;
	}
	cb->seq = lm_owner_generation();
	err = lm_owner_walk(&bucket, &index, lm_put_owner, &ctx);
	cb->args[0] = bucket;
	cb->args[1] = index;
	if (err && !skb->len) {
		/* A single owner does not fit into an empty buffer. */
		NL_SET_ERR_MSG(cb->extack, "owner message too large");
		return err;
	}
	return skb->len;
}

/* The socket attributes of a group, for a kind that is a socket's */
static int lm_put_unreach_sock(struct sk_buff *skb, const struct lm_shape *sh)
{
	if (sh->flags & LEAKMON_UNREACH_F_UNREADABLE)
		return 0;
	return nla_put_u16(skb, LEAKMON_UNREACH_A_FAMILY, sh->family) ||
	       nla_put_u16(skb, LEAKMON_UNREACH_A_SOCK_TYPE, sh->type) ||
	       nla_put_u16(skb, LEAKMON_UNREACH_A_PROTOCOL, sh->protocol) ||
	       nla_put_u8(skb, LEAKMON_UNREACH_A_STATE, sh->state);
}

static int lm_put_unreach(const struct lm_unreach *u, u64 seq, void *arg)
{
	struct lm_dump_ctx *ctx = arg;
	struct sk_buff *skb = ctx->skb;
	const struct lm_shape *sh = &u->sh;
	bool netns = u->type == LEAKMON_OWNER_TYPE_NETNS;
	bool sock = sh->kind != LEAKMON_KIND_FILE_BLOB ||
		    sh->fs_magic == SOCKFS_MAGIC;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(ctx->cb->skb).portid,
			  ctx->cb->nlh->nlmsg_seq, &lm_genl_family, NLM_F_MULTI,
			  LEAKMON_CMD_GET_UNREACHABLE);
	if (!hdr)
		return -EMSGSIZE;
	ctx->cb->seq = (u32)seq;
	genl_dump_check_consistent(ctx->cb, hdr);
	nest = nla_nest_start(skb, LEAKMON_A_UNREACH);
	if (!nest ||
	    nla_put_u64_64bit(skb, LEAKMON_UNREACH_A_SEQ, seq,
			      LEAKMON_UNREACH_A_PAD) ||
	    nla_put_u32(skb, LEAKMON_UNREACH_A_OWNER_TYPE, u->type) ||
	    nla_put_u32(skb, LEAKMON_UNREACH_A_TGID, u->tgid) ||
	    nla_put_u64_64bit(skb, LEAKMON_UNREACH_A_START_NS,
			      netns ? 0 : u->start_ns, LEAKMON_UNREACH_A_PAD) ||
	    (netns && nla_put_u32(skb, LEAKMON_UNREACH_A_NETNS_INUM,
				  (u32)u->start_ns)) ||
	    nla_put_u32(skb, LEAKMON_UNREACH_A_KIND, sh->kind) ||
	    nla_put_u64_64bit(skb, LEAKMON_UNREACH_A_COUNT, u->n,
			      LEAKMON_UNREACH_A_PAD) ||
	    nla_put_u32(skb, LEAKMON_UNREACH_A_FLAGS, sh->flags) ||
	    (sock && lm_put_unreach_sock(skb, sh)) ||
	    (sh->file_refs != LM_SHAPE_NO_FILE &&
	     nla_put_u32(skb, LEAKMON_UNREACH_A_FILE_REFS, sh->file_refs)))
		goto cancel;
	if (sh->kind == LEAKMON_KIND_FILE_BLOB &&
	    !(sh->flags & LEAKMON_UNREACH_F_UNREADABLE) &&
	    (nla_put_u32(skb, LEAKMON_UNREACH_A_FS_MAGIC, sh->fs_magic) ||
	     nla_put_u32(skb, LEAKMON_UNREACH_A_FILE_MODE, sh->file_mode) ||
	     nla_put_string(skb, LEAKMON_UNREACH_A_NAME, sh->name)))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* cb->args[0]: the next group, [1]: read checked. */
static int lm_cmd_dump_unreach(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct lm_dump_ctx ctx = { .skb = skb, .cb = cb };
	unsigned long pos = cb->args[0];
	u64 seq = 0;
	int err;

	if (!cb->args[1]) {
		if (!lm_may_read(cb->skb, cb->extack))
			return -EPERM;
		cb->args[1] = 1;
	}
	/*
	 * A new report while dumping (its sequence number changes) flags
	 * the rest: the positions are another list's.
	 */
	err = lm_reach_unreach_walk(&pos, &seq, lm_put_unreach, &ctx);
	cb->seq = (u32)seq;
	cb->args[0] = pos;
	if (err && !skb->len) {
		NL_SET_ERR_MSG(cb->extack, "unreachable group too large");
		return err;
	}
	return skb->len;
}

static int lm_cmd_reset(struct sk_buff *skb, struct genl_info *info)
{
	if (!lm_is_admin(skb)) {
		NL_SET_ERR_MSG(info->extack, "reset needs CAP_NET_ADMIN");
		return -EPERM;
	}
	lm_track_reset();
	lm_events_reset();
	return 0;
}

static int lm_cmd_scan(struct sk_buff *skb, struct genl_info *info)
{
	struct lm_reach_stats st;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (!lm_is_admin(skb)) {
		NL_SET_ERR_MSG(info->extack, "a scan needs CAP_NET_ADMIN");
		return -EPERM;
	}
	err = lm_reach_run(&st);
	if (err == -EINTR) {
		NL_SET_ERR_MSG(info->extack, "interrupted waiting for the pass under way");
		return err;
	}
	if (err) {
		NL_SET_ERR_MSG(info->extack, "no memory for the pass");
		return err;
	}
	hdr = lm_reply_start(info, &msg);
	if (!hdr)
		return -ENOMEM;
	if (lm_put_scan(msg, &st)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int lm_reply_config(struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	hdr = lm_reply_start(info, &msg);
	if (!hdr)
		return -ENOMEM;
	if (lm_put_config(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int lm_cmd_get_config(struct sk_buff *skb, struct genl_info *info)
{
	if (!lm_may_read(skb, info->extack))
		return -EPERM;
	return lm_reply_config(info);
}

static int lm_cmd_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[LEAKMON_CONFIG_A_MAX + 1];
	struct nlattr *cfg = info->attrs[LEAKMON_A_CONFIG];
	int err;

	if (!lm_is_admin(skb)) {
		NL_SET_ERR_MSG(info->extack,
			       "setting the configuration needs CAP_NET_ADMIN");
		return -EPERM;
	}
	if (!cfg) {
		NL_SET_ERR_MSG(info->extack, "missing LEAKMON_A_CONFIG");
		return -EINVAL;
	}
	/* Already validated by the policy; this only splits the nest. */
	err = nla_parse_nested(tb, LEAKMON_CONFIG_A_MAX, cfg, lm_config_policy,
			       info->extack);
	if (err)
		return err;
	if (!tb[LEAKMON_CONFIG_A_MAX_OBJECTS] &&
	    !tb[LEAKMON_CONFIG_A_MAX_OWNERS] &&
	    !tb[LEAKMON_CONFIG_A_RESTRICT_READ] &&
	    !tb[LEAKMON_CONFIG_A_EVENT_THRESHOLD] &&
	    !tb[LEAKMON_CONFIG_A_EVENT_RATE] &&
	    !tb[LEAKMON_CONFIG_A_EVENT_QUEUE_MAX]) {
		NL_SET_ERR_MSG_ATTR(info->extack, cfg,
				    "no configuration attribute given");
		return -EINVAL;
	}
	mutex_lock(&lm_config_mutex);
	if (tb[LEAKMON_CONFIG_A_MAX_OBJECTS])
		WRITE_ONCE(lm_max_objects,
			   nla_get_u32(tb[LEAKMON_CONFIG_A_MAX_OBJECTS]));
	if (tb[LEAKMON_CONFIG_A_MAX_OWNERS])
		WRITE_ONCE(lm_max_owners,
			   nla_get_u32(tb[LEAKMON_CONFIG_A_MAX_OWNERS]));
	if (tb[LEAKMON_CONFIG_A_RESTRICT_READ])
		WRITE_ONCE(lm_restrict_read,
			   nla_get_u8(tb[LEAKMON_CONFIG_A_RESTRICT_READ]));
	if (tb[LEAKMON_CONFIG_A_EVENT_THRESHOLD])
		WRITE_ONCE(lm_event_threshold,
			   nla_get_u32(tb[LEAKMON_CONFIG_A_EVENT_THRESHOLD]));
	if (tb[LEAKMON_CONFIG_A_EVENT_RATE])
		WRITE_ONCE(lm_event_rate,
			   nla_get_u32(tb[LEAKMON_CONFIG_A_EVENT_RATE]));
	if (tb[LEAKMON_CONFIG_A_EVENT_QUEUE_MAX])
		WRITE_ONCE(lm_event_queue_max,
			   nla_get_u32(tb[LEAKMON_CONFIG_A_EVENT_QUEUE_MAX]));
	mutex_unlock(&lm_config_mutex);
	return lm_reply_config(info);
}

static const struct genl_ops lm_genl_ops[] = {
	{
		.cmd = LEAKMON_CMD_GET_TOTALS,
		.doit = lm_cmd_get_totals,
		.policy = lm_no_attr_policy,
		.maxattr = LEAKMON_A_MAX,
	},
	{
		.cmd = LEAKMON_CMD_GET_OWNERS,
		.dumpit = lm_cmd_dump_owners,
		.policy = lm_no_attr_policy,
		.maxattr = LEAKMON_A_MAX,
	},
	{
		.cmd = LEAKMON_CMD_RESET,
		.doit = lm_cmd_reset,
		.policy = lm_no_attr_policy,
		.maxattr = LEAKMON_A_MAX,
	},
	{
		.cmd = LEAKMON_CMD_GET_CONFIG,
		.doit = lm_cmd_get_config,
		.policy = lm_no_attr_policy,
		.maxattr = LEAKMON_A_MAX,
	},
	{
		.cmd = LEAKMON_CMD_SET_CONFIG,
		.doit = lm_cmd_set_config,
		.policy = lm_set_config_policy,
		.maxattr = LEAKMON_A_MAX,
	},
	{
		.cmd = LEAKMON_CMD_SCAN,
		.doit = lm_cmd_scan,
		.policy = lm_no_attr_policy,
		.maxattr = LEAKMON_A_MAX,
	},
	{
		.cmd = LEAKMON_CMD_GET_UNREACHABLE,
		.dumpit = lm_cmd_dump_unreach,
		.policy = lm_no_attr_policy,
		.maxattr = LEAKMON_A_MAX,
	},
};

/* Index 0 of the family's groups */
#define LM_MCGRP_EVENTS 0

static const struct genl_multicast_group lm_mcgrps[] = {
	[LM_MCGRP_EVENTS] = { .name = LEAKMON_MCGRP_EVENTS },
};

static struct genl_family lm_genl_family __ro_after_init = {
	.name = LEAKMON_GENL_NAME,
	.version = LEAKMON_GENL_VERSION,
	.module = THIS_MODULE,
	.ops = lm_genl_ops,
	.n_ops = ARRAY_SIZE(lm_genl_ops),
	.mcgrps = lm_mcgrps,
	.n_mcgrps = ARRAY_SIZE(lm_mcgrps),
	.parallel_ops = true,
};

/* ---- notifications ---------------------------------------------------- */

#define LM_ORPHANS_GRACE_NS	NSEC_PER_SEC
#define LM_ORPHANS_POLL_NS	(100 * NSEC_PER_MSEC)

static LLIST_HEAD(lm_ev_list);
static atomic_t lm_ev_queued;
static atomic_long_t lm_evstats[LM_EVS_MAX];
static struct irq_work lm_ev_irq_work;
static struct delayed_work lm_ev_work;
/* Orphans events waiting for their grace period; the work item's own. */
static struct llist_node *lm_ev_waiting;
/* The family is registered: the work item may send. */
static bool lm_ev_ready;
/* Rate limit window; touched only by the work item, which never nests. */
static u64 lm_ev_window_ns;
static unsigned int lm_ev_window_sent;

static inline void lm_evstat_inc(enum lm_evstat s)
{
	atomic_long_inc(&lm_evstats[s]);
}

static int lm_put_evstats(struct sk_buff *skb)
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
 * Any context (probe handlers run with interrupts off): no sleeping, no
 * lock but the allocator's, nothing that wakes a task directly.
 */
bool lm_notify(const struct lm_notif *src)
{
	struct lm_notif *ev;

	/*
	 * Nobody listens: nothing to queue (the work item checks again).  The
	 * listeners bitmap is read under RCU, without a lock.  Pairs with the
	 * release in lm_netlink_init().
	 */
	if (!smp_load_acquire(&lm_ev_ready) ||
	    !genl_has_listeners(&lm_genl_family, &init_net, LM_MCGRP_EVENTS)) {
		lm_evstat_inc(LM_EVS_NO_LISTENERS);
		return false;
	}
	if (atomic_inc_return(&lm_ev_queued) > READ_ONCE(lm_event_queue_max)) {
		atomic_dec(&lm_ev_queued);
		lm_evstat_inc(LM_EVS_QUEUE_FULL);
		return false;
	}
	ev = kmalloc(sizeof(*ev), GFP_ATOMIC | __GFP_NOWARN);
	if (!ev) {
		atomic_dec(&lm_ev_queued);
		lm_evstat_inc(LM_EVS_NOMEM);
		return false;
	}
	*ev = *src;
	llist_add(&ev->node, &lm_ev_list);
	irq_work_queue(&lm_ev_irq_work);
	return true;
}

static void lm_ev_kick(struct irq_work *w)
{
	mod_delayed_work(system_wq, &lm_ev_work, 0);
}

static void lm_ev_free(struct lm_notif *ev)
{
	if (ev->task)
		put_task_struct(ev->task);
	if (ev->owner)
		lm_track_owner_put(ev->owner);
	kfree(ev);
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

static int lm_ev_fill(struct sk_buff *skb, const struct lm_notif *ev)
{
	struct nlattr *nest;
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, 0, 0, &lm_genl_family, 0, ev->cmd);
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

/* Process context: the rate limit, then build and multicast one event. */
static void lm_ev_send(const struct lm_notif *ev)
{
	struct sk_buff *skb;
	u64 now;
	int err;

	/* Pairs with the release in lm_netlink_init(). */
	if (!smp_load_acquire(&lm_ev_ready) ||
	    !genl_has_listeners(&lm_genl_family, &init_net, LM_MCGRP_EVENTS)) {
		lm_evstat_inc(LM_EVS_NO_LISTENERS);
		return;
	}
	if (READ_ONCE(lm_restrict_read)) {
		lm_evstat_inc(LM_EVS_RESTRICTED);
		return;
	}
	now = ktime_get_boottime_ns();
	if (now - lm_ev_window_ns >= NSEC_PER_SEC) {
		lm_ev_window_ns = now;
		lm_ev_window_sent = 0;
	}
	if (lm_ev_window_sent >= READ_ONCE(lm_event_rate)) {
		lm_evstat_inc(LM_EVS_RATE_LIMITED);
		return;
	}
	lm_ev_window_sent++;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb) {
		lm_evstat_inc(LM_EVS_SEND_FAILED);
		return;
	}
	if (lm_ev_fill(skb, ev)) {
		nlmsg_free(skb);
		lm_evstat_inc(LM_EVS_SEND_FAILED);
		return;
	}
	/* Consumes skb; -ESRCH: the last listener left meanwhile. */
	err = genlmsg_multicast(&lm_genl_family, skb, 0, LM_MCGRP_EVENTS,
				GFP_KERNEL);
	if (!err)
		lm_evstat_inc(LM_EVS_SENT);
	else if (err == -ESRCH)
		lm_evstat_inc(LM_EVS_NO_LISTENERS);
	else
		lm_evstat_inc(LM_EVS_SEND_FAILED);
}

/*
 * An orphans event waits (true) until the exiting task has closed its
 * files and until its owner's live count has then held still for
 * LM_ORPHANS_GRACE_NS; then ev has the counts (ev->last_live: the sum, 0 if
 * nothing is left and nothing is to be sent).  The task passed the exit
 * tracepoint before exit_files(); the deferred fput()s of its files run in
 * exit_task_work(), before exit_notify() makes it a zombie (exit_state).
 * A process closing many files on a busy host can take longer than the
 * grace period for that, so the period starts only then.
 */
static bool lm_ev_orphans_wait(struct lm_notif *ev, u64 now)
{
	u64 live;

	if ((s64)(now - ev->due_ns) < 0)
		return true;
	if (ev->task) {
		if (!READ_ONCE(ev->task->exit_state)) {
			ev->due_ns = now + LM_ORPHANS_POLL_NS;
			return true;
		}
		put_task_struct(ev->task);
		ev->task = NULL;
	}
	live = lm_track_orphans(ev);
	if (live && live != ev->last_live) {
		ev->last_live = live;
		ev->due_ns = now + LM_ORPHANS_GRACE_NS;
		return true;
	}
	ev->last_live = live;
	return false;
}

static void lm_ev_work_fn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&lm_ev_list), *waiting;
	u64 now = ktime_get_boot_fast_ns(), next = 0;
	struct lm_notif *ev, *tmp;

	/* llist_add() pushes on the front: oldest first, waiting ones first. */
	list = llist_reverse_order(list);
	waiting = lm_ev_waiting;
	lm_ev_waiting = NULL;
	llist_for_each_entry_safe(ev, tmp, waiting, node) {
		ev->node.next = list;
		list = &ev->node;
	}
	llist_for_each_entry_safe(ev, tmp, list, node) {
		if (ev->cmd == LEAKMON_CMD_EVENT_ORPHANS &&
		    lm_ev_orphans_wait(ev, now)) {
			ev->node.next = lm_ev_waiting;
			lm_ev_waiting = &ev->node;
			if (!next || (s64)(ev->due_ns - next) < 0)
				next = ev->due_ns;
			continue;
		}
		if (ev->cmd != LEAKMON_CMD_EVENT_ORPHANS || ev->last_live)
			lm_ev_send(ev);
		lm_ev_free(ev);
		cond_resched();
	}
	if (next)
		schedule_delayed_work(&lm_ev_work,
				      nsecs_to_jiffies(next - now) + 1);
}

static void lm_ev_free_list(struct llist_node *list)
{
	struct lm_notif *ev, *tmp;

	llist_for_each_entry_safe(ev, tmp, list, node)
		lm_ev_free(ev);
}

int lm_events_init(void)
{
	init_irq_work(&lm_ev_irq_work, lm_ev_kick);
	INIT_DELAYED_WORK(&lm_ev_work, lm_ev_work_fn);
	return 0;
}

/*
 * Called once nothing can queue events any more (probes unregistered) and
 * before the tables go: waiting orphans events hold owner references.
 */
void lm_events_exit(void)
{
	irq_work_sync(&lm_ev_irq_work);
	cancel_delayed_work_sync(&lm_ev_work);
	lm_ev_free_list(llist_del_all(&lm_ev_list));
	lm_ev_free_list(lm_ev_waiting);
	lm_ev_waiting = NULL;
}

int lm_netlink_init(void)
{
	int err = genl_register_family(&lm_genl_family);

	if (err)
		return err;
	/* Pairs with the acquire in lm_ev_send(): the family is complete. */
	smp_store_release(&lm_ev_ready, true);
	return 0;
}

void lm_netlink_exit(void)
{
	/* From now on the work item drops what it finds, without sending. */
	WRITE_ONCE(lm_ev_ready, false);
	cancel_delayed_work_sync(&lm_ev_work);
	genl_unregister_family(&lm_genl_family);
}
