/* ovlagent: file handles (name_to_handle_at, open_by_handle_at), kept under names the client
 * chooses until `closeall`, so a handle can be decoded after the object was changed or removed. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_HANDLES 16

static struct {
	char *name;
	struct file_handle *fh;
} kept[MAX_HANDLES];

void close_fhandles(void)
{
	for (size_t i = 0; i < MAX_HANDLES; i++) {
		free(kept[i].name);
		free(kept[i].fh);
		kept[i].name = NULL;
		kept[i].fh = NULL;
	}
}

static size_t slot_of(const char *name, bool create)
{
	size_t free_slot = MAX_HANDLES;
	for (size_t i = 0; i < MAX_HANDLES; i++) {
		if (kept[i].name && strcmp(kept[i].name, name) == 0)
			return i;
		if (!kept[i].name && free_slot == MAX_HANDLES)
			free_slot = i;
	}
	return create ? free_slot : MAX_HANDLES;
}

/* fhandle path name: name_to_handle_at(root, path) kept as `name`; ok */
static void op_fhandle(struct req *r)
{
	const char *path = need_path(r, "path", true);
	const char *name = need_str(r, "name");
	struct file_handle *fh = malloc(sizeof *fh + MAX_HANDLE_SZ);
	if (!fh)
		req_fail_errno(r, ENOMEM);
	fh->handle_bytes = MAX_HANDLE_SZ;
	int mnt;
	if (name_to_handle_at(G.rootfd, path, fh, &mnt, 0)) {
		int e = errno;
		free(fh);
		req_fail_errno(r, e);
	}
	size_t i = slot_of(name, true);
	if (i == MAX_HANDLES) {
		free(fh);
		req_fail(r, ENOSPC, "at most %d handles are kept", MAX_HANDLES);
	}
	char *dup = strdup(name);
	if (!dup) {
		free(fh);
		req_fail_errno(r, ENOMEM);
	}
	free(kept[i].name);
	free(kept[i].fh);
	kept[i].name = dup;
	kept[i].fh = fh;
	reply_ok(r);
}

static const struct flagname handle_open_flags[] = {
	{ "O_RDONLY", O_RDONLY }, { "O_WRONLY", O_WRONLY }, { "O_RDWR", O_RDWR }, { "O_PATH", O_PATH },
	{ "O_APPEND", O_APPEND }, { "O_NOATIME", O_NOATIME }, { NULL, 0 },
};

/* openhandle name [flags]: open_by_handle_at(root, handle) of a kept handle; ok fd=N */
static void op_openhandle(struct req *r)
{
	const char *name = need_str(r, "name");
	int flags = (int)parse_flags(r, "flags", handle_open_flags, O_RDONLY);
	if (G.rootfd < 0)
		req_fatal(r, "no root set: send `root path=…` first");
	size_t i = slot_of(name, false);
	if (i == MAX_HANDLES)
		req_fatal(r, "no handle named %s (fhandle first)", name);
	/* the root is an O_PATH descriptor, which open_by_handle_at refuses (EBADF) as mount_fd */
	int mfd = openat(G.rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		req_fail_errno(r, errno);
	int fd = open_by_handle_at(mfd, kept[i].fh, flags);
	int e = errno;
	close(mfd);
	if (fd < 0)
		req_fail_errno(r, e);
	own_fd(fd);
	out_begin(r, "ok");
	out_kvi("fd", fd);
	out_end(r, true);
}

const struct opdef fhandle_ops[] = {
	{ "fhandle", op_fhandle, "path name" },
	{ "openhandle", op_openhandle, "name flags" },
	{ NULL, NULL, NULL },
};
