#!/bin/sh
# Run a command in a private mount namespace with a fresh ext4 filesystem held in RAM mounted at
# $SCRATCH (an image on /dev/shm behind a loop device), for `ovlconf fuzz --workdir "$SCRATCH"`.
# Every overlay unmount syncs its upper filesystem; on the machine's shared root that flush was
# most of a kernel fuzz case's teardown. The layers are still ext4 with the same mount options
# (relatime), so what is compared does not change. The mount ends with the namespace; the image
# is unlinked at once, so nothing is left behind.
#   unshare -m --propagation private scripts/ram-ext4.sh sh -c 'ovlconf fuzz ... --workdir "$SCRATCH"'
set -eu
[ "$(id -u)" = 0 ] || { echo "ram-ext4.sh: needs root (run it under unshare -m)" >&2; exit 2; }
IMG=$(mktemp /dev/shm/ovlconf-scratch-XXXXXX.img)
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/ovlconf-ram-ext4-XXXXXX")
truncate -s "${RAM_EXT4_SIZE:-2G}" "$IMG"
mkfs.ext4 -q -F "$IMG"
mount -o loop,relatime "$IMG" "$SCRATCH"
rm -f "$IMG"
export SCRATCH
status=0
"$@" || status=$?
umount "$SCRATCH" && rmdir "$SCRATCH"
exit $status
