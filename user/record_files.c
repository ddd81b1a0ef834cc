// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A recorder's files (record.h): the current file written with rotation,
 * its rotated segments named, compressed and pruned within --keep-days
 * and --max-total, and a set of files or directories read back as one
 * recording.  The format itself is record.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "record.h"

/* ---- sets of files: a recorder's directory ---- */

static const char rec_magic[] =
	"{\"type\":\"header\",\"format\":\"" REC_FORMAT "\"";

/* path starts like a recording (plain or gzip'ed) */
static bool rec_sniff(const char *path)
{
	char head[sizeof(rec_magic)];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	gzFile gz;
	int got;

	if (fd < 0)
		return false;
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		return false;
	}
	got = gzread(gz, head, sizeof(rec_magic) - 1);
	gzclose(gz);
	return got == (int)sizeof(rec_magic) - 1 &&
	       !memcmp(head, rec_magic, sizeof(rec_magic) - 1);
}

struct rec_file {
	char *path;
	bool named;			/* on the command line */
	struct recording r;
};

struct rec_files {
	struct rec_file *f;
	size_t n, cap;
};

static int files_add(struct rec_files *fs, const char *path, bool named)
{
	struct rec_file *f = rec_grow(fs->f, &fs->cap, fs->n, sizeof(*fs->f));

	if (!f)
		return REC_NOMEM;
	fs->f = f;
	memset(&fs->f[fs->n], 0, sizeof(fs->f[0]));
	fs->f[fs->n].path = strdup(path);
	if (!fs->f[fs->n].path)
		return REC_NOMEM;
	fs->f[fs->n].named = named;
	fs->n++;
	return REC_OK;
}

/* The recordings in dir, but segments that ended before since */
static int files_scan_dir(struct rec_files *fs, const char *dir, double since,
			  char *why, size_t whysize)
{
	struct dirent *e;
	unsigned int found = 0;
	DIR *d = opendir(dir);
	int ret = REC_OK;

	if (!d) {
		snprintf(why, whysize, "%s: %s", dir, strerror(errno));
		return REC_IO;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char path[PATH_MAX];
		unsigned int seq;
		struct stat st;
		double t;
		bool gz;

		if (e->d_name[0] == '.' ||
		    (l > 4 && !strcmp(e->d_name + l - 4, ".tmp")))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(path))
			continue;
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (!isnan(since) &&
		    rec_segment_parse(e->d_name, NULL, &t, &seq, &gz) &&
		    t < since) {
			found++;
			continue;
		}
		if (!rec_sniff(path))
			continue;
		found++;
		ret = files_add(fs, path, false);
		if (ret)
			break;
	}
	closedir(d);
	if (ret == REC_NOMEM)
		snprintf(why, whysize, "out of memory");
	else if (!found) {
		snprintf(why, whysize, "%s: no leakmon recordings in it", dir);
		ret = REC_EMPTY;
	}
	return ret;
}

static int file_first_cmp(const void *a, const void *b)
{
	const struct rec_file *x = a, *y = b;
	double tx = x->r.n ? x->r.s[0].t : INFINITY;
	double ty = y->r.n ? y->r.s[0].t : INFINITY;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Append x's samples after the last one of r, from since to until */
static int rec_merge(struct recording *r, const struct recording *x,
		     double since, double until, unsigned int *files)
{
	double last = r->n ? r->s[r->n - 1].t : -INFINITY;
	bool kept = false;

	for (size_t i = 0; i < x->n; i++) {
		const struct rec_sample *s = &x->s[i];
		struct rec_sample *d;

		if (s->t <= last || (!isnan(since) && s->t < since) ||
		    (!isnan(until) && s->t > until))
			continue;
		if (!(r->s = rec_grow(r->s, &r->cap, r->n, sizeof(*r->s))))
			return REC_NOMEM;
		d = &r->s[r->n++];
		*d = *s;
		d->first_owner = r->no;
		for (size_t k = 0; k < s->nowners; k++) {
			if (!(r->o = rec_grow(r->o, &r->ocap, r->no,
					  sizeof(*r->o))))
				return REC_NOMEM;
			r->o[r->no++] = x->o[s->first_owner + k];
		}
		last = s->t;
		kept = true;
	}
	if (!kept)
		return REC_OK;
	(*files)++;
	if (!r->recordings)
		r->h = x->h;
	r->recordings += x->recordings;
	r->lines_skipped += x->lines_skipped;
	for (size_t i = 0; i < x->ngaps; i++) {
		struct rec_gap g = x->gap[i];

		if (!isnan(since) && g.t0 < since)
			g.t0 = since;
		if (!isnan(until) && g.t1 > until)
			g.t1 = until;
		if (g.t1 < g.t0)
			continue;
		/*
		 * A recorder that rotates its file while the module is away
		 * opens the new file with the same gap: one gap
		 */
		if (r->ngaps && !strcmp(r->gap[r->ngaps - 1].reason, g.reason) &&
		    g.t0 - r->gap[r->ngaps - 1].t1 <= 2 * x->h.interval_s) {
			if (g.t1 > r->gap[r->ngaps - 1].t1)
				r->gap[r->ngaps - 1].t1 = g.t1;
			continue;
		}
		if (!(r->gap = rec_grow(r->gap, &r->gcap, r->ngaps,
				    sizeof(*r->gap))))
			return REC_NOMEM;
		r->gap[r->ngaps++] = g;
	}
	return REC_OK;
}

int rec_load_set(char *const *paths, size_t npaths, double since,
		 double until, const char *cmd, struct recording *r,
		 unsigned int *files, char *why, size_t whysize)
{
	struct rec_files fs = { 0 };
	unsigned int nread = 0;
	char fwhy[512];
	int ret = REC_OK;

	memset(r, 0, sizeof(*r));
	*files = 0;
	if (whysize)
		why[0] = '\0';
	for (size_t i = 0; i < npaths && !ret; i++) {
		struct stat st;

		if (!stat(paths[i], &st) && S_ISDIR(st.st_mode))
			ret = files_scan_dir(&fs, paths[i], since, why,
					     whysize);
		else
			ret = files_add(&fs, paths[i], true);
	}
	for (size_t i = 0; i < fs.n && !ret; i++) {
		struct rec_file *f = &fs.f[i];
		int lr = rec_load(f->path, &f->r, fwhy, sizeof(fwhy));

		if (lr == REC_NOMEM) {
			ret = lr;
		} else if (lr && f->named) {
			snprintf(why, whysize, "%s: %s", f->path, fwhy);
			ret = lr;
		} else if (lr == REC_TRUNCATED && f->r.n) {
			fprintf(stderr, "leakmon: %s: %s: %s (the samples "
				"before it are drawn)\n", cmd, f->path, fwhy);
		} else if (lr && lr != REC_EMPTY) {
			/* an empty file: a recorder that has just begun */
			fprintf(stderr, "leakmon: %s: %s: %s (skipped)\n", cmd,
				f->path, fwhy);
		}
		if (lr && !(lr == REC_TRUNCATED && f->r.n))
			rec_free(&f->r);
		else
			nread++;
	}
	if (!ret) {
		if (fs.n)
			qsort(fs.f, fs.n, sizeof(*fs.f), file_first_cmp);
		for (size_t i = 0; i < fs.n && !ret; i++)
			ret = rec_merge(r, &fs.f[i].r, since, until, files);
	}
	if (ret == REC_NOMEM)
		snprintf(why, whysize, "out of memory");
	if (!ret && !r->n) {
		snprintf(why, whysize, "no samples in the time range (%u "
			 "recording file%s read)", nread,
			 nread == 1 ? "" : "s");
		ret = REC_NODATA;
	}
	if (!ret)
		r->t_end = r->s[r->n - 1].t;
	for (size_t i = 0; i < fs.n; i++) {
		rec_free(&fs.f[i].r);
		free(fs.f[i].path);
	}
	free(fs.f);
	return ret;
}

/* ---- writing with rotation ---- */

int rec_out_open(struct rec_out *o, const char *path, char *why,
		 size_t whysize)
{
	char head[sizeof(rec_magic)], last;
	struct stat st;

	o->fd = -1;
	o->size = 0;
	o->last_t = 0;
	o->rotated = o->removed = 0;
	if (snprintf(o->path, sizeof(o->path), "%s", path) >=
	    (int)sizeof(o->path)) {
		snprintf(why, whysize, "%s: name too long", path);
		return REC_IO;
	}
	o->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (o->fd < 0) {
		snprintf(why, whysize, "%s: %s", path, strerror(errno));
		return REC_IO;
	}
	if (fstat(o->fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0)
		return REC_OK;
	o->size = (uint64_t)st.st_size;
	/* never write into someone else's file, nor after a cut line */
	if (pread(o->fd, head, sizeof(rec_magic) - 1, 0) !=
		    (ssize_t)sizeof(rec_magic) - 1 ||
	    memcmp(head, rec_magic, sizeof(rec_magic) - 1)) {
		snprintf(why, whysize, "%s exists and is not a leakmon "
			 "recording: not appending to it", path);
		close(o->fd);
		o->fd = -1;
		return REC_FOREIGN;
	}
	if (pread(o->fd, &last, 1, st.st_size - 1) != 1 || last != '\n') {
		snprintf(why, whysize, "%s ends with an incomplete line "
			 "(truncated): not appending to it", path);
		close(o->fd);
		o->fd = -1;
		return REC_TRUNCATED;
	}
	return REC_OK;
}

int rec_out_write(struct rec_out *o, const char *line)
{
	int ret = rec_write_line(o->fd, line);

	if (!ret)
		o->size += strlen(line);
	return ret;
}

bool rec_out_due(const struct rec_out *o)
{
	return o->rotate_size && o->size >= o->rotate_size;
}

int rec_out_close(struct rec_out *o)
{
	int ret = 0;

	if (o->fd >= 0 && close(o->fd))
		ret = -errno;
	o->fd = -1;
	return ret;
}

void rec_segment_name(char *buf, size_t size, const char *path, double t,
		      unsigned int seq, bool gz)
{
	time_t tt = (time_t)floor(t);
	char stamp[32], n[16] = "";
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (seq)
		snprintf(n, sizeof(n), "-%u", seq);
	snprintf(buf, size, "%s-%s%s%s", path, stamp, n, gz ? ".gz" : "");
}

/* "YYYYMMDDTHHMMSSZ[-N][.gz]" and nothing after */
static bool parse_stamp(const char *p, double *t, unsigned int *seq,
			bool *gz)
{
	struct tm tm = { 0 };
	const char *end = strptime(p, "%Y%m%dT%H%M%SZ", &tm);
	unsigned long n = 0;

	if (!end || end - p != 16)
		return false;
	*seq = 0;
	if (*end == '-') {
		char *e;

		if (end[1] < '1' || end[1] > '9')
			return false;
		n = strtoul(end + 1, &e, 10);
		if (n > 1000000)
			return false;
		end = e;
	}
	*gz = !strcmp(end, ".gz");
	if (*end && !*gz)
		return false;
	*seq = (unsigned int)n;
	*t = (double)timegm(&tm);
	return true;
}

bool rec_segment_parse(const char *name, const char *base, double *t,
		       unsigned int *seq, bool *gz)
{
	const char *p;

	if (base) {
		size_t l = strlen(base);

		return !strncmp(name, base, l) && name[l] == '-' &&
		       parse_stamp(name + l + 1, t, seq, gz);
	}
	for (p = strchr(name, '-'); p; p = strchr(p + 1, '-'))
		if (p > name && parse_stamp(p + 1, t, seq, gz))
			return true;
	return false;
}

/* gzip src into dst (through dst.tmp), then remove src; 0 or -errno */
static int rec_gzip(const char *src, const char *dst)
{
	char tmp[PATH_MAX + 8], buf[65536];
	struct timespec times[2];
	int in, out, dupfd, ret = 0;
	struct stat st;
	ssize_t got;
	gzFile gz;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", dst) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	if (fstat(in, &st)) {
		ret = -errno;
		close(in);
		return ret;
	}
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		   st.st_mode & 0666);
	if (out < 0) {
		ret = -errno;
		close(in);
		return ret;
	}
	dupfd = dup(out);
	gz = dupfd >= 0 ? gzdopen(dupfd, "wb6") : NULL;
	if (!gz) {
		ret = dupfd >= 0 ? -ENOMEM : -errno;
		if (dupfd >= 0)
			close(dupfd);
		goto out;
	}
	while ((got = read(in, buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = -errno;
			break;
		}
		if (gzwrite(gz, buf, (unsigned int)got) != (int)got) {
			ret = -EIO;
			break;
		}
	}
	if (gzclose(gz) != Z_OK && !ret)
		ret = -EIO;
	/* the segment keeps its time; on disk before the plain one goes */
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	if (!ret) {
		futimens(out, times);
		if (fsync(out))
			ret = -errno;
	}
out:
	if (close(out) && !ret)
		ret = -errno;
	close(in);
	if (!ret && rename(tmp, dst))
		ret = -errno;
	if (ret)
		unlink(tmp);
	else if (unlink(src))
		ret = -errno;
	return ret;
}

struct rec_seg {
	char name[NAME_MAX + 1];
	double t;
	unsigned int seq;
	bool gz;
	uint64_t size;
};

static int seg_cmp(const void *a, const void *b)
{
	const struct rec_seg *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return (int)x->gz - (int)y->gz;
}

/* dir and base name of path, in dir[] and *base */
static void split_path(const char *path, char *dir, size_t size,
		       const char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		snprintf(dir, size, ".");
		*base = path;
	} else if (slash == path) {
		snprintf(dir, size, "/");
		*base = slash + 1;
	} else {
		snprintf(dir, size, "%.*s", (int)(slash - path), path);
		*base = slash + 1;
	}
}

void rec_out_prune(struct rec_out *o, double now)
{
	struct rec_seg *seg = NULL, *tmp;
	size_t n = 0, cap = 0;
	char dir[PATH_MAX], p[PATH_MAX * 2 + 2], q[PATH_MAX * 2 + 8];
	/* the current file counts as full: it is going to be */
	uint64_t total = o->size > o->rotate_size ? o->size : o->rotate_size;
	const char *base;
	struct dirent *e;
	DIR *d;

	split_path(o->path, dir, sizeof(dir), &base);
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "leakmon: record: %s: %s\n", dir,
			strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		struct rec_seg s = { 0 };
		struct stat st;

		if (!rec_segment_parse(e->d_name, base, &s.t, &s.seq, &s.gz))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (stat(p, &st) || !S_ISREG(st.st_mode))
			continue;
		snprintf(s.name, sizeof(s.name), "%s", e->d_name);
		s.size = (uint64_t)st.st_size;
		tmp = rec_grow(seg, &cap, n, sizeof(*seg));
		if (!tmp) {
			fprintf(stderr, "leakmon: record: out of memory\n");
			closedir(d);
			free(seg);
			return;
		}
		seg = tmp;
		seg[n++] = s;
	}
	closedir(d);
	if (n)
		qsort(seg, n, sizeof(*seg), seg_cmp);
	/*
	 * A plain segment: compressed after the rotation failed or was cut
	 * short; a plain one beside its .gz (sorted next to each other): the
	 * .gz was complete (renamed into place only then), the plain one
	 * stayed.
	 */
	for (size_t i = 0; i < n; i++) {
		int ret;

		if (seg[i].gz)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, seg[i].name);
		if (i + 1 < n && seg[i + 1].gz && seg[i + 1].t == seg[i].t &&
		    seg[i + 1].seq == seg[i].seq) {
			if (!unlink(p))
				seg[i].size = 0;
			continue;
		}
		snprintf(q, sizeof(q), "%s.gz", p);
		ret = rec_gzip(p, q);
		if (ret) {
			fprintf(stderr, "leakmon: record: compressing %s: %s "
				"(left as it is)\n", p, strerror(-ret));
		} else {
			struct stat st;

			if (!stat(q, &st))
				seg[i].size = (uint64_t)st.st_size;
			snprintf(seg[i].name + strlen(seg[i].name),
				 sizeof(seg[i].name) - strlen(seg[i].name),
				 ".gz");
		}
	}
	for (size_t i = 0; i < n; i++)
		total += seg[i].size;
	for (size_t i = 0; i < n; i++) {
		bool old = o->keep_s > 0 && seg[i].t < now - o->keep_s;
		bool over = o->max_total && total > o->max_total;

		if (!old && !over)
			break;
		if (!seg[i].size)
			continue;	/* a plain twin, removed above */
		snprintf(p, sizeof(p), "%s/%s", dir, seg[i].name);
		if (unlink(p) && errno != ENOENT) {
			fprintf(stderr, "leakmon: record: removing %s: %s\n",
				p, strerror(errno));
			continue;
		}
		total -= seg[i].size;
		o->removed++;
	}
	free(seg);
}

int rec_out_rotate(struct rec_out *o, double now, char *why, size_t whysize)
{
	char seg[sizeof(o->path) + 32], gz[sizeof(o->path) + 40];
	double t = o->last_t > 0 ? o->last_t : now;
	unsigned int seq;
	int ret;

	for (seq = 0; seq < 1000; seq++) {
		rec_segment_name(seg, sizeof(seg), o->path, t, seq, false);
		rec_segment_name(gz, sizeof(gz), o->path, t, seq, true);
		if (access(seg, F_OK) && errno == ENOENT &&
		    access(gz, F_OK) && errno == ENOENT)
			break;
	}
	if (seq == 1000 || rename(o->path, seg)) {
		ret = seq == 1000 ? -EEXIST : -errno;
		snprintf(why, whysize, "renaming %s to %s: %s", o->path, seg,
			 strerror(-ret));
		return ret;
	}
	rec_out_close(o);
	o->fd = open(o->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (o->fd < 0) {
		ret = -errno;
		snprintf(why, whysize, "%s: %s", o->path, strerror(-ret));
		return ret;
	}
	o->size = 0;
	o->rotated++;
	ret = rec_gzip(seg, gz);
	if (ret)
		fprintf(stderr, "leakmon: record: compressing %s: %s (left as "
			"it is)\n", seg, strerror(-ret));
	rec_out_prune(o, now);
	return 0;
}
