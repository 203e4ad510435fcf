// A dentry cache for a pass that changes no name: the final snapshot's walk. Every op resolves
// its path from the root, and the walk makes several ops per entry (lstat, readfile, listxattr,
// getxattr): through 500 lower layers each was one lookup per layer per component. While the
// cache is on, a (parent, name) pair is looked up once and its entry reused. A lookup's side
// effects (ovl_fix_origin, the xattr-whiteout layer flags) happen at the first one, as before, and
// make a later lookup of the same name return what the first did; a lookup that fails is not kept.

import { lookupChild, rootEntry, type OEntry } from './lookup.js';
import type { Mount } from './state.js';

/** The cached entries of one pass: the root it started from and each directory's children. */
interface Cache {
  root: OEntry;
  children: Map<OEntry, Map<string, OEntry>>;
  /** for a directory over many lower layers: each name → the positions in its stack holding it */
  holders: Map<OEntry, Map<string, number[]>>;
}

/** lower layers under a directory from which its names are indexed for the pass (below, a lookup's probe of each layer is as cheap) */
const MANY_LOWERS = 16;

/** Which positions of `e`'s lower stack hold each name: one pass over the layers' entries rather
 * than one probe of every layer for every name (500 lowers: the final walk's lookups were most of
 * layers/many-lowers). Valid for the pass: no name is created or removed in it. */
function holdersOf(c: Cache, e: OEntry): Map<string, number[]> | undefined {
  if (e.lowers.length <= MANY_LOWERS) return undefined;
  let byName = c.holders.get(e);
  if (byName) return byName;
  byName = new Map();
  for (let i = 0; i < e.lowers.length; i++) {
    const kids = e.lowers[i].node.children;
    if (!kids) continue;
    for (const name of kids.keys()) {
      const at = byName.get(name);
      if (at) at.push(i);
      else byName.set(name, [i]);
    }
  }
  c.holders.set(e, byName);
  return byName;
}

const NONE: readonly number[] = [];

const caches = new WeakMap<Mount, Cache>();

/** Run `f` (which must create, remove and rename nothing) with lookups cached; the cache ends with it. */
export function withDentryCache<T>(m: Mount, f: () => T): T {
  if (caches.has(m)) return f();
  caches.set(m, { root: rootEntry(m), children: new Map(), holders: new Map() });
  try {
    return f();
  } finally {
    caches.delete(m);
  }
}

/** The root entry a path walk starts from: the cached one during a cached pass. */
export function walkRoot(m: Mount): OEntry {
  return caches.get(m)?.root ?? rootEntry(m);
}

/** lookupChild, answered from the cache during a cached pass. */
export function lookupCached(m: Mount, parent: OEntry, name: string): OEntry {
  const c = caches.get(m);
  if (!c) return lookupChild(m, parent, name);
  let byName = c.children.get(parent);
  if (!byName) c.children.set(parent, (byName = new Map()));
  let e = byName.get(name);
  if (!e) {
    const holders = holdersOf(c, parent);
    byName.set(name, (e = lookupChild(m, parent, name, holders ? (holders.get(name) ?? NONE) : undefined)));
  }
  return e;
}
