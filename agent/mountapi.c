/* ovlagent: the new mount API in one call (fsopen, fsconfig, fsmount, move_mount), with the
 * fs-context log as the message. No request state: bench/floor.c links it too. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the new mount API ------------------------------------------------------------------------- */

/* append the fs-context log (one message per read) to msg */
static void read_fc_log(int fsfd, char *msg, size_t msglen)
{
	char b[1024];
	for (;;) {
		ssize_t n = read(fsfd, b, sizeof b - 1);
		if (n <= 0)
			break;
		while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == ' '))
			n--;
		b[n] = '\0';
		const char *text = b;
		if (n > 2 && b[1] == ' ' && (b[0] == 'e' || b[0] == 'w' || b[0] == 'i'))
			text = b + 2;
		size_t used = strlen(msg);
		snprintf(msg + used, msglen - used, "%s%s", used ? "; " : "", text);
	}
}

/* One fsconfig call made by a child running as uid:gid `as` (no supplementary groups) whose only
 * capability is CAP_SYS_ADMIN (what creating an overlay needs), or none with `nocaps`: the
 * credentials overlayfs stashes are the child's. The fs context is shared through the fd. */
static int fsconfig_as(int fs, unsigned cmd, const char *key, unsigned as, bool nocaps)
{
	pid_t p = fork();
	if (p < 0)
		return errno;
	if (p == 0) {
		struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct d[2];
		memset(d, 0, sizeof d);
		if (!nocaps)
			d[0].effective = d[0].permitted = 1u << CAP_SYS_ADMIN;
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) || setresgid(as, as, as) ||
		    setresuid(as, as, as) || syscall(SYS_capset, &h, d))
			_exit(120);
		_exit(fsconfig(fs, cmd, key, NULL, 0) ? (errno & 0x7f) : 0);
	}
	int st = 0;
	while (waitpid(p, &st, 0) < 0)
		if (errno != EINTR)
			return errno;
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 120)
		return EPERM;
	return WEXITSTATUS(st);
}

int mount_new_api(const char *fstype, const char *source, const char *target, char *const *opts, size_t nopts,
		  bool ro, bool dev, char *msg, size_t msglen)
{
	return mount_new_api_as(fstype, source, target, opts, nopts, ro, dev, NULL, msg, msglen);
}

int mount_new_api_as(const char *fstype, const char *source, const char *target, char *const *opts, size_t nopts,
		     bool ro, bool dev, const struct mount_creds *cr, char *msg, size_t msglen)
{
	char step[160];
	int e = 0, mfd = -1;
	msg[0] = '\0';
	int fs = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fs < 0) {
		e = errno;
		snprintf(msg, msglen, "fsopen(%s)", fstype);
		return e;
	}
	if (source && fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0)) {
		snprintf(step, sizeof step, "fsconfig source");
		goto fail;
	}
	for (size_t i = 0; i < nopts; i++) {
		char *eq = strchr(opts[i], '=');
		int rc;
		if (eq) {
			*eq = '\0';
			rc = fsconfig(fs, FSCONFIG_SET_STRING, opts[i], eq + 1, 0);
			*eq = '=';
		} else {
			rc = fsconfig(fs, FSCONFIG_SET_FLAG, opts[i], NULL, 0);
		}
		if (rc) {
			snprintf(step, sizeof step, "fsconfig #%zu %.*s", i + 1,
				 (int)(eq ? (size_t)(eq - opts[i]) : strlen(opts[i])), opts[i]);
			goto fail;
		}
	}
	if (cr && cr->override) { /* 6.15+: the creds of the task setting override_creds are stashed */
		int oe = fsconfig_as(fs, FSCONFIG_SET_FLAG, "override_creds", cr->uid, false);
		if (oe) {
			errno = oe;
			snprintf(step, sizeof step, "fsconfig override_creds as uid %u", cr->uid);
			goto fail;
		}
	}
	if (cr && !cr->override) { /* the creds of the task creating the superblock are stashed */
		int ce = fsconfig_as(fs, FSCONFIG_CMD_CREATE, NULL, cr->uid, false);
		if (ce) {
			errno = ce;
			snprintf(step, sizeof step, "fsconfig create as uid %u", cr->uid);
			goto fail;
		}
	} else if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		snprintf(step, sizeof step, "fsconfig create");
		goto fail;
	}
	/* nodev,nosuid unless the scenario needs device semantics: a node made in it reaches no host device */
	mfd = fsmount(fs, FSMOUNT_CLOEXEC, (ro ? MOUNT_ATTR_RDONLY : 0) | (dev ? 0 : MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID));
	if (mfd < 0) {
		snprintf(step, sizeof step, "fsmount");
		goto fail;
	}
	if (move_mount(mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH)) {
		snprintf(step, sizeof step, "move_mount");
		goto fail;
	}
	read_fc_log(fs, msg, msglen); /* warnings of a successful mount */
	close(mfd);
	close(fs);
	return 0;
fail:
	e = errno;
	snprintf(msg, msglen, "%s: ", step);
	size_t base = strlen(msg);
	read_fc_log(fs, msg + base, msglen - base);
	if (!msg[base])
		snprintf(msg + base, msglen - base, "%s", strerror(e));
	if (mfd >= 0)
		close(mfd);
	close(fs);
	return e;
}
