// The adapter surface: variants and their fingerprints, capabilities against the closed
// vocabulary, remount (with rotation), direct layer edits, inspect and setup failures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { memoryAdapter } from '../../../adapters/memory/index.js';
import defaultExport from '../../../adapters/memory/index.js';
import { mount } from './helpers.js';

const yaml = readFileSync(fileURLToPath(new URL('../../../../spec/capabilities.yaml', import.meta.url)), 'utf8');
const vocabulary = yaml.split('\n').filter((l) => /^[a-z0-9-]+:/.test(l)).map((l) => l.split(':')[0]);

test('The adapter is named memory, always available, and the default export', async () => {
  const info = await memoryAdapter.probe();
  assert.is(info.name, 'memory');
  assert.is(info.available, true);
  assert.is(defaultExport, memoryAdapter);
  assert.ok(info.variants.every((v) => v.available));
});

test('Every variant resolves its options as kernel 6.18 does', async () => {
  const want: Record<string, Record<string, string>> = {
    default: { redirect_dir: 'follow', index: 'off', metacopy: 'off', xino: 'off', nfs_export: 'off', userxattr: 'off', volatile: 'off', stacked_fops: 'on', layers_fs: 'same' },
    'redirect_dir=on': { redirect_dir: 'on' },
    'index=on': { index: 'on' },
    'redirect_dir=on+index=on': { redirect_dir: 'on', index: 'on' },
    'metacopy=on': { metacopy: 'on', redirect_dir: 'on' },
    'xino=on': { xino: 'on', layers_fs: 'different' },
    'layers-different-fs': { layers_fs: 'different' },
    'nfs_export=on': { nfs_export: 'on', index: 'on' },
    volatile: { volatile: 'on' },
    userxattr: { userxattr: 'on', redirect_dir: 'nofollow' },
    'legacy-fd': { stacked_fops: 'off' },
  };
  const info = await memoryAdapter.probe();
  assert.equal(info.variants.map((v) => v.name).sort(), Object.keys(want).sort());
  for (const [name, delta] of Object.entries(want)) {
    const w = await memoryAdapter.createWorker(name, { workdir: '/x', index: 0 });
    const fp = await w.fingerprint();
    assert.is(fp.implementation, 'memory');
    assert.is(fp.version, '6.18-model');
    assert.equal(fp.options, { ...want.default, ...delta }, name);
  }
});

test('Every variant lists exactly the capability vocabulary, missing ones with a reason', async () => {
  for (const v of (await memoryAdapter.probe()).variants) {
    const w = await memoryAdapter.createWorker(v.name, { workdir: '/x', index: 0 });
    assert.equal(Object.keys(w.capabilities).sort(), [...vocabulary].sort(), v.name);
    for (const [k, c] of Object.entries(w.capabilities)) assert.ok(c === true || (typeof c === 'string' && c.length > 10), `${v.name} ${k}`);
  }
  // layers holding metacopy files and redirects are modelled everywhere: without metacopy=on
  // or with redirect_dir=nofollow lookup refuses them with EPERM, as the kernel does
  const d = await memoryAdapter.createWorker('default', { workdir: '/x', index: 0 });
  assert.is(d.capabilities.metacopy, true);
  assert.is(d.capabilities['layer-edit'], true);
  assert.is((await memoryAdapter.createWorker('metacopy=on', { workdir: '/x', index: 0 })).capabilities.metacopy, true);
  assert.is((await memoryAdapter.createWorker('userxattr', { workdir: '/x', index: 0 })).capabilities.redirect, true);
  assert.is((await memoryAdapter.createWorker('volatile', { workdir: '/x', index: 0 })).capabilities.remount, true);
  assert.type((await memoryAdapter.createWorker('volatile', { workdir: '/x', index: 0 })).capabilities['mount-options'], 'string');
  assert.type(d.capabilities.atime, 'string');
});

test('An unknown variant is refused with the list of variants', async () => {
  try {
    await memoryAdapter.createWorker('nope', { workdir: '/x', index: 0 });
    assert.unreachable('created');
  } catch (e) {
    assert.match((e as Error).message, /redirect_dir=on/);
  }
});

test('Setup refuses a read-only overlay with a single lower layer, as mount does', async () => {
  const w = await memoryAdapter.createWorker('default', { workdir: '/x', index: 0 });
  const r = await w.setup({ lowers: [{}], upper: null }, { runId: 'x', timeoutMs: 1, lowerCount: 1 });
  assert.is(r.ok, false);
});

test('remount keeps the layers and drops open files; the upper stays as it was', async () => {
  const s = await mount({ lowers: [{ f: 'x' }] });
  const { fd } = await s.ok<{ fd: number }>('open', { path: 'f', flags: ['O_RDWR'] });
  await s.ok('write', { fd, data: Buffer.from('y') });
  assert.ok((await s.w.remount(undefined, false)).ok);
  assert.is(await s.errno('close', { fd }), 'EBADF');
  assert.is(await s.read('f'), 'y');
});

test('remount with rotate moves the upper into the lower stack under a fresh upper', async () => {
  const s = await mount({ lowers: [{ f: 'x', g: 'g' }] });
  await s.ok('writefile', { path: 'f', data: 'new' });
  await s.ok('unlink', { path: 'g' });
  assert.ok((await s.w.remount(undefined, true)).ok);
  assert.equal(await s.upper(), {});
  assert.is(await s.read('f'), 'new');
  assert.is(await s.errno('stat', { path: 'g' }), 'ENOENT');
  const r = await s.w.inspect();
  assert.ok(r.ok && r.lowers.length === 2);
  if (r.ok) assert.equal(r.lowers[0].g, { type: 'whiteout' });
});

test('A volatile upper cannot be mounted again while work/incompat/volatile is kept, and can once it is removed (SF-003)', async () => {
  // verified on 6.18: "overlay with incompat feature 'volatile' cannot be mounted" until the
  // directory is removed; then the data written under the volatile mount is there
  const s = await mount({ lowers: [{ f: 'x' }] }, 'volatile');
  await s.ok('writefile', { path: 'f', data: 'new' });
  const r = await s.w.remount(undefined, false, false, { keepVolatile: true });
  assert.equal(r.ok ? 'ok' : 'errno' in r ? r.errno : 'escape', 'EINVAL');
  assert.is((await s.run('stat', { path: 'f' })).ok, false, 'nothing is mounted after the refusal');
  assert.is((await s.w.remount(undefined, false, false, { keepVolatile: true })).ok, false, 'still refused: the directory is still there');
  assert.is((await s.w.remount(undefined, false)).ok, true);
  assert.is(await s.read('f'), 'new');
  // mounted volatile again, so the next mount is refused again unless cleaned
  assert.is((await s.w.remount(undefined, false, false, { keepVolatile: true })).ok, false);
});

test('A volatile mount switched off by a remount leaves nothing that refuses the mount after it', async () => {
  const s = await mount({ lowers: [{ f: 'x' }] }, 'volatile');
  assert.is((await s.w.remount({ volatile: 'off' }, false)).ok, true);
  assert.is((await s.w.remount(undefined, false, false, { keepVolatile: true })).ok, true);
});

test('remount with conflicting options fails with EINVAL (MC-004, ML-009)', async () => {
  // verified on 6.18: metacopy=on,redirect_dir=off → "conflicting options"
  const s = await mount({});
  const r = await s.w.remount({ metacopy: 'on', redirect_dir: 'off' }, false);
  assert.equal(r.ok ? 'ok' : 'errno' in r ? r.errno : 'escape', 'EINVAL');
});

test('A direct edit of a lower layer is applied and shown by later lookups (UL-001)', async () => {
  const s = await mount({ lowers: [{ f: 'x' }] });
  assert.ok((await s.w.editLayer('lower:0', { g: { type: 'file', data: 'added' } }, ['f'])).ok);
  assert.is(await s.read('g'), 'added');
  assert.is(await s.errno('stat', { path: 'f' }), 'ENOENT');
});

test('inspect reads layers back in canonical form: whiteouts, opaque dirs, redirects, modes, nlink', async () => {
  const s = await mount({ lowers: [{ 'd/x': 'x', f: { type: 'file', data: 'f', mode: 0o640 } }] }, 'redirect_dir=on');
  await s.ok('unlink', { path: 'd/x' });
  await s.ok('rmdir', { path: 'd' });
  await s.ok('mkdir', { path: 'd' });
  await s.ok('link', { from: 'f', to: 'f2' });
  const r = await s.w.inspect();
  assert.ok(r.ok, 'inspect succeeded');
  if (!r.ok) throw new Error('unreachable');
  assert.ok(r.upper, 'a mount with an upper layer reads the upper back');
  if (!r.upper) throw new Error('unreachable');
  const d = r.upper.d as { type: string; opaque?: string };
  assert.equal([d.type, d.opaque], ['dir', 'y']);
  const f = r.upper.f as { mode: number; nlink: number; ino: string; data: string };
  const f2 = r.upper.f2 as { ino: string };
  assert.equal([f.mode, f.nlink, f.data], [0o640, 2, 'f']);
  assert.is(f.ino, f2.ino);
  assert.equal(r.lowers[0].f, { ...r.lowers[0].f, type: 'file', data: 'f' });
});

test('A thousand small scenarios in a row leave every mount independent', async () => {
  for (let i = 0; i < 1000; i++) {
    const s = await mount({ lowers: [{ 'd/a': 'a', 'd/b': 'b' }], upper: { 'd/c': 'c' } });
    await s.ok('writefile', { path: 'd/a', data: 'z', append: true });
    await s.ok('unlink', { path: 'd/b' });
    assert.equal(await s.names('d'), ['a', 'c']);
    const up = (await s.upper()) as Record<string, { type: string; data?: string }>;
    assert.equal([up['d/a']?.data, up['d/b']?.type], ['az', 'whiteout'], `mount ${i}`);
  }
});

test.run();
