// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cgroup v2 ids to paths.  The id the kernel reports is the inode number of
 * the cgroup's directory in cgroupfs, so walk the hierarchy and match
 * st_ino; stop as soon as every wanted id is found.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "cli.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CG_MAX_DEPTH	64
#define CG_PATH_MAX	4096

struct cg_want {
	uint64_t id;
	size_t idx;
};

struct cg_walk {
	struct cg_want *want;	/* sorted by id */
	size_t nwant;
	char **paths;
	size_t left;
	dev_t dev;
	char path[CG_PATH_MAX];
};

static bool is_cgroup2(const char *dir)
{
	struct statfs sfs;

	return statfs(dir, &sfs) == 0 &&
	       (unsigned long)sfs.f_type == CGROUP2_SUPER_MAGIC;
}

const char *cgroup2_root(void)
{
	if (is_cgroup2("/sys/fs/cgroup"))
		return "/sys/fs/cgroup";
	if (is_cgroup2("/sys/fs/cgroup/unified"))
		return "/sys/fs/cgroup/unified";
	return NULL;
}

static int cg_want_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct cg_want *)a)->id;
	uint64_t y = ((const struct cg_want *)b)->id;

	return x < y ? -1 : x > y;
}

/* Record the current path for every wanted entry with this inode */
static void cg_match(struct cg_walk *w, uint64_t ino, const char *path)
{
	struct cg_want key = { .id = ino };
	struct cg_want *m = bsearch(&key, w->want, w->nwant, sizeof(key),
				    cg_want_cmp);

	if (!m)
		return;
	while (m > w->want && m[-1].id == ino)
		m--;
	for (; m < w->want + w->nwant && m->id == ino; m++) {
		if (w->paths[m->idx])
			continue;
		w->paths[m->idx] = strdup(path);
		if (w->paths[m->idx])
			w->left--;
	}
}

static void cg_walk_dir(struct cg_walk *w, int dfd, size_t len, int depth)
{
	struct dirent *de;
	DIR *d;

	if (depth > CG_MAX_DEPTH)
		return;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while (w->left && (de = readdir(d))) {
		size_t nlen = strlen(de->d_name);
		struct stat st;
		int fd;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (len + 1 + nlen >= sizeof(w->path))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) || st.st_dev != w->dev)
			continue;

		w->path[len] = '/';
		memcpy(w->path + len + 1, de->d_name, nlen + 1);
		cg_match(w, (uint64_t)st.st_ino, w->path);

		fd = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			cg_walk_dir(w, fd, len + 1 + nlen, depth + 1);
		w->path[len] = '\0';
	}
	closedir(d);
}

size_t cgroup_paths(const char *root, const uint64_t *ids, size_t n,
		    char **paths)
{
	struct cg_walk *w;
	struct stat st;
	size_t found = 0;
	int fd;

	if (!n)
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w)
		return 0;
	w->want = calloc(n, sizeof(*w->want));
	if (!w->want)
		goto out;
	for (size_t i = 0; i < n; i++) {
		w->want[i].id = ids[i];
		w->want[i].idx = i;
		paths[i] = NULL;
	}
	qsort(w->want, n, sizeof(*w->want), cg_want_cmp);
	w->nwant = n;
	w->paths = paths;
	w->left = n;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	if (fstat(fd, &st) < 0) {
		close(fd);
		goto out;
	}
	w->dev = st.st_dev;
	cg_match(w, (uint64_t)st.st_ino, "/");
	w->path[0] = '\0';
	cg_walk_dir(w, fd, 0, 0);
	found = n - w->left;
out:
	free(w->want);
	free(w);
	return found;
}
