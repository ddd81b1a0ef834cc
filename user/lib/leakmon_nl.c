// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libleakmon: socket, family resolution, request/reply exchanges.
 *
 * The receive loop is our own rather than mnl_cb_run(): libmnl stops at
 * the first NLM_F_DUMP_INTR message and drops extended acks, while we need
 * to drain a torn dump to its end, keep the extack text of NLMSG_ERROR and
 * NLMSG_DONE, and skip replies to earlier requests that were abandoned.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "lm_internal.h"

#define LM_SEND_BUFSIZE		4096
#define LM_RAW_MAX		(1U << 20)

struct lm_handle {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	struct lm_family fam;
	struct lm_error err;
	char *buf;		/* LM_RECV_BUFSIZE */
	size_t ev_len;		/* events: bytes received in buf */
	size_t ev_off;		/* events: next message in buf */
	bool has_wait_mask;	/* events: signals the wait lets in */
	sigset_t wait_mask;
};

static const char *const lm_kind_names[LM_NKINDS] = {
	[LEAKMON_KIND_SOCK_INODE]	= "sock_inode",
	[LEAKMON_KIND_FILE_BLOB]	= "file_blob",
	[LEAKMON_KIND_SK_BLOB]		= "sk_blob",
};

const char *lm_kind_name(unsigned int kind)
{
	return kind < LM_NKINDS ? lm_kind_names[kind] : NULL;
}

const char *lm_strstatus(int status)
{
	switch (status) {
	case LM_OK:		return "success";
	case LM_ERR_LOCAL:	return "local error";
	case LM_ERR_KERNEL:	return "kernel error";
	case LM_ERR_NOFAMILY:	return "generic netlink family not found";
	case LM_ERR_PROTO:	return "protocol error";
	}
	return "unknown status";
}

void lm_error_clear(struct lm_error *err)
{
	memset(err, 0, sizeof(*err));
}

int lm_error_set(struct lm_error *err, int status, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return status;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return status;
}

static int lm_error_errno(struct lm_error *err, int e, const char *what)
{
	err->err = e;
	return lm_error_set(err, LM_ERR_LOCAL, "%s", what);
}

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
static bool lm_nlmsg_ok(const struct nlmsghdr *nlh, int len)
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
static int lm_exchange(struct lm_handle *h, struct nlmsghdr *nlh,
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

static struct nlmsghdr *lm_cmd_start(struct lm_handle *h, void *buf,
				     uint8_t cmd, uint16_t flags)
{
	return lm_msg_start(buf, h->fam.id, cmd, LEAKMON_GENL_VERSION, flags);
}

/* do-request whose reply is parsed by cb; a missing reply is an error */
static int lm_do(struct lm_handle *h, struct nlmsghdr *nlh, lm_rx_cb cb,
		 void *data)
{
	struct lm_rx rx;
	int ret;

	ret = lm_exchange(h, nlh, h->fam.id, cb, data, &rx);
	if (ret == LM_OK && cb && rx.nmsgs != 1)
		return lm_error_set(&h->err, LM_ERR_PROTO,
				    "%u reply messages, expected 1", rx.nmsgs);
	return ret;
}

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

/* ---- notifications ---- */

const char *lm_event_name(unsigned int cmd)
{
	switch (cmd) {
	case LEAKMON_CMD_EVENT_THRESHOLD:	return "threshold";
	case LEAKMON_CMD_EVENT_ORPHANS:		return "exited";
	case LEAKMON_CMD_EVENT_SATURATED:	return "saturated";
	case LEAKMON_CMD_EVENT_UNREACHABLE:	return "unreachable";
	}
	return NULL;
}

const char *lm_saturation_name(unsigned int reason)
{
	switch (reason) {
	case LEAKMON_SATURATION_TABLE_FULL:	return "object_table_full";
	case LEAKMON_SATURATION_OWNERS_FULL:	return "owner_table_full";
	case LEAKMON_SATURATION_NOMEM:		return "nomem";
	}
	return NULL;
}

int lm_events_join(struct lm_handle *h)
{
	struct lm_handle *check = NULL;
	bool gone = false;
	int id = -1;

	lm_error_clear(&h->err);
	for (unsigned int i = 0; i < h->fam.nmcgrps; i++)
		if (!strcmp(h->fam.mcgrps[i].name, LEAKMON_MCGRP_EVENTS))
			id = (int)h->fam.mcgrps[i].id;
	if (id < 0) {
		h->err.err = ENOENT;
		return lm_error_set(&h->err, LM_ERR_LOCAL,
				    "the module has no multicast group %s (too old?)",
				    LEAKMON_MCGRP_EVENTS);
	}
	if (mnl_socket_setsockopt(h->nl, NETLINK_ADD_MEMBERSHIP, &id,
				  sizeof(id)) < 0)
		return lm_error_errno(&h->err, errno,
				      "joining the events group");
	/*
	 * nlctrl's group "notify" says when the family goes (the module is
	 * unloaded): the kernel drops the family's listeners silently.  Its
	 * id is GENL_ID_CTRL on every kernel (genl_validate_assign_mc_groups()),
	 * as iproute2's "genl monitor" assumes.
	 */
	id = GENL_ID_CTRL;
	if (mnl_socket_setsockopt(h->nl, NETLINK_ADD_MEMBERSHIP, &id,
				  sizeof(id)) < 0)
		return lm_error_errno(&h->err, errno,
				      "joining nlctrl's notify group");
	/* gone (or gone and back) before we listened: no DELFAMILY will come */
	if (lm_open(&check, NULL) != LM_OK || check->fam.id != h->fam.id)
		gone = true;
	lm_close(check);
	if (gone)
		return lm_error_set(&h->err, LM_ERR_NOFAMILY,
				    "the module was unloaded (generic netlink family %s is gone)",
				    LEAKMON_GENL_NAME);
	h->ev_len = h->ev_off = 0;
	return LM_OK;
}

void lm_event_wait_mask(struct lm_handle *h, const sigset_t *mask)
{
	h->has_wait_mask = mask != NULL;
	if (mask)
		h->wait_mask = *mask;
}

int lm_event_fd(const struct lm_handle *h)
{
	return mnl_socket_get_fd(h->nl);
}

static int64_t lm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next event in the datagram held in h->buf; *got false if none. */
static int lm_event_take(struct lm_handle *h, struct lm_event *ev, bool *got)
{
	while (h->ev_off < h->ev_len) {
		const struct nlmsghdr *nlh =
			(const struct nlmsghdr *)(h->buf + h->ev_off);
		int rem = (int)(h->ev_len - h->ev_off);
		bool found;
		int ret;

		if (!lm_nlmsg_ok(nlh, rem)) {
			h->ev_len = h->ev_off = 0;
			return lm_error_set(&h->err, LM_ERR_PROTO,
					    "malformed netlink message (%d bytes)",
					    rem);
		}
		h->ev_off += MNL_ALIGN(nlh->nlmsg_len);
		if (h->ev_off > h->ev_len)
			h->ev_off = h->ev_len;
		if (lm_ctrl_family_gone(nlh, h->fam.id)) {
			h->ev_len = h->ev_off = 0;
			return lm_error_set(&h->err, LM_ERR_NOFAMILY,
					    "the module was unloaded (generic netlink family %s is gone)",
					    LEAKMON_GENL_NAME);
		}
		if (nlh->nlmsg_type != h->fam.id)
			continue;	/* not the family's: an ack, say */
		ret = lm_parse_event(nlh, ev, &found, &h->err);
		if (ret != LM_OK)
			return ret;
		if (found) {
			*got = true;
			return LM_OK;
		}
	}
	return LM_OK;
}

int lm_event_next(struct lm_handle *h, struct lm_event *ev, int timeout_ms,
		  bool *got)
{
	int64_t deadline = timeout_ms >= 0 ? lm_now_ms() + timeout_ms : -1;
	struct pollfd pfd = { .fd = mnl_socket_get_fd(h->nl), .events = POLLIN };
	int ret, wait;
	ssize_t n;

	*got = false;
	lm_error_clear(&h->err);
	for (;;) {
		ret = lm_event_take(h, ev, got);
		if (ret != LM_OK || *got)
			return ret;
		h->ev_len = h->ev_off = 0;
		wait = -1;
		if (deadline >= 0) {
			int64_t left = deadline - lm_now_ms();

			wait = left > 0 ? (int)left : 0;
		}
		if (h->has_wait_mask) {
			struct timespec ts = {
				.tv_sec = wait / 1000,
				.tv_nsec = (long)(wait % 1000) * 1000000L,
			};

			/* the mask lets the blocked signals in, atomically */
			ret = ppoll(&pfd, 1, wait < 0 ? NULL : &ts,
				    &h->wait_mask);
		} else {
			ret = poll(&pfd, 1, wait);
		}
		if (ret < 0) {
			if (errno == EINTR)
				return LM_OK;	/* a signal: the caller decides */
			return lm_error_errno(&h->err, errno, "poll");
		}
		if (ret == 0)
			return LM_OK;	/* timed out */
		n = recv(pfd.fd, h->buf, LM_RECV_BUFSIZE, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			if (errno == ENOBUFS)
				return lm_error_errno(&h->err, ENOBUFS,
						      "events lost: the receive buffer overflowed");
			return lm_error_errno(&h->err, errno, "recv");
		}
		h->ev_len = (size_t)n;
	}
}
