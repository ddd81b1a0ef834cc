// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Recordings of `leakmon record`, the format: writing its JSON lines
 * (json.h, compact), reading a file back for `leakmon graph`
 * (json_read.h), its series.  A recorder's files, rotated, and sets of
 * them are record_files.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "json.h"
#include "json_read.h"
#include "record.h"

/* ---- writing: one compact object per line ---- */

/* Opens the line in a memory stream: {"type":TYPE */
static bool rec_line_begin(struct json *j, char **buf, size_t *size,
			   const char *type)
{
	FILE *f;

	*buf = NULL;
	f = open_memstream(buf, size);
	if (!f)
		return false;
	json_init_style(j, f, JSON_COMPACT);
	json_obj_open(j, NULL);
	json_str(j, "type", type);
	return true;
}

/* Closes the object and the stream: the line, or NULL */
static char *rec_line_end(struct json *j, char **buf)
{
	FILE *f = j->f;

	json_obj_close(j);
	json_finish(j);
	if (fclose(f)) {
		free(*buf);
		return NULL;
	}
	return *buf;
}

char *rec_line_header(const struct rec_header *h)
{
	struct json j;
	size_t size;
	char *buf;

	if (!rec_line_begin(&j, &buf, &size, "header"))
		return NULL;
	json_str(&j, "format", REC_FORMAT);
	json_u64(&j, "version", REC_VERSION);
	json_str(&j, "host", h->host);
	json_str(&j, "kernel", h->kernel);
	json_str(&j, "cli_version", h->cli_version);
	json_str(&j, "module_version",
		 h->module_version[0] ? h->module_version : NULL);
	json_double(&j, "interval_s", h->interval_s, 3);
	if (h->duration_s > 0)
		json_double(&j, "duration_s", h->duration_s, 3);
	else
		json_null(&j, "duration_s");
	json_u64(&j, "top", h->top);
	json_double(&j, "t", h->start_t, 3);
	return rec_line_end(&j, &buf);
}

char *rec_line_sample(const struct rec_sample *s, const struct rec_owner *o,
		      size_t n)
{
	struct json j;
	size_t size;
	char *buf;

	if (!rec_line_begin(&j, &buf, &size, "sample"))
		return NULL;
	json_double(&j, "t", s->t, 3);
	json_u64(&j, "boot_ns", s->boot_ns);
	json_opt_u64(&j, "slab_bytes", s->has_slab, s->slab);
	json_opt_u64(&j, "sunreclaim_bytes", s->has_slab, s->sunreclaim);
	json_opt_u64(&j, "sreclaimable_bytes", s->has_slab, s->sreclaimable);
	json_bool(&j, "module", s->module);
	if (!s->module) {
		json_str(&j, "error", s->error);
		return rec_line_end(&j, &buf);
	}
	json_u64(&j, "reset_ns", s->reset_ns);
	json_u64(&j, "objects", s->objects);
	json_u64(&j, "live", s->live);
	json_u64(&j, "exited", s->exited);
	json_u64(&j, "owners", s->owners);
	json_u64(&j, "owners_exited", s->owners_exited);
	json_arr_open(&j, "top");
	for (size_t i = 0; i < n; i++) {
		json_obj_open(&j, NULL);
		json_u64(&j, "tgid", o[i].tgid);
		json_u64(&j, "start_ns", o[i].start_ns);
		json_str(&j, "comm", o[i].comm);
		json_u64(&j, "uid", o[i].uid);
		json_bool(&j, "exited", o[i].exited);
		json_u64(&j, "live", o[i].live);
		json_obj_open(&j, "kinds");
		for (unsigned int k = 0; k < LM_NKINDS; k++)
			json_u64(&j, lm_kind_name(k), o[i].live_kind[k]);
		json_obj_close(&j);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	return rec_line_end(&j, &buf);
}

char *rec_line_gap(double t, uint64_t boot_ns, const char *reason)
{
	struct json j;
	size_t size;
	char *buf;

	if (!rec_line_begin(&j, &buf, &size, "gap"))
		return NULL;
	json_double(&j, "t", t, 3);
	json_u64(&j, "boot_ns", boot_ns);
	json_str(&j, "reason", reason);
	return rec_line_end(&j, &buf);
}

char *rec_line_resume(double t, uint64_t boot_ns, bool reloaded)
{
	struct json j;
	size_t size;
	char *buf;

	if (!rec_line_begin(&j, &buf, &size, "resume"))
		return NULL;
	json_double(&j, "t", t, 3);
	json_u64(&j, "boot_ns", boot_ns);
	json_bool(&j, "reloaded", reloaded);
	return rec_line_end(&j, &buf);
}

int rec_write_line(int fd, const char *line)
{
	size_t len = strlen(line);
	ssize_t w;

	do {
		w = write(fd, line, len);
	} while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	/* a regular file takes it whole; anything else is an error here */
	if ((size_t)w != len)
		return -EIO;
	return 0;
}

/* ---- reading ---- */

struct rp {
	struct recording *r;
	struct jdoc d;
	unsigned long lineno;
	char *why;
	size_t whysize;
	bool in_gap;
	uint64_t version;		/* of the recording being read */
};

__attribute__((format(printf, 3, 4)))
static int rfail(struct rp *p, int err, const char *fmt, ...)
{
	va_list ap;
	int off = 0;

	if (p->lineno)
		off = snprintf(p->why, p->whysize, "line %lu: ", p->lineno);
	if (off < 0 || (size_t)off >= p->whysize)
		off = 0;
	va_start(ap, fmt);
	vsnprintf(p->why + off, p->whysize - (size_t)off, fmt, ap);
	va_end(ap);
	return err;
}

static int need_u64(struct rp *p, const struct jval *o, const char *key,
		    uint64_t *v)
{
	bool present;

	if (jget_u64(&p->d, o, key, v, &present) || !present)
		return rfail(p, REC_CORRUPT, "\"%s\" is missing or not a count",
			     key);
	return 0;
}

static int parse_header(struct rp *p, const struct jval *o)
{
	struct rec_header *h = &p->r->h;
	const struct jval *fmt = jget(&p->d, o, "format");
	uint64_t version = 0, top = 0;
	bool present;

	if (!fmt || fmt->type != JT_STR || strcmp(fmt->str, REC_FORMAT))
		return rfail(p, REC_FOREIGN,
			     "not a leakmon recording (no \"format\": \"%s\")",
			     REC_FORMAT);
	if (jget_u64(&p->d, o, "version", &version, &present) || !present)
		return rfail(p, REC_CORRUPT, "header without a version");
	if (version < REC_VERSION_MIN || version > REC_VERSION)
		return rfail(p, REC_VERSION_ERR,
			     "format version %" PRIu64 ", this leakmon reads %d to %d",
			     version, REC_VERSION_MIN, REC_VERSION);
	p->version = version;
	p->r->recordings++;
	p->in_gap = false;
	if (p->r->recordings > 1)
		return 0;		/* the first header describes the file */
	jget_str(&p->d, o, "host", h->host, sizeof(h->host));
	jget_str(&p->d, o, "kernel", h->kernel, sizeof(h->kernel));
	jget_str(&p->d, o, "cli_version", h->cli_version,
		 sizeof(h->cli_version));
	jget_str(&p->d, o, "module_version", h->module_version,
		 sizeof(h->module_version));
	if (!jget_num(&p->d, o, "interval_s", &h->interval_s) ||
	    !(h->interval_s > 0))
		return rfail(p, REC_CORRUPT, "header without interval_s");
	jget_num(&p->d, o, "duration_s", &h->duration_s);
	if (jget_u64(&p->d, o, "top", &top, &present) || top > REC_MAX_TOP)
		return rfail(p, REC_CORRUPT, "bad \"top\"");
	h->top = (unsigned int)top;
	if (!jget_num(&p->d, o, "t", &h->start_t))
		return rfail(p, REC_CORRUPT, "header without a time \"t\"");
	return 0;
}

void *rec_grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	size_t c;
	void *a;

	if (n < *cap)
		return arr;
	c = *cap ? *cap * 2 : 256;
	a = realloc(arr, c * elem);
	if (a)
		*cap = c;
	return a;
}

static int parse_owner(struct rp *p, const struct jval *o,
		       struct rec_owner *w)
{
	const struct jval *x, *kinds;
	uint64_t v = 0;
	bool present;
	int ret;

	memset(w, 0, sizeof(*w));
	if (o->type != JT_OBJ)
		return rfail(p, REC_CORRUPT, "an owner is not an object");
	if ((ret = need_u64(p, o, "tgid", &v)))
		return ret;
	w->tgid = (uint32_t)v;
	if ((ret = need_u64(p, o, "live", &w->live)))
		return ret;
	jget_u64(&p->d, o, "start_ns", &w->start_ns, &present);
	if (!jget_u64(&p->d, o, "uid", &v, &present) && present)
		w->uid = (uint32_t)v;
	jget_str(&p->d, o, "comm", w->comm, sizeof(w->comm));
	x = jget(&p->d, o, "exited");
	w->exited = x && x->type == JT_BOOL && x->b;
	kinds = jget(&p->d, o, "kinds");
	for (unsigned int k = 0; k < LM_NKINDS; k++)
		jget_u64(&p->d, kinds, lm_kind_name(k), &w->live_kind[k],
			 &present);
	return 0;
}

static int parse_sample(struct rp *p, const struct jval *o)
{
	struct recording *r = p->r;
	const struct jval *m, *top;
	struct rec_sample *s;
	bool present;
	int ret;

	if (!(r->s = rec_grow(r->s, &r->cap, r->n, sizeof(*r->s))))
		return REC_NOMEM;
	s = &r->s[r->n];
	memset(s, 0, sizeof(*s));
	if (!jget_num(&p->d, o, "t", &s->t))
		return rfail(p, REC_CORRUPT, "sample without a time \"t\"");
	if (r->n && s->t < r->s[r->n - 1].t)
		return rfail(p, REC_CORRUPT, "time goes backwards");
	jget_u64(&p->d, o, "boot_ns", &s->boot_ns, &present);
	if (jget_u64(&p->d, o, "sunreclaim_bytes", &s->sunreclaim,
		     &s->has_slab))
		return rfail(p, REC_CORRUPT, "bad sunreclaim_bytes");
	if (s->has_slab &&
	    (jget_u64(&p->d, o, "sreclaimable_bytes", &s->sreclaimable,
		      &present) || !present))
		return rfail(p, REC_CORRUPT, "bad sreclaimable_bytes");
	jget_u64(&p->d, o, "slab_bytes", &s->slab, &present);
	m = jget(&p->d, o, "module");
	if (!m || m->type != JT_BOOL)
		return rfail(p, REC_CORRUPT, "sample without \"module\"");
	s->module = m->b;
	s->first_owner = r->no;
	if (!s->module) {
		jget_str(&p->d, o, "error", s->error, sizeof(s->error));
		r->n++;
		return 0;
	}
	/* version 1 called the objects of exited owners "orphans" */
	if ((ret = need_u64(p, o, "live", &s->live)) ||
	    (ret = need_u64(p, o, p->version == 1 ? "orphans" : "exited",
			    &s->exited)))
		return ret;
	jget_u64(&p->d, o, "objects", &s->objects, &present);
	jget_u64(&p->d, o, "owners", &s->owners, &present);
	jget_u64(&p->d, o, "owners_exited", &s->owners_exited, &present);
	jget_u64(&p->d, o, "reset_ns", &s->reset_ns, &present);
	top = jget(&p->d, o, "top");
	if (!top || top->type != JT_ARR)
		return rfail(p, REC_CORRUPT, "sample without a \"top\" array");
	for (size_t c = top->first; c; c = p->d.v[c].next) {
		if (s->nowners >= REC_MAX_TOP)
			return rfail(p, REC_CORRUPT, "more than %d owners",
				     REC_MAX_TOP);
		if (!(r->o = rec_grow(r->o, &r->ocap, r->no, sizeof(*r->o))))
			return REC_NOMEM;
		ret = parse_owner(p, &p->d.v[c], &r->o[r->no]);
		if (ret)
			return ret;
		r->no++;
		s->nowners++;
	}
	r->n++;
	return 0;
}

static int parse_gap(struct rp *p, const struct jval *o, bool gap)
{
	struct recording *r = p->r;
	double t;

	if (!jget_num(&p->d, o, "t", &t))
		return rfail(p, REC_CORRUPT, "%s without a time \"t\"",
			     gap ? "gap" : "resume");
	if (gap) {
		if (!(r->gap = rec_grow(r->gap, &r->gcap, r->ngaps,
				    sizeof(*r->gap))))
			return REC_NOMEM;
		r->gap[r->ngaps].t0 = t;
		r->gap[r->ngaps].t1 = NAN;
		jget_str(&p->d, o, "reason", r->gap[r->ngaps].reason,
			 sizeof(r->gap[0].reason));
		r->ngaps++;
		p->in_gap = true;
	} else if (p->in_gap) {
		r->gap[r->ngaps - 1].t1 = t;
		p->in_gap = false;
	}
	return 0;
}

static int parse_line(struct rp *p, const char *line, size_t len)
{
	const struct jval *root, *type;
	char jwhy[128];
	int ret;

	ret = jparse(&p->d, line, len, jwhy, sizeof(jwhy));
	if (ret == -ENOMEM)
		return REC_NOMEM;
	if (ret || p->d.v[1].type != JT_OBJ) {
		if (!p->r->recordings)
			return rfail(p, REC_FOREIGN,
				     "not a leakmon recording (%s)",
				     ret ? "not JSON lines" :
					   "not a JSON object");
		return rfail(p, REC_CORRUPT, "bad JSON: %s",
			     ret ? jwhy : "not an object");
	}
	root = &p->d.v[1];
	type = jget(&p->d, root, "type");
	if (!type || type->type != JT_STR) {
		if (!p->r->recordings)
			return rfail(p, REC_FOREIGN,
				     "not a leakmon recording (no \"type\")");
		return rfail(p, REC_CORRUPT, "line without a \"type\"");
	}
	if (!strcmp(type->str, "header"))
		return parse_header(p, root);
	if (!p->r->recordings)
		return rfail(p, REC_FOREIGN,
			     "not a leakmon recording (no header line)");
	if (!strcmp(type->str, "sample"))
		return parse_sample(p, root);
	if (!strcmp(type->str, "gap"))
		return parse_gap(p, root, true);
	if (!strcmp(type->str, "resume"))
		return parse_gap(p, root, false);
	p->r->lines_skipped++;		/* a newer writer's extra line */
	return 0;
}

int rec_parse(const char *text, size_t len, struct recording *r, char *why,
	      size_t whysize)
{
	struct rp p = { .r = r, .why = why, .whysize = whysize };
	size_t pos = 0;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if (whysize)
		why[0] = '\0';
	if (len == 0)
		return rfail(&p, REC_EMPTY, "empty file");
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;

		p.lineno++;
		if (l > REC_MAX_LINE) {
			ret = rfail(&p, r->recordings ? REC_CORRUPT :
					REC_FOREIGN, "line too long");
			break;
		}
		if (!nl) {
			/* an incomplete last line: cut short */
			if (!r->recordings && p.lineno == 1) {
				/* foreign, unless it starts like a header */
				ret = parse_line(&p, text + pos, l);
				if (ret)
					break;
			}
			ret = rfail(&p, REC_TRUNCATED,
				    "truncated: the last line has no end "
				    "(the file was cut short)");
			break;
		}
		ret = parse_line(&p, text + pos, l);
		if (ret)
			break;
		pos += l + 1;
	}
	jdoc_free(&p.d);
	if (ret == REC_NOMEM)
		snprintf(why, whysize, "out of memory");
	if (ret && (ret != REC_TRUNCATED || !r->n))
		return ret;
	if (!r->n) {
		p.lineno = 0;
		return rfail(&p, REC_EMPTY, "no samples in the recording");
	}
	/* complete, or truncated after samples (which rec_load_set keeps) */
	r->t_end = r->s[r->n - 1].t;
	for (size_t i = 0; i < r->ngaps; i++)
		if (isnan(r->gap[i].t1))
			r->gap[i].t1 = r->t_end;
	return ret;
}

/* Larger files are refused: a recording segment is a few MiB */
#define REC_MAX_FILE	((size_t)1 << 30)

/* The whole of path, gunzipped when it is gzip data; enum rec_err */
static int rec_read_all(const char *path, char **textp, size_t *lenp,
			char *why, size_t whysize)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	const char *msg;
	int fd, got, zerr;
	gzFile gz;

	*textp = NULL;
	*lenp = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whysize, "%s", strerror(errno));
		return REC_IO;
	}
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		snprintf(why, whysize, "out of memory");
		return REC_NOMEM;
	}
	gzbuffer(gz, 1 << 17);
	for (;;) {
		if (len + 65536 > cap) {
			char *t;

			if (cap >= REC_MAX_FILE) {
				gzclose(gz);
				free(text);
				snprintf(why, whysize,
					 "larger than %zu MiB: not read",
					 REC_MAX_FILE >> 20);
				return REC_CORRUPT;
			}
			cap = cap ? cap * 2 : 1 << 20;
			t = realloc(text, cap);
			if (!t) {
				gzclose(gz);
				free(text);
				snprintf(why, whysize, "out of memory");
				return REC_NOMEM;
			}
			text = t;
		}
		got = gzread(gz, text + len, (unsigned int)(cap - len));
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	msg = gzerror(gz, &zerr);
	if (zerr != Z_OK) {
		int ret = REC_CORRUPT;

		if (zerr == Z_ERRNO) {
			snprintf(why, whysize, "%s", strerror(errno));
			ret = REC_IO;
		} else if (zerr == Z_BUF_ERROR) {
			snprintf(why, whysize, "truncated: the gzip data ends "
				 "early (the file was cut short)");
			ret = REC_TRUNCATED;
		} else {
			snprintf(why, whysize, "bad gzip data: %s", msg);
		}
		gzclose(gz);
		free(text);
		return ret;
	}
	gzclose(gz);
	*textp = text;
	*lenp = len;
	return REC_OK;
}

int rec_load(const char *path, struct recording *r, char *why,
	     size_t whysize)
{
	char *text;
	size_t len;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = rec_read_all(path, &text, &len, why, whysize);
	if (ret)
		return ret;
	ret = rec_parse(text ? text : "", len, r, why, whysize);
	free(text);
	return ret;
}

void rec_free(struct recording *r)
{
	free(r->s);
	free(r->o);
	free(r->gap);
	memset(r, 0, sizeof(*r));
}

/* ---- series ---- */

static void series_name(const struct rec_owner *o, enum rec_by by,
			char *buf, size_t size)
{
	char comm[LM_COMM_SIZE];
	size_t i;

	for (i = 0; o->comm[i] && i < sizeof(comm) - 1; i++)
		comm[i] = o->comm[i] >= 0x20 && o->comm[i] < 0x7f ?
			  o->comm[i] : '?';
	comm[i] = '\0';
	if (!comm[0])
		snprintf(comm, sizeof(comm), "?");
	if (by == REC_BY_TASK)
		snprintf(buf, size, "%s[%" PRIu32 "]", comm, o->tgid);
	else
		snprintf(buf, size, "%s", comm);
}

static int series_max_cmp(const void *a, const void *b)
{
	const struct rec_series *x = a, *y = b;

	if (x->max != y->max)
		return x->max < y->max ? 1 : -1;
	return strcmp(x->name, y->name);
}

int rec_series(const struct recording *r, enum rec_by by, size_t top,
	       struct rec_series **out)
{
	struct rec_series *s = NULL;
	size_t ns = 0, cap = 0;

	*out = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct rec_sample *smp = &r->s[i];

		for (size_t k = 0; k < smp->nowners; k++) {
			const struct rec_owner *o = &r->o[smp->first_owner + k];
			char name[64];
			size_t j;

			series_name(o, by, name, sizeof(name));
			for (j = 0; j < ns; j++)
				if (!strcmp(s[j].name, name))
					break;
			if (j == ns) {
				if (ns == cap) {
					struct rec_series *t;

					cap = cap ? cap * 2 : 16;
					t = realloc(s, cap * sizeof(*s));
					if (!t)
						goto nomem;
					s = t;
				}
				memset(&s[ns], 0, sizeof(s[ns]));
				snprintf(s[ns].name, sizeof(s[ns].name), "%s",
					 name);
				s[ns].y = malloc(r->n * sizeof(double));
				if (!s[ns].y)
					goto nomem;
				ns++;
				for (size_t t = 0; t < r->n; t++)
					s[j].y[t] = r->s[t].module ? 0 : NAN;
			}
			s[j].y[i] += (double)o->live;
			if (s[j].y[i] > s[j].max)
				s[j].max = s[j].y[i];
		}
	}
	/* processes behind each name */
	for (size_t j = 0; j < ns; j++) {
		uint32_t seen[64];
		unsigned int nseen = 0;

		for (size_t i = 0; i < r->no; i++) {
			char name[64];
			unsigned int q;

			series_name(&r->o[i], by, name, sizeof(name));
			if (strcmp(name, s[j].name))
				continue;
			for (q = 0; q < nseen; q++)
				if (seen[q] == r->o[i].tgid)
					break;
			if (q == nseen && nseen < 64)
				seen[nseen++] = r->o[i].tgid;
		}
		s[j].tasks = nseen;
	}
	if (ns)
		qsort(s, ns, sizeof(*s), series_max_cmp);
	while (ns > top) {
		ns--;
		free(s[ns].y);
	}
	*out = s;
	return (int)ns;
nomem:
	rec_series_free(s, ns);
	return -ENOMEM;
}

void rec_series_free(struct rec_series *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].y);
	free(s);
}
