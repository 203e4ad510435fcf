// The engine's plain records (overlay inodes, open files, directory streams, mappings, lower
// references, credentials), kept apart from the code that acts on them so the modules that
// use one another's records do not import one another in a cycle.

import type { Kind, LNode } from './layer.js';
import type { LockSet } from './locks.js';

/** One overlay inode: shared by every name and open file that refers to the same object. */
export interface OInode {
  key: string;
  kind: Kind;
  upper: LNode | null;
  /** first lower (origin or top of the merge stack) */
  lower: LowerRef | null;
  /** the lower inode holding the data (end of a metacopy chain) */
  lowerData: LNode | null;
  /** size of the lower stack (merge dirs, metacopy chains) */
  numLower: number;
  /** the upper lacks data (metacopy) */
  metacopy: boolean;
  /** hashed by the lower inode (OVL_CONST_INO): st_ino of the origin may be used */
  constIno: boolean;
  /** OVL_INDEX */
  indexed: boolean;
  /** i_nlink of indexed inodes (the union of upper and uncovered lower links) */
  nlink: number;
  /** i_ino where no persistent number can be mapped (dirs on layers of different fs) */
  ovlIno: bigint;
  /** removed directory (IS_DEADDIR) */
  dead: boolean;
  /** locks (flock, POSIX, OFD) live on the overlay inode */
  locks: LockSet | null;
  /** a named pipe's buffer and its open ends */
  pipe: { buf: number[]; readers: number; writers: number } | null;
  /** merged paths of the positive dentries cached for this inode (names looked up so far) */
  names: Set<string>;
}

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
  /** the overlay inode and merged path of the file it was mapped from: the mapping holds them */
  inode: OInode;
  path: string;
  offset: number;
  length: number;
  writable: boolean;
}

/** A lower inode with the lower layer (0 = topmost lower) it was found in. */
export interface LowerRef {
  layer: number;
  node: LNode;
}

/** The identity an op runs as. */
export interface Creds {
  uid: number;
  gid: number;
  groups: number[];
}
