/* ovlagent: the new mount API in one call (fsopen, fsconfig, fsmount, move_mount), with the
 * fs-context log as the message. No request state: bench/floor.c links it too. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
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

int mount_new_api(const char *fstype, const char *source, const char *target, char *const *opts, size_t nopts,
		  bool ro, char *msg, size_t msglen)
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
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		snprintf(step, sizeof step, "fsconfig create");
		goto fail;
	}
	mfd = fsmount(fs, FSMOUNT_CLOEXEC, ro ? MOUNT_ATTR_RDONLY : 0);
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
