// The merged view of canonical layers as one plain tree: what the `posix` baseline materialises,
// so every merged-view expectation can be proven on a real POSIX filesystem.

import type { CanonEntry, CanonLayers, CanonTree } from '../../language/canonical.js';
import { putEntry } from '../../language/canonical.js';

/** the flattened tree, or why these layers have no plain-directory equivalent */
export type Flattened = { ok: true; tree: CanonTree } | { ok: false; reason: string };

/** an entry of the tree, never an inherited member such as toString */
const own = (t: CanonTree, path: string): CanonEntry | undefined => (Object.hasOwn(t, path) ? t[path] : undefined);

const children = new Map<CanonTree, Map<string, string[]>>();

/** direct children names of every directory path of a tree ('' is the root) */
function childIndex(t: CanonTree): Map<string, string[]> {
  let idx = children.get(t);
  if (idx) return idx;
  idx = new Map();
  for (const p of Object.keys(t)) {
    const i = p.lastIndexOf('/');
    const parent = i < 0 ? '' : p.slice(0, i);
    const list = idx.get(parent) ?? [];
    list.push(i < 0 ? p : p.slice(i + 1));
    idx.set(parent, list);
  }
  children.set(t, idx);
  return idx;
}

/**
 * a layer-level entry as the merge sees it: xattr whiteouts count only in lower layers (the
 * kernel and overlayfs.rst honour them there) and inside opaque=x dirs
 */
function effective(t: CanonTree, path: string, isUpper: boolean): CanonEntry | undefined {
  const e = own(t, path);
  if (e?.type === 'whiteout' && e.format === 'xattr') {
    if (isUpper) return { type: 'file', data: '' };
    const i = path.lastIndexOf('/');
    const parent = i < 0 ? undefined : own(t, path.slice(0, i));
    return parent?.type === 'dir' && parent.opaque === 'x' ? e : { type: 'file', data: '' };
  }
  return e;
}

/** Flatten layers (upper first, then lowers topmost first) the way overlay lookup merges them. */
export function flatten(layers: CanonLayers): Flattened {
  const stack: CanonTree[] = [...(layers.upper ? [layers.upper] : []), ...layers.lowers];
  for (const t of stack)
    for (const e of Object.values(t)) {
      if ((e.type === 'dir' || e.type === 'file') && e.redirect) return { ok: false, reason: 'layers with redirects have no plain-directory equivalent' };
      if (e.type === 'file' && e.metacopy) return { ok: false, reason: 'metacopy layers have no plain-directory equivalent' };
    }
  const out: CanonTree = {};
  // where each visible non-directory came from, to keep hard links that stay within one layer
  const origin = new Map<string, { layer: number; path: string }>();
  const mergeDir = (dir: string, active: number[]) => {
    const names = new Set<string>();
    for (const l of active) for (const n of childIndex(stack[l]).get(dir) ?? []) names.add(n);
    for (const name of [...names].sort()) {
      const path = dir ? `${dir}/${name}` : name;
      let top: { l: number; e: CanonEntry } | undefined;
      const dirs: number[] = [];
      for (const l of active) {
        const e = effective(stack[l], path, layers.upper !== null && l === 0);
        if (!e) continue;
        if (!top) {
          if (e.type === 'whiteout') break;
          top = { l, e };
          if (e.type !== 'dir') break;
          dirs.push(l);
          if (e.opaque === 'y') break;
          continue;
        }
        if (e.type !== 'dir') break;
        dirs.push(l);
        if (e.opaque === 'y') break;
      }
      if (!top) continue;
      if (top.e.type === 'dir') {
        const { opaque: _o, redirect: _r, ...attrs } = top.e;
        putEntry(out, path, attrs);
        mergeDir(path, dirs);
      } else {
        putEntry(out, path, top.e);
        origin.set(path, { layer: top.l, path });
      }
    }
  };
  mergeDir('', stack.map((_, i) => i));
  // hard links: keep those whose target is the same visible object, else a copy of the target
  for (const [path, e] of Object.entries(out)) {
    if (e.type !== 'hardlink') continue;
    const layer = origin.get(path)!.layer;
    const target = own(stack[layer], e.target)!;
    const visible = origin.get(e.target);
    if (visible && visible.layer === layer) continue;
    putEntry(out, path, target);
  }
  return { ok: true, tree: out };
}
