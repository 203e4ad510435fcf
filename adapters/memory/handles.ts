// Open files, directory streams and mappings: the per-open state the executor refers to by
// handle number, and the path bookkeeping /proc/self/fd shows for them.

import type { LNode, Kind } from './layer.js';
import { dropName } from './inode.js';
import type { OInode } from './types.js';

export type { OpenFile, DirEnt, DirStream, Mapping } from './types.js';
import type { Mount } from './state.js';

/** After a rename, move the recorded paths of open files and streams under `from` to `to`. */
export function renamePaths(m: Mount, from: string, to: string): void {
  const move = (p: string) => (p === from ? to : p.startsWith(from + '/') ? to + p.slice(from.length) : p);
  for (const f of m.fds.values()) if (!f.deleted) f.path = move(f.path);
  for (const d of m.dirs.values()) d.path = move(d.path);
  for (const x of m.maps.values()) x.path = move(x.path);
  if (m.pins.size) {
    const moved = [...m.pins].map(([p, i]) => [move(p), i] as const);
    m.pins = new Map(moved);
  }
  // cached dentries move with the rename (d_move)
  for (const i of new Set(m.inodes.values())) if (i.names.size) i.names = new Set([...i.names].map(move));
}

/** After an unlink or rmdir of `path`, open files by that name show "(deleted)". */
export function markDeleted(m: Mount, path: string, inode: OInode | null): void {
  for (const f of m.fds.values()) if (f.path === path && !f.deleted && (!inode || f.inode === inode)) f.deleted = true;
  m.pins.delete(path);
  if (inode) dropName(m, inode, path);
}
