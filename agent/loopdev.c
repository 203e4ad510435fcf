/* ovlagent: loop devices for filesystems that need a block device (squashfs lowers). The agent's
 * root has no host /dev and its sandbox is nodev, so before the pivot it keeps /dev/loop-control
 * and an O_PATH handle on the host's /dev; a loop device is then configured read-only with
 * LO_FLAGS_AUTOCLEAR and mounted through /proc/self/fd/N. AUTOCLEAR ties the device to its last
 * user: it is released when the mount goes (umount, or the namespace dying with a killed agent),
 * or on the close after a refused mount, so no exit path leaves one attached. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int loopctl = -1, devdir = -1, why = ENODEV;

void loop_keep(void)
{
	loopctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (loopctl < 0) {
		why = errno;
		return;
	}
	devdir = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (devdir < 0) {
		why = errno;
		close(loopctl);
		loopctl = -1;
	}
}

int loop_attach(struct req *r, const char *file, char *name, size_t namelen)
{
	if (loopctl < 0)
		req_fail(r, why, "no loop device: /dev/loop-control could not be opened at startup");
	int img = open(file, O_RDONLY | O_CLOEXEC);
	if (img < 0)
		req_fail(r, errno, "open %s", file);
	/* another process may take the free device between GET_FREE and CONFIGURE: try again */
	for (int tries = 0; tries < 32; tries++) {
		int n = ioctl(loopctl, LOOP_CTL_GET_FREE);
		if (n < 0) {
			int e = errno;
			close(img);
			req_fail(r, e, "LOOP_CTL_GET_FREE");
		}
		snprintf(name, namelen, "loop%d", n);
		int fd = openat(devdir, name, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			close(img);
			req_fail(r, e, "open /dev/%s", name);
		}
		struct loop_config c;
		memset(&c, 0, sizeof c);
		c.fd = (unsigned)img;
		c.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
		snprintf((char *)c.info.lo_file_name, sizeof c.info.lo_file_name, "%s", file);
		if (ioctl(fd, LOOP_CONFIGURE, &c) == 0) {
			close(img); /* the device holds the file now */
			return fd;
		}
		int e = errno;
		close(fd);
		if (e != EBUSY) {
			close(img);
			req_fail(r, e, "LOOP_CONFIGURE /dev/%s", name);
		}
	}
	close(img);
	req_fail(r, EBUSY, "every free loop device was taken before it could be configured");
}
