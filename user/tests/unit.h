/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shared by the unit tests (user/tests/unit.c and unit_*.c): the TAP
 * helpers, the reply message builders, and the test functions, which
 * unit.c's main() runs in a fixed order.
 */
#ifndef UNIT_H
#define UNIT_H

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "cli.h"
#include "describe.h"
#include "json.h"
#include "json_read.h"
#include "growth.h"
#include "lm_internal.h"
#include "monitor.h"
#include "status.h"
#include "top_model.h"
#include "axis.h"
#include "record.h"
#include "sparkline.h"

/* The header of every reply message the builders make */
#define FAMILY_ID	0x1d
#define PORTID		4242
#define SEQ		1000

/* TAP: tests run and failed so far */
extern int ntests, nfailed;

__attribute__((format(printf, 2, 3)))
bool ok(bool cond, const char *fmt, ...);
void diag(const char *fmt, ...);

/* The message builders' buffer (unit_parse.c) */
union unit_msgbuf {
	char buf[16384];
	uint64_t align;
};
extern union unit_msgbuf mb;

/* Builders and checks used by more than one file */
struct owner_opts {
	uint32_t tgid;
	uint64_t start_ns;
	const char *comm;
	uint32_t uid;
	uint64_t cgroup;
	bool exited;
	uint64_t live[LM_NKINDS];
	bool no_tgid;
	bool flag_payload;	/* EXITED flag with a payload: invalid */
	bool future_kind;	/* a kind nest with an id above the max */
	bool unknown;
};

struct event_opts {
	uint8_t cmd;
	bool unknown;		/* attributes and a kind of unknown types */
	bool long_tgid;		/* LEAKMON_EVENT_A_TGID as 8 bytes */
	const char *comm;
	uint64_t count;		/* per kind */
};

struct nlmsghdr *genl_msg(void *buf, uint8_t cmd);
void put_config(struct nlmsghdr *nlh, bool unknown);
struct nlmsghdr *totals_msg(bool unknown);
struct nlmsghdr *owner_msg(void *buf, const struct owner_opts *oo);
bool json_valid(const char *s);
struct lm_owner mk_owner(uint32_t tgid, uint64_t start, uint32_t uid,
			 uint64_t cg, bool exited, uint64_t l0, uint64_t l1);
struct nlmsghdr *event_msg(void *buf, const struct event_opts *eo);

/* unit_parse.c */
void test_totals(void);
void test_totals_kind_above_max(void);
void test_totals_bad(void);
void test_owner(void);
void test_unreach(void);
void test_config(void);
void test_config_fields(void);

/* unit_rx.c */
void test_rx_dump(void);
void test_rx_errors(void);
void test_rx_framing(void);

/* unit_json.c */
void test_json(void);
void test_json_layouts(void);
void test_numbers(void);
void test_format(void);

/* unit_model.c */
void test_top(void);
void test_incomplete(void);
void test_meminfo(void);
void test_signed_only(void);
void test_cgroup_paths(void);
void test_render_status(void);
void test_render_config(void);
void test_render_top(void);

/* unit_growth.c */
void test_lsq(void);
void test_growth_file(void);
void test_growth_fit(void);
void test_growth_state(void);
void test_mon_bytes(void);
void test_check_values(void);
void test_prometheus(void);
void test_live_nlctrl(void);

/* unit_cli.c */
void test_cli(void);

/* unit_events.c */
void test_events(void);
void test_events_lines(void);
void test_events_priority(void);
void test_family_gone(void);

/* unit_record.c */
void test_record(void);
void test_record_parsers(void);
void test_record_rotation(void);
void test_record_lines(void);
void test_axis(void);
void test_sparkline(void);

#endif /* UNIT_H */
