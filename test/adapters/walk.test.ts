// The merged-tree walk through plain ops, shared by the harness (engine/snapshot.ts) and the child
// of an in-process engine (adapters/inproc): what it reads, in which order, what it keeps.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResolvedOp } from '../../adapters/adapter.js';
import type { OpResult } from '../../language/canonical.js';
import { walkByOps, walkByOpsNow } from '../../adapters/walk.js';

type Node = { type: 'dir' } | { type: 'file'; data: string } | { type: 'symlink'; target: string };
const TREE: Record<string, Node> = { d: { type: 'dir' }, 'd/f': { type: 'file', data: 'hello' }, 'd/big': { type: 'file', data: 'x'.repeat(20) }, l: { type: 'symlink', target: 'd/f' } };

/** ops over TREE, each logged */
function source(tree: Record<string, Node>, log: string[]) {
  const stat = (p: string) => ({ type: tree[p].type, mode: 0o755, uid: 0, gid: 0, size: tree[p].type === 'file' ? (tree[p] as { data: string }).data.length : 0, nlink: 1, ino: p, rdev: '0:0', atime: '1.0', mtime: '2.0' });
  return async (o: ResolvedOp): Promise<OpResult> => {
    const p = String(o.args.path);
    log.push(`${o.op} ${p}`);
    const n = tree[p];
    if (o.op === 'readdir') return { ok: true, value: { entries: Object.keys(tree).filter((k) => (p === '.' ? !k.includes('/') : k.startsWith(`${p}/`) && !k.slice(p.length + 1).includes('/'))).map((k) => ({ name: k.split('/').pop()!, ino: k, type: tree[k].type })) } } as OpResult;
    if (o.op === 'lstat') return { ok: true, value: { stat: stat(p) } } as OpResult;
    if (o.op === 'readfile' && n.type === 'file') return { ok: true, value: { data: new TextEncoder().encode(n.data) } };
    if (o.op === 'readlink' && n.type === 'symlink') return { ok: true, value: { target: n.target } };
    return { ok: false, errno: 'EINVAL' };
  };
}

test('The walk reads each directory, then each entry (lstat, then its data or target), keeping data only up to maxData', async () => {
  const log: string[] = [];
  const items = await walkByOps({ op: source(TREE, log), xattrs: false }, 10, 24);
  assert.equal(log, ['readdir .', 'lstat d', 'readdir d', 'lstat d/f', 'readfile d/f', 'lstat d/big', 'readfile d/big', 'lstat l', 'readlink l']);
  assert.equal(items.map((i) => i.path), ['d', 'd/f', 'd/big', 'l']);
  assert.equal(new TextDecoder().decode(items[1].data), 'hello');
  assert.is(items[2].data, undefined, 'a file over maxData has no data');
  assert.is(items[2].size, 20);
  assert.is(items[3].target, 'd/f');
});

test('The hook between ops runs between every two ops and never before the first', async () => {
  const log: string[] = [];
  const op = source(TREE, log);
  await walkByOps({ op, xattrs: false, between: async () => void log.push('|') }, 10, 24);
  assert.is(log[0], 'readdir .');
  assert.is(log.filter((l) => l === '|').length, log.filter((l) => l !== '|').length - 1);
  assert.ok(log.every((l, i) => (i % 2 === 1) === (l === '|')), log.join(' '));
});

test('A directory deeper than maxDepth is reported as a possible cycle, not descended', async () => {
  const items = await walkByOps({ op: source({ a: { type: 'dir' }, 'a/b': { type: 'dir' }, 'a/b/c': { type: 'dir' } }, []), xattrs: false }, 10, 1);
  assert.equal(items.map((i) => `${i.path}:${i.type}`), ['a:dir', 'a/b:dir', 'a/b:unknown']);
});

test('An adapter that cannot readdir makes the walk fail with the reason, rather than an empty tree', async () => {
  const err = await walkByOps({ op: async () => ({ ok: false, skip: 'no readdir here' }), xattrs: false }, 10, 24).catch((e: Error) => e);
  assert.instance(err, Error);
  assert.match((err as Error).message, /the adapter cannot readdir: no readdir here/);
});

test('The walk through ops that answer at once makes the same ops in the same order and keeps the same items', async () => {
  const log: string[] = [];
  const now: string[] = [];
  const later = await walkByOps({ op: source(TREE, log), xattrs: false }, 10, 24);
  const answers = source(TREE, now);
  const results = new Map<string, OpResult>();
  // the same answers, given synchronously: each op is asked of the async source first
  for (const o of log) results.set(o, await answers({ op: o.split(' ')[0] as ResolvedOp['op'], args: { path: o.split(' ')[1] } }));
  now.length = 0;
  const items = walkByOpsNow((o) => (now.push(`${o.op} ${String(o.args.path)}`), results.get(`${o.op} ${String(o.args.path)}`)!), false, 10, 24);
  assert.equal(now, log);
  assert.equal(items, later);
});

test.run();
