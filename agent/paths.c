/* ovlagent: path checks — scenario paths stay beneath the root, host paths beneath the sandbox. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int sys_openat2(int dfd, const char *path, int flags, unsigned mode, uint64_t resolve)
{
	struct open_how how;
	memset(&how, 0, sizeof how);
	how.flags = (uint64_t)(unsigned)flags;
	how.mode = mode;
	how.resolve = resolve;
	for (int tries = 0;; tries++) {
		long fd = syscall(SYS_openat2, dfd, path, &how, sizeof how);
		/* EAGAIN: a concurrent rename/mount raced the BENEATH check; retry a little */
		if (fd < 0 && errno == EAGAIN && tries < 64)
			continue;
		return (int)fd;
	}
}

void check_beneath(struct req *r, const char *path, bool follow)
{
	int fd = sys_openat2(G.rootfd, path, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW), 0,
			     RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
	if (fd >= 0) {
		close(fd);
		return;
	}
	if (errno == EXDEV)
		req_escape(r, "%s resolves outside the root", path);
	/* any other error: the real syscall runs and reports its own errno */
}

const char *need_path(struct req *r, const char *key, bool follow)
{
	const char *p = need_str(r, key);
	if (G.rootfd < 0)
		req_fatal(r, "no root set: send `root path=…` first");
	check_beneath(r, p, follow);
	return p;
}

const char *procpath(int dirfd, const char *rel)
{
	static char buf[PATH_MAX * 4];
	snprintf(buf, sizeof buf, "/proc/self/fd/%d/%s", dirfd, rel);
	return buf;
}

bool path_beneath(const char *canon, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return canon[0] == '/';
	return strncmp(canon, dir, n) == 0 && (canon[n] == '\0' || canon[n] == '/');
}

/* realpath(3) of an existing path through the kernel's own name of it: one lookup (open O_PATH)
 * and the readlink of its descriptor, where glibc's realpath makes a readlink of every prefix, each
 * a lookup from the root (~250 a kernel scenario). Anything but a plain absolute name back (no
 * /proc, a deleted entry, a name longer than the buffer, one outside the process's root) is left
 * to realpath(3). Returns malloc'd text, or NULL with errno. */
static char *canonical(const char *path)
{
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char link[40], buf[PATH_MAX];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, sizeof buf - 1);
	close(fd);
	static const char deleted[] = " (deleted)";
	size_t dl = sizeof deleted - 1;
	if (n <= 0 || n >= (ssize_t)sizeof buf - 1 || buf[0] != '/' ||
	    ((size_t)n >= dl && memcmp(buf + n - dl, deleted, dl) == 0))
		return realpath(path, NULL);
	buf[n] = '\0';
	return strdup(buf);
}

/* realpath of the longest existing prefix of norm (an absolute, lexically clean path),
 * with the missing rest appended. Returns malloc'd text, or NULL with errno. */
static char *resolve_prefix(const char *norm)
{
	char *work = strdup(norm);
	if (!work)
		return NULL;
	size_t len = strlen(work);
	for (;;) {
		char *rp = canonical(work[0] ? work : "/");
		if (rp) {
			const char *rest = norm + len; /* "" or "/x/y" */
			size_t rl = strlen(rp);
			char *out = malloc(rl + strlen(rest) + 2);
			if (!out) {
				free(rp);
				free(work);
				return NULL;
			}
			if (rl == 1 && *rest)
				strcpy(out, rest); /* rp is "/" */
			else
				sprintf(out, "%s%s", rp, rest);
			free(rp);
			free(work);
			return out;
		}
		struct stat st;
		if (errno == ENOENT && lstat(work, &st) == 0) {
			/* the entry is there: a dangling symlink, whose target (perhaps outside the sandbox,
			 * perhaps not visible in the agent's root) cannot be proven beneath anything */
			free(work);
			errno = EXDEV;
			return NULL;
		}
		if (errno != ENOENT || len <= 1) {
			int e = errno;
			free(work);
			errno = e;
			return NULL;
		}
		char *slash = strrchr(work, '/');
		len = (size_t)(slash - work);
		*slash = '\0';
	}
}

char *sandbox_path(struct req *r, const char *path, bool follow_last)
{
	if (path[0] != '/')
		req_fatal(r, "host path must be absolute: %s", path);
	/* lexical clean-up; `..` is never accepted in a host path */
	size_t plen = strlen(path);
	char *norm = malloc(plen + 2);
	if (!norm)
		req_fail_errno(r, ENOMEM);
	size_t w = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			free(norm);
			req_escape(r, "host path contains ..: %s", path);
		}
		if (!(n == 1 && p[0] == '.')) {
			norm[w++] = '/';
			memcpy(norm + w, p, n);
			w += n;
		}
		p += n;
	}
	norm[w] = '\0';
	if (w == 0)
		strcpy(norm, "/");

	char *canon;
	if (follow_last || strcmp(norm, "/") == 0) {
		canon = resolve_prefix(norm);
	} else {
		char *slash = strrchr(norm, '/');
		char *base = strdup(slash + 1);
		if (slash == norm)
			slash[1] = '\0';
		else
			*slash = '\0';
		char *parent = base ? resolve_prefix(norm) : NULL;
		canon = NULL;
		if (parent) {
			canon = malloc(strlen(parent) + strlen(base) + 2);
			if (canon)
				sprintf(canon, "%s%s%s", parent, strcmp(parent, "/") == 0 ? "" : "/", base);
		}
		int e = errno;
		free(parent);
		free(base);
		errno = e;
	}
	free(norm);
	if (!canon && errno == EXDEV)
		req_escape(r, "%s goes through a dangling symlink", path);
	if (!canon)
		req_fail(r, errno, "resolving %s", path);
	if (!path_beneath(canon, G.sandbox)) {
		char msg[PATH_MAX + 64];
		snprintf(msg, sizeof msg, "%s is outside the sandbox", canon);
		free(canon);
		req_escape(r, "%s", msg);
	}
	return req_keep(canon);
}

char *need_sandbox_path(struct req *r, const char *key, bool follow_last)
{
	return sandbox_path(r, need_str(r, key), follow_last);
}

/* statx with AT_NO_AUTOMOUNT where the kernel takes it. gVisor answers EINVAL to that flag: then
 * the call is repeated without it, and later calls leave it out (an automount point is then
 * triggered rather than reported; a sandbox directory holds none).
 * OVLAGENT_FORCE_STATX_FALLBACK=1 in the environment makes the flag count as refused (tests). */
static int statx_state; /* 0 unknown, 1 the flag works, 2 it does not */

int statx_noauto(int dfd, const char *path, int flags, unsigned mask, struct statx *st)
{
	if (statx_state == 0 && getenv("OVLAGENT_FORCE_STATX_FALLBACK"))
		statx_state = 2;
	if (statx_state == 2)
		return statx(dfd, path, flags & ~AT_NO_AUTOMOUNT, mask, st);
	int rc = statx(dfd, path, flags | AT_NO_AUTOMOUNT, mask, st);
	if (rc == 0) {
		statx_state = 1;
		return 0;
	}
	if (errno != EINVAL || statx_state == 1) /* the flag worked before: this EINVAL is the call's own */
		return rc;
	rc = statx(dfd, path, flags & ~AT_NO_AUTOMOUNT, mask, st);
	if (rc == 0 || errno != EINVAL) /* the flag alone was refused */
		statx_state = 2;
	else
		errno = EINVAL;
	return rc;
}

/* "no_automount" or "plain": which statx form tree walks use here (the ping reply says it) */
const char *statx_mode(void)
{
	struct statx st;
	if (statx_state == 0)
		statx_noauto(AT_FDCWD, "/", 0, STATX_TYPE, &st);
	return statx_state == 2 ? "plain" : "no_automount";
}
