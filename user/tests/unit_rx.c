// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of libleakmon's receive loop (lm_rx_feed): dumps, errors,
 * framing.
 */
#include "unit.h"

/* ---- receive loop tests ---- */

struct dgram {
	union {
		char buf[16384];
		uint64_t align;
	};
	size_t len;
};

static struct nlmsghdr *dg_next(struct dgram *d)
{
	return (struct nlmsghdr *)(d->buf + d->len);
}

static void dg_commit(struct dgram *d, struct nlmsghdr *nlh)
{
	d->len += MNL_ALIGN(nlh->nlmsg_len);
}

static void dg_owner(struct dgram *d, uint32_t tgid, uint16_t extra_flags)
{
	struct owner_opts oo = { .tgid = tgid, .start_ns = tgid * 10ULL,
				 .live = { tgid, 0 } };
	struct nlmsghdr *nlh = owner_msg(dg_next(d), &oo);

	nlh->nlmsg_flags |= extra_flags;
	dg_commit(d, nlh);
}

static struct nlmsghdr *dg_ctl(struct dgram *d, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(dg_next(d));

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_pid = PORTID;
	nlh->nlmsg_seq = SEQ;
	return nlh;
}

static void dg_done(struct dgram *d, int error, const char *extack)
{
	struct nlmsghdr *nlh = dg_ctl(d, NLMSG_DONE, NLM_F_MULTI);
	int *e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*e = error;
	if (extack) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
	}
	dg_commit(d, nlh);
}

/* NLMSG_ERROR; echo > 0: the request's payload (echo bytes) is included */
static void dg_error(struct dgram *d, int error, const char *extack,
		     size_t echo)
{
	struct nlmsghdr *nlh = dg_ctl(d, NLMSG_ERROR, echo ? 0 : NLM_F_CAPPED);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = error;
	e->msg.nlmsg_len = (uint32_t)(sizeof(struct nlmsghdr) + echo);
	e->msg.nlmsg_type = FAMILY_ID;
	e->msg.nlmsg_seq = SEQ;
	if (echo)
		memset(mnl_nlmsg_put_extra_header(nlh, echo), 0xee, echo);
	if (extack) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 24);
	}
	dg_commit(d, nlh);
}

struct collect {
	struct lm_owners o;
};

static int collect_cb(const struct nlmsghdr *nlh, void *data,
		      struct lm_error *err)
{
	struct collect *c = data;
	struct lm_owner o;
	bool found;
	int ret = lm_parse_owner(nlh, &o, &found, err);

	if (ret == LM_OK && found && c->o.n < 16)
		c->o.owner[c->o.n++] = o;
	return ret;
}

static struct lm_owner collect_buf[16];

static void rx_init(struct lm_rx *rx, bool dump, struct collect *c,
		    struct lm_error *err)
{
	memset(rx, 0, sizeof(*rx));
	memset(c, 0, sizeof(*c));
	lm_error_clear(err);
	c->o.owner = collect_buf;
	rx->portid = PORTID;
	rx->seq = SEQ;
	rx->type = FAMILY_ID;
	rx->dump = dump;
	rx->cb = collect_cb;
	rx->data = c;
	rx->err = err;
}

void test_rx_dump(void)
{
	static struct dgram d, d2;
	struct lm_error err;
	struct collect c;
	struct lm_rx rx;
	int ret;

	d.len = 0;
	dg_owner(&d, 1, 0);
	dg_owner(&d, 2, 0);
	dg_owner(&d, 3, 0);
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.status == LM_OK && rx.nmsgs == 3 &&
	   c.o.n == 3 && c.o.owner[2].tgid == 3 && !rx.intr,
	   "rx: three-message dump ending in NLMSG_DONE");

	/* the same dump split over two datagrams */
	d.len = 0;
	dg_owner(&d, 1, 0);
	dg_owner(&d, 2, 0);
	d2.len = 0;
	dg_owner(&d2, 3, 0);
	dg_done(&d2, 0, NULL);
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && !rx.done && rx.nmsgs == 2,
	   "rx: multi-part dump: not done after the first datagram");
	ret = lm_rx_feed(&rx, d2.buf, d2.len);
	ok(ret == LM_OK && rx.done && rx.nmsgs == 3 && c.o.n == 3,
	   "rx: multi-part dump: done after the second datagram");

	d.len = 0;
	dg_owner(&d, 1, 0);
	dg_owner(&d, 2, NLM_F_DUMP_INTR);
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.intr && rx.status == LM_OK &&
	   rx.nmsgs == 2, "rx: NLM_F_DUMP_INTR noticed, dump drained to DONE");

	d.len = 0;
	dg_owner(&d, 1, 0);
	dg_ctl(&d, NLMSG_DONE, NLM_F_MULTI | NLM_F_DUMP_INTR);
	mnl_nlmsg_put_extra_header(dg_next(&d), sizeof(int));
	dg_commit(&d, dg_next(&d));
	rx_init(&rx, true, &c, &err);
	lm_rx_feed(&rx, d.buf, d.len);
	ok(rx.done && rx.intr, "rx: NLM_F_DUMP_INTR on NLMSG_DONE noticed");

	d.len = 0;
	dg_owner(&d, 1, 0);
	dg_done(&d, -EPERM, "reading is restricted");
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.status == LM_ERR_KERNEL &&
	   err.status == LM_ERR_KERNEL && err.err == EPERM &&
	   !strcmp(err.extack, "reading is restricted"),
	   "rx: error and extack carried by NLMSG_DONE (%s)", err.extack);
}

void test_rx_errors(void)
{
	static struct dgram d;
	struct lm_error err;
	struct collect c;
	struct lm_rx rx;
	int ret;

	d.len = 0;
	dg_error(&d, -EPERM, "needs CAP_NET_ADMIN", 0);
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.status == LM_ERR_KERNEL &&
	   err.err == EPERM && !strcmp(err.extack, "needs CAP_NET_ADMIN") &&
	   err.has_offs && err.offs == 24,
	   "rx: NLMSG_ERROR (capped) with extack message and offset");

	d.len = 0;
	dg_error(&d, -EINVAL, "bad attribute", 12);
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.status == LM_ERR_KERNEL && err.err == EINVAL &&
	   !strcmp(err.extack, "bad attribute"),
	   "rx: NLMSG_ERROR echoing the request: extack found after it");

	d.len = 0;
	dg_error(&d, -ERANGE, NULL, 0);
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.status == LM_ERR_KERNEL && err.err == ERANGE &&
	   !err.extack[0], "rx: NLMSG_ERROR without extack");

	/* found by user/fuzz/fuzz_reply.c */
	d.len = 0;
	dg_error(&d, INT_MIN, NULL, 0);
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.status == LM_ERR_PROTO,
	   "rx: NLMSG_ERROR with error INT_MIN is a protocol error");

	d.len = 0;
	dg_error(&d, -EPERM, NULL, 0);
	((struct nlmsghdr *)d.buf)->nlmsg_len = 0x80000010u;
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_ERR_PROTO && !rx.done,
	   "rx: a message claiming 2 GiB is malformed, not walked");

	d.len = 0;
	{
		struct owner_opts oo = { .tgid = 9, .start_ns = 1 };
		struct nlmsghdr *nlh = owner_msg(dg_next(&d), &oo);

		nlh->nlmsg_flags = 0;
		dg_commit(&d, nlh);
	}
	dg_error(&d, 0, NULL, 0);
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.status == LM_OK && rx.nmsgs == 1 &&
	   c.o.n == 1, "rx: do request: reply then ack");

	d.len = 0;
	dg_error(&d, 0, "warning text", 0);
	rx_init(&rx, false, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.status == LM_OK && !strcmp(err.extack, "warning text"),
	   "rx: ack with a warning keeps the text, succeeds");
}

void test_rx_framing(void)
{
	static struct dgram d;
	struct lm_error err;
	struct collect c;
	struct lm_rx rx;
	struct nlmsghdr *nlh;
	int ret;

	/* a reply to an earlier request is skipped */
	d.len = 0;
	nlh = dg_ctl(&d, NLMSG_ERROR, NLM_F_CAPPED);
	nlh->nlmsg_seq = SEQ - 3;
	memset(mnl_nlmsg_put_extra_header(nlh, sizeof(struct nlmsgerr)), 0,
	       sizeof(struct nlmsgerr));
	dg_commit(&d, nlh);
	dg_owner(&d, 1, 0);
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.status == LM_OK && rx.stale == 1 &&
	   rx.nmsgs == 1, "rx: stale reply to an earlier sequence skipped");

	d.len = 0;
	dg_owner(&d, 1, 0);
	((struct nlmsghdr *)d.buf)->nlmsg_seq = SEQ + 1;
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(rx.done && rx.status == LM_ERR_PROTO && strstr(err.detail, "sequence"),
	   "rx: reply with a later sequence number is a protocol error (%s)",
	   err.detail);

	d.len = 0;
	dg_owner(&d, 1, 0);
	((struct nlmsghdr *)d.buf)->nlmsg_pid = PORTID + 1;
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	lm_rx_feed(&rx, d.buf, d.len);
	ok(rx.done && rx.status == LM_ERR_PROTO,
	   "rx: reply for another port is a protocol error");

	d.len = 0;
	dg_owner(&d, 1, 0);
	((struct nlmsghdr *)d.buf)->nlmsg_type = FAMILY_ID + 1;
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	lm_rx_feed(&rx, d.buf, d.len);
	ok(rx.done && rx.status == LM_ERR_PROTO,
	   "rx: unexpected message type is a protocol error");

	/* a bad message mid-dump: error kept, rest drained to DONE */
	d.len = 0;
	dg_owner(&d, 1, 0);
	{
		struct owner_opts oo = { .tgid = 2, .flag_payload = true };

		nlh = owner_msg(dg_next(&d), &oo);
		dg_commit(&d, nlh);
	}
	dg_owner(&d, 3, 0);
	dg_done(&d, 0, NULL);
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_OK && rx.done && rx.status == LM_ERR_PROTO &&
	   rx.nmsgs == 3 && c.o.n == 1,
	   "rx: malformed message mid-dump fails the call after draining");

	d.len = 0;
	dg_owner(&d, 1, 0);
	((struct nlmsghdr *)d.buf)->nlmsg_len = (uint32_t)d.len + 100;
	rx_init(&rx, true, &c, &err);
	ret = lm_rx_feed(&rx, d.buf, d.len);
	ok(ret == LM_ERR_PROTO && rx.status == LM_ERR_PROTO,
	   "rx: nlmsg_len beyond the datagram is a protocol error");

	d.len = 0;
	dg_ctl(&d, NLMSG_ERROR, 0);
	dg_commit(&d, dg_next(&d));
	rx_init(&rx, false, &c, &err);
	lm_rx_feed(&rx, d.buf, d.len);
	ok(rx.done && rx.status == LM_ERR_PROTO,
	   "rx: truncated NLMSG_ERROR is a protocol error");

	d.len = 0;
	dg_done(&d, 0, NULL);
	rx_init(&rx, false, &c, &err);
	lm_rx_feed(&rx, d.buf, d.len);
	ok(rx.done && rx.status == LM_ERR_PROTO,
	   "rx: NLMSG_DONE in reply to a do request is a protocol error");
}
