/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Recordings of `leakmon record`, read by `leakmon graph`: JSON lines, one
 * compact object per line, each line written with one write() to a file
 * opened with O_APPEND, so a killed recorder leaves only whole lines.
 * The format is documented in Documentation/cli.md ("leakmon record").
 *
 *	{"type":"header","format":"leakmon-record","version":2,...}
 *	{"type":"sample","t":1700000000.000,"module":true,...,"top":[...]}
 *	{"type":"gap","t":...,"reason":"module not loaded"}
 *	{"type":"resume","t":...,"reloaded":true}
 *
 * A file may hold several recordings appended one after the other, each
 * starting with its header line.
 *
 * With rotation (record --rotate-size), FILE is renamed, when it has
 * reached the size, to FILE-YYYYMMDDTHHMMSSZ (the UTC time of its last
 * sample, "-N" added when that name is taken), which is then compressed
 * with gzip to the same name + ".gz", and a new FILE begins with a header;
 * the oldest rotated segments are removed beyond --keep-days or
 * --max-total.  Readers take plain and gzip'ed files alike.
 *
 * record.c has the format (the lines, a file parsed, the series);
 * record_files.c a recorder's files (rotation, segments, sets of files).
 */
#ifndef LEAKMON_RECORD_H
#define LEAKMON_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "leakmon_nl.h"

#define REC_FORMAT		"leakmon-record"
#define REC_VERSION		2	/* written; read: REC_VERSION_MIN to this */
#define REC_VERSION_MIN		1
#define REC_HOST_SIZE		256
#define REC_TEXT_SIZE		128
#define REC_MAX_LINE		(1 << 20)	/* longer lines are refused */
#define REC_MAX_TOP		1000

/* ---- writing ---- */

struct rec_header {
	char host[REC_HOST_SIZE];
	char kernel[REC_TEXT_SIZE];
	char cli_version[REC_TEXT_SIZE];
	char module_version[REC_TEXT_SIZE];	/* "" if unknown */
	double interval_s;
	double duration_s;		/* 0: until stopped */
	unsigned int top;
	double start_t;			/* Unix time */
};

struct rec_owner {
	uint32_t tgid;
	uint64_t start_ns;
	char comm[LM_COMM_SIZE];
	uint32_t uid;
	bool exited;			/* its live objects: of an exited owner */
	uint64_t live;
	uint64_t live_kind[LM_NKINDS];
};

struct rec_sample {
	double t;			/* Unix time, seconds */
	uint64_t boot_ns;		/* CLOCK_BOOTTIME */
	bool module;			/* the module answered */
	char error[REC_TEXT_SIZE];	/* why not, when !module */
	uint64_t objects, live, owners, owners_exited;
	uint64_t exited;		/* live objects of exited owners */
	uint64_t reset_ns;
	bool has_slab;
	uint64_t slab, sunreclaim, sreclaimable;	/* bytes */
	size_t first_owner, nowners;	/* in struct recording's owners */
};

/* Each returns a malloc'ed line ending in '\n', or NULL (no memory) */
char *rec_line_header(const struct rec_header *h);
char *rec_line_sample(const struct rec_sample *s, const struct rec_owner *o,
		      size_t n);
char *rec_line_gap(double t, uint64_t boot_ns, const char *reason);
char *rec_line_resume(double t, uint64_t boot_ns, bool reloaded);
/* write() the whole line at once (retrying on EINTR); 0 or -errno */
int rec_write_line(int fd, const char *line);

/* ---- reading ---- */

struct rec_gap {
	double t0, t1;			/* t1 = last sample time if not resumed */
	char reason[REC_TEXT_SIZE];
};

struct recording {
	struct rec_header h;		/* of the first recording in the file */
	double t_end;			/* last sample */
	unsigned int recordings;	/* header lines */
	struct rec_sample *s;
	size_t n, cap;
	struct rec_owner *o;
	size_t no, ocap;
	struct rec_gap *gap;
	size_t ngaps, gcap;
	unsigned int lines_skipped;	/* unknown "type" lines (newer format) */
};

enum rec_err {
	REC_OK = 0,
	REC_EMPTY = 1,			/* empty file, or no samples */
	REC_TRUNCATED = 2,		/* last line incomplete */
	REC_FOREIGN = 3,		/* not a leakmon recording */
	REC_CORRUPT = 4,		/* a recording with a bad line */
	REC_VERSION_ERR = 5,		/* a newer format version */
	REC_NOMEM = 6,
	REC_IO = 7,
	REC_NODATA = 8,			/* no sample in the time range */
};

/* Parse text[0..len).  Returns enum rec_err; why says what and where. */
int rec_parse(const char *text, size_t len, struct recording *r, char *why,
	      size_t whysize);
/* Read (plain or gzip'ed) and parse path */
int rec_load(const char *path, struct recording *r, char *why,
	     size_t whysize);
/* arr with room for element n (elem bytes each), or NULL: arr is kept */
void *rec_grow(void *arr, size_t *cap, size_t n, size_t elem);

/*
 * Read recordings from files and directories (in a directory, every
 * regular file that is a recording, plain or gzip'ed: a recorder's
 * current file and its rotated segments), keep the samples from since to
 * until (NAN: open), and merge them in time order into r: segments sorted
 * by their first sample, a sample not later than the one before dropped
 * (a segment found twice, compressed and not).  A file named on the
 * command line must be a good recording (as rec_load); a bad file found
 * in a directory is skipped with a warning on stderr ("leakmon: CMD:
 * FILE: why (skipped)"), and its samples are kept when only its last line
 * was cut.  A rotated segment whose name says it ended before since is
 * not read.  Returns enum rec_err (REC_NODATA: nothing in the range); why
 * names the file or directory.  files: how many have samples drawn.
 */
int rec_load_set(char *const *paths, size_t npaths, double since,
		 double until, const char *cmd, struct recording *r,
		 unsigned int *files, char *why, size_t whysize);

/* ---- writing with rotation (record -o FILE --rotate-size) ---- */

struct rec_out {
	char path[4096];		/* the current file */
	int fd;
	uint64_t size;			/* of the current file */
	double last_t;			/* of the last sample written, or 0 */
	uint64_t rotate_size;		/* 0: never rotated */
	uint64_t max_total;		/* 0: no bound */
	double keep_s;			/* 0: no bound */
	unsigned int rotated, removed;
};

/*
 * Open (append to) path.  An existing file must be a recording ending with
 * a whole line: REC_FOREIGN or REC_TRUNCATED otherwise, REC_IO when it
 * cannot be opened; why says so.
 */
int rec_out_open(struct rec_out *o, const char *path, char *why,
		 size_t whysize);
/* Append a line (rec_write_line); 0 or -errno */
int rec_out_write(struct rec_out *o, const char *line);
/* The current file has reached rotate_size */
bool rec_out_due(const struct rec_out *o);
/*
 * Rename the current file to its segment name, open a new one (the caller
 * writes its header), gzip the segment, then remove the segments beyond
 * the bounds (rec_out_prune).  now: the time of the sample about to be
 * written.  0, or -errno when no new file could be opened (why says so);
 * a segment left uncompressed or not removed is only warned about.
 */
int rec_out_rotate(struct rec_out *o, double now, char *why, size_t whysize);
/*
 * Compress rotated segments left uncompressed, and remove the oldest
 * ones older than keep_s or while the current file and the segments
 * together exceed max_total.
 */
void rec_out_prune(struct rec_out *o, double now);
/* 0, or -errno from close() */
int rec_out_close(struct rec_out *o);
/* The name of a rotated segment of path ending at t; seq > 0 adds "-seq" */
void rec_segment_name(char *buf, size_t size, const char *path, double t,
		      unsigned int seq, bool gz);
/*
 * Whether name (no directory) ends like a rotated segment's: base (NULL:
 * any) "-YYYYMMDDTHHMMSSZ", maybe "-N", maybe ".gz".  Sets its time and
 * seq.
 */
bool rec_segment_parse(const char *name, const char *base, double *t,
		       unsigned int *seq, bool *gz);
void rec_free(struct recording *r);

/* ---- series for graphs ---- */

enum rec_by { REC_BY_COMM, REC_BY_TASK };

struct rec_series {
	char name[64];			/* "apache2" or "apache2[141]" */
	double *y;			/* per sample; NaN where not recorded */
	double max;
	unsigned int tasks;		/* processes seen under this name */
};

/*
 * Up to top series of live objects per owner (summed per comm, or per
 * task), the top by their largest value over the recording.  A series is
 * NaN at samples without the module.  Returns how many, or -ENOMEM.
 */
int rec_series(const struct recording *r, enum rec_by by, size_t top,
	       struct rec_series **out);
void rec_series_free(struct rec_series *s, size_t n);

#endif /* LEAKMON_RECORD_H */
