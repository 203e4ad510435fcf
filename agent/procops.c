/* ovlagent: child processes the agent starts and owns (spawn, waitpid, kill). */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool spawned_index(pid_t pid, size_t *idx)
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

void forget_spawned(pid_t pid)
{
	size_t i;
	if (spawned_index(pid, &i))
		G.spawned[i] = G.spawned[--G.nspawned];
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
		if (arg_is(r, &r->args[i], "argv"))
			av[n++] = r->args[i].val;
		else if (arg_is(r, &r->args[i], "env"))
			env[nenv++] = r->args[i].val;
	}
	av[n] = NULL;
	if (n == 0)
		req_fatal(r, "spawn needs at least one argv=");
	const char *log = arg_str(r, "log") ? sandbox_path(r, arg_str(r, "log"), false) : NULL;
	const char *cwd = arg_str(r, "cwd") ? sandbox_path(r, arg_str(r, "cwd"), true) : "/";
	/* defence in depth: layer options in a daemon's argv (-o lowerdir=…,upperdir=…) stay in the sandbox */
	for (size_t i = 1; i < n; i++)
		check_path_opts(r, av[i], cwd, true);
	pid_t *np = realloc(G.spawned, (G.nspawned + 1) * sizeof *np);
	if (!np)
		req_fail_errno(r, ENOMEM);
	G.spawned = np;
	/* argv[0] on the agent's PATH, looked up once per name (unless env= sets PATH: then execvp's own) */
	bool ownpath = false;
	for (size_t i = 0; i < nenv; i++)
		ownpath = ownpath || strncmp(env[i], "PATH=", 5) == 0;
	const char *file = ownpath ? NULL : path_lookup(av[0]);
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
		setrlimit(RLIMIT_NOFILE, &G.nofile0); /* the agent raised its own for deep tree walks */
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
		if (file)
			execv(file, av); /* what execvp would run; on any failure execvp decides, as before */
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
	G.lastspawn = pid;
	out_begin(r, "ok");
	out_kvi("pid", pid);
	out_end(r, true);
}

int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int child_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

void wait_events(struct pollfd *fds, int nfds, int64_t deadline_ns, long backstop_ms)
{
	int64_t now = mono_ns(), left = deadline_ns - now, cap = (int64_t)backstop_ms * 1000000;
	if (left > cap)
		left = cap;
	if (left <= 0)
		return;
	struct timespec ts = { .tv_sec = left / 1000000000, .tv_nsec = left % 1000000000 };
	while (ppoll(fds, (nfds_t)nfds, &ts, NULL) < 0 && errno == EINTR)
		;
}

/* waitpid, with nohang=1 a poll, with timeout=MS a wait of at most MS for the exit (woken by the
 * child's pidfd, not by polling): `exited=0` when it still runs then */
static void op_waitpid(struct req *r)
{
	pid_t pid = (pid_t)need_i64(r, "pid");
	int64_t timeout = arg_i64(r, "timeout", -1);
	bool nohang = arg_bool(r, "nohang") || timeout >= 0;
	int st;
	pid_t w = waitpid(pid, &st, nohang ? WNOHANG : 0);
	if (w == 0 && timeout > 0) {
		int64_t start = mono_ns();
		int64_t deadline = timeout > (INT64_MAX - start) / 1000000 ? INT64_MAX : start + timeout * 1000000;
		struct pollfd pfd = { .fd = child_pidfd(pid), .events = POLLIN };
		/* without a pidfd (an old kernel, a sandbox): woken every 5 ms to look again */
		long backstop = pfd.fd >= 0 ? 1000 : 5;
		while ((w = waitpid(pid, &st, WNOHANG)) == 0 && mono_ns() < deadline)
			wait_events(&pfd, pfd.fd >= 0 ? 1 : 0, deadline, backstop);
		if (pfd.fd >= 0)
			close(pfd.fd);
	}
	if (w < 0)
		req_fail_errno(r, errno);
	/* gone=1: still running after the wait is a failure, so an `ifok` request after it runs only once it exited */
	if (w == 0 && arg_bool(r, "gone"))
		req_fail(r, ETIMEDOUT, "process %d still runs", (int)pid);
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

const struct opdef proc_ops[] = {
	{ "spawn", op_spawn, "argv env log cwd" },
	{ "waitpid", op_waitpid, "pid timeout nohang gone" },
	{ "kill", op_kill, "pid sig group" },
	{ NULL, NULL, NULL },
};
