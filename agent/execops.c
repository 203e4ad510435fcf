/* ovlagent: programs executed from beneath the root (execveat of a scenario path) that keep
 * running until `closeall`, so their image is "in use" (ETXTBSY for writers) while later ops run. */
#include "agent.h"
#include <dirent.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t *running;
static size_t nrunning, caprunning;

/* kill and reap every program `exec` started (closeall, before any unmount) */
void close_execs(void)
{
	for (size_t i = 0; i < nrunning; i++) {
		kill(running[i], SIGKILL);
		while (waitpid(running[i], NULL, 0) < 0 && errno == EINTR)
			;
		forget_spawned(running[i]);
	}
	nrunning = 0;
}

static void remember(struct req *r, pid_t pid)
{
	if (nrunning == caprunning) {
		size_t n = caprunning ? caprunning * 2 : 8;
		pid_t *p = realloc(running, n * sizeof *p);
		pid_t *s = realloc(G.spawned, (G.nspawned + 1) * sizeof *s);
		if (s)
			G.spawned = s;
		if (!p || !s) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			req_fail(r, ENOMEM, "cannot track the started program");
		}
		running = p;
		caprunning = n;
	} else {
		pid_t *s = realloc(G.spawned, (G.nspawned + 1) * sizeof *s);
		if (!s) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			req_fail(r, ENOMEM, "cannot track the started program");
		}
		G.spawned = s;
	}
	running[nrunning++] = pid;
	G.spawned[G.nspawned++] = pid; /* killed at agent exit too */
}

/* exec path: fork; the child execveat()s path (beneath the root) with stdio on /dev/null and no
 * other descriptor; ok pid=N once the exec succeeded, else err with the exec's errno */
static void op_exec(struct req *r)
{
	const char *path = need_path(r, "path", true);
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		req_fail_errno(r, errno);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		req_fail_errno(r, e);
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		/* the program keeps only stdio: every other descriptor closes at exec. Without
		 * close_range (gVisor) the open descriptors are listed in /proc/self/fd and marked
		 * close-on-exec: a blind loop over 65536 numbers took seconds under ptrace. */
		if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC)) {
			DIR *fds = opendir("/proc/self/fd");
			struct dirent *de;
			if (fds) {
				while ((de = readdir(fds)))
					if (de->d_name[0] != '.' && atoi(de->d_name) > 2)
						fcntl(atoi(de->d_name), F_SETFD, FD_CLOEXEC);
				closedir(fds);
			} else
				for (int fd = 3; fd < 65536; fd++)
					if (fd != p[1] && fd != G.rootfd)
						close(fd);
		}
		char *const argv[] = { (char *)path, NULL };
		char *const envp[] = { NULL };
		syscall(SYS_execveat, G.rootfd, path, argv, envp, 0);
		int e = errno;
		if (write(p[1], &e, sizeof e) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	int e = 0;
	ssize_t n;
	while ((n = read(p[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	close(p[0]);
	if (n == (ssize_t)sizeof e) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		req_fail_errno(r, e);
	}
	remember(r, pid);
	out_begin(r, "ok");
	out_kvi("pid", pid);
	out_end(r, true);
}

const struct opdef exec_ops[] = {
	{ "exec", op_exec, "path" },
	{ NULL, NULL, NULL },
};
