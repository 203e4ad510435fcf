// Copy-up (fs/overlayfs/copy_up.c): ancestors first, then the object itself with its type,
// mode, owner, atime/mtime, non-private xattrs, data (or metadata only with metacopy=on),
// origin and index bookkeeping; the upper parent keeps its atime/mtime.

import { fail } from './errors.js';
import { copyUpData as copyFileData, linkIn, newNode, type LNode } from './layer.js';
import { aliasInode, getInode, pinDentry } from './inode.js';
import { dataNode, entryPath, isWhiteoutNode, ovlX, setOvlX, type OEntry } from './lookup.js';
import type { Mount } from './state.js';
import { touchChange, touchModify } from './times.js';

/** How a copy-up was triggered. */
export interface CopyUpHow {
  /** the data is needed (open for write, truncate): no metacopy, and a metacopy gets its data */
  data?: boolean;
  /** open with O_TRUNC: the data copy is skipped */
  trunc?: boolean;
}

/** ovl_set_impure(): mark an upper dir as holding entries that may not be pure upper. */
export function setImpure(m: Mount, dir: LNode): void {
  if (ovlX(m, dir, 'impure') === undefined) setOvlX(m, dir, 'impure', 'y');
}

/** Is an xattr name overlay-private (own prefix and not escaped)? */
export function isPrivateX(m: Mount, name: string): boolean {
  return name.startsWith(m.prefix) && !name.startsWith(m.prefix + 'overlay.');
}

/** overlay.nlink of an indexed upper: the overlay nlink relative to the upper's real nlink. */
export function storeNlink(m: Mount, upper: LNode, overlayNlink: number): void {
  const d = overlayNlink - upper.nlink;
  setOvlX(m, upper, 'nlink', `U${d >= 0 ? '+' : ''}${d}`);
}

/** ovl_need_index(): is this entry copied up through the index (all with nfs_export, else lower hard links)? */
export function needIndex(m: Mount, e: OEntry): boolean {
  if (!m.upper || !m.cfg.index || e.lowers.length === 0 || e.kind === null) return false;
  if (m.cfg.nfsExport) return true;
  return e.kind !== 'dir' && e.lowers[0].node.nlink > 1;
}

/**
 * ovl_nlink_start(): before an unlink, rmdir or rename over a name whose lower object needs
 * the index, it is copied up, so that the index holds the overlay nlink the removal drops.
 */
export function nlinkStart(m: Mount, e: OEntry): void {
  if (needIndex(m, e) && !e.upperAlias) copyUp(m, e, {});
}

/** The upper dir of a directory entry, copying it (and its ancestors) up when needed. */
export function upperDir(m: Mount, e: OEntry): LNode {
  if (!m.upper) fail('EROFS');
  if (!e.parent) return m.upper;
  if (!e.upper) copyUp(m, e, {});
  return e.upper!;
}

/**
 * An entry looked up before another part of the same op copied it up (two paths through one
 * lower dir) is brought up to date from its upper parent, so it is never copied twice.
 */
function refresh(m: Mount, e: OEntry): void {
  if (e.upper || !e.parent || !e.parent.upper) return;
  const n = e.parent.upper.children!.get(e.name);
  if (!n || isWhiteoutNode(m, n)) return;
  e.upper = n;
  e.upperAlias = true;
  e.metacopy = n.kind === 'file' && n.xattrs.has(m.prefix + 'metacopy');
}

/** ovl_copy_up_flags(): make sure `e` has an upper object (and its data when asked). */
export function copyUp(m: Mount, e: OEntry, how: CopyUpHow): void {
  if (!m.upper) fail('EROFS');
  if (e.parent && !e.parent.upper) e.parent.upper = upperDirIfAny(m, e.parent);
  refresh(m, e);
  const inode = getInode(m, e);
  if (e.upper && e.upperAlias) {
    if (e.metacopy && how.data) copyUpData(m, e);
    return;
  }
  const pu = upperDir(m, e.parent!);
  const pAtime = pu.atime;
  const pMtime = pu.mtime;
  const now = m.clock.now;
  if (e.upper) {
    // indexed: link the index inode up under this name
    setImpure(m, pu);
    linkIn(pu, e.name, e.upper);
    touchChange(m, e.upper);
    touchModify(m, pu);
    pu.atime = pAtime;
    pu.mtime = pMtime;
    e.upperAlias = true;
    storeNlink(m, e.upper, inode.nlink);
    if (e.metacopy && how.data) copyUpData(m, e);
    return;
  }
  const lower = e.lowers[0].node;
  const src = dataNode(e)!;
  const kind = lower.kind;
  const n = newNode(m.upperFs, kind, lower.mode, lower.uid, lower.gid, now);
  n.atime = lower.atime;
  n.mtime = lower.mtime;
  n.target = lower.target;
  n.major = lower.major;
  n.minor = lower.minor;
  for (const [k, v] of lower.xattrs) if (!isPrivateX(m, k)) n.xattrs.set(k, v.slice());
  const metacopy = m.cfg.metacopy && kind === 'file' && !how.data && !how.trunc;
  if (kind === 'file') {
    if (metacopy) {
      n.size = src.size;
      setOvlX(m, n, 'metacopy', '');
    } else if (!how.trunc) copyFileData(n, src);
  }
  const toIndex = m.cfg.index && kind !== 'dir' && (m.cfg.nfsExport || lower.nlink > 1);
  // with userxattr the origin is user.overlay.origin, which only regular files and directories
  // can carry: a symlink or special file is copied up without one (verified on 6.18.44)
  const originFits = !m.cfg.userxattr || kind === 'file' || kind === 'dir';
  if (originFits && (kind === 'dir' || lower.nlink === 1 || toIndex)) n.origin = lower.id;
  setImpure(m, pu);
  linkIn(pu, e.name, n);
  touchModify(m, pu);
  pu.atime = pAtime;
  pu.mtime = pMtime;
  if (toIndex) {
    n.nlink++;
    n.indexed = true;
    m.index.set(lower.id, n);
    inode.indexed = true;
    storeNlink(m, n, inode.nlink);
  } else if (kind === 'dir' && m.cfg.nfsExport) {
    m.index.set(lower.id, n);
    inode.indexed = true;
  }
  inode.upper = n;
  inode.metacopy = metacopy;
  if (!inode.lower) inode.lower = e.lowers[0];
  inode.numLower = e.lowers.length;
  // the inode was hashed by its lower inode, but without an origin a fresh lookup of the upper
  // would not find it again: only the cached dentry of this name keeps it (a pin); an inode
  // that was not hashed is hashed by its upper inode now (ovl_inode_update)
  if (inode.constIno && n.origin === null) pinDentry(m, entryPath(e), inode);
  else aliasInode(m, inode, n);
  e.upper = n;
  e.upperAlias = true;
  e.metacopy = metacopy;
  e.indexed = inode.indexed;
}

/** The upper dir of an entry if some earlier step of this op already made it. */
function upperDirIfAny(m: Mount, e: OEntry): LNode | null {
  if (!e.parent) return m.upper;
  const pu = e.parent.upper ?? upperDirIfAny(m, e.parent);
  if (!pu) return null;
  e.parent.upper = pu;
  const n = pu.children!.get(e.name);
  return n && n.kind === 'dir' ? n : null;
}

/** ovl_copy_up_meta_inode_data(): give a metacopy upper its data and drop the marker. */
function copyUpData(m: Mount, e: OEntry): void {
  const up = e.upper!;
  const src = e.lowers[e.lowers.length - 1].node;
  const size = up.size;
  copyFileData(up, src);
  up.size = size;
  setOvlX(m, up, 'metacopy', undefined);
  // the data is written into the existing upper: its mtime and ctime change (seen on 6.18)
  touchModify(m, up);
  const inode = getInode(m, e);
  inode.metacopy = false;
  e.metacopy = false;
}

/** A new kernel whiteout (char 0/0, mode 0) on the upper fs. */
export function newWhiteout(m: Mount): LNode {
  const w = newNode(m.upperFs, 'chr', 0, 0, 0, m.clock.now);
  return w;
}
