/* ovlagent: extended attributes (setxattr, getxattr, listxattr, removexattr) on an fd or a path. */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#define XBUF (65536 + 1) /* XATTR_SIZE_MAX and XATTR_LIST_MAX are 64 KiB */

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

const struct opdef xattr_ops[] = {
	{ "setxattr", op_setxattr, "path fd nofollow name value flags" },
	{ "getxattr", op_getxattr, "path fd nofollow name" },
	{ "listxattr", op_listxattr, "path fd nofollow" },
	{ "removexattr", op_removexattr, "path fd nofollow name" },
	{ NULL, NULL, NULL },
};
