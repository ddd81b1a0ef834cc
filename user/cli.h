/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef LEAKMON_CLI_H
#define LEAKMON_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "leakmon_nl.h"
#include "version.h"

/* Exit codes, documented in Documentation/cli.md */
enum cli_exit {
	EXIT_OK		= 0,
	EXIT_RUNTIME	= 1,	/* kernel or local error */
	EXIT_USAGE	= 2,	/* bad command line */
	EXIT_NOMODULE	= 3,	/* generic netlink family not found */
	EXIT_PERM	= 4,	/* EPERM/EACCES from the kernel */
	EXIT_PROTO	= 5,	/* malformed reply */
	EXIT_UNSUPPORTED = 6,	/* the module is older than the command */
	EXIT_NODATA	= 7,	/* check: no value yet (too few samples...) */
	EXIT_TIMEOUT	= 8,	/* events: -t ran out before -c N events */
	EXIT_BADFILE	= 9,	/* graph/record: empty, truncated or foreign file */
};

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *f);
	const char *summary;
};

int cmd_status(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_prometheus(int argc, char **argv);
int cmd_growth(int argc, char **argv);
int cmd_scan(int argc, char **argv);
void usage_scan(FILE *f);
int cmd_unreachable(int argc, char **argv);
void usage_unreachable(FILE *f);
void usage_status(FILE *f);
void usage_top(FILE *f);
void usage_reset(FILE *f);
void usage_config(FILE *f);
void usage_version(FILE *f);
void usage_check(FILE *f);
void usage_prometheus(FILE *f);
void usage_growth(FILE *f);
int cmd_events(int argc, char **argv);
void usage_events(FILE *f);
int cmd_record(int argc, char **argv);
void usage_record(FILE *f);
int cmd_graph(int argc, char **argv);
void usage_graph(FILE *f);
int cmd_watch(int argc, char **argv);
void usage_watch(FILE *f);

/* ---- leakmon events output (cmd_events.c) ---- */

/* One line of at most 80 columns; times relative to the clocks given */
void events_format(char *buf, size_t size, const struct lm_event *ev,
		   uint64_t now_boot_ns, time_t now_real);
/* One JSON object and a newline */
void events_json(FILE *f, const struct lm_event *ev);
/* LOG_ERR (unreachable), LOG_WARNING (saturated), LOG_NOTICE, LOG_INFO */
int events_priority(unsigned int cmd);
/* One line (JSON with json), "<priority>" in front with prefix */
void events_print(FILE *f, const struct lm_event *ev, bool json,
		  bool prefix, uint64_t now_boot_ns, time_t now_real);

/* ---- errors (cli_util.c) ---- */

/* Print the failure of op and return the exit code for it */
int cli_fail(const char *op, int status, const struct lm_error *e);
bool cli_signed_only(const char *lockdown, const char *sig_enforce,
		     char *why, size_t n);
/*
 * The line that says the rows are the caller's own (the module's
 * restrict_read 2 showed only the owners of uid), if own.
 */
void cli_print_view(FILE *f, bool own, uint32_t uid);
/* Whether the module shows this caller only its own owners, and whose */
void cli_get_view(struct lm_handle *h, bool *own, uint32_t *uid);
/* Open the handle or print why not; returns EXIT_OK or an exit code */
int cli_open(struct lm_handle **hp);
__attribute__((format(printf, 2, 3)))
int cli_usage_error(const char *cmd, const char *fmt, ...);
/*
 * A name this version no longer takes: "leakmon: CMD: " and the message
 * (what it became) as one line on stderr; returns EXIT_USAGE.
 */
__attribute__((format(printf, 2, 3)))
int cli_renamed(const char *cmd, const char *fmt, ...);
/* Report an unknown option or missing argument seen by getopt_long */
int cli_bad_option(const char *cmd, int c, char **argv);
/* Check that nothing is left after the options */
int cli_no_args(const char *cmd, int argc, char **argv);

/* ---- parsing ---- */

/* Strict unsigned decimal: 0 ok, -EINVAL not a number, -ERANGE > max */
int parse_u64(const char *s, uint64_t max, uint64_t *out);
/* Seconds with an optional fraction ("2", "0.25"): 0, -EINVAL, -ERANGE */
int parse_seconds_ns(const char *s, uint64_t max_ns, uint64_t *out);
/*
 * A size in bytes: "1048576", "512k", "8M", "1G" (also KiB, MiB, GiB;
 * binary multiples): 0, -EINVAL, -ERANGE (above max)
 */
int parse_size(const char *s, uint64_t max, uint64_t *out);
/*
 * A moment for --since/--until, in Unix seconds: a duration back from now
 * ("90s", "30m", "12h", "7d", "2w"), a local date and time ("2026-12-01",
 * "2026-12-01 08:00", "2026-12-01T08:00:30") or "@UNIXTIME".  0 or -EINVAL.
 */
int parse_when(const char *s, double now, double *out);
/* parse_u64 within [min, max] with a usage error naming opt */
int cli_parse_num(const char *cmd, const char *opt, const char *s,
		  uint64_t min, uint64_t max, uint64_t *out);

/* ---- formatting ---- */

/* v in at most width characters, scaled with k/M/G/T/P/E when needed */
void fmt_count(char *buf, size_t size, uint64_t v, int width);
/* signed rate, one decimal, scaled when needed */
void fmt_rate(char *buf, size_t size, double v, int width);
void fmt_bytes(char *buf, size_t size, uint64_t bytes);
void fmt_duration(char *buf, size_t size, uint64_t ns);
/* Printable ASCII copy of s in at most width characters */
void fmt_name(char *buf, size_t size, const char *s, size_t width);
/* Same, keeping the end of s ("...tail") when it is too long */
void fmt_name_tail(char *buf, size_t size, const char *s, size_t width);

/* ---- system ---- */

struct meminfo {
	bool has_sunreclaim;
	bool has_sreclaimable;
	uint64_t sunreclaim_kb;
	uint64_t sreclaimable_kb;
};

int read_meminfo(const char *path, struct meminfo *m);
uint64_t boottime_ns(void);
uint64_t mono_ns(void);
/* CLOCK_REALTIME: Unix time in seconds */
double real_now(void);
/*
 * The periodic commands' next tick: one interval after @next, or one
 * interval after @now when that has passed (a slow sample, a stopped
 * process): missed ticks are skipped, not caught up back to back.
 */
uint64_t next_tick(uint64_t next, uint64_t now, uint64_t interval_ns);
/* User name of uid into buf; false if unknown */
bool user_name(uint32_t uid, char *buf, size_t size);

/* Root of the cgroup v2 hierarchy, NULL if none is mounted */
const char *cgroup2_root(void);
/*
 * For each ids[i], paths[i] becomes the malloc'ed path of the cgroup whose
 * directory under root has inode number ids[i] ("/" for root itself), or
 * stays NULL.  Returns how many were found.
 */
size_t cgroup_paths(const char *root, const uint64_t *ids, size_t n,
		    char **paths);

#endif /* LEAKMON_CLI_H */
