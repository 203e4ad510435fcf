// BrowserFS 1.4.3 layers: each layer an InMemory store filled through a private mount point of
// the process's one MountableFileSystem; upper whiteouts become lines of OverlayFS's deletion
// log (/.deletedFiles.log in the writable store), and read back from it.

import type { CanonEntry, CanonTree } from '../../language/canonical.js';
import { sizedBytes, toBytes } from '../../language/data.js';
import type { NodeFsLike } from '../zenfs/nodefs.js';

/** where OverlayFS logs deletions in its writable store */
export const DELETION_LOG = '.deletedFiles.log';

/** Modes BrowserFS's InMemory store gives what it creates (it stores no other: chmod is ENOTSUP). */
export const BFS_MODES = { file: 0o644, dir: 0o777 } as const;

/** Why a layer cannot be written into an InMemory store, or the plain tree and the deleted paths. */
export function splitLayer(t: CanonTree, role: 'lower' | 'upper'): { ok: true; tree: CanonTree; deleted: string[] } | { ok: false; skip: string } {
  const tree: CanonTree = {};
  const deleted: string[] = [];
  for (const [path, e] of Object.entries(t)) {
    const why = unstorable(path, e);
    if (why) return { ok: false, skip: why };
    if (e.type === 'whiteout') {
      // the only lower has nothing beneath it to hide; an upper whiteout is a deletion-log line
      if (role === 'upper') deleted.push(path);
      continue;
    }
    if (e.type === 'dir' && e.opaque && role === 'upper') return { ok: false, skip: 'BrowserFS OverlayFS has no opaque directories: its deletion log names paths only' };
    tree[path] = e;
  }
  return { ok: true, tree, deleted };
}

/** What an InMemory store cannot hold: anything but files and directories, set modes, owners, times. */
function unstorable(path: string, e: CanonEntry): string | undefined {
  if (e.type === 'whiteout') return undefined;
  if (e.type !== 'file' && e.type !== 'dir') return `BrowserFS's InMemory store cannot hold the ${e.type} at ${path} (links and special files are ENOTSUP)`;
  if (e.redirect) return 'BrowserFS OverlayFS has no redirects';
  if (e.type === 'file' && e.metacopy) return 'BrowserFS OverlayFS has no metacopy files';
  if (e.mode !== undefined && e.mode !== BFS_MODES[e.type]) return `BrowserFS's InMemory store keeps no permission bits (chmod is ENOTSUP): ${path} needs mode ${e.mode.toString(8)}`;
  if ((e.uid ?? 0) !== 0 || (e.gid ?? 0) !== 0) return `BrowserFS has no owners (chown is ENOTSUP): ${path} needs ${e.uid ?? 0}:${e.gid ?? 0}`;
  if (e.mtime !== undefined || e.atime !== undefined) return `BrowserFS's InMemory store keeps no set times (utimes is ENOTSUP): ${path} needs an mtime`;
  if (e.xattrs && Object.keys(e.xattrs).length) return `BrowserFS has no extended attributes (at ${path})`;
  return undefined;
}

/** Write a plain tree beneath root (which exists). */
export function fill(fs: NodeFsLike, root: string, tree: CanonTree, deleted: string[]): void {
  // p and its ancestors, each made once, found from p up to the nearest one made (the tree lists
  // every directory: making every prefix of every path again cost a 1,200-level tree 720,000
  // mkdir calls, each resolving its path from the root)
  const made = new Set<string>();
  const mkdirs = (p: string) => {
    const todo: string[] = [];
    for (let i = p.length; i > 0 && !made.has(p.slice(0, i)); i = p.lastIndexOf('/', i - 1)) todo.push(p.slice(0, i));
    for (const d of todo.reverse()) {
      try {
        fs.mkdirSync(`${root}/${d}`, 0o777);
      } catch {
        /* exists */
      }
      made.add(d);
    }
  };
  for (const [path, e] of Object.entries(tree)) {
    if (e.type === 'dir') mkdirs(path);
    else if (e.type === 'file') {
      if (path.includes('/')) mkdirs(path.slice(0, path.lastIndexOf('/')));
      const data = e.data === undefined ? new Uint8Array(e.size ?? 0) : toBytes(e.data);
      const sized = sizedBytes(data, e.size);
      fs.writeFileSync(`${root}/${path}`, sized, { mode: BFS_MODES.file });
    }
  }
  // OverlayFS reads the log once when it is created: one "d<path>" line per deleted path
  if (deleted.length) fs.writeFileSync(`${root}/${DELETION_LOG}`, new TextEncoder().encode(deleted.map((p) => `d/${p}\n`).join('')));
}
