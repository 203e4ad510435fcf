// unlink and rmdir in the merged view (ovl_do_remove): a whiteout only where a lower object
// of that name exists, emptiness of directories judged on the merged listing, pure upper dirs
// removed as the upper filesystem would.

import { fail } from './errors.js';
import { linkIn, unlinkOut, type LNode } from './layer.js';
import { newWhiteout, nlinkStart, storeNlink, upperDir } from './copyup.js';
import { getInode } from './inode.js';
import { isWhiteoutNode, type OEntry } from './lookup.js';
import { visibleNames } from './dirlist.js';
import { markDeleted } from './handles.js';
import { entryPath } from './lookup.js';
import { checkPerm, checkSticky, MAY_EXEC, MAY_WRITE, type Creds } from './perm.js';
import type { Mount } from './state.js';
import { touchChange, touchModify } from './times.js';
import { walk } from './walk.js';

/** ovl_lower_positive(): does a lower layer of the parent hold this name (not a whiteout)? */
export function lowerPositive(m: Mount, e: OEntry): boolean {
  if (e.kind === null) return e.whiteout;
  if (!e.upper) return true;
  const p = e.parent!;
  if (p.opaque) return false;
  for (const l of p.lowers) {
    const n = l.node.children?.get(e.name);
    if (n) return !isWhiteoutNode(m, n);
  }
  return false;
}

/** may_delete(): permission on the parent, sticky bit, and the type of the victim. */
function checkDelete(c: Creds, parent: OEntry, victim: OEntry, isDir: boolean): void {
  const dir = parent.upper ?? parent.lowers[0].node;
  checkPerm(c, dir, MAY_WRITE | MAY_EXEC);
  checkSticky(c, dir, victim.upper ?? victim.lowers[0].node);
  if (isDir && victim.kind !== 'dir') fail('ENOTDIR');
  if (!isDir && victim.kind === 'dir') fail('EISDIR');
}

/** Is a pure upper dir (no lower, no origin) empty as the upper fs sees it? */
export function pureUpper(e: OEntry): boolean {
  return e.lowers.length === 0 && (!e.upper || e.upper.origin === null);
}

/** Remove the name of `e` from the merged view: a whiteout, or the upper entry dropped. */
export function removeEntry(m: Mount, e: OEntry, isDir: boolean): void {
  const positive = lowerPositive(m, e);
  const pu = upperDir(m, e.parent!);
  if (e.kind !== null) nlinkStart(m, e);
  const inode = e.kind ? getInode(m, e) : null;
  const victim: LNode | undefined = e.upperAlias ? pu.children!.get(e.name) : undefined;
  if (victim) {
    unlinkOut(pu, e.name);
    touchChange(m, victim);
  }
  if (positive) linkIn(pu, e.name, newWhiteout(m));
  touchModify(m, pu);
  if (inode && !isDir && inode.indexed) {
    inode.nlink = Math.max(0, inode.nlink - 1);
    const up = inode.upper!;
    if (inode.nlink === 0 && up.indexed) {
      up.indexed = false;
      up.nlink--;
      for (const [k, v] of m.index) if (v === up) m.index.delete(k);
    } else if (up.nlink > 0) storeNlink(m, up, inode.nlink);
  }
  if (inode && isDir) inode.dead = true;
  markDeleted(m, entryPath(e), inode);
}

/** unlink(2). */
export function unlink(m: Mount, c: Creds, path: string): void {
  const w = walk(m, c, path, false, true);
  if (w.last !== 'norm') fail('EISDIR');
  if (!m.upper) fail('EROFS');
  const e = w.entry;
  if (e.kind === null) fail('ENOENT');
  if (w.slash) fail(e.kind === 'dir' ? 'EISDIR' : 'ENOTDIR');
  checkDelete(c, w.parent, e, false);
  removeEntry(m, e, false);
}

/** Fail with ENOTEMPTY unless the directory `e` is empty in the merged view. */
export function checkEmpty(m: Mount, e: OEntry): void {
  if (pureUpper(e)) {
    if (e.upper!.children!.size > 0) fail('ENOTEMPTY');
    return;
  }
  if (visibleNames(m, e).length > 0) fail('ENOTEMPTY');
}

/** rmdir(2). */
export function rmdir(m: Mount, c: Creds, path: string): void {
  const w = walk(m, c, path, false, true);
  if (w.last === 'dot') fail('EINVAL');
  if (w.last === 'dotdot') fail('ENOTEMPTY');
  if (!m.upper) fail('EROFS');
  const e = w.entry;
  if (e.kind === null) fail('ENOENT');
  checkDelete(c, w.parent, e, true);
  checkEmpty(m, e);
  // the upper dir's own whiteouts go with it
  removeEntry(m, e, true);
}
