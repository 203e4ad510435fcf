/* ovlagent: shared declarations. See agent/PROTOCOL.md for the wire contract. */
#ifndef OVLAGENT_AGENT_H
#define OVLAGENT_AGENT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <poll.h>

#define AGENT_VERSION 1
/* the digest of the agent sources (.c and .h) the build passes (scripts/build-agent.js); the runner
 * refuses an agent whose digest is not its sources' */
#ifndef AGENT_SOURCES
#define AGENT_SOURCES "none"
#endif

/* ---- one request ------------------------------------------------------ */

struct arg {
	const char *key;
	char *val; /* decoded in place, NUL-terminated (may also contain NULs) */
	size_t len;
};

struct req {
	const char *id;
	const char *op;
	struct arg *args;
	size_t nargs;
	const char *accepts; /* the op's declared arguments (opdef.args); NULL until dispatch found the op */
	bool done; /* the final line has been written */
	bool ok; /* the last line begun was `ok` (after the final line: the request succeeded) */
	jmp_buf abort; /* req_fatal / req_escape / req_fail jump here */
};

/* ---- global state ----------------------------------------------------- */

struct agent_state {
	char *sandbox; /* realpath of --sandbox */
	size_t sandbox_len;
	const char *nsmode; /* "private", "none", "chroot", "userns" */
	int rootfd; /* -1 until `root` */
	char *rootpath;
	pid_t *spawned; /* children started by `spawn`, not yet reaped */
	pid_t lastspawn; /* what the last successful `spawn` answered (waitmount spawned=1), 0 before one */
	size_t nspawned;
	char **mounts; /* targets mounted (only unmounted at exit with --ns none) */
	size_t nmounts;
	gid_t *groups0; /* supplementary groups at start, restored after as_uid ops */
	int ngroups0;
	struct rlimit nofile0; /* RLIMIT_NOFILE at start, restored in spawned children */
};
extern struct agent_state G;

/* ---- proto.c: arguments ----------------------------------------------- */

/* An op reads only the arguments its opdef declares (plus COMMON_ARGS): dispatch refuses a request
 * carrying any other (check_args, before the op runs), and reading an undeclared key is itself a
 * fatal agent bug (arg_find), so a declaration cannot silently fall behind the code that reads. */
#define COMMON_ARGS "ifok as_uid as_gid as_groups" /* read by dispatch and switch_creds (ovlagent.c) */
bool arg_accepted(const struct req *r, const char *key);
void check_args(struct req *r); /* fatal naming the op, its unknown arguments and the accepted ones */
struct arg *arg_find(struct req *r, const char *key);
/* a's key is key (for ops walking r->args for a repeated key): the same declaration check as arg_find */
bool arg_is(struct req *r, const struct arg *a, const char *key);
const char *arg_str(struct req *r, const char *key); /* NULL when absent */
const char *need_str(struct req *r, const char *key); /* fatal when absent */
bool arg_bool(struct req *r, const char *key); /* key=1 */
int64_t arg_i64(struct req *r, const char *key, int64_t dflt);
int64_t need_i64(struct req *r, const char *key);
uint64_t need_u64(struct req *r, const char *key);
unsigned need_mode(struct req *r, const char *key, unsigned dflt, bool required);
/* a comma-separated list of symbolic names → OR of their values; fatal on an unknown name */
struct flagname {
	const char *name;
	long value;
};
long parse_flags(struct req *r, const char *key, const struct flagname *table, long dflt);
long parse_enum(struct req *r, const char *key, const struct flagname *table, long dflt, bool required);
const char *flag_name(const struct flagname *table, long value);

/* ---- proto.c: replies ------------------------------------------------- */

void out_begin(struct req *r, const char *kind);
void out_kv(const char *key, const void *val, size_t len);
void out_kvs(const char *key, const char *s);
void out_kvu(const char *key, uint64_t v);
void out_kvi(const char *key, int64_t v);
void out_kvf(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_end(struct req *r, bool final);
void out_flush(void);

void reply_ok(struct req *r);
/* `err <name> [msg=…]`: name is an errno name, or SIGBUS/SIGSEGV for a faulting mapping access */
void reply_err_named(struct req *r, const char *name, const char *msg);
void reply_err(struct req *r, int e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void reply_errno(struct req *r, int e); /* without a message */
noreturn void req_fail_errno(struct req *r, int e);
/* startup output (before any request) */
void out_text(const char *s);
noreturn void startup_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void req_fatal(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
noreturn void req_escape(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
noreturn void req_fail(struct req *r, int e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *errname(int e);

/* ---- proto.c: input --------------------------------------------------- */

/* next request line (without '\n'), NULL at EOF; the buffer lives until the next call */
char *read_line(size_t *len);
/* a request id the agent may echo: 1..18 decimal digits */
bool valid_id(const char *id);
/* split and decode a line in place; returns false (and replies fatal) when malformed */
bool parse_request(char *line, struct req *r);

/* ---- handles.c: per-request allocations and the fds a client may name ---- */

/* register a malloc'd block to be freed when the current request ends (even on abort) */
void *req_keep(void *p);
void *req_alloc(struct req *r, size_t n); /* malloc freed after the request; ENOMEM fails it */
void req_free_keeps(void); /* end of a request (ovlagent.c) */

int need_fd(struct req *r, const char *key); /* an fd `open` returned, else err EBADF */
void own_fd(int fd);
void disown_fd(int fd);
/* closes every fd, dir stream and mapping ops opened, and the root */
void close_all_handles(void);
void close_dirs(void); /* dirops.c */
void close_maps(void); /* mmapops.c */
void close_execs(void); /* execops.c: kill and reap the programs `exec` started */
void close_watches(void); /* notifyops.c */
void close_fhandles(void); /* fhandleops.c */

/* ---- paths (paths.c) -------------------------------------------------- */

int sys_openat2(int dfd, const char *path, int flags, unsigned mode, uint64_t resolve);
/* fs-op path argument beneath the root: fatal without a root, escape when it resolves outside */
const char *need_path(struct req *r, const char *key, bool follow);
void check_beneath(struct req *r, const char *path, bool follow);
/* "/proc/self/fd/<dirfd>/<rel>" for calls that have no *at form (xattrs, truncate, statfs) */
const char *procpath(int dirfd, const char *rel);
/* host-op absolute path beneath the sandbox; returns the canonical path (freed after the request).
 * follow_last=false resolves only the parent (the last component is taken literally). */
char *sandbox_path(struct req *r, const char *path, bool follow_last);
char *need_sandbox_path(struct req *r, const char *key, bool follow_last);
bool path_beneath(const char *canon, const char *dir);
/* statx that adds AT_NO_AUTOMOUNT, or leaves it out where the kernel refuses it (gVisor: EINVAL) */
int statx_noauto(int dfd, const char *path, int flags, unsigned mask, struct statx *st);
const char *statx_mode(void); /* "no_automount" or "plain" */

/* ---- op tables: one per file that holds the ops ----------------------------------- */

typedef void (*op_fn)(struct req *r);
struct opdef {
	const char *name;
	op_fn fn;
	const char *args; /* the arguments it takes, space-separated ("path mode"); COMMON_ARGS are implied */
};
extern const struct opdef fs_ops[]; /* fsops.c: files, metadata, names */
extern const struct opdef dir_ops[]; /* dirops.c: directory streams */
extern const struct opdef xattr_ops[]; /* xattrops.c */
extern const struct opdef lock_ops[]; /* lockops.c */
extern const struct opdef mmap_ops[]; /* mmapops.c */
extern const struct opdef host_ops[]; /* hostops.c: ping, exit, root, closeall, mkdirp */
extern const struct opdef tree_ops[]; /* treeops.c: rmtree, tree */
extern const struct opdef mount_ops[]; /* mountops.c: mount, umount, tmpfs, waitmount */
extern const struct opdef reconf_ops[]; /* reconf.c: reconfigure */
extern const struct opdef range_ops[]; /* rangeops.c: copyrange, clone, dedupe, setfl, getflags, setflags */
extern const struct opdef proc_ops[]; /* procops.c: spawn, waitpid, kill */
extern const struct opdef exec_ops[]; /* execops.c: exec (a scenario file, kept running until closeall) */
extern const struct opdef notify_ops[]; /* notifyops.c: watch, events (inotify) */
extern const struct opdef fhandle_ops[]; /* fhandleops.c: fhandle, openhandle */
extern const struct opdef reap_ops[]; /* reaper.c: reap, reapwait (teardown by a child process) */
extern const struct opdef race_ops[]; /* raceops.c: race (processes started together, an invariant checked per round) */

/* ---- mountapi.c: the new mount API in one call (also linked into bench/floor.c) ---- */
/* whose credentials a new mount stashes: uid (= gid) holding only CAP_SYS_ADMIN, as the task that
 * creates the superblock, or (override) as the task that sets override_creds before root creates it */
struct mount_creds {
	unsigned uid;
	bool override;
};
int mount_new_api_as(const char *fstype, const char *source, const char *target, char *const *opts, size_t nopts,
		     bool ro, bool dev, const struct mount_creds *cr, char *msg, size_t msglen);
int mount_new_api(const char *fstype, const char *source, const char *target, char *const *opts,
		  size_t nopts, bool ro, bool dev, char *msg, size_t msglen);
/* mount_setattr NODEV|NOSUID on the mount at target (a daemon's FUSE mount once it appears) */
int mount_nodev(const char *target, bool dev);

/* ---- mountops.c: path-valued options (upperdir, workdir, lowerdir, lowerdir+, datadir+) ----- */
/* each ','-separated piece of s (a mount(2) string, a daemon's -o value) naming a layer must lie
 * beneath the sandbox (relative ones beneath cwd), else the request is an escape; with argv (a
 * spawned argv element, perhaps a script) relative values count only when they climb with .. */
void check_path_opts(struct req *r, const char *s, const char *cwd, bool argv);

/* ---- procops.c: children started by `spawn` ----------------------------------------- */
void kill_spawned(void);
bool spawned_index(pid_t pid, size_t *idx); /* is pid ours and unreaped; where */
void forget_spawned(pid_t pid); /* after it was reaped elsewhere (waitmount) */
/* a pidfd that becomes readable when pid exits, or -1 (the caller then wakes on its backstop) */
int child_pidfd(pid_t pid);
/* sleep until one of fds has an event, a child exits (its pidfd among fds) or deadline_ns
 * (CLOCK_MONOTONIC, INT64_MAX: none) passes, but never longer than backstop_ms: a wake-up the
 * kernel does not give (no pidfd) costs at most that, an event none */
void wait_events(struct pollfd *fds, int nfds, int64_t deadline_ns, long backstop_ms);
int64_t mono_ns(void);

/* ---- pathcache.c: where execvp would find a command, looked up on PATH once per name -------- */
/* the file execvp(name) would run, as far as a look ahead of the exec can tell, or NULL (a name
 * with a '/', no PATH, nothing executable found): the caller then execs by execvp itself */
const char *path_lookup(const char *name);

/* ---- confine.c: the sandbox bound nodev,nosuid, then pivot_root into a root holding only it,
 * read-only system directories, /proc, a few /dev nodes and a minimal /etc (startup only) ---- */
void confine(void);
void confine_chroot(void); /* --ns chroot: the same root entered with chroot (gVisor) */

/* ---- loopdev.c: read-only AUTOCLEAR loop devices for image lowers ------------------------------ */
void loop_keep(void); /* before the pivot: keep /dev/loop-control and the host's /dev (failure is kept as the reason) */
/* attach file read-only with AUTOCLEAR; returns the device's fd, its name ("loopN") in name */
int loop_attach(struct req *r, const char *file, char *name, size_t namelen);

/* ---- ovlagent.c ------------------------------------------------------------------------ */
/* kill spawned children, (with --ns none) detach our mounts, exit */
noreturn void agent_exit(int code);
int rmtree_abs(const char *canon, char *msg, size_t msgn); /* treeops.c: rm -rf, 0 or errno (+ words in msg) */
void forget_mount(const char *target); /* mountops.c: no longer unmount target at exit */
void reaper_finish(void); /* reaper.c: close the queue and wait for the reaper (at exit) */

/* ---- caches.c: fsync, syncfs, posix_fadvise(DONTNEED), then drop_caches=3 as root ---------- */
/* what was done ("fsync,syncfs,fadvise,drop_caches") and what failed ("drop_caches:EACCES") */
void drop_caches(int fd, char *reached, size_t rlen, char *missed, size_t mlen);
/* the same, written as reached=… [missed=…] fields of the reply being written */
void out_drop_caches(int fd);

/* ---- fsops.c: shared by fs ops and tree walks --------------------------------------------- */
/* statx fields of the protocol's stat reply / tree items */
void emit_statx_fields(const struct statx *st, bool full);
const char *ftype_name(unsigned mode);

#endif
