// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon scan: run the module's reachability pass now, and the printers
 * of a pass's result that status shares.
 */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "status.h"

void usage_scan(FILE *f)
{
	fprintf(f,
		"Usage: leakmon scan [--json]\n"
		"\n"
		"Run the module's reachability pass now (it also runs every\n"
		"scan_interval seconds) and print its result: per kind, how many\n"
		"live objects are young (not judged yet), held by a process,\n"
		"the kernel's own, closing, or unreachable.  Unreachable objects\n"
		"are leaked: nothing holds them.  Objects that a live process holds\n"
		"are handed over to it when their owner has exited, or has not held\n"
		"them itself for two passes.  Needs CAP_NET_ADMIN.\n"
		"\n"
		"  -j, --json   one JSON document on stdout (see Documentation/cli.md)\n"
		"  -h, --help   this text\n");
}

static const struct option scan_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

uint64_t scan_age_ns(const struct lm_scan *s, uint64_t now_ns)
{
	return now_ns > s->time_ns ? now_ns - s->time_ns : 0;
}

uint64_t scan_unreachable(const struct lm_scan *s)
{
	uint64_t sum = 0;

	for (unsigned int id = 0; id < LM_NKINDS; id++)
		sum += s->kind[id].unreachable;
	return sum;
}

void scan_print_human(FILE *f, const struct lm_scan *s, uint64_t now_ns)
{
	char ago[32];

	if (!s->present) {
		fprintf(f, "scan         no pass yet");
		if (s->interval_s)
			fprintf(f, " (every %" PRIu32 " s)", s->interval_s);
		fprintf(f, "\n");
		return;
	}
	fmt_duration(ago, sizeof(ago), scan_age_ns(s, now_ns));
	fprintf(f, "scan         pass %" PRIu64 ", %s ago, ", s->seq, ago);
	if (s->interval_s)
		fprintf(f, "every %" PRIu32 " s\n", s->interval_s);
	else
		fprintf(f, "on request only\n");
	fprintf(f, "             %" PRIu64 " processes, %" PRIu64 " fds, %"
		PRIu64 " mappings in %.1f ms\n", s->tasks, s->fds, s->vmas,
		s->duration_ns / 1e6);
	fprintf(f, "             longest step %.2f ms; %" PRIu64
		" handed to their holders\n", s->max_step_ns / 1e6,
		s->reattributed);
	fprintf(f, "%-12s %9s %9s %9s %9s %11s\n", "", "young", "held",
		"kernel", "closing", "unreachable");
	for (unsigned int id = 0; id < LM_NKINDS; id++) {
		const struct lm_scan_kind *k = &s->kind[id];

		if (!k->present)
			continue;
		fprintf(f, "%-12s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9"
			PRIu64 " %11" PRIu64 "\n", lm_kind_name(id), k->young,
			k->held, k->kernel, k->closing, k->unreachable);
	}
	if (s->owners_unreported)
		fprintf(f, "warning: %" PRIu64 " owners' unreachable, kernel or "
			"closing objects counted\n  only in the totals\n",
			s->owners_unreported);
}

void json_scan(struct json *j, const char *key, const struct lm_scan *s,
	       uint64_t now_ns)
{
	if (!s->present) {
		json_null(j, key);
		return;
	}
	json_obj_open(j, key);
	json_u64(j, "seq", s->seq);
	json_u64(j, "time_ns", s->time_ns);
	json_u64(j, "age_s", scan_age_ns(s, now_ns) / 1000000000ULL);
	json_u64(j, "duration_ns", s->duration_ns);
	json_u64(j, "max_step_ns", s->max_step_ns);
	json_u64(j, "processes", s->tasks);
	json_u64(j, "fds", s->fds);
	json_u64(j, "mappings", s->vmas);
	json_u64(j, "objects", s->objects);
	json_u64(j, "handed_to_holders", s->reattributed);
	json_u64(j, "owners_unreported", s->owners_unreported);
	json_u64(j, "groups_unreported", s->groups_unreported);
	json_u64(j, "interval_s", s->interval_s);
	json_u64(j, "grace_s", s->grace_s);
	json_u64(j, "closing_max_s", s->closing_max_s);
	json_u64(j, "unreachable", scan_unreachable(s));
	json_obj_open(j, "kinds");
	for (unsigned int id = 0; id < LM_NKINDS; id++) {
		const struct lm_scan_kind *k = &s->kind[id];

		if (!k->present)
			continue;
		json_obj_open(j, lm_kind_name(id));
		json_u64(j, "young", k->young);
		json_u64(j, "held", k->held);
		json_u64(j, "kernel", k->kernel);
		json_u64(j, "closing", k->closing);
		json_u64(j, "unreachable", k->unreachable);
		json_obj_close(j);
	}
	json_obj_close(j);
	json_obj_close(j);
}

int cmd_scan(int argc, char **argv)
{
	struct lm_handle *h;
	struct lm_totals t;
	struct lm_scan s;
	bool json = false;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", scan_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage_scan(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("scan", c, argv);
		}
	}
	ret = cli_no_args("scan", argc, argv);
	if (ret)
		return ret;

	ret = cli_open(&h);
	if (ret)
		return ret;
	if (!lm_family_op(lm_family(h), LEAKMON_CMD_SCAN, NULL)) {
		fprintf(stderr, "leakmon: scan: the loaded module has no "
			"reachability pass (older than this program)\n");
		lm_close(h);
		return EXIT_UNSUPPORTED;
	}
	ret = lm_scan(h, &s);
	if (ret == LM_OK)
		ret = lm_get_totals(h, &t);
	if (ret != LM_OK) {
		ret = cli_fail("scan", ret, lm_last_error(h));
		lm_close(h);
		return ret;
	}
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_u64(&j, "now_ns", t.now_ns);
		json_scan(&j, "scan", &s, t.now_ns);
		json_obj_close(&j);
		json_finish(&j);
	} else {
		scan_print_human(stdout, &s, t.now_ns);
	}
	lm_close(h);
	return EXIT_OK;
}
