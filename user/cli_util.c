// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * CLI helpers: error reporting and exit codes, strict number parsing,
 * column formatting, /proc/meminfo, user names.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* ---- errors ---- */

static void print_kernel_error(const char *op, const struct lm_error *e)
{
	fprintf(stderr, "leakmon: %s: %s", op, strerror(e->err));
	if (e->extack[0])
		fprintf(stderr, ": %s", e->extack);
	fputc('\n', stderr);
}

/*
 * Why the kernel would refuse an unsigned module, into why (size n): its
 * lockdown mode (the bracketed word of LOCKDOWN, "none [integrity]
 * confidentiality") when it is not none, or module signatures enforced
 * (SIG_ENFORCE reads Y).  False when neither, or the files are missing.
 */
bool cli_signed_only(const char *lockdown, const char *sig_enforce,
		     char *why, size_t n)
{
	char buf[128], *l, *r;
	FILE *f;

	f = fopen(lockdown, "r");
	if (f) {
		l = fgets(buf, sizeof(buf), f);
		fclose(f);
		if (l && (l = strchr(buf, '[')) && (r = strchr(l, ']'))) {
			*r = '\0';
			if (strcmp(l + 1, "none")) {
				snprintf(why, n, "the kernel is locked down (%s)",
					 l + 1);
				return true;
			}
		}
	}
	f = fopen(sig_enforce, "r");
	if (f) {
		l = fgets(buf, sizeof(buf), f);
		fclose(f);
		if (l && buf[0] == 'Y') {
			snprintf(why, n, "module signatures are enforced");
			return true;
		}
	}
	return false;
}

int cli_fail(const char *op, int status, const struct lm_error *e)
{
	char why[96];

	switch (status) {
	case LM_OK:
		return EXIT_OK;
	case LM_ERR_NOFAMILY:
		fprintf(stderr,
			"leakmon: generic netlink family %s not found: load the module with 'insmod leakmon.ko' or 'modprobe leakmon'\n",
			LEAKMON_GENL_NAME);
		if (cli_signed_only("/sys/kernel/security/lockdown",
				    "/sys/module/module/parameters/sig_enforce",
				    why, sizeof(why)))
			fprintf(stderr,
				"leakmon: %s, so only signed modules load: if modprobe says 'Key was rejected by service', enroll the key DKMS signs with ('mokutil --import /var/lib/dkms/mok.pub', then reboot; README, \"Secure Boot\")\n",
				why);
		return EXIT_NOMODULE;
	case LM_ERR_KERNEL:
		print_kernel_error(op, e);
		if (e->err == EPERM || e->err == EACCES) {
			fprintf(stderr,
				"leakmon: permission denied: run as root (this needs CAP_NET_ADMIN)\n");
			return EXIT_PERM;
		}
		return EXIT_RUNTIME;
	case LM_ERR_PROTO:
		fprintf(stderr, "leakmon: %s: protocol error: %s\n", op,
			e->detail[0] ? e->detail : "malformed reply");
		return EXIT_PROTO;
	default:
		fprintf(stderr, "leakmon: %s: %s", op,
			e->detail[0] ? e->detail : "failed");
		if (e->err)
			fprintf(stderr, ": %s", strerror(e->err));
		fputc('\n', stderr);
		return EXIT_RUNTIME;
	}
}

int cli_open(struct lm_handle **hp)
{
	struct lm_error err;
	int ret = lm_open(hp, &err);

	return ret == LM_OK ? EXIT_OK : cli_fail("open", ret, &err);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "leakmon%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'leakmon %s%s--help' for more information.\n",
		cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

int cli_renamed(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "leakmon: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cli_bad_option(const char *cmd, int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	if (c == ':')
		return cli_usage_error(cmd, "option '%s' requires an argument",
				       arg);
	/* optopt is set for short options only */
	if (optopt)
		return cli_usage_error(cmd, "unknown option '-%c'", optopt);
	return cli_usage_error(cmd, "unknown option '%s'", arg);
}

int cli_no_args(const char *cmd, int argc, char **argv)
{
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'",
				       argv[optind]);
	return EXIT_OK;
}

/* ---- parsing ---- */

int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		unsigned int d;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		d = (unsigned int)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_seconds_ns(const char *s, uint64_t max_ns, uint64_t *out)
{
	const uint64_t ns_per_s = 1000000000ULL;
	uint64_t sec = 0, frac = 0, scale = ns_per_s;
	const char *p = s;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (sec > (UINT64_MAX / ns_per_s - 9) / 10)
			return -ERANGE;
		sec = sec * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			scale /= 10;
			if (!scale)
				return -EINVAL;	/* below a nanosecond */
			frac += (uint64_t)(*p - '0') * scale;
		}
	}
	if (*p)
		return -EINVAL;
	if (sec * ns_per_s + frac > max_ns)
		return -ERANGE;
	*out = sec * ns_per_s + frac;
	return 0;
}

int parse_size(const char *s, uint64_t max, uint64_t *out)
{
	static const struct {
		const char *suffix;
		unsigned int shift;
	} units[] = {
		{ "", 0 }, { "k", 10 }, { "K", 10 }, { "KiB", 10 },
		{ "M", 20 }, { "MiB", 20 }, { "G", 30 }, { "GiB", 30 },
	};
	uint64_t v = 0;
	const char *p = s;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].suffix))
			continue;
		if (v > (max >> units[i].shift))
			return -ERANGE;
		*out = v << units[i].shift;
		return 0;
	}
	return -EINVAL;
}

int parse_when(const char *s, double now, double *out)
{
	static const char *const formats[] = {
		"%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
		"%Y-%m-%dT%H:%M", "%Y-%m-%d",
	};
	uint64_t v = 0;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	if (*p == '@') {
		/* @UNIXTIME */
		if (parse_u64(p + 1, (uint64_t)1 << 40, &v))
			return -EINVAL;
		*out = (double)v;
		return 0;
	}
	for (; *p >= '0' && *p <= '9' && p - s < 9; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (p > s && p[0] && !p[1] && !(*p >= '0' && *p <= '9')) {
		/* a duration back from now */
		static const char unit[] = "smhdw";
		static const double mult[] = { 1, 60, 3600, 86400, 604800 };
		const char *u = strchr(unit, *p);

		if (!u)
			return -EINVAL;
		*out = now - (double)v * mult[u - unit];
		return 0;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct tm tm = { 0 };
		const char *end = strptime(s, formats[i], &tm);
		time_t t;

		if (!end || *end)
			continue;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t == (time_t)-1)
			return -EINVAL;
		*out = (double)t;
		return 0;
	}
	return -EINVAL;
}

int cli_parse_num(const char *cmd, const char *opt, const char *s,
		  uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;
	int ret = parse_u64(s, UINT64_MAX, &v);

	if (ret == -EINVAL && s[0] == '-' && s[1] >= '0' && s[1] <= '9')
		return cli_usage_error(cmd, "%s: negative value '%s'", opt, s);
	if (ret == -EINVAL)
		return cli_usage_error(cmd, "%s: '%s' is not a number", opt, s);
	if (ret == -ERANGE || v < min || v > max)
		return cli_usage_error(cmd,
				       "%s: '%s' out of range (%" PRIu64 "..%" PRIu64 ")",
				       opt, s, min, max);
	*out = v;
	return EXIT_OK;
}

/* ---- formatting ---- */

static const char scale_units[] = "kMGTPE";

void fmt_count(char *buf, size_t size, uint64_t v, int width)
{
	double d = (double)v;

	if (snprintf(buf, size, "%" PRIu64, v) <= width)
		return;
	/* the smallest unit that leaves at most three integer digits */
	for (const char *u = scale_units; *u; u++) {
		d /= 1000;
		if (d >= 999.95 && u[1])
			continue;
		if (snprintf(buf, size, "%.1f%c", d, *u) <= width)
			return;
		if (snprintf(buf, size, "%.0f%c", d, *u) <= width)
			return;
	}
}

void fmt_rate(char *buf, size_t size, double v, int width)
{
	double d = v;

	if (snprintf(buf, size, "%+.1f", v) <= width)
		return;
	for (const char *u = scale_units; *u; u++) {
		d /= 1000;
		if ((d >= 999.95 || d <= -999.95) && u[1])
			continue;
		if (snprintf(buf, size, "%+.1f%c", d, *u) <= width)
			return;
		if (snprintf(buf, size, "%+.0f%c", d, *u) <= width)
			return;
	}
}

void fmt_bytes(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = (double)bytes;
	unsigned int i = 0;

	if (bytes < 1024) {
		snprintf(buf, size, "%" PRIu64 " B", bytes);
		return;
	}
	d /= 1024;
	while (d >= 1024 && i + 1 < sizeof(units) / sizeof(units[0])) {
		d /= 1024;
		i++;
	}
	snprintf(buf, size, "%.1f %s", d, units[i]);
}

void fmt_duration(char *buf, size_t size, uint64_t ns)
{
	uint64_t s = ns / 1000000000ULL;

	if (s < 60)
		snprintf(buf, size, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s / 60 % 60);
	else
		snprintf(buf, size, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
			 s / 3600 % 24);
}

static char printable(char c)
{
	return c >= 0x20 && c < 0x7f ? c : '?';
}

void fmt_name(char *buf, size_t size, const char *s, size_t width)
{
	size_t len = strlen(s), n = len;

	if (n > width)
		n = width;
	if (n >= size)
		n = size - 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = printable(s[i]);
	/* mark a cut like ps(1) does */
	if (n < len && n > 0)
		buf[n - 1] = '+';
	buf[n] = '\0';
}

void fmt_name_tail(char *buf, size_t size, const char *s, size_t width)
{
	size_t len = strlen(s);

	if (width >= size)
		width = size - 1;
	if (len <= width || width < 4) {
		fmt_name(buf, size, s, width);
		return;
	}
	memcpy(buf, "...", 3);
	for (size_t i = 0; i < width - 3; i++)
		buf[3 + i] = printable(s[len - (width - 3) + i]);
	buf[width] = '\0';
}

/* ---- system ---- */

int read_meminfo(const char *path, struct meminfo *m)
{
	char line[256];
	uint64_t v;
	FILE *f;

	memset(m, 0, sizeof(*m));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "SUnreclaim: %" SCNu64 " kB", &v) == 1) {
			m->sunreclaim_kb = v;
			m->has_sunreclaim = true;
		} else if (sscanf(line, "SReclaimable: %" SCNu64 " kB", &v) == 1) {
			m->sreclaimable_kb = v;
			m->has_sreclaimable = true;
		}
	}
	fclose(f);
	return 0;
}

uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

double real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t next_tick(uint64_t next, uint64_t now, uint64_t interval_ns)
{
	next += interval_ns;
	return next < now ? now + interval_ns : next;
}

bool user_name(uint32_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid((uid_t)uid);

	if (!pw || !pw->pw_name)
		return false;
	snprintf(buf, size, "%s", pw->pw_name);
	return true;
}

void cli_print_view(FILE *f, bool own, uint32_t uid)
{
	if (own)
		fprintf(f, "showing your own processes only (restrict_read=2, "
			"uid %" PRIu32 ")\n", uid);
}

void cli_get_view(struct lm_handle *h, bool *own, uint32_t *uid)
{
	struct lm_totals t;

	*own = false;
	*uid = 0;
	if (lm_get_totals(h, &t) == LM_OK && t.own_view) {
		*own = true;
		*uid = t.view_uid;
	}
}
