// Attribute operations: stat/lstat/fstat, access, chmod, chown, utimensat, each with the VFS
// permission rules, checked on the overlay inode before any copy-up (so a refused change
// leaves the upper untouched), then applied to the copied-up upper (metadata-only with metacopy).

import type { StatValue } from '../../language/canonical.js';
import { chmodAcl } from './acl.js';
import { fail } from './errors.js';
import { copyUp } from './copyup.js';
import { getInode, statOf, type OInode } from './inode.js';
import { isMerge, type OEntry } from './lookup.js';
import type { OpenFile } from './handles.js';
import { checkPerm, inGroup, isRoot, MAY_EXEC, MAY_READ, MAY_WRITE, ownerOrCap, permitted, ROOT, type Creds } from './perm.js';
import type { Mount } from './state.js';
import { walkExisting } from './walk.js';
import type { LNode } from './layer.js';

/** stat(2) / lstat(2). */
export function statPath(m: Mount, c: Creds, path: string, follow: boolean): StatValue {
  const e = walkExisting(m, c, path, follow).entry;
  return statOf(m, getInode(m, e), isMerge(e));
}

/** fstat(2): the overlay inode; with legacy-fd the real file the fd was opened on. */
export function statFd(m: Mount, f: OpenFile): StatValue {
  if (f.real && f.real !== f.inode.upper && f.inode.lower) {
    const pseudo: OInode = { ...f.inode, upper: null, lower: { layer: f.inode.lower.layer, node: f.real }, metacopy: false, indexed: false, numLower: 1 };
    return statOf(m, pseudo, false);
  }
  return statOf(m, f.inode);
}

/** faccessat(2) with the caller's real ids. */
export function access(m: Mount, c: Creds, path: string, modes: string[]): void {
  const e = walkExisting(m, c, path, true).entry;
  const n = e.upper ?? e.lowers[0].node;
  let mask = 0;
  if (modes.includes('R_OK')) mask |= MAY_READ;
  if (modes.includes('W_OK')) mask |= MAY_WRITE;
  if (modes.includes('X_OK')) mask |= MAY_EXEC;
  if (mask & MAY_WRITE && !m.upper && ['file', 'dir', 'symlink'].includes(n.kind)) fail('EROFS');
  if (mask) checkPerm(c, n, mask);
}

/**
 * Copy up the lower file an fd (opened read-only) refers to, as a setattr or setxattr through
 * the fd does: through a fresh lookup of its name.
 */
export function copyUpFd(m: Mount, f: OpenFile): void {
  // This models a kernel bug (DEV-COPYUP-UNLINKED-EEXIST, verified on 6.18.44): the copy-up of
  // a lower file whose name was removed links the new upper file under its old name, where the
  // whiteout now stands, and fails with EEXIST. (With nfs_export=on the unlink copied the file
  // up through the index first, so the inode already has its upper and nothing is copied here.)
  if (f.deleted) fail('EEXIST');
  const e = walkExisting(m, ROOT, f.path || '.', false).entry;
  copyUp(m, e, {});
}

/** The entry an attribute change through a path or an fd applies to. */
export type Target = { entry: OEntry } | { fd: OpenFile };

function resolveTarget(m: Mount, t: Target): { attrs: LNode; apply: () => LNode } {
  if ('entry' in t) {
    const e = t.entry;
    return {
      attrs: e.upper ?? e.lowers[0].node,
      apply: () => {
        copyUp(m, e, {});
        return e.upper!;
      },
    };
  }
  const f = t.fd;
  const i = f.inode;
  return {
    attrs: i.upper ?? i.lower!.node,
    apply: () => {
      if (!i.upper) copyUpFd(m, f);
      return i.upper!;
    },
  };
}

/** chmod(2) / fchmod(2). */
export function chmod(m: Mount, c: Creds, t: Target, mode: number): void {
  const { attrs, apply } = resolveTarget(m, t);
  if (!m.upper) fail('EROFS');
  if (!ownerOrCap(c, attrs)) fail('EPERM');
  let mode2 = mode & 0o7777;
  // setattr_prepare(): the setgid bit needs membership of the file's group (or CAP_FSETID)
  if (!isRoot(c) && !inGroup(c, attrs.gid)) mode2 &= ~0o2000;
  const n = apply();
  n.mode = mode2;
  chmodAcl(n);
  n.ctime = m.clock.now;
}

/** chown(2) / lchown(2) / fchown(2); -1 keeps an id. */
export function chown(m: Mount, c: Creds, t: Target, uid: number, gid: number): void {
  const { attrs, apply } = resolveTarget(m, t);
  if (!m.upper) fail('EROFS');
  const newUid = uid === -1 ? attrs.uid : uid;
  const newGid = gid === -1 ? attrs.gid : gid;
  if (!isRoot(c)) {
    if (uid !== -1 && !(c.uid === attrs.uid && uid === attrs.uid)) fail('EPERM');
    if (gid !== -1 && !(c.uid === attrs.uid && (inGroup(c, gid) || gid === attrs.gid))) fail('EPERM');
  }
  const n = apply();
  n.uid = newUid;
  n.gid = newGid;
  if (n.kind !== 'dir') {
    n.mode &= ~0o4000;
    if (n.mode & 0o2000 && (n.mode & 0o010 || (!isRoot(c) && !inGroup(c, newGid)))) n.mode &= ~0o2000;
  }
  n.ctime = m.clock.now;
}

/** utimensat(2): undefined = UTIME_OMIT, 'now' = UTIME_NOW, else nanoseconds. */
export function utimens(m: Mount, c: Creds, t: Target, atime: bigint | 'now' | undefined, mtime: bigint | 'now' | undefined): void {
  if (atime === undefined && mtime === undefined) return;
  const { attrs, apply } = resolveTarget(m, t);
  if (!m.upper) fail('EROFS');
  if (atime === 'now' && mtime === 'now') {
    if (!ownerOrCap(c, attrs) && !permitted(c, attrs, MAY_WRITE)) fail('EACCES');
  } else if (!ownerOrCap(c, attrs)) fail('EPERM');
  const n = apply();
  const now = m.clock.now;
  if (atime !== undefined) n.atime = atime === 'now' ? now : atime;
  if (mtime !== undefined) n.mtime = mtime === 'now' ? now : mtime;
  n.ctime = now;
}
