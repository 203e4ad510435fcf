/* ovlagent: the native syscall agent of overlay-conformance.
 *
 * One long-lived, single-threaded process per worker. It enters a private mount namespace
 * (or a user+mount namespace), then answers one request line at a time on stdin/stdout.
 * The wire contract is agent/PROTOCOL.md. This file: startup, credentials, dispatch. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

struct agent_state G = { .rootfd = -1 };

/* ---- "ops as another uid/gid" -------------------------------------------- */

static uid_t ruid0, euid0, suid0;
static gid_t rgid0, egid0, sgid0;
static bool creds_switched; /* global: must survive a longjmp out of the handler */

static void restore_creds(void)
{
	if (!creds_switched)
		return;
	/* uid first: back to euid 0 brings the effective capabilities back (saved uid stayed 0) */
	if (setresuid(ruid0, euid0, suid0) || setresgid(rgid0, egid0, sgid0)) {
		fprintf(stderr, "ovlagent: cannot restore credentials: %s\n", strerror(errno));
		_exit(4);
	}
	if (setgroups((size_t)G.ngroups0, G.groups0) && errno != EPERM) {
		fprintf(stderr, "ovlagent: cannot restore groups: %s\n", strerror(errno));
		_exit(4);
	}
	/* a credential change makes the process non-dumpable, which locks /proc/self */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	creds_switched = false;
}

static void switch_creds(struct req *r)
{
	const char *su = arg_str(r, "as_uid"), *sg = arg_str(r, "as_gid"), *sgr = arg_str(r, "as_groups");
	if (!su && !sg && !sgr)
		return;
	uid_t uid = su ? (uid_t)arg_i64(r, "as_uid", 0) : euid0;
	gid_t gid = sg ? (gid_t)arg_i64(r, "as_gid", 0) : egid0;
	gid_t groups[NGROUPS_MAX];
	size_t ng = 0;
	if (sgr) {
		for (const char *p = sgr; *p;) {
			char *end;
			errno = 0;
			unsigned long v = strtoul(p, &end, 10);
			if (errno || end == p || (*end && *end != ',') || ng == NGROUPS_MAX)
				req_fatal(r, "as_groups must be decimal ids joined by ',': %s", sgr);
			groups[ng++] = (gid_t)v;
			p = *end ? end + 1 : end;
		}
	}
	creds_switched = true;
	int e = 0;
	const char *what = "";
	if (setgroups(ng, groups) && !(errno == EPERM && ng == 0 && G.ngroups0 == 0))
		e = errno, what = "setgroups";
	else if (setresgid(gid, gid, (gid_t)-1))
		e = errno, what = "setresgid";
	else if (setresuid(uid, uid, (uid_t)-1)) /* saved uid stays privileged, so we can return */
		e = errno, what = "setresuid";
	if (e) {
		restore_creds();
		req_fatal(r, "cannot act as uid %u gid %u: %s failed: %s", (unsigned)uid, (unsigned)gid, what,
			  errname(e));
	}
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

/* ---- dispatch ------------------------------------------------------------ */

static const struct opdef *find_op(const char *name)
{
	const struct opdef *tables[] = { fs_ops, dir_ops, xattr_ops, lock_ops, mmap_ops, host_ops, tree_ops, mount_ops, proc_ops, reconf_ops, range_ops, exec_ops, notify_ops, fhandle_ops, race_ops, reap_ops };
	for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
		for (const struct opdef *d = tables[t]; d->name; d++)
			if (strcmp(d->name, name) == 0)
				return d;
	return NULL;
}

/* `ifok=1`: run only when the request before it succeeded, so a pipeline whose later steps make
 * sense only after the earlier ones (umount, then mount, then root) costs one round trip */
static __attribute__((noinline)) void dispatch(struct req *r, bool prev_ok)
{
	const struct opdef *d = find_op(r->op);
	if (!d)
		req_fatal(r, "unknown op %s", r->op);
	r->accepts = d->args;
	check_args(r); /* an argument the op would ignore: refused before anything runs, even under ifok */
	if (arg_bool(r, "ifok") && !prev_ok) {
		reply_err_named(r, "ECANCELED", "not run: the request before it did not succeed (ifok)");
		return;
	}
	switch_creds(r);
	d->fn(r);
}

static void serve(void)
{
	size_t len;
	char *line;
	struct req r;
	static bool prev_ok = true; /* static: kept across the longjmp of a failed request */
	while ((line = read_line(&len))) {
		if (len == 0)
			continue;
		if (!parse_request(line, &r)) {
			prev_ok = false;
			continue;
		}
		if (setjmp(r.abort) == 0)
			dispatch(&r, prev_ok);
		restore_creds();
		if (!r.done) {
			out_begin(&r, "fatal");
			out_kvs("msg", "the op wrote no reply (agent bug)");
			out_end(&r, true);
		}
		prev_ok = r.ok;
		req_free_keeps();
	}
}

/* ---- startup --------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		startup_fatal("open %s: %s", path, strerror(errno));
	ssize_t n = write(fd, text, strlen(text));
	if (n != (ssize_t)strlen(text))
		startup_fatal("write %s: %s", path, n < 0 ? strerror(errno) : "short write");
	close(fd);
}

static void enter_userns(const char *spec)
{
	unsigned uid, gid;
	char tail;
	if (sscanf(spec, "%u:%u%c", &uid, &gid, &tail) != 2)
		startup_fatal("--userns wants UID:GID, got %s", spec);
	if (setgroups(0, NULL))
		startup_fatal("setgroups: %s (start the agent as root for --userns)", strerror(errno));
	if (setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		startup_fatal("dropping to %u:%u: %s", uid, gid, strerror(errno));
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (access(G.sandbox, R_OK | W_OK | X_OK))
		startup_fatal("sandbox %s is not usable by uid %u: %s", G.sandbox, uid, strerror(errno));
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		startup_fatal("unshare(CLONE_NEWUSER|CLONE_NEWNS): %s", strerror(errno));
	char map[64];
	write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof map, "0 %u 1", uid);
	write_file("/proc/self/uid_map", map);
	snprintf(map, sizeof map, "0 %u 1", gid);
	write_file("/proc/self/gid_map", map);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		startup_fatal("making / rprivate: %s", strerror(errno));
	G.nsmode = "userns";
}

static noreturn void cleanup_and_exit(int code)
{
	kill_spawned();
	reaper_finish(); /* what was queued for deletion is deleted before the agent goes */
	if (strcmp(G.nsmode, "none") == 0 || strcmp(G.nsmode, "chroot") == 0) /* no namespace to take our mounts away */
		while (G.nmounts > 0)
			umount2(G.mounts[--G.nmounts], MNT_DETACH);
	exit(code);
}

noreturn void agent_exit(int code)
{
	cleanup_and_exit(code);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sandbox", required_argument, NULL, 's' },
		{ "ns", required_argument, NULL, 'n' },
		{ "userns", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sandbox = NULL, *ns = "private", *userns = NULL;
	int c;
	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': sandbox = optarg; break;
		case 'n': ns = optarg; break;
		case 'u': userns = optarg; break;
		default: startup_fatal("usage: ovlagent --sandbox DIR [--ns private|none|chroot] [--userns UID:GID]");
		}
	}
	if (!sandbox || sandbox[0] != '/')
		startup_fatal("--sandbox DIR (absolute) is required");
	if (strcmp(ns, "private") != 0 && strcmp(ns, "none") != 0 && strcmp(ns, "chroot") != 0)
		startup_fatal("--ns must be private, none or chroot, got %s", ns);
	G.sandbox = realpath(sandbox, NULL);
	if (!G.sandbox)
		startup_fatal("sandbox %s: %s", sandbox, strerror(errno));
	struct stat st;
	if (stat(G.sandbox, &st) || !S_ISDIR(st.st_mode))
		startup_fatal("sandbox %s is not a directory", G.sandbox);
	G.sandbox_len = strlen(G.sandbox);
	umask(0); /* modes in requests are exact */
	/* a tree walk holds one fd per level: allow as many as the hard limit (children get theirs back) */
	if (getrlimit(RLIMIT_NOFILE, &G.nofile0) == 0) {
		struct rlimit raised = { G.nofile0.rlim_max, G.nofile0.rlim_max };
		setrlimit(RLIMIT_NOFILE, &raised);
	}
	if (chdir("/"))
		startup_fatal("chdir /: %s", strerror(errno));

	if (userns) {
		enter_userns(userns);
	} else if (strcmp(ns, "private") == 0) {
		if (unshare(CLONE_NEWNS))
			startup_fatal("unshare(CLONE_NEWNS): %s (run as root, or use --userns)", strerror(errno));
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			startup_fatal("making / rprivate: %s", strerror(errno));
		G.nsmode = "private";
	} else if (strcmp(ns, "chroot") == 0) {
		G.nsmode = "chroot";
	} else {
		G.nsmode = "none";
	}
	if (strcmp(G.nsmode, "chroot") == 0)
		confine_chroot();
	else if (strcmp(G.nsmode, "none") != 0)
		confine(); /* nodev,nosuid sandbox; a root that holds only the sandbox and system dirs */
	/* after any credential change, which clears it: die with the runner */
	pid_t parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		exit(1);

	getresuid(&ruid0, &euid0, &suid0);
	getresgid(&rgid0, &egid0, &sgid0);
	int ng = getgroups(0, NULL);
	if (ng > 0) {
		G.groups0 = calloc((size_t)ng, sizeof *G.groups0);
		if (!G.groups0)
			startup_fatal("out of memory");
		ng = getgroups(ng, G.groups0);
	}
	G.ngroups0 = ng < 0 ? 0 : ng;

	/* whether this agent's cache drop reaches the whole machine: the kernel lets a task write
	 * drop_caches when its euid is root's of the initial user namespace, which a user namespace
	 * mapping its root to uid 0 outside still is (so asked of the kernel, not inferred from ns) */
	int dropcaches = faccessat(AT_FDCWD, "/proc/sys/vm/drop_caches", W_OK, AT_EACCESS) == 0;
	char ready[PATH_MAX + 128];
	snprintf(ready, sizeof ready, "ready pid=%d version=%d euid=%u ns=%s dropcaches=%d sources=%s", (int)getpid(), AGENT_VERSION,
		 (unsigned)geteuid(), G.nsmode, dropcaches, AGENT_SOURCES);
	out_text(ready);
	out_kvs("sandbox", G.sandbox);
	out_text("\n");
	out_flush();

	serve();
	cleanup_and_exit(0);
}
