// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz: random and mutated generic netlink messages against leakmon.
 *
 * Written with libnl (libnl-3, libnl-genl-3) and the UAPI header only, so
 * that it shares no code with the CLI's libmnl client.
 *
 *   nl_fuzz [--count N] [--seed S]
 *
 * Phases (TAP, one line each):
 *   1. as root, N messages (default 1,000,000), each sent with NLM_F_ACK:
 *      every command number (defined, undefined, 0, 255), with and without
 *      NLM_F_DUMP, random attribute trees from the real attribute ids with
 *      wrong types and lengths, nesting and duplicates, SET_CONFIG with in-
 *      and out-of-range values, truncated genetlink headers, and mutations
 *      (bit flips, attribute length corruption, truncation) of valid
 *      messages.  Every message must be answered (an error, or data ended
 *      by an ack or NLMSG_DONE); the ones the fuzzer knows are invalid must
 *      be answered with an error, and policy rejections must carry an
 *      extack message.  One in a hundred messages has a corrupt netlink
 *      length, which the kernel drops silently: a valid request right
 *      after it must still be answered.
 *   2. the configuration in force before phase 1 is restored and read back;
 *   3. as user nobody (65534), N / 2 messages with restrict_read 0,
 *      N / 2 with restrict_read 1 and N / 4 with restrict_read 2 (set by
 *      root through SET_CONFIG): RESET and SET_CONFIG never succeed,
 *      well-formed ones fail with EPERM, and reads fail with EPERM exactly
 *      when restricted to CAP_NET_ADMIN (1; 2 shows nobody's own rows);
 *   4. the module still answers GET_TOTALS, and per kind observed =
 *      tracked + untracked (table full, owners full, no memory).
 *
 * Exit status: 0 all passed, 1 a check failed, 4 the leakmon family is not
 * there (module not loaded), 2 bad arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <linux/leakmon.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

#define BUFSZ 65536

static uint64_t rng;
static int family;
static int tapn, failures;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static uint32_t rndn(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++tapn);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

/* ---- message building -------------------------------------------------- */

struct buf {
	unsigned char d[BUFSZ];
	size_t len;
};

static void *put(struct buf *b, const void *p, size_t n)
{
	void *at = b->d + b->len;

	if (b->len + n > sizeof(b->d))
		return NULL;
	if (p)
		memcpy(at, p, n);
	else
		memset(at, 0, n);
	b->len += n;
	return at;
}

static void pad(struct buf *b)
{
	while (b->len % 4)
		put(b, NULL, 1);
}

static void attr(struct buf *b, uint16_t type, const void *p, size_t n)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + n, .nla_type = type };

	if (b->len + NLA_ALIGN(NLA_HDRLEN + n) > sizeof(b->d) - 64)
		return;
	put(b, &a, sizeof(a));
	put(b, p, n);
	pad(b);
}

static size_t nest_start(struct buf *b, uint16_t type)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN, .nla_type = type | NLA_F_NESTED };
	size_t at = b->len;

	put(b, &a, sizeof(a));
	return at;
}

static void nest_end(struct buf *b, size_t at)
{
	((struct nlattr *)(b->d + at))->nla_len = b->len - at;
}

static void header(struct buf *b, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr h = { .nlmsg_type = family, .nlmsg_flags = flags };
	struct genlmsghdr g = { .cmd = cmd, .version = LEAKMON_GENL_VERSION };

	b->len = 0;
	put(b, &h, sizeof(h));
	put(b, &g, sizeof(g));
}

static void random_payload(struct buf *b, uint16_t type)
{
	unsigned char p[2048];
	size_t n;

	switch (rndn(6)) {
	case 0: n = 1; break;
	case 1: n = 4; break;
	case 2: n = 8; break;
	case 3: n = 0; break;
	case 4: n = rndn(32); break;
	default: n = rndn(rndn(8) ? 64 : sizeof(p)); break;
	}
	for (size_t i = 0; i < n; i++)
		p[i] = rnd();
	if (n && rndn(4) == 0)
		p[n - 1] = 0;	/* sometimes a string */
	attr(b, type, p, n);
}

/* A config value in range, or (when bad is set) out of range. */
static uint32_t config_value(int type, bool *bad)
{
	uint32_t lo = 1, hi = 0;

	switch (type) {
	case LEAKMON_CONFIG_A_MAX_OBJECTS: hi = LEAKMON_MAX_OBJECTS_LIMIT; break;
	case LEAKMON_CONFIG_A_MAX_OWNERS: hi = LEAKMON_MAX_OWNERS_LIMIT; break;
	case LEAKMON_CONFIG_A_EVENT_THRESHOLD:
		lo = 0;
		hi = LEAKMON_MAX_OBJECTS_LIMIT;
		break;
	case LEAKMON_CONFIG_A_EVENT_RATE: hi = LEAKMON_EVENT_RATE_LIMIT; break;
	case LEAKMON_CONFIG_A_EVENT_QUEUE_MAX: hi = LEAKMON_EVENT_QUEUE_LIMIT; break;
	case LEAKMON_CONFIG_A_RESTRICT_READ:
		lo = 0;
		hi = LEAKMON_RESTRICT_READ_MAX;
		break;
	case LEAKMON_CONFIG_A_READER_GID:
		return rnd();	/* any u32; none is out of range */
	}
	if (rndn(3) == 0) {
		*bad = true;
		if (lo > 0 && rndn(2))
			return 0;
		return hi + 1 + rndn(rndn(2) ? 10 : UINT32_MAX - hi - 1);
	}
	/* keep the limits large enough for the rest of the suite */
	if (type == LEAKMON_CONFIG_A_MAX_OBJECTS || type == LEAKMON_CONFIG_A_MAX_OWNERS)
		lo = hi / 64;
	return lo + rndn(hi - lo + 1);
}

/* SET_CONFIG with 0..6 config attributes of the right types. */
static bool build_set_config(struct buf *b, bool *known_bad, bool *wellformed)
{
	size_t nest;
	int n = rndn(7);

	header(b, LEAKMON_CMD_SET_CONFIG, NLM_F_REQUEST | NLM_F_ACK);
	nest = nest_start(b, LEAKMON_A_CONFIG);
	for (int i = 0; i < n; i++) {
		int t = 1 + rndn(LEAKMON_CONFIG_A_MAX);
		bool bad = false;
		uint32_t v;

		if (t == LEAKMON_CONFIG_A_HASH_BUCKETS) {
			*known_bad = true;	/* read-only: NLA_REJECT */
			v = 1024;
			attr(b, t, &v, 4);
			continue;
		}
		v = config_value(t, &bad);
		if (t == LEAKMON_CONFIG_A_RESTRICT_READ) {
			uint8_t u = bad ? (uint8_t)(LEAKMON_RESTRICT_READ_MAX +
						    1 + rndn(253)) : 0;

			attr(b, t, &u, 1);	/* never restrict in phase 1 */
		} else {
			attr(b, t, &v, 4);
		}
		*known_bad |= bad;
	}
	nest_end(b, nest);
	*wellformed = !*known_bad;
	return true;
}

/* A request the family takes (the others are notifications or nothing) */
static bool lm_op(uint8_t cmd)
{
	return (cmd >= 1 && cmd <= LEAKMON_CMD_SET_CONFIG) ||
	       cmd == LEAKMON_CMD_SCAN || cmd == LEAKMON_CMD_GET_UNREACHABLE;
}

/* The operations that are dumps only */
static bool lm_dump_op(uint8_t cmd)
{
	return cmd == LEAKMON_CMD_GET_OWNERS ||
	       cmd == LEAKMON_CMD_GET_UNREACHABLE;
}

/* Anything: a command and a random attribute tree. */
static void build_random(struct buf *b, bool *known_bad, bool *wellformed)
{
	/* no such operation (notifications, beyond the last) */
	static const uint8_t special[] = { 0, 6, 7, 8, LEAKMON_CMD_MAX + 1,
					   100, 255 };
	uint8_t cmd;
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	int nattrs = rndn(5);

	/* a well-formed scan runs a pass (milliseconds): rarely */
	if (rndn(256) == 0)
		cmd = LEAKMON_CMD_SCAN;
	else if (rndn(16) == 0)
		cmd = LEAKMON_CMD_GET_UNREACHABLE;
	else if (rndn(4))
		cmd = 1 + rndn(LEAKMON_CMD_SET_CONFIG);
	else
		cmd = special[rndn(sizeof(special))];
	if (rndn(3) == 0)
		flags |= NLM_F_DUMP;
	header(b, cmd, flags);
	if (!lm_op(cmd))
		*known_bad = true;	/* no such operation */
	/* GET_OWNERS and GET_UNREACHABLE are dumps only, the others requests */
	if (lm_dump_op(cmd) != ((flags & NLM_F_DUMP) == NLM_F_DUMP))
		*known_bad = true;
	*wellformed = !*known_bad && !nattrs;
	for (int i = 0; i < nattrs; i++) {
		uint16_t type = rndn(LEAKMON_A_MAX + 4);

		if (cmd != LEAKMON_CMD_SET_CONFIG || type != LEAKMON_A_CONFIG)
			*known_bad = true;	/* the command takes no such attribute */
		if (rndn(3) == 0) {
			size_t nest = nest_start(b, type);
			int k = rndn(4);

			for (int j = 0; j < k; j++)
				random_payload(b, rndn(LEAKMON_CONFIG_A_MAX + 3));
			nest_end(b, nest);
		} else {
			random_payload(b, type);
		}
	}
}

/* Flip bits or corrupt an attribute length; the message stays sized right. */
static void mutate(struct buf *b)
{
	size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;
	int n = 1 + rndn(4);

	for (int i = 0; i < n; i++) {
		switch (rndn(4)) {
		case 0:	/* bit flip after the netlink header */
			if (b->len > NLMSG_HDRLEN)
				b->d[NLMSG_HDRLEN + rndn(b->len - NLMSG_HDRLEN)] ^= 1 << rndn(8);
			break;
		case 1:	/* first attribute's length */
			if (b->len >= hdr + NLA_HDRLEN)
				((struct nlattr *)(b->d + hdr))->nla_len = rndn(rndn(2) ? 16 : 65536);
			break;
		case 2:	/* truncate */
			b->len = NLMSG_HDRLEN + rndn(b->len - NLMSG_HDRLEN + 1);
			break;
		default: /* append garbage */
			for (int j = rndn(16); j > 0; j--) {
				unsigned char c = rnd();

				put(b, &c, 1);
			}
			break;
		}
	}
}

/* ---- sending and receiving -------------------------------------------- */

struct reply {
	int err;		/* 0, or a negative errno from NLMSG_ERROR */
	bool extack_msg;	/* NLMSGERR_ATTR_MSG present */
	char msg[160];
	int data;		/* data messages before the end */
};

static int send_raw(struct nl_sock *sk, struct buf *b, uint32_t seq, bool fix_len)
{
	struct nlmsghdr *h = (struct nlmsghdr *)b->d;

	h->nlmsg_seq = seq;
	h->nlmsg_pid = 0;
	if (fix_len)
		h->nlmsg_len = b->len;
	return nl_sendto(sk, b->d, b->len);
}

/* Wait for the end of the answer to seq: an NLMSG_ERROR or NLMSG_DONE. */
static int recv_reply(struct nl_sock *sk, uint32_t seq, struct reply *r)
{
	struct sockaddr_nl peer;
	unsigned char *buf = NULL;
	int n;

	memset(r, 0, sizeof(*r));
	for (;;) {
		n = nl_recv(sk, &peer, &buf, NULL);
		if (n <= 0) {
			free(buf);
			return n == 0 ? -ETIMEDOUT : n;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; nlmsg_ok(h, n);
		     h = nlmsg_next(h, &n)) {
			if (h->nlmsg_seq != seq)
				continue;	/* a late part of an earlier dump */
			if (h->nlmsg_type == NLMSG_DONE) {
				/* a dump that failed says so in NLMSG_DONE */
				if (h->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
					memcpy(&r->err, nlmsg_data(h), sizeof(int));
				free(buf);
				return 0;
			}
			if (h->nlmsg_type != NLMSG_ERROR) {
				r->data++;
				continue;
			}
			struct nlmsgerr *e = nlmsg_data(h);

			r->err = e->error;
			if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
				size_t off = sizeof(*e);
				struct nlattr *a;
				int rem;

				if (!(h->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - NLMSG_HDRLEN;
				if (NLMSG_HDRLEN + NLMSG_ALIGN(off) > h->nlmsg_len)
					off = h->nlmsg_len;	/* no room for TLVs */
				a = (struct nlattr *)((char *)e + NLMSG_ALIGN(off));
				rem = (int)h->nlmsg_len - NLMSG_HDRLEN - (int)NLMSG_ALIGN(off);
				for (; rem > 0 && nla_ok(a, rem); a = nla_next(a, &rem))
					if (nla_type(a) == NLMSGERR_ATTR_MSG) {
						r->extack_msg = true;
						snprintf(r->msg, sizeof(r->msg), "%.*s",
							 nla_len(a), (char *)nla_data(a));
					}
			}
			free(buf);
			return 0;
		}
		free(buf);
		buf = NULL;
	}
}

static struct nl_sock *open_sock(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;
	struct timeval tv = { .tv_sec = 10 };

	if (!sk || genl_connect(sk))
		return NULL;
	nl_socket_disable_seq_check(sk);
	nl_socket_disable_auto_ack(sk);
	nl_socket_set_msg_buf_size(sk, BUFSZ);
	/*
	 * One recvmsg() an answer, not a peek for its size first: BUFSZ
	 * holds any (a dump's part is at most 32 KiB, an error echoes a
	 * request of at most 25 KiB), and a longer one would be an error
	 * (NLE_MSG_TRUNC: "no answer"), never cut silently.
	 */
	nl_socket_disable_msg_peek(sk);
	nl_socket_set_buffer_size(sk, 1 << 20, 1 << 20);
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return sk;
}

/*
 * Receive until a buffer holds a message answering seq (skipping late parts
 * of earlier answers); returns its length, the buffer in *bufp.
 */
static int recv_seq(struct nl_sock *sk, uint32_t seq, unsigned char **bufp)
{
	struct sockaddr_nl peer;

	for (int tries = 0; tries < 64; tries++) {
		int n = nl_recv(sk, &peer, bufp, NULL), m = n;

		if (n <= 0)
			return -1;
		for (struct nlmsghdr *h = (struct nlmsghdr *)*bufp; nlmsg_ok(h, m);
		     h = nlmsg_next(h, &m))
			if (h->nlmsg_seq == seq)
				return n;
		free(*bufp);
		*bufp = NULL;
	}
	return -1;
}

/* ---- one request, answered -------------------------------------------- */

static int simple(struct nl_sock *sk, uint32_t *seq, uint8_t cmd, struct buf *extra,
		  struct reply *r)
{
	struct buf b;

	header(&b, cmd, NLM_F_REQUEST | NLM_F_ACK);
	if (extra)
		put(&b, extra->d, extra->len);
	if (send_raw(sk, &b, ++*seq, true) < 0)
		return -errno;
	return recv_reply(sk, *seq, r);
}

/* Read the configuration as a SET_CONFIG nest (all writable attributes). */
static int get_config(struct nl_sock *sk, uint32_t *seq, struct buf *out, uint8_t *restrict_read)
{
	struct buf b;
	unsigned char *buf = NULL;
	int n, found = 0;

	header(&b, LEAKMON_CMD_GET_CONFIG, NLM_F_REQUEST);
	if (send_raw(sk, &b, ++*seq, true) < 0)
		return -1;
	n = recv_seq(sk, *seq, &buf);
	if (n <= 0)
		return -1;
	out->len = 0;
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; nlmsg_ok(h, n); h = nlmsg_next(h, &n)) {
		struct nlattr *tb[LEAKMON_A_MAX + 1], *cb[LEAKMON_CONFIG_A_MAX + 1];
		size_t nest;

		if (h->nlmsg_type != family || h->nlmsg_seq != *seq)
			continue;
		if (genlmsg_parse(h, 0, tb, LEAKMON_A_MAX, NULL) || !tb[LEAKMON_A_CONFIG] ||
		    nla_parse_nested(cb, LEAKMON_CONFIG_A_MAX, tb[LEAKMON_A_CONFIG], NULL))
			break;
		nest = nest_start(out, LEAKMON_A_CONFIG);
		for (int t = 1; t <= LEAKMON_CONFIG_A_MAX; t++) {
			if (!cb[t] || t == LEAKMON_CONFIG_A_HASH_BUCKETS)
				continue;
			attr(out, t, nla_data(cb[t]), nla_len(cb[t]));
			if (t == LEAKMON_CONFIG_A_RESTRICT_READ)
				*restrict_read = nla_get_u8(cb[t]);
		}
		nest_end(out, nest);
		found = 1;
	}
	free(buf);
	return found ? 0 : -1;
}

static int set_restrict(struct nl_sock *sk, uint32_t *seq, uint8_t on)
{
	struct buf a = { .len = 0 };
	struct reply r;
	size_t nest = nest_start(&a, LEAKMON_A_CONFIG);

	attr(&a, LEAKMON_CONFIG_A_RESTRICT_READ, &on, 1);
	nest_end(&a, nest);
	if (simple(sk, seq, LEAKMON_CMD_SET_CONFIG, &a, &r))
		return -1;
	return r.err;
}

/* ---- phases ------------------------------------------------------------ */

/*
 * Where a phase's time went (a message sent until its answer ended), by
 * command byte (the last for every byte beyond LEAKMON_CMD_MAX), request
 * or dump, answered ok or with an error.
 */
#define NCMD (LEAKMON_CMD_MAX + 2)
struct cost {
	double secs;
	long n;
};

struct stats {
	struct cost cost[NCMD][2][2];
	long sent, answered_ok, answered_err, known_bad, known_bad_ok, no_extack,
	     dropped, probe_fail, lost, priv_ok, priv_not_eperm, read_mismatch;
	char first_problem[256];
};

static void problem(struct stats *s, const char *fmt, ...)
{
	va_list ap;

	if (s->first_problem[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->first_problem, sizeof(s->first_problem), fmt, ap);
	va_end(ap);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * unpriv: 0 = root; 1 = unprivileged, reads allowed; 2 = unprivileged,
 * reads restricted; 3 = unprivileged, its own rows only: reads allowed.
 */
static void fuzz(struct nl_sock *sk, long count, int unpriv, struct stats *s)
{
	struct buf b;
	struct reply r;
	uint32_t seq = 1000;

	for (long i = 0; i < count; i++) {
		bool known_bad = false, mutated = false, badlen = false, wellformed = false;
		bool dump;
		struct cost *c;
		double t0;
		uint8_t cmd;
		uint32_t mode = rndn(100);

		if (mode < 25)
			build_set_config(&b, &known_bad, &wellformed);
		else
			build_random(&b, &known_bad, &wellformed);
		if (mode >= 70 && mode < 99) {
			mutate(&b);
			mutated = true;
		}
		if (b.len < NLMSG_HDRLEN + GENL_HDRLEN)
			known_bad = true;	/* truncated genetlink header */
		cmd = b.len >= NLMSG_HDRLEN + 1 ? b.d[NLMSG_HDRLEN] : 0;
		dump = (((struct nlmsghdr *)b.d)->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
		if (mode == 99) {
			/* a netlink length the kernel must drop silently */
			((struct nlmsghdr *)b.d)->nlmsg_len = b.len + 1 + rndn(4096);
			badlen = true;
		}
		s->sent++;
		t0 = now();
		if (send_raw(sk, &b, ++seq, !badlen) < 0) {
			if (badlen) {
				s->dropped++;
				continue;
			}
			s->lost++;
			problem(s, "message %ld: send failed: %s", i, strerror(errno));
			continue;
		}
		if (badlen) {
			/* nothing comes back; the socket must still work */
			s->dropped++;
			if (simple(sk, &seq, LEAKMON_CMD_GET_CONFIG, NULL, &r) ||
			    (r.err && unpriv != 2)) {
				s->probe_fail++;
				problem(s, "message %ld: no answer after a dropped message", i);
			}
			continue;
		}
		if (recv_reply(sk, seq, &r)) {
			s->lost++;
			problem(s, "message %ld (cmd %u, %zu bytes): no answer", i, cmd, b.len);
			continue;
		}
		c = &s->cost[cmd < NCMD ? cmd : NCMD - 1][dump][!!r.err];
		c->secs += now() - t0;
		c->n++;
		if (r.err)
			s->answered_err++;
		else
			s->answered_ok++;
		if (known_bad && !mutated) {
			s->known_bad++;
			if (!r.err) {
				s->known_bad_ok++;
				problem(s, "message %ld (cmd %u): invalid but accepted", i, cmd);
			} else if (r.err == -EINVAL && !r.extack_msg && lm_op(cmd) &&
				   !unpriv) {
				s->no_extack++;
				problem(s, "message %ld (cmd %u): EINVAL without an extack message",
					i, cmd);
			}
		}
		if (unpriv && (cmd == LEAKMON_CMD_RESET || cmd == LEAKMON_CMD_SET_CONFIG ||
			       cmd == LEAKMON_CMD_SCAN) && !mutated) {
			if (!r.err) {
				s->priv_ok++;
				problem(s, "message %ld: cmd %u succeeded unprivileged", i, cmd);
			} else if (wellformed && r.err != -EPERM) {
				s->priv_not_eperm++;
				problem(s, "message %ld: cmd %u unprivileged gave %d, not EPERM",
					i, cmd, r.err);
			}
		}
		if (unpriv && !mutated && wellformed &&
		    (cmd == LEAKMON_CMD_GET_TOTALS || cmd == LEAKMON_CMD_GET_CONFIG ||
		     lm_dump_op(cmd)) &&
		    ((unpriv == 2) != (r.err == -EPERM))) {
			s->read_mismatch++;
			problem(s, "message %ld: read cmd %u gave %d with restrict_read %d",
				i, cmd, r.err, unpriv - 1);
		}
	}
}

/* The three kinds of message that took the most time */
static void print_costs(const char *what, const struct stats *s)
{
	const struct cost *top[3] = { NULL };

	for (int m = 0; m < NCMD; m++)
		for (int d = 0; d < 2; d++)
			for (int e = 0; e < 2; e++) {
				const struct cost *c = &s->cost[m][d][e];

				for (int t = 0; t < 3; t++) {
					if (top[t] && top[t]->secs >= c->secs)
						continue;
					memmove(&top[t + 1], &top[t],
						(2 - t) * sizeof(top[0]));
					top[t] = c;
					break;
				}
			}
	printf("# %s: most time in", what);
	for (int t = 0; t < 3 && top[t] && top[t]->n; t++) {
		size_t i = top[t] - &s->cost[0][0][0];

		printf("%s cmd %zu%s %s: %.1f s (%ld, %.1f ms each)", t ? ";" : "",
		       i / 4, i / 2 % 2 ? " dump" : "", i % 2 ? "error" : "ok",
		       top[t]->secs, top[t]->n, 1000 * top[t]->secs / top[t]->n);
	}
	printf("\n");
}

static void print_stats(const char *what, const struct stats *s, double secs)
{
	printf("# %s: %ld messages in %.1f s (%.0f/s): %ld answered ok, %ld errors, "
	       "%ld dropped by netlink (bad length), %ld known invalid\n",
	       what, s->sent, secs, s->sent / (secs > 0 ? secs : 1), s->answered_ok,
	       s->answered_err, s->dropped, s->known_bad);
	if (s->first_problem[0])
		printf("# %s: first problem: %s\n", what, s->first_problem);
	print_costs(what, s);
}

/* Run an unprivileged phase in a child (nobody), stats through a pipe. */
static int unpriv_phase(long count, int mode, struct stats *s)
{
	int p[2], st;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		struct nl_sock *sk;

		close(p[0]);
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(3);
		sk = open_sock();
		if (!sk)
			_exit(3);
		rng += mode;
		fuzz(sk, count, mode, s);
		if (write(p[1], s, sizeof(*s)) != sizeof(*s))
			_exit(3);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], s, sizeof(*s)) != sizeof(*s))
		memset(s, 0, sizeof(*s));
	close(p[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static bool identity_holds(struct nl_sock *sk, uint32_t *seq, char *why, size_t len)
{
	for (int attempt = 0; attempt < 20; attempt++) {
		struct buf b;
		unsigned char *buf = NULL;
		int n;
		bool ok = true, seen = false;

		header(&b, LEAKMON_CMD_GET_TOTALS, NLM_F_REQUEST);
		if (send_raw(sk, &b, ++*seq, true) < 0)
			return false;
		n = recv_seq(sk, *seq, &buf);
		if (n <= 0) {
			snprintf(why, len, "GET_TOTALS: no answer");
			return false;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; nlmsg_ok(h, n);
		     h = nlmsg_next(h, &n)) {
			struct genlmsghdr *g;
			struct nlattr *a;
			int rem;

			if (h->nlmsg_type != family || h->nlmsg_seq != *seq)
				continue;
			seen = true;
			g = nlmsg_data(h);
			nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
				struct nlattr *k[LEAKMON_KIND_A_MAX + 1];
				uint64_t obs, tr, u1, u2, u3;

				if (nla_type(a) != LEAKMON_A_KIND ||
				    nla_parse_nested(k, LEAKMON_KIND_A_MAX, a, NULL))
					continue;
				if (!k[LEAKMON_KIND_A_OBSERVED] || !k[LEAKMON_KIND_A_TRACKED])
					continue;
				obs = nla_get_u64(k[LEAKMON_KIND_A_OBSERVED]);
				tr = nla_get_u64(k[LEAKMON_KIND_A_TRACKED]);
				u1 = nla_get_u64(k[LEAKMON_KIND_A_UNTRACKED_TABLE_FULL]);
				u2 = nla_get_u64(k[LEAKMON_KIND_A_UNTRACKED_OWNERS_FULL]);
				u3 = nla_get_u64(k[LEAKMON_KIND_A_UNTRACKED_NOMEM]);
				if (obs != tr + u1 + u2 + u3) {
					ok = false;
					snprintf(why, len, "observed %llu != tracked %llu + %llu + %llu + %llu",
						 (unsigned long long)obs, (unsigned long long)tr,
						 (unsigned long long)u1, (unsigned long long)u2,
						 (unsigned long long)u3);
				}
			}
		}
		free(buf);
		if (seen && ok) {
			snprintf(why, len, "GET_TOTALS answered, identity holds");
			return true;
		}
		if (!seen)
			snprintf(why, len, "GET_TOTALS: no totals in the answer");
		usleep(100000);	/* counters are per-CPU sums: retry when busy */
	}
	return false;
}

int main(int argc, char **argv)
{
	long count = 1000000;
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	struct nl_sock *sk;
	struct buf saved, again;
	struct reply r;
	struct stats s = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
	uint32_t seq = 1;
	uint8_t restrict0 = 0, dummy;
	char why[256];
	double t0;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			count = strtol(argv[++i], &end, 10);
			if (*end || count < 10) {
				fprintf(stderr, "nl_fuzz: --count needs a number >= 10\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], &end, 0);
			if (*end) {
				fprintf(stderr, "nl_fuzz: bad --seed\n");
				return 2;
			}
		} else {
			fprintf(stderr, "usage: nl_fuzz [--count N] [--seed S]\n");
			return 2;
		}
	}
	rng = seed ? seed : 1;
	printf("TAP version 13\n1..6\n# seed %llu (reproduce with --seed), %ld messages\n",
	       (unsigned long long)seed, count);
	sk = open_sock();
	if (!sk) {
		printf("not ok 1 cannot open a generic netlink socket\n");
		return 1;
	}
	family = genl_ctrl_resolve(sk, LEAKMON_GENL_NAME);
	if (family < 0) {
		printf("ok 1 # SKIP generic netlink family %s not found (module not loaded)\n",
		       LEAKMON_GENL_NAME);
		return 4;
	}
	if (get_config(sk, &seq, &saved, &restrict0)) {
		printf("not ok 1 cannot read the configuration\n");
		return 1;
	}

	t0 = now();
	fuzz(sk, count, 0, &s);
	print_stats("root", &s, now() - t0);
	tap(!s.lost && !s.probe_fail, "root: every one of %ld messages answered (%ld lost)",
	    s.sent, s.lost + s.probe_fail);
	tap(!s.known_bad_ok && !s.no_extack,
	    "root: all %ld known-invalid messages rejected, with an extack message (%ld accepted, %ld without message)",
	    s.known_bad, s.known_bad_ok, s.no_extack);

	/* restore the configuration and read it back */
	simple(sk, &seq, LEAKMON_CMD_SET_CONFIG, &saved, &r);
	tap(!r.err && !get_config(sk, &seq, &again, &dummy) && again.len == saved.len &&
	    !memcmp(again.d, saved.d, saved.len),
	    "configuration restored after the root phase (%d%s%s)", r.err,
	    r.extack_msg ? ": " : "", r.msg);

	t0 = now();
	if (set_restrict(sk, &seq, 0) || unpriv_phase(count / 2, 1, &s1))
		problem(&s1, "the unprivileged phase did not run");
	print_stats("nobody, restrict_read 0", &s1, now() - t0);
	t0 = now();
	if (set_restrict(sk, &seq, 1) || unpriv_phase(count / 2, 2, &s2))
		problem(&s2, "the unprivileged phase did not run");
	print_stats("nobody, restrict_read 1", &s2, now() - t0);
	t0 = now();
	if (set_restrict(sk, &seq, 2) || unpriv_phase(count / 4, 3, &s3))
		problem(&s3, "the unprivileged phase did not run");
	print_stats("nobody, restrict_read 2", &s3, now() - t0);
	set_restrict(sk, &seq, restrict0);
	tap(s1.sent && s2.sent && s3.sent && !s1.lost && !s2.lost && !s3.lost &&
	    !s1.probe_fail && !s2.probe_fail && !s3.probe_fail &&
	    !s1.known_bad_ok && !s2.known_bad_ok && !s3.known_bad_ok,
	    "nobody: every message answered, every known-invalid one rejected");
	tap(s1.sent && s2.sent && s3.sent && !s1.priv_ok && !s2.priv_ok &&
	    !s3.priv_ok && !s1.priv_not_eperm && !s2.priv_not_eperm &&
	    !s3.priv_not_eperm && !s1.read_mismatch && !s2.read_mismatch &&
	    !s3.read_mismatch,
	    "nobody: RESET and SET_CONFIG always EPERM, reads EPERM exactly when restricted (%ld, %ld, %ld)",
	    s1.priv_ok + s2.priv_ok + s3.priv_ok,
	    s1.priv_not_eperm + s2.priv_not_eperm + s3.priv_not_eperm,
	    s1.read_mismatch + s2.read_mismatch + s3.read_mismatch);

	tap(identity_holds(sk, &seq, why, sizeof(why)), "module sane after fuzzing: %s", why);
	nl_socket_free(sk);
	return failures ? 1 : 0;
}
