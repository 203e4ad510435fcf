// drop_caches (the dropCaches op): what the kernel keeps only in the overlay inode is lost for
// every inode nothing holds, and rebuilt from the layers by the next lookup.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mount } from './helpers.js';

test('With nfs_export=on a copied-up file shows nlink 1 while cached and 2 once its inode is evicted', async () => {
  // verified on 6.18 (ext4, index=on,nfs_export=on): setfattr on lower b, stat nlink 1;
  // drop_caches; nlink 2 (the upper is linked from work/index; overlay.nlink "U-1" is ignored
  // because the lower has one link)
  const s = await mount({ lowers: [{ b: 'lower', c: 'top' }] }, 'nfs_export=on');
  await s.ok('setxattr', { path: 'b', name: 'user.k', value: 'v' });
  assert.is((await s.stat('b')).nlink, 1);
  await s.ok('dropCaches', { path: 'c' });
  assert.is((await s.stat('b')).nlink, 2);
});

test('An open file keeps its inode through drop_caches; once closed it is evicted', async () => {
  // verified on 6.18: c open, chmod c (copy-up), drop_caches: nlink 1; close, drop_caches: 2
  const s = await mount({ lowers: [{ b: 'lower', c: 'top' }] }, 'nfs_export=on');
  const { fd } = await s.ok<{ fd: number }>('open', { path: 'c', flags: ['O_RDONLY'] });
  await s.ok('chmod', { path: 'c', mode: 0o600 });
  await s.ok('dropCaches', { path: 'b' });
  assert.is((await s.stat('c')).nlink, 1);
  await s.ok('close', { fd });
  await s.ok('dropCaches', { path: 'b' });
  assert.is((await s.stat('c')).nlink, 2);
});

test('The path a dropCaches op names keeps its inode (the agent holds it open)', async () => {
  const s = await mount({ lowers: [{ b: 'lower' }] }, 'nfs_export=on');
  await s.ok('chmod', { path: 'b', mode: 0o600 });
  await s.ok('dropCaches', { path: 'b' });
  assert.is((await s.stat('b')).nlink, 1);
});

test('On layers of different filesystems an evicted directory gets a new inode number; a held one keeps it', async () => {
  // verified on 6.18 (lower on tmpfs, xino=off): m 3, d 4; drop_caches: m 5, d 6; with d open
  // drop_caches: m 7, d still 6; the lower file's number (the real one) never changes
  const s = await mount({ lowers: [{ 'd/x': 'x', f: 'f' }], upper: { 'm/y': 'y' } }, 'layers-different-fs');
  const m0 = (await s.stat('m')).ino;
  const d0 = (await s.stat('d')).ino;
  const f0 = (await s.stat('f')).ino;
  await s.ok('dropCaches', { path: 'f' });
  const m1 = (await s.stat('m')).ino;
  const d1 = (await s.stat('d')).ino;
  assert.is.not(m1, m0);
  assert.is.not(d1, d0);
  assert.is((await s.stat('f')).ino, f0);
  const { fd } = await s.ok<{ fd: number }>('open', { path: 'd/x', flags: ['O_RDONLY'] });
  await s.ok('dropCaches', { path: 'f' });
  assert.is.not((await s.stat('m')).ino, m1);
  assert.is((await s.stat('d')).ino, d1, 'd is held by its open child x');
  await s.ok('close', { fd });
  // the root is never evicted
  const r = (await s.stat('.')).ino;
  await s.ok('dropCaches', { path: 'f' });
  assert.is((await s.stat('.')).ino, r);
});

test.run();
