// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Slab growth: the sample series, its state file and the least-squares
 * slope.  See growth.h for the file format.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "growth.h"

#define MS_PER_H	3600000.0
#define LOCK_WAIT_MS	10000

/* ---- least squares ---- */

bool lsq_slope(const double *x, const double *y, size_t n, double *slope)
{
	double mx = 0, my = 0, sxx = 0, sxy = 0;

	if (n < 2)
		return false;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	/* centred sums: no cancellation with large times and byte counts */
	for (size_t i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	if (!(sxx > 0))
		return false;
	*slope = sxy / sxx;
	return true;
}

/* ---- text format ---- */

static int parse_field(const char *tok, uint64_t *v, bool allow_unknown)
{
	char *end;

	if (allow_unknown && !strcmp(tok, "-")) {
		*v = GROWTH_UNKNOWN;
		return 0;
	}
	if (*tok < '0' || *tok > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(tok, &end, 10);
	if (errno || *end || *v == GROWTH_UNKNOWN)
		return -EINVAL;
	return 0;
}

static int growth_parse_sample(char *line, struct growth_sample *s)
{
	uint64_t *f[] = { &s->t_ms, &s->sunreclaim, &s->sreclaimable,
			  &s->tracked_unrecl, &s->tracked_recl };
	char *save = NULL, *tok;
	size_t i = 0;

	for (tok = strtok_r(line, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (i >= sizeof(f) / sizeof(f[0]) ||
		    parse_field(tok, f[i], i >= 3))
			return -EINVAL;
		i++;
	}
	return i == sizeof(f) / sizeof(f[0]) ? 0 : -EINVAL;
}

__attribute__((format(printf, 3, 4)))
static int bad(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int growth_parse(const char *text, struct growth_series *g, char *why,
		 size_t whysize)
{
	char *copy = strdup(text), *p, *nl;
	unsigned int lineno = 0, version;
	bool ended = false;
	int ret = 0;
	size_t count;

	memset(g, 0, sizeof(*g));
	if (!copy)
		return bad(why, whysize, "out of memory");
	for (p = copy; *p && !ret; p = nl) {
		char tail;

		nl = strchr(p, '\n');
		if (!nl) {
			ret = bad(why, whysize, "line %u: no newline (truncated)",
				  lineno + 1);
			break;
		}
		*nl++ = '\0';
		lineno++;
		if (ended) {
			ret = bad(why, whysize, "line %u: text after 'end'",
				  lineno);
		} else if (lineno == 1) {
			if (sscanf(p, GROWTH_MAGIC " %u%c", &version, &tail) != 1)
				ret = bad(why, whysize, "not a leakmon growth file");
			else if (version != GROWTH_VERSION)
				ret = bad(why, whysize, "version %u, expected %u",
					  version, GROWTH_VERSION);
		} else if (lineno == 2) {
			if (strncmp(p, "boot ", 5) || strlen(p + 5) == 0 ||
			    strlen(p + 5) >= sizeof(g->boot_id) ||
			    strchr(p + 5, ' '))
				ret = bad(why, whysize, "line 2: no boot id");
			else
				strcpy(g->boot_id, p + 5);
		} else if (!strncmp(p, "s ", 2)) {
			struct growth_sample *s = &g->s[g->n];

			if (g->n >= GROWTH_MAX_SAMPLES)
				ret = bad(why, whysize, "more than %d samples",
					  GROWTH_MAX_SAMPLES);
			else if (growth_parse_sample(p + 2, s))
				ret = bad(why, whysize, "line %u: bad sample",
					  lineno);
			else if (g->n && s->t_ms <= g->s[g->n - 1].t_ms)
				ret = bad(why, whysize,
					  "line %u: sample out of order", lineno);
			else
				g->n++;
		} else if (!strncmp(p, "end ", 4)) {
			if (sscanf(p + 4, "%zu%c", &count, &tail) != 1 ||
			    count != g->n)
				ret = bad(why, whysize,
					  "line %u: 'end' does not match the %zu samples",
					  lineno, g->n);
			ended = true;
		} else {
			ret = bad(why, whysize, "line %u: unexpected text",
				  lineno);
		}
	}
	if (!ret && !ended)
		ret = bad(why, whysize, "no 'end' line (truncated)");
	free(copy);
	if (ret)
		memset(g, 0, sizeof(*g));
	return ret;
}

static void put_opt(FILE *f, uint64_t v)
{
	if (v == GROWTH_UNKNOWN)
		fputs(" -", f);
	else
		fprintf(f, " %" PRIu64, v);
}

int growth_write(FILE *f, const struct growth_series *g)
{
	fprintf(f, "%s %d\nboot %s\n", GROWTH_MAGIC, GROWTH_VERSION,
		g->boot_id[0] ? g->boot_id : "unknown");
	for (size_t i = 0; i < g->n; i++) {
		const struct growth_sample *s = &g->s[i];

		fprintf(f, "s %" PRIu64 " %" PRIu64 " %" PRIu64, s->t_ms,
			s->sunreclaim, s->sreclaimable);
		put_opt(f, s->tracked_unrecl);
		put_opt(f, s->tracked_recl);
		fputc('\n', f);
	}
	fprintf(f, "end %zu\n", g->n);
	return ferror(f) ? -EIO : 0;
}

bool growth_append(struct growth_series *g, const struct growth_sample *s,
		   uint64_t min_interval_ms)
{
	if (g->n) {
		const struct growth_sample *last = &g->s[g->n - 1];

		if (s->t_ms <= last->t_ms ||
		    s->t_ms - last->t_ms < min_interval_ms)
			return false;
	}
	if (g->n == GROWTH_MAX_SAMPLES) {
		/* keep the newer half, and every second one of the older */
		size_t half = GROWTH_MAX_SAMPLES / 2, j = 0;

		for (size_t i = 0; i < half; i += 2)
			g->s[j++] = g->s[i];
		for (size_t i = half; i < g->n; i++)
			g->s[j++] = g->s[i];
		g->n = j;
	}
	g->s[g->n++] = *s;
	return true;
}

/* ---- fit ---- */

static bool fit_one(const double *x, const double *y, size_t n, double *per_h)
{
	double slope;

	if (!lsq_slope(x, y, n, &slope))
		return false;
	*per_h = slope * MS_PER_H;
	return true;
}

void growth_fit(const struct growth_series *g, uint64_t window_s,
		struct growth_fit *fit)
{
	uint64_t min_span_ms = window_s * 1000 / 10, from_ms;
	double *x, *yu, *yr, *tx, *tu, *tr, span_ms;
	size_t first, n, nt = 0;

	memset(fit, 0, sizeof(*fit));
	fit->window_s = window_s;
	if (min_span_ms < GROWTH_MIN_SPAN_S * 1000)
		min_span_ms = GROWTH_MIN_SPAN_S * 1000;
	if (!g->n) {
		snprintf(fit->why, sizeof(fit->why), "no samples yet");
		return;
	}
	fit->newest_ms = g->s[g->n - 1].t_ms;
	from_ms = fit->newest_ms > window_s * 1000 ?
		  fit->newest_ms - window_s * 1000 : 0;
	for (first = g->n; first > 0 && g->s[first - 1].t_ms >= from_ms;)
		first--;
	n = g->n - first;
	fit->samples = n;
	span_ms = (double)(fit->newest_ms - g->s[first].t_ms);
	fit->span_s = span_ms / 1000;
	if (n < 2) {
		snprintf(fit->why, sizeof(fit->why),
			 "%zu sample in the last %" PRIu64 " s; need 2", n,
			 window_s);
		return;
	}
	if (span_ms < (double)min_span_ms) {
		snprintf(fit->why, sizeof(fit->why),
			 "samples span %.0f s of the %" PRIu64
			 " s window; need %" PRIu64 " s",
			 fit->span_s, window_s, min_span_ms / 1000);
		return;
	}

	x = calloc(n, sizeof(*x) * 6);
	if (!x) {
		snprintf(fit->why, sizeof(fit->why), "out of memory");
		return;
	}
	yu = x + n;
	yr = yu + n;
	tx = yr + n;
	tu = tx + n;
	tr = tu + n;
	for (size_t i = 0; i < n; i++) {
		const struct growth_sample *s = &g->s[first + i];

		/* relative times keep the doubles exact */
		x[i] = (double)(s->t_ms - g->s[first].t_ms);
		yu[i] = (double)s->sunreclaim;
		yr[i] = (double)s->sreclaimable;
		if (s->tracked_unrecl != GROWTH_UNKNOWN &&
		    s->tracked_recl != GROWTH_UNKNOWN) {
			tx[nt] = x[i];
			tu[nt] = (double)s->tracked_unrecl;
			tr[nt] = (double)s->tracked_recl;
			nt++;
		}
	}
	fit->ok = fit_one(x, yu, n, &fit->sunreclaim_per_h) &&
		  fit_one(x, yr, n, &fit->sreclaimable_per_h);
	if (!fit->ok)
		snprintf(fit->why, sizeof(fit->why), "slope undefined");
	fit->slab_per_h = fit->sunreclaim_per_h + fit->sreclaimable_per_h;
	fit->tracked_samples = nt;
	fit->tracked_ok = fit->ok &&
			  fit_one(tx, tu, nt, &fit->tracked_unrecl_per_h) &&
			  fit_one(tx, tr, nt, &fit->tracked_recl_per_h);
	if (fit->tracked_ok)
		fit->tracked_per_h = fit->tracked_unrecl_per_h +
				     fit->tracked_recl_per_h;
	free(x);
}

bool growth_explained(const struct growth_fit *fit, double *pct, char *why,
		      size_t whysize)
{
	double p;

	if (!fit->ok) {
		snprintf(why, whysize, "no slab growth figure: %s", fit->why);
		return false;
	}
	if (!fit->tracked_ok) {
		snprintf(why, whysize,
			 "tracked bytes known in %zu samples of the window; need 2",
			 fit->tracked_samples);
		return false;
	}
	if (!(fit->slab_per_h > 0)) {
		snprintf(why, whysize,
			 "slab is not growing (%.0f bytes/hour): nothing to explain",
			 fit->slab_per_h);
		return false;
	}
	p = 100.0 * fit->tracked_per_h / fit->slab_per_h;
	*pct = p < 0 ? 0 : p > 100 ? 100 : p;
	return true;
}

/* ---- the state file ---- */

void growth_boot_id(char *buf, size_t size)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* mkdir dir (mode) if missing; a private one must be ours and not a link */
static int ensure_dir(const char *dir, mode_t mode, bool private_dir,
		      char *err, size_t errsize)
{
	struct stat st;

	if (mkdir(dir, mode) < 0 && errno != EEXIST) {
		snprintf(err, errsize, "cannot create %s: %s", dir,
			 strerror(errno));
		return -errno;
	}
	if (lstat(dir, &st) < 0) {
		snprintf(err, errsize, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode) ||
	    (private_dir && (st.st_uid != geteuid() || (st.st_mode & 077)))) {
		snprintf(err, errsize,
			 "%s is not a private directory of uid %u; set LEAKMON_STATE or --state",
			 dir, (unsigned int)geteuid());
		return -EPERM;
	}
	return 0;
}

int growth_default_path(char *buf, size_t size, char *err, size_t errsize)
{
	const char *env = getenv("LEAKMON_STATE"), *base;
	char dir[512];
	int ret;

	if (env && *env) {
		snprintf(buf, size, "%s", env);
		return 0;
	}
	if (geteuid() == 0) {
		ret = ensure_dir("/run/leakmon", 0755, false, err, errsize);
		snprintf(buf, size, "/run/leakmon/growth");
		return ret;
	}
	base = getenv("XDG_RUNTIME_DIR");
	if (!base || base[0] != '/')
		base = "/tmp";
	snprintf(dir, sizeof(dir), "%s/leakmon-%u", base,
		 (unsigned int)geteuid());
	ret = ensure_dir(dir, 0700, true, err, errsize);
	snprintf(buf, size, "%s/growth", dir);
	return ret;
}

static char *read_all(int fd, size_t max)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);
	ssize_t r;

	while (buf) {
		if (len == cap) {
			char *nb;

			if (cap >= max)
				break;
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

static int lock_file(const char *path, char *err, size_t errsize)
{
	char lpath[4200];
	int fd, waited = 0;

	snprintf(lpath, sizeof(lpath), "%s.lock", path);
	fd = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errsize, "cannot open %s: %s", lpath,
			 strerror(errno));
		return -errno;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = { 0, 10 * 1000000L };

		if ((errno != EWOULDBLOCK && errno != EINTR) ||
		    waited >= LOCK_WAIT_MS) {
			snprintf(err, errsize, "cannot lock %s: %s", lpath,
				 errno == EWOULDBLOCK ? "held too long" :
				 strerror(errno));
			close(fd);
			return -EAGAIN;
		}
		nanosleep(&ts, NULL);
		waited += 10;
	}
	return fd;
}

static int save(const char *path, const struct growth_series *g, char *err,
		size_t errsize)
{
	char tmp[4200];
	FILE *f;
	int fd, ret;

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	/* a new file: never one someone else left or linked there */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0) {
		snprintf(err, errsize, "cannot create %s: %s", tmp,
			 strerror(errno));
		return -errno;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		unlink(tmp);
		return ret;
	}
	ret = growth_write(f, g);
	if (fflush(f) || fsync(fd))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -EIO;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret) {
		snprintf(err, errsize, "cannot write %s: %s", path,
			 strerror(-ret));
		unlink(tmp);
	}
	return ret;
}

int growth_update(const char *path, const char *boot_id,
		  const struct growth_sample *s, bool no_sample,
		  struct growth_series *g, char *warn, size_t warnsize,
		  char *err, size_t errsize)
{
	char why[200];
	char *text;
	int lfd, fd, ret = 0;

	warn[0] = '\0';
	err[0] = '\0';
	memset(g, 0, sizeof(*g));
	lfd = lock_file(path, err, errsize);
	if (lfd < 0 && no_sample) {
		lfd = -1;	/* read what is there without the lock */
		err[0] = '\0';
	} else if (lfd < 0) {
		goto nolock;
	}

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		snprintf(warn, warnsize, "%s: no series yet; starting one",
			 path);
	} else if (fd < 0) {
		snprintf(err, errsize, "cannot open %s: %s", path,
			 strerror(errno));
		ret = -errno;
		goto out;
	}
	if (fd >= 0) {
		text = read_all(fd, 1 << 20);
		close(fd);
		if (!text) {
			snprintf(err, errsize, "cannot read %s", path);
			ret = -EIO;
			goto out;
		}
		if (growth_parse(text, g, why, sizeof(why))) {
			snprintf(warn, warnsize,
				 "%s: %s; starting a new series", path, why);
		} else if (boot_id[0] && strcmp(g->boot_id, boot_id)) {
			snprintf(warn, warnsize,
				 "%s: from another boot; starting a new series",
				 path);
			memset(g, 0, sizeof(*g));
		}
		free(text);
	}
	snprintf(g->boot_id, sizeof(g->boot_id), "%s", boot_id);
	if (no_sample || !s || lfd < 0)
		goto out;
	if (growth_append(g, s, GROWTH_MIN_INTERVAL_MS) || warn[0])
		ret = save(path, g, err, errsize);
out:
	if (lfd >= 0)
		close(lfd);
	return ret;
nolock:
	ret = lfd;
	if (s)
		growth_append(g, s, 0);
	return ret;
}
