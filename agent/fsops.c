/* ovlagent: filesystem ops on paths beneath the root and on open fds (spec/ops.ts). */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MAX_IO (64u << 20) /* largest single read/readfile the agent answers */

static struct arg *need_arg(struct req *r, const char *key)
{
	struct arg *a = arg_find(r, key);
	if (!a)
		req_fatal(r, "missing argument %s", key);
	return a;
}

static size_t need_len(struct req *r, const char *key)
{
	int64_t n = need_i64(r, key);
	if (n < 0 || n > (int64_t)MAX_IO)
		req_fatal(r, "%s must be in 0..%u", key, MAX_IO);
	return (size_t)n;
}

/* ---- symbolic names ------------------------------------------------------------ */

static const struct flagname open_flags[] = {
	{ "O_RDONLY", O_RDONLY }, { "O_WRONLY", O_WRONLY }, { "O_RDWR", O_RDWR },
	{ "O_CREAT", O_CREAT }, { "O_EXCL", O_EXCL }, { "O_TRUNC", O_TRUNC },
	{ "O_APPEND", O_APPEND }, { "O_DIRECTORY", O_DIRECTORY }, { "O_NOFOLLOW", O_NOFOLLOW },
	{ "O_TMPFILE", O_TMPFILE }, { "O_NONBLOCK", O_NONBLOCK }, { "O_SYNC", O_SYNC },
	{ "O_DSYNC", O_DSYNC }, { "O_NOATIME", O_NOATIME }, { "O_PATH", O_PATH },
	{ "O_CLOEXEC", O_CLOEXEC }, { "O_NOCTTY", O_NOCTTY }, { "O_DIRECT", O_DIRECT },
	{ "O_LARGEFILE", O_LARGEFILE }, { NULL, 0 },
};
static const struct flagname access_flags[] = {
	{ "F_OK", F_OK }, { "R_OK", R_OK }, { "W_OK", W_OK }, { "X_OK", X_OK }, { NULL, 0 },
};
static const struct flagname rename_flags[] = {
	{ "RENAME_NOREPLACE", RENAME_NOREPLACE }, { "RENAME_EXCHANGE", RENAME_EXCHANGE },
	{ "RENAME_WHITEOUT", RENAME_WHITEOUT }, { NULL, 0 },
};
static const struct flagname whence_names[] = {
	{ "SEEK_SET", SEEK_SET }, { "SEEK_CUR", SEEK_CUR }, { "SEEK_END", SEEK_END },
	{ "SEEK_DATA", SEEK_DATA }, { "SEEK_HOLE", SEEK_HOLE }, { NULL, 0 },
};
static const struct flagname node_types[] = {
	{ "file", S_IFREG }, { "chr", S_IFCHR }, { "blk", S_IFBLK }, { "fifo", S_IFIFO },
	{ "sock", S_IFSOCK }, { NULL, 0 },
};

const char *ftype_name(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFIFO: return "fifo";
	case S_IFCHR: return "chr";
	case S_IFBLK: return "blk";
	case S_IFSOCK: return "sock";
	default: return "unknown";
	}
}

static void out_time(const char *key, const struct statx_timestamp *t)
{
	out_kvf(key, "%lld.%09u", (long long)t->tv_sec, (unsigned)t->tv_nsec);
}

void emit_statx_fields(const struct statx *st, bool full)
{
	out_kvs("type", ftype_name(st->stx_mode));
	out_kvu("mode", st->stx_mode & 07777);
	out_kvu("ino", st->stx_ino);
	if (full)
		out_kvf("dev", "%u:%u", st->stx_dev_major, st->stx_dev_minor);
	out_kvu("nlink", st->stx_nlink);
	out_kvu("uid", st->stx_uid);
	out_kvu("gid", st->stx_gid);
	out_kvu("size", st->stx_size);
	if (full)
		out_kvu("blocks", st->stx_blocks);
	out_kvf("rdev", "%u:%u", st->stx_rdev_major, st->stx_rdev_minor);
	out_time("atime", &st->stx_atime);
	out_time("mtime", &st->stx_mtime);
	if (full) {
		out_time("ctime", &st->stx_ctime);
		if (st->stx_mask & STATX_BTIME)
			out_time("btime", &st->stx_btime);
	}
}

static void reply_statx(struct req *r, int dfd, const char *path, int flags)
{
	struct statx st;
	if (statx(dfd, path, flags, STATX_BASIC_STATS | STATX_BTIME, &st))
		req_fail_errno(r, errno);
	out_begin(r, "ok");
	emit_statx_fields(&st, true);
	out_end(r, true);
}

/* "SEC[.FRACTION]" (fraction = up to 9 decimal digits of a second), "now", "omit" */
static struct timespec parse_time(struct req *r, const char *key)
{
	struct timespec ts = { 0, UTIME_OMIT };
	const char *s = arg_str(r, key);
	if (!s || strcmp(s, "omit") == 0)
		return ts;
	if (strcmp(s, "now") == 0) {
		ts.tv_nsec = UTIME_NOW;
		return ts;
	}
	char *end;
	errno = 0;
	long long sec = strtoll(s, &end, 10);
	if (errno || end == s || (*end && *end != '.'))
		req_fatal(r, "%s is not SEC.NSEC, now or omit: %s", key, s);
	long nsec = 0;
	if (*end == '.') {
		int digits = 0;
		for (const char *p = end + 1; *p; p++, digits++) {
			if (*p < '0' || *p > '9' || digits >= 9)
				req_fatal(r, "%s has a bad fraction: %s", key, s);
			nsec = nsec * 10 + (*p - '0');
		}
		for (; digits < 9; digits++)
			nsec *= 10;
	}
	ts.tv_sec = (time_t)sec;
	ts.tv_nsec = nsec;
	return ts;
}

/* ---- open / close / read / write --------------------------------------------- */

static void op_open(struct req *r)
{
	const char *path = need_str(r, "path");
	int flags = (int)parse_flags(r, "flags", open_flags, O_RDONLY);
	unsigned mode = need_mode(r, "mode", 0644, false);
	if (G.rootfd < 0)
		req_fatal(r, "no root set: send `root path=…` first");
	/* the final component is not followed with O_NOFOLLOW, nor by O_CREAT|O_EXCL */
	bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	check_beneath(r, path, follow);
	/* openat, not openat2: openat2 rejects flag combinations openat accepts (O_PATH|O_RDWR…) */
	int fd = openat(G.rootfd, path, flags, mode);
	if (fd < 0)
		req_fail_errno(r, errno);
	own_fd(fd);
	out_begin(r, "ok");
	out_kvi("fd", fd);
	out_end(r, true);
}

static void op_close(struct req *r)
{
	int fd = need_fd(r, "fd");
	disown_fd(fd);
	if (close(fd)) /* the fd is gone either way */
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void reply_data(struct req *r, const char *key, const void *buf, size_t n)
{
	out_begin(r, "ok");
	out_kv(key, buf, n);
	out_end(r, true);
}

/* data=…, and with drop_fd >= 0 what the cache drop before the read reached */
static void reply_read(struct req *r, const char *key, const void *buf, size_t n, int drop_fd, const char *reached,
		       const char *missed)
{
	out_begin(r, "ok");
	out_kv(key, buf, n);
	if (drop_fd >= 0) {
		out_kvs("reached", reached);
		if (missed[0])
			out_kvs("missed", missed);
	}
	out_end(r, true);
}

static void op_read(struct req *r)
{
	int fd = need_fd(r, "fd");
	size_t len = need_len(r, "length");
	bool drop = arg_bool(r, "dropcaches");
	char *buf = req_alloc(r, len);
	char reached[128] = "", missed[192] = "";
	if (drop)
		drop_caches(fd, reached, sizeof reached, missed, sizeof missed);
	ssize_t n = read(fd, buf, len);
	if (n < 0)
		req_fail_errno(r, errno);
	reply_read(r, "data", buf, (size_t)n, drop ? fd : -1, reached, missed);
}

static void op_pread(struct req *r)
{
	int fd = need_fd(r, "fd");
	int64_t off = need_i64(r, "offset");
	size_t len = need_len(r, "length");
	bool drop = arg_bool(r, "dropcaches");
	char *buf = req_alloc(r, len);
	char reached[128] = "", missed[192] = "";
	if (drop)
		drop_caches(fd, reached, sizeof reached, missed, sizeof missed);
	ssize_t n = pread(fd, buf, len, (off_t)off);
	if (n < 0)
		req_fail_errno(r, errno);
	reply_read(r, "data", buf, (size_t)n, drop ? fd : -1, reached, missed);
}

static void reply_count(struct req *r, ssize_t n)
{
	if (n < 0)
		req_fail_errno(r, errno);
	out_begin(r, "ok");
	out_kvi("count", n);
	out_end(r, true);
}

static void op_write(struct req *r)
{
	int fd = need_fd(r, "fd");
	struct arg *d = need_arg(r, "data");
	reply_count(r, write(fd, d->val, d->len));
}

static void op_pwrite(struct req *r)
{
	int fd = need_fd(r, "fd");
	struct arg *d = need_arg(r, "data");
	int64_t off = need_i64(r, "offset");
	reply_count(r, pwrite(fd, d->val, d->len, (off_t)off));
}

static void op_lseek(struct req *r)
{
	int fd = need_fd(r, "fd");
	int64_t off = need_i64(r, "offset");
	int whence = (int)parse_enum(r, "whence", whence_names, SEEK_SET, false);
	off_t o = lseek(fd, (off_t)off, whence);
	if (o < 0)
		req_fail_errno(r, errno);
	out_begin(r, "ok");
	out_kvi("offset", o);
	out_end(r, true);
}

static void op_fsync(struct req *r)
{
	int fd = need_fd(r, "fd");
	if ((strcmp(r->op, "fdatasync") == 0 ? fdatasync(fd) : fsync(fd)))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_truncate(struct req *r)
{
	const char *path = need_path(r, "path", true);
	int64_t len = need_i64(r, "length");
	if (truncate(procpath(G.rootfd, path), (off_t)len))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_ftruncate(struct req *r)
{
	int fd = need_fd(r, "fd");
	if (ftruncate(fd, (off_t)need_i64(r, "length")))
		req_fail_errno(r, errno);
	reply_ok(r);
}

/* ---- metadata ------------------------------------------------------------------ */

static void op_stat(struct req *r)
{
	bool follow = strcmp(r->op, "stat") == 0;
	const char *path = need_path(r, "path", follow);
	reply_statx(r, G.rootfd, path, follow ? 0 : AT_SYMLINK_NOFOLLOW);
}

static void op_fstat(struct req *r)
{
	reply_statx(r, need_fd(r, "fd"), "", AT_EMPTY_PATH);
}

static void op_access(struct req *r)
{
	const char *path = need_path(r, "path", true);
	int mode = (int)parse_flags(r, "mode", access_flags, F_OK);
	/* real ids: as_uid sets the real uid too, so this checks as the step's user */
	if (faccessat(G.rootfd, path, mode, 0))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_chmod(struct req *r)
{
	const char *path = need_path(r, "path", true);
	if (fchmodat(G.rootfd, path, need_mode(r, "mode", 0, true), 0))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_fchmod(struct req *r)
{
	int fd = need_fd(r, "fd");
	if (fchmod(fd, need_mode(r, "mode", 0, true)))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_chown(struct req *r)
{
	bool follow = strcmp(r->op, "chown") == 0;
	const char *path = need_path(r, "path", follow);
	uid_t uid = (uid_t)need_i64(r, "uid");
	gid_t gid = (gid_t)need_i64(r, "gid");
	if (fchownat(G.rootfd, path, uid, gid, follow ? 0 : AT_SYMLINK_NOFOLLOW))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_fchown(struct req *r)
{
	int fd = need_fd(r, "fd");
	if (fchown(fd, (uid_t)need_i64(r, "uid"), (gid_t)need_i64(r, "gid")))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_utimens(struct req *r)
{
	bool nofollow = arg_bool(r, "nofollow");
	const char *path = need_path(r, "path", !nofollow);
	struct timespec ts[2] = { parse_time(r, "atime"), parse_time(r, "mtime") };
	if (utimensat(G.rootfd, path, ts, nofollow ? AT_SYMLINK_NOFOLLOW : 0))
		req_fail_errno(r, errno);
	reply_ok(r);
}

/* ---- names ------------------------------------------------------------------------ */

static void op_mkdir(struct req *r)
{
	const char *path = need_path(r, "path", false);
	if (mkdirat(G.rootfd, path, need_mode(r, "mode", 0755, false)))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_unlink(struct req *r)
{
	const char *path = need_path(r, "path", false);
	if (unlinkat(G.rootfd, path, strcmp(r->op, "rmdir") == 0 ? AT_REMOVEDIR : 0))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_rename(struct req *r)
{
	const char *from = need_path(r, "from", false);
	const char *to = need_path(r, "to", false);
	unsigned flags = (unsigned)parse_flags(r, "flags", rename_flags, 0);
	if (renameat2(G.rootfd, from, G.rootfd, to, flags))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_link(struct req *r)
{
	bool follow = arg_bool(r, "follow");
	const char *from = need_path(r, "from", follow);
	const char *to = need_path(r, "to", false);
	if (linkat(G.rootfd, from, G.rootfd, to, follow ? AT_SYMLINK_FOLLOW : 0))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_symlink(struct req *r)
{
	const char *target = need_str(r, "target"); /* never checked: only following can escape */
	const char *path = need_path(r, "path", false);
	if (symlinkat(target, G.rootfd, path))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_readlink(struct req *r)
{
	const char *path = need_path(r, "path", false);
	char *buf = req_alloc(r, PATH_MAX * 2);
	ssize_t n = readlinkat(G.rootfd, path, buf, PATH_MAX * 2);
	if (n < 0)
		req_fail_errno(r, errno);
	reply_data(r, "target", buf, (size_t)n);
}

static void op_mknod(struct req *r)
{
	const char *path = need_path(r, "path", false);
	unsigned type = (unsigned)parse_enum(r, "type", node_types, 0, true);
	unsigned mode = need_mode(r, "mode", 0644, false);
	unsigned maj = (unsigned)arg_i64(r, "major", 0), min = (unsigned)arg_i64(r, "minor", 0);
	if (mknodat(G.rootfd, path, type | mode, makedev(maj, min)))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_mkfifo(struct req *r)
{
	const char *path = need_path(r, "path", false);
	if (mkfifoat(G.rootfd, path, need_mode(r, "mode", 0644, false)))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_linkfd(struct req *r)
{
	int fd = need_fd(r, "fd");
	const char *path = need_path(r, "path", false);
	if (linkat(fd, "", G.rootfd, path, AT_EMPTY_PATH))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static void op_fdpath(struct req *r)
{
	int fd = need_fd(r, "fd");
	char link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	char *buf = req_alloc(r, PATH_MAX * 2);
	ssize_t n = readlink(link, buf, PATH_MAX * 2);
	if (n < 0)
		req_fail_errno(r, errno);
	reply_data(r, "path", buf, (size_t)n);
}

/* ---- whole files and filesystems ---------------------------------------------------- */

/* open a path beneath the root for a helper op; the check has run already */
static int open_beneath(struct req *r, const char *path, int flags, unsigned mode)
{
	int fd = openat(G.rootfd, path, flags | O_CLOEXEC, mode);
	if (fd < 0)
		req_fail_errno(r, errno);
	return fd;
}

static void op_readfile(struct req *r)
{
	const char *path = need_path(r, "path", true);
	int fd = open_beneath(r, path, O_RDONLY, 0);
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	int e = 0;
	while (buf) {
		if (len == cap) {
			if (cap >= MAX_IO) {
				e = EFBIG;
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				e = ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	req_keep(buf);
	if (!buf)
		req_fail_errno(r, ENOMEM);
	if (e)
		req_fail_errno(r, e);
	reply_data(r, "data", buf, len);
}

static void op_writefile(struct req *r)
{
	const char *path = need_path(r, "path", true);
	struct arg *d = need_arg(r, "data");
	bool append = arg_bool(r, "append");
	unsigned mode = need_mode(r, "mode", 0644, false);
	int fd = open_beneath(r, path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), mode);
	size_t off = 0;
	int e = 0;
	while (off < d->len) {
		ssize_t n = write(fd, d->val + off, d->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) && !e)
		e = errno;
	if (e)
		req_fail_errno(r, e);
	reply_ok(r);
}

static void op_dropcaches(struct req *r)
{
	int fd, own = 0;
	if (arg_find(r, "fd")) {
		fd = need_fd(r, "fd");
	} else {
		const char *path = need_path(r, "path", true);
		fd = open_beneath(r, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
		own = 1;
	}
	out_begin(r, "ok");
	out_drop_caches(fd);
	if (own)
		close(fd);
	out_end(r, true);
}

static void op_statfs(struct req *r)
{
	const char *path = need_path(r, "path", true);
	struct statfs sf;
	if (statfs(procpath(G.rootfd, path), &sf))
		req_fail_errno(r, errno);
	unsigned fsid[2];
	memcpy(fsid, &sf.f_fsid, sizeof fsid);
	out_begin(r, "ok");
	out_kvf("type", "0x%lx", (unsigned long)sf.f_type);
	out_kvu("bsize", (uint64_t)sf.f_bsize);
	out_kvu("blocks", sf.f_blocks);
	out_kvu("bfree", sf.f_bfree);
	out_kvu("bavail", sf.f_bavail);
	out_kvu("files", sf.f_files);
	out_kvu("ffree", sf.f_ffree);
	out_kvu("namelen", (uint64_t)sf.f_namelen);
	out_kvf("fsid", "%08x%08x", fsid[0], fsid[1]);
	out_kvu("flags", (uint64_t)sf.f_flags);
	out_end(r, true);
}

static void op_syncfs(struct req *r)
{
	const char *path = need_path(r, "path", true);
	int fd = open_beneath(r, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	int rc = syncfs(fd), e = errno;
	close(fd);
	if (rc)
		req_fail_errno(r, e);
	reply_ok(r);
}

const struct opdef fs_ops[] = {
	{ "open", op_open, "path flags mode" },
	{ "close", op_close, "fd" },
	{ "read", op_read, "fd length dropcaches" },
	{ "pread", op_pread, "fd offset length dropcaches" },
	{ "write", op_write, "fd data" },
	{ "pwrite", op_pwrite, "fd data offset" },
	{ "lseek", op_lseek, "fd offset whence" },
	{ "fsync", op_fsync, "fd" },
	{ "fdatasync", op_fsync, "fd" },
	{ "truncate", op_truncate, "path length" },
	{ "ftruncate", op_ftruncate, "fd length" },
	{ "stat", op_stat, "path" },
	{ "lstat", op_stat, "path" },
	{ "fstat", op_fstat, "fd" },
	{ "access", op_access, "path mode" },
	{ "mkdir", op_mkdir, "path mode" },
	{ "rmdir", op_unlink, "path" },
	{ "unlink", op_unlink, "path" },
	{ "rename", op_rename, "from to flags" },
	{ "link", op_link, "from to follow" },
	{ "symlink", op_symlink, "target path" },
	{ "readlink", op_readlink, "path" },
	{ "chmod", op_chmod, "path mode" },
	{ "fchmod", op_fchmod, "fd mode" },
	{ "chown", op_chown, "path uid gid" },
	{ "lchown", op_chown, "path uid gid" },
	{ "fchown", op_fchown, "fd uid gid" },
	{ "utimens", op_utimens, "path atime mtime nofollow" },
	{ "mknod", op_mknod, "path type mode major minor" },
	{ "mkfifo", op_mkfifo, "path mode" },
	{ "dropcaches", op_dropcaches, "path fd" },
	{ "readfile", op_readfile, "path" },
	{ "writefile", op_writefile, "path data append mode" },
	{ "linkfd", op_linkfd, "fd path" },
	{ "fdpath", op_fdpath, "fd" },
	{ "statfs", op_statfs, "path" },
	{ "syncfs", op_syncfs, "path" },
	{ NULL, NULL, NULL },
};
