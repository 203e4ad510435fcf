/* ovlagent: the reaper. A finished scenario's teardown (detach its mounts, delete its directory)
 * is handed to a child process forked from the agent — the same mount namespace, root and
 * credentials — while the agent answers the next scenario's requests. Unmounting waits for RCU
 * grace periods and deleting a scenario's layers is a dozen metadata writes to the journal:
 * sleeping the agent need not do.
 *
 *   reap [umount=ABS]… [rmtree=ABS]…   queue one job: each umount (MNT_DETACH), then each rmtree,
 *                                     in the order given; answered at once (`ok queued=N`)
 *   reapwait                          wait until every queued job is done; `ok`, or `err` with
 *                                     the first failure since the last reapwait
 * At exit the agent waits for the reaper to finish what was queued. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PENDING 4 /* jobs queued ahead of the reaper before `reap` waits for one */

/* one job's outcome, written whole (below PIPE_BUF, so atomically) */
struct status {
	int err;
	char msg[512];
};

static pid_t reaper = -1;
static int jobfd = -1, statusfd = -1;
static size_t pending;
static struct status first; /* the first failure since the last reapwait (err 0: none) */

static bool io_full(int fd, void *buf, size_t n, bool writing)
{
	char *p = buf;
	while (n) {
		ssize_t k = writing ? write(fd, p, n) : read(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static noreturn void reaper_main(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	for (;;) {
		uint32_t len;
		if (!io_full(0, &len, sizeof len, false))
			_exit(0); /* the agent closed the queue: everything is done */
		char *job = malloc(len + 1);
		if (!job || !io_full(0, job, len, false))
			_exit(3);
		job[len] = '\0';
		struct status st = { 0 };
		char msg[PATH_MAX * 4 + 128];
		for (char *p = job; p < job + len; p += strlen(p) + 1) {
			if (p[0] == 'U') {
				umount2(p + 1, MNT_DETACH | UMOUNT_NOFOLLOW); /* as the teardown did: what stays mounted fails the rmtree */
			} else if (p[0] == 'R') {
				int e = rmtree_abs(p + 1, msg, sizeof msg);
				if (e && !st.err) {
					st.err = e;
					size_t k = strnlen(msg, sizeof st.msg - 1);
					memcpy(st.msg, msg, k);
					st.msg[k] = '\0';
				}
			}
		}
		free(job);
		if (!io_full(1, &st, sizeof st, true))
			_exit(0);
	}
}

/* fork the reaper; false when it cannot be started (the caller does the job itself) */
static bool start_reaper(void)
{
	int jobs[2], statuses[2];
	if (pipe2(jobs, O_CLOEXEC))
		return false;
	if (pipe2(statuses, O_CLOEXEC)) {
		close(jobs[0]);
		close(jobs[1]);
		return false;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(jobs[0]), close(jobs[1]), close(statuses[0]), close(statuses[1]);
		return false;
	}
	if (pid == 0) {
		/* the queue on stdin, outcomes on stdout; nothing else of the agent's stays open (a
		 * copy of its root fd or a scenario fd would keep a detached overlay alive) */
		if (dup2(jobs[0], 0) < 0 || dup2(statuses[1], 1) < 0)
			_exit(3);
		close_range(3, ~0U, 0);
		reaper_main();
	}
	close(jobs[0]);
	close(statuses[1]);
	reaper = pid;
	jobfd = jobs[1];
	statusfd = statuses[0];
	return true;
}

/* take one outcome off the status pipe (blocking when wait); false when none came */
static bool take_status(bool wait)
{
	struct pollfd pfd = { .fd = statusfd, .events = POLLIN };
	int n;
	while ((n = poll(&pfd, 1, wait ? -1 : 0)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return false;
	struct status st;
	if (!io_full(statusfd, &st, sizeof st, false)) { /* the reaper died: its jobs will not finish */
		if (!first.err) {
			first.err = EPIPE;
			snprintf(first.msg, sizeof first.msg, "the reaper exited with %zu job(s) unfinished", pending);
		}
		pending = 0;
		return false;
	}
	pending--;
	if (st.err && !first.err)
		first = st;
	return true;
}

static void op_reap(struct req *r)
{
	/* every path checked (and canonical) before anything is queued */
	size_t n = 0, total = 0;
	char **paths = req_alloc(r, (r->nargs + 1) * sizeof *paths);
	char *kinds = req_alloc(r, r->nargs + 1);
	for (size_t i = 0; i < r->nargs; i++) {
		bool um = arg_is(r, &r->args[i], "umount");
		if (!um && !arg_is(r, &r->args[i], "rmtree"))
			continue;
		paths[n] = sandbox_path(r, r->args[i].val, false);
		kinds[n] = um ? 'U' : 'R';
		total += strlen(paths[n]) + 2;
		n++;
	}
	if (n == 0)
		req_fatal(r, "reap needs at least one umount= or rmtree=");
	for (size_t i = 0; i < n; i++)
		if (kinds[i] == 'U')
			forget_mount(paths[i]);
	if (reaper < 0 && !start_reaper()) {
		/* no reaper: the job is done here, answered as the rmtree op would */
		char *msg = req_alloc(r, PATH_MAX * 4 + 128);
		int err = 0;
		for (size_t i = 0; i < n; i++) {
			if (kinds[i] == 'U')
				umount2(paths[i], MNT_DETACH | UMOUNT_NOFOLLOW);
			else if (!err)
				err = rmtree_abs(paths[i], msg, PATH_MAX * 4 + 128);
		}
		if (err)
			req_fail(r, err, "%s", msg);
		reply_ok(r);
		return;
	}
	while (take_status(false))
		;
	while (pending >= MAX_PENDING && take_status(true))
		;
	char *job = req_alloc(r, total + sizeof(uint32_t));
	uint32_t len = 0;
	for (size_t i = 0; i < n; i++) {
		char *p = job + sizeof len + len;
		p[0] = kinds[i];
		strcpy(p + 1, paths[i]);
		len += (uint32_t)strlen(paths[i]) + 2;
	}
	memcpy(job, &len, sizeof len);
	if (!io_full(jobfd, job, sizeof len + len, true))
		req_fail(r, EPIPE, "the reaper is gone");
	pending++;
	out_begin(r, "ok");
	out_kvu("queued", pending);
	out_end(r, true);
}

static void op_reapwait(struct req *r)
{
	while (reaper >= 0 && pending > 0 && take_status(true))
		;
	struct status st = first;
	first.err = 0;
	if (st.err)
		req_fail(r, st.err, "%s", st.msg);
	reply_ok(r);
}

void reaper_finish(void)
{
	if (reaper < 0)
		return;
	close(jobfd); /* end of the queue: the reaper finishes it and exits */
	while (waitpid(reaper, NULL, 0) < 0 && errno == EINTR)
		;
	reaper = -1;
}

const struct opdef reap_ops[] = {
	{ "reap", op_reap, "umount rmtree" },
	{ "reapwait", op_reapwait, "" },
	{ NULL, NULL, NULL },
};
