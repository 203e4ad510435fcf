/* ovlagent: reconfiguring a mounted filesystem in place (fspick + FSCONFIG_CMD_RECONFIGURE, or the
 * legacy mount(2) MS_REMOUNT), with the fs-context log as the message: a scenario observes which
 * option changes a mounted overlay accepts, refuses or silently ignores. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define LEGACY_MAX 4095

/* append the fs-context log to msg */
static void fc_log(int fd, char *msg, size_t msglen)
{
	char b[1024];
	for (;;) {
		ssize_t n = read(fd, b, sizeof b - 1);
		if (n <= 0)
			break;
		while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == ' '))
			n--;
		b[n] = '\0';
		const char *text = (n > 2 && b[1] == ' ') ? b + 2 : b;
		size_t used = strlen(msg);
		snprintf(msg + used, msglen - used, "%s%s", used ? "; " : "", text);
	}
}

/* reconfigure target=<mount point> opt=k[=v]... api=new|legacy [ro=0|1] (absent: unchanged): overlay options are plain
 * tokens checked by the harness (never a layer path: those are refused here too) */
static void op_reconfigure(struct req *r)
{
	char *target = need_sandbox_path(r, "target", true);
	const char *api = arg_str(r, "api");
	bool legacy = api && strcmp(api, "legacy") == 0;
	if (api && !legacy && strcmp(api, "new") != 0)
		req_fatal(r, "api must be new or legacy: %s", api);
	bool ro_given = arg_find(r, "ro") != NULL, ro = arg_bool(r, "ro");
	char **opts = req_alloc(r, (r->nargs + 1) * sizeof *opts);
	size_t nopts = 0, total = 0;
	for (size_t i = 0; i < r->nargs; i++) {
		if (!arg_is(r, &r->args[i], "opt"))
			continue;
		const char *o = r->args[i].val;
		if (strlen(o) != r->args[i].len || strchr(o, ',') || strchr(o, '/'))
			req_fatal(r, "reconfigure option must be a plain token: %s", o);
		opts[nopts++] = r->args[i].val;
		total += r->args[i].len + 1;
	}
	char *msg = req_alloc(r, 4096);
	msg[0] = '\0';
	if (legacy) {
		char *data = req_alloc(r, total + 1);
		data[0] = '\0';
		for (size_t i = 0, off = 0; i < nopts; i++)
			off += (size_t)sprintf(data + off, "%s%s", i ? "," : "", opts[i]);
		if (strlen(data) > LEGACY_MAX)
			req_fail(r, E2BIG, "option string longer than %d bytes", LEGACY_MAX);
		/* a legacy remount resets the per-mount flags: keep nodev and nosuid where the mount has them */
		struct statvfs sv;
		unsigned long keep = 0;
		if (statvfs(target, &sv) == 0)
			keep = (sv.f_flag & ST_NODEV ? MS_NODEV : 0) | (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0);
		if (mount(NULL, target, NULL, MS_REMOUNT | keep | (ro ? MS_RDONLY : 0), data[0] ? data : NULL))
			req_fail_errno(r, errno);
		reply_ok(r);
		return;
	}
	int fd = fspick(AT_FDCWD, target, FSPICK_CLOEXEC | FSPICK_NO_AUTOMOUNT | FSPICK_SYMLINK_NOFOLLOW);
	if (fd < 0)
		req_fail(r, errno, "fspick %s", target);
	char step[96];
	for (size_t i = 0; i < nopts; i++) {
		char *eq = strchr(opts[i], '=');
		int rc;
		if (eq) {
			*eq = '\0';
			rc = fsconfig(fd, FSCONFIG_SET_STRING, opts[i], eq + 1, 0);
			*eq = '=';
		} else {
			rc = fsconfig(fd, FSCONFIG_SET_FLAG, opts[i], NULL, 0);
		}
		if (rc) {
			snprintf(step, sizeof step, "fsconfig #%zu", i + 1);
			goto fail;
		}
	}
	if (ro_given && fsconfig(fd, FSCONFIG_SET_FLAG, ro ? "ro" : "rw", NULL, 0)) {
		snprintf(step, sizeof step, "fsconfig %s", ro ? "ro" : "rw");
		goto fail;
	}
	if (fsconfig(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0)) {
		snprintf(step, sizeof step, "fsconfig reconfigure");
		goto fail;
	}
	fc_log(fd, msg, 4096);
	close(fd);
	out_begin(r, "ok");
	if (msg[0])
		out_kvs("log", msg);
	out_end(r, true);
	return;
fail:;
	int e = errno;
	fc_log(fd, msg, 4096);
	close(fd);
	req_fail(r, e, "%s: %s", step, msg[0] ? msg : strerror(e));
}

const struct opdef reconf_ops[] = {
	{ "reconfigure", op_reconfigure, "target opt api ro" },
	{ NULL, NULL, NULL },
};
