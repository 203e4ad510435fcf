// Directory streams: opendir, readdir (a snapshot taken at the first read after open or rewind,
// as the overlay's per-open cache and glibc's buffer give), telldir/seekdir positions, and the
// d_ino/d_type values the kernel emits (recomputed by lookup where it would be).

import type { DirEntryValue } from '../../language/canonical.js';
import { fail, FsError } from './errors.js';
import { devIno, getInode } from './inode.js';
import { listDir, dirIsMerged } from './dirlist.js';
import { entryPath, lookupChild, ovlX, type OEntry } from './lookup.js';
import type { DirEnt, DirStream } from './handles.js';
import { checkPerm, MAY_READ, ROOT, type Creds } from './perm.js';
import type { Mount } from './state.js';
import { touchAtime } from './times.js';
import { walkExisting } from './walk.js';

/** opendir(3): open the directory for reading. */
export function openDir(m: Mount, c: Creds, path: string): DirStream {
  const e = walkExisting(m, c, path, true).entry;
  if (e.kind !== 'dir') fail('ENOTDIR');
  checkPerm(c, e.upper ?? e.lowers[0].node, MAY_READ);
  const s: DirStream = { id: m.handle(), inode: getInode(m, e), path: entryPath(e), merged: dirIsMerged(e), snap: null, pos: 0 };
  m.dirs.set(s.id, s);
  return s;
}

/** The directory entry of a stream, looked up afresh (it may have moved). */
function streamEntry(m: Mount, s: DirStream): OEntry {
  return walkExisting(m, ROOT, s.path || '.', true).entry;
}

/** d_ino as the kernel emits it for one listed name (null: a stale entry the kernel skips). */
function dIno(m: Mount, dir: OEntry, d: DirEnt, merged: boolean): bigint | null {
  const fs = d.layer >= 0 ? m.lowerFs[d.layer] : m.upperFs;
  const bits = m.xinoBits;
  const sameDev = m.sameFs || bits > 0;
  const remap = (ino: bigint) => (bits && ino >> BigInt(64 - bits) === 0n ? ino | (BigInt(fs.id) << BigInt(64 - bits + 1)) : ino);
  const impure = dir.upper !== null && ovlX(m, dir.upper, 'impure') !== undefined;
  let viaLookup: boolean;
  if (merged) viaLookup = d.recalc;
  else {
    if (bits && !d.fromUpper) return remap(d.native);
    viaLookup = d.fromUpper && (bits > 0 || (m.sameFs && impure));
  }
  if (!viaLookup) return d.native;
  let e: OEntry;
  try {
    e = lookupChild(m, dir, d.name);
  } catch (err) {
    // "failed to look up (name) for ino": the entry is treated as stale
    if (err instanceof FsError) return merged ? null : d.native;
    throw err;
  }
  if (e.kind === null) return merged ? null : d.native;
  if (!sameDev) return d.native;
  const i = getInode(m, e);
  if (i.constIno && i.upper && i.lower) return devIno(m, i).ino;
  if (bits && !e.upper) return remap(d.native);
  return d.native;
}

/** Read up to `count` entries (all remaining when undefined) from a stream. */
export function readDir(m: Mount, s: DirStream, count?: number): DirEntryValue[] {
  if (s.inode.dead) {
    // getdents(2) of a removed directory fails with ENOENT (IS_DEADDIR), which glibc's
    // readdir(3) reports as the end of the stream; entries it had buffered before are still
    // returned (verified on 6.18: lower-only, pure upper and merged dirs all read as empty)
    const out: DirEntryValue[] = [];
    while (s.snap && s.pos < s.snap.length && (count === undefined || out.length < count)) {
      const d = s.snap[s.pos++];
      if (d.name === '.' || d.name === '..' || (s.merged && d.kind === 'whiteout')) continue;
      out.push({ name: d.name, ino: d.native.toString(), type: d.kind === 'whiteout' ? 'chr' : d.kind });
    }
    return out;
  }
  const dir = streamEntry(m, s);
  if (!s.snap) {
    s.snap = listDir(m, dir).ents;
    s.merged = dirIsMerged(dir);
    if (dir.upper) touchAtime(m, dir.upper);
  }
  const out: DirEntryValue[] = [];
  while (s.pos < s.snap.length && (count === undefined || out.length < count)) {
    const d = s.snap[s.pos++];
    if (d.name === '.' || d.name === '..') continue;
    if (s.merged && d.kind === 'whiteout') continue;
    const ino = dIno(m, dir, d, s.merged);
    if (ino === null) continue;
    out.push({ name: d.name, ino: ino.toString(), type: d.kind === 'whiteout' ? 'chr' : d.kind });
  }
  return out;
}

/** seekdir(3): merged dirs keep their snapshot (0 starts afresh); real dirs are read again. */
export function seekDir(s: DirStream, offset: number): void {
  if (offset < 0) fail('EINVAL');
  if (offset === 0 || !s.merged) s.snap = null;
  s.pos = offset;
}

/** rewinddir(3). */
export function rewindDir(s: DirStream): void {
  s.snap = null;
  s.pos = 0;
}

/** readdir of a whole directory by path (open, read all, close). */
export function listPath(m: Mount, c: Creds, path: string): DirEntryValue[] {
  const s = openDir(m, c, path);
  try {
    return readDir(m, s);
  } finally {
    m.dirs.delete(s.id);
  }
}

