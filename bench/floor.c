/* ovlfloor: the physical floor of one scenario, for `npm run bench` (bench/run.ts).
 *
 *   ovlfloor DIR N [--cycles=K] [OPT]...
 *
 * In a private mount namespace, N times: mkdir DIR/bf.{l,u,w,m}, write bf.l/f, then K times (1
 * unless asked) mount overlay through the new mount API (lowerdir+/upperdir/workdir plus each
 * OPT), statx bf.m/f, umount; then unlink/rmdir all — timed with CLOCK_MONOTONIC. K=2 is what a
 * scenario with the warm/cold final-state check must do at least: the scenario's mount and the
 * cold remount of the same layers. Prints one JSON object of mean nanoseconds per iteration and
 * per phase (a phase repeated K times is summed). Kept out of the production agent: it is a
 * measurement, not an op. */
#include "../agent/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static noreturn void die(const char *what, const char *path, int e)
{
	fprintf(stderr, "ovlfloor: %s %s: %s\n", what, path, strerror(e));
	exit(1);
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (!p)
		die("malloc", "", ENOMEM);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static char *opt(const char *key, const char *path)
{
	size_t n = strlen(key) + strlen(path) + 2;
	char *p = malloc(n);
	if (!p)
		die("malloc", "", ENOMEM);
	snprintf(p, n, "%s=%s", key, path);
	return p;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argv[1][0] != '/') {
		fprintf(stderr, "usage: ovlfloor /abs/DIR N [--cycles=K] [OPT]...\n");
		return 2;
	}
	const char *dir = argv[1];
	long n = strtol(argv[2], NULL, 10);
	if (n < 1 || n > 1000000) {
		fprintf(stderr, "ovlfloor: N must be in 1..1000000\n");
		return 2;
	}
	long cycles = 1;
	int first_opt = 3;
	if (argc > 3 && strncmp(argv[3], "--cycles=", 9) == 0) {
		cycles = strtol(argv[3] + 9, NULL, 10);
		first_opt = 4;
		if (cycles < 1 || cycles > 100) {
			fprintf(stderr, "ovlfloor: --cycles must be in 1..100\n");
			return 2;
		}
	}
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("private mount namespace", "", errno);
	char *l = join(dir, "bf.l"), *u = join(dir, "bf.u"), *w = join(dir, "bf.w"), *m = join(dir, "bf.m");
	char *lf = join(l, "f"), *mf = join(m, "f"), *ww = join(w, "work"), *wi = join(w, "index");
	size_t nopts = 3 + (size_t)(argc - first_opt);
	char **opts = calloc(nopts, sizeof *opts);
	if (!opts)
		die("malloc", "", ENOMEM);
	opts[0] = opt("lowerdir+", l);
	opts[1] = opt("upperdir", u);
	opts[2] = opt("workdir", w);
	for (int i = first_opt; i < argc; i++)
		opts[3 + i - first_opt] = argv[i];
	char msg[4096];
	int64_t t_mk = 0, t_mount = 0, t_stat = 0, t_umount = 0, t_rm = 0;
	int64_t start = now_ns();
	for (long i = 0; i < n; i++) {
		int64_t a = now_ns();
		if (mkdir(l, 0755) || mkdir(u, 0755) || mkdir(w, 0755) || mkdir(m, 0755))
			die("mkdir in", dir, errno);
		int fd = open(lf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "x", 1) != 1)
			die("write", lf, errno);
		close(fd);
		int64_t b = now_ns();
		for (long k = 0; k < cycles; k++) {
			int64_t c0 = now_ns();
			int e = mount_new_api("overlay", "overlay", m, opts, nopts, false, false, msg, sizeof msg);
			if (e)
				die("mount overlay:", msg, e);
			int64_t c = now_ns();
			struct statx st;
			if (statx(AT_FDCWD, mf, 0, STATX_BASIC_STATS, &st))
				die("statx", mf, errno);
			int64_t d = now_ns();
			if (umount2(m, 0))
				die("umount", m, errno);
			int64_t u1 = now_ns();
			t_mount += c - c0;
			t_stat += d - c;
			t_umount += u1 - d;
		}
		int64_t f = now_ns();
		if (unlink(lf) || (rmdir(ww) && errno != ENOENT) || (rmdir(wi) && errno != ENOENT) || rmdir(l) ||
		    rmdir(u) || rmdir(w) || rmdir(m))
			die("cleanup in", dir, errno);
		int64_t g = now_ns();
		t_mk += b - a;
		t_rm += g - f;
	}
	int64_t total = now_ns() - start;
	printf("{\"ns\":%lld,\"totalNs\":%lld,\"n\":%ld,\"cycles\":%ld,\"mkdirNs\":%lld,\"mountNs\":%lld,\"statNs\":%lld,"
	       "\"umountNs\":%lld,\"rmdirNs\":%lld}\n",
	       (long long)(total / n), (long long)total, n, cycles, (long long)(t_mk / n), (long long)(t_mount / n),
	       (long long)(t_stat / n), (long long)(t_umount / n), (long long)(t_rm / n));
	return 0;
}
