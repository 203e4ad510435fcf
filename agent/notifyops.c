/* ovlagent: inotify watches on scenario paths and the events they collected (one inotify
 * instance per agent, dropped at `closeall`). */
#include "agent.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

static int ifd = -1;

static const struct flagname events[] = {
	{ "IN_ACCESS", IN_ACCESS }, { "IN_MODIFY", IN_MODIFY }, { "IN_ATTRIB", IN_ATTRIB },
	{ "IN_CLOSE_WRITE", IN_CLOSE_WRITE }, { "IN_CLOSE_NOWRITE", IN_CLOSE_NOWRITE }, { "IN_OPEN", IN_OPEN },
	{ "IN_MOVED_FROM", IN_MOVED_FROM }, { "IN_MOVED_TO", IN_MOVED_TO }, { "IN_CREATE", IN_CREATE },
	{ "IN_DELETE", IN_DELETE }, { "IN_DELETE_SELF", IN_DELETE_SELF }, { "IN_MOVE_SELF", IN_MOVE_SELF },
	{ "IN_UNMOUNT", IN_UNMOUNT }, { "IN_Q_OVERFLOW", IN_Q_OVERFLOW }, { "IN_IGNORED", IN_IGNORED },
	{ "IN_ISDIR", IN_ISDIR }, { NULL, 0 },
};

#define DEFAULT_MASK (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE)

void close_watches(void)
{
	if (ifd >= 0)
		close(ifd);
	ifd = -1;
}

/* the inode number inotify shows for watch wd in /proc/self/fdinfo (the kernel's i_ino) */
static unsigned long long watched_ino(int wd, bool *found)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", ifd);
	FILE *f = fopen(path, "re");
	*found = false;
	if (!f)
		return 0;
	unsigned long long ino = 0;
	*found = false;
	while (fgets(line, sizeof line, f)) {
		int w;
		unsigned long long i;
		if (sscanf(line, "inotify wd:%d ino:%llx", &w, &i) == 2 && w == wd) {
			ino = i;
			*found = true;
		}
	}
	fclose(f);
	return ino;
}

/* watch path [mask=IN_…,…]: inotify_add_watch; ok target=<i_ino from fdinfo, decimal> wd=N */
static void op_watch(struct req *r)
{
	const char *path = need_path(r, "path", true);
	uint32_t mask = (uint32_t)parse_flags(r, "mask", events, DEFAULT_MASK);
	if (ifd < 0 && (ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		req_fail_errno(r, errno);
	int wd = inotify_add_watch(ifd, procpath(G.rootfd, path), mask);
	if (wd < 0)
		req_fail_errno(r, errno);
	bool found;
	unsigned long long ino = watched_ino(wd, &found);
	out_begin(r, "ok");
	if (found)
		out_kvf("target", "%llu", ino);
	else
		out_kvs("target", "unknown");
	out_kvi("wd", wd);
	out_end(r, true);
}

/* events: every event queued so far, one name=<MASK|MASK> [<name>] each, in order */
static void op_events(struct req *r)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	out_begin(r, "ok");
	while (ifd >= 0) {
		ssize_t n = read(ifd, buf, sizeof buf);
		if (n <= 0)
			break;
		for (char *q = buf; q < buf + n;) {
			const struct inotify_event *ev = (const void *)q;
			char line[600] = "";
			size_t len = 0;
			for (const struct flagname *f = events; f->name; f++)
				if (ev->mask & (uint32_t)f->value)
					len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", len ? "|" : "", f->name);
			if (ev->len && ev->name[0])
				snprintf(line + len, sizeof line - len, " %s", ev->name);
			out_kvs("name", line);
			q += sizeof *ev + ev->len;
		}
	}
	out_end(r, true);
}

const struct opdef notify_ops[] = {
	{ "watch", op_watch, "path mask" },
	{ "events", op_events, "" },
	{ NULL, NULL, NULL },
};
