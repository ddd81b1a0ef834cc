/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libleakmon internals, shared by the library's files and its unit tests.
 */
#ifndef LM_INTERNAL_H
#define LM_INTERNAL_H

#include <signal.h>
#include <stdarg.h>

#include "leakmon_nl.h"

/* Requests the library builds itself (lm_raw() allocates its own) */
#define LM_SEND_BUFSIZE		4096

struct mnl_socket;

/* leakmon_nl.c's; the operations (leakmon_ops.c, leakmon_events.c) use it */
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
	bool ev_admin;		/* events: joined "events-admin" */
	sigset_t wait_mask;
};

/* Called for each reply message of the expected type */
typedef int (*lm_rx_cb)(const struct nlmsghdr *nlh, void *data,
			struct lm_error *err);

/* State of one request/reply exchange */
struct lm_rx {
	/* set by the caller */
	uint32_t portid;
	uint32_t seq;
	uint16_t type;		/* message type of replies (family id) */
	bool dump;		/* ends with NLMSG_DONE rather than an ack */
	lm_rx_cb cb;
	void *data;
	struct lm_error *err;	/* must not be NULL */

	/* results */
	bool done;		/* NLMSG_DONE or NLMSG_ERROR seen */
	bool intr;		/* some message had NLM_F_DUMP_INTR */
	int status;		/* first failure, LM_OK if none */
	unsigned int nmsgs;	/* messages of the expected type */
	unsigned int stale;	/* skipped replies to earlier requests */
};

/*
 * Process one received datagram.  Returns LM_OK (check rx->done) or
 * LM_ERR_PROTO when the datagram cannot be walked any further.
 */
int lm_rx_feed(struct lm_rx *rx, const void *buf, size_t len);

/* A whole netlink message of at most len bytes starts at nlh */
bool lm_nlmsg_ok(const struct nlmsghdr *nlh, int len);

/*
 * Send nlh (its sequence number is assigned here) and process replies of
 * the given type with cb until the final ack or NLMSG_DONE; out, if not
 * NULL, gets the exchange's state.
 */
int lm_exchange(struct lm_handle *h, struct nlmsghdr *nlh, uint16_t type,
		lm_rx_cb cb, void *data, struct lm_rx *out);

/* A request of the leakmon family in buf (LM_SEND_BUFSIZE bytes) */
struct nlmsghdr *lm_cmd_start(struct lm_handle *h, void *buf, uint8_t cmd,
			      uint16_t flags);

/* do-request whose reply is parsed by cb; a missing reply is an error */
int lm_do(struct lm_handle *h, struct nlmsghdr *nlh, lm_rx_cb cb, void *data);

/* lm_open() for another generic netlink family (tests use "nlctrl") */
int lm_open_family(struct lm_handle **hp, const char *name,
		   struct lm_error *err);

/* nlh is nlctrl's CTRL_CMD_DELFAMILY of family id (its module unloaded) */
bool lm_ctrl_family_gone(const struct nlmsghdr *nlh, uint16_t id);

/*
 * LEAKMON_CMD_SET_CONFIG (leakmon_config.c): whether every field present
 * in set can be set (LM_OK; else LM_ERR_LOCAL, EINVAL, in err), and the
 * attributes of those fields, in the order of LM_CONFIG_FIELDS
 */
int lm_config_check_set(const struct lm_config *set, struct lm_error *err);
void lm_config_put_attrs(struct nlmsghdr *nlh, const struct lm_config *set);

/* leakmon_error.c: the bottom layer, used by every other file */
void lm_error_clear(struct lm_error *err);
__attribute__((format(printf, 3, 4)))
int lm_error_set(struct lm_error *err, int status, const char *fmt, ...);
/* LM_ERR_LOCAL with errno e, what saying which call failed */
int lm_error_errno(struct lm_error *err, int e, const char *what);

#endif /* LM_INTERNAL_H */
