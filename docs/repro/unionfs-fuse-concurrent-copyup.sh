#!/bin/bash
# By-hand reproduction of KF-UNIONFS-FUSE-CONCURRENT-COPYUP-LOSES-WRITES (copy-up/concurrent-writers):
# in each round 4 processes wait at a barrier, then each opens the lower file f<round> O_WRONLY and
# pwrites 'A'+k at offset k; afterwards the file must read ABCD456789abcdef. Run on unionfs-fuse,
# on kernel overlayfs and on the plain directory (ext4) for comparison.
# unionfs-fuse copies a lower file up on every O_WRONLY open that finds it only in the lower branch,
# without a lock, straight into its final upper path with O_WRONLY|O_TRUNC|O_CREAT (cow_cp ->
# copy_file in src/cow.c and src/cow_utils.c): a writer whose open comes a moment later truncates
# and rewrites the copy that an earlier writer already opened and wrote into, so that write is lost.
# usage: unionfs-fuse-concurrent-copyup.sh [variant] [rounds]
#   variant: default | hide_meta_files | libfuse-inodes | direct_io (as adapters/unionfs-fuse/variants.ts)
# Needs: root, cc, unionfs (unionfs-fuse), unshare. Everything under one mktemp dir, unmounted and
# removed at the end.
set -u
if [ -z "${OVLCONF_REPRO_NS:-}" ]; then exec env OVLCONF_REPRO_NS=1 unshare -m --propagation private bash "$0" "$@"; fi
[ "$(id -u)" = 0 ] || { echo "run as root (mounts)"; exit 2; }
VARIANT=${1:-default}; N=${2:-1000}
BASE=cow,allow_other,suid,dev
case $VARIANT in
  default) OPTS=$BASE,use_ino ;;
  hide_meta_files) OPTS=$BASE,use_ino,hide_meta_files ;;
  libfuse-inodes) OPTS=$BASE ;;
  direct_io) OPTS=$BASE,use_ino,direct_io ;;
  *) echo "unknown variant $VARIANT"; exit 2 ;;
esac
T=$(mktemp -d "${TMPDIR:-/tmp}/ovl-repro.XXXXXX")
PID=
cleanup() { umount "$T/merged" 2>/dev/null; umount "$T/ovl" 2>/dev/null; [ -n "$PID" ] && wait "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
cat > "$T/writers.c" <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	int rounds = atoi(argv[2]), procs = 4, lost = 0, shown = 0;
	int *arrived = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char p[4096], buf[64];
	for (int r = 0; r < rounds; r++) {
		snprintf(p, sizeof p, "%s/f%d", argv[1], r);
		*arrived = 0;
		for (int k = 0; k < procs; k++)
			if (fork() == 0) {
				__atomic_fetch_add(arrived, 1, __ATOMIC_SEQ_CST);
				while (__atomic_load_n(arrived, __ATOMIC_SEQ_CST) < procs)
					sched_yield();
				for (volatile unsigned i = (unsigned)((r * 7919 + k * 104729) % 20000); i > 0; i--)
					; /* another small head start for every process and round */
				int fd = open(p, O_WRONLY);
				char c = (char)('A' + k);
				if (fd < 0 || pwrite(fd, &c, 1, k) != 1)
					perror(p);
				close(fd);
				_exit(0);
			}
		while (wait(NULL) > 0)
			;
		int fd = open(p, O_RDONLY);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
		close(fd);
		buf[n > 0 ? n : 0] = 0;
		if (strcmp(buf, "ABCD456789abcdef")) {
			lost++;
			if (shown++ < 3)
				printf("  round %d: the file reads \"%s\"\n", r, buf);
		}
	}
	printf("%d rounds of 4 concurrent writers: %d lost a write\n", rounds, lost);
	return 0;
}
C
cc -O2 -o "$T/writers" "$T/writers.c" || exit 2
layer() { mkdir -p "$1"; for i in $(seq 0 $((N - 1))); do printf 0123456789abcdef > "$1/f$i"; done; }
echo "== plain directory on $(findmnt -no FSTYPE -T "$T")"
layer "$T/plain"; "$T/writers" "$T/plain" "$N"
echo "== kernel overlayfs"
layer "$T/olower"; mkdir -p "$T/oupper" "$T/owork" "$T/ovl"
if mount -t overlay overlay -o "lowerdir=$T/olower,upperdir=$T/oupper,workdir=$T/owork" "$T/ovl"; then
  "$T/writers" "$T/ovl" "$N"; umount "$T/ovl"
fi
echo "== unionfs -o $OPTS ($(unionfs --version 2>&1 | tr '\n' ' '))"
layer "$T/lower"; mkdir -p "$T/upper" "$T/merged"
unionfs -f -o "$OPTS" "$T/upper=RW:$T/lower=RO" "$T/merged" 2>"$T/daemon.err" &
PID=$!
for i in $(seq 200); do grep -q " $T/merged " /proc/mounts && break; sleep 0.02; done
"$T/writers" "$T/merged" "$N"
