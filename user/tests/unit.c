// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of libleakmon's parsers and receive loop, fed netlink
 * messages built in memory, and of the CLI's helpers.  TAP output.
 * This file: the TAP helpers, the seed corpus of user/fuzz/fuzz_reply.c
 * (--write-seeds) and main(), which runs the tests of unit_*.c in order.
 *
 * With LEAKMON_CLI set to the CLI binary, its argument validation is
 * checked too (those cases fail before any netlink traffic).
 */
#include "unit.h"

int ntests, nfailed;

__attribute__((format(printf, 2, 3)))
bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	ntests++;
	if (!cond)
		nfailed++;
	printf("%s %d - ", cond ? "ok" : "not ok", ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return cond;
}

void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- fuzzing seeds ---- */

static int write_seed(const char *dir, const char *name,
		      const struct nlmsghdr *nlh)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(nlh, 1, nlh->nlmsg_len, f) != nlh->nlmsg_len ||
	    fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

static int write_seeds(const char *dir)
{
	static union {
		char buf[16384];
		uint64_t align;
	} b;
	struct owner_opts oo = { .tgid = 42, .start_ns = 7, .comm = "apache2",
				 .uid = 65534, .cgroup = 9, .exited = true,
				 .live = { 1000, 1000, 1000 }, .unknown = true };
	struct event_opts eo = { .cmd = LEAKMON_CMD_EVENT_THRESHOLD,
				 .comm = "nginx", .count = 5 };
	struct nlmsghdr *nlh;
	int rc = 0;

	rc |= write_seed(dir, "totals", totals_msg(false));
	rc |= write_seed(dir, "totals-unknown", totals_msg(true));
	nlh = genl_msg(mb.buf, LEAKMON_CMD_GET_CONFIG);
	put_config(nlh, true);
	rc |= write_seed(dir, "config", nlh);
	rc |= write_seed(dir, "owner", owner_msg(b.buf, &oo));
	for (uint8_t cmd = LEAKMON_CMD_EVENT_THRESHOLD;
	     cmd <= LEAKMON_CMD_EVENT_SATURATED; cmd++) {
		char name[32];

		eo.cmd = cmd;
		eo.unknown = cmd == LEAKMON_CMD_EVENT_SATURATED;
		snprintf(name, sizeof(name), "event-%u", cmd);
		rc |= write_seed(dir, name, event_msg(b.buf, &eo));
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write-seeds"))
		return write_seeds(argv[2]);
	printf("TAP version 13\n");
	test_totals();
	test_totals_kind_above_max();
	test_totals_bad();
	test_owner();
	test_unreach();
	test_config();
	test_config_fields();
	test_events();
	test_events_lines();
	test_events_priority();
	test_family_gone();
	test_rx_dump();
	test_rx_errors();
	test_rx_framing();
	test_json();
	test_json_layouts();
	test_numbers();
	test_format();
	test_top();
	test_incomplete();
	test_meminfo();
	test_signed_only();
	test_cgroup_paths();
	test_render_status();
	test_render_config();
	test_render_top();
	test_lsq();
	test_growth_file();
	test_growth_fit();
	test_growth_state();
	test_mon_bytes();
	test_check_values();
	test_prometheus();
	test_live_nlctrl();
	test_record();
	test_record_parsers();
	test_record_rotation();
	test_record_lines();
	test_axis();
	test_sparkline();
	test_cli();
	printf("1..%d\n", ntests);
	if (nfailed)
		printf("# %d of %d tests failed\n", nfailed, ntests);
	return nfailed ? 1 : 0;
}
