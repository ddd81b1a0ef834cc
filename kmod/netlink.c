// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: the "leakmon" generic netlink family.  The attribute tree is
 * documented in include/uapi/linux/leakmon.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/capability.h>
#include <linux/ktime.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "leakmon.h"
#include "compat.h"
#include "../include/leakmon-version.h"

static struct genl_family lm_genl_family;

static struct netlink_range_validation lm_objects_range = {
	.min = 1, .max = LEAKMON_MAX_OBJECTS_LIMIT,
};

static struct netlink_range_validation lm_owners_range = {
	.min = 1, .max = LEAKMON_MAX_OWNERS_LIMIT,
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
	    nla_put_u32(skb, LEAKMON_CONFIG_A_HASH_BUCKETS, lm_hash_buckets)) {
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
			      info.missed_free, LEAKMON_KIND_A_PAD))
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
	    lm_put_config(msg))
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
	struct nlattr *owner, *kn;
	unsigned int k;
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
	if (nla_put_u32(skb, LEAKMON_OWNER_A_TGID, s->tgid) ||
	    nla_put_u64_64bit(skb, LEAKMON_OWNER_A_START_NS, s->start_ns,
			      LEAKMON_OWNER_A_PAD) ||
	    nla_put_string(skb, LEAKMON_OWNER_A_COMM, s->comm) ||
	    nla_put_u32(skb, LEAKMON_OWNER_A_UID, s->uid) ||
	    nla_put_u64_64bit(skb, LEAKMON_OWNER_A_CGROUP_ID, s->cgroup_id,
			      LEAKMON_OWNER_A_PAD) ||
	    (s->exited && (nla_put_flag(skb, LEAKMON_OWNER_A_EXITED) ||
			   nla_put_u64_64bit(skb, LEAKMON_OWNER_A_EXIT_NS,
					     s->exit_ns, LEAKMON_OWNER_A_PAD))))
		goto cancel;
	for (k = 0; k < LM_NKINDS; k++) {
		const struct lm_owner_kind *ok = &s->k[k];

		kn = nla_nest_start(skb, LEAKMON_OWNER_A_KIND);
		if (!kn ||
		    nla_put_u32(skb, LEAKMON_OWNER_KIND_A_ID, k) ||
		    nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_LIVE, ok->live,
				      LEAKMON_OWNER_KIND_A_PAD) ||
		    nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_ALLOCATED,
				      ok->allocated, LEAKMON_OWNER_KIND_A_PAD) ||
		    nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_FREED,
				      ok->freed, LEAKMON_OWNER_KIND_A_PAD) ||
		    nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_FIRST_ALLOC_NS,
				      ok->first_ns, LEAKMON_OWNER_KIND_A_PAD) ||
		    nla_put_u64_64bit(skb, LEAKMON_OWNER_KIND_A_LAST_ALLOC_NS,
				      ok->last_ns, LEAKMON_OWNER_KIND_A_PAD))
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

static int lm_cmd_reset(struct sk_buff *skb, struct genl_info *info)
{
	if (!lm_is_admin(skb)) {
		NL_SET_ERR_MSG(info->extack, "reset needs CAP_NET_ADMIN");
		return -EPERM;
	}
	lm_track_reset();
	return 0;
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
	    !tb[LEAKMON_CONFIG_A_RESTRICT_READ]) {
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
};

static struct genl_family lm_genl_family __ro_after_init = {
	.name = LEAKMON_GENL_NAME,
	.version = LEAKMON_GENL_VERSION,
	.module = THIS_MODULE,
	.ops = lm_genl_ops,
	.n_ops = ARRAY_SIZE(lm_genl_ops),
	.parallel_ops = true,
};

int lm_netlink_init(void)
{
	return genl_register_family(&lm_genl_family);
}

void lm_netlink_exit(void)
{
	genl_unregister_family(&lm_genl_family);
}
