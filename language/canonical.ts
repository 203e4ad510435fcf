// The canonical, implementation-neutral form of layer contents and observed values:
// scenarios are written in it, adapters materialise it and read their upper layer back into it.

import type { FileType } from './ops.js';

/** Bytes in JSON: a UTF-8 string when the bytes are valid printable UTF-8, else { hex }. */
export type DataJSON = string | { hex: string };

export interface CanonFile {
  type: 'file';
  /** content; absent with `size` means a file of `size` zero bytes (sparse where the fs allows) */
  data?: DataJSON;
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  /** "sec.nsec" */
  mtime?: string;
  atime?: string;
  xattrs?: Record<string, DataJSON>;
  /** metadata-only copy (overlay.metacopy): data comes from the lower or redirect target */
  metacopy?: boolean;
  /** overlay.redirect of a metacopy file (absolute path to its data) */
  redirect?: string;
  /** inspection only */
  nlink?: number;
  ino?: string;
  /** inspection only: carries overlay.origin (a handle of the lower object it was copied up from) */
  origin?: boolean;
  /** inspection only: linked into the inodes index (workdir/index) */
  indexed?: boolean;
  /** inspection only: overlay-private xattrs not mapped to a field above, by short name */
  overlay?: Record<string, DataJSON>;
}
export interface CanonDir {
  type: 'dir';
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: string;
  atime?: string;
  xattrs?: Record<string, DataJSON>;
  /** overlay.opaque: "y" hides lower entries; "x" marks a dir holding xattr whiteouts */
  opaque?: 'y' | 'x';
  /** overlay.redirect: where the lower part of this merged dir is found */
  redirect?: string;
  nlink?: number;
  ino?: string;
  /** inspection only: carries overlay.origin */
  origin?: boolean;
  /** inspection only: has an index entry (nfs_export) */
  indexed?: boolean;
  overlay?: Record<string, DataJSON>;
}
export interface CanonSymlink {
  type: 'symlink';
  target: string;
  uid?: number;
  gid?: number;
  mtime?: string;
  atime?: string;
  xattrs?: Record<string, DataJSON>;
  ino?: string;
  /** inspection only: carries overlay.origin */
  origin?: boolean;
  /** inspection only: linked into the inodes index */
  indexed?: boolean;
  overlay?: Record<string, DataJSON>;
}
/** input only: another name for the object at `target` in the same layer */
export interface CanonHardlink {
  type: 'hardlink';
  target: string;
}
export interface CanonSpecial {
  type: 'fifo' | 'chr' | 'blk' | 'sock';
  mode?: number;
  uid?: number;
  gid?: number;
  major?: number;
  minor?: number;
  mtime?: string;
  atime?: string;
  xattrs?: Record<string, DataJSON>;
  ino?: string;
  /** inspection only: carries overlay.origin */
  origin?: boolean;
  /** inspection only: linked into the inodes index */
  indexed?: boolean;
  overlay?: Record<string, DataJSON>;
}
export interface CanonWhiteout {
  type: 'whiteout';
  /** native form: char 0/0 (kernel default), xattr whiteout, `.wh.` file, unionfs HIDDEN marker */
  format?: 'chr' | 'xattr' | 'wh-file' | 'unionfs';
}
export type CanonEntry = CanonFile | CanonDir | CanonSymlink | CanonHardlink | CanonSpecial | CanonWhiteout;

/** normalised relative path (no leading/trailing slash, no `.`/`..`) → entry; parents explicit */
export type CanonTree = Record<string, CanonEntry>;

export interface CanonLayers {
  /** topmost first, as in lowerdir= */
  lowers: CanonTree[];
  /** null: no upper layer, a read-only overlay */
  upper: CanonTree | null;
  /** data-only lower layers (below every lower, topmost first); absent when the scenario has none */
  data?: CanonTree[];
}

/** stat(2)/statx(2) as observed; 64-bit numbers that can exceed 2^53 are decimal strings */
export interface StatValue {
  type: FileType;
  /** permission and set-id bits (mode & 07777) */
  mode: number;
  ino: string;
  /** "major:minor" */
  dev: string;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  blocks: number;
  rdev: string;
  atime: string;
  mtime: string;
  ctime: string;
  btime?: string;
}

export interface StatfsValue {
  /** f_type as "0x…" */
  type: string;
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  namelen: number;
  fsid: string;
  flags: number;
}

export interface DirEntryValue {
  name: string;
  ino: string;
  /** d_type; 'unknown' when the fs reports DT_UNKNOWN */
  type: FileType | 'unknown';
}

export interface LockValue {
  type: 'F_RDLCK' | 'F_WRLCK' | 'F_UNLCK';
  pid?: number;
  start?: number;
  len?: number;
}

/** What an adapter returns for one op: a value or an errno name, never a thrown filesystem error. */
export type OpResult =
  | { ok: true; value?: OpValue }
  | { ok: false; errno: string; message?: string }
  /** the path would resolve outside the scenario root: refused before anything ran */
  | { ok: false; escape: string }
  /** the adapter cannot perform this op here (the scenario is skipped with this reason) */
  | { ok: false; skip: string };

export type OpValue =
  | { fd: number }
  | { dir: number }
  | { map: number }
  | { stat: StatValue }
  | { statfs: StatfsValue }
  | { data: Uint8Array }
  | { count: number }
  | { offset: number }
  | { entries: DirEntryValue[] }
  | { names: string[] }
  | { value: Uint8Array }
  | { target: string }
  | { lock: LockValue }
  | { path: string }
  /** effective mount options read back (mountinfo op): option name → value */
  | { mount: Record<string, string> };

/** Set an own property whatever the key: a plain assignment to `__proto__` would change the prototype and lose the entry. */
export function putEntry<T>(o: Record<string, T>, key: string, value: NoInfer<T>): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}
