// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libleakmon's operations: one request (or dump) each, over the socket
 * layer of leakmon_nl.c, with the replies parsed by leakmon_parse*.c.
 * The notifications are in leakmon_events.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "lm_internal.h"

#define LM_RAW_MAX		(1U << 20)

static int lm_totals_msg_cb(const struct nlmsghdr *nlh, void *data,
			    struct lm_error *err)
{
	return lm_parse_totals(nlh, data, err);
}

int lm_get_totals(struct lm_handle *h, struct lm_totals *t)
{
	char buf[LM_SEND_BUFSIZE];
	struct nlmsghdr *nlh = lm_cmd_start(h, buf, LEAKMON_CMD_GET_TOTALS, 0);

	memset(t, 0, sizeof(*t));
	return lm_do(h, nlh, lm_totals_msg_cb, t);
}

static int lm_config_msg_cb(const struct nlmsghdr *nlh, void *data,
			    struct lm_error *err)
{
	return lm_parse_config(nlh, data, err);
}

int lm_get_config(struct lm_handle *h, struct lm_config *c)
{
	char buf[LM_SEND_BUFSIZE];
	struct nlmsghdr *nlh = lm_cmd_start(h, buf, LEAKMON_CMD_GET_CONFIG, 0);

	memset(c, 0, sizeof(*c));
	return lm_do(h, nlh, lm_config_msg_cb, c);
}

int lm_set_config(struct lm_handle *h, const struct lm_config *set,
		  struct lm_config *now)
{
	char buf[LM_SEND_BUFSIZE];
	struct lm_config scratch;
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	lm_error_clear(&h->err);
	if (lm_config_check_set(set, &h->err) != LM_OK)
		return h->err.status;

	/*
	 * Zeroed: libmnl leaves the padding of an attribute shorter than 4
	 * bytes (restrict_read, a u8) as it finds it, and uninitialised
	 * bytes would go to the kernel.
	 */
	memset(buf, 0, sizeof(buf));
	nlh = lm_cmd_start(h, buf, LEAKMON_CMD_SET_CONFIG, 0);
	nest = mnl_attr_nest_start(nlh, LEAKMON_A_CONFIG);
	lm_config_put_attrs(nlh, set);
	mnl_attr_nest_end(nlh, nest);

	if (!now)
		now = &scratch;
	memset(now, 0, sizeof(*now));
	return lm_do(h, nlh, lm_config_msg_cb, now);
}

int lm_reset(struct lm_handle *h)
{
	char buf[LM_SEND_BUFSIZE];
	struct nlmsghdr *nlh = lm_cmd_start(h, buf, LEAKMON_CMD_RESET, 0);

	/* a reply message, if a later version sends one, is ignored */
	return lm_exchange(h, nlh, h->fam.id, NULL, NULL, NULL);
}

int lm_scan(struct lm_handle *h, struct lm_scan *s)
{
	char buf[LM_SEND_BUFSIZE];
	struct nlmsghdr *nlh = lm_cmd_start(h, buf, LEAKMON_CMD_SCAN, 0);
	struct lm_totals *t = calloc(1, sizeof(*t));
	int ret;

	if (!t) {
		h->err.err = ENOMEM;
		return lm_error_set(&h->err, LM_ERR_LOCAL, "out of memory");
	}
	ret = lm_do(h, nlh, lm_totals_msg_cb, t);
	if (ret == LM_OK && !t->scan.present)
		ret = lm_error_set(&h->err, LM_ERR_PROTO,
				   "scan reply without LEAKMON_A_SCAN");
	if (ret == LM_OK)
		*s = t->scan;
	free(t);
	return ret;
}

/* ---- owner dump ---- */

static int lm_owners_grow(struct lm_owners *o)
{
	size_t cap = o->cap ? o->cap * 2 : 256;
	struct lm_owner *v;

	if (cap > SIZE_MAX / sizeof(*v))
		return -1;
	v = realloc(o->owner, cap * sizeof(*v));
	if (!v)
		return -1;
	o->owner = v;
	o->cap = cap;
	return 0;
}

static int lm_owner_msg_cb(const struct nlmsghdr *nlh, void *data,
			   struct lm_error *err)
{
	struct lm_owners *o = data;
	bool found;
	int ret;

	if (o->n == o->cap && lm_owners_grow(o) < 0) {
		err->err = ENOMEM;
		return lm_error_set(err, LM_ERR_LOCAL, "out of memory");
	}
	ret = lm_parse_owner(nlh, &o->owner[o->n], &found, err);
	if (ret == LM_OK && found)
		o->n++;
	return ret;
}

int lm_dump_owners(struct lm_handle *h, struct lm_owners *o)
{
	char buf[LM_SEND_BUFSIZE];
	struct nlmsghdr *nlh;
	struct lm_rx rx;
	int ret;

	o->attempts = 0;
	do {
		o->n = 0;
		o->interrupted = false;
		o->attempts++;
		nlh = lm_cmd_start(h, buf, LEAKMON_CMD_GET_OWNERS, NLM_F_DUMP);
		ret = lm_exchange(h, nlh, h->fam.id, lm_owner_msg_cb, o, &rx);
		if (ret != LM_OK)
			return ret;
		o->interrupted = rx.intr;
	} while (o->interrupted && o->attempts < LM_DUMP_ATTEMPTS);
	return LM_OK;
}

void lm_owners_free(struct lm_owners *o)
{
	free(o->owner);
	memset(o, 0, sizeof(*o));
}

static int lm_unreach_msg_cb(const struct nlmsghdr *nlh, void *data,
			     struct lm_error *err)
{
	struct lm_unreachs *u = data;
	bool found;
	int ret;

	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 64;
		struct lm_unreach *v = NULL;

		if (cap <= SIZE_MAX / sizeof(*v))
			v = realloc(u->u, cap * sizeof(*v));
		if (!v) {
			err->err = ENOMEM;
			return lm_error_set(err, LM_ERR_LOCAL, "out of memory");
		}
		u->u = v;
		u->cap = cap;
	}
	ret = lm_parse_unreach(nlh, &u->u[u->n], &found, err);
	if (ret == LM_OK && found)
		u->n++;
	return ret;
}

int lm_dump_unreachable(struct lm_handle *h, struct lm_unreachs *u)
{
	char buf[LM_SEND_BUFSIZE];
	struct nlmsghdr *nlh;
	unsigned int attempts = 0;
	struct lm_rx rx;
	int ret;

	do {
		u->n = 0;
		u->interrupted = false;
		attempts++;
		nlh = lm_cmd_start(h, buf, LEAKMON_CMD_GET_UNREACHABLE,
				   NLM_F_DUMP);
		ret = lm_exchange(h, nlh, h->fam.id, lm_unreach_msg_cb, u, &rx);
		if (ret != LM_OK)
			return ret;
		u->interrupted = rx.intr;
	} while (u->interrupted && attempts < LM_DUMP_ATTEMPTS);
	return LM_OK;
}

void lm_unreachs_free(struct lm_unreachs *u)
{
	free(u->u);
	memset(u, 0, sizeof(*u));
}

const struct lm_owner *lm_owners_find(const struct lm_owners *o,
				      uint32_t tgid, uint64_t start_ns)
{
	for (size_t i = 0; i < o->n; i++) {
		if (o->owner[i].tgid == tgid &&
		    (!start_ns || o->owner[i].start_ns == start_ns))
			return &o->owner[i];
	}
	return NULL;
}

const char *lm_owner_state(const struct lm_owner *o)
{
	switch (o->type) {
	case LEAKMON_OWNER_TYPE_TASK:
		return o->exited ? "exited" : "alive";
	case LEAKMON_OWNER_TYPE_SOFTIRQ:
		return "softirq";
	case LEAKMON_OWNER_TYPE_NETNS:
		return "netns";
	}
	return "other";
}

uint64_t lm_owner_live(const struct lm_owner *o)
{
	uint64_t sum = 0;

	for (unsigned int k = 0; k < LM_NKINDS; k++)
		sum += o->kind[k].live;
	return sum;
}

/* ---- raw ---- */

struct lm_raw_ctx {
	lm_msg_cb cb;
	void *data;
};

static int lm_raw_msg_cb(const struct nlmsghdr *nlh, void *data,
			 struct lm_error *err)
{
	struct lm_raw_ctx *ctx = data;
	int ret = ctx->cb(nlh, ctx->data);

	if (ret != LM_OK && !err->status)
		lm_error_set(err, ret, "message callback failed");
	return ret;
}

int lm_raw(struct lm_handle *h, uint8_t cmd, uint16_t nlflags,
	   const void *attrs, size_t len, lm_msg_cb cb, void *data,
	   struct lm_raw_result *res)
{
	struct lm_raw_ctx ctx = { .cb = cb, .data = data };
	size_t hdr = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr));
	struct nlmsghdr *nlh;
	struct lm_rx rx;
	char *buf;
	int ret;

	if (res)
		memset(res, 0, sizeof(*res));
	if (len > LM_RAW_MAX) {
		lm_error_clear(&h->err);
		h->err.err = EMSGSIZE;
		return lm_error_set(&h->err, LM_ERR_LOCAL, "request too big");
	}
	buf = calloc(1, MNL_ALIGN(hdr + len));
	if (!buf) {
		lm_error_clear(&h->err);
		return lm_error_errno(&h->err, ENOMEM, "out of memory");
	}
	nlh = lm_cmd_start(h, buf, cmd, nlflags);
	if (len)
		memcpy(buf + hdr, attrs, len);
	nlh->nlmsg_len = (uint32_t)(hdr + len);

	ret = lm_exchange(h, nlh, h->fam.id, cb ? lm_raw_msg_cb : NULL, &ctx,
			  &rx);
	free(buf);
	if (res) {
		res->error = h->err.status == LM_ERR_KERNEL ? h->err.err : 0;
		memcpy(res->extack, h->err.extack, sizeof(res->extack));
		res->has_offs = h->err.has_offs;
		res->offs = h->err.offs;
		res->nmsgs = rx.nmsgs;
		res->dump_intr = rx.intr;
	}
	return ret;
}
