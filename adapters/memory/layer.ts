// The layers themselves: trees of real inodes as the upper and lower filesystems hold them
// (names, modes, data, xattrs including overlay-private ones under their real names).

import type { FileType } from '../../language/ops.js';

/** The file types a layer holds. */
export type Kind = FileType;

/** A filesystem the layers live on: inode numbers are unique per fs, sizes follow its type. */
export interface Fs {
  /** 0 is the upper filesystem (the kernel's fsid numbering) */
  id: number;
  type: 'ext4' | 'tmpfs';
  nextIno: bigint;
}

/** One real inode of a layer. Hard links are the same object under several names. */
export interface LNode {
  /** unique across every layer of the engine: stands for a file handle (overlay.origin) */
  id: number;
  ino: bigint;
  fs: Fs;
  kind: Kind;
  /** permission bits (07777) */
  mode: number;
  uid: number;
  gid: number;
  atime: bigint;
  mtime: bigint;
  ctime: bigint;
  btime: bigint;
  /** names (plus an index link); for dirs 2 + subdirectories */
  nlink: number;
  /** regular files: bytes [0, size) are meaningful; `alloc` holds the written 4 KiB blocks */
  data: Uint8Array;
  size: number;
  alloc: Set<number>;
  target: string;
  major: number;
  minor: number;
  /** xattrs under their real names, overlay-private ones included */
  xattrs: Map<string, Uint8Array>;
  children: Map<string, LNode> | null;
  /** overlay.origin: the id of the lower inode this was copied up from (a file handle) */
  origin: number | null;
  /** linked into the index dir (workdir/index), counted in nlink */
  indexed: boolean;
}

let nextId = 1;

/** Filesystem block size (allocation unit for st_blocks and holes). */
export const BLOCK = 4096;

/** Make a detached inode on `fs` with the given kind and attributes. */
export function newNode(fs: Fs, kind: Kind, mode: number, uid: number, gid: number, time: bigint): LNode {
  const ino = fs.nextIno;
  // numbers with gaps, as a real filesystem hands out, from the filesystem's own count: the same
  // scenario gets the same numbers in every run, whatever ran before it in this process
  fs.nextIno += 1n + (ino % 3n);
  return {
    id: nextId++, ino, fs, kind, mode: mode & 0o7777, uid, gid,
    atime: time, mtime: time, ctime: time, btime: time,
    nlink: kind === 'dir' ? 2 : 0,
    data: new Uint8Array(0), size: 0, alloc: new Set(), target: '', major: 0, minor: 0,
    xattrs: new Map(), children: kind === 'dir' ? new Map() : null, origin: null, indexed: false,
  };
}

/** Is this a kernel whiteout (char device 0/0)? */
export function isChrWhiteout(n: LNode): boolean {
  return n.kind === 'chr' && n.major === 0 && n.minor === 0;
}

/** Enter `child` under `name` in `dir`, counting the link. */
export function linkIn(dir: LNode, name: string, child: LNode): void {
  dir.children!.set(name, child);
  if (child.kind === 'dir') {
    child.nlink = Math.max(child.nlink, 2);
    dir.nlink++;
  } else child.nlink++;
}

/** Remove the entry `name` of `dir`, uncounting the link; returns the removed inode. */
export function unlinkOut(dir: LNode, name: string): LNode | undefined {
  const child = dir.children!.get(name);
  if (!child) return undefined;
  dir.children!.delete(name);
  if (child.kind === 'dir') dir.nlink--;
  else child.nlink--;
  return child;
}

/** Make the file `n` `size` bytes long: shrinking drops data and blocks, growing adds a hole. */
export function setSize(n: LNode, size: number): void {
  if (size < n.size) {
    n.data.fill(0, size, Math.min(n.size, n.data.length));
    const keep = Math.ceil(size / BLOCK);
    for (const b of [...n.alloc]) if (b >= keep) n.alloc.delete(b);
  }
  n.size = size;
}

/** Write `bytes` at `off` into file `n`, growing it as needed and allocating the touched blocks. */
export function writeAt(n: LNode, off: number, bytes: Uint8Array): void {
  const end = off + bytes.length;
  if (end > n.data.length) {
    const grown = new Uint8Array(Math.max(end, n.data.length * 2, 64));
    grown.set(n.data.subarray(0, Math.min(n.size, n.data.length)));
    n.data = grown;
  }
  n.data.set(bytes, off);
  if (end > n.size) n.size = end;
  if (bytes.length) for (let b = Math.floor(off / BLOCK); b * BLOCK < end; b++) n.alloc.add(b);
}

/** Read up to `len` bytes at `off` (holes read as zeros). */
export function readAt(n: LNode, off: number, len: number): Uint8Array {
  const end = Math.min(n.size, off + len);
  if (off >= end) return new Uint8Array(0);
  const out = new Uint8Array(end - off);
  const avail = Math.min(end, n.data.length);
  if (avail > off) out.set(n.data.subarray(off, avail));
  return out;
}

/** Copy-up works in chunks of this size (OVL_COPY_UP_CHUNK_SIZE). */
export const COPY_UP_CHUNK = 1 << 20;

/**
 * ovl_copy_up_file() on a filesystem without clone: from each data start SEEK_DATA finds, one
 * 1 MiB chunk is copied whole, so the holes that share a chunk with data are written out as
 * zeros (allocated); only holes SEEK_DATA jumps over stay holes (DEV-COPYUP-FILLS-HOLES,
 * verified on 6.18.44 with an ext4 upper).
 */
export function copyUpData(dst: LNode, src: LNode): void {
  dst.data = src.data.slice(0, src.size);
  dst.size = src.size;
  dst.alloc = new Set();
  const len = src.size;
  let pos = 0;
  let dataPos = -1;
  while (pos < len) {
    if (dataPos < pos) {
      dataPos = nextData(src, pos);
      if (dataPos < 0) break;
      if (dataPos > pos) {
        pos = dataPos;
        continue;
      }
    }
    const end = Math.min(pos + COPY_UP_CHUNK, len);
    for (let b = Math.floor(pos / BLOCK); b * BLOCK < end; b++) dst.alloc.add(b);
    pos = end;
  }
}

/** lseek(SEEK_DATA) at block granularity: the first data offset at or after `pos`, -1 for ENXIO. */
function nextData(n: LNode, pos: number): number {
  let best = -1;
  for (const b of n.alloc) {
    const start = b * BLOCK;
    if (start + BLOCK <= pos || start >= n.size) continue;
    const at = Math.max(pos, start);
    if (best < 0 || at < best) best = at;
  }
  return best;
}

/** st_size as the filesystem reports it. */
export function realSize(n: LNode): number {
  if (n.kind === 'file') return n.size;
  if (n.kind === 'symlink') return Buffer.byteLength(n.target);
  if (n.kind === 'dir') return n.fs.type === 'tmpfs' ? 20 * (n.children!.size + 2) : BLOCK;
  return 0;
}

/** st_blocks (512-byte units) as the filesystem reports it. */
export function realBlocks(n: LNode): number {
  if (n.kind === 'file') return n.alloc.size * 8;
  if (n.kind === 'dir') return n.fs.type === 'tmpfs' ? 0 : 8;
  if (n.kind === 'symlink') return n.fs.type === 'ext4' && Buffer.byteLength(n.target) >= 60 ? 8 : 0;
  return 0;
}

/** Find the inode with this id anywhere below `root` (decoding a file handle). */
export function findById(root: LNode, id: number): LNode | null {
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.id === id) return n;
    if (n.children) for (const c of n.children.values()) stack.push(c);
  }
  return null;
}
