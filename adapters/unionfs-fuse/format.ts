// unionfs-fuse's layer format both ways: canonical whiteouts and opaque directories become
// `.unionfs-fuse/<path>_HIDDEN~` markers in the branch that hides (an empty file for a deleted
// name, a directory for a deleted-then-recreated directory, which hides every lower branch's
// contents beneath it), and an upper branch's markers are read back as whiteouts and opaque dirs.

import type { CanonDir, CanonEntry, CanonTree } from '../../language/canonical.js';
import { kernelDecoder } from '../host/inspect.js';
import { noMarkers } from '../host/materialise.js';
import type { TreeItem } from '../host/ops.js';
import type { LayerFormat } from '../formats/types.js';
import { putEntry } from '../../language/canonical.js';

/** The metadata directory at a branch root (the man page says `.unionfs`; 1.0 really uses this). */
export const META_DIR = '.unionfs-fuse';
/** Suffix of a hide marker. */
export const HIDE_TAG = '_HIDDEN~';

/** A layer in unionfs's format, or why it cannot hold the canonical layer. */
export type UnionfsLayer = { ok: true; tree: CanonTree } | { ok: false; skip: string };

const parentsOf = (p: string) => p.split('/').slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join('/'));

/** The marker path that hides `path` in branches below this one. */
export function markerPath(path: string): string {
  return `${META_DIR}/${path}${HIDE_TAG}`;
}

/** Rewrite a canonical layer into unionfs's format (a plain tree that holds the markers as files). */
export function toUnionfsLayer(t: CanonTree): UnionfsLayer {
  const out: CanonTree = {};
  const markers: [string, CanonEntry][] = [];
  for (const [path, e] of Object.entries(t)) {
    if (path === META_DIR || path.startsWith(META_DIR + '/')) return { ok: false, skip: `the layer holds ${path}, which is unionfs-fuse's own metadata directory` };
    if (e.type === 'whiteout') {
      if (e.format === 'xattr') return { ok: false, skip: 'unionfs-fuse has no xattr whiteouts' };
      markers.push([markerPath(path), { type: 'file', data: '', mode: 0o600 }]);
      continue;
    }
    if ((e.type === 'dir' || e.type === 'file') && e.redirect) return { ok: false, skip: 'unionfs-fuse has no redirects' };
    if (e.type === 'file' && e.metacopy) return { ok: false, skip: 'unionfs-fuse has no metacopy files' };
    if (e.type === 'dir' && e.opaque) {
      if (e.opaque === 'x') return { ok: false, skip: 'unionfs-fuse has no xattr whiteouts (opaque=x directories)' };
      const { opaque: _o, ...rest } = e;
      putEntry(out, path, rest);
      markers.push([markerPath(path), { type: 'dir', mode: 0o700 }]);
      continue;
    }
    putEntry(out, path, e);
  }
  if (markers.length === 0) return { ok: true, tree: out };
  const meta: CanonTree = { [META_DIR]: { type: 'dir', mode: 0o770 } };
  for (const [m, e] of markers) {
    for (const p of parentsOf(m).slice(1)) meta[p] ??= { type: 'dir', mode: 0o770 };
    meta[m] = e;
  }
  // parents before children: materialise creates in insertion order
  const sorted = Object.keys(meta).sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
  for (const k of sorted) out[k] = meta[k];
  return { ok: true, tree: out };
}

/** libfuse's renamed-while-open files (`.fuse_hidden<id>`) are bookkeeping, not user files. */
export const isFuseHidden = (path: string) => /(^|\/)\.fuse_hidden[0-9a-f]+$/.test(path);

/** Read a unionfs branch back: markers become whiteouts and opaque dirs; bookkeeping is dropped. */
export function unionfsDecoder(items: TreeItem[]): CanonTree {
  const plain = items.filter((i) => i.path !== META_DIR && !i.path.startsWith(META_DIR + '/') && !isFuseHidden(i.path));
  const out = kernelDecoder([])(plain);
  // a char 0/0 here is a device node: unionfs has no device whiteouts
  for (const i of plain) {
    if (i.type === 'chr' && i.rdev === '0:0') putEntry(out, i.path, { type: 'chr', mode: i.mode & 0o7777, uid: i.uid, gid: i.gid, major: 0, minor: 0, ino: i.ino } as CanonEntry);
  }
  const prefix = META_DIR + '/';
  for (const i of items) {
    if (!i.path.startsWith(prefix) || !i.path.endsWith(HIDE_TAG)) continue;
    const path = i.path.slice(prefix.length, -HIDE_TAG.length);
    if (!path) continue;
    const e = out[path];
    if (e?.type === 'dir') putEntry(out, path, { ...(e as CanonDir), opaque: 'y' });
    else if (!e) putEntry(out, path, { type: 'whiteout', format: 'unionfs' });
    // a marker next to a file or other object: the object hides the lower one anyway
  }
  return out;
}

/** unionfs-fuse's layer format, as the formats registry names it (`format: unionfs`). */
export const unionfsFormat: LayerFormat = {
  name: 'unionfs',
  description: 'unionfs-fuse\'s hide markers: .unionfs-fuse/<path>_HIDDEN~ (a file hides a name, a directory makes it opaque); no redirects, metacopy or xattr whiteouts',
  // prepare turns every marker into plain files, so none is ever written as an overlay marker
  markers: () => noMarkers,
  prepare: (tree) => toUnionfsLayer(tree),
  decode: (items) => unionfsDecoder(items),
  lacks: {
    redirect: 'the unionfs format has no redirects',
    metacopy: 'the unionfs format has no metadata-only copies',
    'xattr-whiteout': 'the unionfs format keeps whiteouts as .unionfs-fuse/<path>_HIDDEN~ files; it has no xattr whiteouts',
  },
};
