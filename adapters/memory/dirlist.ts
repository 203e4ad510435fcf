// Reading a directory's names through the layers: the merged listing (upper first, then the
// lower stack, each name once, whiteouts recorded so they hide lower names and are not shown),
// and the plain listing of a directory that is not merged.

import { isChrWhiteout, type LNode } from './layer.js';
import type { OEntry } from './lookup.js';
import type { OInode } from './inode.js';
import type { DirEnt } from './handles.js';
import type { Mount } from './state.js';

/** Does the directory read through the merge path (the kernel's OVL_WHITEOUTS flag)? */
export function dirIsMerged(e: OEntry): boolean {
  if (!e.parent) return e.upper !== null ? e.lowers.length > 0 : e.lowers.length > 1;
  if (e.upper) return e.lowers.length > 0 || e.upper.origin !== null;
  return e.lowers.length > 1;
}

/** the same, for an open directory's inode */
export function inodeDirIsMerged(i: OInode): boolean {
  if (i.upper) return i.numLower > 0 || i.upper.origin !== null;
  return i.numLower > 1;
}

function ent(name: string, n: LNode, layer: number): DirEnt {
  return { name, kind: isChrWhiteout(n) ? 'whiteout' : n.kind, native: n.ino, fromUpper: layer < 0, recalc: false, layer };
}

/** The whole listing of a directory entry, '.' and '..' first, whiteouts kept as markers. */
export function listDir(m: Mount, e: OEntry, forceMerged = false): { ents: DirEnt[]; merged: boolean } {
  const merged = forceMerged || dirIsMerged(e);
  const self = e.upper ?? e.lowers[0].node;
  const dots: DirEnt[] = [
    { name: '.', kind: 'dir', native: self.ino, fromUpper: e.upper !== null, recalc: false, layer: -1 },
    { name: '..', kind: 'dir', native: self.ino, fromUpper: e.upper !== null, recalc: false, layer: -1 },
  ];
  if (!merged) {
    const out = dots;
    for (const [name, n] of self.children!) out.push(ent(name, n, e.upper ? -1 : e.lowers[0].layer));
    return { ents: out, merged };
  }
  // layers are read upper first, then the lower stack; the lowest layer's new names are put
  // before all others ("allows offsets to be reasonably constant"), '.' and '..' come first
  // among the names of the layer read first
  const seen = new Set<string>();
  const impure = e.upper !== null && m.upper !== null && e.upper.xattrs.get(m.prefix + 'impure') !== undefined;
  const xino = m.xinoBits > 0;
  const sameDev = m.sameFs || xino;
  const sources: { node: LNode; layer: number }[] = [];
  if (e.upper) sources.push({ node: e.upper, layer: -1 });
  if (!e.opaque) for (const l of e.lowers) sources.push({ node: l.node, layer: l.layer });
  const groups: DirEnt[][] = sources.map(() => []);
  groups[0].push(...dots);
  sources.forEach((src, gi) => {
    const checkX = src.layer >= 0 && e.xwhiteouts && m.xwLayers.has(src.layer);
    for (const [name, n] of src.node.children!) {
      if (seen.has(name)) continue;
      seen.add(name);
      const d = ent(name, n, src.layer);
      if (xino) d.recalc = true;
      else if (src.layer < 0 && impure && sameDev) d.recalc = true;
      if (checkX && n.kind === 'file') d.recalc = true;
      groups[gi].push(d);
    }
  });
  const lowest = groups.length > 1 ? groups.pop()! : [];
  return { ents: [...lowest, ...groups.flat()], merged };
}

/**
 * Names that make a directory non-empty (ovl_check_empty_dir): the merged listing without '.',
 * '..' and char-device whiteouts. Entries hidden by xattr whiteouts are not looked up here, so
 * they count: rmdir of a directory emptied by xattr whiteouts fails with ENOTEMPTY, which
 * models a kernel bug (DEV-RMDIR-XWHITEOUT-ENOTEMPTY, verified on 6.18.44).
 */
export function visibleNames(m: Mount, e: OEntry): string[] {
  const { ents, merged } = listDir(m, e, true);
  const names: string[] = [];
  for (const d of ents) {
    if (d.name === '.' || d.name === '..') continue;
    if (merged && d.kind === 'whiteout') continue;
    names.push(d.name);
  }
  return names;
}
