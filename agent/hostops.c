/* ovlagent: session and host ops — ping, exit, root, closeall, mkdirp (absolute paths beneath the sandbox). */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static void op_ping(struct req *r)
{
	out_begin(r, "ok");
	out_kvi("pid", getpid());
	out_kvs("statx", statx_mode());
	out_end(r, true);
}

static void op_exit(struct req *r)
{
	reply_ok(r);
	agent_exit(0);
}

static void op_root(struct req *r)
{
	char *canon = need_sandbox_path(r, "path", true);
	int fd = open(canon, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		req_fail(r, errno, "root %s", canon);
	char *copy = strdup(canon);
	if (!copy) {
		close(fd);
		req_fail_errno(r, ENOMEM);
	}
	if (G.rootfd >= 0)
		close(G.rootfd);
	free(G.rootpath);
	G.rootfd = fd;
	G.rootpath = copy;
	out_begin(r, "ok");
	out_kvs("path", canon);
	out_end(r, true);
}

static void op_closeall(struct req *r)
{
	close_all_handles();
	reply_ok(r);
}

/* mkdir path, creating missing parents (never above minlen: the sandbox exists); 0 or -1/errno */
static int mkdir_parents(char *path, size_t minlen, unsigned mode)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	char *slash = strrchr(path, '/');
	if (!slash || (size_t)(slash - path) <= minlen) {
		errno = ENOENT;
		return -1;
	}
	*slash = '\0';
	int rc = mkdir_parents(path, minlen, mode);
	*slash = '/';
	if (rc)
		return rc;
	return mkdir(path, mode) == 0 || errno == EEXIST ? 0 : -1;
}

static void op_mkdirp(struct req *r)
{
	char *canon = need_sandbox_path(r, "path", true);
	unsigned mode = need_mode(r, "mode", 0755, false);
	if (mkdir_parents(canon, G.sandbox_len, mode))
		req_fail(r, errno, "mkdir %s", canon);
	struct stat st;
	if (stat(canon, &st))
		req_fail(r, errno, "stat %s", canon);
	if (!S_ISDIR(st.st_mode))
		req_fail(r, ENOTDIR, "%s exists and is not a directory", canon);
	reply_ok(r);
}

const struct opdef host_ops[] = {
	{ "ping", op_ping, "" },
	{ "exit", op_exit, "" },
	{ "root", op_root, "path" },
	{ "closeall", op_closeall, "" },
	{ "mkdirp", op_mkdirp, "path mode" },
	{ NULL, NULL, NULL },
};
