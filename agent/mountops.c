/* ovlagent: mounts (new mount API and legacy mount(2)), child processes, the bench floor. */
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

/* ---- the new mount API ------------------------------------------------------------------------- */

/* append the fs-context log (one message per read) to msg */
static void read_fc_log(int fsfd, char *msg, size_t msglen)
{
	char b[1024];
	for (;;) {
		ssize_t n = read(fsfd, b, sizeof b - 1);
		if (n <= 0)
			break;
		while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == ' '))
			n--;
		b[n] = '\0';
		const char *text = b;
		if (n > 2 && b[1] == ' ' && (b[0] == 'e' || b[0] == 'w' || b[0] == 'i'))
			text = b + 2;
		size_t used = strlen(msg);
		snprintf(msg + used, msglen - used, "%s%s", used ? "; " : "", text);
	}
}

int mount_new_api(const char *fstype, const char *source, const char *target, char *const *opts, size_t nopts,
		  bool ro, char *msg, size_t msglen)
{
	char step[160];
	int e = 0, mfd = -1;
	msg[0] = '\0';
	int fs = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fs < 0) {
		e = errno;
		snprintf(msg, msglen, "fsopen(%s)", fstype);
		return e;
	}
	if (source && fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0)) {
		snprintf(step, sizeof step, "fsconfig source");
		goto fail;
	}
	for (size_t i = 0; i < nopts; i++) {
		char *eq = strchr(opts[i], '=');
		int rc;
		if (eq) {
			*eq = '\0';
			rc = fsconfig(fs, FSCONFIG_SET_STRING, opts[i], eq + 1, 0);
			*eq = '=';
		} else {
			rc = fsconfig(fs, FSCONFIG_SET_FLAG, opts[i], NULL, 0);
		}
		if (rc) {
			snprintf(step, sizeof step, "fsconfig #%zu %.*s", i + 1,
				 (int)(eq ? (size_t)(eq - opts[i]) : strlen(opts[i])), opts[i]);
			goto fail;
		}
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		snprintf(step, sizeof step, "fsconfig create");
		goto fail;
	}
	mfd = fsmount(fs, FSMOUNT_CLOEXEC, ro ? MOUNT_ATTR_RDONLY : 0);
	if (mfd < 0) {
		snprintf(step, sizeof step, "fsmount");
		goto fail;
	}
	if (move_mount(mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH)) {
		snprintf(step, sizeof step, "move_mount");
		goto fail;
	}
	read_fc_log(fs, msg, msglen); /* warnings of a successful mount */
	close(mfd);
	close(fs);
	return 0;
fail:
	e = errno;
	snprintf(msg, msglen, "%s: ", step);
	size_t base = strlen(msg);
	read_fc_log(fs, msg + base, msglen - base);
	if (!msg[base])
		snprintf(msg + base, msglen - base, "%s", strerror(e));
	if (mfd >= 0)
		close(mfd);
	close(fs);
	return e;
}

static void remember_mount(const char *target)
{
	char **nm = realloc(G.mounts, (G.nmounts + 1) * sizeof *nm);
	if (!nm)
		return;
	G.mounts = nm;
	if ((G.mounts[G.nmounts] = strdup(target)))
		G.nmounts++;
}

static void forget_mount(const char *target)
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

static void check_layer(struct req *r, const char *path, const char *cwd)
{
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

/* overlay layer options must name directories beneath the sandbox */
static void check_overlay_opt(struct req *r, const char *opt, const char *cwd)
{
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
	char **opts = req_alloc(r, (r->nargs + 1) * sizeof *opts);
	size_t nopts = 0, total = 0;
	for (size_t i = 0; i < r->nargs; i++) {
		if (strcmp(r->args[i].key, "opt") == 0) {
			if (strlen(r->args[i].val) != r->args[i].len)
				req_fatal(r, "mount option contains a NUL byte");
			opts[nopts++] = r->args[i].val;
			total += r->args[i].len + 1;
		}
	}
	if (strcmp(fstype, "overlay") == 0)
		for (size_t i = 0; i < nopts; i++)
			check_overlay_opt(r, opts[i], cwd);
	if (!source)
		source = fstype;

	char *msg = req_alloc(r, 16384);
	msg[0] = '\0';
	int e = 0;
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
		if (mount(source, target, fstype, ro ? MS_RDONLY : 0, dl ? data : NULL))
			e = errno;
	} else {
		if (cwd && chdir(cwd))
			req_fail(r, errno, "chdir %s", cwd);
		e = mount_new_api(fstype, source, target, opts, nopts, ro, msg, 16384);
	}
	if (cwd && chdir("/"))
		agent_exit(5);
	if (e)
		req_fail(r, e, "%s", msg);
	remember_mount(target);
	out_begin(r, "ok");
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
		if (strcmp(r->args[i].key, "opt") == 0)
			opts[n++] = r->args[i].val;
	const char *size = arg_str(r, "size");
	if (size) {
		char *o = req_alloc(r, strlen(size) + 6);
		sprintf(o, "size=%s", size);
		opts[n++] = o;
	}
	char *msg = req_alloc(r, 4096);
	int e = mount_new_api("tmpfs", "tmpfs", target, opts, n, false, msg, 4096);
	if (e)
		req_fail(r, e, "%s", msg);
	remember_mount(target);
	reply_ok(r);
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

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool spawned_index(pid_t pid, size_t *idx)
{
	for (size_t i = 0; i < G.nspawned; i++) {
		if (G.spawned[i] == pid) {
			if (idx)
				*idx = i;
			return true;
		}
	}
	return false;
}

static void forget_spawned(pid_t pid)
{
	size_t i;
	if (spawned_index(pid, &i))
		G.spawned[i] = G.spawned[--G.nspawned];
}

static void op_waitmount(struct req *r)
{
	char *target = need_sandbox_path(r, "target", false);
	int64_t timeout = arg_i64(r, "timeout", 5000);
	const char *fstype = arg_str(r, "fstype");
	pid_t pid = (pid_t)arg_i64(r, "pid", 0);
	int64_t deadline = now_ns() + timeout * 1000000;
	long sleep_us = 200;
	char found[128] = "";
	for (;;) {
		int hit = find_mount(target, fstype, found, sizeof found);
		if (hit < 0)
			req_fail_errno(r, -hit);
		if (hit) {
			out_begin(r, "ok");
			out_kvs("fstype", found);
			out_end(r, true);
			return;
		}
		if (pid > 0) {
			int st;
			pid_t w = waitpid(pid, &st, WNOHANG);
			if (w == pid) {
				forget_spawned(pid);
				if (WIFSIGNALED(st))
					req_fail(r, ECHILD, "process %d was killed by signal %d before mounting", (int)pid,
						 WTERMSIG(st));
				req_fail(r, ECHILD, "process %d exited with status %d before mounting", (int)pid,
					 WEXITSTATUS(st));
			}
		}
		if (now_ns() >= deadline)
			req_fail(r, ETIMEDOUT, "no %s mount at %s after %lld ms%s%s", fstype ? fstype : "", target,
				 (long long)timeout, found[0] ? "; found " : "", found);
		usleep((useconds_t)sleep_us);
		if (sleep_us < 20000)
			sleep_us *= 2;
	}
}

/* ---- child processes ---------------------------------------------------------------------------- */

void kill_spawned(void)
{
	for (size_t i = 0; i < G.nspawned; i++) {
		kill(-G.spawned[i], SIGKILL);
		kill(G.spawned[i], SIGKILL);
	}
}

static void op_spawn(struct req *r)
{
	size_t n = 0, nenv = 0;
	char **av = req_alloc(r, (r->nargs + 1) * sizeof *av);
	char **env = req_alloc(r, (r->nargs + 1) * sizeof *env);
	for (size_t i = 0; i < r->nargs; i++) {
		if (strcmp(r->args[i].key, "argv") == 0)
			av[n++] = r->args[i].val;
		else if (strcmp(r->args[i].key, "env") == 0)
			env[nenv++] = r->args[i].val;
	}
	av[n] = NULL;
	if (n == 0)
		req_fatal(r, "spawn needs at least one argv=");
	const char *log = arg_str(r, "log") ? sandbox_path(r, arg_str(r, "log"), false) : NULL;
	const char *cwd = arg_str(r, "cwd") ? sandbox_path(r, arg_str(r, "cwd"), true) : "/";
	pid_t *np = realloc(G.spawned, (G.nspawned + 1) * sizeof *np);
	if (!np)
		req_fail_errno(r, ENOMEM);
	G.spawned = np;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC))
		req_fail_errno(r, errno);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pfd[0]);
		close(pfd[1]);
		req_fail_errno(r, e);
	}
	if (pid == 0) {
		int e;
		close(pfd[0]);
		setpgid(0, 0); /* its own group, so the client can kill everything it starts */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* and it dies with the agent */
		if (getppid() != parent)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		int in = open("/dev/null", O_RDONLY);
		int out = log ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0644) : open("/dev/null", O_WRONLY);
		if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			goto failed;
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC); /* nothing of the agent's leaks into the child */
		for (size_t i = 0; i < nenv; i++)
			if (putenv(env[i]))
				goto failed;
		if (chdir(cwd))
			goto failed;
		execvp(av[0], av);
failed:
		e = errno;
		if (write(pfd[1], &e, sizeof e) < 0)
			_exit(126);
		_exit(127);
	}
	setpgid(pid, pid); /* also from this side, so a kill of the group cannot race the child */
	close(pfd[1]);
	int e = 0;
	ssize_t got;
	do
		got = read(pfd[0], &e, sizeof e);
	while (got < 0 && errno == EINTR);
	close(pfd[0]);
	if (got == (ssize_t)sizeof e) {
		waitpid(pid, NULL, 0);
		req_fail(r, e, "cannot start %s", av[0]);
	}
	G.spawned[G.nspawned++] = pid;
	out_begin(r, "ok");
	out_kvi("pid", pid);
	out_end(r, true);
}

static void op_waitpid(struct req *r)
{
	pid_t pid = (pid_t)need_i64(r, "pid");
	int st;
	pid_t w = waitpid(pid, &st, arg_bool(r, "nohang") ? WNOHANG : 0);
	if (w < 0)
		req_fail_errno(r, errno);
	out_begin(r, "ok");
	if (w == 0) {
		out_kvs("exited", "0");
	} else {
		forget_spawned(pid);
		out_kvs("exited", "1");
		out_kvi("status", WIFEXITED(st) ? WEXITSTATUS(st) : 0);
		out_kvi("signal", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	}
	out_end(r, true);
}

static const struct flagname signals[] = {
	{ "SIGKILL", SIGKILL }, { "SIGTERM", SIGTERM }, { "SIGINT", SIGINT }, { "SIGHUP", SIGHUP },
	{ "SIGUSR1", SIGUSR1 }, { "SIGUSR2", SIGUSR2 }, { "SIGSTOP", SIGSTOP }, { "SIGCONT", SIGCONT },
	{ NULL, 0 },
};

static void op_kill(struct req *r)
{
	pid_t pid = (pid_t)need_i64(r, "pid");
	const char *s = arg_str(r, "sig");
	int sig = SIGKILL;
	if (s)
		sig = (*s >= '0' && *s <= '9') ? (int)arg_i64(r, "sig", SIGKILL)
					       : (int)parse_enum(r, "sig", signals, SIGKILL, false);
	if (!spawned_index(pid, NULL))
		req_fail(r, ESRCH, "%d is not a running process this agent spawned", (int)pid);
	if (kill(arg_bool(r, "group") ? -pid : pid, sig))
		req_fail_errno(r, errno);
	reply_ok(r);
}

/* ---- benchfloor: the physical floor of one scenario ------------------------------------------------ */

static void op_benchfloor(struct req *r)
{
	char *dir = need_sandbox_path(r, "dir", true);
	int64_t n = need_i64(r, "n");
	if (n < 1 || n > 1000000)
		req_fatal(r, "n must be in 1..1000000");
	char **extra = req_alloc(r, (r->nargs + 4) * sizeof *extra);
	size_t nextra = 3;
	for (size_t i = 0; i < r->nargs; i++)
		if (strcmp(r->args[i].key, "opt") == 0)
			extra[nextra++] = r->args[i].val;
	size_t dl = strlen(dir) + 32;
	char *l = req_alloc(r, dl), *u = req_alloc(r, dl), *w = req_alloc(r, dl), *m = req_alloc(r, dl);
	char *lf = req_alloc(r, dl), *mf = req_alloc(r, dl), *ww = req_alloc(r, dl), *wi = req_alloc(r, dl);
	snprintf(l, dl, "%s/bf.l", dir);
	snprintf(u, dl, "%s/bf.u", dir);
	snprintf(w, dl, "%s/bf.w", dir);
	snprintf(m, dl, "%s/bf.m", dir);
	snprintf(lf, dl, "%s/f", l);
	snprintf(mf, dl, "%s/f", m);
	snprintf(ww, dl, "%s/work", w);
	snprintf(wi, dl, "%s/index", w);
	char *o1 = req_alloc(r, dl + 16), *o2 = req_alloc(r, dl + 16), *o3 = req_alloc(r, dl + 16);
	snprintf(o1, dl + 16, "lowerdir+=%s", l);
	snprintf(o2, dl + 16, "upperdir=%s", u);
	snprintf(o3, dl + 16, "workdir=%s", w);
	extra[0] = o1;
	extra[1] = o2;
	extra[2] = o3;
	char msg[4096];
	int64_t t_mk = 0, t_mount = 0, t_stat = 0, t_umount = 0, t_rm = 0;
	int64_t start = now_ns();
	for (int64_t i = 0; i < n; i++) {
		int64_t a = now_ns();
		if (mkdir(l, 0755) || mkdir(u, 0755) || mkdir(w, 0755) || mkdir(m, 0755))
			req_fail(r, errno, "benchfloor mkdir in %s", dir);
		int fd = open(lf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "x", 1) != 1)
			req_fail(r, errno, "benchfloor write %s", lf);
		close(fd);
		int64_t b = now_ns();
		int e = mount_new_api("overlay", "overlay", m, extra, nextra, false, msg, sizeof msg);
		if (e)
			req_fail(r, e, "benchfloor mount: %s", msg);
		int64_t c = now_ns();
		struct statx st;
		if (statx(AT_FDCWD, mf, 0, STATX_BASIC_STATS, &st)) {
			e = errno;
			umount2(m, MNT_DETACH);
			req_fail(r, e, "benchfloor stat %s", mf);
		}
		int64_t d = now_ns();
		if (umount2(m, 0))
			req_fail(r, errno, "benchfloor umount %s", m);
		int64_t f = now_ns();
		if (unlink(lf) || (rmdir(ww) && errno != ENOENT) || (rmdir(wi) && errno != ENOENT) || rmdir(l) ||
		    rmdir(u) || rmdir(w) || rmdir(m))
			req_fail(r, errno, "benchfloor cleanup in %s", dir);
		int64_t g = now_ns();
		t_mk += b - a;
		t_mount += c - b;
		t_stat += d - c;
		t_umount += f - d;
		t_rm += g - f;
	}
	int64_t total = now_ns() - start;
	out_begin(r, "ok");
	out_kvi("ns", total / n);
	out_kvi("total_ns", total);
	out_kvi("n", n);
	out_kvi("mkdir_ns", t_mk / n);
	out_kvi("mount_ns", t_mount / n);
	out_kvi("stat_ns", t_stat / n);
	out_kvi("umount_ns", t_umount / n);
	out_kvi("rmdir_ns", t_rm / n);
	out_end(r, true);
}

const struct opdef mount_ops[] = {
	{ "mount", op_mount },
	{ "umount", op_umount },
	{ "tmpfs", op_tmpfs },
	{ "waitmount", op_waitmount },
	{ "spawn", op_spawn },
	{ "waitpid", op_waitpid },
	{ "kill", op_kill },
	{ "benchfloor", op_benchfloor },
	{ NULL, NULL },
};
