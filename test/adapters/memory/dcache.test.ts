// The dentry cache of a pass that changes no name (the final snapshot's walk), and the worker's
// walkTree that uses it: the same entries, the same tree as the walk through the worker's ops.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withDentryCache } from '../../../adapters/memory/dcache.js';
import { walk } from '../../../adapters/memory/walk.js';
import { ROOT } from '../../../adapters/memory/perm.js';
import { walkByOps } from '../../../adapters/walk.js';
import { b, mount, type Tree } from './helpers.js';

test('Within a cached pass a path resolves to the same entry every time; outside it, to a fresh lookup', async () => {
  const s = await mount({ lowers: [{ 'd/f': 'low' }, { 'd/g': 'g' }], upper: { 'd/u': 'u' } });
  const m = s.w.mount!;
  const inside = withDentryCache(m, () => [walk(m, ROOT, 'd/f', false).entry, walk(m, ROOT, 'd/f', false).entry, walk(m, ROOT, 'd', false).entry]);
  assert.ok(inside[0] === inside[1], 'the second walk of d/f reuses the first one\'s entry');
  assert.ok(inside[0].parent === inside[2], 'd/f hangs under the cached d');
  assert.ok(walk(m, ROOT, 'd/f', false).entry !== walk(m, ROOT, 'd/f', false).entry, 'after the pass every walk looks up again');
});

test('A name that does not resolve inside a cached pass fails each time it is asked, as without the cache', async () => {
  const s = await mount({ lowers: [{ 'd/f': 'low' }] });
  const m = s.w.mount!;
  const errs = withDentryCache(m, () => [0, 1].map(() => {
    try {
      walk(m, ROOT, 'd/f/x', false);
      return 'resolved';
    } catch (e) {
      return (e as { errno?: string }).errno;
    }
  }));
  assert.equal(errs, ['ENOTDIR', 'ENOTDIR']);
});

// merged and opaque dirs, a whiteout, a redirect, a hard link pair, xattrs, a symlink, three lowers
const LOWERS: Tree[] = [{ 'm/a': 'a', 'm/b': 'b', 'o/hidden': 'h', 'r/x': 'x' }, { 'm/c': 'c', 'deep/1/2/3/f': 'f' }, { 'm/a': 'under', t: 'bottom' }];

async function scenario() {
  const s = await mount({ lowers: LOWERS, upper: { 'm/b': { type: 'whiteout' }, o: { type: 'dir', opaque: 'y' }, 'o/own': 'own', l: { type: 'symlink', target: 'm/a' } } }, 'redirect_dir=on');
  await s.ok('writefile', { path: 'm/c', data: b('changed'), append: true });
  await s.ok('rename', { from: 'r', to: 'moved' });
  await s.ok('link', { from: 'm/a', to: 'hard' });
  await s.ok('setxattr', { path: 't', name: 'user.k', value: b('v') });
  await s.ok('mkdir', { path: 'm/new' });
  return s;
}

test('The worker\'s walkTree lists the tree the walk through its ops lists, warm and after a remount', async () => {
  const [a, z] = [await scenario(), await scenario()];
  const direct = await a.w.walkTree(1 << 20, 24);
  const byOps = await walkByOps({ op: (o) => z.w.op(o), xattrs: z.w.capabilities.xattr === true }, 1 << 20, 24);
  assert.equal(direct, byOps);
  assert.ok(direct.some((i) => i.path === 'moved/x') && direct.some((i) => i.path === 'deep/1/2/3/f'));
  assert.ok(direct.some((i) => i.path === 't' && i.xattrs.length === 1));
  for (const s of [a, z]) assert.ok((await s.w.remount(undefined, false)).ok);
  assert.equal(await a.w.walkTree(1 << 20, 24), await walkByOps({ op: (o) => z.w.op(o), xattrs: true }, 1 << 20, 24));
});

test('Over more lower layers than it indexes below, the cached walk lists what the walk through ops lists: whiteouts, opaque and redirected dirs, names in no layer', async () => {
  // 24 lowers: names in one, several or every layer, a whiteout and an opaque dir midway, a dir
  // redirected to another layer's, a file over a dir of the same name
  const lowers: Tree[] = Array.from({ length: 24 }, (_, i) => ({ [`f${i}`]: `layer ${i}`, shared: `from ${i}`, [`d/x${i}`]: '' } as Tree));
  lowers[5] = { ...lowers[5], gone: { type: 'whiteout' }, o: { type: 'dir', opaque: 'y' }, 'o/top': 't' };
  lowers[9] = { ...lowers[9], gone: 'hidden by layer 5', 'o/under': 'hidden', mixed: 'file over the dir' };
  lowers[12] = { ...lowers[12], mixed: { type: 'dir' }, 'mixed/in': 'i', red: { type: 'dir', redirect: '/target' } };
  lowers[20] = { ...lowers[20], 'target/t1': 'redirected', 'red/own': 'own' };
  const make = async () => {
    const s = await mount({ lowers, upper: { 'd/up': 'u' } }, 'redirect_dir=on');
    await s.ok('unlink', { path: 'f3' });
    return s;
  };
  const [a, z] = [await make(), await make()];
  const direct = await a.w.walkTree(1 << 20, 24);
  assert.equal(direct, await walkByOps({ op: (o) => z.w.op(o), xattrs: true }, 1 << 20, 24));
  const paths = direct.map((i) => i.path);
  for (const p of ['f0', 'f23', 'd/x0', 'd/x23', 'd/up', 'o/top', 'mixed']) assert.ok(paths.includes(p), `${p} is listed`);
  for (const p of ['f3', 'gone', 'o/under', 'mixed/in']) assert.not.ok(paths.includes(p), `${p} is hidden`);
  for (const s of [a, z]) assert.ok((await s.w.remount(undefined, false)).ok);
  assert.equal(await a.w.walkTree(1 << 20, 24), await walkByOps({ op: (o) => z.w.op(o), xattrs: true }, 1 << 20, 24));
});

test.run();
