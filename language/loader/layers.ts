// Layer trees from their scenario form into canonical form: shorthand entries expanded,
// parents made explicit, hard-link targets and paths checked.

import { putEntry, type CanonEntry, type CanonLayers, type CanonTree } from '../canonical.js';
import { normData, normTime, parseMode } from '../data.js';
import { deviceProblem } from './devices.js';
import { LIMITS } from './limits.js';
import { checkPath, parentsOf } from './paths.js';
import type { Problem } from './validate.js';
import type { JsonPath } from './yaml.js';

type Src = Record<string, unknown>;

/** Set an own property whatever the key (a plain assignment to __proto__ would change the prototype). */
export const put = putEntry;

function entryOf(v: unknown): CanonEntry {
  if (typeof v === 'string') return { type: 'file', data: v };
  const o = v as Src;
  if (!('type' in o)) return { type: 'file', data: normData(o) };
  const e: Src = { ...o };
  if ('mode' in e) e.mode = parseMode(e.mode);
  if ('mtime' in e) e.mtime = normTime(e.mtime);
  if ('atime' in e) e.atime = normTime(e.atime);
  if ('data' in e) e.data = normData(e.data);
  if (e.xattrs) e.xattrs = Object.fromEntries(Object.entries(e.xattrs as Src).map(([k, x]) => [k, normData(x)]));
  if (e.type === 'dir') {
    if (e.opaque === true) e.opaque = 'y';
    if (e.opaque === false) delete e.opaque;
  }
  return e as unknown as CanonEntry;
}

/** Canonical tree of one layer; problems are reported against `at` (the layer's JSON path). */
export function treeOf(src: Src, at: JsonPath, problems: Problem[], subst?: (s: string) => string): CanonTree {
  // written with put and read with hasOwn: __proto__, constructor or toString are names like any other
  const tree: CanonTree = {};
  const sub = subst ?? ((s: string) => s);
  const keys = Object.keys(src);
  if (keys.length > LIMITS.entries) {
    problems.push({ path: at, key: false, message: `${keys.length} entries in one layer; the limit is ${LIMITS.entries} (docs/scenario-limits.md)` });
    return tree;
  }
  for (const [rawKey, rawVal] of Object.entries(src)) {
    const c = checkPath(sub(rawKey), { root: false });
    if (!c.ok) {
      problems.push({ path: [...at, rawKey], key: true, message: `layer path ${c.reason}` });
      continue;
    }
    let entry = entryOf(rawVal);
    const dev = entry.type === 'chr' || entry.type === 'blk' ? deviceProblem(entry.type, entry.major, entry.minor) : undefined;
    if (dev) problems.push({ path: [...at, rawKey], key: true, message: dev });
    if (subst && entry.type === 'file' && typeof entry.data === 'string') entry = { ...entry, data: sub(entry.data) };
    if (Object.hasOwn(tree, c.path)) problems.push({ path: [...at, rawKey], key: true, message: `"${c.path}" is given twice in this layer` });
    put(tree, c.path, entry);
  }
  for (const path of Object.keys(tree)) {
    for (const parent of parentsOf(path)) {
      const p = Object.hasOwn(tree, parent) ? tree[parent] : undefined;
      if (!p) put<CanonEntry>(tree, parent, { type: 'dir' });
      else if (p.type !== 'dir') {
        problems.push({ path: [...at, path], key: true, message: `"${path}" needs "${parent}" to be a directory, but it is a ${p.type}` });
        break;
      }
    }
  }
  for (const [path, e] of Object.entries(tree)) {
    if (e.type === 'hardlink') {
      const c = checkPath(e.target, { root: false });
      const t = c.ok && Object.hasOwn(tree, c.path) ? tree[c.path] : undefined;
      if (!c.ok) problems.push({ path: [...at, path], key: true, message: `hardlink target ${c.reason}` });
      else if (!t) problems.push({ path: [...at, path], key: true, message: `hardlink target "${e.target}" is not in this layer` });
      else if (t.type === 'dir' || t.type === 'hardlink' || t.type === 'whiteout')
        problems.push({ path: [...at, path], key: true, message: `hardlink target "${e.target}" is a ${t.type}; it must be a file, symlink or special file` });
      else put<CanonEntry>(tree, path, { type: 'hardlink', target: c.path });
    }
  }
  return sortTree(tree);
}

/** parents before children, so materialisation can go in key order */
export function sortTree(t: CanonTree): CanonTree {
  // fromEntries defines own properties, so a __proto__ entry stays an entry
  return Object.fromEntries(Object.entries(t).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Canonical layers of a scenario (`layers:` absent → one empty lower, empty upper). */
export function layersOf(src: Src | undefined, problems: Problem[]): CanonLayers {
  const lowers: CanonTree[] = [];
  const lowerSrc = (src?.lower as unknown[] | undefined) ?? [{}];
  lowerSrc.forEach((layer, i) => {
    const l = layer as Src;
    if (typeof l.repeat === 'number' && l.entries && typeof l.entries === 'object' && Object.keys(l).length === 2) {
      if (lowers.length + l.repeat > LIMITS.lowers) return;
      for (let n = 0; n < l.repeat; n++) {
        lowers.push(treeOf(l.entries as Src, ['layers', 'lower', i, 'entries'], problems, (s) => s.replaceAll('{i}', String(n))));
      }
    } else lowers.push(treeOf(l, ['layers', 'lower', i], problems));
  });
  const asked = lowerSrc.reduce<number>((n, l) => n + (typeof (l as Src).repeat === 'number' ? ((l as Src).repeat as number) : 1), 0);
  if (asked > LIMITS.lowers) problems.push({ path: ['layers', 'lower'], key: true, message: `${asked} lower layers; the limit is ${LIMITS.lowers} (docs/scenario-limits.md)` });
  else if (lowers.length === 0) problems.push({ path: ['layers', 'lower'], key: false, message: 'at least one lower layer is needed' });
  const upper = src && src.upper === null ? null : treeOf((src?.upper as Src | undefined) ?? {}, ['layers', 'upper'], problems);
  const data = Array.isArray(src?.data) ? (src.data as Src[]).map((t, i) => treeOf(t, ['layers', 'data', i], problems)) : undefined;
  return data ? { lowers, upper, data } : { lowers, upper };
}
