// Another process's drop_caches while a case runs. On a shared machine (this one: about two a
// second from other people's suites) the kernel then evicts the overlay's unused dentries and
// inodes between two steps, and what the overlay keeps only in a cached inode changes: the link
// count of a file copied up through the index with nfs_export=on (1 cached, the upper's 2 once
// evicted), the number of a directory on layers of different filesystems. No oracle can know
// when that happened. /proc/vmstat counts every drop (drop_slab), so a case during which it grew
// by more than the case's own drops was disturbed, and a disagreement in it is run again. The
// counting is the engine's (engine/drops.ts): `ovlconf run` notes the same in a result.

export { disturbed, dropCount, ownDrops } from '../engine/drops.js';

/** How often a disagreeing case that was disturbed is run again before its verdict stands. */
export const MAX_RERUNS = 3;
