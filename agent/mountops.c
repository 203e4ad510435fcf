/* ovlagent: mounts (new mount API and legacy mount(2)), umount, tmpfs, waitmount. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LEGACY_MAX 4095 /* mount(2) copies one page: longer option strings are cut silently */


static void remember_mount(const char *target)
{
	char **nm = realloc(G.mounts, (G.nmounts + 1) * sizeof *nm);
	if (!nm)
		return;
	G.mounts = nm;
	if ((G.mounts[G.nmounts] = strdup(target)))
		G.nmounts++;
}

void forget_mount(const char *target)
{
	for (size_t i = G.nmounts; i-- > 0;) {
		if (strcmp(G.mounts[i], target) == 0) {
			free(G.mounts[i]);
			memmove(G.mounts + i, G.mounts + i + 1, (G.nmounts - i - 1) * sizeof *G.mounts);
			G.nmounts--;
			return;
		}
	}
}

/* ---- mount / umount / tmpfs ---------------------------------------------------------------------- */

/* a daemon's argv may be a shell script ("upperdir=$2"): there only absolute values and
 * relative ones climbing with ".." are taken as paths */
static bool argv_mode;

static bool climbs(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	return false;
}

static void check_layer(struct req *r, const char *path, const char *cwd)
{
	if (argv_mode && path[0] != '/' && !climbs(path))
		return;
	if (path[0] == '/') {
		sandbox_path(r, path, true);
		return;
	}
	if (!cwd)
		req_escape(r, "relative layer path %s without cwd", path);
	char *joined = req_alloc(r, strlen(cwd) + strlen(path) + 2);
	sprintf(joined, "%s/%s", cwd, path);
	sandbox_path(r, joined, true);
}

/* path-valued options (overlay's layer keys) must name directories beneath the sandbox */
static void check_overlay_opt(struct req *r, const char *opt, const char *cwd)
{
	if (opt[0] == '-' && opt[1] == 'o') /* a daemon's -oKEY=VALUE */
		opt += 2;
	const char *eq = strchr(opt, '=');
	if (!eq)
		return;
	size_t kl = (size_t)(eq - opt);
	const char *v = eq + 1;
#define KEY(k) (kl == strlen(k) && strncmp(opt, k, kl) == 0)
	if (KEY("upperdir") || KEY("workdir") || KEY("lowerdir+") || KEY("datadir+")) {
		check_layer(r, v, cwd);
	} else if (KEY("lowerdir")) {
		/* ':'-separated ("::" before data-only layers), '\' escapes */
		char *one = req_alloc(r, strlen(v) + 1);
		size_t n = 0;
		for (const char *p = v;; p++) {
			if (*p == '\\' && p[1]) {
				one[n++] = *++p;
				continue;
			}
			if (*p == ':' || !*p) {
				one[n] = '\0';
				if (n)
					check_layer(r, one, cwd);
				n = 0;
				if (!*p)
					break;
				continue;
			}
			one[n++] = *p;
		}
	}
#undef KEY
}

/* every ','-separated piece of s, as a legacy mount(2) string, a daemon's -o argument or a value
 * smuggling more options ("off,upperdir=/x") would be split: each checked as an option */
void check_path_opts(struct req *r, const char *s, const char *cwd, bool argv)
{
	argv_mode = argv;
	char *copy = req_alloc(r, strlen(s) + 1);
	strcpy(copy, s);
	char *save = NULL;
	const char *sep = argv ? ", \t\n'\";" : ","; /* in a script, words too */
	for (char *piece = strtok_r(copy, sep, &save); piece; piece = strtok_r(NULL, sep, &save))
		check_overlay_opt(r, piece, cwd);
	argv_mode = false;
}

static void op_mount(struct req *r)
{
	const char *fstype = need_str(r, "fstype");
	const char *source = arg_str(r, "source");
	char *target = need_sandbox_path(r, "target", true);
	const char *api = arg_str(r, "api");
	bool legacy = api && strcmp(api, "legacy") == 0;
	if (api && !legacy && strcmp(api, "new") != 0)
		req_fatal(r, "api must be new or legacy: %s", api);
	const char *cwd = arg_str(r, "cwd") ? sandbox_path(r, arg_str(r, "cwd"), true) : NULL;
	bool ro = arg_bool(r, "ro");
	bool dev = arg_bool(r, "dev"); /* device semantics: only for a scenario that declares device-open */
	char **opts = req_alloc(r, (r->nargs + 1) * sizeof *opts);
	size_t nopts = 0, total = 0;
	for (size_t i = 0; i < r->nargs; i++) {
		if (arg_is(r, &r->args[i], "opt")) {
			if (strlen(r->args[i].val) != r->args[i].len)
				req_fatal(r, "mount option contains a NUL byte");
			opts[nopts++] = r->args[i].val;
			total += r->args[i].len + 1;
		}
	}
	/* any fstype, and both as given (new API keys) and as mount(2) would split them */
	for (size_t i = 0; i < nopts; i++) {
		check_path_opts(r, opts[i], cwd, false); /* first: it also clears a stale argv_mode */
		check_overlay_opt(r, opts[i], cwd);
	}
	if (!source)
		source = fstype;
	else if (source[0] == '/' && strcmp(fstype, "overlay") != 0 && strcmp(fstype, "tmpfs") != 0)
		sandbox_path(r, source, true); /* an image or device to mount: only from the sandbox */

	/* an image file of a block-device filesystem: through a read-only AUTOCLEAR loop device */
	int loopfd = -1;
	char loopname[32] = "", loopsrc[64];
	bool loop = arg_bool(r, "loop");
	if (loop && (!source || source[0] != '/' || legacy || cwd))
		req_fatal(r, "loop needs the image file as an absolute source, api=new and no cwd");
	char *msg = req_alloc(r, 16384);
	msg[0] = '\0';
	int e = 0;
	if (legacy && arg_str(r, "creator"))
		req_fatal(r, "creator needs the new mount API");
	if (legacy) {
		char *data = req_alloc(r, total + 1);
		data[0] = '\0';
		for (size_t i = 0, off = 0; i < nopts; i++)
			off += (size_t)sprintf(data + off, "%s%s", i ? "," : "", opts[i]);
		size_t dl = strlen(data);
		if (dl > LEGACY_MAX)
			req_fail(r, E2BIG, "option string is %zu bytes; mount(2) would cut it at %d", dl, LEGACY_MAX);
		if (cwd && chdir(cwd))
			req_fail(r, errno, "chdir %s", cwd);
		if (mount(source, target, fstype, (ro ? MS_RDONLY : 0) | (dev ? 0 : MS_NODEV | MS_NOSUID), dl ? data : NULL))
			e = errno;
	} else {
		if (cwd && chdir(cwd))
			req_fail(r, errno, "chdir %s", cwd);
		struct mount_creds cr = { 0, false };
		const char *via = arg_str(r, "credsvia");
		bool as = arg_str(r, "creator") != NULL;
		if (as) {
			int64_t u = arg_i64(r, "creator", 0);
			if (u <= 0 || u > 4294967294LL)
				req_fatal(r, "creator must be a uid from 1 to 4294967294");
			cr.uid = (unsigned)u;
			if (via && strcmp(via, "override") == 0)
				cr.override = true;
			else if (via && strcmp(via, "create") != 0)
				req_fatal(r, "credsvia must be create or override: %s", via);
		}
		if (loop) { /* nothing between attaching and the close below can leave the request */
			loopfd = loop_attach(r, source, loopname, sizeof loopname);
			snprintf(loopsrc, sizeof loopsrc, "/proc/self/fd/%d", loopfd);
			source = loopsrc;
		}
		e = mount_new_api_as(fstype, source, target, opts, nopts, ro, dev, as ? &cr : NULL, msg, 16384);
	}
	if (cwd && chdir("/"))
		agent_exit(5);
	if (loopfd >= 0)
		close(loopfd); /* mounted: the filesystem holds the device; refused: AUTOCLEAR detaches it now */
	if (e)
		req_fail(r, e, "%s", msg);
	remember_mount(target);
	out_begin(r, "ok");
	if (loopname[0])
		out_kvs("loop", loopname);
	if (msg[0])
		out_kvs("log", msg);
	out_end(r, true);
}

static void op_umount(struct req *r)
{
	/* lexical for the last component: never stat a mount point that may be a dead FUSE fs */
	char *target = need_sandbox_path(r, "target", false);
	int flags = UMOUNT_NOFOLLOW | (arg_bool(r, "detach") ? MNT_DETACH : 0);
	bool dropped = false;
	if (G.rootpath && path_beneath(G.rootpath, target)) { /* the root fd would keep it busy */
		close(G.rootfd);
		G.rootfd = -1;
		dropped = true;
	}
	if (umount2(target, flags)) {
		int e = errno;
		if (dropped) { /* still mounted: the root stays what it was */
			G.rootfd = open(G.rootpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (G.rootfd < 0) {
				free(G.rootpath);
				G.rootpath = NULL;
			}
		}
		req_fail_errno(r, e);
	}
	if (dropped) {
		free(G.rootpath);
		G.rootpath = NULL;
	}
	forget_mount(target);
	out_begin(r, "ok");
	if (dropped)
		out_kvs("root_dropped", "1");
	out_end(r, true);
}

static void op_tmpfs(struct req *r)
{
	char *target = need_sandbox_path(r, "target", true);
	char **opts = req_alloc(r, (r->nargs + 1) * sizeof *opts);
	size_t n = 0;
	for (size_t i = 0; i < r->nargs; i++)
		if (arg_is(r, &r->args[i], "opt"))
			opts[n++] = r->args[i].val;
	const char *size = arg_str(r, "size");
	if (size) {
		char *o = req_alloc(r, strlen(size) + 6);
		sprintf(o, "size=%s", size);
		opts[n++] = o;
	}
	char *msg = req_alloc(r, 4096);
	int e = mount_new_api("tmpfs", "tmpfs", target, opts, n, false, arg_bool(r, "dev"), msg, 4096);
	if (e)
		req_fail(r, e, "%s", msg);
	remember_mount(target);
	reply_ok(r);
}

/* a daemon's mount gets the harness's device semantics, whatever its argv or libfuse's default
 * (nodev for root's mounts): nodev,nosuid, or with dev (a scenario that declares device-open) nosuid
 * with nodev cleared, as the agent's own mounts with dev=1 */
int mount_nodev(const char *target, bool dev)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_NOSUID | (dev ? 0 : MOUNT_ATTR_NODEV), .attr_clr = dev ? MOUNT_ATTR_NODEV : 0 };
	return mount_setattr(AT_FDCWD, target, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, &a, sizeof a) ? -1 : 0;
}

/* ---- waitmount ------------------------------------------------------------------------------------ */

/* undo mountinfo's octal escapes (\040 for a space…) in place */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
		    p[3] <= '7') {
			*w++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
}

static bool type_matches(const char *have, const char *want)
{
	if (!want)
		return true;
	size_t n = strlen(want);
	return strcmp(have, want) == 0 || (strncmp(have, want, n) == 0 && have[n] == '.');
}

/* 1 when a mount of the wanted type sits at target (last mount wins), 0 when not, -errno */
static int find_mount(const char *target, const char *fstype, char *found, size_t foundlen)
{
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (!buf)
		return -ENOMEM;
	buf[len] = '\0';
	int hit = 0;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[8] = { 0 }, *tsave = NULL, *tok;
		int i = 0;
		const char *type = NULL;
		bool after_sep = false;
		for (tok = strtok_r(line, " ", &tsave); tok; tok = strtok_r(NULL, " ", &tsave)) {
			if (after_sep) {
				type = tok;
				break;
			}
			if (strcmp(tok, "-") == 0 && i >= 6)
				after_sep = true;
			else if (i < 8)
				f[i++] = tok;
		}
		if (!f[4] || !type)
			continue;
		unescape_octal(f[4]);
		if (strcmp(f[4], target) == 0) {
			/* the last mount at target is the visible one */
			hit = type_matches(type, fstype);
			snprintf(found, foundlen, "%s", type);
		}
	}
	free(buf);
	return hit;
}

/* Waits for the mount table to change, not a clock: /proc/self/mountinfo polls POLLPRI on every
 * mount or unmount in the namespace since the last poll (or the open), and the daemon's pidfd
 * turns readable when it exits. The 20 ms backstop only bounds a wake-up the kernel would not give. */
static void op_waitmount(struct req *r)
{
	char *target = need_sandbox_path(r, "target", false);
	int64_t timeout = arg_i64(r, "timeout", 5000);
	const char *fstype = arg_str(r, "fstype");
	/* spawned=1: the process the last spawn started (pipelined right after it, with ifok=1) */
	pid_t pid = arg_bool(r, "spawned") ? G.lastspawn : (pid_t)arg_i64(r, "pid", 0);
	if (arg_bool(r, "spawned") && pid <= 0)
		req_fatal(r, "waitmount spawned=1 needs a spawn before it");
	if (timeout < 0)
		req_fatal(r, "timeout must be >= 0 ms, got %lld", (long long)timeout);
	/* saturate instead of overflowing: timeout=INT64_MAX means "no deadline", not "already passed" */
	int64_t start = mono_ns();
	int64_t deadline = timeout > (INT64_MAX - start) / 1000000 ? INT64_MAX : start + timeout * 1000000;
	/* opened before the first look: a mount made after it wakes the poll below */
	struct pollfd fds[2] = { { .fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC), .events = POLLPRI },
				 { .fd = pid > 0 ? child_pidfd(pid) : -1, .events = POLLIN } };
	int nfds = fds[0].fd < 0 ? 0 : fds[1].fd < 0 ? 1 : 2;
	if (nfds == 0 && fds[1].fd >= 0) /* keep the pidfd first when mountinfo cannot be watched */
		fds[0] = fds[1], fds[1].fd = -1, nfds = 1;
	/* without either event source a look every 2 ms; with both, the backstop only */
	long backstop = nfds == 0 || (pid > 0 && nfds < 2) ? 2 : 20;
	char found[128] = "";
	int e = 0;
	const char *why = NULL;
	int st = 0;
	for (;;) {
		int hit = find_mount(target, fstype, found, sizeof found);
		if (hit < 0) {
			e = -hit;
			break;
		}
		if (hit) {
			/* a daemon's mount is nodev,nosuid like every other (dev=1: nosuid only), whatever its argv said */
			if (mount_nodev(target, arg_bool(r, "dev"))) {
				e = errno;
				why = "setattr";
			}
			break;
		}
		if (pid > 0) {
			pid_t w = waitpid(pid, &st, WNOHANG);
			if (w == pid) {
				forget_spawned(pid);
				e = ECHILD;
				break;
			}
		}
		if (mono_ns() >= deadline) {
			e = ETIMEDOUT;
			break;
		}
		wait_events(fds, nfds, deadline, backstop);
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	if (e == ECHILD && WIFSIGNALED(st))
		req_fail(r, ECHILD, "process %d was killed by signal %d before mounting", (int)pid, WTERMSIG(st));
	if (e == ECHILD)
		req_fail(r, ECHILD, "process %d exited with status %d before mounting", (int)pid, WEXITSTATUS(st));
	if (e == ETIMEDOUT)
		req_fail(r, ETIMEDOUT, "no %s mount at %s after %lld ms%s%s", fstype ? fstype : "", target,
			 (long long)timeout, found[0] ? "; found " : "", found);
	if (e && why)
		req_fail(r, e, "mount_setattr nodev,nosuid %s", target);
	if (e)
		req_fail_errno(r, e);
	out_begin(r, "ok");
	out_kvs("fstype", found);
	out_end(r, true);
}

/* device semantics on or off for one mount this agent made (the posix baseline's tmpfs, per
 * scenario): dev=1 clears nodev (nosuid stays), else nodev,nosuid are set. Never the sandbox
 * itself nor any mount the agent did not make. */
static void op_mountattr(struct req *r)
{
	char *target = need_sandbox_path(r, "target", false);
	bool mine = false;
	for (size_t i = 0; i < G.nmounts && !mine; i++)
		mine = strcmp(G.mounts[i], target) == 0;
	if (!mine)
		req_fail(r, EPERM, "%s is not a mount this agent made", target);
	bool dev = arg_bool(r, "dev");
	struct mount_attr a = { .attr_set = dev ? 0 : MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID, .attr_clr = dev ? MOUNT_ATTR_NODEV : 0 };
	if (mount_setattr(AT_FDCWD, target, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, &a, sizeof a))
		req_fail(r, errno, "mount_setattr %s", target);
	reply_ok(r);
}

const struct opdef mount_ops[] = {
	{ "mount", op_mount, "fstype source target opt api cwd ro dev loop creator credsvia" },
	{ "mountattr", op_mountattr, "target dev" },
	{ "umount", op_umount, "target detach" },
	{ "tmpfs", op_tmpfs, "target opt size dev" },
	{ "waitmount", op_waitmount, "target timeout fstype spawned pid dev" },
	{ NULL, NULL, NULL },
};
