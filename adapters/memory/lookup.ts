// Lookup of one name through the layers, as fs/overlayfs/namei.c ovl_lookup() does it:
// upper first, then the parent's lower stack; whiteouts, opaque dirs, non-dir/dir hiding,
// redirects (relative and absolute), metacopy chains, origin and the inodes index.

import { fail } from './errors.js';
import { isChrWhiteout, type Kind, type LNode } from './layer.js';
import type { Mount } from './state.js';
import type { LowerRef } from './types.js';

/** The overlay dentry of one path: what each layer contributes under this name. */
export interface OEntry {
  parent: OEntry | null;
  name: string;
  /** the upper inode (possibly found through the index, see upperAlias) */
  upper: LNode | null;
  /** the upper inode is linked under this name in the upper parent */
  upperAlias: boolean;
  /** dirs: the merge stack; non-dirs: the origin / first lower and the data lower */
  lowers: LowerRef[];
  /** null for a negative entry */
  kind: Kind | null;
  /** negative because the upper (or a lower) layer holds a whiteout: creation goes over it */
  whiteout: boolean;
  /** upper dir has overlay.opaque=y */
  opaque: boolean;
  /** overlay.redirect of the upper object */
  redirect: string | null;
  /** a lower dir of this stack is marked opaque=x (holds xattr whiteouts) */
  xwhiteouts: boolean;
  /** the upper is a metadata-only copy (data from lowerData) */
  metacopy: boolean;
  /** found in the inodes index */
  indexed: boolean;
  /** this entry's path within the mount, once inode.ts nameOf has made it (an entry's parent and name never change) */
  named: string | undefined;
}

/** Read an overlay-private xattr of a layer inode as a string. */
export function ovlX(m: Mount, n: LNode, short: string): string | undefined {
  // most inodes carry no xattr: no key to build and hash (this runs on every lookup)
  if (n.xattrs.size === 0) return undefined;
  const v = n.xattrs.get(m.prefix + short);
  return v === undefined ? undefined : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
}

/** Set (or with undefined remove) an overlay-private xattr on a layer inode. */
export function setOvlX(m: Mount, n: LNode, short: string, value: string | undefined): void {
  if (value === undefined) n.xattrs.delete(m.prefix + short);
  else n.xattrs.set(m.prefix + short, Buffer.from(value, 'utf8'));
}

/** ovl_path_is_whiteout(): a 0/0 char device, or an empty regular file with overlay.whiteout. */
export function isWhiteoutNode(m: Mount, n: LNode): boolean {
  return isChrWhiteout(n) || (n.kind === 'file' && n.size === 0 && n.xattrs.size > 0 && n.xattrs.has(m.prefix + 'whiteout'));
}

// The root's lower stack, one array per mount for as long as its lowers stay the same: every path
// walk starts at the root, and 500 fresh refs an op were a fifth of a 500-layer scenario's final
// snapshot. Neither the array nor a ref is ever changed in place (lookups build their own stacks).
const rootRefs = new WeakMap<Mount, LowerRef[]>();

function rootLowers(m: Mount): LowerRef[] {
  const had = rootRefs.get(m);
  if (had && had.length === m.lowers.length && had.every((r, i) => r.node === m.lowers[i])) return had;
  const refs = m.lowers.map((node, layer) => ({ layer, node }));
  rootRefs.set(m, refs);
  return refs;
}

/** The overlay root: the upper root over every lower root. */
export function rootEntry(m: Mount): OEntry {
  return {
    parent: null, name: '', upper: m.upper, upperAlias: m.upper !== null,
    lowers: rootLowers(m), kind: 'dir',
    whiteout: false, opaque: false, redirect: null, xwhiteouts: false, metacopy: false, indexed: false, named: undefined,
  };
}

/** Path of an entry from the merged root ('' for the root). */
export function entryPath(e: OEntry): string {
  const parts: string[] = [];
  for (let p: OEntry | null = e; p && p.parent; p = p.parent) parts.push(p.name);
  return parts.reverse().join('/');
}

/** OVL_TYPE_MERGE: upper with lowers (dir or metacopy), or a lower-only stack of several. */
export function isMerge(e: { upper: LNode | null; lowers: LowerRef[]; kind: Kind | null; metacopy: boolean }): boolean {
  if (e.upper) return e.lowers.length > 0 && (e.kind === 'dir' || e.metacopy);
  return e.lowers.length > 1;
}

interface LookupData {
  name: string;
  isDir: boolean;
  stop: boolean;
  opaque: boolean;
  last: boolean;
  redirect: string | null;
  metacopy: boolean;
  xwhiteouts: boolean;
}

function validRedirect(r: string): boolean {
  if (r.length === 0) return false;
  if (r[0] === '/') return r.slice(1).split('/').every((c) => c.length > 0);
  return !r.includes('/');
}

/** ovl_lookup_single(): one component in one layer; updates the lookup state. */
function lookupSingle(m: Mount, base: LNode, d: LookupData, name: string, prelen: number, post: string, isUpper: boolean, layer: number): LNode | null {
  const last = post.length === 0;
  const n = base.children?.get(name);
  if (!n) return null;
  if (isWhiteoutNode(m, n)) {
    d.stop = d.opaque = true;
    return null;
  }
  if (last && d.metacopy && n.kind !== 'file') {
    d.stop = true;
    return null;
  }
  if (n.kind !== 'dir') {
    if (d.isDir || !last) {
      d.stop = true;
      return null;
    }
    d.metacopy = n.kind === 'file' && n.xattrs.size > 0 && n.xattrs.has(m.prefix + 'metacopy');
    d.stop = !d.metacopy;
    if (!d.metacopy || d.last) return n;
  } else {
    if (last) d.isDir = true;
    if (d.last) return n;
    const val = ovlX(m, n, 'opaque');
    if (last && !isUpper && val === 'x') {
      d.xwhiteouts = true;
      m.xwLayers.add(layer);
    } else if (val === 'y') {
      d.stop = true;
      if (last) d.opaque = true;
      return n;
    }
  }
  const r = ovlX(m, n, 'redirect');
  // ovl_get_redirect_xattr(): a malformed redirect fails the lookup ("invalid redirect")
  if (r !== undefined && !validRedirect(r)) fail('EINVAL', 'invalid redirect');
  if (r !== undefined) {
    let full: string;
    if (r[0] === '/') {
      d.stop = false;
      full = r + post;
    } else full = d.name.slice(0, prelen) + r + post;
    d.redirect = full;
    d.name = full;
  }
  return n;
}

/** ovl_lookup_layer(): the current name (possibly an absolute redirect path) in one layer. */
function lookupLayer(m: Mount, base: LNode, d: LookupData, isUpper: boolean, layer: number): LNode | null {
  if (d.name[0] !== '/') return lookupSingle(m, base, d, d.name, 0, '', isUpper, layer);
  // counting down from the end, since a redirect can change the prefix
  let rem = d.name.length - 1;
  let cur: LNode | null = base;
  let found: LNode | null = null;
  while (cur && cur.kind === 'dir') {
    const s = d.name.length - rem;
    let next = d.name.indexOf('/', s);
    if (next < 0) next = d.name.length;
    const comp = d.name.slice(s, next);
    const post = d.name.slice(next);
    cur = lookupSingle(m, cur, d, comp, s, post, isUpper, layer);
    found = cur;
    if (post.length === 0) break;
    rem -= comp.length + 1;
  }
  return found;
}

/**
 * Following metacopy files and redirects is refused unless enabled (like a symlink without
 * permission checks): as soon as a layer's lookup read such a marker, whether or not anything
 * lies where it points (DEV-METACOPY-NOT-FOLLOWED, DEV-REDIRECT-NOT-FOLLOWED; verified on
 * 6.18.44 for upper and lower metacopy files with and without data below, and for redirects to
 * missing paths).
 */
function checkFollow(m: Mount, d: LookupData): void {
  if (d.metacopy && !m.cfg.metacopy) fail('EPERM', 'refusing to follow metacopy origin');
  if (d.redirect !== null && !m.redirectFollow) fail('EPERM', 'refusing to follow redirect');
}

/** ovl_lookup(): the overlay entry of `name` in the directory entry `p`. `holders`: the positions
 * in p's lower stack whose layer holds `name`, when the caller knows them (dcache.ts) */
export function lookupChild(m: Mount, p: OEntry, name: string, holders?: readonly number[]): OEntry {
  // without following redirects, a parent with no lower layers makes the upper layer the last
  // one: its redirect (and opaque) xattrs are not read (verified on 6.18.44)
  const last = !m.redirectFollow && p.lowers.length === 0;
  const d: LookupData = { name, isDir: false, stop: false, opaque: false, last, redirect: null, metacopy: false, xwhiteouts: false };
  // the root entry is needed only to follow an absolute redirect: made then, not on every lookup
  let root: OEntry | undefined;
  let poe: OEntry = p;
  let upper: LNode | null = null;
  let origin: LowerRef | null = null;
  let upperMetacopy = false;
  let upperRedirect: string | null = null;
  let upperOpaque = false;
  if (p.upper) {
    upper = lookupLayer(m, p.upper, d, true, -1);
    checkFollow(m, d);
    if (upper && !d.isDir) {
      if (upper.origin !== null) {
        const o = m.lowerById.get(upper.origin);
        if (o) {
          if (o.node.kind !== upper.kind) fail('EIO', 'invalid origin');
          origin = o;
        }
      }
      if (d.metacopy) upperMetacopy = true;
    }
    if (d.redirect) {
      upperRedirect = d.redirect;
      if (d.redirect[0] === '/') poe = root ??= rootEntry(m);
    }
    upperOpaque = d.opaque;
  }
  const stack: LowerRef[] = [];
  const numLowers = m.lowers.length;
  const follow = m.redirectFollow;
  let h = 0;
  for (let i = 0; !d.stop && i < poe.lowers.length; i++) {
    if (holders && poe === p && d.name === name) {
      // straight to the next layer of p's stack that holds the name: every one between would be
      // skipped below, and after the last nothing would be looked up
      while (h < holders.length && holders[h] < i) h++;
      if (h === holders.length) break;
      i = holders[h];
    }
    const lower = poe.lowers[i];
    // a layer without the (relative) name finds nothing and changes nothing of the lookup:
    // skipped with one map probe (a 500-layer stack made ~500 calls a name)
    if (d.name[0] !== '/' && lower.node.children?.has(d.name) !== true) continue;
    d.last = follow ? lower.layer === numLowers - 1 : i === poe.lowers.length - 1;
    const found = lookupLayer(m, lower.node, d, false, lower.layer);
    checkFollow(m, d);
    if (!found) continue;
    if (upper && stack.length === 0 && d.isDir) fixOrigin(m, p, upper, found);
    if (upper && stack.length === 0 && d.isDir && m.verifyLower && upper.origin !== found.id) break;
    if (!(d.metacopy && stack.length > 0)) stack.push({ layer: lower.layer, node: found });
    if (d.stop) break;
    if (d.redirect && d.redirect[0] === '/' && poe !== root) {
      poe = root ??= rootEntry(m);
      i = lower.layer;
    }
  }
  if (d.metacopy || (upperMetacopy && stack.length === 0)) fail('EIO', 'metacopy with no lower data found');
  if (!d.isDir && upper && stack.length === 0 && origin) stack.push(origin);
  let indexed = false;
  let upperAlias = upper !== null;
  const idxOrigin = stack[0];
  if (idxOrigin && m.cfg.index && m.upper && (!d.isDir || m.cfg.nfsExport)) {
    const ix = m.index.get(idxOrigin.node.id);
    if (ix && (!upper || ix === upper)) {
      indexed = true;
      if (!upper) {
        upper = ix;
        upperAlias = false;
      }
    }
  }
  const positive = upper !== null || stack.length > 0;
  return {
    parent: p, name, upper, upperAlias, lowers: positive ? stack : [],
    kind: positive ? (upper ?? stack[0].node).kind : null,
    whiteout: !positive && upperOpaque, opaque: upperOpaque, redirect: upperRedirect,
    xwhiteouts: d.xwhiteouts, metacopy: upperMetacopy, indexed, named: undefined,
  };
}

/** ovl_fix_origin(): a merged upper dir without origin gets one, and its parent turns impure. */
function fixOrigin(m: Mount, p: OEntry, upper: LNode, lower: LNode): void {
  if (upper.origin !== null) return;
  upper.origin = lower.id;
  if (p.upper && ovlX(m, p.upper, 'impure') === undefined) setOvlX(m, p.upper, 'impure', 'y');
}

/** The data inode of a non-dir: upper when it holds the data, else the lower data. */
export function dataNode(e: OEntry): LNode | null {
  if (e.upper && !e.metacopy) return e.upper;
  return e.lowers.length ? e.lowers[e.lowers.length - 1].node : null;
}
