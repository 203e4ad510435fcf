/* ovlagent: races (the race op). Several processes of the agent start one operation together
 * (a barrier in shared memory), each after a delay drawn from the round and its index, so every
 * round is another interleaving; after every round the race's invariant is checked. The reply
 * lists the violations (empty when the invariant held in every round), never a verdict.
 *   copyup-writers  procs writers open one file O_WRONLY at once (a lower file: all copy it up)
 *                   and each pwrites its own byte at its own offset: every byte lands, the rest
 *                   of the file is as before, and every writer wrote the inode the path names.
 *   rename-lookup   one process renames path over `to` while the others open and read `to`
 *                   again and again: every read gives the old or the new data, never an error,
 *                   and once the rename returned, the new data; path is then gone.
 *   readdir-unlink  one process unlinks every entry of the directory path while the others list
 *                   it again and again: a listing names only entries the directory had, none
 *                   twice, and once the unlinks returned, none at all. */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 16
#define MAX_ROUNDS 500
#define MAX_VIOL 16
#define MAX_NAMES 256
#define DATA_MAX 4096
#define READ_LOOPS 100000

struct shared {
	int arrived; /* the barrier */
	int done; /* the renamer / unlinker returned */
	int nviol;
	char viol[MAX_VIOL][200];
	unsigned long long inos[MAX_PROCS];
};

static struct shared *sh;
static int round_no;
static unsigned seed; /* mixed into every delay: each request draws another schedule */

static void viol(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void viol(const char *fmt, ...)
{
	int i = __atomic_fetch_add(&sh->nviol, 1, __ATOMIC_SEQ_CST);
	if (i >= MAX_VIOL)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = snprintf(sh->viol[i], sizeof sh->viol[i], "round %d: ", round_no);
	vsnprintf(sh->viol[i] + n, sizeof sh->viol[i] - (size_t)n, fmt, ap);
	va_end(ap);
}

/* wait for every process of the round, then a delay of this round's and this process's own */
static void start_together(int procs, int k)
{
	__atomic_fetch_add(&sh->arrived, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&sh->arrived, __ATOMIC_SEQ_CST) < procs)
		sched_yield();
	unsigned h = ((unsigned)round_no + seed) * 2654435761u ^ (unsigned)(k + 1) * 40503u;
	h ^= h >> 13;
	h *= 0x5bd1e995u;
	h ^= h >> 15;
	for (unsigned i = h % 8; i > 0; i--)
		sched_yield();
	for (volatile unsigned i = (h >> 8) % 20000; i > 0; i--)
		;
}

/* beneath the root; where openat2 is missing (gVisor: ENOSYS) plain openat, as op_open does after
 * check_beneath (the path was checked before the processes started) */
static int open_beneath(const char *path, int flags)
{
	int fd = sys_openat2(G.rootfd, path, flags | O_CLOEXEC, 0, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
	if (fd < 0 && errno == ENOSYS)
		fd = openat(G.rootfd, path, flags | O_CLOEXEC);
	return fd;
}

/* the whole content (up to DATA_MAX bytes), or -1 with errno */
static ssize_t slurp(const char *path, char *buf)
{
	int fd = open_beneath(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = 0, r;
	while (n < DATA_MAX && (r = read(fd, buf + n, (size_t)(DATA_MAX - n))) > 0)
		n += r;
	int e = errno;
	close(fd);
	errno = e;
	return r < 0 ? -1 : n;
}

/* path with "{i}" replaced by the round number */
static const char *round_path(struct req *r, const char *tmpl)
{
	static char buf[2][PATH_MAX];
	static int which;
	char *out = buf[which ^= 1];
	const char *at = strstr(tmpl, "{i}");
	if (at)
		snprintf(out, PATH_MAX, "%.*s%d%s", (int)(at - tmpl), tmpl, round_no, at + 3);
	else
		snprintf(out, PATH_MAX, "%s", tmpl);
	check_beneath(r, out, false);
	return out;
}

static void copyup_writer(const char *path, int k)
{
	int fd = open_beneath(path, O_WRONLY);
	if (fd < 0) {
		viol("writer %d: open O_WRONLY: %s", k, errname(errno));
		return;
	}
	char c = (char)('A' + k);
	if (pwrite(fd, &c, 1, k) != 1)
		viol("writer %d: pwrite: %s", k, errname(errno));
	struct stat st;
	if (fstat(fd, &st) == 0)
		sh->inos[k] = (unsigned long long)st.st_ino;
	close(fd);
}

static void copyup_check(const char *path, const char *orig, ssize_t olen, int procs)
{
	char now[DATA_MAX];
	ssize_t n = slurp(path, now);
	if (n < 0) {
		viol("reading %s afterwards: %s", path, errname(errno));
		return;
	}
	if (n != olen)
		viol("size %zd afterwards, %zd before", n, olen);
	for (int k = 0; k < procs && k < n; k++)
		if (now[k] != 'A' + k)
			viol("byte %d is '%c', not writer %d's '%c': its write was lost", k, now[k], k, 'A' + k);
	for (ssize_t i = procs; i < n && i < olen; i++)
		if (now[i] != orig[i]) {
			viol("byte %zd changed though no writer wrote it", i);
			break;
		}
	struct stat st;
	int fd = open_beneath(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		viol("stat %s afterwards: %s", path, errname(errno));
	} else {
		for (int k = 0; k < procs; k++)
			if (sh->inos[k] && sh->inos[k] != (unsigned long long)st.st_ino)
				viol("writer %d wrote inode %llu, the file is inode %llu", k, sh->inos[k],
				     (unsigned long long)st.st_ino);
	}
	if (fd >= 0)
		close(fd);
}

static void rename_reader(const char *to, const char *olddata, ssize_t oldlen, const char *newdata, ssize_t newlen, int k)
{
	char buf[DATA_MAX];
	for (int i = 0; i < READ_LOOPS; i++) {
		int last = __atomic_load_n(&sh->done, __ATOMIC_SEQ_CST);
		ssize_t n = slurp(to, buf);
		if (n < 0) {
			viol("reader %d: open/read %s during the rename: %s", k, to, errname(errno));
			return;
		}
		bool isnew = n == newlen && memcmp(buf, newdata, (size_t)n) == 0;
		bool isold = n == oldlen && memcmp(buf, olddata, (size_t)n) == 0;
		if (!isnew && !isold) {
			viol("reader %d: %s read %zd bytes that are neither the old nor the new file", k, to, n);
			return;
		}
		if (last) {
			if (!isnew)
				viol("reader %d: %s still read the old file after rename returned", k, to);
			return;
		}
	}
}

struct names {
	size_t n;
	char *v[MAX_NAMES];
};

static int list_dir(const char *dir, struct names *out, int *err)
{
	int fd = open_beneath(dir, O_RDONLY | O_DIRECTORY);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		*err = errno;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	out->n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (out->n < MAX_NAMES)
			out->v[out->n] = strdup(e->d_name);
		out->n++;
	}
	closedir(d);
	return 0;
}

static bool has(const struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n && i < MAX_NAMES; i++)
		if (s->v[i] && strcmp(s->v[i], name) == 0)
			return true;
	return false;
}

static void readdir_reader(const char *dir, const struct names *orig, int k)
{
	for (int i = 0; i < READ_LOOPS; i++) {
		int last = __atomic_load_n(&sh->done, __ATOMIC_SEQ_CST);
		struct names seen;
		int e = 0;
		if (list_dir(dir, &seen, &e)) {
			viol("reader %d: listing %s: %s", k, dir, errname(e));
			return;
		}
		for (size_t a = 0; a < seen.n && a < MAX_NAMES; a++) {
			if (!has(orig, seen.v[a]))
				viol("reader %d: listed %s, which the directory never had", k, seen.v[a]);
			for (size_t b = 0; b < a; b++)
				if (strcmp(seen.v[a], seen.v[b]) == 0)
					viol("reader %d: listed %s twice in one pass", k, seen.v[a]);
			if (last)
				viol("reader %d: listed %s after every entry was unlinked", k, seen.v[a]);
		}
		if (last)
			return;
	}
}

static const struct flagname race_kinds[] = {
	{ "copyup-writers", 1 }, { "rename-lookup", 2 }, { "readdir-unlink", 3 }, { NULL, 0 },
};

static void op_race(struct req *r)
{
	long kind = parse_enum(r, "kind", race_kinds, 0, true);
	const char *path = need_str(r, "path");
	const char *to = arg_str(r, "to");
	int procs = (int)arg_i64(r, "procs", 4);
	int rounds = (int)arg_i64(r, "rounds", 20);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	seed = (unsigned)arg_i64(r, "seed", (int64_t)((unsigned)now.tv_nsec ^ (unsigned)getpid()));
	if (G.rootfd < 0)
		req_fatal(r, "no root set: send `root path=…` first");
	if (procs < 2 || procs > MAX_PROCS)
		req_fatal(r, "procs must be 2 to %d", MAX_PROCS);
	if (rounds < 1 || rounds > MAX_ROUNDS)
		req_fatal(r, "rounds must be 1 to %d", MAX_ROUNDS);
	if (kind == 2 && !to)
		req_fatal(r, "rename-lookup needs to=");
	if (!sh) { /* mapped once and kept: a failed request leaves nothing behind */
		void *m = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			req_fail_errno(r, errno);
		sh = m;
	}
	memset(sh, 0, sizeof *sh);
	int total = 0;
	static char orig[DATA_MAX], other[DATA_MAX];
	for (round_no = 0; round_no < rounds; round_no++) {
		const char *p = round_path(r, path);
		const char *q = kind == 2 ? round_path(r, to) : NULL;
		ssize_t olen = 0, qlen = 0;
		struct names names = { 0, { 0 } };
		int e = 0;
		if (kind == 1 && ((olen = slurp(p, orig)) < 0 || olen < procs))
			req_fail(r, olen < 0 ? errno : EINVAL, "round %d: %s must be a file of at least %d bytes", round_no, p, procs);
		if (kind == 2 && ((olen = slurp(p, orig)) < 0 || (qlen = slurp(q, other)) < 0))
			req_fail(r, errno, "round %d: %s and %s must be readable files", round_no, p, q);
		if (kind == 3 && (list_dir(p, &names, &e) || names.n > MAX_NAMES))
			req_fail(r, e ? e : E2BIG, "round %d: %s must be a directory of at most %d entries", round_no, p, MAX_NAMES);
		sh->arrived = 0;
		sh->done = 0;
		memset(sh->inos, 0, sizeof sh->inos);
		out_flush();
		pid_t pids[MAX_PROCS];
		int started = 0;
		for (int k = 0; k < procs; k++) {
			pid_t c = fork();
			if (c < 0)
				break;
			if (c == 0) {
				start_together(procs, k);
				if (kind == 1)
					copyup_writer(p, k);
				else if (kind == 2 && k == 0) {
					if (renameat(G.rootfd, p, G.rootfd, q))
						viol("rename %s to %s: %s", p, q, errname(errno));
					__atomic_store_n(&sh->done, 1, __ATOMIC_SEQ_CST);
				} else if (kind == 2)
					rename_reader(q, other, qlen, orig, olen, k);
				else if (k == 0) {
					int dfd = open_beneath(p, O_RDONLY | O_DIRECTORY);
					for (size_t i = 0; i < names.n; i++)
						if (unlinkat(dfd, names.v[i], 0))
							viol("unlink %s/%s: %s", p, names.v[i], errname(errno));
					__atomic_store_n(&sh->done, 1, __ATOMIC_SEQ_CST);
				} else
					readdir_reader(p, &names, k);
				_exit(0);
			}
			pids[started++] = c;
		}
		if (started < procs) /* the ones started cannot pass the barrier: end them */
			__atomic_store_n(&sh->arrived, procs, __ATOMIC_SEQ_CST);
		for (int k = 0; k < started; k++) {
			int st = 0;
			pid_t w;
			while ((w = waitpid(pids[k], &st, 0)) < 0 && errno == EINTR)
				;
			if (w == pids[k] && (!WIFEXITED(st) || WEXITSTATUS(st)))
				viol("process %d ended abnormally (status %d)", k, st);
		}
		for (size_t i = 0; i < names.n && i < MAX_NAMES; i++)
			free(names.v[i]);
		if (started < procs)
			req_fail(r, EAGAIN, "round %d: only %d of %d processes could be started", round_no, started, procs);
		total++;
		if (kind == 1)
			copyup_check(p, orig, olen, procs);
		if (kind == 2 && faccessat(G.rootfd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			viol("%s still exists after it was renamed", p);
	}
	out_begin(r, "ok");
	int nv = sh->nviol < MAX_VIOL ? sh->nviol : MAX_VIOL;
	for (int i = 0; i < nv; i++)
		out_kvs("name", sh->viol[i]);
	if (sh->nviol > MAX_VIOL)
		out_kvf("name", "… %d more violations", sh->nviol - MAX_VIOL);
	out_kvi("rounds", total);
	out_kvi("seed", seed);
	out_end(r, true);
}

const struct opdef race_ops[] = {
	{ "race", op_race, "kind path to procs rounds seed" },
	{ NULL, NULL, NULL },
};
