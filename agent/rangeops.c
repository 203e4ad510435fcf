/* ovlagent: data moved between open files without read/write (copy_file_range, FICLONE,
 * FIDEDUPERANGE), open file status flags changed (F_SETFL), and inode flags (FS_IOC_GETFLAGS and
 * FS_IOC_SETFLAGS: immutable, append-only and friends). */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* copyrange in out len [off_in] [off_out]: one copy_file_range(2) call; ok count=N */
static void op_copyrange(struct req *r)
{
	int in = need_fd(r, "in"), out = need_fd(r, "out");
	int64_t len = need_i64(r, "len");
	bool has_in = arg_find(r, "off_in") != NULL, has_out = arg_find(r, "off_out") != NULL;
	loff_t oi = (loff_t)arg_i64(r, "off_in", 0), oo = (loff_t)arg_i64(r, "off_out", 0);
	if (len < 0 || oi < 0 || oo < 0)
		req_fatal(r, "copyrange lengths and offsets are not negative");
	ssize_t n = copy_file_range(in, has_in ? &oi : NULL, out, has_out ? &oo : NULL, (size_t)len, 0);
	if (n < 0)
		req_fail_errno(r, errno);
	out_begin(r, "ok");
	out_kvi("count", n);
	out_end(r, true);
}

/* clone in out: ioctl(out, FICLONE, in) */
static void op_clone(struct req *r)
{
	int in = need_fd(r, "in"), out = need_fd(r, "out");
	if (ioctl(out, FICLONE, in))
		req_fail_errno(r, errno);
	reply_ok(r);
}

/* dedupe in out len: FIDEDUPERANGE of [0,len) of in onto [0,len) of out; ok, or err with the
 * per-range status (FILE_DEDUPE_RANGE_DIFFERS is reported as EBADE) */
static void op_dedupe(struct req *r)
{
	int in = need_fd(r, "in"), out = need_fd(r, "out");
	int64_t len = need_i64(r, "len");
	struct file_dedupe_range *d = req_alloc(r, sizeof *d + sizeof(struct file_dedupe_range_info));
	memset(d, 0, sizeof *d + sizeof(struct file_dedupe_range_info));
	d->src_length = (uint64_t)len;
	d->dest_count = 1;
	d->info[0].dest_fd = out;
	if (ioctl(in, FIDEDUPERANGE, d))
		req_fail_errno(r, errno);
	if (d->info[0].status < 0)
		req_fail_errno(r, -d->info[0].status);
	if (d->info[0].status == FILE_DEDUPE_RANGE_DIFFERS)
		req_fail(r, EBADE, "ranges differ");
	out_begin(r, "ok");
	out_kvi("count", (int64_t)d->info[0].bytes_deduped);
	out_end(r, true);
}

static const struct flagname status_flags[] = {
	{ "O_APPEND", O_APPEND }, { "O_NONBLOCK", O_NONBLOCK }, { "O_NOATIME", O_NOATIME },
	{ "O_DIRECT", O_DIRECT }, { "O_ASYNC", O_ASYNC }, { NULL, 0 },
};

/* setfl fd flags=A,B: fcntl(F_SETFL) with exactly these status flags */
static void op_setfl(struct req *r)
{
	int fd = need_fd(r, "fd");
	int flags = (int)parse_flags(r, "flags", status_flags, 0);
	if (fcntl(fd, F_SETFL, flags))
		req_fail_errno(r, errno);
	reply_ok(r);
}

static const struct flagname inode_flags[] = {
	{ "FS_IMMUTABLE_FL", FS_IMMUTABLE_FL }, { "FS_APPEND_FL", FS_APPEND_FL },
	{ "FS_NODUMP_FL", FS_NODUMP_FL }, { "FS_NOATIME_FL", FS_NOATIME_FL },
	{ "FS_SYNC_FL", FS_SYNC_FL }, { "FS_DIRSYNC_FL", FS_DIRSYNC_FL }, { NULL, 0 },
};
#define KNOWN_INODE_FLAGS (FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | FS_NOATIME_FL | FS_SYNC_FL | FS_DIRSYNC_FL)

/* getflags fd: FS_IOC_GETFLAGS; one name=… per known flag set */
static void op_getflags(struct req *r)
{
	int fd = need_fd(r, "fd");
	int f = 0;
	if (ioctl(fd, FS_IOC_GETFLAGS, &f))
		req_fail_errno(r, errno);
	out_begin(r, "ok");
	for (const struct flagname *n = inode_flags; n->name; n++)
		if (f & n->value)
			out_kvs("name", n->name);
	out_end(r, true);
}

/* setflags fd flags=A,B: the known flags become exactly these, the others are kept */
static void op_setflags(struct req *r)
{
	int fd = need_fd(r, "fd");
	int want = (int)parse_flags(r, "flags", inode_flags, 0);
	int f = 0;
	if (ioctl(fd, FS_IOC_GETFLAGS, &f))
		req_fail_errno(r, errno);
	f = (f & ~KNOWN_INODE_FLAGS) | want;
	if (ioctl(fd, FS_IOC_SETFLAGS, &f))
		req_fail_errno(r, errno);
	reply_ok(r);
}

const struct opdef range_ops[] = {
	{ "copyrange", op_copyrange, "in out len off_in off_out" }, { "clone", op_clone, "in out" }, { "dedupe", op_dedupe, "in out len" },
	{ "setfl", op_setfl, "fd flags" }, { "getflags", op_getflags, "fd" }, { "setflags", op_setflags, "fd flags" },
	{ NULL, NULL, NULL },
};
