/* ovlagent: file locks (flock, fcntl record and OFD locks). */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

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

const struct opdef lock_ops[] = {
	{ "flock", op_flock, "fd op nonblock" },
	{ "lock", op_lock, "fd cmd type start len" },
	{ NULL, NULL, NULL },
};
