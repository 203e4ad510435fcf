// The canonical layer form in and out: build a layer from a CanonTree (whiteouts as 0/0 char
// devices or xattr whiteouts, opaque/redirect/metacopy as overlay-private xattrs under the
// mount's prefix) and read a layer back, as the kernel adapter reads its directories.

import type { CanonEntry, CanonTree, DataJSON } from '../../language/canonical.js';
import { chmodAcl, isAclName, storeAcl } from './acl.js';
import { fmtTime, parseTime } from './clock.js';
import { fail } from './errors.js';
import { linkIn, newNode, readAt, unlinkOut, writeAt, type Fs, type LNode } from './layer.js';
import { putEntry } from '../../language/canonical.js';
import { toDataJSON as sharedToDataJSON } from '../../language/data.js';

/** files larger than this are read back by size only */
const INSPECT_DATA_MAX = 1 << 20;

/** Bytes of a DataJSON value (also accepts {base64} as scenario sources allow it). */
export function dataBytes(d: unknown): Uint8Array {
  if (d instanceof Uint8Array) return d;
  if (typeof d === 'string') return Buffer.from(d, 'utf8');
  if (d && typeof d === 'object') {
    const o = d as { hex?: string; base64?: string };
    if (typeof o.hex === 'string') return Buffer.from(o.hex, 'hex');
    if (typeof o.base64 === 'string') return Buffer.from(o.base64, 'base64');
  }
  return new Uint8Array(0);
}

/** DataJSON of bytes: a string when they are printable UTF-8, else {hex} (language/data.ts's, one decoder for every call). */
export const toDataJSON: (b: Uint8Array) => DataJSON = sharedToDataJSON;

function parseMode(v: unknown, dflt: number): number {
  if (typeof v === 'number') return v & 0o7777;
  if (typeof v === 'string' && /^(0o?)?[0-7]{1,4}$/.test(v)) return parseInt(v.replace(/^0o/, ''), 8);
  return dflt;
}

/** Split a canonical path into its components (no empty, '.' or '..'). */
function comps(p: string): string[] {
  return p.split('/').filter((c) => c.length > 0 && c !== '.');
}

function dirAt(root: LNode, parts: string[], fs: Fs, now: bigint): LNode {
  let cur = root;
  for (const c of parts) {
    let next = cur.children!.get(c);
    if (!next || next.kind !== 'dir') {
      if (next) unlinkOut(cur, c);
      next = newNode(fs, 'dir', 0o755, 0, 0, now);
      inheritSetgid(cur, next);
      linkIn(cur, c, next);
    }
    cur = next;
  }
  return cur;
}

/** Add the entries of `tree` to the layer rooted at `root` (replacing what is there). */
export function applyTree(root: LNode, tree: CanonTree, fs: Fs, prefix: string, now: bigint): void {
  // each path split once (the sort's comparator split both of its paths at every comparison)
  const split = Object.keys(tree).map((p) => ({ p, parts: comps(p) }));
  split.sort((a, b) => a.parts.length - b.parts.length || (a.p < b.p ? -1 : 1));
  const links: [string, string][] = [];
  for (const { p, parts } of split) {
    const raw = tree[p] as CanonEntry | string | { hex: string };
    if (parts.length === 0) continue;
    const ent: CanonEntry = typeof raw === 'string' || !('type' in raw) ? { type: 'file', data: raw as DataJSON } : raw;
    if (ent.type === 'hardlink') {
      links.push([p, ent.target]);
      continue;
    }
    const parent = dirAt(root, parts.slice(0, -1), fs, now);
    const name = parts[parts.length - 1];
    const old = parent.children!.get(name);
    if (ent.type === 'dir' && old?.kind === 'dir') {
      setAttrs(old, ent, prefix);
      continue;
    }
    if (old) unlinkOut(parent, name);
    let n: LNode;
    if (ent.type === 'whiteout') {
      if (ent.format === 'xattr') {
        n = newNode(fs, 'file', 0o644, 0, 0, now);
        n.xattrs.set(prefix + 'whiteout', new Uint8Array(0));
      } else n = newNode(fs, 'chr', 0, 0, 0, now);
    } else {
      const dflt = ent.type === 'dir' ? 0o755 : ent.type === 'symlink' ? 0o777 : 0o644;
      n = newNode(fs, ent.type, parseMode('mode' in ent ? ent.mode : undefined, dflt), 0, 0, now);
      inheritSetgid(parent, n);
      if (ent.type === 'symlink') n.target = ent.target;
      if (ent.type === 'file') {
        if (ent.data !== undefined) writeAt(n, 0, dataBytes(ent.data));
        if (ent.size !== undefined && ent.size !== n.size) n.size = Math.max(n.size, ent.size);
      }
      if (ent.type === 'chr' || ent.type === 'blk') {
        n.major = ent.major ?? 0;
        n.minor = ent.minor ?? 0;
      }
      setAttrs(n, ent, prefix);
    }
    linkIn(parent, name, n);
  }
  for (const [p, target] of links) {
    const tparts = comps(target);
    let t: LNode | undefined = root;
    for (const c of tparts) t = t?.children?.get(c);
    if (!t || t.kind === 'dir') fail('EINVAL', `hardlink ${p}: no file ${target} in this layer`);
    const parts = comps(p);
    const parent = dirAt(root, parts.slice(0, -1), fs, now);
    if (parent.children!.has(parts[parts.length - 1])) unlinkOut(parent, parts[parts.length - 1]);
    linkIn(parent, parts[parts.length - 1], t);
  }
}

/**
 * A layer entry is written as the scenario states it: a set-group-ID directory of a layer does
 * not hand its group (or the bit) to the entries built under it, as the host adapters write
 * layers (adapters/host/materialise.ts sets each entry's owner and mode after creating it).
 */
function inheritSetgid(_parent: LNode, _n: LNode): void {
  return;
}

function setAttrs(n: LNode, ent: Exclude<CanonEntry, { type: 'hardlink' | 'whiteout' }>, prefix: string): void {
  // as a layer is written on a real filesystem: xattrs first (an access ACL sets the mode
  // bits), then the owner, then the mode (which a chmod carries into the ACL)
  for (const [k, v] of Object.entries(ent.xattrs ?? {})) {
    if (isAclName(k) && n.kind !== 'symlink') storeAcl(n, k, dataBytes(v));
    else n.xattrs.set(k, dataBytes(v));
  }
  if (ent.uid !== undefined) n.uid = ent.uid;
  if (ent.gid !== undefined) n.gid = ent.gid;
  if ('mode' in ent && ent.mode !== undefined) {
    n.mode = parseMode(ent.mode, n.mode);
    chmodAcl(n);
  }
  const mt = parseTime(ent.mtime);
  if (mt !== undefined) n.mtime = mt;
  const at = parseTime('atime' in ent ? ent.atime : undefined);
  if (at !== undefined) n.atime = at;
  if (ent.type === 'dir') {
    const o = ent.opaque as unknown;
    if (o === 'y' || o === true) n.xattrs.set(prefix + 'opaque', Buffer.from('y'));
    else if (o === 'x') n.xattrs.set(prefix + 'opaque', Buffer.from('x'));
    if (ent.redirect) n.xattrs.set(prefix + 'redirect', Buffer.from(ent.redirect));
  }
  if (ent.type === 'file') {
    if (ent.metacopy) n.xattrs.set(prefix + 'metacopy', new Uint8Array(0));
    if (ent.redirect) n.xattrs.set(prefix + 'redirect', Buffer.from(ent.redirect));
  }
}

/** Remove a path (and everything below it) from a layer. */
export function removePath(root: LNode, p: string): void {
  const parts = comps(p);
  let cur: LNode | undefined = root;
  for (const c of parts.slice(0, -1)) cur = cur?.children?.get(c);
  if (cur?.children && parts.length) unlinkOut(cur, parts[parts.length - 1]);
}

/** Read a layer back into canonical form. */
export function readTree(root: LNode, prefix: string): CanonTree {
  const out: CanonTree = {};
  const walk = (dir: LNode, base: string) => {
    for (const name of [...dir.children!.keys()].sort()) {
      const n = dir.children!.get(name)!;
      const p = base ? `${base}/${name}` : name;
      putEntry(out, p, entryOf(n, prefix));
      if (n.kind === 'dir') walk(n, p);
    }
  };
  walk(root, '');
  return out;
}

function entryOf(n: LNode, prefix: string): CanonEntry {
  if (n.kind === 'chr' && n.major === 0 && n.minor === 0) return { type: 'whiteout' };
  const xattrs: Record<string, DataJSON> = {};
  const overlay: Record<string, DataJSON> = {};
  let opaque: 'y' | 'x' | undefined;
  let redirect: string | undefined;
  let metacopy = false;
  let xwhiteout = false;
  for (const [k, v] of n.xattrs) {
    if (!k.startsWith(prefix)) {
      xattrs[k] = toDataJSON(v);
      continue;
    }
    const short = k.slice(prefix.length);
    const s = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
    if (short === 'opaque' && (s === 'y' || s === 'x') && n.kind === 'dir') opaque = s;
    else if (short === 'redirect') redirect = s;
    else if (short === 'metacopy' && n.kind === 'file') metacopy = true;
    else if (short === 'whiteout' && n.kind === 'file' && n.size === 0) xwhiteout = true;
    else overlay[short] = toDataJSON(v);
  }
  const common = {
    ...(Object.keys(xattrs).length ? { xattrs } : {}),
    ...(Object.keys(overlay).length ? { overlay } : {}),
    ino: n.ino.toString(),
    // overlay.origin and the index link are kept as fields of the node, shown as the kernel's upper shows them
    ...(n.origin !== null ? { origin: true } : {}),
    ...(n.indexed && n.kind !== 'dir' ? { indexed: true } : {}),
  };
  const own = { uid: n.uid, gid: n.gid, mtime: fmtTime(n.mtime) };
  if (xwhiteout) return { type: 'whiteout', format: 'xattr' };
  switch (n.kind) {
    case 'file':
      return {
        type: 'file', ...(metacopy || n.size > INSPECT_DATA_MAX ? { size: n.size } : { data: toDataJSON(n.data.length >= n.size ? n.data.subarray(0, n.size) : readAt(n, 0, n.size)) }),
        ...(metacopy ? { metacopy: true } : {}),
        mode: n.mode, ...own, atime: fmtTime(n.atime), nlink: n.nlink, ...(redirect ? { redirect } : {}), ...common,
      };
    case 'dir':
      return { type: 'dir', mode: n.mode, ...own, atime: fmtTime(n.atime), nlink: n.nlink, ...(opaque ? { opaque } : {}), ...(redirect ? { redirect } : {}), ...common };
    case 'symlink':
      return { type: 'symlink', target: n.target, ...own, ...common };
    default:
      return { type: n.kind, mode: n.mode, ...own, ...(n.kind === 'chr' || n.kind === 'blk' ? { major: n.major, minor: n.minor } : {}), ...common };
  }
}
