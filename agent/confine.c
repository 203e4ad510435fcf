/* ovlagent: what the agent and every daemon it starts can see. Inside the agent's private mount
 * namespace: the sandbox is bound onto itself nodev,nosuid (a device node a scenario makes cannot
 * reach a host device), then the agent pivots into a fresh root holding only the sandbox at its
 * usual path, read-only system directories (/usr, /lib*, /bin, /sbin), /proc, a few /dev nodes
 * (/dev/fuse, null, zero, full, random, urandom) and a minimal /etc (no shadow, no host secrets),
 * so a lower-layer symlink to /etc/shadow resolves inside that root. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char newroot[PATH_MAX]; /* where the new root is built: a tmpfs over the sandbox path */

static void setattr(const char *path, unsigned set, bool rec)
{
	struct mount_attr a = { .attr_set = set };
	if (mount_setattr(AT_FDCWD, path, rec ? AT_RECURSIVE : 0, &a, sizeof a))
		startup_fatal("mount_setattr %s: %s", path, strerror(errno));
}

/* newroot + path, with every directory of path created (mode 0755) */
static const char *inside(const char *path, bool last_is_dir)
{
	static char buf[PATH_MAX * 2];
	snprintf(buf, sizeof buf, "%s%s", newroot, path);
	for (char *p = buf + strlen(newroot) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			startup_fatal("mkdir %s: %s", buf, strerror(errno));
		*p = '/';
	}
	if (last_is_dir) {
		if (mkdir(buf, 0755) && errno != EEXIST)
			startup_fatal("mkdir %s: %s", buf, strerror(errno));
	} else {
		int fd = open(buf, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			startup_fatal("create %s: %s", buf, strerror(errno));
		close(fd);
	}
	return buf;
}

/* merged /usr: a host symlink such as /bin -> usr/bin is recreated as the same symlink in the new root */
static void copy_link_in(const char *path)
{
	char t[PATH_MAX];
	ssize_t n = readlink(path, t, sizeof t - 1);
	if (n < 0)
		startup_fatal("readlink %s: %s", path, strerror(errno));
	t[n] = '\0';
	char dst[PATH_MAX * 2];
	snprintf(dst, sizeof dst, "%s%s", newroot, path);
	if (symlink(t, dst) && errno != EEXIST)
		startup_fatal("symlink %s: %s", dst, strerror(errno));
}

/* bind host path (a directory, file or symlink) into the new root; ro for system directories */
static void bind_in(const char *path, bool ro, bool optional)
{
	struct stat st;
	if (lstat(path, &st)) {
		if (optional)
			return;
		startup_fatal("%s: %s", path, strerror(errno));
	}
	if (S_ISLNK(st.st_mode)) {
		copy_link_in(path);
		return;
	}
	const char *dst = inside(path, S_ISDIR(st.st_mode));
	if (mount(path, dst, NULL, MS_BIND | MS_REC, NULL))
		startup_fatal("bind %s: %s", path, strerror(errno));
	if (ro)
		setattr(dst, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, true);
}

static void write_in(const char *path, const char *text)
{
	const char *p = inside(path, false);
	int fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		startup_fatal("write %s: %s", p, strerror(errno));
	close(fd);
}

void confine(void)
{
	/* 1. no device node and no set-id file in the sandbox works as one (mknod still succeeds) */
	if (mount(G.sandbox, G.sandbox, NULL, MS_BIND | MS_REC, NULL))
		startup_fatal("binding the sandbox %s onto itself: %s", G.sandbox, strerror(errno));
	setattr(G.sandbox, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID, true);
	int sb = (int)open_tree(AT_FDCWD, G.sandbox, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (sb < 0)
		startup_fatal("open_tree %s: %s", G.sandbox, strerror(errno));
	/* 2. the new root: a tmpfs laid over the sandbox path (only in this namespace) */
	snprintf(newroot, sizeof newroot, "%s", G.sandbox);
	if (mount("ovlagent-root", newroot, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m"))
		startup_fatal("tmpfs for the agent's root: %s", strerror(errno));
	static const char *const sys[] = { "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", NULL };
	for (size_t i = 0; sys[i]; i++)
		bind_in(sys[i], true, true);
	static const char *const devs[] = { "/dev/fuse", "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", NULL };
	for (size_t i = 0; devs[i]; i++)
		bind_in(devs[i], false, true);
	bind_in("/proc", false, false);
	bind_in("/etc/ld.so.cache", true, true);
	bind_in("/etc/fuse.conf", true, true);
	write_in("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
	write_in("/etc/group", "root:x:0:\nnogroup:x:65534:\n");
	write_in("/etc/nsswitch.conf", "passwd: files\ngroup: files\n");
	char link[PATH_MAX * 2];
	snprintf(link, sizeof link, "%s/etc/mtab", newroot);
	if (symlink("/proc/self/mounts", link) && errno != EEXIST)
		startup_fatal("symlink %s: %s", link, strerror(errno));
	const char *tmp = inside("/tmp", true);
	chmod(tmp, 01777);
	inside("/root", true);
	/* 3. the sandbox at its usual path */
	const char *at = inside(G.sandbox, true);
	if (move_mount(sb, "", AT_FDCWD, at, MOVE_MOUNT_F_EMPTY_PATH))
		startup_fatal("placing the sandbox in the agent's root: %s", strerror(errno));
	close(sb);
	loop_keep(); /* squashfs lowers: a loop device is reached through these after the pivot */
	/* 4. pivot: the host's tree is gone from this namespace */
	const char *old = inside("/.oldroot", true);
	if (chdir(newroot) || syscall(SYS_pivot_root, ".", old + strlen(newroot) + 1))
		startup_fatal("pivot_root %s: %s", newroot, strerror(errno));
	if (umount2("/.oldroot", MNT_DETACH) || rmdir("/.oldroot") || chdir("/"))
		startup_fatal("dropping the old root: %s", strerror(errno));
	setattr("/", MOUNT_ATTR_RDONLY, false); /* the skeleton itself is read-only */
}

/* bind a host path into the new root with mount(2) only (no mount_setattr: gVisor has none) */
static void bind_legacy(const char *path, bool ro)
{
	struct stat st;
	if (lstat(path, &st))
		return; /* not on this system */
	if (S_ISLNK(st.st_mode)) {
		copy_link_in(path);
		return;
	}
	const char *dst = inside(path, S_ISDIR(st.st_mode));
	if (mount(path, dst, NULL, MS_BIND, NULL))
		startup_fatal("bind %s: %s", path, strerror(errno));
	/* gVisor refuses a read-only remount of a bind (EINVAL); there the host tree is read-only
	 * already (runsc do lays its root out read-only) and nothing written in the sandbox reaches it */
	if (ro && mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) && errno != EINVAL)
		startup_fatal("read-only %s: %s", dst, strerror(errno));
}

void confine_chroot(void)
{
	/* --ns chroot (gVisor: no mount namespace of the agent's own and no new mount API, but the
	 * sandbox runtime keeps every mount made here away from the host): the same root as
	 * confine()'s, built on a tmpfs inside the sandbox, entered with chroot. The host's tree
	 * (which runsc do shows read-only) is then out of reach of a layer's absolute symlink. */
	snprintf(newroot, sizeof newroot, "%s/.agent-root", G.sandbox);
	if (mkdir(newroot, 0755) && errno != EEXIST)
		startup_fatal("mkdir %s: %s", newroot, strerror(errno));
	if (mount("ovlagent-root", newroot, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m"))
		startup_fatal("tmpfs for the agent's root: %s", strerror(errno));
	static const char *const sys[] = { "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", NULL };
	for (size_t i = 0; sys[i]; i++)
		bind_legacy(sys[i], true);
	static const char *const devs[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", NULL };
	for (size_t i = 0; devs[i]; i++)
		bind_legacy(devs[i], false);
	if (mount("proc", inside("/proc", true), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		startup_fatal("proc in the agent's root: %s", strerror(errno));
	bind_legacy("/etc/ld.so.cache", true);
	write_in("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
	write_in("/etc/group", "root:x:0:\nnogroup:x:65534:\n");
	write_in("/etc/nsswitch.conf", "passwd: files\ngroup: files\n");
	chmod(inside("/tmp", true), 01777);
	inside("/root", true);
	/* the sandbox at its usual path (not recursively: the root's own tmpfs stays out) */
	if (mount(G.sandbox, inside(G.sandbox, true), NULL, MS_BIND, NULL))
		startup_fatal("binding the sandbox into the agent's root: %s", strerror(errno));
	if (chdir(newroot) || chroot(".") || chdir("/"))
		startup_fatal("chroot %s: %s", newroot, strerror(errno));
}
