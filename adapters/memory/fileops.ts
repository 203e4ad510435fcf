// Operations on open files: read/write at the file offset or at a position, lseek (regular
// files, merged and real directories), truncate, and which real inode each one reaches
// (the current upper with stacked file ops, or the inode bound at open with legacy-fd).

import { fail } from './errors.js';
import { BLOCK, readAt, setSize, writeAt, type LNode } from './layer.js';
import { copyUp } from './copyup.js';
import { dataOf } from './inode.js';
import type { OpenFile } from './handles.js';
import { checkPerm, killPrivs, MAY_WRITE, type Creds } from './perm.js';
import { readSpecial, writeSpecial } from './special.js';
import type { Mount } from './state.js';
import { touchAtime, touchModify } from './times.js';
import { walkExisting } from './walk.js';

/** The real inode reads of this fd reach. */
export function readNode(f: OpenFile): LNode {
  return f.real ?? dataOf(f.inode);
}

/** The fd, checked: EBADF for O_PATH and unknown handles. */
export function usable(m: Mount, fd: number): OpenFile {
  const f = m.fds.get(fd);
  if (!f || f.pathOnly) fail('EBADF');
  return f;
}

/** read(2)/pread(2) of `len` bytes at `pos`. */
export function readFd(m: Mount, f: OpenFile, pos: number, len: number): Uint8Array {
  if (!f.readable) fail('EBADF');
  if (f.inode.kind === 'dir') fail('EISDIR');
  if (len < 0 || pos < 0) fail('EINVAL');
  if (f.inode.kind !== 'file') return readSpecial(f.inode, f.inode.upper ?? f.inode.lower!.node, len, f.nonblock);
  const out = len === 0 ? new Uint8Array(0) : readAt(readNode(f), pos, len);
  if (len > 0 && !f.noatime && f.inode.upper && (m.cfg.stackedFops || f.real === f.inode.upper)) touchAtime(m, f.inode.upper);
  return out;
}

/** write(2)/pwrite(2): returns the position after the data. */
export function writeFd(m: Mount, c: Creds, f: OpenFile, pos: number, data: Uint8Array): number {
  if (!f.writable) fail('EBADF');
  if (f.inode.kind !== 'file') {
    writeSpecial(f.inode, f.inode.upper ?? f.inode.lower!.node, data);
    return pos;
  }
  if (pos < 0) fail('EINVAL');
  const n = f.real ?? f.inode.upper!;
  if (data.length === 0) return pos;
  const at = f.append ? n.size : pos;
  writeAt(n, at, data);
  n.mode = killPrivs(c, n.mode);
  touchModify(m, n);
  return at + data.length;
}

/** lseek(2). */
export function seekFd(f: OpenFile, offset: number, whence: string): number {
  const k = f.inode.kind;
  if (k === 'fifo' || k === 'sock') fail('ESPIPE');
  if (k === 'dir') {
    if (f.dirMerged) {
      if (whence === 'SEEK_CUR') offset += f.pos;
      else if (whence !== 'SEEK_SET') fail('EINVAL');
      if (offset < 0) fail('EINVAL');
      return (f.pos = offset);
    }
    // ext4 directories with hashed offsets: SEEK_END lands at the 64-bit hash EOF
    const eof = 2 ** 63 - 1;
    let pos = whence === 'SEEK_SET' ? offset : whence === 'SEEK_CUR' ? f.pos + offset : whence === 'SEEK_END' ? eof + offset : NaN;
    if (Number.isNaN(pos) || pos < 0) fail('EINVAL');
    if (pos > eof) pos = eof;
    return (f.pos = pos);
  }
  if (k === 'chr' || k === 'blk') return (f.pos = 0);
  const n = readNode(f);
  let pos: number;
  switch (whence) {
    case 'SEEK_SET': pos = offset; break;
    case 'SEEK_CUR': pos = f.pos + offset; break;
    case 'SEEK_END': pos = n.size + offset; break;
    case 'SEEK_DATA':
    case 'SEEK_HOLE': {
      if (offset < 0 || offset >= n.size) fail('ENXIO');
      pos = seekDataHole(n, offset, whence === 'SEEK_DATA');
      break;
    }
    default: fail('EINVAL');
  }
  if (pos < 0) fail('EINVAL');
  return (f.pos = pos);
}

/** SEEK_DATA / SEEK_HOLE at block granularity of the written blocks. */
function seekDataHole(n: LNode, offset: number, data: boolean): number {
  for (let b = Math.floor(offset / BLOCK); b * BLOCK < n.size; b++) {
    if (n.alloc.has(b) === data) return Math.max(offset, b * BLOCK);
  }
  if (data) fail('ENXIO');
  return n.size;
}

/** Set the size of a copied-up regular file, as truncate(2) does (times, setuid kill). */
export function truncateNode(m: Mount, c: Creds, n: LNode, length: number): void {
  setSize(n, length);
  n.mode = killPrivs(c, n.mode);
  touchModify(m, n);
}

/** truncate(2). */
export function truncatePath(m: Mount, c: Creds, path: string, length: number): void {
  if (length < 0) fail('EINVAL');
  const w = walkExisting(m, c, path, true);
  const e = w.entry;
  if (e.kind === 'dir') fail('EISDIR');
  if (e.kind !== 'file') fail('EINVAL');
  if (!m.upper) fail('EROFS');
  checkPerm(c, e.upper ?? e.lowers[0].node, MAY_WRITE);
  copyUp(m, e, { data: true });
  truncateNode(m, c, e.upper!, length);
}

/** ftruncate(2). */
export function truncateFd(m: Mount, c: Creds, f: OpenFile, length: number): void {
  if (length < 0) fail('EINVAL');
  if (f.inode.kind !== 'file' || !f.writable) fail('EINVAL');
  truncateNode(m, c, f.real ?? f.inode.upper!, length);
}
