// The model's canonical upper shows its origin and index bookkeeping as the kernel's upper
// does: overlay.origin on copied-up objects (not on new ones, not on lower hard links copied
// up without the index) and `indexed` on files linked into workdir/index.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CanonFile } from '../../../language/canonical.js';
import { mount } from './helpers.js';

const pair = { a: 'old', b: { type: 'hardlink' as const, target: 'a' }, one: 'x', d: { type: 'dir' as const } };

async function afterWrites(variant: string) {
  const s = await mount({ lowers: [pair] }, variant);
  await s.ok('writefile', { path: 'a', data: 'new' });
  await s.ok('chmod', { path: 'one', mode: 0o600 });
  await s.ok('writefile', { path: 'd/n', data: 'n' });
  await s.ok('writefile', { path: 'fresh', data: 'f' });
  return s.upper();
}

test('without index a copied-up single-name file and a directory carry an origin; a lower hard link and a new file do not', async () => {
  const u = await afterWrites('default');
  assert.is(u.one.type === 'file' && u.one.origin, true);
  assert.is(u.d.type === 'dir' && u.d.origin, true);
  assert.is((u.a as CanonFile).origin, undefined);
  assert.is((u.fresh as CanonFile).origin, undefined);
  assert.is((u.a as CanonFile).indexed, undefined);
});

test('with index=on the copied-up hard link has an origin and an index link (upper nlink 2); a single name is not indexed', async () => {
  const u = await afterWrites('index=on');
  const a = u.a as CanonFile;
  assert.equal([a.origin, a.indexed, a.nlink], [true, true, 2]);
  assert.is((u.one as CanonFile).indexed, undefined);
});

test('with nfs_export=on every copied-up non-directory is indexed, a directory is not marked', async () => {
  const u = await afterWrites('nfs_export=on');
  assert.equal([(u.one as CanonFile).indexed, (u.one as CanonFile).nlink], [true, 2]);
  assert.is(u.d.type === 'dir' && 'indexed' in u.d, false);
});

test.run();
