/* ovlagent: shared mappings (mmap, mread, mwrite, munmap), faults answered as SIGBUS/SIGSEGV. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- shared mappings ----------------------------------------------------------------------- */

struct maph {
	char *addr;
	size_t len;
	bool used;
};
static struct maph *maps;
static size_t nmaps;

static struct maph *need_map(struct req *r)
{
	int64_t h = need_i64(r, "map");
	if (h < 1 || (uint64_t)h > nmaps || !maps[h - 1].used)
		req_fail(r, EINVAL, "no mapping %lld", (long long)h);
	return &maps[h - 1];
}

static void op_mmap(struct req *r)
{
	int fd = need_fd(r, "fd");
	int64_t off = arg_i64(r, "offset", 0);
	int64_t len = need_i64(r, "length");
	bool wr = arg_bool(r, "write");
	size_t slot = 0;
	while (slot < nmaps && maps[slot].used)
		slot++;
	if (slot == nmaps) {
		struct maph *nm = realloc(maps, (nmaps + 16) * sizeof *maps);
		if (!nm)
			req_fail_errno(r, ENOMEM);
		memset(nm + nmaps, 0, 16 * sizeof *nm);
		maps = nm;
		nmaps += 16;
	}
	void *a = mmap(NULL, (size_t)len, PROT_READ | (wr ? PROT_WRITE : 0), MAP_SHARED, fd, (off_t)off);
	if (a == MAP_FAILED)
		req_fail_errno(r, errno);
	maps[slot] = (struct maph){ a, (size_t)len, true };
	out_begin(r, "ok");
	out_kvu("map", slot + 1);
	out_end(r, true);
}

static sigjmp_buf fault_jb;
static volatile sig_atomic_t fault_sig;

static void on_fault(int sig)
{
	fault_sig = sig;
	siglongjmp(fault_jb, 1);
}

/* memcpy that turns SIGBUS (beyond EOF) / SIGSEGV (read-only mapping) into a result */
static int guarded_copy(void *dst, const void *src, size_t n)
{
	struct sigaction sa, obus, osegv;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	int sig = 0;
	fault_sig = 0;
	if (sigsetjmp(fault_jb, 1) == 0)
		memcpy(dst, src, n);
	else
		sig = fault_sig;
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return sig;
}

static void map_range(struct req *r, struct maph *m, int64_t off, size_t len)
{
	if (off < 0 || (uint64_t)off > m->len || len > m->len - (size_t)off)
		req_fail(r, EINVAL, "range %lld+%zu is outside the %zu-byte mapping", (long long)off, len, m->len);
}

static void fault_reply(struct req *r, int sig)
{
	reply_err_named(r, sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
			sig == SIGBUS ? "access beyond the end of the mapped file" : "the mapping does not allow this access");
}

static void op_mread(struct req *r)
{
	struct maph *m = need_map(r);
	int64_t off = arg_i64(r, "offset", 0);
	int64_t len = need_i64(r, "length");
	if (len < 0)
		req_fatal(r, "length must be >= 0");
	map_range(r, m, off, (size_t)len);
	char *buf = req_alloc(r, (size_t)len);
	int sig = guarded_copy(buf, m->addr + off, (size_t)len);
	if (sig) {
		fault_reply(r, sig);
		return;
	}
	out_begin(r, "ok");
	out_kv("data", buf, (size_t)len);
	out_end(r, true);
}

static void op_mwrite(struct req *r)
{
	struct maph *m = need_map(r);
	int64_t off = arg_i64(r, "offset", 0);
	struct arg *d = arg_find(r, "data");
	if (!d)
		req_fatal(r, "missing argument data");
	map_range(r, m, off, d->len);
	int sig = guarded_copy(m->addr + off, d->val, d->len);
	if (sig) {
		fault_reply(r, sig);
		return;
	}
	reply_ok(r);
}

static void op_munmap(struct req *r)
{
	struct maph *m = need_map(r);
	int rc = munmap(m->addr, m->len), e = errno;
	memset(m, 0, sizeof *m);
	if (rc)
		req_fail_errno(r, e);
	reply_ok(r);
}

void close_maps(void)
{
	for (size_t i = 0; i < nmaps; i++) {
		if (maps[i].used)
			munmap(maps[i].addr, maps[i].len);
		memset(&maps[i], 0, sizeof maps[i]);
	}
}

const struct opdef mmap_ops[] = {
	{ "mmap", op_mmap, "fd offset length write" },
	{ "mread", op_mread, "map offset length" },
	{ "mwrite", op_mwrite, "map offset data" },
	{ "munmap", op_munmap, "map" },
	{ NULL, NULL, NULL },
};
