// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer harness: arbitrary bytes as one received datagram, through the
 * CLI's receive loop (lm_rx_feed: acks, errors with extack, NLMSG_DONE,
 * sequence and port checks) as a request's and as a dump's reply, with
 * every reply parser of libleakmon as the callback (totals, config, owner
 * dump rows, events).  The first message's header supplies the expected
 * port, sequence and type, so that the fuzzer reaches the parsers.  Build
 * and run with `make -C user fuzz` and selftests/fuzz_cli.sh; the seed
 * corpus is written by `unit_tests --write-seeds`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include "lm_internal.h"
#include "describe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int parse_all(const struct nlmsghdr *nlh, void *data,
		     struct lm_error *err)
{
	struct lm_totals t;
	struct lm_config c;
	struct lm_owner o;
	struct lm_event ev;
	struct lm_unreach u;
	char what[256];
	bool found;
	int ret;

	(void)data;
	ret = lm_parse_totals(nlh, &t, err);
	ret |= lm_parse_config(nlh, &c, err);
	ret |= lm_parse_owner(nlh, &o, &found, err);
	ret |= lm_parse_event(nlh, &ev, &found, NULL);
	/* and what the CLI makes of a group */
	if (lm_parse_unreach(nlh, &u, &found, err) == LM_OK && found)
		desc_unreach(what, sizeof(what), &u);
	return ret ? LM_ERR_PROTO : LM_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an aligned, exactly sized copy, as a receive buffer would be */
	uint64_t *copy = malloc(size + 8);
	const struct nlmsghdr *first = (const struct nlmsghdr *)copy;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (int dump = 0; dump <= 1; dump++) {
		struct lm_error err;
		struct lm_rx rx = { .cb = parse_all, .err = &err, .dump = dump };

		memset(&err, 0, sizeof(err));
		if (size >= sizeof(*first)) {
			rx.portid = first->nlmsg_pid;
			rx.seq = first->nlmsg_seq;
			rx.type = first->nlmsg_type;
		}
		lm_rx_feed(&rx, copy, size);
	}
	free(copy);
	return 0;
}
