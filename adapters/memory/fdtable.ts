// The ops on open files, mappings and locks (and the path ops that open files for you:
// readfile, writefile), as one part of the op table.

import type { OpValue } from '../../language/canonical.js';
import type { OpName } from '../../language/ops.js';
import type { Args } from './args.js';
import { statFd } from './attr.js';
import { dropCaches } from './caches.js';
import { upperDir } from './copyup.js';
import { linkObject } from './create.js';
import { fail } from './errors.js';
import { readFd, readNode, seekFd, truncateFd, usable, writeFd } from './fileops.js';
import type { OpenFile } from './handles.js';
import { linkIn } from './layer.js';
import { dropLocks, doFlock, doLock, lockSet } from './locks.js';
import { entryPath } from './lookup.js';
import { maybeEvict } from './inode.js';
import { getMap, mapFd, mapRead, mapWrite } from './mmap.js';
import { openFile } from './open.js';
import { checkPerm, isRoot, MAY_EXEC, MAY_WRITE, type Creds } from './perm.js';
import { closeSpecial } from './special.js';
import type { Mount } from './state.js';
import { touchModify } from './times.js';
import { walk, walkExisting, type Walked } from './walk.js';

/** One op: arguments and credentials in, a value (or nothing) out; errors are thrown. */
export type Handler = (m: Mount, a: Args, c: Creds) => OpValue | undefined;

/** The open file an op names (EBADF when unknown or O_PATH). */
export function fdOf(m: Mount, a: Args, k = 'fd'): OpenFile {
  return usable(m, a.int(k));
}

/** Create a name that must be free: EEXIST, trailing-slash ENOENT, then the create itself. */
export function freeName(m: Mount, c: Creds, path: string, isDir: boolean) {
  const w = walk(m, c, path, false, true);
  if (w.last !== 'norm') fail('EEXIST');
  if (w.entry.kind !== null) fail('EEXIST');
  if (w.slash && !isDir) fail('ENOENT');
  return w;
}

/** close(2): drop the fd, its locks and its fifo end. */
function closeFd(m: Mount, id: number): void {
  const f = m.fds.get(id);
  if (!f) fail('EBADF');
  m.fds.delete(id);
  dropLocks(f.inode.locks, id);
  if (f.inode.kind !== 'file' && f.inode.kind !== 'dir') closeSpecial(f.inode, f.readable, f.writable);
  maybeEvict(m, f.inode);
}

function readAll(m: Mount, c: Creds, path: string): Uint8Array {
  const f = openFile(m, c, path, ['O_RDONLY'], undefined);
  try {
    const parts: Uint8Array[] = [];
    // a regular file is read in one chunk of what is left of it (at least 1 MiB, as before): the
    // same bytes, copied once rather than in 1 MiB pieces and then again into one buffer
    const whole = f.readable && f.inode.kind === 'file' ? readNode(f).size : 0;
    for (;;) {
      const chunk = readFd(m, f, f.pos, Math.max(1 << 20, whole - f.pos));
      if (chunk.length === 0) break;
      f.pos += chunk.length;
      parts.push(chunk);
    }
    // one chunk (every file up to 1 MiB) is a fresh copy already: wrapped, not copied again
    return parts.length === 1 ? Buffer.from(parts[0].buffer, parts[0].byteOffset, parts[0].length) : Buffer.concat(parts);
  } finally {
    closeFd(m, f.id);
  }
}

/** Give an O_TMPFILE file its first name. */
function linkTmpfile(m: Mount, f: OpenFile, w: Walked): void {
  const n = f.inode.upper!;
  const pu = upperDir(m, w.parent);
  const old = pu.children!.get(w.name);
  if (old) pu.children!.delete(w.name);
  linkIn(pu, w.name, n);
  n.ctime = m.clock.now;
  touchModify(m, pu);
  f.tmpfile = false;
  f.deleted = false;
  f.path = entryPath(w.parent) ? `${entryPath(w.parent)}/${w.name}` : w.name;
}

/** The fd part of the op table. */
export const FD_OPS: Partial<Record<OpName, Handler>> = {
  open: (m, a, c) => ({ fd: openFile(m, c, a.str('path'), a.flags('flags'), a.mode('mode')).id }),
  close: (m, a) => {
    closeFd(m, a.int('fd'));
    return undefined;
  },
  read: (m, a) => {
    const f = fdOf(m, a);
    if (a.bool('dropCaches')) dropCaches(m);
    const data = readFd(m, f, f.pos, a.int('length'));
    if (f.inode.kind === 'file') f.pos += data.length;
    return { data };
  },
  pread: (m, a) => {
    const f = fdOf(m, a);
    if (f.inode.kind === 'fifo' || f.inode.kind === 'sock') fail('ESPIPE');
    if (a.bool('dropCaches')) dropCaches(m);
    return { data: readFd(m, f, a.int('offset'), a.int('length')) };
  },
  write: (m, a, c) => {
    const f = fdOf(m, a);
    const data = a.bytes('data');
    const end = writeFd(m, c, f, f.pos, data);
    if (f.inode.kind === 'file') f.pos = end;
    return { count: data.length };
  },
  pwrite: (m, a, c) => {
    const f = fdOf(m, a);
    if (f.inode.kind === 'fifo' || f.inode.kind === 'sock') fail('ESPIPE');
    const data = a.bytes('data');
    writeFd(m, c, f, a.int('offset'), data);
    return { count: data.length };
  },
  lseek: (m, a) => ({ offset: seekFd(fdOf(m, a), a.int('offset'), a.optStr('whence') ?? 'SEEK_SET') }),
  fsync: (m, a) => (fdOf(m, a), undefined),
  fdatasync: (m, a) => (fdOf(m, a), undefined),
  ftruncate: (m, a, c) => (truncateFd(m, c, fdOf(m, a), a.int('length')), undefined),
  fstat: (m, a) => {
    const f = m.fds.get(a.int('fd'));
    if (!f) fail('EBADF');
    return { stat: statFd(m, f) };
  },
  flock: (m, a) => {
    const f = fdOf(m, a);
    doFlock(lockSet(f.inode), f.id, a.str('op'), a.bool('nonblock'));
    return undefined;
  },
  lock: (m, a) => {
    const f = fdOf(m, a);
    return { lock: doLock(lockSet(f.inode), f.id, a.str('cmd'), a.str('type'), a.int('start', 0), a.int('len', 0), f.readable, f.writable) };
  },
  mmap: (m, a) => ({ map: mapFd(m, fdOf(m, a), a.int('offset', 0), a.int('length'), a.bool('write')).id }),
  mread: (m, a) => ({ data: mapRead(getMap(m, a.int('map')), a.int('offset', 0), a.int('length')) }),
  mwrite: (m, a) => (mapWrite(m, getMap(m, a.int('map')), a.int('offset', 0), a.bytes('data')), undefined),
  munmap: (m, a) => {
    getMap(m, a.int('map'));
    m.maps.delete(a.int('map'));
    return undefined;
  },
  readfile: (m, a, c) => ({ data: readAll(m, c, a.str('path')) }),
  writefile: (m, a, c) => {
    const flags = ['O_WRONLY', 'O_CREAT', a.bool('append') ? 'O_APPEND' : 'O_TRUNC'];
    const f = openFile(m, c, a.str('path'), flags, a.mode('mode'));
    try {
      const data = a.bytes('data');
      writeFd(m, c, f, f.pos, data);
    } finally {
      closeFd(m, f.id);
    }
    return undefined;
  },
  linkfd: (m, a, c) => {
    const f = m.fds.get(a.int('fd'));
    if (!f) fail('EBADF');
    if (!isRoot(c)) fail('ENOENT');
    if (f.inode.kind === 'dir') fail('EPERM');
    const w = freeName(m, c, a.str('path'), false);
    if (!m.upper) fail('EROFS');
    checkPerm(c, w.parent.upper ?? w.parent.lowers[0].node, MAY_WRITE | MAY_EXEC);
    if (f.tmpfile) {
      if (!f.linkable) fail('ENOENT');
      linkTmpfile(m, f, w);
      return undefined;
    }
    if (f.deleted) fail('ENOENT');
    linkObject(m, c, walkExisting(m, c, f.path, false).entry, w);
    return undefined;
  },
  fdpath: (m, a) => {
    const f = m.fds.get(a.int('fd'));
    if (!f) fail('EBADF');
    const p = f.path === '' ? '.' : f.path;
    return { path: f.deleted ? `${p} (deleted)` : p };
  },
};
