// rename (RN): EXDEV for lower/merged dirs without redirect_dir=on, redirects with it,
// whiteouts at the old name, renameat2 flags, opaque marks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mount } from './helpers.js';

type Up = Record<string, { type: string; opaque?: string; redirect?: string }>;

test('Renaming a lower directory is EXDEV by default (RN-001, RN-014)', async () => {
  // verified on 6.18 (redirect_dir=follow): EXDEV, nothing copied up
  const s = await mount({ lowers: [{ 'ld/y': 'y' }] });
  assert.is(await s.errno('rename', { from: 'ld', to: 'ld2' }), 'EXDEV');
  assert.is((await s.stat('ld')).dev, (await s.stat('.')).dev);
  assert.equal(await s.upper(), {});
});

test('Renaming a pure upper directory succeeds by default (RN-002)', async () => {
  const s = await mount({});
  await s.ok('mkdir', { path: 'a' });
  await s.ok('writefile', { path: 'a/f', data: 'f' });
  await s.ok('rename', { from: 'a', to: 'b' });
  assert.is(await s.read('b/f'), 'f');
});

test('With redirect_dir=on a lower dir renamed in place gets a relative redirect and a whiteout (RN-003)', async () => {
  // verified on 6.18: U/ld2 redirect "ld", U/ld c 0,0, lower children still visible
  const s = await mount({ lowers: [{ 'ld/y': 'y' }] }, 'redirect_dir=on');
  await s.ok('rename', { from: 'ld', to: 'ld2' });
  assert.equal(await s.names('ld2'), ['y']);
  assert.is(await s.errno('stat', { path: 'ld' }), 'ENOENT');
  const up = (await s.upper()) as Up;
  assert.is(up.ld2.redirect, 'ld');
  assert.equal(up.ld, { type: 'whiteout' });
});

test('With redirect_dir=on a dir moved to another parent gets an absolute redirect (RN-003)', async () => {
  // verified on 6.18: U/d/e2 redirect "/e"
  const s = await mount({ lowers: [{ 'e/q': 'q', 'd/x': 'x' }] }, 'redirect_dir=on');
  await s.ok('rename', { from: 'e', to: 'd/e2' });
  assert.equal(await s.names('d/e2'), ['q']);
  const up = (await s.upper()) as Up;
  assert.is(up['d/e2'].redirect, '/e');
  assert.equal(up.e, { type: 'whiteout' });
  // a redirected dir is merged: rmdir checks its lower contents (OP-007)
  assert.is(await s.errno('rmdir', { path: 'd/e2' }), 'ENOTEMPTY');
});

test('A redirect longer than redirect_max (256) makes the rename EXDEV (RN-004)', async () => {
  // verified on 6.18: the old path of the dir (its redirect) counts, 260 bytes → EXDEV
  const deep = ['p', ...Array(5).fill('x'.repeat(50))].join('/');
  const s = await mount({ lowers: [{ [`${deep}/dd/x`]: 'x' }] }, 'redirect_dir=on');
  assert.is(await s.errno('rename', { from: `${deep}/dd`, to: 'dd' }), 'EXDEV');
  const short = ['q', ...Array(4).fill('y'.repeat(50))].join('/');
  const s2 = await mount({ lowers: [{ [`${short}/ee/z`]: 'z' }] }, 'redirect_dir=on');
  await s2.ok('rename', { from: `${short}/ee`, to: 'ee' });
  assert.is(((await s2.upper()) as Up).ee.redirect, `/${short}/ee`);
});

test('redirect_dir=nofollow refuses a redirected dir with EPERM; follow honours it (RN-005)', async () => {
  // verified on 6.18: stat of U/d2 (redirect "d") is EPERM with nofollow and userxattr
  const layers = { lowers: [{ 'd/x': 'x' }], upper: { d2: { type: 'dir' as const, redirect: 'd' }, d: { type: 'whiteout' as const } } };
  const f = await mount(layers);
  assert.equal(await f.names('d2'), ['x']);
  const s = await mount(layers, 'redirect_dir=on');
  assert.equal(await s.names('d2'), ['x']);
  const r = await s.w.remount({ redirect_dir: 'nofollow' }, false);
  assert.ok(r.ok);
  assert.is(await s.errno('stat', { path: 'd2' }), 'EPERM');
  // verified on 6.18: the root became impure while d2 was followed, so readdir looks d2 up
  // for its d_ino, fails ("failed to look up (d2) for ino") and drops the entry
  assert.equal(await s.names('.'), []);
});

test('Renaming a lower file copies it up and leaves a whiteout (RN-006)', async () => {
  const s = await mount({ lowers: [{ f: 'data', 'dir2/k': 'k' }] });
  await s.ok('rename', { from: 'f', to: 'dir2/g' });
  assert.is(await s.read('dir2/g'), 'data');
  const up = (await s.upper()) as Up;
  assert.equal(up.f, { type: 'whiteout' });
  assert.is(up['dir2/g'].type, 'file');
});

test('Renaming within a lower-only directory copies the directory up once', async () => {
  const s = await mount({ lowers: [{ 'a/f': 'f', 'a/h': 'h' }] });
  await s.ok('rename', { from: 'a/f', to: 'a/g' });
  assert.equal(await s.names('a'), ['g', 'h']);
  const up = (await s.upper()) as Up;
  assert.equal(Object.keys(up).sort(), ['a', 'a/f', 'a/g']);
  assert.equal(up['a/f'], { type: 'whiteout' });
  await s.ok('link', { from: 'a/h', to: 'a/h2' });
  assert.equal(await s.names('a'), ['g', 'h', 'h2']);
});

test('Renaming onto a deleted name reuses its whiteout slot (RN-007)', async () => {
  // verified on 6.18: U/a holds b's data, U/b is a whiteout
  const s = await mount({ lowers: [{ a: 'A', b: 'B' }] });
  await s.ok('unlink', { path: 'a' });
  await s.ok('rename', { from: 'b', to: 'a' });
  assert.is(await s.read('a'), 'B');
  const up = (await s.upper()) as Up;
  assert.equal(up.b, { type: 'whiteout' });
  assert.is(up.a.type, 'file');
});

test('Renaming over an empty merged dir works and the result is opaque; a non-empty one is ENOTEMPTY (RN-009)', async () => {
  // verified on 6.18
  const s = await mount({ lowers: [{ 'dd/x': 'x' }] });
  await s.ok('mkdir', { path: 'q' });
  assert.is(await s.errno('rename', { from: 'q', to: 'dd' }), 'ENOTEMPTY');
  await s.ok('unlink', { path: 'dd/x' });
  await s.ok('rename', { from: 'q', to: 'dd' });
  assert.equal(await s.names('dd'), []);
  const up = (await s.upper()) as Up;
  assert.is(up.dd.opaque, 'y');
  assert.is(up['dd/x'], undefined);
});

test('renameat2: RENAME_WHITEOUT is EINVAL, RENAME_NOREPLACE onto an existing name EEXIST (RN-010)', async () => {
  // verified on 6.18
  const s = await mount({ lowers: [{ f: 'f', d: { type: 'dir' } }] });
  assert.is(await s.errno('rename', { from: 'f', to: 'g', flags: ['RENAME_WHITEOUT'] }), 'EINVAL');
  assert.is(await s.errno('rename', { from: 'f', to: 'd', flags: ['RENAME_NOREPLACE'] }), 'EEXIST');
  await s.ok('rename', { from: 'f', to: 'g', flags: ['RENAME_NOREPLACE'] });
  assert.is(await s.read('g'), 'f');
});

test('RENAME_EXCHANGE swaps two files, and is EXDEV with a lower dir on either side (RN-011)', async () => {
  // verified on 6.18: exchange of a lower file with a lower dir, and of an upper dir with a lower dir → EXDEV
  const s = await mount({ lowers: [{ a: 'A', b: 'B', d: { type: 'dir' } }] });
  await s.ok('rename', { from: 'a', to: 'b', flags: ['RENAME_EXCHANGE'] });
  assert.is(await s.read('a'), 'B');
  assert.is(await s.read('b'), 'A');
  assert.is(await s.errno('rename', { from: 'a', to: 'd', flags: ['RENAME_EXCHANGE'] }), 'EXDEV');
  await s.ok('mkdir', { path: 'p' });
  assert.is(await s.errno('rename', { from: 'p', to: 'd', flags: ['RENAME_EXCHANGE'] }), 'EXDEV');
  assert.is(await s.errno('rename', { from: 'a', to: 'zz', flags: ['RENAME_EXCHANGE'] }), 'ENOENT');
});

test('A pure upper dir moved into a merged parent is marked opaque (RN-012)', async () => {
  // verified on 6.18: both over an empty merged target and to a new name in a merged parent
  const s = await mount({ lowers: [{ 'm/d/x': 'x' }] });
  await s.ok('mkdir', { path: 'p' });
  await s.ok('writefile', { path: 'p/z', data: 'z' });
  await s.ok('mkdir', { path: 'p2' });
  await s.ok('rename', { from: 'p2', to: 'm/new' });
  const up = (await s.upper()) as Up;
  assert.is(up['m/new'].opaque, 'y');
  assert.equal(await s.names('m/new'), []);
});

test('Moving a copied-up file to another dir marks the destination impure (RN-013)', async () => {
  const s = await mount({ lowers: [{ f: 'f', 'o/k': 'k' }] });
  await s.ok('mkdir', { path: 'n' });
  await s.ok('rename', { from: 'f', to: 'n/f' });
  const up = (await s.upper()) as Record<string, { overlay?: Record<string, string> }>;
  assert.equal(up.n.overlay, { impure: 'y' });
});

test('Renaming a dir into its own subtree is EINVAL; a dir over a file ENOTDIR; a file over a dir EISDIR', async () => {
  // verified on 6.18
  const s = await mount({ lowers: [{ a: 'a' }] });
  await s.ok('mkdir', { path: 'x' });
  await s.ok('mkdir', { path: 'x/y' });
  assert.is(await s.errno('rename', { from: 'x', to: 'x/y/z' }), 'EINVAL');
  assert.is(await s.errno('rename', { from: 'x', to: 'a' }), 'ENOTDIR');
  assert.is(await s.errno('rename', { from: 'a', to: 'x' }), 'EISDIR');
  assert.is(await s.errno('rename', { from: 'x/y', to: 'x' }), 'ENOTEMPTY');
  assert.is(await s.errno('rename', { from: 'x/.', to: 'q' }), 'EBUSY');
  assert.is(await s.errno('rename', { from: 'a', to: 'b/' }), 'ENOTDIR');
  await s.ok('rename', { from: 'x', to: 'x' });
  await s.ok('rename', { from: 'a', to: 'a' });
  assert.equal(await s.upper() as Up, { x: (await s.upper() as Up).x, 'x/y': (await s.upper() as Up)['x/y'] });
});

test('An open fd follows the file through a rename (RN-015)', async () => {
  const s = await mount({ lowers: [{ f: 'one' }] });
  const { fd } = await s.ok<{ fd: number }>('open', { path: 'f', flags: ['O_RDONLY'] });
  await s.ok('rename', { from: 'f', to: 'g' });
  await s.ok('writefile', { path: 'g', data: 'two' });
  assert.is(Buffer.from((await s.ok<{ data: Uint8Array }>('pread', { fd, offset: 0, length: 9 })).data).toString(), 'two');
});

test('Renaming a lower dir onto a non-empty pure upper dir copies it up and records its redirect before the upper fs says ENOTEMPTY', async () => {
  // verified on 6.18 by hand (redirect_dir=on): rename(ls, t) fails with ENOTEMPTY, and U/ls
  // exists with an origin and trusted.overlay.redirect="ls"; the root became impure
  const s = await mount({ lowers: [{ 'ls/inside': 'i' }], upper: { 't/x': 'x' } }, 'redirect_dir=on');
  assert.is(await s.errno('rename', { from: 'ls', to: 't' }), 'ENOTEMPTY');
  const up = (await s.upper()) as Up;
  assert.equal([up.ls.type, up.ls.redirect], ['dir', 'ls']);
  assert.is((await s.stat('ls')).nlink, 1);
  assert.equal(await s.names('ls'), ['inside']);
  assert.ok(s.w.mount!.upper!.xattrs.has('trusted.overlay.impure'));
});

test('rename resolves both parents, then looks up the old name, then the new one (userxattr: redirects not followed)', async () => {
  // kernel 6.18 userxattr (kernel-vs-model fuzz, seed 1116): rename e → m with m a redirected
  // dir is ENOENT (the missing old name first), rename n → m/y with m missing is ENOENT (the new
  // parent before the old name's redirect), rename n → zz is EPERM (n's redirect not followed)
  const layers = { lowers: [{ n0: { type: 'dir', mode: 0o755 }, 'n0/x': 'x' }], upper: { n0: { type: 'whiteout' }, n: { type: 'dir', redirect: '/n0' }, 'n/y': 'y' } } as never;
  const s = await mount(layers, 'userxattr');
  assert.is(await s.errno('rename', { from: 'e', to: 'n' }), 'ENOENT');
  assert.is(await s.errno('rename', { from: 'n', to: 'm/y' }), 'ENOENT');
  assert.is(await s.errno('rename', { from: 'n', to: 'zz' }), 'EPERM');
  assert.is(await s.errno('rename', { from: 'zz', to: 'n' }), 'ENOENT');
  assert.is(await s.errno('rename', { from: 'n/y', to: 'zz' }), 'EPERM');
});

test.run();
