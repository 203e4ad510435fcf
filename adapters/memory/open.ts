// open(2) in the merged view: lookup/creation rules and errno order of the VFS (O_CREAT,
// O_EXCL, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_TMPFILE, trailing slashes), and the overlay part:
// copy-up on open for write or O_TRUNC, special files opened in place.

import { inheritAcl } from './acl.js';
import { fail } from './errors.js';
import { newNode, setSize } from './layer.js';
import { copyUp, upperDir } from './copyup.js';
import { createObject } from './create.js';
import { dataOf, getInode, realOf, type OInode } from './inode.js';
import { dirIsMerged } from './dirlist.js';
import { entryPath, lookupChild } from './lookup.js';
import type { OpenFile } from './handles.js';
import { checkPerm, killPrivs, MAY_EXEC, MAY_READ, MAY_WRITE, ownerOrCap, type Creds } from './perm.js';
import { openSpecial } from './special.js';
import type { Mount } from './state.js';
import { touchModify } from './times.js';
import { walk } from './walk.js';

/** Default permission bits of a file created without an explicit mode. */
export const DEFAULT_FILE_MODE = 0o644;

/** Register an open file description on `inode` and return it. */
function newFile(m: Mount, inode: OInode, path: string, flags: Set<string>, read: boolean, write: boolean): OpenFile {
  const f: OpenFile = {
    id: m.handle(), inode, path, deleted: false, readable: read, writable: write,
    append: flags.has('O_APPEND'), nonblock: flags.has('O_NONBLOCK'), noatime: flags.has('O_NOATIME'),
    pathOnly: flags.has('O_PATH'), tmpfile: false, linkable: false, pos: 0, real: null, dirMerged: false,
  };
  if (!m.cfg.stackedFops && inode.kind === 'file') f.real = inode.upper && !inode.metacopy ? inode.upper : dataOf(inode);
  m.fds.set(f.id, f);
  return f;
}

/** open(2): returns the new open file. */
export function openFile(m: Mount, c: Creds, path: string, flagList: string[], mode: number | undefined): OpenFile {
  const flags = new Set(flagList);
  const rdwr = flags.has('O_RDWR');
  const wronly = flags.has('O_WRONLY') && !rdwr;
  const read = !wronly;
  const write = rdwr || wronly;
  if (flags.has('O_TMPFILE')) return openTmpfile(m, c, path, flags, read, write, mode);
  if (flags.has('O_PATH')) {
    const w = walk(m, c, path, !flags.has('O_NOFOLLOW'));
    if (w.entry.kind === null) fail('ENOENT');
    if ((w.slash || flags.has('O_DIRECTORY')) && w.entry.kind !== 'dir') fail('ENOTDIR');
    return newFile(m, getInode(m, w.entry), entryPath(w.entry), flags, false, false);
  }
  const creat = flags.has('O_CREAT');
  if (creat && flags.has('O_DIRECTORY')) fail('EINVAL');
  const excl = creat && flags.has('O_EXCL');
  const w = walk(m, c, path, !excl && !flags.has('O_NOFOLLOW'));
  let e = w.entry;
  let created = false;
  if (creat) {
    if (w.last !== 'norm' || w.slash) {
      if (e.kind === null && w.slash) fail('EISDIR');
      if (e.kind === 'dir' || w.last !== 'norm') fail('EISDIR');
    }
    if (e.kind !== null && excl) fail('EEXIST');
    if (e.kind === null) {
      createObject(m, c, w, { kind: 'file', mode: mode ?? DEFAULT_FILE_MODE });
      e = lookupChild(m, w.parent, w.name);
      created = true;
    } else if (e.kind === 'dir') fail('EISDIR');
  }
  if (e.kind === null) fail('ENOENT');
  if ((w.slash || flags.has('O_DIRECTORY')) && e.kind !== 'dir') fail('ENOTDIR');
  if (e.kind === 'symlink') fail('ELOOP');
  const trunc = flags.has('O_TRUNC') && e.kind === 'file';
  if (e.kind === 'dir' && (write || flags.has('O_TRUNC'))) fail('EISDIR');
  const inode = getInode(m, e);
  const real = realOf(inode);
  if (!created) {
    if ((write || trunc) && !m.upper && (e.kind === 'file' || e.kind === 'dir')) fail('EROFS');
    checkPerm(c, real, (read ? MAY_READ : 0) | (write || trunc ? MAY_WRITE : 0));
  }
  if (flags.has('O_NOATIME') && !ownerOrCap(c, real)) fail('EPERM');
  if (e.kind === 'file' && (write || trunc)) copyUp(m, e, { data: true, trunc });
  if (e.kind !== 'file' && e.kind !== 'dir') openSpecial(inode, real, read, write, flags.has('O_NONBLOCK'));
  if (trunc && !created) {
    const up = inode.upper!;
    setSize(up, 0);
    up.mode = killPrivs(c, up.mode);
    touchModify(m, up);
  }
  const f = newFile(m, inode, entryPath(e), flags, read, write);
  if (e.kind === 'dir') f.dirMerged = dirIsMerged(e);
  return f;
}

/** open(O_TMPFILE): an unnamed upper file in the (copied-up) directory. */
function openTmpfile(m: Mount, c: Creds, path: string, flags: Set<string>, read: boolean, write: boolean, mode: number | undefined): OpenFile {
  if (!write) fail('EINVAL');
  const w = walk(m, c, path, true);
  if (w.entry.kind === null) fail('ENOENT');
  if (w.entry.kind !== 'dir') fail('ENOTDIR');
  if (!m.upper) fail('EROFS');
  const dir = w.entry.upper ?? w.entry.lowers[0].node;
  checkPerm(c, dir, MAY_WRITE | MAY_EXEC);
  const pu = upperDir(m, w.entry);
  const gid = pu.mode & 0o2000 ? pu.gid : c.gid;
  const n = newNode(m.upperFs, 'file', mode ?? DEFAULT_FILE_MODE, c.uid, gid, m.clock.now);
  n.mode = inheritAcl(pu, n, 'file', n.mode);
  const inode: OInode = {
    key: `T${n.id}`, kind: 'file', upper: n, lower: null, lowerData: null, numLower: 0, metacopy: false, constIno: false,
    indexed: false, nlink: 0, ovlIno: 0n, dead: false, locks: null, pipe: null, names: new Set(),
  };
  m.inodes.set(`U${n.id}`, inode);
  const f = newFile(m, inode, `${entryPath(w.entry) ? entryPath(w.entry) + '/' : ''}#${n.ino}`, flags, read, write);
  f.deleted = true;
  f.tmpfile = true;
  f.linkable = !flags.has('O_EXCL');
  f.real = m.cfg.stackedFops ? null : n;
  return f;
}
