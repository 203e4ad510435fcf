/* ovlagent: directory streams, extended attributes, locks and shared mappings. */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/xattr.h>
#include <unistd.h>

#define XBUF (65536 + 1) /* XATTR_SIZE_MAX and XATTR_LIST_MAX are 64 KiB */

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

/* ---- extended attributes: on an fd, or on a path beneath the root ------------------------ */

struct xtarget {
	int fd; /* -1: use path */
	const char *path; /* /proc/self/fd/<root>/<rel> */
	bool nofollow;
};

static struct xtarget need_xtarget(struct req *r)
{
	struct xtarget t = { -1, NULL, arg_bool(r, "nofollow") };
	if (arg_find(r, "fd")) {
		t.fd = need_fd(r, "fd");
	} else {
		const char *rel = need_path(r, "path", !t.nofollow);
		t.path = req_keep(strdup(procpath(G.rootfd, rel)));
		if (!t.path)
			req_fail_errno(r, ENOMEM);
	}
	return t;
}

static const struct flagname xattr_flags[] = {
	{ "XATTR_CREATE", XATTR_CREATE }, { "XATTR_REPLACE", XATTR_REPLACE }, { NULL, 0 },
};

static void op_setxattr(struct req *r)
{
	struct xtarget t = need_xtarget(r);
	const char *name = need_str(r, "name");
	struct arg *v = arg_find(r, "value");
	if (!v)
		req_fatal(r, "missing argument value");
	int flags = (int)parse_flags(r, "flags", xattr_flags, 0);
	int rc = t.fd >= 0 ? fsetxattr(t.fd, name, v->val, v->len, flags)
		 : t.nofollow ? lsetxattr(t.path, name, v->val, v->len, flags)
			      : setxattr(t.path, name, v->val, v->len, flags);
	if (rc)
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_getxattr(struct req *r)
{
	struct xtarget t = need_xtarget(r);
	const char *name = need_str(r, "name");
	char *buf = req_alloc(r, XBUF);
	ssize_t n = t.fd >= 0 ? fgetxattr(t.fd, name, buf, XBUF)
		    : t.nofollow ? lgetxattr(t.path, name, buf, XBUF)
				 : getxattr(t.path, name, buf, XBUF);
	if (n < 0)
		req_fail_errno(r, errno);
	out_begin(r, "ok");
	out_kv("value", buf, (size_t)n);
	out_end(r, true);
}

static void op_listxattr(struct req *r)
{
	struct xtarget t = need_xtarget(r);
	char *buf = req_alloc(r, XBUF);
	ssize_t n = t.fd >= 0 ? flistxattr(t.fd, buf, XBUF)
		    : t.nofollow ? llistxattr(t.path, buf, XBUF)
				 : listxattr(t.path, buf, XBUF);
	if (n < 0)
		req_fail_errno(r, errno);
	out_begin(r, "ok");
	for (ssize_t i = 0; i < n;) {
		size_t l = strnlen(buf + i, (size_t)(n - i));
		out_kv("name", buf + i, l);
		i += (ssize_t)l + 1;
	}
	out_end(r, true);
}

static void op_removexattr(struct req *r)
{
	struct xtarget t = need_xtarget(r);
	const char *name = need_str(r, "name");
	int rc = t.fd >= 0 ? fremovexattr(t.fd, name) : t.nofollow ? lremovexattr(t.path, name) : removexattr(t.path, name);
	if (rc)
		req_fail_errno(r, errno);
	reply_ok(r);
}

/* ---- locks ------------------------------------------------------------------------------- */

static const struct flagname flock_ops[] = {
	{ "LOCK_SH", LOCK_SH }, { "LOCK_EX", LOCK_EX }, { "LOCK_UN", LOCK_UN }, { NULL, 0 },
};
static const struct flagname lock_cmds[] = {
	{ "F_SETLK", F_SETLK }, { "F_SETLKW", F_SETLKW }, { "F_GETLK", F_GETLK },
	{ "F_OFD_SETLK", F_OFD_SETLK }, { "F_OFD_SETLKW", F_OFD_SETLKW }, { "F_OFD_GETLK", F_OFD_GETLK },
	{ NULL, 0 },
};
static const struct flagname lock_types[] = {
	{ "F_RDLCK", F_RDLCK }, { "F_WRLCK", F_WRLCK }, { "F_UNLCK", F_UNLCK }, { NULL, 0 },
};

static void op_flock(struct req *r)
{
	int fd = need_fd(r, "fd");
	int op = (int)parse_enum(r, "op", flock_ops, 0, true);
	if (flock(fd, op | (arg_bool(r, "nonblock") ? LOCK_NB : 0)))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_lock(struct req *r)
{
	int fd = need_fd(r, "fd");
	int cmd = (int)parse_enum(r, "cmd", lock_cmds, 0, true);
	struct flock fl;
	memset(&fl, 0, sizeof fl);
	fl.l_type = (short)parse_enum(r, "type", lock_types, 0, true);
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)arg_i64(r, "start", 0);
	fl.l_len = (off_t)arg_i64(r, "len", 0);
	if (fcntl(fd, cmd, &fl))
		req_fail_errno(r, errno);
	out_begin(r, "ok");
	out_kvs("type", flag_name(lock_types, fl.l_type));
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		if (fl.l_type != F_UNLCK)
			out_kvi("pid", fl.l_pid);
	}
	out_kvi("start", fl.l_start);
	out_kvi("len", fl.l_len);
	out_end(r, true);
}

/* ---- shared mappings ----------------------------------------------------------------------- */

struct maph {
	char *addr;
	size_t len;
	bool used;
};
static struct maph *maps;
static size_t nmaps;

static struct maph *need_map(struct req *r)
{
	int64_t h = need_i64(r, "map");
	if (h < 1 || (uint64_t)h > nmaps || !maps[h - 1].used)
		req_fail(r, EINVAL, "no mapping %lld", (long long)h);
	return &maps[h - 1];
}

static void op_mmap(struct req *r)
{
	int fd = need_fd(r, "fd");
	int64_t off = arg_i64(r, "offset", 0);
	int64_t len = need_i64(r, "length");
	bool wr = arg_bool(r, "write");
	size_t slot = 0;
	while (slot < nmaps && maps[slot].used)
		slot++;
	if (slot == nmaps) {
		struct maph *nm = realloc(maps, (nmaps + 16) * sizeof *maps);
		if (!nm)
			req_fail_errno(r, ENOMEM);
		memset(nm + nmaps, 0, 16 * sizeof *nm);
		maps = nm;
		nmaps += 16;
	}
	void *a = mmap(NULL, (size_t)len, PROT_READ | (wr ? PROT_WRITE : 0), MAP_SHARED, fd, (off_t)off);
	if (a == MAP_FAILED)
		req_fail_errno(r, errno);
	maps[slot] = (struct maph){ a, (size_t)len, true };
	out_begin(r, "ok");
	out_kvu("map", slot + 1);
	out_end(r, true);
}

static sigjmp_buf fault_jb;
static volatile sig_atomic_t fault_sig;

static void on_fault(int sig)
{
	fault_sig = sig;
	siglongjmp(fault_jb, 1);
}

/* memcpy that turns SIGBUS (beyond EOF) / SIGSEGV (read-only mapping) into a result */
static int guarded_copy(void *dst, const void *src, size_t n)
{
	struct sigaction sa, obus, osegv;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	int sig = 0;
	fault_sig = 0;
	if (sigsetjmp(fault_jb, 1) == 0)
		memcpy(dst, src, n);
	else
		sig = fault_sig;
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return sig;
}

static void map_range(struct req *r, struct maph *m, int64_t off, size_t len)
{
	if (off < 0 || (uint64_t)off > m->len || len > m->len - (size_t)off)
		req_fail(r, EINVAL, "range %lld+%zu is outside the %zu-byte mapping", (long long)off, len, m->len);
}

static void fault_reply(struct req *r, int sig)
{
	reply_err_named(r, sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
			sig == SIGBUS ? "access beyond the end of the mapped file" : "the mapping does not allow this access");
}

static void op_mread(struct req *r)
{
	struct maph *m = need_map(r);
	int64_t off = arg_i64(r, "offset", 0);
	int64_t len = need_i64(r, "length");
	if (len < 0)
		req_fatal(r, "length must be >= 0");
	map_range(r, m, off, (size_t)len);
	char *buf = req_alloc(r, (size_t)len);
	int sig = guarded_copy(buf, m->addr + off, (size_t)len);
	if (sig) {
		fault_reply(r, sig);
		return;
	}
	out_begin(r, "ok");
	out_kv("data", buf, (size_t)len);
	out_end(r, true);
}

static void op_mwrite(struct req *r)
{
	struct maph *m = need_map(r);
	int64_t off = arg_i64(r, "offset", 0);
	struct arg *d = arg_find(r, "data");
	if (!d)
		req_fatal(r, "missing argument data");
	map_range(r, m, off, d->len);
	int sig = guarded_copy(m->addr + off, d->val, d->len);
	if (sig) {
		fault_reply(r, sig);
		return;
	}
	reply_ok(r);
}

static void op_munmap(struct req *r)
{
	struct maph *m = need_map(r);
	int rc = munmap(m->addr, m->len), e = errno;
	memset(m, 0, sizeof *m);
	if (rc)
		req_fail_errno(r, e);
	reply_ok(r);
}

void close_dirs_and_maps(void)
{
	for (size_t i = 0; i < ndirs; i++) {
		if (dirs[i].d)
			closedir(dirs[i].d);
		free(dirs[i].cookies);
		memset(&dirs[i], 0, sizeof dirs[i]);
	}
	for (size_t i = 0; i < nmaps; i++) {
		if (maps[i].used)
			munmap(maps[i].addr, maps[i].len);
		memset(&maps[i], 0, sizeof maps[i]);
	}
}

const struct opdef dir_ops[] = {
	{ "readdir", op_readdir },
	{ "opendir", op_opendir },
	{ "readdirnext", op_readdirnext },
	{ "telldir", op_telldir },
	{ "seekdir", op_seekdir },
	{ "rewinddir", op_rewinddir },
	{ "closedir", op_closedir },
	{ "setxattr", op_setxattr },
	{ "getxattr", op_getxattr },
	{ "listxattr", op_listxattr },
	{ "removexattr", op_removexattr },
	{ "flock", op_flock },
	{ "lock", op_lock },
	{ "mmap", op_mmap },
	{ "mread", op_mread },
	{ "mwrite", op_mwrite },
	{ "munmap", op_munmap },
	{ NULL, NULL },
};
