// Canonical layer trees written into and read back from any Node-fs-like library (shared by the
// in-process adapters): files, directories, symlinks and hard links with modes, owners and
// times; the overlay markers are the adapters' own business and never reach this code.

import type { CanonEntry, CanonTree } from '../../language/canonical.js';
import { normTime, sizedBytes, toBytes, toDataJSON } from '../../language/data.js';
import { msTime, typeOf, type NodeFsLike } from './nodefs.js';
import { putEntry } from '../../language/canonical.js';

const MAX_DATA = 1 << 20;

/** Why a tree holds something the library cannot store, or undefined. */
export function unstorable(t: CanonTree, what: string): string | undefined {
  for (const [path, e] of Object.entries(t)) {
    if (e.type === 'fifo' || e.type === 'chr' || e.type === 'blk' || e.type === 'sock') return `${what} cannot hold the ${e.type} at ${path}`;
    if (e.type !== 'whiteout' && e.type !== 'hardlink' && (e as { xattrs?: object }).xattrs && Object.keys((e as { xattrs: object }).xattrs).length) return `${what} has no extended attributes (at ${path})`;
  }
  return undefined;
}

const secs = (t: string | undefined) => (t === undefined ? undefined : Number(normTime(t)));

/** Sets a directory's metadata where the library's path API cannot (zenfs opens it, EISDIR). */
export type DirMeta = (path: string, m: { mode: number; uid?: number; gid?: number; mtime?: number }) => void;

/** Write a tree beneath root (which exists); whiteouts and markers must have been taken out. */
export function populate(fs: NodeFsLike, root: string, tree: CanonTree, dirMeta?: DirMeta): void {
  const abs = (p: string) => `${root}/${p}`;
  const made = new Set<string>();
  const mkdirs = (p: string) => {
    // the ancestors not made yet, found from the nearest up (the tree lists every directory, so
    // usually the parent is made): building every prefix of every path cost a 1,200-level tree
    // the cube of its depth
    const todo: string[] = [];
    for (let i = p.lastIndexOf('/'); i > 0 && !made.has(p.slice(0, i)); i = p.lastIndexOf('/', i - 1)) todo.push(p.slice(0, i));
    for (const d of todo.reverse()) {
      try {
        fs.mkdirSync(abs(d), 0o755);
      } catch {
        /* exists */
      }
      made.add(d);
    }
  };
  const later: [string, CanonEntry][] = [];
  // directory modes, owners and times go last, deepest first: a read-only directory must not
  // stop its children from being written, and writing them must not move its mtime
  const dirs: [string, { mode: number; uid?: number; gid?: number; mtime?: number }][] = [];
  for (const [path, e] of Object.entries(tree)) {
    mkdirs(path);
    const x = e as CanonEntry & { mode?: number; uid?: number; gid?: number; mtime?: string; atime?: string };
    switch (e.type) {
      case 'dir':
        if (!made.has(path)) fs.mkdirSync(abs(path), 0o755);
        made.add(path);
        dirs.push([path, { mode: x.mode ?? 0o755, uid: x.uid, gid: x.gid, mtime: secs(x.mtime) }]);
        continue;
      case 'file': {
        const data = e.data === undefined ? new Uint8Array(e.size ?? 0) : toBytes(e.data);
        const sized = sizedBytes(data, e.size);
        fs.writeFileSync(abs(path), sized, { mode: 0o644 });
        fs.chmodSync(abs(path), x.mode ?? 0o644);
        break;
      }
      case 'symlink':
        fs.symlinkSync(e.target, abs(path));
        break;
      case 'hardlink':
        later.push([path, e]);
        continue;
      default:
        throw new Error(`populate cannot write the ${e.type} at ${path}`);
    }
    made.add(path);
    if (x.uid !== undefined || x.gid !== undefined) (e.type === 'symlink' && fs.lchownSync ? fs.lchownSync.bind(fs) : fs.chownSync.bind(fs))(abs(path), x.uid ?? 0, x.gid ?? 0);
    const mt = secs(x.mtime);
    const at = secs(x.atime) ?? mt;
    if (mt !== undefined && e.type !== 'symlink') fs.utimesSync(abs(path), at ?? mt, mt);
  }
  for (const [path, e] of later) if (e.type === 'hardlink') fs.linkSync(abs(e.target), abs(path));
  dirs.sort((a, b) => b[0].split('/').length - a[0].split('/').length);
  for (const [path, m] of dirs) {
    if (dirMeta) {
      dirMeta(path, m);
      continue;
    }
    if (m.uid !== undefined || m.gid !== undefined) fs.chownSync(abs(path), m.uid ?? 0, m.gid ?? 0);
    fs.chmodSync(abs(path), m.mode);
    if (m.mtime !== undefined) fs.utimesSync(abs(path), m.mtime, m.mtime);
  }
}

/** Read everything beneath root back into canonical form (skipping names `skip` says are bookkeeping). */
export function walk(fs: NodeFsLike, root: string, skip: (path: string) => boolean = () => false): CanonTree {
  const out: CanonTree = {};
  const visit = (rel: string) => {
    const dir = rel ? `${root}/${rel}` : root;
    const names = fs.readdirSync(dir).map(String).sort();
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      if (skip(path)) continue;
      const st = fs.lstatSync(`${root}/${path}`);
      const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: msTime(st.mtimeMs), ino: String(st.ino), nlink: st.nlink };
      const type = typeOf(st.mode);
      if (type === 'dir') {
        putEntry(out, path, { type: 'dir', ...base });
        visit(path);
      } else if (type === 'symlink') putEntry(out, path, { type: 'symlink', target: String(fs.readlinkSync(`${root}/${path}`)), uid: st.uid, gid: st.gid, ino: base.ino });
      else if (type === 'file') {
        const size = Number(st.size);
        putEntry(out, path, { type: 'file', ...base, size, ...(size <= MAX_DATA ? { data: toDataJSON(Uint8Array.from(fs.readFileSync(`${root}/${path}`))) } : {}) });
      } else putEntry(out, path, { type, ...base } as CanonEntry);
    }
  };
  visit('');
  return out;
}
