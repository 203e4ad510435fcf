// Creating names in the merged view (fs/overlayfs/dir.c ovl_create_object/ovl_link): the parent
// is copied up, the new upper object replaces a whiteout when there is one (and a new dir over
// a whiteout is opaque), and ownership follows the caller and setgid parents.

import { inheritAcl } from './acl.js';
import { fail } from './errors.js';
import { linkIn, newNode, unlinkOut, type Kind, type LNode } from './layer.js';
import { copyUp, setImpure, storeNlink, upperDir } from './copyup.js';
import { getInode } from './inode.js';
import { setRedirect } from './rename.js';
import { isMerge, setOvlX, type OEntry } from './lookup.js';
import { checkPerm, inGroup, isRoot, MAY_EXEC, MAY_WRITE, type Creds } from './perm.js';
import type { Mount } from './state.js';
import { touchChange, touchModify } from './times.js';
import type { Walked } from './walk.js';

/** What to create. */
export interface NewObject {
  kind: Kind;
  mode: number;
  target?: string;
  major?: number;
  minor?: number;
}

/** may_create() after the name was found free: EROFS, then EACCES on the parent. */
export function checkCreate(m: Mount, c: Creds, w: Walked): void {
  if (!m.upper) fail('EROFS');
  checkPerm(c, w.parent.upper ?? w.parent.lowers[0].node, MAY_WRITE | MAY_EXEC);
}

/** Put `node` under the name of `e` in its (copied-up) upper parent, over a whiteout if any. */
function install(m: Mount, e: OEntry, node: LNode, isNewDir: boolean): void {
  const pu = upperDir(m, e.parent!);
  const old = pu.children!.get(e.name);
  if (old) unlinkOut(pu, e.name);
  if (isNewDir && (e.whiteout || (isMerge(e.parent!) && !m.allowOfflineChanges))) setOvlX(m, node, 'opaque', 'y');
  linkIn(pu, e.name, node);
  touchModify(m, pu);
}

/** ovl_create_object(): a new file, dir, node or symlink at the free name `w`. */
export function createObject(m: Mount, c: Creds, w: Walked, o: NewObject): LNode {
  checkCreate(m, c, w);
  const pu = upperDir(m, w.parent);
  const pattr = pu;
  let mode = o.mode & 0o7777;
  let gid = c.gid;
  if (pattr.mode & 0o2000) {
    gid = pattr.gid;
    if (o.kind === 'dir') mode |= 0o2000;
  }
  if (o.kind !== 'dir' && (mode & 0o2010) === 0o2010 && !isRoot(c) && !inGroup(c, gid)) mode &= ~0o2000;
  if (o.kind === 'symlink') mode = 0o777;
  const n = newNode(m.upperFs, o.kind, mode, c.uid, gid, m.clock.now);
  // posix_acl_create() with the merged parent's default ACL (copied up with the parent)
  n.mode = inheritAcl(pattr, n, o.kind, n.mode);
  n.target = o.target ?? '';
  n.major = o.major ?? 0;
  n.minor = o.minor ?? 0;
  install(m, w.entry, n, o.kind === 'dir');
  return n;
}

/** ovl_link(): copy the source up, then link its upper inode under the free name `w`. */
export function linkObject(m: Mount, c: Creds, src: OEntry, w: Walked): void {
  checkCreate(m, c, w);
  copyUp(m, src, {});
  // ovl_set_link_redirect(): a metacopy upper that gets another name records the absolute path
  // of the old one, so that the new name (which no lower layer holds) still finds its data
  if (src.metacopy) setRedirect(m, src, false);
  const inode = getInode(m, src);
  const up = src.upper!;
  const pu = upperDir(m, w.parent);
  if (inode.constIno && inode.lower) setImpure(m, pu);
  install(m, w.entry, up, false);
  touchChange(m, up);
  if (inode.indexed) {
    inode.nlink++;
    storeNlink(m, up, inode.nlink);
  }
}
