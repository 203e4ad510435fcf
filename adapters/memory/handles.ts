// Open files, directory streams and mappings: the per-open state the executor refers to by
// handle number, and the path bookkeeping /proc/self/fd shows for them.

import type { LNode, Kind } from './layer.js';
import { dropName, type OInode } from './inode.js';
import type { Mount } from './state.js';

/** An open file description (one open(2)). */
export interface OpenFile {
  id: number;
  inode: OInode;
  /** merged-root path of the name it was opened by (d_path follows renames) */
  path: string;
  deleted: boolean;
  readable: boolean;
  writable: boolean;
  append: boolean;
  nonblock: boolean;
  noatime: boolean;
  /** O_PATH: only fstat, fdpath and close work */
  pathOnly: boolean;
  /** an unnamed O_TMPFILE; `linkable` unless O_EXCL was given */
  tmpfile: boolean;
  linkable: boolean;
  pos: number;
  /** legacy-fd: the real inode the fd was opened on (no stacked file ops) */
  real: LNode | null;
  /** directory fds: offset semantics (merged dirs use sequence numbers) */
  dirMerged: boolean;
}

/** One entry of a directory listing snapshot. */
export interface DirEnt {
  name: string;
  kind: Kind | 'whiteout';
  /** d_ino before any recalculation */
  native: bigint;
  fromUpper: boolean;
  /** d_ino must be recomputed by a lookup at emission (and the entry dropped if gone) */
  recalc: boolean;
  /** the lower layer it came from (-1: upper) */
  layer: number;
}

/** An open directory stream (opendir(3)). */
export interface DirStream {
  id: number;
  inode: OInode;
  path: string;
  merged: boolean;
  /** the listing read at the first readdir after open/rewind ('.' and '..' first) */
  snap: DirEnt[] | null;
  pos: number;
}

/** A MAP_SHARED mapping: established on the real file it was mapped from. */
export interface Mapping {
  id: number;
  node: LNode;
  offset: number;
  length: number;
  writable: boolean;
}

/** After a rename, move the recorded paths of open files and streams under `from` to `to`. */
export function renamePaths(m: Mount, from: string, to: string): void {
  const move = (p: string) => (p === from ? to : p.startsWith(from + '/') ? to + p.slice(from.length) : p);
  for (const f of m.fds.values()) if (!f.deleted) f.path = move(f.path);
  for (const d of m.dirs.values()) d.path = move(d.path);
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
