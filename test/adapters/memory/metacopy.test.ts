// Metadata-only copy-up (MC): metacopy=on copies metadata on chmod and friends, data on the
// first write open; other variants refuse to follow overlay.metacopy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mount, type Tree } from './helpers.js';

type Up = Record<string, { type: string; metacopy?: boolean; redirect?: string; size?: number; data?: string; mode?: number }>;

test('metacopy=on: chmod leaves a metacopy upper with the lower size, data read from below (MC-001)', async () => {
  // verified on 6.18: U/big has trusted.overlay.metacopy, size 10000, st_blocks of the lower
  const s = await mount({ lowers: [{ big: 'x'.repeat(10000) }] }, 'metacopy=on');
  const before = await s.stat('big');
  await s.ok('chmod', { path: 'big', mode: 0o600 });
  const up = (await s.upper()) as Up;
  assert.is(up.big.metacopy, true);
  assert.is(up.big.size, 10000);
  const st = await s.stat('big');
  assert.is(st.mode, 0o600);
  assert.is(st.blocks, before.blocks);
  assert.is(st.ino, before.ino);
  assert.is((await s.read('big')).length, 10000);
});

test('metacopy=on: the first write open copies the data and drops the marker (MC-002)', async () => {
  // verified on 6.18: the marker goes, and the data copy-up sets mtime and ctime
  const s = await mount({ lowers: [{ f: 'lowerdata' }] }, 'metacopy=on');
  await s.ok('utimens', { path: 'f', atime: '1.0', mtime: '2.0' });
  assert.is(((await s.upper()) as Up).f.metacopy, true);
  const { fd } = await s.ok<{ fd: number }>('open', { path: 'f', flags: ['O_RDONLY'] });
  await s.ok('close', { fd });
  assert.is(((await s.upper()) as Up).f.metacopy, true);
  const w = (await s.ok<{ fd: number }>('open', { path: 'f', flags: ['O_WRONLY'] })).fd;
  await s.ok('close', { fd: w });
  const f = ((await s.upper()) as Up).f;
  assert.is(f.metacopy, undefined);
  assert.is(f.data, 'lowerdata');
  assert.ok(Number((await s.stat('f')).mtime) > 2);
});

test('metacopy=on: truncate copies the data up at once', async () => {
  // verified on 6.18: U/h after truncate has no metacopy marker
  const s = await mount({ lowers: [{ h: 'hhhh' }] }, 'metacopy=on');
  await s.ok('truncate', { path: 'h', length: 1 });
  const h = ((await s.upper()) as Up).h;
  assert.is(h.metacopy, undefined);
  assert.is(h.data, 'h');
});

test('metacopy=on: a renamed metacopy file finds its data through a redirect (MC-003)', async () => {
  // verified on 6.18: moved to another dir → redirect "/mv"; renamed in place → redirect "f"
  const s = await mount({ lowers: [{ mv: 'data', f: 'x' }] }, 'metacopy=on');
  await s.ok('chmod', { path: 'mv', mode: 0o600 });
  await s.ok('mkdir', { path: 'dir' });
  await s.ok('rename', { from: 'mv', to: 'dir/mv2' });
  assert.is(await s.read('dir/mv2'), 'data');
  await s.ok('chmod', { path: 'f', mode: 0o600 });
  await s.ok('rename', { from: 'f', to: 'f2' });
  const up = (await s.upper()) as Up;
  assert.is(up['dir/mv2'].redirect, '/mv');
  assert.is(up['dir/mv2'].metacopy, true);
  assert.is(up.f2.redirect, 'f');
  assert.equal(up.mv, { type: 'whiteout' });
  assert.is(await s.read('f2'), 'x');
});

test('A metacopy file in a layer is refused with EPERM unless metacopy=on (MC-004)', async () => {
  // verified on 6.18: default and redirect_dir=on → EPERM ("refusing to follow metacopy origin")
  const layers = { lowers: [{ f: 'lowerdata' }], upper: { f: { type: 'file' as const, size: 9, metacopy: true } } };
  for (const v of ['default', 'redirect_dir=on']) {
    const s = await mount(layers, v);
    assert.is(await s.errno('stat', { path: 'f' }), 'EPERM');
  }
  const s = await mount(layers, 'metacopy=on');
  assert.is(await s.read('f'), 'lowerdata');
  assert.is((await s.stat('f')).size, 9);
});

test('An upper metacopy file without lower data is EIO', async () => {
  // verified on 6.18: "metacopy with no lower data found"
  const s = await mount({ lowers: [{ g: 'g' }], upper: { f: { type: 'file', size: 3, metacopy: true } } }, 'metacopy=on');
  assert.is(await s.errno('stat', { path: 'f' }), 'EIO');
});

test('A file composed of layers: metadata from the upper, data from the bottom lower (MC-006)', async () => {
  // verified on 6.18: a lower metacopy file with metacopy=on reads the deeper data, size of the metacopy file
  const s = await mount({ lowers: [{ f: { type: 'file', size: 0, metacopy: true, mode: 0o600 } }, { f: 'data' }], upper: null }, 'metacopy=on');
  assert.is(await s.read('f'), 'data');
  assert.is((await s.stat('f')).mode, 0o600);
});

test('metacopy=on: link() of a metacopy file records an absolute redirect, so the new name finds the data', async () => {
  // verified on 6.18 by hand: after ln f g and ln sub/h h2, U/f has trusted.overlay.metacopy and
  // trusted.overlay.redirect="/f", U/sub/h has redirect "/sub/h", and cat g prints the data
  const s = await mount({ lowers: [{ f: 'data', 'sub/h': 'x' }] }, 'metacopy=on');
  const before = await s.stat('f');
  await s.ok('link', { from: 'f', to: 'g' });
  await s.ok('link', { from: 'sub/h', to: 'h2' });
  const up = (await s.upper()) as Up;
  assert.equal([up.f.metacopy, up.f.redirect, up['sub/h'].redirect], [true, '/f', '/sub/h']);
  assert.is(await s.read('g'), 'data');
  assert.is(await s.read('h2'), 'x');
  const g = await s.stat('g');
  assert.equal([g.ino, g.nlink], [before.ino, 2]);
  await s.ok('unlink', { path: 'f' });
  assert.is(await s.read('g'), 'data');
});

test('metacopy=on: a redirect records the bytes of a UTF-8 name', async () => {
  // verified on 6.18 (names/special-characters[name=utf8]): the renamed metacopy file reads the lower data
  const s = await mount({ lowers: [{ 'l/café-日本': 'lower', 'u/keep': 'k' }] }, 'metacopy=on');
  await s.ok('rename', { from: 'l/café-日本', to: 'u/café-日本' });
  const up = (await s.upper()) as Up;
  assert.equal([up['u/café-日本'].metacopy, up['u/café-日本'].redirect], [true, '/l/café-日本']);
  assert.is(await s.read('u/café-日本'), 'lower');
});

test('Without metacopy=on a metacopy marker is refused with EPERM as soon as lookup reads it (DEV-METACOPY-NOT-FOLLOWED)', async () => {
  // verified on 6.18 by hand: an upper metacopy file with no lower data, one in a pure upper
  // dir, and a lower metacopy file in the bottom layer all give EPERM (not EIO)
  const mc: Tree = { mc: { type: 'file', size: 3, metacopy: true }, 'p/mc': { type: 'file', size: 3, metacopy: true } };
  const s = await mount({ lowers: [{ keep: 'k' }, { bm: { type: 'file', size: 3, metacopy: true } }], upper: mc });
  assert.is(await s.errno('stat', { path: 'p/mc' }), 'EPERM');
  assert.is(await s.errno('stat', { path: 'mc' }), 'EPERM');
  assert.is(await s.errno('stat', { path: 'bm' }), 'EPERM');
  const u = await mount({ lowers: [{ keep: 'k' }], upper: { 'p/mc': { type: 'file', size: 3, xattrs: { 'user.overlay.metacopy': '' } } } }, 'userxattr');
  assert.is(await u.errno('stat', { path: 'p/mc' }), 'EPERM');
});

test.run();
