// Reading a real layer directory back into canonical form: the kernel's markers decoded
// (char 0/0 whiteouts whatever their link count, xattr whiteouts, overlay.* xattrs).

import type { CanonEntry, CanonTree, DataJSON } from '../../language/canonical.js';
import { normTime, toDataJSON } from '../../language/data.js';
import type { TreeItem } from './ops.js';
import { putEntry } from '../../language/canonical.js';

/** A decoder for one implementation's upper-layer format. */
export type LayerDecoder = (items: TreeItem[]) => CanonTree;

const dataOf = (b: Uint8Array): DataJSON => toDataJSON(b);

/** split xattrs into user-visible ones and the overlay-private ones (by short name) */
function splitXattrs(item: TreeItem, privatePrefixes: string[]): { user: Record<string, DataJSON>; priv: Record<string, Uint8Array> } {
  const user: Record<string, DataJSON> = {};
  const priv: Record<string, Uint8Array> = {};
  for (const [name, value] of item.xattrs) {
    const p = privatePrefixes.find((x) => name.startsWith(x));
    if (p) priv[name.slice(p.length)] = value;
    else if (!name.startsWith('security.')) user[name] = dataOf(value);
  }
  return { user, priv };
}

/** The plain attributes every inspected entry carries. */
export function baseOf(item: TreeItem): Record<string, unknown> {
  return { mode: item.mode & 0o7777, uid: item.uid, gid: item.gid, mtime: normTime(item.mtime), ino: item.ino, nlink: item.nlink };
}

/** Decode a kernel-format layer whose private xattrs use the given namespace prefixes. */
export function kernelDecoder(privatePrefixes = ['trusted.overlay.']): LayerDecoder {
  return (items) => {
    const out: CanonTree = {};
    for (const item of items) {
      const { user, priv } = splitXattrs(item, privatePrefixes);
      const text = (k: string) => (priv[k] ? new TextDecoder().decode(priv[k]) : undefined);
      const rest: Record<string, DataJSON> = {};
      for (const [k, v] of Object.entries(priv)) if (!['opaque', 'redirect', 'metacopy', 'whiteout', 'origin'].includes(k)) rest[k] = dataOf(v);
      const extra = {
        ...(Object.keys(user).length ? { xattrs: user } : {}), ...(Object.keys(rest).length ? { overlay: rest } : {}),
        ...(priv.origin !== undefined && privatePrefixes.length ? { origin: true } : {}),
      };
      let e: CanonEntry;
      if (item.type === 'chr' && item.rdev === '0:0') e = { type: 'whiteout', format: 'chr' };
      else if (item.type === 'file' && item.size === 0 && priv.whiteout !== undefined) e = { type: 'whiteout', format: 'xattr' };
      else if (item.type === 'dir') {
        const opaque = text('opaque');
        e = {
          type: 'dir', ...baseOf(item), ...extra,
          ...(opaque === 'y' || opaque === 'x' ? { opaque } : {}),
          ...(text('redirect') !== undefined ? { redirect: text('redirect') } : {}),
        } as CanonEntry;
      } else if (item.type === 'file') {
        e = {
          type: 'file', ...baseOf(item), ...extra, size: item.size,
          ...(item.data !== undefined ? { data: dataOf(item.data) } : {}),
          ...(priv.metacopy !== undefined ? { metacopy: true } : {}),
          ...(text('redirect') !== undefined ? { redirect: text('redirect') } : {}),
        } as CanonEntry;
      } else if (item.type === 'symlink') e = { type: 'symlink', target: item.target ?? '', uid: item.uid, gid: item.gid, ino: item.ino, ...extra };
      else if (item.type === 'unknown') continue;
      else {
        const [major, minor] = item.rdev.split(':').map(Number);
        e = { type: item.type, ...baseOf(item), major, minor, ...extra } as CanonEntry;
      }
      putEntry(out, item.path, e);
    }
    return out;
  };
}

/** Decode a plain directory (no markers at all). */
export const plainDecoder: LayerDecoder = kernelDecoder([]);

/**
 * Mark the upper non-directories that are hard links of an entry of the inodes index
 * (workdir/index); a directory's index entry (nfs_export) is a directory of its own, not a link.
 */
export function markIndexed(upper: CanonTree, index: TreeItem[]): CanonTree {
  const inos = new Set(index.filter((i) => i.type !== 'dir' && !(i.type === 'chr' && i.rdev === '0:0')).map((i) => i.ino));
  for (const e of Object.values(upper)) {
    const x = e as CanonEntry & { ino?: string; indexed?: boolean };
    if (x.ino !== undefined && inos.has(x.ino) && e.type !== 'whiteout' && e.type !== 'dir') x.indexed = true;
  }
  return upper;
}
