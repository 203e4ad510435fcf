// Overlay inodes: what the kernel hashes and keeps while mounted (identity across names and
// copy-up, nlink of indexed files, locks), and the stat(2) values the overlay reports for them.

import type { StatValue } from '../../language/canonical.js';
import { fmtTime } from './clock.js';
import { realBlocks, realSize, type Kind, type LNode } from './layer.js';
import { entryPath, ovlX, type OEntry } from './lookup.js';
import type { Mount } from './state.js';
import type { LowerRef, OInode } from './types.js';

export type { OInode } from './types.js';
import type { LockSet } from './locks.js';

/** ovl_hash_bylower(): is the inode keyed by its lower inode? */
function hashByLower(m: Mount, upper: LNode | null, lower: LowerRef | null, indexed: boolean, kind: Kind): boolean {
  if (!lower) return false;
  if (indexed) return true;
  if (!m.upper) return true;
  if ((upper || !m.cfg.index) && kind !== 'dir' && lower.node.nlink > 1) return false;
  if (m.cfg.nfsExport && upper) return false;
  return true;
}

/** ovl_get_nlink(): nlink of an indexed inode from overlay.nlink, else the fallback. */
function indexedNlink(m: Mount, lower: LNode | null, upper: LNode | null, fallback: number): number {
  if (!lower || !upper || lower.nlink === 1) return fallback;
  const x = ovlX(m, upper, 'nlink');
  const mm = x ? /^([LU])([+-][0-9]+)$/.exec(x) : null;
  if (!mm) return fallback;
  const n = (mm[1] === 'L' ? lower.nlink : upper.nlink) + Number(mm[2]);
  return n > 0 ? n : fallback;
}

// A walk records the name of every entry it passes in that entry's inode. Built from the root
// for each entry, and hashed as a fresh string by the Set each time, that cost a walk the square
// of its depth (a 1,200-level tree's final-state walk took a minute of CPU): an entry's path is
// made once from its parent's (kept on the entry itself: a WeakMap keyed by entries that live for
// one lookup was a fifth of an lstat's time, and most of its garbage collection), and a mount
// keeps one string per path, whose hash V8 keeps.
const mountNames = new WeakMap<Mount, Map<string, Map<string, string>>>();

/** entryPath(e), the same string object for the same path within a mount */
function nameOf(m: Mount, e: OEntry): string {
  if (!e.parent) return '';
  let path = e.named;
  if (path !== undefined) return path;
  const parent = nameOf(m, e.parent);
  let byParent = mountNames.get(m);
  if (!byParent) mountNames.set(m, (byParent = new Map()));
  let byName = byParent.get(parent);
  if (!byName) byParent.set(parent, (byName = new Map()));
  path = byName.get(e.name);
  if (path === undefined) byName.set(e.name, (path = parent ? `${parent}/${e.name}` : e.name));
  e.named = path;
  return path;
}

/** The overlay inode of a positive entry (ovl_get_inode / ovl_iget5). */
export function getInode(m: Mount, e: OEntry): OInode {
  if (!e.parent) return rootInode(m);
  const i = findInode(m, e);
  // the lookup leaves a positive dentry in the cache, which holds the inode
  i.names.add(nameOf(m, e));
  return i;
}

function findInode(m: Mount, e: OEntry): OInode {
  const kind = e.kind!;
  const lower = e.lowers[0] ?? null;
  const bylower = hashByLower(m, e.upper, lower, e.indexed, kind);
  const key = bylower ? `L${lower!.node.id}` : e.upper ? `U${e.upper.id}` : `N${lower!.node.id}:${entryPath(e)}`;
  const lowerData = kind === 'dir' ? null : e.lowers.length ? e.lowers[e.lowers.length - 1].node : null;
  if (m.pins.size && key[0] === 'U') {
    const pin = m.pins.get(entryPath(e));
    if (pin && pin.upper === e.upper) return pin;
  }
  const old = m.inodes.get(key);
  if (old && old.kind === kind && (!e.upper || old.upper === e.upper)) {
    if (!old.upper && !old.lower && lower) old.lower = lower;
    if (lowerData && !old.lowerData) old.lowerData = lowerData;
    if (e.upper || !old.upper) old.numLower = e.lowers.length;
    return old;
  }
  const real = e.upper ?? lower!.node;
  let nlink = kind === 'dir' ? 1 : real.nlink;
  if (kind !== 'dir' && (e.upper || bylower)) nlink = indexedNlink(m, lower?.node ?? null, e.upper, nlink);
  const ino: OInode = {
    key, kind, upper: e.upper, lower, lowerData, numLower: e.lowers.length, metacopy: e.metacopy, constIno: bylower,
    indexed: e.indexed, nlink, ovlIno: 0n, dead: false, locks: null, pipe: null, names: new Set(),
  };
  if (kind === 'dir') assignOvlIno(m, ino, real);
  m.inodes.set(key, ino);
  return ino;
}

/** ovl_map_ino(): dirs on layers of different filesystems get a per-mount sequence number. */
function assignOvlIno(m: Mount, i: OInode, real: LNode): void {
  if (!m.sameFs && (m.xinoBits === 0 || (real.ino >> BigInt(64 - m.xinoBits)) !== 0n)) i.ovlIno = ++m.lastOvlIno;
}

/** The root inode, made at mount: st_ino of the upper root (else the top lower root). */
export function rootInode(m: Mount): OInode {
  let r = m.inodes.get('R');
  if (!r) {
    r = {
      key: 'R', kind: 'dir', upper: m.upper, lower: m.lowers.length ? { layer: 0, node: m.lowers[0] } : null, lowerData: null,
      numLower: m.lowers.length, metacopy: false, constIno: false, indexed: false, nlink: 1, ovlIno: 0n, dead: false, locks: null, pipe: null,
      names: new Set(),
    };
    assignOvlIno(m, r, m.upper ?? m.lowers[0]);
    m.inodes.set('R', r);
  }
  return r;
}

/**
 * Keep `ino` attached to the name `path` as the kernel's dentry cache does, for a name whose
 * fresh lookup would give another inode (copied up without origin); renames move the pin,
 * removal of the name and unmount drop it.
 */
export function pinDentry(m: Mount, path: string, ino: OInode): void {
  m.pins.set(path, ino);
}

/**
 * The name `path` of `i` is gone (unlink, rename over it, rmdir); once no cached dentry and no
 * open file refers to a non-directory inode it is evicted (overlayfs drops unused inodes,
 * generic_delete_inode), so a later lookup through another name builds it afresh from the
 * layers, e.g. taking its nlink from overlay.nlink or the upper inode (DEV-NLINK-COUNTS-INDEX).
 */
export function dropName(m: Mount, i: OInode, path: string): void {
  i.names.delete(path);
  maybeEvict(m, i);
}

/** Evict an unreferenced non-directory inode from the inode cache. */
export function maybeEvict(m: Mount, i: OInode): void {
  if (i.kind === 'dir' || i.names.size > 0 || i.key === 'R') return;
  for (const f of m.fds.values()) if (f.inode === i) return;
  for (const [k, v] of m.inodes) if (v === i) m.inodes.delete(k);
}

/** Register another key under which later lookups find this inode (after copy-up). */
export function aliasInode(m: Mount, ino: OInode, upper: LNode): void {
  m.inodes.set(`U${upper.id}`, ino);
}

/** the inode whose attributes stat reports: upper if any, else the first lower */
export function realOf(i: OInode): LNode {
  return i.upper ?? i.lower!.node;
}

/** the inode holding the data of a non-dir */
export function dataOf(i: OInode): LNode {
  if (i.upper && !i.metacopy) return i.upper;
  return i.lowerData ?? i.lower!.node;
}

/** OVL_TYPE_MERGE of an inode */
export function inodeMerge(i: OInode): boolean {
  if (i.upper) return i.numLower > 0 && (i.kind === 'dir' || i.metacopy);
  return i.numLower > 1;
}

/** st_dev and st_ino as ovl_getattr() and ovl_map_dev_ino() compute them. */
export function devIno(m: Mount, i: OInode): { dev: string; ino: bigint } {
  const isDir = i.kind === 'dir';
  const real = realOf(i);
  let ino = real.ino;
  let fsid = real.fs.id;
  const sameDev = m.sameFs || m.xinoBits > 0;
  if (!isDir || sameDev) {
    if (!i.upper) {
      fsid = i.lower!.node.fs.id;
      ino = i.lower!.node.ino;
    } else if (i.constIno && i.lower) {
      if (i.indexed || (!m.verifyLower && (isDir || i.lower.node.nlink === 1))) {
        fsid = i.lower.node.fs.id;
        ino = i.lower.node.ino;
      }
    }
  }
  if (m.sameFs) return { dev: m.ovlDev, ino };
  const bits = m.xinoBits;
  if (bits && ino >> BigInt(64 - bits) === 0n) return { dev: m.ovlDev, ino: ino | (BigInt(fsid) << BigInt(64 - bits + 1)) };
  if (isDir) return { dev: m.ovlDev, ino: i.ovlIno };
  return { dev: pseudoDev(fsid), ino };
}

/** the anonymous device overlay reports for non-dirs of one fs when st_ino cannot be unified */
export function pseudoDev(fsid: number): string {
  return `0:${51 + fsid}`;
}

/** st_nlink as ovl_getattr() reports it. */
export function nlinkOf(i: OInode, merge: boolean): number {
  if (i.kind === 'dir') return merge ? 1 : realOf(i).nlink;
  if (i.indexed) return i.nlink;
  return realOf(i).nlink;
}

/** The stat(2) value of an overlay inode. */
export function statOf(m: Mount, i: OInode, merge = inodeMerge(i)): StatValue {
  const r = realOf(i);
  const { dev, ino } = devIno(m, i);
  const blocks = i.kind === 'file' && i.upper && i.metacopy ? realBlocks(dataOf(i)) : realBlocks(r);
  return {
    type: r.kind, mode: r.mode, ino: ino.toString(), dev, nlink: nlinkOf(i, merge), uid: r.uid, gid: r.gid,
    size: realSize(r), blocks, rdev: `${r.major}:${r.minor}`,
    atime: fmtTime(r.atime), mtime: fmtTime(r.mtime), ctime: fmtTime(r.ctime), btime: fmtTime(r.btime),
  };
}
