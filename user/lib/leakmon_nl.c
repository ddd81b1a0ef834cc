// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libleakmon's netlink socket layer: the handle, the receive loop,
 * request/reply exchanges and family resolution.  The operations are in
 * leakmon_ops.c and leakmon_events.c, the errors and names in
 * leakmon_error.c.
 *
 * The receive loop is our own rather than mnl_cb_run(): libmnl stops at
 * the first NLM_F_DUMP_INTR message and drops extended acks, while we need
 * to drain a torn dump to its end, keep the extack text of NLMSG_ERROR and
 * NLMSG_DONE, and skip replies to earlier requests that were abandoned.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "lm_internal.h"

/* ---- receive side ---- */

struct lm_extack_ctx {
	struct lm_error *err;
};

static int lm_extack_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_error *err = ((struct lm_extack_ctx *)data)->err;
	size_t n;

	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			break;
		n = strnlen(mnl_attr_get_str(a), mnl_attr_get_payload_len(a));
		if (n >= sizeof(err->extack))
			n = sizeof(err->extack) - 1;
		memcpy(err->extack, mnl_attr_get_str(a), n);
		err->extack[n] = '\0';
		/* the kernel's text ends without a newline, but be sure */
		while (n && err->extack[n - 1] == '\n')
			err->extack[--n] = '\0';
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			break;
		err->offs = mnl_attr_get_u32(a);
		err->has_offs = true;
		break;
	}
	return MNL_CB_OK;
}

/* TLVs at payload offset off, present if NLM_F_ACK_TLVS is set */
static void lm_rx_extack(struct lm_rx *rx, const struct nlmsghdr *nlh,
			 size_t off)
{
	struct lm_extack_ctx ctx = { .err = rx->err };

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (MNL_ALIGN(off) >= mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, (unsigned int)off, lm_extack_attr_cb, &ctx);
}

static void lm_rx_fail(struct lm_rx *rx, int status)
{
	if (rx->status == LM_OK)
		rx->status = status;
}

__attribute__((format(printf, 2, 3)))
static void lm_rx_proto(struct lm_rx *rx, const char *fmt, ...)
{
	va_list ap;

	if (rx->status != LM_OK)
		return;
	rx->status = LM_ERR_PROTO;
	rx->err->status = LM_ERR_PROTO;
	va_start(ap, fmt);
	vsnprintf(rx->err->detail, sizeof(rx->err->detail), fmt, ap);
	va_end(ap);
}

static void lm_rx_kernel_error(struct lm_rx *rx, int error)
{
	if (error >= 0 || rx->status != LM_OK)
		return;
	/* errnos are small; INT_MIN cannot even be negated */
	if (error < -4095) {
		lm_rx_proto(rx, "invalid error code %d", error);
		return;
	}
	rx->status = LM_ERR_KERNEL;
	rx->err->status = LM_ERR_KERNEL;
	rx->err->err = -error;
}

static void lm_rx_error_msg(struct lm_rx *rx, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t plen = mnl_nlmsg_get_payload_len(nlh);
	size_t off = sizeof(*e);

	rx->done = true;
	if (plen < sizeof(*e)) {
		lm_rx_proto(rx, "truncated NLMSG_ERROR (%zu bytes)", plen);
		return;
	}
	/* without NLM_F_CAPPED the request's payload is echoed first */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len > sizeof(struct nlmsghdr))
		off = sizeof(e->error) + e->msg.nlmsg_len;
	lm_rx_extack(rx, nlh, off);
	lm_rx_kernel_error(rx, e->error);
}

static void lm_rx_done_msg(struct lm_rx *rx, const struct nlmsghdr *nlh)
{
	int error = 0;

	rx->done = true;
	if (!rx->dump) {
		lm_rx_proto(rx, "NLMSG_DONE in reply to a request");
		return;
	}
	/* a dump that failed midway reports its error in NLMSG_DONE */
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(error)) {
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
		lm_rx_extack(rx, nlh, sizeof(error));
	}
	lm_rx_kernel_error(rx, error);
}

static void lm_rx_data_msg(struct lm_rx *rx, const struct nlmsghdr *nlh)
{
	int ret;

	if (nlh->nlmsg_type != rx->type) {
		lm_rx_proto(rx, "unexpected message type %u", nlh->nlmsg_type);
		return;
	}
	rx->nmsgs++;
	if (rx->status != LM_OK || !rx->cb)
		return;		/* drain after a failure */
	ret = rx->cb(nlh, rx->data, rx->err);
	if (ret != LM_OK) {
		if (rx->err->status == LM_OK)
			rx->err->status = ret;
		lm_rx_fail(rx, ret);
	}
}

static void lm_rx_msg(struct lm_rx *rx, const struct nlmsghdr *nlh)
{
	if (!mnl_nlmsg_portid_ok(nlh, rx->portid)) {
		lm_rx_proto(rx, "reply for port %u, not %u", nlh->nlmsg_pid,
			    rx->portid);
		return;
	}
	if (nlh->nlmsg_seq != rx->seq) {
		/* a late reply to an earlier, abandoned request */
		if ((int32_t)(nlh->nlmsg_seq - rx->seq) < 0) {
			rx->stale++;
			return;
		}
		lm_rx_proto(rx, "reply with sequence %u, expected %u",
			    nlh->nlmsg_seq, rx->seq);
		return;
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		rx->intr = true;

	switch (nlh->nlmsg_type) {
	case NLMSG_NOOP:
		break;
	case NLMSG_ERROR:
		lm_rx_error_msg(rx, nlh);
		break;
	case NLMSG_DONE:
		lm_rx_done_msg(rx, nlh);
		break;
	case NLMSG_OVERRUN:
		lm_rx_proto(rx, "NLMSG_OVERRUN");
		rx->done = true;
		break;
	default:
		lm_rx_data_msg(rx, nlh);
		break;
	}
}

/*
 * mnl_nlmsg_ok() compares the length as an int: a message claiming 2 GiB
 * or more passes it, and mnl_nlmsg_next() then steps out of the buffer
 * (found by user/fuzz/fuzz_reply.c).
 */
bool lm_nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned int)len;
}

int lm_rx_feed(struct lm_rx *rx, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int rem = len > INT_MAX ? INT_MAX : (int)len;

	while (!rx->done && lm_nlmsg_ok(nlh, rem)) {
		lm_rx_msg(rx, nlh);
		nlh = mnl_nlmsg_next(nlh, &rem);
	}
	if (!rx->done && rem > 0) {
		lm_rx_proto(rx, "malformed netlink message (%d bytes left)",
			    rem);
		return LM_ERR_PROTO;
	}
	return LM_OK;
}

/* ---- send side ---- */

static struct nlmsghdr *lm_msg_start(void *buf, uint16_t type, uint8_t cmd,
				     uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

static int lm_recv(struct lm_handle *h, struct lm_rx *rx)
{
	ssize_t n;
	int ret;

	while (!rx->done) {
		n = mnl_socket_recvfrom(h->nl, h->buf, LM_RECV_BUFSIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return lm_error_errno(&h->err, ETIMEDOUT,
						      "no reply from the kernel");
			return lm_error_errno(&h->err, errno, "recvmsg");
		}
		ret = lm_rx_feed(rx, h->buf, (size_t)n);
		if (ret != LM_OK)
			return ret;
	}
	return rx->status;
}

/*
 * Send nlh (its sequence number is assigned here) and process replies
 * until the final ack or NLMSG_DONE.
 */
int lm_exchange(struct lm_handle *h, struct nlmsghdr *nlh,
		uint16_t type, lm_rx_cb cb, void *data, struct lm_rx *out)
{
	struct lm_rx rx = {
		.portid	= h->portid,
		.type	= type,
		.cb	= cb,
		.data	= data,
		.err	= &h->err,
	};
	int ret;

	lm_error_clear(&h->err);
	rx.dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	if (!rx.dump)
		nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = rx.seq = ++h->seq;

	if (mnl_socket_sendto(h->nl, nlh, nlh->nlmsg_len) < 0)
		ret = lm_error_errno(&h->err, errno, "sendmsg");
	else
		ret = lm_recv(h, &rx);
	if (out)
		*out = rx;
	return ret;
}

/* ---- family resolution ---- */

struct lm_ctrl_ctx {
	struct lm_family *f;
	bool has_id;
	struct lm_family_op op;
	struct lm_family_mcgrp grp;
};

static int lm_ctrl_op_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_ctrl_ctx *ctx = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_OP_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		ctx->op.cmd = mnl_attr_get_u32(a);
		break;
	case CTRL_ATTR_OP_FLAGS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		ctx->op.flags = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

static int lm_ctrl_ops_cb(const struct nlattr *a, void *data)
{
	struct lm_ctrl_ctx *ctx = data;
	struct lm_family *f = ctx->f;

	memset(&ctx->op, 0, sizeof(ctx->op));
	if (mnl_attr_parse_nested(a, lm_ctrl_op_attr_cb, ctx) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (f->nops < LM_MAX_OPS)
		f->ops[f->nops++] = ctx->op;
	return MNL_CB_OK;
}

static int lm_ctrl_grp_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_ctrl_ctx *ctx = data;
	size_t n;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_MCAST_GRP_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		ctx->grp.id = mnl_attr_get_u32(a);
		break;
	case CTRL_ATTR_MCAST_GRP_NAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		n = strnlen(mnl_attr_get_str(a), mnl_attr_get_payload_len(a));
		if (n >= sizeof(ctx->grp.name))
			n = sizeof(ctx->grp.name) - 1;
		memcpy(ctx->grp.name, mnl_attr_get_str(a), n);
		ctx->grp.name[n] = '\0';
		break;
	}
	return MNL_CB_OK;
}

static int lm_ctrl_grps_cb(const struct nlattr *a, void *data)
{
	struct lm_ctrl_ctx *ctx = data;
	struct lm_family *f = ctx->f;

	memset(&ctx->grp, 0, sizeof(ctx->grp));
	if (mnl_attr_parse_nested(a, lm_ctrl_grp_attr_cb, ctx) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (f->nmcgrps < LM_MAX_MCGRPS)
		f->mcgrps[f->nmcgrps++] = ctx->grp;
	return MNL_CB_OK;
}

static int lm_ctrl_attr_cb(const struct nlattr *a, void *data)
{
	struct lm_ctrl_ctx *ctx = data;
	struct lm_family *f = ctx->f;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		f->id = mnl_attr_get_u16(a);
		ctx->has_id = true;
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		f->version = mnl_attr_get_u32(a);
		break;
	case CTRL_ATTR_HDRSIZE:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		f->hdrsize = mnl_attr_get_u32(a);
		break;
	case CTRL_ATTR_MAXATTR:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		f->maxattr = mnl_attr_get_u32(a);
		break;
	case CTRL_ATTR_OPS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		return mnl_attr_parse_nested(a, lm_ctrl_ops_cb, ctx);
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		return mnl_attr_parse_nested(a, lm_ctrl_grps_cb, ctx);
	}
	return MNL_CB_OK;
}

static int lm_ctrl_msg_cb(const struct nlmsghdr *nlh, void *data,
			  struct lm_error *err)
{
	struct lm_ctrl_ctx *ctx = data;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return lm_error_set(err, LM_ERR_PROTO, "short nlctrl reply");
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), lm_ctrl_attr_cb,
			   ctx) != MNL_CB_OK)
		return lm_error_set(err, LM_ERR_PROTO, "malformed nlctrl reply");
	return LM_OK;
}

/*
 * An nlctrl notification that family id was unregistered (its module
 * unloaded): CTRL_CMD_DELFAMILY naming it.  The message's length has been
 * checked by the caller.
 */
bool lm_ctrl_family_gone(const struct nlmsghdr *nlh, uint16_t id)
{
	const struct genlmsghdr *genl;
	const struct nlattr *a;

	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return false;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != CTRL_CMD_DELFAMILY)
		return false;
	mnl_attr_for_each(a, nlh, sizeof(*genl))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			return mnl_attr_validate(a, MNL_TYPE_U16) >= 0 &&
			       mnl_attr_get_u16(a) == id;
	return false;
}

static int lm_resolve_family(struct lm_handle *h, const char *name)
{
	char buf[LM_SEND_BUFSIZE];
	struct lm_ctrl_ctx ctx = { .f = &h->fam };
	struct nlmsghdr *nlh;
	int ret;

	nlh = lm_msg_start(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);

	memset(&h->fam, 0, sizeof(h->fam));
	ret = lm_exchange(h, nlh, GENL_ID_CTRL, lm_ctrl_msg_cb, &ctx, NULL);
	if (ret == LM_ERR_KERNEL && h->err.err == ENOENT) {
		h->err.status = LM_ERR_NOFAMILY;
		snprintf(h->err.detail, sizeof(h->err.detail),
			 "generic netlink family %s not found", name);
		return LM_ERR_NOFAMILY;
	}
	if (ret != LM_OK)
		return ret;
	if (!ctx.has_id)
		return lm_error_set(&h->err, LM_ERR_PROTO,
				    "nlctrl reply without a family id");
	return LM_OK;
}

/* ---- handle ---- */

static int lm_setsockopt_int(struct lm_handle *h, int opt, int val)
{
	return mnl_socket_setsockopt(h->nl, opt, &val, sizeof(val));
}

static int lm_socket_setup(struct lm_handle *h)
{
	struct timeval tv = { .tv_sec = LM_RECV_TIMEOUT_S };

	h->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!h->nl)
		return lm_error_errno(&h->err, errno, "netlink socket");
	if (mnl_socket_bind(h->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return lm_error_errno(&h->err, errno, "netlink bind");
	h->portid = mnl_socket_get_portid(h->nl);

	/* both are optional: older kernels lack them */
	lm_setsockopt_int(h, NETLINK_EXT_ACK, 1);
	lm_setsockopt_int(h, NETLINK_CAP_ACK, 1);
	setsockopt(mnl_socket_get_fd(h->nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	return LM_OK;
}

int lm_open(struct lm_handle **hp, struct lm_error *err)
{
	return lm_open_family(hp, LEAKMON_GENL_NAME, err);
}

int lm_open_family(struct lm_handle **hp, const char *name,
		   struct lm_error *err)
{
	struct lm_handle *h;
	int ret;

	*hp = NULL;
	if (err)
		lm_error_clear(err);
	h = calloc(1, sizeof(*h));
	if (h)
		h->buf = malloc(LM_RECV_BUFSIZE);
	if (!h || !h->buf) {
		free(h);
		if (err) {
			err->err = ENOMEM;
			lm_error_set(err, LM_ERR_LOCAL, "out of memory");
		}
		return LM_ERR_LOCAL;
	}
	h->seq = (uint32_t)time(NULL);

	ret = lm_socket_setup(h);
	if (ret == LM_OK)
		ret = lm_resolve_family(h, name);
	if (ret != LM_OK) {
		if (err)
			*err = h->err;
		lm_close(h);
		return ret;
	}
	*hp = h;
	return LM_OK;
}

void lm_close(struct lm_handle *h)
{
	if (!h)
		return;
	if (h->nl)
		mnl_socket_close(h->nl);
	free(h->buf);
	free(h);
}

const struct lm_error *lm_last_error(const struct lm_handle *h)
{
	return &h->err;
}

const struct lm_family *lm_family(const struct lm_handle *h)
{
	return &h->fam;
}

bool lm_family_op(const struct lm_family *f, uint32_t cmd, uint32_t *flags)
{
	for (unsigned int i = 0; i < f->nops; i++) {
		if (f->ops[i].cmd == cmd) {
			if (flags)
				*flags = f->ops[i].flags;
			return true;
		}
	}
	return false;
}

/* ---- typed calls ---- */

struct nlmsghdr *lm_cmd_start(struct lm_handle *h, void *buf,
			      uint8_t cmd, uint16_t flags)
{
	return lm_msg_start(buf, h->fam.id, cmd, LEAKMON_GENL_VERSION, flags);
}

/* do-request whose reply is parsed by cb; a missing reply is an error */
int lm_do(struct lm_handle *h, struct nlmsghdr *nlh, lm_rx_cb cb, void *data)
{
	struct lm_rx rx;
	int ret;

	ret = lm_exchange(h, nlh, h->fam.id, cb, data, &rx);
	if (ret == LM_OK && cb && rx.nmsgs != 1)
		return lm_error_set(&h->err, LM_ERR_PROTO,
				    "%u reply messages, expected 1", rx.nmsgs);
	return ret;
}
