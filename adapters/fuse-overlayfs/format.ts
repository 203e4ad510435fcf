// fuse-overlayfs's on-disk layer format read back into canonical form: char 0/0 or `.wh.<name>`
// whiteouts, opaque directories marked by trusted/user overlay xattrs, user.fuseoverlayfs.opaque
// or the `.wh..wh..opq` sentinel, and its own bookkeeping (`.wh..opq`, origin and override_stat
// xattrs) left out of what is reported as user files and attributes.

import type { CanonEntry, CanonTree, DataJSON } from '../../spec/canonical.js';
import { toBytes } from '../../spec/data.js';
import { kernelDecoder, type LayerDecoder } from '../host/inspect.js';
import type { TreeItem } from '../host/ops.js';

/** Namespaces whose attributes are fuse-overlayfs's (or the kernel overlay's) private markers. */
export const FUSE_OVERLAYFS_PRIVATE = [
  'trusted.overlay.', 'user.overlay.', 'user.fuseoverlayfs.', 'security.fuseoverlayfs.', 'user.containers.',
];

/** The sentinel file that marks its directory opaque when xattrs cannot be used. */
export const OPAQUE_SENTINEL = '.wh..wh..opq';
/** A whiteout fuse-overlayfs leaves in every directory it creates (bookkeeping, never a user name). */
export const OPAQUE_WHITEOUT = '.wh..opq';
const WH_PREFIX = '.wh.';

const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const parent = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

/** "uid:gid:mode" (mode in octal, file type bits included) as fuse-overlayfs stores it. */
export function parseOverrideStat(v: DataJSON): { uid: number; gid: number; mode: number } | undefined {
  const m = /^(\d+):(\d+):([0-7]+)$/.exec(new TextDecoder().decode(toBytes(v)).trim());
  return m ? { uid: Number(m[1]), gid: Number(m[2]), mode: parseInt(m[3], 8) & 0o7777 } : undefined;
}

/** Apply xattr_permissions' stored owner and mode, and drop the private attributes left over. */
function settle(e: CanonEntry): CanonEntry {
  const x = e as CanonEntry & { overlay?: Record<string, DataJSON>; mode?: number; uid?: number; gid?: number };
  if (!x.overlay) return e;
  const ov = x.overlay.override_stat ?? x.overlay['fuseoverlayfs.override_stat'];
  if (ov !== undefined) {
    const o = parseOverrideStat(ov);
    if (o) Object.assign(x, { uid: o.uid, gid: o.gid, ...(x.type === 'symlink' ? {} : { mode: o.mode }) });
  }
  const rest = Object.fromEntries(Object.entries(x.overlay).filter(([k]) => !/override_stat$/.test(k)));
  if (Object.keys(rest).length) x.overlay = rest;
  else delete x.overlay;
  return x;
}

/** Decode an upper (or lower) directory written by fuse-overlayfs. */
export const fuseOverlayDecoder: LayerDecoder = (items: TreeItem[]) => {
  const raw = kernelDecoder(FUSE_OVERLAYFS_PRIVATE)(items);
  const kinds = new Map(items.map((i) => [i.path, i]));
  const out: CanonTree = {};
  const opaqueDirs = new Set<string>();
  const whFiles: string[] = [];
  for (const [path, e] of Object.entries(raw)) {
    const name = base(path);
    if (name === OPAQUE_WHITEOUT) continue;
    if (name === OPAQUE_SENTINEL && kinds.get(path)?.type === 'file') {
      opaqueDirs.add(parent(path));
      continue;
    }
    if (name.startsWith(WH_PREFIX) && name.length > WH_PREFIX.length && kinds.get(path)?.type === 'file') {
      whFiles.push(path);
      continue;
    }
    out[path] = settle(e);
  }
  for (const path of whFiles) {
    const target = join(parent(path), base(path).slice(WH_PREFIX.length));
    // creating a name deletes its `.wh.` file; if both exist the real entry is what is seen
    if (!out[target]) out[target] = { type: 'whiteout', format: 'wh-file' };
  }
  for (const d of opaqueDirs) {
    const e = out[d];
    if (e?.type === 'dir') out[d] = { ...e, opaque: 'y' };
  }
  return out;
};
