// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * leakmon events: print the module's notifications (multicast group
 * "events") as they arrive, one line each.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "cli.h"
#include "json.h"

#define EVENTS_WIDTH	80

void usage_events(FILE *f)
{
	fprintf(f,
		"Usage: leakmon events [-c N] [-t SECONDS] [--json] [--priority-prefix]\n"
		"\n"
		"Print the module's notifications as they arrive, one line each:\n"
		"an owner reaching the event threshold (threshold), a process that\n"
		"exited leaving live objects (exited: informational, not a leak by\n"
		"itself; the reachability pass finds the leaks), a reachability\n"
		"pass that found more of an owner's objects leaked than the pass\n"
		"before (unreachable), tracking that saturated (saturated).  The\n"
		"threshold is set with the module parameter event_threshold (0:\n"
		"off).  SIGINT, SIGTERM and SIGHUP end the listening with status 0;\n"
		"unloading the module ends it with status 3.\n"
		"\n"
		"  -c, --count N         exit after N events (1..4294967295)\n"
		"  -t, --timeout SECONDS give up after SECONDS (0.001..86400);\n"
		"                        with -c, exit status 8 if fewer than N came\n"
		"  -j, --json            one JSON object per line\n"
		"  -p, --priority-prefix\n"
		"                        start each line with its syslog priority, for\n"
		"                        the journal (sd-daemon(3)): <3> unreachable,\n"
		"                        <4> saturated, <5> threshold, <6> exited\n"
		"  -h, --help            this text\n");
}

static const struct option events_opts[] = {
	{ "count",	required_argument,	NULL, 'c' },
	{ "timeout",	required_argument,	NULL, 't' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "priority-prefix", no_argument,	NULL, 'p' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Short kind labels, as the columns of leakmon top */
static const char *const events_kind_label[LM_NKINDS] = {
	[LEAKMON_KIND_SOCK_INODE]	= "sock",
	[LEAKMON_KIND_FILE_BLOB]	= "fblob",
	[LEAKMON_KIND_SK_BLOB]		= "skblob",
};

static const char *events_reason_text(uint32_t reason)
{
	switch (reason) {
	case LEAKMON_SATURATION_TABLE_FULL:	return "object table full";
	case LEAKMON_SATURATION_OWNERS_FULL:	return "owner table full";
	case LEAKMON_SATURATION_NOMEM:		return "out of memory";
	}
	return "tracking saturated";
}

/* ---- human output ---- */

struct line {
	char *buf;
	size_t size;
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static void line_add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len + 1 >= l->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->size - l->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	l->len += (size_t)n;
	if (l->len >= l->size)
		l->len = l->size - 1;
}

void events_format(char *buf, size_t size, const struct lm_event *ev,
		   uint64_t now_boot_ns, time_t now_real)
{
	char scratch[EVENTS_WIDTH * 2 + 1], num[16], name[24], user[40];
	struct line l = { .buf = scratch, .size = sizeof(scratch) };
	time_t when = now_real;
	struct tm tm;
	uint64_t total;

	/* the event's CLOCK_BOOTTIME as wall-clock time */
	if ((ev->present & LM_EVF_TIME) && ev->time_ns <= now_boot_ns)
		when -= (time_t)((now_boot_ns - ev->time_ns) / 1000000000ULL);
	if (!localtime_r(&when, &tm) ||
	    !strftime(num, sizeof(num), "%H:%M:%S", &tm))
		snprintf(num, sizeof(num), "--:--:--");
	scratch[0] = '\0';
	line_add(&l, "%s %-9s ", num, lm_event_name(ev->cmd));

	if (ev->cmd == LEAKMON_CMD_EVENT_SATURATED) {
		line_add(&l, "%s: ", events_reason_text(ev->reason));
		fmt_count(num, sizeof(num), ev->objects, 9);
		line_add(&l, "%s/%" PRIu32 " objects, ", num, ev->max_objects);
		line_add(&l, "%" PRIu32 "/%" PRIu32 " owners", ev->owners,
			 ev->max_owners);
	} else {
		fmt_name(name, sizeof(name), ev->comm, 16);
		if (!user_name(ev->uid, user, sizeof(user)))
			snprintf(user, sizeof(user), "%" PRIu32, ev->uid);
		fmt_name(user, sizeof(user), user, 8);
		if (ev->cmd == LEAKMON_CMD_EVENT_THRESHOLD)
			total = ev->live;
		else if (ev->cmd == LEAKMON_CMD_EVENT_UNREACHABLE)
			total = ev->unreachable;
		else
			total = ev->orphans;
		fmt_count(num, sizeof(num), total, 6);
		line_add(&l, "%s[%" PRIu32 "] %s: %s", name, ev->tgid, user,
			 num);
		if (ev->cmd == LEAKMON_CMD_EVENT_UNREACHABLE) {
			/* the kinds do not fit beside it: --json has them */
			fmt_count(num, sizeof(num), ev->added, 6);
			line_add(&l, " (+%s since the last pass)", num);
		} else {
			line_add(&l, " =");
		}
		for (unsigned int k = 0; k < LM_NKINDS &&
		     ev->cmd != LEAKMON_CMD_EVENT_UNREACHABLE; k++) {
			if (!ev->kind[k].present)
				continue;
			fmt_count(num, sizeof(num), ev->kind[k].count, 5);
			line_add(&l, " %s %s", events_kind_label[k], num);
		}
	}
	/* at most EVENTS_WIDTH columns; a cut is marked with '+' */
	if (l.len > EVENTS_WIDTH) {
		scratch[EVENTS_WIDTH - 1] = '+';
		scratch[EVENTS_WIDTH] = '\0';
	}
	snprintf(buf, size, "%s", scratch);
}

/* ---- JSON output: one object per line ---- */

static void events_json_kinds(struct json *j, const struct lm_event *ev)
{
	json_obj_open(j, "kinds");
	for (unsigned int k = 0; k < LM_NKINDS; k++)
		if (ev->kind[k].present)
			json_u64(j, lm_kind_name(k), ev->kind[k].count);
	json_obj_close(j);
}

void events_json(FILE *f, const struct lm_event *ev)
{
	uint32_t p = ev->present;
	struct json j;
	char user[64];

	json_init_style(&j, f, JSON_SPACED);
	json_obj_open(&j, NULL);
	json_str(&j, "event", lm_event_name(ev->cmd));
	json_opt_u64(&j, "time_ns", p & LM_EVF_TIME, ev->time_ns);
	json_opt_u64(&j, "tgid", p & LM_EVF_TGID, ev->tgid);
	json_str(&j, "comm", p & LM_EVF_COMM ? ev->comm : NULL);
	if (ev->cmd == LEAKMON_CMD_EVENT_SATURATED) {
		json_str(&j, "reason", p & LM_EVF_REASON ?
			 lm_saturation_name(ev->reason) : NULL);
		json_str(&j, "kind", p & LM_EVF_KIND_ID ?
			 lm_kind_name(ev->kind_id) : NULL);
		json_opt_u64(&j, "objects", p & LM_EVF_OBJECTS, ev->objects);
		json_opt_u64(&j, "max_objects", p & LM_EVF_MAX_OBJECTS,
			     ev->max_objects);
		json_opt_u64(&j, "owners", p & LM_EVF_OWNERS, ev->owners);
		json_opt_u64(&j, "max_owners", p & LM_EVF_MAX_OWNERS,
			     ev->max_owners);
	} else {
		json_opt_u64(&j, "start_ns", p & LM_EVF_START, ev->start_ns);
		json_opt_u64(&j, "uid", p & LM_EVF_UID, ev->uid);
		json_str(&j, "user", (p & LM_EVF_UID) &&
			 user_name(ev->uid, user, sizeof(user)) ? user : NULL);
		json_opt_u64(&j, "cgroup_id", p & LM_EVF_CGROUP,
			     ev->cgroup_id);
		if (ev->cmd == LEAKMON_CMD_EVENT_THRESHOLD) {
			json_opt_u64(&j, "threshold", p & LM_EVF_THRESHOLD,
				     ev->threshold);
			json_opt_u64(&j, "live", p & LM_EVF_LIVE, ev->live);
		} else if (ev->cmd == LEAKMON_CMD_EVENT_UNREACHABLE) {
			json_opt_u64(&j, "unreachable", p & LM_EVF_UNREACHABLE,
				     ev->unreachable);
			json_opt_u64(&j, "new", p & LM_EVF_NEW, ev->added);
		} else {
			/* the exited process's live objects */
			json_opt_u64(&j, "live", p & LM_EVF_ORPHANS,
				     ev->orphans);
		}
		events_json_kinds(&j, ev);
	}
	json_obj_close(&j);
	json_finish(&j);
}

/* ---- one line per event ---- */

/*
 * The syslog priority of an event, for the journal: a leak is an error
 * (the alert LeakmonUnreachableObjects is of severity high), tracking
 * that saturated a warning (LeakmonSaturated), an owner over the
 * threshold a notice, an exit that left objects information.
 */
int events_priority(unsigned int cmd)
{
	switch (cmd) {
	case LEAKMON_CMD_EVENT_UNREACHABLE:	return LOG_ERR;
	case LEAKMON_CMD_EVENT_SATURATED:	return LOG_WARNING;
	case LEAKMON_CMD_EVENT_THRESHOLD:	return LOG_NOTICE;
	}
	return LOG_INFO;
}

/*
 * Print ev as one line (JSON with json), with "<N>" in front with prefix:
 * journald reads it as the line's priority (sd-daemon(3)).
 */
void events_print(FILE *f, const struct lm_event *ev, bool json,
		  bool prefix, uint64_t now_boot_ns, time_t now_real)
{
	char line[EVENTS_WIDTH * 2 + 1];

	if (prefix)
		fprintf(f, "<%d>", events_priority(ev->cmd));
	if (json) {
		events_json(f, ev);
	} else {
		events_format(line, sizeof(line), ev, now_boot_ns, now_real);
		fprintf(f, "%s\n", line);
	}
}

/* ---- the command ---- */

static int events_parse_args(int argc, char **argv, uint64_t *count,
			     uint64_t *timeout_ns, bool *json, bool *prefix)
{
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:t:jph", events_opts,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			ret = cli_parse_num("events", "--count", optarg, 1,
					    UINT32_MAX, count);
			if (ret)
				return ret;
			break;
		case 't':
			ret = parse_seconds_ns(optarg, 86400ULL * 1000000000ULL,
					       timeout_ns);
			if (ret || *timeout_ns < 1000000)
				return cli_usage_error("events",
						       "--timeout: '%s' is not a number of seconds in 0.001..86400",
						       optarg);
			break;
		case 'j':
			*json = true;
			break;
		case 'p':
			*prefix = true;
			break;
		case 'h':
			usage_events(stdout);
			return -1;
		default:
			return cli_bad_option("events", c, argv);
		}
	}
	return cli_no_args("events", argc, argv);
}

static volatile sig_atomic_t ev_stop;

static void ev_on_signal(int sig)
{
	(void)sig;
	ev_stop = 1;
}

/*
 * While restrict_read (PARAM, the module's parameter in sysfs) is not 0,
 * the module sends its events only to the "events-admin" group, which
 * only CAP_NET_ADMIN may join (and on kernels without such groups, to
 * nobody): a listener on "events" hears nothing, and is told so.
 */
static void events_restricted_notice(const struct lm_handle *h,
				     const char *param)
{
	unsigned int level = 0;
	FILE *f;

	if (lm_events_admin(h))
		return;
	f = fopen(param, "r");
	if (!f)
		return;
	if (fscanf(f, "%u", &level) != 1)
		level = 0;
	fclose(f);
	if (level)
		fprintf(stderr,
			"leakmon: events: restrict_read is %u: alerts go only to listeners with CAP_NET_ADMIN (group %s, where the kernel has it); this one will hear none\n",
			level, LEAKMON_MCGRP_EVENTS_ADMIN);
}

int cmd_events(int argc, char **argv)
{
	uint64_t count = 0, timeout_ns = 0, seen = 0, start = boottime_ns();
	struct sigaction sa = { .sa_handler = ev_on_signal };
	sigset_t stops, orig, waiting;
	bool json = false, prefix = false, got;
	struct lm_handle *h;
	struct lm_event ev;
	int ret, wait;

	ret = events_parse_args(argc, argv, &count, &timeout_ns, &json,
				&prefix);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	/*
	 * A service manager's stop, ^C or a hangup: the listening ends, 0.
	 * The signals are blocked except while waiting for an event (ppoll()
	 * lets them in atomically): one that comes between the check of
	 * ev_stop and the wait is taken by the wait, not lost until -t.
	 */
	ev_stop = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, &orig);
	waiting = orig;
	sigdelset(&waiting, SIGINT);
	sigdelset(&waiting, SIGTERM);
	sigdelset(&waiting, SIGHUP);
	ret = cli_open(&h);
	if (ret)
		goto unblock;
	lm_event_wait_mask(h, &waiting);
	ret = lm_events_join(h);
	if (ret != LM_OK) {
		ret = cli_fail("join events", ret, lm_last_error(h));
		goto out;
	}
	events_restricted_notice(h, "/sys/module/leakmon/parameters/restrict_read");
	while (!ev_stop && (!count || seen < count)) {
		wait = -1;
		if (timeout_ns) {
			uint64_t spent = boottime_ns() - start;

			if (spent >= timeout_ns)
				break;
			wait = (int)((timeout_ns - spent + 999999) / 1000000);
		}
		ret = lm_event_next(h, &ev, wait, &got);
		if (ret == LM_ERR_LOCAL && lm_last_error(h)->err == ENOBUFS) {
			fprintf(stderr, "leakmon: events: %s\n",
				lm_last_error(h)->detail);
			continue;
		}
		if (ret == LM_ERR_NOFAMILY) {
			/* a service manager starts us again (Restart=) */
			fprintf(stderr, "leakmon: events: %s\n",
				lm_last_error(h)->detail);
			ret = EXIT_NOMODULE;
			goto out;
		}
		if (ret != LM_OK) {
			ret = cli_fail("events", ret, lm_last_error(h));
			goto out;
		}
		if (!got)
			continue;	/* the deadline is checked above */
		events_print(stdout, &ev, json, prefix, boottime_ns(),
			     time(NULL));
		fflush(stdout);
		seen++;
	}
	ret = count && seen < count && !ev_stop ? EXIT_TIMEOUT : EXIT_OK;
out:
	lm_close(h);
unblock:
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return ret;
}
