/* ovlagent: directory streams (readdir, opendir, readdirnext, telldir, seekdir, rewinddir, closedir). */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- directory streams -------------------------------------------------------------- */

struct dirh {
	DIR *d;
	long *cookies; /* telldir values; the client sees their index (ext4 cookies exceed 2^53) */
	size_t n, cap;
};
static struct dirh *dirs;
static size_t ndirs;

static const char *dtype_name(unsigned char t)
{
	switch (t) {
	case DT_REG: return "file";
	case DT_DIR: return "dir";
	case DT_LNK: return "symlink";
	case DT_FIFO: return "fifo";
	case DT_CHR: return "chr";
	case DT_BLK: return "blk";
	case DT_SOCK: return "sock";
	default: return "unknown";
	}
}

static struct dirh *need_dir(struct req *r)
{
	int64_t h = need_i64(r, "dir");
	if (h < 1 || (uint64_t)h > ndirs || !dirs[h - 1].d)
		req_fail_errno(r, EBADF);
	return &dirs[h - 1];
}

/* list up to max entries (max < 0: all) of d as items; `ok n=N` */
static void list_entries(struct req *r, DIR *d, int64_t max)
{
	int64_t n = 0;
	while (max < 0 || n < max) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno)
				req_fail_errno(r, errno);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		out_begin(r, "item");
		out_kvs("name", de->d_name);
		out_kvu("ino", (uint64_t)de->d_ino);
		out_kvs("type", dtype_name(de->d_type));
		out_end(r, false);
		n++;
	}
	out_begin(r, "ok");
	out_kvi("n", n);
	out_end(r, true);
}

static DIR *open_dir(struct req *r, const char *path)
{
	int fd = openat(G.rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		req_fail_errno(r, errno);
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		req_fail_errno(r, e);
	}
	return d;
}

static void op_readdir(struct req *r)
{
	const char *path = need_path(r, "path", true);
	DIR *d = open_dir(r, path);
	int64_t n = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			int e = errno;
			if (e) {
				closedir(d);
				req_fail_errno(r, e);
			}
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		out_begin(r, "item");
		out_kvs("name", de->d_name);
		out_kvu("ino", (uint64_t)de->d_ino);
		out_kvs("type", dtype_name(de->d_type));
		out_end(r, false);
		n++;
	}
	closedir(d);
	out_begin(r, "ok");
	out_kvi("n", n);
	out_end(r, true);
}

static void op_opendir(struct req *r)
{
	const char *path = need_path(r, "path", true);
	size_t slot = 0;
	while (slot < ndirs && dirs[slot].d)
		slot++;
	if (slot == ndirs) {
		struct dirh *nd = realloc(dirs, (ndirs + 16) * sizeof *dirs);
		if (!nd)
			req_fail_errno(r, ENOMEM);
		memset(nd + ndirs, 0, 16 * sizeof *nd);
		dirs = nd;
		ndirs += 16;
	}
	dirs[slot].d = open_dir(r, path);
	dirs[slot].n = 0;
	out_begin(r, "ok");
	out_kvu("dir", slot + 1);
	out_end(r, true);
}

static void op_readdirnext(struct req *r)
{
	struct dirh *h = need_dir(r);
	list_entries(r, h->d, arg_i64(r, "count", -1));
}

static void op_telldir(struct req *r)
{
	struct dirh *h = need_dir(r);
	long c = telldir(h->d);
	if (c < 0)
		req_fail_errno(r, errno);
	size_t i = 0;
	while (i < h->n && h->cookies[i] != c)
		i++;
	if (i == h->n) {
		if (h->n == h->cap) {
			size_t cap = h->cap ? h->cap * 2 : 8;
			long *nc = realloc(h->cookies, cap * sizeof *nc);
			if (!nc)
				req_fail_errno(r, ENOMEM);
			h->cookies = nc;
			h->cap = cap;
		}
		h->cookies[h->n++] = c;
	}
	out_begin(r, "ok");
	out_kvu("offset", i);
	out_end(r, true);
}

static void op_seekdir(struct req *r)
{
	struct dirh *h = need_dir(r);
	int64_t i = need_i64(r, "offset");
	if (i < 0 || (uint64_t)i >= h->n)
		req_fail(r, EINVAL, "offset %lld was not returned by telldir on this stream", (long long)i);
	seekdir(h->d, h->cookies[i]);
	reply_ok(r);
}

static void op_rewinddir(struct req *r)
{
	rewinddir(need_dir(r)->d);
	reply_ok(r);
}

static void op_closedir(struct req *r)
{
	struct dirh *h = need_dir(r);
	int rc = closedir(h->d), e = errno;
	free(h->cookies);
	memset(h, 0, sizeof *h);
	if (rc)
		req_fail_errno(r, e);
	reply_ok(r);
}

void close_dirs(void)
{
	for (size_t i = 0; i < ndirs; i++) {
		if (dirs[i].d)
			closedir(dirs[i].d);
		free(dirs[i].cookies);
		memset(&dirs[i], 0, sizeof dirs[i]);
	}
}

const struct opdef dir_ops[] = {
	{ "readdir", op_readdir, "path" },
	{ "opendir", op_opendir, "path" },
	{ "readdirnext", op_readdirnext, "dir count" },
	{ "telldir", op_telldir, "dir" },
	{ "seekdir", op_seekdir, "dir offset" },
	{ "rewinddir", op_rewinddir, "dir" },
	{ "closedir", op_closedir, "dir" },
	{ NULL, NULL, NULL },
};
