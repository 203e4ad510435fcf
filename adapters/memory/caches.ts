// drop_caches=3 (the dropCaches op): the kernel evicts every overlay dentry and inode that no
// open file, mapping or held dentry refers to, and a later lookup builds the inode afresh from
// the layers. What the model kept only in memory then changes as on the kernel (checked on 6.18):
// a file copied up through the index with nfs_export=on (lower nlink 1, upper linked from the
// index) shows nlink 1 while cached and the upper's 2 once evicted; a directory on layers of
// different filesystems (xino off) gets a new overlay inode number; a name pinned to an inode a
// fresh lookup would not find loses it.

import { rootInode } from './inode.js';
import type { Mount } from './state.js';
import type { OInode } from './types.js';

/** Evict what nothing holds; `held` is the object the op itself opens to drop its caches. */
export function dropCaches(m: Mount, held?: { inode: OInode; path: string }): void {
  const keep = new Set<OInode>([rootInode(m)]);
  // a held dentry holds its parents' dentries, and they their inodes
  const paths = new Set<string>(['']);
  const hold = (i: OInode, path: string) => {
    keep.add(i);
    for (let p = path; p !== ''; p = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '') paths.add(p);
  };
  for (const f of m.fds.values()) hold(f.inode, f.path);
  for (const d of m.dirs.values()) hold(d.inode, d.path);
  for (const x of m.maps.values()) hold(x.inode, x.path);
  if (held) hold(held.inode, held.path);
  for (const i of new Set(m.inodes.values())) if ([...i.names].some((n) => paths.has(n))) keep.add(i);
  for (const [k, i] of m.inodes) {
    if (!keep.has(i)) m.inodes.delete(k);
    else i.names = new Set([...i.names].filter((n) => paths.has(n)));
  }
  for (const [p, i] of m.pins) if (!keep.has(i) || !paths.has(p)) m.pins.delete(p);
}
