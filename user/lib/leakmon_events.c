// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libleakmon's notifications: joining the events group (and nlctrl's, to
 * see the module go) and taking the events one at a time from the socket.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "lm_internal.h"

/* The id of the family's multicast group name, or -1 */
static int lm_mcgrp_id(const struct lm_handle *h, const char *name)
{
	for (unsigned int i = 0; i < h->fam.nmcgrps; i++)
		if (!strcmp(h->fam.mcgrps[i].name, name))
			return (int)h->fam.mcgrps[i].id;
	return -1;
}

int lm_events_join(struct lm_handle *h)
{
	struct lm_handle *check = NULL;
	bool gone = false;
	int id;

	lm_error_clear(&h->err);
	h->ev_admin = false;
	/* "events-admin" where the kernel lets us (CAP_NET_ADMIN) */
	id = lm_mcgrp_id(h, LEAKMON_MCGRP_EVENTS_ADMIN);
	if (id >= 0) {
		if (!mnl_socket_setsockopt(h->nl, NETLINK_ADD_MEMBERSHIP, &id,
					   sizeof(id)))
			h->ev_admin = true;
		else if (errno != EPERM && errno != EACCES)
			return lm_error_errno(&h->err, errno,
					      "joining the events-admin group");
	}
	if (!h->ev_admin) {
		id = lm_mcgrp_id(h, LEAKMON_MCGRP_EVENTS);
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
	}
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

bool lm_events_admin(const struct lm_handle *h)
{
	return h->ev_admin;
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
