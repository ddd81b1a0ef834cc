// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the flight recorder (sizes, times, rotation, sets of
 * files), graph axes and sparklines.
 */
#include "unit.h"

/* ---- record, graph axes, sparklines ---- */

static const char rec_hdr[] =
	"{\"type\":\"header\",\"format\":\"leakmon-record\",\"version\":1,"
	"\"host\":\"h\\u00e9\",\"kernel\":\"6.1\",\"cli_version\":\"0.1.0\","
	"\"module_version\":null,\"interval_s\":2.000,\"duration_s\":null,"
	"\"top\":10,\"t\":1000.000}\n";

void test_record(void)
{
	struct rec_header h = { .interval_s = 2, .top = 10, .start_t = 1000 };
	struct rec_owner o[2] = {
		{ .tgid = 141, .start_ns = 7, .comm = "apache2", .uid = 65534,
		  .exited = true, .live = 30,
		  .live_kind = { 10, 10, 10 } },
		{ .tgid = 142, .comm = "apa\"che2\n", .live = 5 },
	};
	struct rec_sample s = { .t = 1002, .boot_ns = 5, .module = true,
				.live = 35, .exited = 30, .has_slab = true,
				.sunreclaim = 4096, .sreclaimable = 8192,
				.slab = 12288 };
	struct rec_sample d = { .t = 1004, .has_slab = true,
				.sunreclaim = 4096 };
	char *l[6], text[8192], why[256];
	struct recording r;
	struct rec_series *ser;
	struct jdoc jd = { 0 };
	size_t len = 0;
	int ret, ns;

	snprintf(h.host, sizeof(h.host), "host\"1");
	snprintf(d.error, sizeof(d.error), "module not loaded");
	l[0] = rec_line_header(&h);
	l[1] = rec_line_sample(&s, o, 2);
	l[2] = rec_line_gap(1004, 6, "module not loaded");
	l[3] = rec_line_sample(&d, NULL, 0);
	l[4] = rec_line_resume(1006, 7, true);
	s.t = 1006;
	l[5] = rec_line_sample(&s, o, 1);
	text[0] = '\0';
	for (int i = 0; i < 6; i++) {
		ok(l[i] && strchr(l[i], '\n') == l[i] + strlen(l[i]) - 1,
		   "record: line %d is one line ending in a newline", i);
		if (l[i])
			strcat(text, l[i]);
		free(l[i]);
	}
	len = strlen(text);
	ret = rec_parse(text, len, &r, why, sizeof(why));
	ok(ret == REC_OK && r.n == 3 && r.no == 3 && r.ngaps == 1 &&
	   r.recordings == 1, "record: round trip (%d %s)", ret, why);
	ok(strstr(text, "\"version\":2,") && strstr(text, "\"exited\":30,") &&
	   !strstr(text, "orphan"),
	   "record: format version 2 writes \"exited\"");
	if (ret == REC_OK) {
		ok(!strcmp(r.h.host, "host\"1") && r.h.interval_s == 2 &&
		   r.h.top == 10, "record: header fields");
		ok(r.s[0].module && r.s[0].live == 35 && r.s[0].exited == 30 &&
		   r.s[0].sunreclaim == 4096 && r.s[0].sreclaimable == 8192 &&
		   !r.s[1].module && !strcmp(r.s[1].error, "module not loaded"),
		   "record: sample fields");
		ok(r.o[0].tgid == 141 && r.o[0].exited &&
		   r.o[0].live_kind[2] == 10 && !strcmp(r.o[1].comm, "apa\"che2\n"),
		   "record: owner fields, escaped comm");
		ok(r.gap[0].t0 == 1004 && r.gap[0].t1 == 1006 &&
		   !strcmp(r.gap[0].reason, "module not loaded"),
		   "record: gap from 1004 to the resume at 1006");
		ns = rec_series(&r, REC_BY_COMM, 5, &ser);
		ok(ns == 2 && !strcmp(ser[0].name, "apache2") &&
		   ser[0].y[0] == 30 && isnan(ser[0].y[1]) &&
		   ser[0].y[2] == 30 && ser[0].max == 30 && ser[0].tasks == 1 &&
		   !strcmp(ser[1].name, "apa\"che2?"),
		   "record: series per comm, NaN without the module");
		if (ns > 0)
			rec_series_free(ser, (size_t)ns);
		ns = rec_series(&r, REC_BY_TASK, 1, &ser);
		ok(ns == 1 && !strcmp(ser[0].name, "apache2[141]"),
		   "record: series per task, limited to the top 1");
		if (ns > 0)
			rec_series_free(ser, (size_t)ns);
	}
	rec_free(&r);

	/* every cut inside the last line is "truncated" */
	ret = rec_parse(text, len - 1, &r, why, sizeof(why));
	ok(ret == REC_TRUNCATED && strstr(why, "truncated"),
	   "record: a missing final newline is truncated (%s)", why);
	rec_free(&r);
	ret = rec_parse(text, len - 40, &r, why, sizeof(why));
	ok(ret == REC_TRUNCATED, "record: a cut line is truncated (%s)", why);
	rec_free(&r);
	ret = rec_parse(text, 0, &r, why, sizeof(why));
	ok(ret == REC_EMPTY && strstr(why, "empty"),
	   "record: empty file (%s)", why);
	rec_free(&r);
	ret = rec_parse(rec_hdr, strlen(rec_hdr), &r, why, sizeof(why));
	ok(ret == REC_EMPTY && strstr(why, "no samples") &&
	   !strcmp(r.h.host, "h\xc3\xa9"),
	   "record: a header alone has no samples (%s), \\u00e9 decoded",
	   why);
	rec_free(&r);
	{
		static const char *const foreign[] = {
			"root:x:0:0:root:/root:/bin/bash\n",
			"{\"a\":1}\n",
			"[1,2]\n",
			"{\"type\":\"sample\",\"t\":1}\n",
			"{\"type\":\"header\",\"format\":\"other\"}\n",
			"\x89PNG\r\n\x1a\n",
			"{\"type\":\"header\"",
		};

		for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]);
		     i++) {
			ret = rec_parse(foreign[i], strlen(foreign[i]), &r, why,
					sizeof(why));
			ok(ret == REC_FOREIGN &&
			   strstr(why, "not a leakmon recording"),
			   "record: foreign text %zu refused (%s)", i, why);
			rec_free(&r);
		}
	}
	snprintf(text, sizeof(text), "%s{\"type\":\"header\",\"format\":"
		 "\"leakmon-record\",\"version\":3}\n", rec_hdr);
	ret = rec_parse(text, strlen(text), &r, why, sizeof(why));
	ok(ret == REC_VERSION_ERR, "record: a newer version refused (%s)",
	   why);
	rec_free(&r);
	snprintf(text, sizeof(text), "%s{\"type\":\"sample\",\"t\":5,"
		 "\"module\":true,\"live\":1,\"orphans\":0,\"top\":[{\"tgid\":-1,"
		 "\"live\":1}]}\n", rec_hdr);
	ret = rec_parse(text, strlen(text), &r, why, sizeof(why));
	ok(ret == REC_CORRUPT && strstr(why, "line 2") && strstr(why, "tgid"),
	   "record: a bad owner is corrupt, with its line (%s)", why);
	rec_free(&r);
	/*
	 * Version 1 (rec_hdr) called the objects of exited owners "orphans";
	 * a version 2 recording appended after it says "exited".
	 */
	snprintf(text, sizeof(text), "%s{\"type\":\"sample\",\"t\":5,"
		 "\"module\":true,\"live\":9,\"orphans\":7,\"top\":[{"
		 "\"tgid\":3,\"exited\":true,\"live\":7,\"orphans\":7}]}\n"
		 "{\"type\":\"header\",\"format\":\"leakmon-record\","
		 "\"version\":2,\"interval_s\":2,\"top\":10,\"t\":6}\n"
		 "{\"type\":\"sample\",\"t\":7,\"module\":true,\"live\":9,"
		 "\"exited\":8,\"top\":[]}\n", rec_hdr);
	ret = rec_parse(text, strlen(text), &r, why, sizeof(why));
	ok(ret == REC_OK && r.recordings == 2 && r.n == 2 &&
	   r.s[0].exited == 7 && r.s[1].exited == 8 && r.no == 1 &&
	   r.o[0].exited && r.o[0].live == 7,
	   "record: version 1 read, its \"orphans\" as exited (%s)", why);
	rec_free(&r);
	snprintf(text, sizeof(text), "%s{\"type\":\"sample\",\"t\":5,"
		 "\"module\":true,\"live\":9,\"exited\":7,\"top\":[]}\n",
		 rec_hdr);
	ret = rec_parse(text, strlen(text), &r, why, sizeof(why));
	ok(ret == REC_CORRUPT && strstr(why, "orphans"),
	   "record: a version 1 sample needs its \"orphans\" (%s)", why);
	rec_free(&r);
	snprintf(text, sizeof(text), "%s{\"type\":\"sample\",\"t\":5,"
		 "\"module\":false}\n{\"type\":\"sample\",\"t\":4,"
		 "\"module\":false}\n", rec_hdr);
	ret = rec_parse(text, strlen(text), &r, why, sizeof(why));
	ok(ret == REC_CORRUPT && strstr(why, "backwards"),
	   "record: time going backwards is corrupt (%s)", why);
	rec_free(&r);
	snprintf(text, sizeof(text), "%s{\"type\":\"future\"}\n"
		 "{\"type\":\"sample\",\"t\":5,\"module\":false}\n", rec_hdr);
	ret = rec_parse(text, strlen(text), &r, why, sizeof(why));
	ok(ret == REC_OK && r.lines_skipped == 1,
	   "record: a line of an unknown type is skipped");
	rec_free(&r);

	/* the JSON reader */
	ok(!jparse(&jd, " {\"a\":[1,-2.5e3,true,null,\"x\\ty\"],\"b\":{}} ",
		   41, why, sizeof(why)) && jd.v[1].type == JT_OBJ &&
	   jget(&jd, &jd.v[1], "a")->type == JT_ARR,
	   "json reader: nested values (%s)", why);
	{
		static const char *const badj[] = {
			"{", "{\"a\"}", "{\"a\":01}", "[1,]", "\"\\x\"",
			"{\"a\":1}x", "tru", "\"a\tb\"", "[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]",
		};

		for (size_t i = 0; i < sizeof(badj) / sizeof(badj[0]); i++)
			ok(jparse(&jd, badj[i], strlen(badj[i]), why,
				  sizeof(why)) == -EINVAL,
			   "json reader: '%s' refused (%s)", badj[i], why);
	}
	ok(!jparse(&jd, "18446744073709551615", 20, why, sizeof(why)) &&
	   jd.v[1].is_uint && jd.v[1].u == UINT64_MAX,
	   "json reader: 64-bit counts are exact");
	jdoc_free(&jd);
}

/*
 * The lines of a recording, byte for byte: the example of
 * Documentation/cli.md ("The recording format"), one object a line.
 */
/* Bytes of the regular files in the directory of path */
static uint64_t dir_bytes(const char *path)
{
	char dir[PATH_MAX], p[PATH_MAX * 2];
	const char *slash = strrchr(path, '/');
	uint64_t total = 0;
	struct dirent *e;
	struct stat st;
	DIR *d;

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (!stat(p, &st) && S_ISREG(st.st_mode))
			total += (uint64_t)st.st_size;
	}
	closedir(d);
	return total;
}

/* How many entries of dir end in suffix */
static unsigned int dir_count(const char *dir, const char *suffix)
{
	unsigned int n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name), sl = strlen(suffix);

		if (e->d_name[0] != '.' && l >= sl &&
		    !strcmp(e->d_name + l - sl, suffix))
			n++;
	}
	closedir(d);
	return n;
}

/* ---- the flight recorder: sizes, times, rotation, sets of files ---- */

void test_record_parsers(void)
{
	uint64_t v = 0;
	double t = 0;

	ok(!parse_size("1048576", UINT64_MAX, &v) && v == 1048576 &&
	   !parse_size("64k", UINT64_MAX, &v) && v == 65536 &&
	   !parse_size("8M", UINT64_MAX, &v) && v == 8 << 20 &&
	   !parse_size("1GiB", UINT64_MAX, &v) && v == 1 << 30,
	   "size: bytes, k, M, GiB");
	ok(parse_size("8m", UINT64_MAX, &v) == -EINVAL &&
	   parse_size("-1M", UINT64_MAX, &v) == -EINVAL &&
	   parse_size("", UINT64_MAX, &v) == -EINVAL &&
	   parse_size("M", UINT64_MAX, &v) == -EINVAL &&
	   parse_size("2G", 1 << 30, &v) == -ERANGE &&
	   parse_size("99999999999999999999", UINT64_MAX, &v) == -ERANGE,
	   "size: bad units, signs, overflow refused");
	ok(!parse_when("7d", 1000000, &t) && t == 1000000 - 7 * 86400 &&
	   !parse_when("90m", 1000000, &t) && t == 1000000 - 5400 &&
	   !parse_when("2w", 2000000, &t) && t == 2000000 - 14 * 86400 &&
	   !parse_when("@1700000000", 0, &t) && t == 1700000000,
	   "when: durations back from now, @UNIXTIME");
	{
		struct tm tm = { .tm_year = 126, .tm_mon = 11, .tm_mday = 1,
				 .tm_hour = 8, .tm_min = 30, .tm_isdst = -1 };
		double want = (double)mktime(&tm);

		ok(!parse_when("2026-12-01 08:30", 0, &t) && t == want &&
		   !parse_when("2026-12-01T08:30:00", 0, &t) && t == want &&
		   !parse_when("2026-12-01", 0, &t) && t == want - 8.5 * 3600,
		   "when: local dates and times");
	}
	ok(parse_when("7", 0, &t) == -EINVAL &&
	   parse_when("7y", 0, &t) == -EINVAL &&
	   parse_when("d", 0, &t) == -EINVAL &&
	   parse_when("yesterday", 0, &t) == -EINVAL &&
	   parse_when("2026-13-01", 0, &t) == -EINVAL &&
	   parse_when("2026-12-01 8", 0, &t) == -EINVAL &&
	   parse_when("@", 0, &t) == -EINVAL,
	   "when: no unit, unknown unit or word, bad date refused");
}

/* Records n samples step s apart from t0 into o, rotating as record does */
static bool rec_sim(struct rec_out *o, double t0, double step, unsigned int n,
		    uint64_t *peak)
{
	struct rec_header h = { .interval_s = step, .top = 10 };
	struct rec_owner w[10];
	bool good = true;

	snprintf(h.host, sizeof(h.host), "sim");
	for (unsigned int i = 0; i < 10; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].tgid = 100 + i;
		snprintf(w[i].comm, sizeof(w[i].comm), "%s",
			 i ? "php-fpm" : "apache2");
		w[i].live_kind[0] = w[i].live_kind[1] = 10 * (10 - i);
	}
	for (unsigned int i = 0; i < n && good; i++) {
		struct rec_sample s = { .t = t0 + step * i, .module = true,
					.has_slab = true,
					.sunreclaim = (uint64_t)1 << 26,
					.sreclaimable = (uint64_t)1 << 27 };
		char why[256], *l;

		/* apache2 leaks a socket and its file blob a minute */
		w[0].live_kind[0] = w[0].live_kind[1] = 100 + i;
		w[0].live = 2 * (100 + i);
		s.live = w[0].live;
		if (rec_out_due(o)) {
			good = !rec_out_rotate(o, s.t, why, sizeof(why));
			if (!good)
				diag("rotate: %s", why);
			h.start_t = s.t;
			l = rec_line_header(&h);
			good = good && l && !rec_out_write(o, l);
			free(l);
		} else if (!i) {
			h.start_t = s.t;
			l = rec_line_header(&h);
			good = l && !rec_out_write(o, l);
			free(l);
		}
		l = rec_line_sample(&s, w, 10);
		good = good && l && !rec_out_write(o, l);
		free(l);
		o->last_t = s.t;
		/* the most: when the file is full, and at the end */
		if (peak && (rec_out_due(o) || i + 1 == n)) {
			uint64_t total = dir_bytes(o->path);

			if (total > *peak)
				*peak = total;
		}
	}
	return good;
}
void test_record_rotation(void)
{
	char dir[] = "/tmp/leakmon-unit-rec-XXXXXX", path[PATH_MAX];
	char name[PATH_MAX + 64], why[4400] = "", cmd[PATH_MAX + 32];
	const double week = 7 * 86400, t0 = 1790000000;
	struct rec_out o = { 0 };
	struct recording r;
	unsigned int files = 0, seq;
	uint64_t peak = 0;
	char *in[1];
	double t;
	bool gz, mono, good;
	int ret;

	rec_segment_name(name, sizeof(name), "/d/recorder.jsonl", 1790000000.7,
			 0, true);
	ok(!strcmp(name, "/d/recorder.jsonl-20260921T141320Z.gz") &&
	   rec_segment_parse("recorder.jsonl-20260921T141320Z.gz",
			     "recorder.jsonl", &t, &seq, &gz) &&
	   t == 1790000000 && !seq && gz, "segment: name %s and back", name);
	ok(rec_segment_parse("a-b.jsonl-20260921T141320Z-3", NULL, &t, &seq,
			     &gz) && seq == 3 && !gz &&
	   !rec_segment_parse("recorder.jsonl", NULL, &t, &seq, &gz) &&
	   !rec_segment_parse("x-20260922T124000Z.gz.tmp", NULL, &t, &seq,
			      &gz) &&
	   !rec_segment_parse("x-20260922T1240Z", NULL, &t, &seq, &gz) &&
	   !rec_segment_parse("other.jsonl-20260922T124000Z.gz",
			      "recorder.jsonl", &t, &seq, &gz),
	   "segment: a sequence number; other names are no segments");

	if (!mkdtemp(dir)) {
		ok(false, "rotation: mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/recorder.jsonl", dir);
	in[0] = dir;

	/* a simulated week, a sample in 5 minutes, 64 KiB files, 128 KiB */
	ok(!rec_out_open(&o, path, why, sizeof(why)), "rotation: open (%s)",
	   why);
	o.rotate_size = 64 << 10;
	o.max_total = 128 << 10;
	good = rec_sim(&o, t0, 300, 7 * 288, &peak);
	ok(good, "rotation: a week written, %u files rotated, %u removed",
	   o.rotated, o.removed);
	rec_out_close(&o);
	ok(peak <= o.max_total + 4096 && o.removed > 0 && o.rotated > 10,
	   "rotation: the directory stays within 128 KiB and a line (peak %" PRIu64 ")",
	   peak);
	ok(dir_count(dir, ".gz") == o.rotated - o.removed &&
	   dir_count(dir, ".tmp") == 0 && dir_count(dir, "Z") == 0,
	   "rotation: every rotated file is gzip'ed (%u)",
	   dir_count(dir, ".gz"));
	snprintf(cmd, sizeof(cmd), "zcat %s/*.gz | grep -c '\"type\":\"header\"' >/dev/null", dir);
	ok(system(cmd) == 0, "rotation: zcat reads the rotated files");

	/* what is left, read back in time order */
	ret = rec_load_set(in, 1, NAN, NAN, "unit", &r, &files, why,
			   sizeof(why));
	mono = ret == REC_OK;
	for (size_t i = 1; mono && i < r.n; i++)
		mono = r.s[i].t == r.s[i - 1].t + 300;
	ok(mono && r.t_end == t0 + 300.0 * (7 * 288 - 1) &&
	   files == o.rotated - o.removed + 1 && r.recordings == files,
	   "set: %zu samples 5 minutes apart in %u files, up to the last (%s)",
	   r.n, files, why);
	ok(ret == REC_OK && r.o[r.s[r.n - 1].first_owner].live ==
	   2 * (100 + 7 * 288 - 1) && !strcmp(r.h.host, "sim"),
	   "set: owners and header carried over");
	rec_free(&r);
	ret = rec_load_set(in, 1, t0 + week - 6 * 3600, t0 + week - 3 * 3600,
			   "unit", &r, &files, why, sizeof(why));
	ok(ret == REC_OK && r.n == 37 && r.s[0].t == t0 + week - 6 * 3600,
	   "set: --since and --until keep 3 hours (%zu samples, %u files)",
	   r.n, files);
	rec_free(&r);
	ret = rec_load_set(in, 1, t0 + 2 * week, NAN, "unit", &r, &files, why,
			   sizeof(why));
	ok(ret == REC_NODATA && strstr(why, "no samples"),
	   "set: nothing in the range is REC_NODATA (%s)", why);
	rec_free(&r);

	/* a week with the unit's bounds: nothing removed, all of it drawn */
	{
		char d2[] = "/tmp/leakmon-unit-rec-XXXXXX";

		if (mkdtemp(d2)) {
			snprintf(path, sizeof(path), "%s/recorder.jsonl", d2);
			rec_out_open(&o, path, why, sizeof(why));
			o.rotate_size = 1 << 20;
			o.max_total = 8 << 20;
			o.keep_s = 30 * 86400;
			peak = 0;
			rec_sim(&o, t0, 60, 7 * 1440, NULL);
			rec_out_close(&o);
			peak = dir_bytes(path);
			in[0] = d2;
			ret = rec_load_set(in, 1, t0 + 60 * 7 * 1440 - week,
					   NAN, "unit", &r, &files, why,
					   sizeof(why));
			ok(ret == REC_OK && !o.removed && r.n == 7 * 1440 &&
			   r.t_end - r.s[0].t == week - 60,
			   "week: %u rotated, none removed, %zu samples span "
			   "the week, %" PRIu64 " bytes (%.1f per sample)",
			   o.rotated, r.n, peak,
			   (double)peak / (7 * 1440));
			rec_free(&r);
			snprintf(cmd, sizeof(cmd), "rm -rf %s", d2);
			if (system(cmd))
				diag("%s failed", cmd);
		}
	}

	/* 40 days kept to 30: the oldest segments go by age */
	snprintf(path, sizeof(path), "%s/recorder.jsonl", dir);
	in[0] = dir;
	snprintf(cmd, sizeof(cmd), "rm -f %s/*", dir);
	ok(system(cmd) == 0, "keep-days: a fresh directory");
	rec_out_open(&o, path, why, sizeof(why));
	o.rotate_size = 256 << 10;
	o.keep_s = 30 * 86400;
	good = rec_sim(&o, t0, 300, 40 * 288, NULL);
	ok(good && o.removed > 0, "keep-days: 40 days written, %u removed",
	   o.removed);
	rec_out_close(&o);
	ret = rec_load_set(in, 1, NAN, NAN, "unit", &r, &files, why,
			   sizeof(why));
	t = t0 + 300.0 * (40 * 288 - 1);
	ok(ret == REC_OK && r.s[0].t >= t - 30 * 86400 - 86400 &&
	   r.s[0].t <= t - 29 * 86400,
	   "keep-days: about 30 days left (%.2f days)",
	   ret ? 0 : (t - r.s[0].t) / 86400);
	rec_free(&r);

	/* a segment left plain (a crash before gzip) and a bad file */
	rec_segment_name(name, sizeof(name), path, t0, 0, false);
	{
		FILE *f = fopen(name, "w");

		if (f) {
			fprintf(f, "%s{\"type\":\"sample\",\"t\":%.3f,"
				"\"module\":false}\n", rec_hdr, t0);
			fclose(f);
		}
		snprintf(cmd, sizeof(cmd), "%s/bad.jsonl", dir);
		f = fopen(cmd, "w");
		if (f) {
			fprintf(f, "%s{\"type\":\"sample\"}\n", rec_hdr);
			fclose(f);
		}
	}
	ret = rec_load_set(in, 1, NAN, NAN, "unit", &r, &files, why,
			   sizeof(why));
	ok(ret == REC_OK && r.s[0].t == t0,
	   "set: a plain segment is read, a bad file skipped (%s)", why);
	rec_free(&r);
	rec_out_open(&o, path, why, sizeof(why));
	o.rotate_size = 64 << 10;
	o.keep_s = 0;
	rec_out_prune(&o, t);
	rec_out_close(&o);
	ok(access(name, F_OK) && errno == ENOENT &&
	   (snprintf(name + strlen(name), 4, ".gz"), !access(name, R_OK)),
	   "prune: a plain segment left behind is gzip'ed");
	{
		char *named[2] = { dir, cmd };

		ret = rec_load_set(named, 2, NAN, NAN, "unit", &r, &files,
				   why, sizeof(why));
		ok(ret == REC_CORRUPT && strstr(why, "bad.jsonl"),
		   "set: a bad file named on the command line fails (%s)",
		   why);
		rec_free(&r);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		diag("%s failed", cmd);
	ret = rec_load_set(in, 1, NAN, NAN, "unit", &r, &files, why,
			   sizeof(why));
	ok(ret == REC_IO, "set: a missing directory is REC_IO (%s)", why);
	rec_free(&r);
}

void test_record_lines(void)
{
	struct rec_header h = {
		.host = "web3", .kernel = "6.1.0-26-amd64",
		.cli_version = "0.1.0", .module_version = "0.1.0",
		.interval_s = 2, .top = 10, .start_t = 1700000000.0,
	};
	struct rec_owner o = {
		.tgid = 141, .start_ns = 800000000000ULL, .comm = "apache2",
		.uid = 65534, .exited = true, .live = 3000,
		.live_kind = { 1000, 1000, 1000 },
	};
	struct rec_sample s = {
		.t = 1700000000.002, .boot_ns = 812000000000ULL,
		.module = true, .objects = 3300, .live = 3300, .owners = 4,
		.owners_exited = 1, .exited = 3000,
		.reset_ns = 100000000000ULL, .has_slab = true,
		.slab = 435159040, .sunreclaim = 120586240,
		.sreclaimable = 314572800,
	};
	struct rec_sample d = {
		.t = 1700000060.0, .boot_ns = 872000000000ULL,
		.error = "module not loaded", .has_slab = true,
		.slab = 435159040, .sunreclaim = 120586240,
		.sreclaimable = 314572800,
	};
	static const char *const want[] = {
		"{\"type\":\"header\",\"format\":\"leakmon-record\","
		"\"version\":2,\"host\":\"web3\",\"kernel\":\"6.1.0-26-amd64\","
		"\"cli_version\":\"0.1.0\",\"module_version\":\"0.1.0\","
		"\"interval_s\":2.000,\"duration_s\":null,\"top\":10,"
		"\"t\":1700000000.000}\n",
		"{\"type\":\"sample\",\"t\":1700000000.002,"
		"\"boot_ns\":812000000000,\"slab_bytes\":435159040,"
		"\"sunreclaim_bytes\":120586240,"
		"\"sreclaimable_bytes\":314572800,\"module\":true,"
		"\"reset_ns\":100000000000,\"objects\":3300,\"live\":3300,"
		"\"exited\":3000,\"owners\":4,\"owners_exited\":1,"
		"\"top\":[{\"tgid\":141,\"start_ns\":800000000000,"
		"\"comm\":\"apache2\",\"uid\":65534,\"exited\":true,"
		"\"live\":3000,\"kinds\":{\"sock_inode\":1000,"
		"\"file_blob\":1000,\"sk_blob\":1000}}]}\n",
		"{\"type\":\"gap\",\"t\":1700000060.000,"
		"\"boot_ns\":872000000000,\"reason\":\"module not loaded\"}\n",
		"{\"type\":\"sample\",\"t\":1700000060.000,"
		"\"boot_ns\":872000000000,\"slab_bytes\":435159040,"
		"\"sunreclaim_bytes\":120586240,"
		"\"sreclaimable_bytes\":314572800,\"module\":false,"
		"\"error\":\"module not loaded\"}\n",
		"{\"type\":\"resume\",\"t\":1700000070.000,"
		"\"boot_ns\":882000000000,\"reloaded\":true}\n",
		/* no slab figures, no owners, a duration */
		"{\"type\":\"sample\",\"t\":1700000000.002,"
		"\"boot_ns\":812000000000,\"slab_bytes\":null,"
		"\"sunreclaim_bytes\":null,\"sreclaimable_bytes\":null,"
		"\"module\":true,\"reset_ns\":100000000000,\"objects\":3300,"
		"\"live\":3300,\"exited\":3000,\"owners\":4,"
		"\"owners_exited\":1,\"top\":[]}\n",
		"{\"type\":\"header\",\"format\":\"leakmon-record\","
		"\"version\":2,\"host\":\"web3\",\"kernel\":\"6.1.0-26-amd64\","
		"\"cli_version\":\"0.1.0\",\"module_version\":null,"
		"\"interval_s\":2.000,\"duration_s\":60.000,\"top\":10,"
		"\"t\":1700000000.000}\n",
	};
	char *got[7];

	got[0] = rec_line_header(&h);
	got[1] = rec_line_sample(&s, &o, 1);
	got[2] = rec_line_gap(1700000060.0, 872000000000ULL,
			      "module not loaded");
	got[3] = rec_line_sample(&d, NULL, 0);
	got[4] = rec_line_resume(1700000070.0, 882000000000ULL, true);
	s.has_slab = false;
	got[5] = rec_line_sample(&s, &o, 0);
	h.module_version[0] = '\0';
	h.duration_s = 60;
	got[6] = rec_line_header(&h);
	for (size_t i = 0; i < sizeof(got) / sizeof(got[0]); i++) {
		ok(got[i] && !strcmp(got[i], want[i]),
		   "record: line %zu byte for byte", i);
		if (got[i] && strcmp(got[i], want[i]))
			diag("got  %s# want %s", got[i], want[i]);
		free(got[i]);
	}
}

void test_axis(void)
{
	struct axis a;
	char buf[64];

	axis_nice(&a, 0, 1200, 7, false);
	ok(a.lo == 0 && a.hi == 1200 && a.step == 200 && a.n == 7,
	   "axis: 0..1200 in 7 ticks: step 200 (%g..%g step %g, %zu)",
	   a.lo, a.hi, a.step, a.n);
	axis_nice(&a, 0, 1201, 7, false);
	ok(a.step == 500 && a.hi == 1500 && a.n == 4,
	   "axis: 0..1201: step 500 up to 1500 (%g, %g)", a.step, a.hi);
	axis_nice(&a, 0, 0, 7, false);
	ok(a.lo == 0 && a.hi == 1 && a.n >= 2,
	   "axis: an empty range becomes 0..1 (%g..%g)", a.lo, a.hi);
	axis_nice(&a, 3, 3, 7, false);
	ok(a.lo < 3 && a.hi > 3, "axis: a constant gets a range around it");
	axis_nice(&a, 100.0 * 1048576, 104.0 * 1048576, 7, true);
	ok(a.step == 1048576 && a.lo == 100.0 * 1048576,
	   "axis: bytes 100..104 MiB: step 1 MiB (%g)", a.step);
	axis_nice(&a, 0, 3e9, 7, true);
	ok(a.step == 512.0 * 1048576 && a.n <= 7,
	   "axis: bytes 0..3e9: step 512 MiB (%g, %zu ticks)", a.step, a.n);
	for (int m = 2; m <= 12; m++) {
		axis_nice(&a, 17, 98765, (size_t)m, false);
		if (a.n > (size_t)m || a.lo > 17 || a.hi < 98765)
			break;
		if (m == 12)
			ok(true, "axis: never more ticks than asked, range covered");
	}
	axis_time(&a, 1000000000.0 + 7, 1000000000.0 + 7 + 600, 8);
	ok(a.step == 120 && a.n == 5 && fmod(a.tick[0], 60) == 0,
	   "axis: 10 min in 8 ticks: every 2 min on whole minutes (%g, %zu, %g)",
	   a.step, a.n, a.tick[0]);
	axis_time(&a, 1000000000.0, 1000000000.0 + 20, 8);
	ok(a.step == 5 && a.n == 5, "axis: 20 s: every 5 s (%g, %zu)",
	   a.step, a.n);
	axis_time(&a, 0, 3 * 86400, 8);
	ok(a.step == 43200, "axis: 3 days: every 12 h (%g)", a.step);
	setenv("TZ", "UTC", 1);
	tzset();
	axis_time_label(buf, sizeof(buf), 3723, 5, 60);
	ok(!strcmp(buf, "01:02:03"), "axis: label with seconds (%s)", buf);
	axis_time_label(buf, sizeof(buf), 3723, 60, 600);
	ok(!strcmp(buf, "01:02"), "axis: label in minutes (%s)", buf);
	axis_time_label(buf, sizeof(buf), 86400 * 31 + 3600, 3600, 86400 * 3);
	ok(!strcmp(buf, "02-01 01:00"), "axis: label with the date (%s)", buf);
	axis_count_label(buf, sizeof(buf), 950);
	ok(!strcmp(buf, "950"), "axis: count 950 (%s)", buf);
	axis_count_label(buf, sizeof(buf), 1500);
	ok(!strcmp(buf, "1.5k"), "axis: count 1.5k (%s)", buf);
	axis_count_label(buf, sizeof(buf), 2000000);
	ok(!strcmp(buf, "2M"), "axis: count 2M (%s)", buf);
	axis_bytes_label(buf, sizeof(buf), 100.0 * 1048576, 1048576);
	ok(!strcmp(buf, "100 MiB"), "axis: bytes 100 MiB (%s)", buf);
	axis_bytes_label(buf, sizeof(buf), 1.5 * 1048576, 524288);
	ok(!strcmp(buf, "1.5 MiB"), "axis: bytes 1.5 MiB (%s)", buf);
	axis_bytes_label(buf, sizeof(buf), 0, 1048576);
	ok(!strcmp(buf, "0 MiB"), "axis: 0 in the step's unit (%s)", buf);
}

void test_sparkline(void)
{
	const uint64_t v[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	const uint64_t big[] = { 1, 1000000 }, zero[] = { 0, 0, 0 };
	char buf[128];
	size_t n;

	n = sparkline(buf, sizeof(buf), v, 8, 8, false);
	ok(n == 8 && !strcmp(buf, " .:-=+*#"), "sparkline: ramp (%s)", buf);
	n = sparkline(buf, sizeof(buf), v, 8, 4, false);
	ok(n == 4 && !strcmp(buf, "=+*#"),
	   "sparkline: the last 4 values (%s)", buf);
	n = sparkline(buf, sizeof(buf), v + 6, 2, 5, false);
	ok(n == 5 && !strcmp(buf, "   *#"),
	   "sparkline: short history right-aligned (%s)", buf);
	sparkline(buf, sizeof(buf), big, 2, 2, false);
	ok(!strcmp(buf, ".#"), "sparkline: a small value never shows as 0 (%s)",
	   buf);
	sparkline(buf, sizeof(buf), zero, 3, 3, false);
	ok(!strcmp(buf, "   "), "sparkline: all zero (%s)", buf);
	n = sparkline(buf, sizeof(buf), v, 8, 8, true);
	ok(n == 8 && strlen(buf) == 24 &&
	   !strcmp(buf + 21, "\xe2\x96\x88") && !memcmp(buf, "\xe2\x96\x81", 3),
	   "sparkline: UTF-8 blocks U+2581..U+2588");
	n = sparkline(buf, 10, v, 8, 8, true);
	ok(n == 0 && !buf[0], "sparkline: too small a buffer gives \"\"");
	n = sparkline(buf, sizeof(buf), NULL, 0, 3, false);
	ok(n == 3 && !strcmp(buf, "   "), "sparkline: no values");
}

/*
 * unit_tests --write-seeds DIR: the reply messages the tests build, one a
 * file, as the seed corpus of the fuzzer (user/fuzz/fuzz_reply.c).
 */
