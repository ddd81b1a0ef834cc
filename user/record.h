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
};

/* Parse text[0..len).  Returns enum rec_err; why says what and where. */
int rec_parse(const char *text, size_t len, struct recording *r, char *why,
	      size_t whysize);
/* Read and parse path */
int rec_load(const char *path, struct recording *r, char *why,
	     size_t whysize);
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
