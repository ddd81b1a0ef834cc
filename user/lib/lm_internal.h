/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libleakmon internals, shared by the library's files and its unit tests.
 */
#ifndef LM_INTERNAL_H
#define LM_INTERNAL_H

#include <stdarg.h>

#include "leakmon_nl.h"

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

void lm_error_clear(struct lm_error *err);
__attribute__((format(printf, 3, 4)))
int lm_error_set(struct lm_error *err, int status, const char *fmt, ...);

#endif /* LM_INTERNAL_H */
