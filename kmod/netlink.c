// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: the "leakmon" generic netlink family.  The attribute tree is
 * documented in include/uapi/linux/leakmon.h.  The notifications on its
 * events group are sent by the event pipeline (events.c), to which
 * lm_netlink_init() hands the family once it is registered.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/net.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <uapi/linux/magic.h>

#include "leakmon.h"
#include "compat.h"
#include "config.h"
#include "describe.h"
#include "events.h"
#include "../include/leakmon-version.h"

static struct genl_family lm_genl_family;

static const struct nla_policy lm_set_config_policy[LEAKMON_A_MAX + 1] = {
	[LEAKMON_A_CONFIG] = NLA_POLICY_NESTED(lm_config_policy),
};

/*
 * Commands without request attributes: every entry is NLA_UNSPEC, which
 * strict validation rejects ("Unsupported attribute"), and types above
 * LEAKMON_A_MAX are rejected as unknown.
 */
static const struct nla_policy lm_no_attr_policy[LEAKMON_A_MAX + 1];

/*
 * What a reader sees (include/uapi/linux/leakmon.h, "Who reads what"):
 * every owner, no owner, or the owners of one uid (the value).
 */
#define LM_VIEW_ALL	(-1L)
#define LM_VIEW_NONE	(-2L)

/*
 * The file of the socket a request came from: its credentials are the
 * opener's, which netlink_capable() asks too.  The request is being sent
 * (a dump: started) by the caller, in whose context this runs, so the
 * socket and its file are there.
 */
static const struct file *lm_sender_file(const struct sk_buff *skb)
{
	const struct sock *sk = NETLINK_CB(skb).sk;

	return sk && sk->sk_socket ? sk->sk_socket->file : NULL;
}

/* in_group_p() for credentials other than current's */
static bool lm_cred_in_group(const struct cred *cred, kgid_t gid)
{
	const struct group_info *gi = cred->group_info;
	int i;

	if (gid_eq(cred->fsgid, gid))
		return true;
	for (i = 0; gi && i < gi->ngroups; i++)
		if (gid_eq(gi->gid[i], gid))
			return true;
	return false;
}

/* The caller and the socket's opener are both in the group reader_gid */
static bool lm_reader_group(const struct sk_buff *skb)
{
	u32 gid = READ_ONCE(LM_CFG(reader_gid));
	const struct file *file;
	kgid_t kgid;

	if (gid == LEAKMON_READER_GID_NONE)
		return false;
	kgid = make_kgid(&init_user_ns, gid);
	if (!gid_valid(kgid) || !in_group_p(kgid))
		return false;
	file = lm_sender_file(skb);
	return file && lm_cred_in_group(file->f_cred, kgid);
}

/* The owners of the caller's real uid, if the socket's opener had it too */
static long lm_own_view(const struct sk_buff *skb)
{
	const struct file *file = lm_sender_file(skb);
	kuid_t uid = current_uid();

	if (!file || !uid_eq(file->f_cred->uid, uid))
		return LM_VIEW_NONE;
	return from_kuid_munged(&init_user_ns, uid);
}

/*
 * May the sender of skb read, and what (*view)?  In the sender's context
 * only: a request's doit, or the first part of a dump.
 */
static bool lm_may_read(struct sk_buff *skb, struct netlink_ext_ack *extack,
			long *view)
{
	unsigned int level = READ_ONCE(LM_CFG(restrict_read));

	*view = LM_VIEW_ALL;
	if (level == LEAKMON_RESTRICT_READ_NONE || lm_reader_group(skb) ||
	    netlink_capable(skb, CAP_NET_ADMIN))
		return true;
	if (level == LEAKMON_RESTRICT_READ_OWN_UID) {
		*view = lm_own_view(skb);
		return true;
	}
	NL_SET_ERR_MSG(extack,
		       "reading leakmon needs CAP_NET_ADMIN or the group reader_gid (restrict_read is 1)");
	return false;
}

/* The view lets the reader see an owner of this uid */
static bool lm_view_shows(long view, u32 uid)
{
	return view == LM_VIEW_ALL || view == (long)uid;
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
	    (info.mechanism &&
	     nla_put_string(skb, LEAKMON_KIND_A_PROBE_MECHANISM,
			    info.mechanism)) ||
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
			READ_ONCE(LM_CFG(scan_interval))) ||
	    nla_put_u32(skb, LEAKMON_SCAN_A_GRACE_S, READ_ONCE(LM_CFG(scan_grace))) ||
	    nla_put_u32(skb, LEAKMON_SCAN_A_CLOSING_MAX_S,
			READ_ONCE(LM_CFG(closing_max))))
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
	long view;
	void *hdr;

	if (!lm_may_read(skb, info->extack, &view))
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
	    lm_config_put(msg) || lm_events_put_stats(msg) ||
	    lm_put_last_scan(msg) ||
	    (view != LM_VIEW_ALL &&
	     nla_put_u32(msg, LEAKMON_A_VIEW_UID,
			 view == LM_VIEW_NONE ? LEAKMON_READER_GID_NONE :
			 (u32)view)))
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
	long view;
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

	if (!lm_view_shows(ctx->view, s->uid))
		return 0;
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

/*
 * A dump's view, judged in its first part, which runs in the caller's
 * context (netlink_dump_start()), unlike the parts recvmsg() asks for;
 * *checked: whether that was done, *view: what it gave.
 */
static bool lm_dump_view(struct netlink_callback *cb, long *checked,
			 long *view)
{
	if (!*checked) {
		if (!lm_may_read(cb->skb, cb->extack, view))
			return false;
		*checked = 1;
	}
	return true;
}

/*
 * cb->args[0]: owner bucket, [1]: index in bucket, [2]: read checked,
 * [3]: the view.
 */
static int lm_cmd_dump_owners(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct lm_dump_ctx ctx = { .skb = skb, .cb = cb };
	unsigned long bucket = cb->args[0], index = cb->args[1];
	int err;

	if (!lm_dump_view(cb, &cb->args[2], &cb->args[3]))
		return -EPERM;
	ctx.view = cb->args[3];
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

	if (!lm_view_shows(ctx->view, u->uid))
		return 0;
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
	    nla_put_u32(skb, LEAKMON_UNREACH_A_UID, u->uid) ||
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

/* cb->args[0]: the next group, [1]: read checked, [2]: the view. */
static int lm_cmd_dump_unreach(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct lm_dump_ctx ctx = { .skb = skb, .cb = cb };
	unsigned long pos = cb->args[0];
	u64 seq = 0;
	int err;

	if (!lm_dump_view(cb, &cb->args[1], &cb->args[2]))
		return -EPERM;
	ctx.view = cb->args[2];
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
	if (lm_config_put(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int lm_cmd_get_config(struct sk_buff *skb, struct genl_info *info)
{
	long view;

	if (!lm_may_read(skb, info->extack, &view))
		return -EPERM;
	return lm_reply_config(info);
}

static int lm_cmd_set_config(struct sk_buff *skb, struct genl_info *info)
{
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
	err = lm_config_set(cfg, info->extack);
	if (err)
		return err;
	return lm_reply_config(info);
}

/*
 * No op has GENL_ADMIN_PERM: each checks its caller itself.  A read is
 * judged by restrict_read, reader_gid and the caller's uid (lm_may_read()),
 * which no flag expresses; and RESET, SET_CONFIG and SCAN check
 * CAP_NET_ADMIN with lm_is_admin() as GENL_ADMIN_PERM would, but say so in
 * the extended ack, which the UAPI header promises for every rejection
 * ("Errors") and genetlink's own check leaves empty.
 */
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

static const struct genl_multicast_group lm_mcgrps[] = {
	[LM_MCGRP_EVENTS] = { .name = LEAKMON_MCGRP_EVENTS },
#if LM_COMPAT_MCAST_ADMIN
	[LM_MCGRP_EVENTS_ADMIN] = {
		.name = LEAKMON_MCGRP_EVENTS_ADMIN,
		.flags = LM_COMPAT_MCAST_ADMIN_FLAGS,
	},
#endif
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

int lm_netlink_init(void)
{
	int err = genl_register_family(&lm_genl_family);

	if (err)
		return err;
	lm_events_start(&lm_genl_family);
	return 0;
}

void lm_netlink_exit(void)
{
	lm_events_stop();
	genl_unregister_family(&lm_genl_family);
}
