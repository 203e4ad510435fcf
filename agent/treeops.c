/* ovlagent: whole-tree walks that never follow a symlink nor enter another mount (rmtree, tree). */
#include "agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define PBUF (PATH_MAX * 4)

/* ---- helpers for walking a tree without following anything -------------------------------- */

static bool is_mount_root(const struct statx *st)
{
	return (st->stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (st->stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static bool same_dev(const struct statx *a, const struct statx *b)
{
	return a->stx_dev_major == b->stx_dev_major && a->stx_dev_minor == b->stx_dev_minor;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct names {
	char **v;
	size_t n;
};

static void free_names(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	ns->v = NULL;
	ns->n = 0;
}

/* names of a directory (without . and ..), sorted; 0 or an errno */
static int read_names(int dfd, struct names *out)
{
	out->v = NULL;
	out->n = 0;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		return e;
	}
	size_t cap = 0;
	int e = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			e = errno;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 32;
			char **nv = realloc(out->v, cap * sizeof *nv);
			if (!nv) {
				e = ENOMEM;
				break;
			}
			out->v = nv;
		}
		if (!(out->v[out->n] = strdup(de->d_name))) {
			e = ENOMEM;
			break;
		}
		out->n++;
	}
	closedir(d);
	if (e) {
		free_names(out);
		return e;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, cmp_names);
	return 0;
}

/* ---- rmtree ------------------------------------------------------------------------------------- */

struct rmctx {
	struct statx top;
	int err;
	char errpath[PBUF];
	bool busy;
	char busypath[PBUF];
};

static void note(struct rmctx *c, int e, const char *path)
{
	if (!c->err) {
		c->err = e;
		snprintf(c->errpath, sizeof c->errpath, "%s", path);
	}
}

/* ---- an explicit stack of open directories: depth costs heap, not C stack ------------------ */

struct frame {
	int fd; /* the directory being listed */
	struct names ns; /* its entries, sorted */
	size_t next; /* index of the next entry to visit */
	size_t plen; /* length of its path in the path buffer */
	bool keep; /* rmtree: something in it stays (so it cannot be removed) */
};

struct stack {
	struct frame *v;
	size_t n, cap;
};

/* push the directory fd (taken over) with its sorted names; 0 or an errno (fd closed then) */
static int push_dir(struct stack *st, int fd, size_t plen)
{
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		struct frame *v = realloc(st->v, cap * sizeof *v);
		if (!v) {
			close(fd);
			return ENOMEM;
		}
		st->v = v;
		st->cap = cap;
	}
	struct frame *f = &st->v[st->n];
	int e = read_names(fd, &f->ns);
	if (e) {
		close(fd);
		return e;
	}
	f->fd = fd;
	f->next = 0;
	f->plen = plen;
	f->keep = false;
	st->n++;
	return 0;
}

static void pop_dir(struct stack *st)
{
	struct frame *f = &st->v[--st->n];
	close(f->fd);
	free_names(&f->ns);
}

static void free_stack(struct stack *st)
{
	while (st->n)
		pop_dir(st);
	free(st->v);
	st->v = NULL;
	st->cap = 0;
}

/* path[0..plen) + '/' + name into path (PBUF); false when it would not fit */
static bool append_name(char *path, size_t plen, const char *name, size_t *sub)
{
	size_t nl = strlen(name);
	*sub = plen ? plen + 1 + nl : nl;
	if (*sub >= PBUF)
		return false;
	if (plen)
		path[plen] = '/';
	memcpy(path + (plen ? plen + 1 : 0), name, nl + 1);
	return true;
}

/* delete everything in the directory dfd (taken over; path for messages); true when it is now
 * empty. Depth-first with an explicit stack, so a tree as deep as paths can be costs no C stack. */
static bool rm_contents(int dfd, char *path, size_t plen, struct rmctx *c)
{
	struct stack st = { 0 };
	int e = push_dir(&st, dfd, plen);
	if (e) {
		note(c, e, path);
		return false;
	}
	bool top_empty = false;
	while (st.n) {
		struct frame *f = &st.v[st.n - 1];
		path[f->plen] = '\0';
		if (f->next == f->ns.n) { /* done with this directory: remove it from its parent */
			bool empty = !f->keep;
			pop_dir(&st);
			if (st.n == 0) {
				top_empty = empty;
				break;
			}
			struct frame *p = &st.v[st.n - 1];
			const char *name = p->ns.v[p->next - 1];
			if (!empty) {
				p->keep = true;
			} else if (unlinkat(p->fd, name, AT_REMOVEDIR) && errno != ENOENT) {
				size_t sub;
				append_name(path, p->plen, name, &sub);
				note(c, errno, path);
				p->keep = true;
			}
			continue;
		}
		const char *name = f->ns.v[f->next++];
		size_t sub;
		if (!append_name(path, f->plen, name, &sub)) {
			note(c, ENAMETOOLONG, path);
			f->keep = true;
			continue;
		}
		struct statx sx;
		if (statx_noauto(f->fd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO, &sx)) {
			if (errno != ENOENT) {
				note(c, errno, path);
				f->keep = true;
			}
		} else if (S_ISDIR(sx.stx_mode)) {
			if (is_mount_root(&sx) || !same_dev(&sx, &c->top)) {
				if (!c->busy) {
					c->busy = true;
					snprintf(c->busypath, sizeof c->busypath, "%s", path);
				}
				f->keep = true;
			} else {
				int cfd = openat(f->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (cfd < 0 || (e = push_dir(&st, cfd, sub))) {
					note(c, cfd < 0 ? errno : e, path);
					st.v[st.n - 1].keep = true;
				}
			}
		} else if (unlinkat(f->fd, name, 0) && errno != ENOENT) {
			note(c, errno, path);
			f->keep = true;
		}
	}
	free_stack(&st);
	path[plen] = '\0';
	return top_empty;
}

/* rm -rf of an absolute canonical path that never follows a symlink nor enters another mount: 0,
 * or the errno of what failed with its words in msg. The rmtree op and the reaper share it. */
int rmtree_abs(const char *canon, char *msg, size_t msgn)
{
	const char *slash = strrchr(canon, '/');
	if (!slash || !slash[1]) {
		snprintf(msg, msgn, "refusing to operate on /");
		return EINVAL;
	}
	const char *base = slash + 1;
	char *parent = strndup(canon, (size_t)(slash - canon) + 1);
	if (!parent) {
		snprintf(msg, msgn, "out of memory");
		return ENOMEM;
	}
	int pfd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC), e = errno;
	free(parent);
	if (pfd < 0) {
		snprintf(msg, msgn, "opening the parent of %s", canon);
		return e;
	}
	struct rmctx *c = calloc(1, sizeof *c);
	char *path = malloc(PBUF);
	int rc = 0;
	if (!c || !path) {
		snprintf(msg, msgn, "out of memory");
		rc = ENOMEM;
		goto out;
	}
	if (statx_noauto(pfd, base, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO, &c->top)) {
		if (errno != ENOENT) { /* missing: like rm -rf, nothing to do */
			rc = errno;
			snprintf(msg, msgn, "%s", canon);
		}
		goto out;
	}
	if (!S_ISDIR(c->top.stx_mode)) {
		if (unlinkat(pfd, base, 0)) {
			rc = errno;
			snprintf(msg, msgn, "%s", canon);
		}
		goto out;
	}
	if (is_mount_root(&c->top)) {
		rc = EBUSY;
		snprintf(msg, msgn, "%s is a mount point: left in place", canon);
		goto out;
	}
	int dfd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		rc = errno;
		snprintf(msg, msgn, "%s", canon);
		goto out;
	}
	snprintf(path, PBUF, "%s", canon);
	bool empty = rm_contents(dfd, path, strlen(path), c);
	if (empty && unlinkat(pfd, base, AT_REMOVEDIR) && errno != ENOENT)
		note(c, errno, canon);
	if (c->busy) {
		rc = EBUSY;
		snprintf(msg, msgn, "%s is a mount point (or another filesystem): left in place", c->busypath);
	} else if (c->err) {
		rc = c->err;
		snprintf(msg, msgn, "%s", c->errpath);
	}
out:
	close(pfd);
	free(c);
	free(path);
	return rc;
}

static void op_rmtree(struct req *r)
{
	char *canon = need_sandbox_path(r, "path", false);
	const char *slash = strrchr(canon, '/');
	if (!slash || !slash[1])
		req_fatal(r, "refusing to operate on /");
	char *msg = req_alloc(r, PBUF + 128);
	int e = rmtree_abs(canon, msg, PBUF + 128);
	if (e)
		req_fail(r, e, "%s", msg);
	reply_ok(r);
}

/* ---- tree ---------------------------------------------------------------------------------------- */

struct treectx {
	struct statx top;
	int64_t maxdata;
	uint64_t count;
	int err;
	char errpath[PBUF];
	char *xnames, *xval, *data, *target;
};

static void tree_note(struct treectx *c, int e, const char *rel)
{
	if (!c->err) {
		c->err = e;
		snprintf(c->errpath, sizeof c->errpath, "%s", rel);
	}
}

static void emit_xattrs(struct treectx *c, int dfd, const char *name, const char *rel)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof p, "%s", procpath(dfd, name));
	ssize_t n = llistxattr(p, c->xnames, 65536);
	if (n < 0) {
		if (errno != ENOTSUP && errno != EOPNOTSUPP)
			tree_note(c, errno, rel);
		return;
	}
	for (ssize_t i = 0; i < n;) {
		const char *xn = c->xnames + i;
		size_t l = strnlen(xn, (size_t)(n - i));
		i += (ssize_t)l + 1;
		ssize_t vl = lgetxattr(p, xn, c->xval + l + 1, 65536);
		if (vl < 0) {
			if (errno != ENODATA)
				tree_note(c, errno, rel);
			continue;
		}
		/* x=<name>%00<value>: one value, split at the first NUL by the client */
		memcpy(c->xval, xn, l);
		c->xval[l] = '\0';
		out_kv("x", c->xval, l + 1 + (size_t)vl);
	}
}

static void emit_data(struct treectx *c, int dfd, const char *name, const char *rel)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		tree_note(c, errno, rel);
		return;
	}
	size_t len = 0, max = (size_t)c->maxdata;
	for (;;) {
		ssize_t n = read(fd, c->data + len, max - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			tree_note(c, errno, rel);
			close(fd);
			return;
		}
		if (n == 0 || len + (size_t)n == max) {
			len += (size_t)n;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	out_kv("data", c->data, len);
}

/* one item for the entry name of directory dfd (rel: its path); true when it is a directory
 * on the same filesystem, to be descended into */
static bool tree_item(struct req *r, struct treectx *c, int dfd, const char *name, const char *rel)
{
	struct statx st;
	if (statx_noauto(dfd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st)) {
		if (errno != ENOENT)
			tree_note(c, errno, rel);
		return false;
	}
	bool dir = S_ISDIR(st.stx_mode);
	bool other_fs = dir && (is_mount_root(&st) || !same_dev(&st, &c->top));
	out_begin(r, "item");
	out_kvs("path", rel);
	emit_statx_fields(&st, false);
	/* identity is (st_dev, st_ino): an overlay whose layers are on different filesystems keeps each layer's device */
	out_kvf("dev", "%u:%u", st.stx_dev_major, st.stx_dev_minor);
	if (S_ISLNK(st.stx_mode)) {
		ssize_t n = readlinkat(dfd, name, c->target, PATH_MAX * 2);
		if (n < 0)
			tree_note(c, errno, rel);
		else
			out_kv("target", c->target, (size_t)n);
	}
	if (S_ISREG(st.stx_mode) && c->maxdata > 0 && st.stx_size <= (uint64_t)c->maxdata)
		emit_data(c, dfd, name, rel);
	if (other_fs)
		out_kvs("mount", "1");
	emit_xattrs(c, dfd, name, rel);
	out_end(r, false);
	c->count++;
	return dir && !other_fs;
}

/* pre-order, names sorted, with an explicit stack: depth costs heap, not C stack */
static void tree_walk(struct req *r, struct treectx *c, int dfd, char *rel)
{
	struct stack st = { 0 };
	int e = push_dir(&st, dfd, 0);
	if (e)
		tree_note(c, e, ".");
	while (st.n && !c->err) {
		struct frame *f = &st.v[st.n - 1];
		if (f->next == f->ns.n) {
			pop_dir(&st);
			continue;
		}
		const char *name = f->ns.v[f->next++];
		size_t sub;
		if (!append_name(rel, f->plen, name, &sub)) {
			rel[f->plen] = '\0';
			tree_note(c, ENAMETOOLONG, f->plen ? rel : ".");
			break;
		}
		if (tree_item(r, c, f->fd, name, rel)) {
			int cfd = openat(f->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0)
				tree_note(c, errno, rel);
			else if ((e = push_dir(&st, cfd, sub)))
				tree_note(c, e, rel);
		}
	}
	free_stack(&st);
}

static void op_tree(struct req *r)
{
	char *canon = need_sandbox_path(r, "path", false);
	int64_t maxdata = arg_i64(r, "maxdata", 0);
	if (maxdata < 0 || maxdata > (64 << 20))
		req_fatal(r, "maxdata must be in 0..%d", 64 << 20);
	int dfd = open(canon, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		req_fail(r, errno, "%s", canon);
	struct treectx *c = req_alloc(r, sizeof *c);
	memset(c, 0, sizeof *c);
	c->maxdata = maxdata;
	c->xnames = req_alloc(r, 65536 + 1);
	c->xval = req_alloc(r, 65536 * 2 + 2);
	c->data = req_alloc(r, (size_t)maxdata + 1);
	c->target = req_alloc(r, PATH_MAX * 2);
	char *rel = req_alloc(r, PBUF);
	rel[0] = '\0';
	if (statx(dfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &c->top)) {
		int e = errno;
		close(dfd);
		req_fail(r, e, "%s", canon);
	}
	tree_walk(r, c, dfd, rel); /* takes dfd over */
	if (c->err) /* items already written are void: the client discards them */
		req_fail(r, c->err, "%s", c->errpath);
	out_begin(r, "ok");
	out_kvu("n", c->count);
	out_end(r, true);
}

const struct opdef tree_ops[] = {
	{ "rmtree", op_rmtree, "path" },
	{ "tree", op_tree, "path maxdata" },
	{ NULL, NULL, NULL },
};
