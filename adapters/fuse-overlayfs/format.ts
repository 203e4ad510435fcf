// fuse-overlayfs's on-disk layer format read back into canonical form: char 0/0 or `.wh.<name>`
// whiteouts, opaque directories marked by trusted/user overlay xattrs, user.fuseoverlayfs.opaque
// or the `.wh..wh..opq` sentinel, and its own bookkeeping (`.wh..opq`, origin and override_stat
// xattrs) left out of what is reported as user files and attributes. Layers are written in the
// kernel's format, plus xattr_permissions' per-entry owner and mode when the mount uses it.

import type { CanonEntry, CanonTree, DataJSON } from '../../language/canonical.js';
import { toBytes } from '../../language/data.js';
import type { AgentRequest } from '../host/agent.js';
import { kernelDecoder, type LayerDecoder } from '../host/inspect.js';
import { kernelMarkers } from '../host/materialise.js';
import type { TreeItem } from '../host/ops.js';
import type { LayerFormat } from '../formats/types.js';
import { putEntry } from '../../language/canonical.js';

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
    putEntry(out, path, settle(e));
  }
  for (const path of whFiles) {
    const target = join(parent(path), base(path).slice(WH_PREFIX.length));
    // creating a name deletes its `.wh.` file; if both exist the real entry is what is seen
    if (!Object.hasOwn(out, target)) putEntry(out, target, { type: 'whiteout', format: 'wh-file' });
  }
  for (const d of opaqueDirs) {
    const e = out[d];
    if (e?.type === 'dir') putEntry(out, d, { ...e, opaque: 'y' });
  }
  return out;
};

/** The attribute xattr_permissions keeps owners and modes in, when the options set it. */
export function overrideStatName(options: readonly string[]): string | undefined {
  const v = options.find((o) => o.startsWith('xattr_permissions='))?.split('=')[1];
  return v === '1' ? 'security.fuseoverlayfs.override_stat' : v === '2' ? 'user.containers.override_stat' : undefined;
}

const TYPE_BITS: Record<string, number> = { file: 0o100000, dir: 0o040000, symlink: 0o120000, fifo: 0o010000, chr: 0o020000, blk: 0o060000, sock: 0o140000 };

/**
 * With xattr_permissions every object of a layer carries its owner and mode in an attribute
 * ("uid:gid:mode", mode in octal with the type bits); a layer written for such a mount has them.
 */
export function overrideStatRequests(tree: CanonTree, name: string): AgentRequest[] {
  const out: AgentRequest[] = [{ op: 'setxattr', args: { path: '.', name, value: new TextEncoder().encode('0:0:40755'), nofollow: true } }];
  for (const [path, e] of Object.entries(tree)) {
    const type = TYPE_BITS[e.type];
    if (type === undefined) continue;
    const x = e as { uid?: number; gid?: number; mode?: number };
    const mode = x.mode ?? (e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644);
    out.push({ op: 'setxattr', args: { path, name, value: new TextEncoder().encode(`${x.uid ?? 0}:${x.gid ?? 0}:${(type | mode).toString(8)}`), nofollow: true } });
  }
  return out;
}

/** fuse-overlayfs's layer format, as the formats registry names it (`format: fuse-overlayfs`). */
export const fuseOverlayFormat: LayerFormat = {
  name: 'fuse-overlayfs',
  description: 'the kernel\'s markers (trusted.* or, in a user namespace, user.* xattrs) read back with .wh. files, .wh..wh..opq sentinels and fuse-overlayfs\'s bookkeeping xattrs; xattr_permissions=1|2 owners and modes',
  markers: (ctx) => kernelMarkers(ctx.xattrNs),
  decode: (items) => fuseOverlayDecoder(items),
  extra: (tree, ctx) => {
    const name = overrideStatName(ctx.options);
    return name ? overrideStatRequests(tree, name) : [];
  },
};
