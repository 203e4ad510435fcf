/* ovlagent: dropping every cache between the observer and the filesystem under test, so a
 * read or stat after it shows what the implementation itself holds (dropcaches, read/pread
 * dropcaches=1). posix_fadvise alone cannot drop dirty pages; FUSE's page, attribute and entry
 * caches outlive it too. */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void add(char *buf, size_t len, const char *what)
{
	size_t used = strlen(buf);
	snprintf(buf + used, len - used, "%s%s", used ? "," : "", what);
}

/* write "3" to /proc/sys/vm/drop_caches with euid 0 (an as_uid op keeps saved uid 0); 0 or errno */
static int drop_vm_caches(void)
{
	uid_t ruid, euid, suid;
	getresuid(&ruid, &euid, &suid);
	bool swap = euid != 0 && suid == 0;
	if (swap && setresuid((uid_t)-1, 0, (uid_t)-1))
		return errno;
	int e = 0;
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "3", 1) != 1)
		e = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	if (swap && setresuid((uid_t)-1, euid, (uid_t)-1)) {
		fprintf(stderr, "ovlagent: cannot return to uid %u after drop_caches: %s\n", (unsigned)euid, strerror(errno));
		_exit(4);
	}
	return e;
}

void drop_caches(int fd, char *reached, size_t rlen, char *missed, size_t mlen)
{
	char m[64];
	reached[0] = missed[0] = '\0';
	/* dirty pages first: the data must reach the implementation before the cache can go */
	if (fsync(fd) == 0)
		add(reached, rlen, "fsync");
	else if (errno != EINVAL && errno != EBADF) /* a FIFO or O_PATH fd has nothing to write back */
		snprintf(m, sizeof m, "fsync:%s", errname(errno)), add(missed, mlen, m);
	if (syncfs(fd) == 0)
		add(reached, rlen, "syncfs");
	else
		snprintf(m, sizeof m, "syncfs:%s", errname(errno)), add(missed, mlen, m);
	int e = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (e == 0)
		add(reached, rlen, "fadvise");
	else if (e != ESPIPE)
		snprintf(m, sizeof m, "fadvise:%s", errname(e)), add(missed, mlen, m);
	/* page cache, dentries and inodes of every filesystem: FUSE must look up and getattr again.
	 * Only root of the initial user namespace may; in a user namespace this is EACCES. */
	e = drop_vm_caches();
	if (e == 0)
		add(reached, rlen, "drop_caches");
	else
		snprintf(m, sizeof m, "drop_caches:%s", errname(e)), add(missed, mlen, m);
}

void out_drop_caches(int fd)
{
	char reached[128], missed[192];
	drop_caches(fd, reached, sizeof reached, missed, sizeof missed);
	out_kvs("reached", reached);
	if (missed[0])
		out_kvs("missed", missed);
}
