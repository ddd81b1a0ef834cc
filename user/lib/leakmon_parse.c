// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Parsers of leakmon replies: one attribute callback per nesting level.
 * This file: the shared part (lm_parse.h) and the replies of GET_TOTALS,
 * SCAN, GET_CONFIG and SET_CONFIG; leakmon_parse_dump.c: the owner and
 * unreachable dumps and the notifications.
 *
 * Each level has a table giving the libmnl type of every attribute this
 * library knows.  A known attribute is checked with mnl_attr_validate()
 * (exact length for integers, NUL-terminated strings, empty flags); an
 * unknown one is skipped, so that newer modules can add attributes.
 */
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "lm_parse.h"

const struct lm_attr_spec lm_top_spec[LEAKMON_A_MAX + 1] = {
	LM_ATTR(LEAKMON_A_VERSION, NUL_STRING),
	LM_ATTR(LEAKMON_A_NOW_NS, U64),
	LM_ATTR(LEAKMON_A_RESET_NS, U64),
	LM_ATTR(LEAKMON_A_OBJECTS, U64),
	LM_ATTR(LEAKMON_A_OWNERS, U32),
	LM_ATTR(LEAKMON_A_OWNERS_EXITED, U32),
	LM_ATTR(LEAKMON_A_CONFIG, NESTED),
	LM_ATTR(LEAKMON_A_KIND, NESTED),
	LM_ATTR(LEAKMON_A_OWNER, NESTED),
	LM_ATTR(LEAKMON_A_EVENTS, NESTED),
	LM_ATTR(LEAKMON_A_EVENT, NESTED),
	LM_ATTR(LEAKMON_A_SCAN, NESTED),
	LM_ATTR(LEAKMON_A_UNREACH, NESTED),
	LM_ATTR(LEAKMON_A_VIEW_UID, U32),
};

static const struct lm_attr_spec scan_spec[LEAKMON_SCAN_A_MAX + 1] = {
	LM_ATTR(LEAKMON_SCAN_A_SEQ, U64),
	LM_ATTR(LEAKMON_SCAN_A_TIME_NS, U64),
	LM_ATTR(LEAKMON_SCAN_A_DURATION_NS, U64),
	LM_ATTR(LEAKMON_SCAN_A_MAX_STEP_NS, U64),
	LM_ATTR(LEAKMON_SCAN_A_TASKS, U64),
	LM_ATTR(LEAKMON_SCAN_A_FDS, U64),
	LM_ATTR(LEAKMON_SCAN_A_VMAS, U64),
	LM_ATTR(LEAKMON_SCAN_A_OBJECTS, U64),
	LM_ATTR(LEAKMON_SCAN_A_REATTRIBUTED, U64),
	LM_ATTR(LEAKMON_SCAN_A_OWNERS_UNREPORTED, U64),
	LM_ATTR(LEAKMON_SCAN_A_INTERVAL_S, U32),
	LM_ATTR(LEAKMON_SCAN_A_GRACE_S, U32),
	LM_ATTR(LEAKMON_SCAN_A_CLOSING_MAX_S, U32),
	LM_ATTR(LEAKMON_SCAN_A_KIND, NESTED),
	LM_ATTR(LEAKMON_SCAN_A_GROUPS_UNREPORTED, U64),
};

static const struct lm_attr_spec scan_kind_spec[LEAKMON_SCAN_KIND_A_MAX + 1] = {
	LM_ATTR(LEAKMON_SCAN_KIND_A_ID, U32),
	LM_ATTR(LEAKMON_SCAN_KIND_A_YOUNG, U64),
	LM_ATTR(LEAKMON_SCAN_KIND_A_HELD, U64),
	LM_ATTR(LEAKMON_SCAN_KIND_A_KERNEL, U64),
	LM_ATTR(LEAKMON_SCAN_KIND_A_CLOSING, U64),
	LM_ATTR(LEAKMON_SCAN_KIND_A_UNREACHABLE, U64),
};

static const struct lm_attr_spec kind_spec[LEAKMON_KIND_A_MAX + 1] = {
	LM_ATTR(LEAKMON_KIND_A_ID, U32),
	LM_ATTR(LEAKMON_KIND_A_NAME, NUL_STRING),
	LM_ATTR(LEAKMON_KIND_A_ENABLED, U8),
	LM_ATTR(LEAKMON_KIND_A_ALLOC_PROBE, NUL_STRING),
	LM_ATTR(LEAKMON_KIND_A_FREE_PROBE, NUL_STRING),
	LM_ATTR(LEAKMON_KIND_A_DISABLED_REASON, NUL_STRING),
	LM_ATTR(LEAKMON_KIND_A_LIVE, U64),
	LM_ATTR(LEAKMON_KIND_A_ORPHANS, U64),
	LM_ATTR(LEAKMON_KIND_A_OBSERVED, U64),
	LM_ATTR(LEAKMON_KIND_A_TRACKED, U64),
	LM_ATTR(LEAKMON_KIND_A_FREED, U64),
	LM_ATTR(LEAKMON_KIND_A_UNTRACKED_TABLE_FULL, U64),
	LM_ATTR(LEAKMON_KIND_A_UNTRACKED_OWNERS_FULL, U64),
	LM_ATTR(LEAKMON_KIND_A_UNTRACKED_NOMEM, U64),
	LM_ATTR(LEAKMON_KIND_A_UNKNOWN_FREES, U64),
	LM_ATTR(LEAKMON_KIND_A_REPLACED, U64),
	LM_ATTR(LEAKMON_KIND_A_MISSED_ALLOC, U64),
	LM_ATTR(LEAKMON_KIND_A_MISSED_FREE, U64),
	LM_ATTR(LEAKMON_KIND_A_OBJ_SIZE, U32),
	LM_ATTR(LEAKMON_KIND_A_HANDOVER_PROBE, NUL_STRING),
	LM_ATTR(LEAKMON_KIND_A_HANDED_OVER, U64),
	LM_ATTR(LEAKMON_KIND_A_MISSED_HANDOVER, U64),
	LM_ATTR(LEAKMON_KIND_A_PROBE_MECHANISM, NUL_STRING),
};

#define LM_CFG_MNL_U32	MNL_TYPE_U32
#define LM_CFG_MNL_U8	MNL_TYPE_U8
#define LM_CFG_MNL_GID	MNL_TYPE_U32
#define LM_CFG_MNL_RO	MNL_TYPE_U32

static const struct lm_attr_spec config_spec[LEAKMON_CONFIG_A_MAX + 1] = {
#define LM_CFG_SPEC(name, ATTR, type, ...)				\
	[LEAKMON_CONFIG_A_##ATTR] = { LM_CFG_MNL_##type,		\
				      "LEAKMON_CONFIG_A_" #ATTR },
	LM_CONFIG_FIELDS(LM_CFG_SPEC)
#undef LM_CFG_SPEC
};

static const struct lm_attr_spec events_spec[LEAKMON_EVENTS_A_MAX + 1] = {
	LM_ATTR(LEAKMON_EVENTS_A_SENT, U64),
	LM_ATTR(LEAKMON_EVENTS_A_NO_LISTENERS, U64),
	LM_ATTR(LEAKMON_EVENTS_A_RESTRICTED, U64),
	LM_ATTR(LEAKMON_EVENTS_A_RATE_LIMITED, U64),
	LM_ATTR(LEAKMON_EVENTS_A_QUEUE_FULL, U64),
	LM_ATTR(LEAKMON_EVENTS_A_NOMEM, U64),
	LM_ATTR(LEAKMON_EVENTS_A_SEND_FAILED, U64),
};


/*
 * 1: a known attribute, valid; 0: unknown, to be ignored; -1: a known
 * attribute with a bad length or content (err->detail says which).
 */
int lm_check_attr(const struct nlattr *a, const struct lm_attr_spec *spec,
		  unsigned int max, struct lm_error *err)
{
	uint16_t type = mnl_attr_get_type(a);

	if (type > max || spec[type].type == MNL_TYPE_UNSPEC)
		return 0;
	if (mnl_attr_validate(a, spec[type].type) < 0) {
		lm_error_set(err, LM_ERR_PROTO,
			     "%s: invalid attribute (payload length %u)",
			     spec[type].name, mnl_attr_get_payload_len(a));
		return -1;
	}
	return 1;
}

static bool lm_attrs_tail_ok(const void *start, size_t len)
{
	const struct nlattr *a = start;
	int rem = (int)len;

	while (mnl_attr_ok(a, rem)) {
		rem -= MNL_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + MNL_ALIGN(a->nla_len));
	}
	return rem <= 0;
}

void lm_copy_str(char *dst, size_t size, const struct nlattr *a)
{
	size_t n = strnlen(mnl_attr_get_str(a), mnl_attr_get_payload_len(a));

	if (n >= size)
		n = size - 1;
	memcpy(dst, mnl_attr_get_str(a), n);
	dst[n] = '\0';
}

int lm_parse_nest(const struct nlattr *nest, mnl_attr_cb_t cb,
		  void *data, const char *what, struct lm_error *err)
{
	if (mnl_attr_parse_nested(nest, cb, data) != MNL_CB_OK) {
		if (!err->status)
			lm_error_set(err, LM_ERR_PROTO, "%s: parse error", what);
		return MNL_CB_ERROR;
	}
	if (!lm_attrs_tail_ok(mnl_attr_get_payload(nest),
			      mnl_attr_get_payload_len(nest))) {
		lm_error_set(err, LM_ERR_PROTO, "%s: truncated attribute", what);
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int lm_parse_msg(const struct nlmsghdr *nlh, mnl_attr_cb_t cb,
		 void *data, struct lm_error *err)
{
	size_t off = MNL_ALIGN(sizeof(struct genlmsghdr));
	size_t plen = mnl_nlmsg_get_payload_len(nlh);

	if (plen < off)
		return lm_error_set(err, LM_ERR_PROTO,
				    "message too short (%zu bytes)", plen);
	if (mnl_attr_parse(nlh, (unsigned int)off, cb, data) != MNL_CB_OK) {
		if (!err->status)
			lm_error_set(err, LM_ERR_PROTO, "message parse error");
		return err->status;
	}
	if (!lm_attrs_tail_ok((const char *)mnl_nlmsg_get_payload(nlh) + off,
			      plen - off))
		return lm_error_set(err, LM_ERR_PROTO, "truncated attribute");
	return LM_OK;
}

/* ---- LEAKMON_A_CONFIG ---- */

struct lm_config_ctx {
	struct lm_config *c;
	struct lm_error *err;
};

static int lm_config_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_config_ctx *ctx = data;
	struct lm_config *c = ctx->c;
	const struct lm_config_field_desc *f;
	int ret = LM_CHECK(a, config_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;

	f = lm_config_field_by_attr(mnl_attr_get_type(a));
	if (f)
		lm_config_store(c, f, f->type == LM_CFG_TYPE_U8 ?
				mnl_attr_get_u8(a) : mnl_attr_get_u32(a));
	return MNL_CB_OK;
}

static int lm_parse_config_nest(const struct nlattr *nest, struct lm_config *c,
				struct lm_error *err)
{
	struct lm_config_ctx ctx = { .c = c, .err = err };

	memset(c, 0, sizeof(*c));
	return lm_parse_nest(nest, lm_config_attr_cb, &ctx,
			     "LEAKMON_A_CONFIG", err);
}

/* ---- LEAKMON_A_EVENTS ---- */

struct lm_events_ctx {
	struct lm_event_stats *s;
	struct lm_error *err;
};

static int lm_events_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_events_ctx *ctx = data;
	struct lm_event_stats *s = ctx->s;
	int ret = LM_CHECK(a, events_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;

	switch (mnl_attr_get_type(a)) {
	case LEAKMON_EVENTS_A_SENT:
		s->sent = mnl_attr_get_u64(a);
		break;
	case LEAKMON_EVENTS_A_NO_LISTENERS:
		s->no_listeners = mnl_attr_get_u64(a);
		break;
	case LEAKMON_EVENTS_A_RESTRICTED:
		s->restricted = mnl_attr_get_u64(a);
		break;
	case LEAKMON_EVENTS_A_RATE_LIMITED:
		s->rate_limited = mnl_attr_get_u64(a);
		break;
	case LEAKMON_EVENTS_A_QUEUE_FULL:
		s->queue_full = mnl_attr_get_u64(a);
		break;
	case LEAKMON_EVENTS_A_NOMEM:
		s->nomem = mnl_attr_get_u64(a);
		break;
	case LEAKMON_EVENTS_A_SEND_FAILED:
		s->send_failed = mnl_attr_get_u64(a);
		break;
	}
	return MNL_CB_OK;
}

static int lm_parse_events_nest(const struct nlattr *nest,
				struct lm_event_stats *s, struct lm_error *err)
{
	struct lm_events_ctx ctx = { .s = s, .err = err };

	memset(s, 0, sizeof(*s));
	return lm_parse_nest(nest, lm_events_attr_cb, &ctx,
			     "LEAKMON_A_EVENTS", err);
}

/* ---- LEAKMON_A_KIND ---- */

struct lm_kind_ctx {
	struct lm_kind_totals k;
	bool has_id;
	uint32_t id;
	struct lm_error *err;
};

static int lm_kind_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_kind_ctx *ctx = data;
	struct lm_kind_totals *k = &ctx->k;
	int ret = LM_CHECK(a, kind_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;

	switch (mnl_attr_get_type(a)) {
	case LEAKMON_KIND_A_ID:
		ctx->id = mnl_attr_get_u32(a);
		ctx->has_id = true;
		break;
	case LEAKMON_KIND_A_NAME:
		lm_copy_str(k->name, sizeof(k->name), a);
		break;
	case LEAKMON_KIND_A_ENABLED:
		k->enabled = mnl_attr_get_u8(a) != 0;
		break;
	case LEAKMON_KIND_A_ALLOC_PROBE:
		lm_copy_str(k->alloc_probe, sizeof(k->alloc_probe), a);
		break;
	case LEAKMON_KIND_A_FREE_PROBE:
		lm_copy_str(k->free_probe, sizeof(k->free_probe), a);
		break;
	case LEAKMON_KIND_A_DISABLED_REASON:
		lm_copy_str(k->disabled_reason, sizeof(k->disabled_reason), a);
		break;
	case LEAKMON_KIND_A_LIVE:
		k->live = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_ORPHANS:
		k->orphans = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_OBSERVED:
		k->observed = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_TRACKED:
		k->tracked = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_FREED:
		k->freed = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_UNTRACKED_TABLE_FULL:
		k->untracked_table_full = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_UNTRACKED_OWNERS_FULL:
		k->untracked_owners_full = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_UNTRACKED_NOMEM:
		k->untracked_nomem = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_UNKNOWN_FREES:
		k->unknown_frees = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_REPLACED:
		k->replaced = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_MISSED_ALLOC:
		k->missed_alloc = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_MISSED_FREE:
		k->missed_free = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_OBJ_SIZE:
		k->obj_size = mnl_attr_get_u32(a);
		break;
	case LEAKMON_KIND_A_HANDOVER_PROBE:
		lm_copy_str(k->handover_probe, sizeof(k->handover_probe), a);
		break;
	case LEAKMON_KIND_A_HANDED_OVER:
		k->handed_over = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_MISSED_HANDOVER:
		k->missed_handover = mnl_attr_get_u64(a);
		break;
	case LEAKMON_KIND_A_PROBE_MECHANISM:
		lm_copy_str(k->mechanism, sizeof(k->mechanism), a);
		break;
	}
	return MNL_CB_OK;
}

static int lm_parse_kind_nest(const struct nlattr *nest, struct lm_totals *t,
			      struct lm_error *err)
{
	struct lm_kind_ctx ctx = { .err = err };

	if (lm_parse_nest(nest, lm_kind_attr_cb, &ctx, "LEAKMON_A_KIND",
			  err) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!ctx.has_id) {
		lm_error_set(err, LM_ERR_PROTO,
			     "LEAKMON_A_KIND without LEAKMON_KIND_A_ID");
		return MNL_CB_ERROR;
	}
	if (ctx.id > LEAKMON_KIND_MAX)
		return MNL_CB_OK;	/* a kind newer than this program */
	if (t->kind[ctx.id].present) {
		lm_error_set(err, LM_ERR_PROTO,
			     "LEAKMON_A_KIND: kind %u reported twice", ctx.id);
		return MNL_CB_ERROR;
	}
	ctx.k.present = true;
	t->kind[ctx.id] = ctx.k;
	return MNL_CB_OK;
}

/* ---- LEAKMON_A_SCAN ---- */

struct lm_scan_kind_ctx {
	struct lm_scan_kind k;
	bool has_id;
	uint32_t id;
	struct lm_error *err;
};

static int lm_scan_kind_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_scan_kind_ctx *ctx = data;
	struct lm_scan_kind *k = &ctx->k;
	int ret = LM_CHECK(a, scan_kind_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;

	switch (mnl_attr_get_type(a)) {
	case LEAKMON_SCAN_KIND_A_ID:
		ctx->id = mnl_attr_get_u32(a);
		ctx->has_id = true;
		break;
	case LEAKMON_SCAN_KIND_A_YOUNG:
		k->young = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_KIND_A_HELD:
		k->held = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_KIND_A_KERNEL:
		k->kernel = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_KIND_A_CLOSING:
		k->closing = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_KIND_A_UNREACHABLE:
		k->unreachable = mnl_attr_get_u64(a);
		break;
	}
	return MNL_CB_OK;
}

struct lm_scan_ctx {
	struct lm_scan *s;
	struct lm_error *err;
};

static int lm_scan_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_scan_ctx *ctx = data;
	struct lm_scan *s = ctx->s;
	struct lm_scan_kind_ctx kc = { .err = ctx->err };
	int ret = LM_CHECK(a, scan_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;

	switch (mnl_attr_get_type(a)) {
	case LEAKMON_SCAN_A_SEQ:
		s->seq = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_A_TIME_NS:
		s->time_ns = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_A_DURATION_NS:
		s->duration_ns = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_A_MAX_STEP_NS:
		s->max_step_ns = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_A_TASKS:
		s->tasks = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_A_FDS:
		s->fds = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_A_VMAS:
		s->vmas = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_A_OBJECTS:
		s->objects = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_A_REATTRIBUTED:
		s->reattributed = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_A_OWNERS_UNREPORTED:
		s->owners_unreported = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_A_GROUPS_UNREPORTED:
		s->groups_unreported = mnl_attr_get_u64(a);
		break;
	case LEAKMON_SCAN_A_INTERVAL_S:
		s->interval_s = mnl_attr_get_u32(a);
		break;
	case LEAKMON_SCAN_A_GRACE_S:
		s->grace_s = mnl_attr_get_u32(a);
		break;
	case LEAKMON_SCAN_A_CLOSING_MAX_S:
		s->closing_max_s = mnl_attr_get_u32(a);
		break;
	case LEAKMON_SCAN_A_KIND:
		if (lm_parse_nest(a, lm_scan_kind_attr_cb, &kc,
				  "LEAKMON_SCAN_A_KIND", ctx->err) != MNL_CB_OK)
			return MNL_CB_ERROR;
		if (!kc.has_id) {
			lm_error_set(ctx->err, LM_ERR_PROTO,
				     "LEAKMON_SCAN_A_KIND without LEAKMON_SCAN_KIND_A_ID");
			return MNL_CB_ERROR;
		}
		if (kc.id > LEAKMON_KIND_MAX)
			break;	/* a kind newer than this program */
		if (s->kind[kc.id].present) {
			lm_error_set(ctx->err, LM_ERR_PROTO,
				     "LEAKMON_SCAN_A_KIND: kind %u reported twice",
				     kc.id);
			return MNL_CB_ERROR;
		}
		kc.k.present = true;
		s->kind[kc.id] = kc.k;
		break;
	}
	return MNL_CB_OK;
}

static int lm_parse_scan_nest(const struct nlattr *nest, struct lm_scan *s,
			      struct lm_error *err)
{
	struct lm_scan_ctx ctx = { .s = s, .err = err };

	memset(s, 0, sizeof(*s));
	s->present = true;
	return lm_parse_nest(nest, lm_scan_attr_cb, &ctx, "LEAKMON_A_SCAN",
			     err);
}

/* ---- GET_TOTALS reply ---- */

struct lm_totals_ctx {
	struct lm_totals *t;
	struct lm_error *err;
};

static int lm_totals_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_totals_ctx *ctx = data;
	struct lm_totals *t = ctx->t;
	int ret = LM_CHECK(a, lm_top_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;

	switch (mnl_attr_get_type(a)) {
	case LEAKMON_A_VERSION:
		lm_copy_str(t->version, sizeof(t->version), a);
		break;
	case LEAKMON_A_NOW_NS:
		t->now_ns = mnl_attr_get_u64(a);
		break;
	case LEAKMON_A_RESET_NS:
		t->reset_ns = mnl_attr_get_u64(a);
		break;
	case LEAKMON_A_OBJECTS:
		t->objects = mnl_attr_get_u64(a);
		break;
	case LEAKMON_A_OWNERS:
		t->owners = mnl_attr_get_u32(a);
		break;
	case LEAKMON_A_OWNERS_EXITED:
		t->owners_exited = mnl_attr_get_u32(a);
		break;
	case LEAKMON_A_CONFIG:
		t->has_config = true;
		return lm_parse_config_nest(a, &t->config, ctx->err);
	case LEAKMON_A_EVENTS:
		t->has_events = true;
		return lm_parse_events_nest(a, &t->events, ctx->err);
	case LEAKMON_A_KIND:
		return lm_parse_kind_nest(a, t, ctx->err);
	case LEAKMON_A_SCAN:
		return lm_parse_scan_nest(a, &t->scan, ctx->err);
	case LEAKMON_A_VIEW_UID:
		t->own_view = true;
		t->view_uid = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

struct lm_error *lm_err_or_scratch(struct lm_error *err,
				   struct lm_error *scratch)
{
	if (!err)
		err = scratch;
	lm_error_clear(err);
	return err;
}

int lm_parse_totals(const struct nlmsghdr *nlh, struct lm_totals *t,
		    struct lm_error *err)
{
	struct lm_error scratch;
	struct lm_totals_ctx ctx = { .t = t };

	ctx.err = lm_err_or_scratch(err, &scratch);
	memset(t, 0, sizeof(*t));
	return lm_parse_msg(nlh, lm_totals_attr_cb, &ctx, ctx.err);
}

/* ---- GET_CONFIG / SET_CONFIG reply ---- */

struct lm_config_msg_ctx {
	struct lm_config *c;
	bool found;
	struct lm_error *err;
};

static int lm_config_msg_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_config_msg_ctx *ctx = data;
	int ret = LM_CHECK(a, lm_top_spec, ctx->err);

	if (ret <= 0)
		return ret ? MNL_CB_ERROR : MNL_CB_OK;
	if (mnl_attr_get_type(a) != LEAKMON_A_CONFIG)
		return MNL_CB_OK;
	ctx->found = true;
	return lm_parse_config_nest(a, ctx->c, ctx->err);
}

int lm_parse_config(const struct nlmsghdr *nlh, struct lm_config *c,
		    struct lm_error *err)
{
	struct lm_error scratch;
	struct lm_config_msg_ctx ctx = { .c = c };
	int ret;

	ctx.err = lm_err_or_scratch(err, &scratch);
	memset(c, 0, sizeof(*c));
	ret = lm_parse_msg(nlh, lm_config_msg_attr_cb, &ctx, ctx.err);
	if (ret)
		return ret;
	if (!ctx.found)
		return lm_error_set(ctx.err, LM_ERR_PROTO,
				    "reply without LEAKMON_A_CONFIG");
	return LM_OK;
}
