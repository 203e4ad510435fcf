// Checking `after:` layer-state assertions against the canonical layers an adapter read back.

import { isDeepStrictEqual } from 'node:util';
import type { CanonEntry, CanonTree } from '../language/canonical.js';
import { bytesEqual, modeString, toBytes, toDataJSON } from '../language/data.js';
import type { AfterMatcher, AfterSpec } from '../language/model.js';
import { matches } from './match.js';
import { putEntry } from '../language/canonical.js';

const noBindings = new Map();

function entryMismatch(path: string, m: AfterMatcher, e: CanonEntry | undefined, tree: CanonTree): string | undefined {
  if (m.type === 'absent') return e ? `upper ${path} exists (${e.type}) but must not` : undefined;
  if (!e) return `upper ${path} is missing, expected ${m.type}`;
  if (e.type !== m.type) return `upper ${path} is a ${e.type}, expected ${m.type}`;
  const x = e as CanonEntry & Record<string, unknown>;
  if (m.data !== undefined) {
    const got = x.data === undefined ? new Uint8Array(Number(x.size ?? 0)) : toBytes(x.data);
    if (!bytesEqual(got, m.data)) return `upper ${path} holds ${JSON.stringify(toDataJSON(got))}, expected ${JSON.stringify(toDataJSON(m.data))}`;
  }
  if (m.size) for (const s of m.size) if (!matches(x.size ?? (x.data === undefined ? 0 : toBytes(x.data).length), s, noBindings)) return `upper ${path} has size ${String(x.size)}, expected ${JSON.stringify(s)}`;
  if (m.nlink) for (const s of m.nlink) if (!matches(x.nlink, s, noBindings)) return `upper ${path} has nlink ${String(x.nlink)}, expected ${JSON.stringify(s)}`;
  if (m.mode !== undefined && x.mode !== m.mode) return `upper ${path} has mode ${x.mode === undefined ? '?' : modeString(Number(x.mode))}, expected ${modeString(m.mode)}`;
  if (m.uid !== undefined && x.uid !== m.uid) return `upper ${path} is owned by uid ${String(x.uid)}, expected ${m.uid}`;
  if (m.gid !== undefined && x.gid !== m.gid) return `upper ${path} has gid ${String(x.gid)}, expected ${m.gid}`;
  if (m.target !== undefined && x.target !== m.target) return `upper ${path} points to ${JSON.stringify(x.target)}, expected ${JSON.stringify(m.target)}`;
  if (m.opaque !== undefined && (x.opaque ?? false) !== m.opaque) return `upper ${path} has opaque=${JSON.stringify(x.opaque ?? false)}, expected ${JSON.stringify(m.opaque)}`;
  if (m.redirect !== undefined && (x.redirect ?? null) !== m.redirect) return `upper ${path} has redirect ${JSON.stringify(x.redirect ?? null)}, expected ${JSON.stringify(m.redirect)}`;
  if (m.metacopy !== undefined && (x.metacopy ?? false) !== m.metacopy) return `upper ${path} has metacopy=${Boolean(x.metacopy)}, expected ${m.metacopy}`;
  if (m.origin !== undefined && (x.origin ?? false) !== m.origin) return `upper ${path} ${x.origin ? 'carries' : 'has no'} overlay.origin, expected ${m.origin ? 'one' : 'none'}`;
  if (m.indexed !== undefined && (x.indexed ?? false) !== m.indexed) return `upper ${path} is ${x.indexed ? '' : 'not '}in the inodes index, expected ${m.indexed ? 'an index entry' : 'none'}`;
  if (m.major !== undefined && x.major !== m.major) return `upper ${path} has major ${String(x.major)}, expected ${m.major}`;
  if (m.minor !== undefined && x.minor !== m.minor) return `upper ${path} has minor ${String(x.minor)}, expected ${m.minor}`;
  for (const [name, want] of Object.entries(m.xattrs ?? {})) {
    const got = (x.xattrs as Record<string, unknown> | undefined)?.[name];
    if (want === null && got !== undefined) return `upper ${path} has xattr ${name} but must not`;
    if (want !== null && (got === undefined || !bytesEqual(toBytes(got), want)))
      return `upper ${path} xattr ${name} is ${got === undefined ? 'absent' : JSON.stringify(got)}, expected ${JSON.stringify(toDataJSON(want))}`;
  }
  if (m.sameAs !== undefined) {
    const other = tree[m.sameAs] as unknown as Record<string, unknown> | undefined;
    if (!other || other.ino === undefined || other.ino !== x.ino) return `upper ${path} is not the same inode as ${m.sameAs}`;
  }
  return undefined;
}

/** JSON with the keys of every object sorted, at every depth (an array replacer would instead
 * keep only the top-level key names at every depth, emptying xattrs and {hex} data) */
function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${sortedJson(o[k])}`).join(',')}}`;
}

/** what of an entry `lower: unchanged` compares (access times may move on a read) */
function essence(e: CanonEntry): string {
  return sortedJson(kept(e));
}

/** the entry without what essence() leaves out */
function kept(e: CanonEntry): Record<string, unknown> {
  const { atime: _a, ino: _i, nlink: _n, ...rest } = e as CanonEntry & Record<string, unknown>;
  return rest;
}

/** essence(a) === essence(b): the two strings are made only when the entries are not deeply equal
 * (every entry of every lower was serialised twice for `lower: unchanged`, most of the check) */
function sameEssence(a: CanonEntry, b: CanonEntry): boolean {
  return isDeepStrictEqual(kept(a), kept(b)) || essence(a) === essence(b);
}

/** Compare lower trees before and after the steps; the first difference, or undefined. */
export function lowersChanged(before: CanonTree[], after: CanonTree[]): string | undefined {
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    const b = before[i] ?? {};
    const a = after[i] ?? {};
    for (const p of new Set([...Object.keys(b), ...Object.keys(a)])) {
      if (!a[p]) return `lower layer ${i}: ${p} was removed`;
      if (!b[p]) return `lower layer ${i}: ${p} was added (${a[p].type})`;
      if (!sameEssence(a[p], b[p])) return `lower layer ${i}: ${p} changed from ${essence(b[p])} to ${essence(a[p])}`;
    }
  }
  return undefined;
}

/**
 * A metacopy upper file holds metadata only; its canonical data is the lower file it stands for
 * (at its redirect, else at the same path), so `after` data checks hold with and without metacopy.
 */
export function resolveMetacopy(upper: CanonTree, lowers: CanonTree[]): CanonTree {
  const out: CanonTree = { ...upper };
  for (const [path, e] of Object.entries(upper)) {
    if (e.type !== 'file' || !e.metacopy || e.data !== undefined && e.size === undefined) continue;
    // an absolute redirect is from the overlay root; a relative one names a sibling
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
    const at = !e.redirect ? path : e.redirect.startsWith('/') ? e.redirect.slice(1) : parent + e.redirect;
    const src = lowers.map((l) => l[at]).find((x) => x?.type === 'file');
    if (src && src.type === 'file' && src.data !== undefined) putEntry(out, path, { ...e, data: src.data });
  }
  return out;
}

/** The first way the layers fail an `after:` spec, or undefined when they meet it. */
export function afterMismatch(spec: AfterSpec, upper: CanonTree | null, lowersBefore: CanonTree[] | undefined, lowersAfter: CanonTree[]): string | undefined {
  if (spec.upper) {
    const tree = resolveMetacopy(upper ?? {}, lowersAfter);
    for (const [path, m] of Object.entries(spec.upper)) {
      const why = entryMismatch(path, m, tree[path], tree);
      if (why) return why;
    }
    if (spec.exact) {
      const listed = new Set(Object.keys(spec.upper));
      const parents = new Set([...listed].flatMap((p) => p.split('/').map((_, i, a) => a.slice(0, i + 1).join('/'))));
      const extra = Object.keys(tree).filter((p) => !listed.has(p) && !parents.has(p));
      if (extra.length) return `upper holds unexpected ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ` and ${extra.length - 5} more` : ''}`;
    }
  }
  if (spec.lowerUnchanged && lowersBefore) return lowersChanged(lowersBefore, lowersAfter);
  return undefined;
}
