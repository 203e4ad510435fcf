/* ovlagent: descriptors the client may name (only fds `open` returned) and per-request allocations. */
#include "agent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- per-request scratch allocations ----------------------------------- */

static void **keeps;
static size_t nkeeps, capkeeps;

void *req_keep(void *p)
{
	if (!p)
		return p;
	if (nkeeps == capkeeps) {
		capkeeps = capkeeps ? capkeeps * 2 : 64;
		void **n = realloc(keeps, capkeeps * sizeof *keeps);
		if (!n) {
			free(p);
			return NULL;
		}
		keeps = n;
	}
	keeps[nkeeps++] = p;
	return p;
}

void req_free_keeps(void)
{
	for (size_t i = 0; i < nkeeps; i++)
		free(keeps[i]);
	nkeeps = 0;
}

/* ---- fd handles: only fds `open` returned are usable ------------------------ */

static unsigned char *fdown;
static size_t fdcap;

void own_fd(int fd)
{
	if ((size_t)fd >= fdcap) {
		size_t n = fdcap ? fdcap : 256;
		while (n <= (size_t)fd)
			n *= 2;
		unsigned char *p = realloc(fdown, n);
		if (!p)
			return; /* cannot track: the fd stays unusable, never wrongly usable */
		memset(p + fdcap, 0, n - fdcap);
		fdown = p;
		fdcap = n;
	}
	fdown[fd] = 1;
}

void disown_fd(int fd)
{
	if (fd >= 0 && (size_t)fd < fdcap)
		fdown[fd] = 0;
}

int need_fd(struct req *r, const char *key)
{
	int64_t v = need_i64(r, key);
	if (v < 0 || (uint64_t)v >= fdcap || !fdown[v])
		req_fail_errno(r, EBADF);
	return (int)v;
}

void close_all_handles(void)
{
	for (size_t fd = 0; fd < fdcap; fd++) {
		if (fdown[fd]) {
			close((int)fd);
			fdown[fd] = 0;
		}
	}
	close_execs();
	close_watches();
	close_fhandles();
	close_dirs();
	close_maps();
	if (G.rootfd >= 0)
		close(G.rootfd);
	G.rootfd = -1;
	free(G.rootpath);
	G.rootpath = NULL;
}

void *req_alloc(struct req *r, size_t n)
{
	void *p = req_keep(malloc(n ? n : 1));
	if (!p)
		req_fail(r, ENOMEM, "cannot allocate %zu bytes", n);
	return p;
}
