// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Parsers of leakmon's dump messages (GET_OWNERS, GET_UNREACHABLE) and of
 * its notifications, over the shared part of leakmon_parse.c (lm_parse.h):
 * one attribute callback per nesting level, a table of the known
 * attributes for each.
 */
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "lm_parse.h"

static const struct lm_attr_spec unreach_spec[LEAKMON_UNREACH_A_MAX + 1] = {
	LM_ATTR(LEAKMON_UNREACH_A_SEQ, U64),
	LM_ATTR(LEAKMON_UNREACH_A_OWNER_TYPE, U32),
	LM_ATTR(LEAKMON_UNREACH_A_TGID, U32),
	LM_ATTR(LEAKMON_UNREACH_A_START_NS, U64),
	LM_ATTR(LEAKMON_UNREACH_A_NETNS_INUM, U32),
	LM_ATTR(LEAKMON_UNREACH_A_KIND, U32),
	LM_ATTR(LEAKMON_UNREACH_A_COUNT, U64),
	LM_ATTR(LEAKMON_UNREACH_A_FLAGS, U32),
	LM_ATTR(LEAKMON_UNREACH_A_FAMILY, U16),
	LM_ATTR(LEAKMON_UNREACH_A_SOCK_TYPE, U16),
	LM_ATTR(LEAKMON_UNREACH_A_PROTOCOL, U16),
	LM_ATTR(LEAKMON_UNREACH_A_STATE, U8),
	LM_ATTR(LEAKMON_UNREACH_A_FILE_REFS, U32),
	LM_ATTR(LEAKMON_UNREACH_A_FS_MAGIC, U32),
	LM_ATTR(LEAKMON_UNREACH_A_FILE_MODE, U32),
	LM_ATTR(LEAKMON_UNREACH_A_NAME, NUL_STRING),
	LM_ATTR(LEAKMON_UNREACH_A_UID, U32),
};

static const struct lm_attr_spec event_spec[LEAKMON_EVENT_A_MAX + 1] = {
	LM_ATTR(LEAKMON_EVENT_A_TIME_NS, U64),
	LM_ATTR(LEAKMON_EVENT_A_TGID, U32),
	LM_ATTR(LEAKMON_EVENT_A_START_NS, U64),
	LM_ATTR(LEAKMON_EVENT_A_COMM, NUL_STRING),
	LM_ATTR(LEAKMON_EVENT_A_UID, U32),
	LM_ATTR(LEAKMON_EVENT_A_CGROUP_ID, U64),
	LM_ATTR(LEAKMON_EVENT_A_THRESHOLD, U32),
	LM_ATTR(LEAKMON_EVENT_A_LIVE, U64),
	LM_ATTR(LEAKMON_EVENT_A_ORPHANS, U64),
	LM_ATTR(LEAKMON_EVENT_A_UNREACHABLE, U64),
	LM_ATTR(LEAKMON_EVENT_A_NEW, U64),
	LM_ATTR(LEAKMON_EVENT_A_KIND, NESTED),
	LM_ATTR(LEAKMON_EVENT_A_REASON, U32),
	LM_ATTR(LEAKMON_EVENT_A_KIND_ID, U32),
	LM_ATTR(LEAKMON_EVENT_A_OBJECTS, U64),
	LM_ATTR(LEAKMON_EVENT_A_MAX_OBJECTS, U32),
	LM_ATTR(LEAKMON_EVENT_A_OWNERS, U32),
	LM_ATTR(LEAKMON_EVENT_A_MAX_OWNERS, U32),
};

static const struct lm_attr_spec owner_spec[LEAKMON_OWNER_A_MAX + 1] = {
	LM_ATTR(LEAKMON_OWNER_A_TGID, U32),
	LM_ATTR(LEAKMON_OWNER_A_START_NS, U64),
	LM_ATTR(LEAKMON_OWNER_A_COMM, NUL_STRING),
	LM_ATTR(LEAKMON_OWNER_A_UID, U32),
	LM_ATTR(LEAKMON_OWNER_A_CGROUP_ID, U64),
	LM_ATTR(LEAKMON_OWNER_A_EXITED, FLAG),
	LM_ATTR(LEAKMON_OWNER_A_EXIT_NS, U64),
	LM_ATTR(LEAKMON_OWNER_A_KIND, NESTED),
	LM_ATTR(LEAKMON_OWNER_A_TYPE, U32),
	LM_ATTR(LEAKMON_OWNER_A_NETNS_INUM, U32),
};

static const struct lm_attr_spec owner_kind_spec[LEAKMON_OWNER_KIND_A_MAX + 1] = {
	LM_ATTR(LEAKMON_OWNER_KIND_A_ID, U32),
	LM_ATTR(LEAKMON_OWNER_KIND_A_LIVE, U64),
	LM_ATTR(LEAKMON_OWNER_KIND_A_ALLOCATED, U64),
	LM_ATTR(LEAKMON_OWNER_KIND_A_FREED, U64),
	LM_ATTR(LEAKMON_OWNER_KIND_A_FIRST_ALLOC_NS, U64),
	LM_ATTR(LEAKMON_OWNER_KIND_A_LAST_ALLOC_NS, U64),
	LM_ATTR(LEAKMON_OWNER_KIND_A_RECEIVED, U64),
	LM_ATTR(LEAKMON_OWNER_KIND_A_HANDED_OVER, U64),
	LM_ATTR(LEAKMON_OWNER_KIND_A_KERNEL, U64),
	LM_ATTR(LEAKMON_OWNER_KIND_A_CLOSING, U64),
	LM_ATTR(LEAKMON_OWNER_KIND_A_UNREACHABLE, U64),
};

/* ---- LEAKMON_OWNER_A_KIND ---- */

struct lm_owner_kind_ctx {
	struct lm_owner_kind k;
	bool has_id;
	uint32_t id;
	struct lm_error *err;
};

static int lm_owner_kind_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_owner_kind_ctx *ctx = data;
	struct lm_owner_kind *k = &ctx->k;
	int ret = LM_CHECK(a, owner_kind_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;

	switch (mnl_attr_get_type(a)) {
	case LEAKMON_OWNER_KIND_A_ID:
		ctx->id = mnl_attr_get_u32(a);
		ctx->has_id = true;
		break;
	case LEAKMON_OWNER_KIND_A_LIVE:
		k->live = mnl_attr_get_u64(a);
		break;
	case LEAKMON_OWNER_KIND_A_ALLOCATED:
		k->allocated = mnl_attr_get_u64(a);
		break;
	case LEAKMON_OWNER_KIND_A_FREED:
		k->freed = mnl_attr_get_u64(a);
		break;
	case LEAKMON_OWNER_KIND_A_FIRST_ALLOC_NS:
		k->first_alloc_ns = mnl_attr_get_u64(a);
		break;
	case LEAKMON_OWNER_KIND_A_LAST_ALLOC_NS:
		k->last_alloc_ns = mnl_attr_get_u64(a);
		break;
	case LEAKMON_OWNER_KIND_A_RECEIVED:
		k->received = mnl_attr_get_u64(a);
		break;
	case LEAKMON_OWNER_KIND_A_HANDED_OVER:
		k->handed_over = mnl_attr_get_u64(a);
		break;
	case LEAKMON_OWNER_KIND_A_KERNEL:
		k->kernel = mnl_attr_get_u64(a);
		k->scanned = true;
		break;
	case LEAKMON_OWNER_KIND_A_CLOSING:
		k->closing = mnl_attr_get_u64(a);
		k->scanned = true;
		break;
	case LEAKMON_OWNER_KIND_A_UNREACHABLE:
		k->unreachable = mnl_attr_get_u64(a);
		k->scanned = true;
		break;
	}
	return MNL_CB_OK;
}

static int lm_parse_owner_kind_nest(const struct nlattr *nest,
				    struct lm_owner *o, struct lm_error *err)
{
	struct lm_owner_kind_ctx ctx = { .err = err };

	if (lm_parse_nest(nest, lm_owner_kind_attr_cb, &ctx,
			  "LEAKMON_OWNER_A_KIND", err) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!ctx.has_id) {
		lm_error_set(err, LM_ERR_PROTO,
			     "LEAKMON_OWNER_A_KIND without LEAKMON_OWNER_KIND_A_ID");
		return MNL_CB_ERROR;
	}
	if (ctx.id > LEAKMON_KIND_MAX)
		return MNL_CB_OK;
	if (o->kind[ctx.id].present) {
		lm_error_set(err, LM_ERR_PROTO,
			     "LEAKMON_OWNER_A_KIND: kind %u reported twice",
			     ctx.id);
		return MNL_CB_ERROR;
	}
	ctx.k.present = true;
	o->kind[ctx.id] = ctx.k;
	return MNL_CB_OK;
}

/* ---- LEAKMON_A_OWNER ---- */

struct lm_owner_ctx {
	struct lm_owner *o;
	bool has_tgid;
	bool has_start;
	struct lm_error *err;
};

static int lm_owner_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_owner_ctx *ctx = data;
	struct lm_owner *o = ctx->o;
	int ret = LM_CHECK(a, owner_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;

	switch (mnl_attr_get_type(a)) {
	case LEAKMON_OWNER_A_TGID:
		o->tgid = mnl_attr_get_u32(a);
		ctx->has_tgid = true;
		break;
	case LEAKMON_OWNER_A_START_NS:
		o->start_ns = mnl_attr_get_u64(a);
		ctx->has_start = true;
		break;
	case LEAKMON_OWNER_A_COMM:
		lm_copy_str(o->comm, sizeof(o->comm), a);
		break;
	case LEAKMON_OWNER_A_UID:
		o->uid = mnl_attr_get_u32(a);
		break;
	case LEAKMON_OWNER_A_CGROUP_ID:
		o->cgroup_id = mnl_attr_get_u64(a);
		break;
	case LEAKMON_OWNER_A_EXITED:
		o->exited = true;
		break;
	case LEAKMON_OWNER_A_EXIT_NS:
		o->exit_ns = mnl_attr_get_u64(a);
		break;
	case LEAKMON_OWNER_A_KIND:
		return lm_parse_owner_kind_nest(a, o, ctx->err);
	case LEAKMON_OWNER_A_TYPE:
		o->type = mnl_attr_get_u32(a);
		break;
	case LEAKMON_OWNER_A_NETNS_INUM:
		o->netns_inum = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

static int lm_parse_owner_nest(const struct nlattr *nest, struct lm_owner *o,
			       struct lm_error *err)
{
	struct lm_owner_ctx ctx = { .o = o, .err = err };

	if (lm_parse_nest(nest, lm_owner_attr_cb, &ctx, "LEAKMON_A_OWNER",
			  err) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!ctx.has_tgid || !ctx.has_start) {
		lm_error_set(err, LM_ERR_PROTO,
			     "LEAKMON_A_OWNER without %s",
			     ctx.has_tgid ? "LEAKMON_OWNER_A_START_NS" :
					    "LEAKMON_OWNER_A_TGID");
		return MNL_CB_ERROR;
	}
	/* A namespace's owner is named after it, everywhere a comm shows */
	if (o->type == LEAKMON_OWNER_TYPE_NETNS && o->netns_inum)
		snprintf(o->comm, sizeof(o->comm), "net:%u", o->netns_inum);
	return MNL_CB_OK;
}

/* ---- GET_OWNERS dump message ---- */

struct lm_owner_msg_ctx {
	struct lm_owner *o;
	bool found;
	struct lm_error *err;
};

static int lm_owner_msg_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_owner_msg_ctx *ctx = data;
	int ret = LM_CHECK(a, lm_top_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;
	if (mnl_attr_get_type(a) != LEAKMON_A_OWNER)
		return MNL_CB_OK;
	if (ctx->found) {
		lm_error_set(ctx->err, LM_ERR_PROTO,
			     "two LEAKMON_A_OWNER in one message");
		return MNL_CB_ERROR;
	}
	ctx->found = true;
	return lm_parse_owner_nest(a, ctx->o, ctx->err);
}

int lm_parse_owner(const struct nlmsghdr *nlh, struct lm_owner *o,
		   bool *found, struct lm_error *err)
{
	struct lm_error scratch;
	struct lm_owner_msg_ctx ctx = { .o = o };
	int ret;

	ctx.err = lm_err_or_scratch(err, &scratch);
	memset(o, 0, sizeof(*o));
	ret = lm_parse_msg(nlh, lm_owner_msg_attr_cb, &ctx, ctx.err);
	if (found)
		*found = ctx.found;
	return ret;
}

/* ---- GET_UNREACHABLE dump message ---- */

struct lm_unreach_ctx {
	struct lm_unreach *u;
	bool found;
	bool has_kind;
	struct lm_error *err;
};

static int lm_unreach_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_unreach_ctx *ctx = data;
	struct lm_unreach *u = ctx->u;
	int ret = LM_CHECK(a, unreach_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;

	switch (mnl_attr_get_type(a)) {
	case LEAKMON_UNREACH_A_SEQ:
		u->seq = mnl_attr_get_u64(a);
		break;
	case LEAKMON_UNREACH_A_OWNER_TYPE:
		u->owner_type = mnl_attr_get_u32(a);
		break;
	case LEAKMON_UNREACH_A_TGID:
		u->tgid = mnl_attr_get_u32(a);
		break;
	case LEAKMON_UNREACH_A_START_NS:
		u->start_ns = mnl_attr_get_u64(a);
		break;
	case LEAKMON_UNREACH_A_NETNS_INUM:
		u->netns_inum = mnl_attr_get_u32(a);
		break;
	case LEAKMON_UNREACH_A_KIND:
		u->kind = mnl_attr_get_u32(a);
		ctx->has_kind = true;
		break;
	case LEAKMON_UNREACH_A_COUNT:
		u->count = mnl_attr_get_u64(a);
		break;
	case LEAKMON_UNREACH_A_FLAGS:
		u->flags = mnl_attr_get_u32(a);
		break;
	case LEAKMON_UNREACH_A_FAMILY:
		u->family = mnl_attr_get_u16(a);
		u->has_sock = true;
		break;
	case LEAKMON_UNREACH_A_SOCK_TYPE:
		u->sock_type = mnl_attr_get_u16(a);
		u->has_sock = true;
		break;
	case LEAKMON_UNREACH_A_PROTOCOL:
		u->protocol = mnl_attr_get_u16(a);
		u->has_sock = true;
		break;
	case LEAKMON_UNREACH_A_STATE:
		u->state = mnl_attr_get_u8(a);
		u->has_sock = true;
		break;
	case LEAKMON_UNREACH_A_FILE_REFS:
		u->file_refs = mnl_attr_get_u32(a);
		u->has_refs = true;
		break;
	case LEAKMON_UNREACH_A_FS_MAGIC:
		u->fs_magic = mnl_attr_get_u32(a);
		u->has_file = true;
		break;
	case LEAKMON_UNREACH_A_FILE_MODE:
		u->file_mode = mnl_attr_get_u32(a);
		u->has_file = true;
		break;
	case LEAKMON_UNREACH_A_NAME:
		lm_copy_str(u->name, sizeof(u->name), a);
		u->has_file = true;
		break;
	case LEAKMON_UNREACH_A_UID:
		u->uid = mnl_attr_get_u32(a);
		u->has_uid = true;
		break;
	}
	return MNL_CB_OK;
}

static int lm_unreach_msg_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_unreach_ctx *ctx = data;
	int ret = LM_CHECK(a, lm_top_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;
	if (mnl_attr_get_type(a) != LEAKMON_A_UNREACH)
		return MNL_CB_OK;
	if (ctx->found) {
		lm_error_set(ctx->err, LM_ERR_PROTO,
			     "two LEAKMON_A_UNREACH in one message");
		return MNL_CB_ERROR;
	}
	ctx->found = true;
	if (lm_parse_nest(a, lm_unreach_attr_cb, ctx, "LEAKMON_A_UNREACH",
			  ctx->err) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!ctx->has_kind) {
		lm_error_set(ctx->err, LM_ERR_PROTO,
			     "LEAKMON_A_UNREACH without LEAKMON_UNREACH_A_KIND");
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int lm_parse_unreach(const struct nlmsghdr *nlh, struct lm_unreach *u,
		     bool *found, struct lm_error *err)
{
	struct lm_error scratch;
	struct lm_unreach_ctx ctx = { .u = u };
	int ret;

	ctx.err = lm_err_or_scratch(err, &scratch);
	memset(u, 0, sizeof(*u));
	ret = lm_parse_msg(nlh, lm_unreach_msg_attr_cb, &ctx, ctx.err);
	if (found)
		*found = ret == LM_OK && ctx.found;
	return ret;
}

/* ---- notifications: LEAKMON_A_EVENT ---- */

struct lm_event_ctx {
	struct lm_event *ev;
	struct lm_error *err;
};

static int lm_event_kind_nest(const struct nlattr *nest, struct lm_event *ev,
			      struct lm_error *err)
{
	struct lm_owner_kind_ctx ctx = { .err = err };

	/* the same attributes as an owner's kind nest: id and live */
	if (lm_parse_nest(nest, lm_owner_kind_attr_cb, &ctx,
			  "LEAKMON_EVENT_A_KIND", err) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!ctx.has_id) {
		lm_error_set(err, LM_ERR_PROTO,
			     "LEAKMON_EVENT_A_KIND without LEAKMON_OWNER_KIND_A_ID");
		return MNL_CB_ERROR;
	}
	if (ctx.id > LEAKMON_KIND_MAX)
		return MNL_CB_OK;
	if (ev->kind[ctx.id].present) {
		lm_error_set(err, LM_ERR_PROTO,
			     "LEAKMON_EVENT_A_KIND: kind %u reported twice",
			     ctx.id);
		return MNL_CB_ERROR;
	}
	ev->kind[ctx.id].present = true;
	ev->kind[ctx.id].count = ctx.k.live;
	return MNL_CB_OK;
}

static int lm_event_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_event_ctx *ctx = data;
	struct lm_event *ev = ctx->ev;
	int ret = LM_CHECK(a, event_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;

	switch (mnl_attr_get_type(a)) {
	case LEAKMON_EVENT_A_TIME_NS:
		ev->time_ns = mnl_attr_get_u64(a);
		ev->present |= LM_EVF_TIME;
		break;
	case LEAKMON_EVENT_A_TGID:
		ev->tgid = mnl_attr_get_u32(a);
		ev->present |= LM_EVF_TGID;
		break;
	case LEAKMON_EVENT_A_START_NS:
		ev->start_ns = mnl_attr_get_u64(a);
		ev->present |= LM_EVF_START;
		break;
	case LEAKMON_EVENT_A_COMM:
		lm_copy_str(ev->comm, sizeof(ev->comm), a);
		ev->present |= LM_EVF_COMM;
		break;
	case LEAKMON_EVENT_A_UID:
		ev->uid = mnl_attr_get_u32(a);
		ev->present |= LM_EVF_UID;
		break;
	case LEAKMON_EVENT_A_CGROUP_ID:
		ev->cgroup_id = mnl_attr_get_u64(a);
		ev->present |= LM_EVF_CGROUP;
		break;
	case LEAKMON_EVENT_A_THRESHOLD:
		ev->threshold = mnl_attr_get_u32(a);
		ev->present |= LM_EVF_THRESHOLD;
		break;
	case LEAKMON_EVENT_A_LIVE:
		ev->live = mnl_attr_get_u64(a);
		ev->present |= LM_EVF_LIVE;
		break;
	case LEAKMON_EVENT_A_ORPHANS:
		ev->orphans = mnl_attr_get_u64(a);
		ev->present |= LM_EVF_ORPHANS;
		break;
	case LEAKMON_EVENT_A_UNREACHABLE:
		ev->unreachable = mnl_attr_get_u64(a);
		ev->present |= LM_EVF_UNREACHABLE;
		break;
	case LEAKMON_EVENT_A_NEW:
		ev->added = mnl_attr_get_u64(a);
		ev->present |= LM_EVF_NEW;
		break;
	case LEAKMON_EVENT_A_KIND:
		return lm_event_kind_nest(a, ev, ctx->err);
	case LEAKMON_EVENT_A_REASON:
		ev->reason = mnl_attr_get_u32(a);
		ev->present |= LM_EVF_REASON;
		break;
	case LEAKMON_EVENT_A_KIND_ID:
		ev->kind_id = mnl_attr_get_u32(a);
		ev->present |= LM_EVF_KIND_ID;
		break;
	case LEAKMON_EVENT_A_OBJECTS:
		ev->objects = mnl_attr_get_u64(a);
		ev->present |= LM_EVF_OBJECTS;
		break;
	case LEAKMON_EVENT_A_MAX_OBJECTS:
		ev->max_objects = mnl_attr_get_u32(a);
		ev->present |= LM_EVF_MAX_OBJECTS;
		break;
	case LEAKMON_EVENT_A_OWNERS:
		ev->owners = mnl_attr_get_u32(a);
		ev->present |= LM_EVF_OWNERS;
		break;
	case LEAKMON_EVENT_A_MAX_OWNERS:
		ev->max_owners = mnl_attr_get_u32(a);
		ev->present |= LM_EVF_MAX_OWNERS;
		break;
	}
	return MNL_CB_OK;
}

struct lm_event_msg_ctx {
	struct lm_event *ev;
	bool found;
	struct lm_error *err;
};

static int lm_event_msg_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_event_msg_ctx *ctx = data;
	struct lm_event_ctx ectx = { .ev = ctx->ev, .err = ctx->err };
	int ret = LM_CHECK(a, lm_top_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;
	if (mnl_attr_get_type(a) != LEAKMON_A_EVENT)
		return MNL_CB_OK;
	if (ctx->found) {
		lm_error_set(ctx->err, LM_ERR_PROTO,
			     "two LEAKMON_A_EVENT in one message");
		return MNL_CB_ERROR;
	}
	ctx->found = true;
	return lm_parse_nest(a, lm_event_attr_cb, &ectx, "LEAKMON_A_EVENT",
			     ctx->err);
}

static bool lm_event_cmd_known(uint8_t cmd)
{
	return cmd == LEAKMON_CMD_EVENT_THRESHOLD ||
	       cmd == LEAKMON_CMD_EVENT_ORPHANS ||
	       cmd == LEAKMON_CMD_EVENT_SATURATED ||
	       cmd == LEAKMON_CMD_EVENT_UNREACHABLE;
}

int lm_parse_event(const struct nlmsghdr *nlh, struct lm_event *ev,
		   bool *found, struct lm_error *err)
{
	struct lm_error scratch;
	struct lm_event_msg_ctx ctx = { .ev = ev };
	const struct genlmsghdr *genl;
	int ret;

	ctx.err = lm_err_or_scratch(err, &scratch);
	memset(ev, 0, sizeof(*ev));
	if (found)
		*found = false;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return lm_error_set(ctx.err, LM_ERR_PROTO,
				    "message too short (%zu bytes)",
				    mnl_nlmsg_get_payload_len(nlh));
	genl = mnl_nlmsg_get_payload(nlh);
	if (!lm_event_cmd_known(genl->cmd))
		return LM_OK;		/* a newer kind of event: skipped */
	ev->cmd = genl->cmd;
	ret = lm_parse_msg(nlh, lm_event_msg_attr_cb, &ctx, ctx.err);
	if (ret == LM_OK && found)
		*found = ctx.found;
	return ret;
}
