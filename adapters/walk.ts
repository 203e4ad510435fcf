// The merged tree walked through ordinary ops (readdir, lstat, readfile, readlink, xattrs), for a
// worker that cannot list its tree in one go. engine/snapshot.ts walks from the harness; a child
// process running an in-process engine (adapters/inproc) walks the same way next to the engine,
// so a snapshot is one message rather than one round trip per op; the memory model walks with
// its ops called directly (no promise per op). One walk (a generator of the ops it makes) for all
// three, so the walks cannot drift apart.

import type { ResolvedOp, TreeItem } from './adapter.js';
import type { OpResult } from '../language/canonical.js';

/** What a walk needs of a worker: its ops, and whether extended attributes are read. */
export interface WalkSource {
  op(op: ResolvedOp): Promise<OpResult>;
  xattrs: boolean;
  /** run between two ops (the child yields to its event loop there, as it did between messages) */
  between?: () => Promise<void>;
}

const value = (r: OpResult) => (r.ok ? r.value : undefined);

/** An op the adapter does not implement (a skip): the tree cannot be walked, which is not an empty tree. */
function walkable(r: OpResult, what: string): OpResult {
  if (!r.ok && 'skip' in r && r.skip) throw new Error(`the adapter cannot ${what}: ${r.skip}`);
  return r;
}

/** The walk itself: yields each op it makes, is sent its result, returns the items. */
function* walkOps(xattrs: boolean, maxData: number, maxDepth: number): Generator<ResolvedOp, TreeItem[], OpResult> {
  const items: TreeItem[] = [];
  function* visit(dir: string, depth: number): Generator<ResolvedOp, void, OpResult> {
    // a directory that contains itself (seen in fuzz on zenfs) would be walked for ever: the walk
    // stops at a depth no scenario tree reaches and says so in the snapshot
    if (depth > maxDepth) {
      items.push({ path: dir, type: 'unknown', target: `deeper than ${maxDepth} levels (a directory cycle?)`, mode: 0, uid: 0, gid: 0, size: 0, nlink: 0, ino: `deep:${dir}`, rdev: '', atime: '', mtime: '', xattrs: [] });
      return;
    }
    const l = value(walkable(yield { op: 'readdir', args: { path: dir } }, 'readdir'));
    if (!l || !('entries' in l)) return;
    for (const ent of l.entries) {
      const path = dir === '.' ? ent.name : `${dir}/${ent.name}`;
      const st = value(walkable(yield { op: 'lstat', args: { path } }, 'lstat'));
      if (!st || !('stat' in st)) continue;
      const s = st.stat;
      const it: TreeItem = { path, type: s.type, mode: s.mode, uid: s.uid, gid: s.gid, size: Number(s.size ?? 0), nlink: s.nlink, ino: String(s.ino), ...(s.dev !== undefined ? { dev: String(s.dev) } : {}), rdev: String(s.rdev ?? ''), atime: String(s.atime), mtime: String(s.mtime), xattrs: [] };
      if (s.type === 'file') {
        const d = value(yield { op: 'readfile', args: { path } });
        if (d && 'data' in d && d.data.length <= maxData) it.data = d.data;
      }
      if (s.type === 'symlink') {
        const t = value(yield { op: 'readlink', args: { path } });
        if (t && 'target' in t) it.target = String(t.target);
      } else if (xattrs) {
        const n = value(yield { op: 'listxattr', args: { path } });
        for (const name of n && 'names' in n ? n.names.filter((x) => x.startsWith('user.')) : []) {
          const v = value(yield { op: 'getxattr', args: { path, name } });
          if (v && 'value' in v) it.xattrs.push([name, v.value]);
        }
      }
      items.push(it);
      if (s.type === 'dir') yield* visit(path, depth + 1);
    }
  }
  yield* visit('.', 0);
  return items;
}

/** Walk the merged view from its root, files' data kept up to maxData bytes, directories descended to maxDepth. */
export async function walkByOps(src: WalkSource, maxData: number, maxDepth: number): Promise<TreeItem[]> {
  const g = walkOps(src.xattrs, maxData, maxDepth);
  let r = g.next();
  for (let first = true; !r.done; first = false) {
    if (!first && src.between) await src.between();
    r = g.next(await src.op(r.value));
  }
  return r.value;
}

/** The same walk through ops that answer at once (an engine in this process): the same ops in the same order, without a promise per op. */
export function walkByOpsNow(op: (o: ResolvedOp) => OpResult, xattrs: boolean, maxData: number, maxDepth: number): TreeItem[] {
  const g = walkOps(xattrs, maxData, maxDepth);
  let r = g.next();
  while (!r.done) r = g.next(op(r.value));
  return r.value;
}
