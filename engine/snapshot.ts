// The whole merged tree in a canonical, normalised form, so two views of it (warm, and after a
// remount or cache drop) can be compared without any scenario saying what to look at: type,
// mode, owner, size, a digest of the data, symlink target, user.* xattrs, link count, mtime,
// and which names share an inode (identity classes, never raw inode numbers). Access times move
// on every read and are left out.

import * as crypto from 'node:crypto';
import type { TreeItem, Worker } from '../adapters/adapter.js';
import { walkByOps } from '../adapters/walk.js';
import { modeString } from '../language/data.js';

/** One merged-tree entry, canonical. */
export interface SnapEntry {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: string;
  size?: number;
  /** sha256 of the data (files up to MAX_DATA bytes) */
  digest?: string;
  target?: string;
  /** user.* xattrs: name → sha256 of the value */
  xattrs?: Record<string, string>;
  /** the first name (sorted) of the entries sharing this entry's inode, when it shares one */
  same?: string;
}

/** path (relative to the merged root) → entry */
export type Snapshot = Record<string, SnapEntry>;

const MAX_DATA = 1 << 20;
/** directory levels a walk descends before it reports a cycle */
const MAX_DEPTH = 24;

/** How deep a walk of this scenario's tree may go before it calls a directory a cycle: deeper than
 * any path the scenario writes (its layers and steps), and never less than MAX_DEPTH. */
export function walkDepthFor(s: { layers: unknown; steps: unknown }): number {
  let d = depths.get(s);
  if (d === undefined) depths.set(s, (d = deepest(s)));
  return d;
}
// a scenario is walked once for its depth, not once per run (every run of every variant asked again)
const depths = new WeakMap<object, number>();
function deepest(s: { layers: unknown; steps: unknown }): number {
  let most = 0;
  const visit = (v: unknown): void => {
    if (typeof v === 'string') most = Math.max(most, segments(v));
    else if (Array.isArray(v)) v.forEach(visit);
    // file data (bytes) holds no path: walking a Uint8Array's entries one byte at a time was most
    // of this function's cost, and a byte's index is a one-segment key below MAX_DEPTH anyway
    else if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) for (const [k, x] of Object.entries(v)) { most = Math.max(most, segments(k)); visit(x); }
  };
  visit(s.layers);
  visit(s.steps);
  return Math.min(4096, Math.max(MAX_DEPTH, most + 8));
}
/** how many '/'-separated segments a string has (split('/').length, without the array) */
function segments(v: string): number {
  let n = 1;
  for (let i = v.indexOf('/'); i >= 0; i = v.indexOf('/', i + 1)) n++;
  return n;
}
// crypto.hash (Node 20.12+): the same digest in one call, less than half the cost of a Hash
// object for the small files a tree holds (every file of both final trees is digested)
const oneShot = (crypto as { hash?: (alg: string, data: Uint8Array, enc: 'hex') => string }).hash;
const sha = (b: Uint8Array) => (oneShot ? oneShot('sha256', b, 'hex') : crypto.createHash('sha256').update(b).digest('hex')).slice(0, 16);

/** Canonicalise raw items (path, stat, data, xattrs, ino). */
function canonical(items: (TreeItem & { size: number })[]): Snapshot {
  const byIno = new Map<string, string[]>();
  // identity is (st_dev, st_ino): layers on different filesystems may reuse an inode number
  const key = (it: TreeItem) => `${it.dev ?? ''}/${it.ino}`;
  for (const it of items) if (it.type !== 'dir') byIno.set(key(it), [...(byIno.get(key(it)) ?? []), it.path]);
  const out: Snapshot = {};
  for (const it of [...items].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const e: SnapEntry = { type: it.type, mode: it.mode & 0o7777, uid: it.uid, gid: it.gid, nlink: it.nlink, mtime: it.mtime };
    if (it.type === 'file') {
      e.size = it.size;
      if (it.data) e.digest = sha(it.data);
    }
    if (it.target !== undefined) e.target = it.target;
    const user = it.xattrs.filter(([n]) => n.startsWith('user.')).sort(([a], [b]) => (a < b ? -1 : 1));
    if (user.length) e.xattrs = Object.fromEntries(user.map(([n, v]) => [n, sha(v)]));
    const group = it.type === 'dir' ? [] : (byIno.get(key(it)) ?? []);
    if (group.length > 1) e.same = [...group].sort()[0];
    out[it.path] = e;
  }
  return out;
}

/** Snapshot the mounted scenario's merged tree through the worker. */
export async function snapshot(w: Worker, maxDepth = MAX_DEPTH): Promise<Snapshot> {
  // a worker whose every op is a message walks next to its engine, in one call (adapters/inproc)
  if (w.mergedTree) return snapshotOf(await w.mergedTree(MAX_DATA));
  // the worker's own walk, unless a wrapper answers its ops itself (walkTree would walk past it)
  const own = w.walkTree && (w.walkTreeUses === undefined || w.walkTreeUses === w.op);
  return canonical(own ? await w.walkTree!(MAX_DATA, maxDepth) : await walkByOps({ op: (o) => w.op(o), xattrs: w.capabilities.xattr === true }, MAX_DATA, maxDepth));
}

/** The snapshot of a merged listing a worker made (mergedTree's, or finalRemount's, asked with SNAPSHOT_DATA). */
export function snapshotOf(items: TreeItem[]): Snapshot {
  return canonical(items.filter((it) => it.path !== '' && it.path !== '.'));
}

/** the file data a snapshot digests (larger files by size alone): what a worker's listing must carry */
export const SNAPSHOT_DATA = MAX_DATA;

function show(k: keyof SnapEntry, v: unknown): string {
  if (v === undefined) return 'absent';
  if (k === 'mode' && typeof v === 'number') return modeString(v);
  return JSON.stringify(v);
}

/** One path that differs between two snapshots: its field changes ("nlink 1 → 2"), or that it appeared or vanished. */
export interface SnapChange {
  path: string;
  /** field changes in words; absent when the whole entry appeared or vanished */
  fields?: string[];
  words: string;
}

/** JSON.stringify(a) !== JSON.stringify(b), without the strings for the usual equal values
 * (every field of every path of both trees is compared: the strings were most of the check) */
function differs(a: unknown, b: unknown): boolean {
  if (a === b) return false;
  return JSON.stringify(a) !== JSON.stringify(b);
}

/** The differences between two snapshots, path by path, in sorted order. */
export function snapshotChanges(a: Snapshot, b: Snapshot): SnapChange[] {
  const out: SnapChange[] = [];
  for (const p of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = a[p];
    const y = b[p];
    if (!x) out.push({ path: p, words: `${p} appeared (${y.type})` });
    else if (!y) out.push({ path: p, words: `${p} vanished (was ${x.type})` });
    else {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])] as (keyof SnapEntry)[];
      const d = keys.filter((k) => differs(x[k], y[k])).map((k) => `${k} ${show(k, x[k])} → ${show(k, y[k])}`);
      if (d.length) out.push({ path: p, fields: d, words: `${p}: ${d.join(', ')}` });
    }
  }
  return out;
}

/** Changes in words, at most `max` and then how many more. */
export function changeWords(c: SnapChange[], max = 5): string[] {
  const out = c.map((x) => x.words);
  return out.length > max ? [...out.slice(0, max), `and ${out.length - max} more`] : out;
}

/** The differences between two snapshots, in words (at most `max`); empty when equal. */
export function snapshotDiff(a: Snapshot, b: Snapshot, max = 5): string[] {
  return changeWords(snapshotChanges(a, b), max);
}
