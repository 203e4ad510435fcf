// File locks on the overlay inode: flock(2) (per open file description), POSIX record locks
// (per process: the engine is one process, so they never conflict with each other) and OFD
// locks (per open file description), with Linux's conflict rules between them.

import { fail } from './errors.js';
import type { LockValue } from '../../language/canonical.js';

interface Range {
  /** 'p' for the process's POSIX locks, 'o<fd>' for an OFD lock */
  owner: string;
  write: boolean;
  start: number;
  /** exclusive; Infinity to end of file and beyond */
  end: number;
}

/** All locks of one overlay inode. */
export interface LockSet {
  flock: Map<number, 'sh' | 'ex'>;
  ranges: Range[];
}

/** the lock set of an inode, created on first use */
export function lockSet(holder: { locks: LockSet | null }): LockSet {
  if (!holder.locks) holder.locks = { flock: new Map(), ranges: [] };
  return holder.locks;
}

/** flock(2) by open file description `fd`. */
export function doFlock(ls: LockSet, fd: number, op: string, nonblock: boolean): void {
  if (op === 'LOCK_UN') {
    ls.flock.delete(fd);
    return;
  }
  const want = op === 'LOCK_EX' ? 'ex' : 'sh';
  for (const [o, t] of ls.flock) {
    if (o === fd) continue;
    if (t === 'ex' || want === 'ex') fail('EAGAIN', nonblock ? undefined : 'a blocking flock would wait forever');
  }
  ls.flock.set(fd, want);
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** The first lock of another owner that conflicts with the request, if any. */
function conflict(ls: LockSet, owner: string, write: boolean, start: number, end: number): Range | undefined {
  return ls.ranges.find((r) => r.owner !== owner && (r.write || write) && overlaps(r, { start, end }));
}

/** Set (or unlock) a range for `owner`, splitting and replacing its own overlapping locks. */
function setRange(ls: LockSet, owner: string, type: string, start: number, end: number): void {
  const kept: Range[] = [];
  for (const r of ls.ranges) {
    if (r.owner !== owner || !overlaps(r, { start, end })) {
      kept.push(r);
      continue;
    }
    if (r.start < start) kept.push({ ...r, end: start });
    if (r.end > end) kept.push({ ...r, start: end });
  }
  if (type !== 'F_UNLCK') kept.push({ owner, write: type === 'F_WRLCK', start, end });
  ls.ranges = kept;
}

/** fcntl(2) F_SETLK / F_GETLK / F_OFD_SETLK / F_OFD_GETLK on open file description `fd`. */
export function doLock(ls: LockSet, fd: number, cmd: string, type: string, start: number, len: number, canRead: boolean, canWrite: boolean): LockValue {
  if (start < 0 || (len < 0 && start + len < 0)) fail('EINVAL');
  let s = start;
  let e = len === 0 ? Infinity : start + len;
  if (len < 0) {
    s = start + len;
    e = start;
  }
  const ofd = cmd.startsWith('F_OFD');
  const owner = ofd ? `o${fd}` : 'p';
  if (cmd === 'F_GETLK' || cmd === 'F_OFD_GETLK') {
    if (type === 'F_UNLCK') fail('EINVAL');
    const c = conflict(ls, owner, type === 'F_WRLCK', s, e);
    // no conflict: l_type becomes F_UNLCK, the rest of the struct flock is left as passed
    if (!c) return { type: 'F_UNLCK', start, len };
    return { type: c.write ? 'F_WRLCK' : 'F_RDLCK', ...(c.owner === 'p' ? {} : { pid: -1 }), start: c.start, len: c.end === Infinity ? 0 : c.end - c.start };
  }
  if (type === 'F_RDLCK' && !canRead) fail('EBADF');
  if (type === 'F_WRLCK' && !canWrite) fail('EBADF');
  if (type !== 'F_UNLCK' && conflict(ls, owner, type === 'F_WRLCK', s, e)) fail('EAGAIN');
  setRange(ls, owner, type, s, e);
  // F_SETLK leaves the struct flock as passed
  return { type: type as LockValue['type'], start, len };
}

/** Closing an fd drops its flock and OFD locks; closing any fd of the file drops the process's POSIX locks. */
export function dropLocks(ls: LockSet | null, fd: number): void {
  if (!ls) return;
  ls.flock.delete(fd);
  ls.ranges = ls.ranges.filter((r) => r.owner !== `o${fd}` && r.owner !== 'p');
}
