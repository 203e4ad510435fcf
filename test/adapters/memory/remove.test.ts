// unlink, rmdir and mkdir (WH, OP, PL-004): whiteouts only where a lower object exists, merged
// emptiness, opaque directories.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mount } from './helpers.js';

test('unlink of a lower-only file leaves a 0/0 whiteout in the upper (WH-001)', async () => {
  const s = await mount({ lowers: [{ 'd/f': 'f' }] });
  await s.ok('unlink', { path: 'd/f' });
  assert.is(await s.errno('stat', { path: 'd/f' }), 'ENOENT');
  const up = await s.upper();
  assert.equal(up['d/f'], { type: 'whiteout' });
  assert.is(up.d.type, 'dir');
});

test('unlink of a pure upper file leaves nothing behind (WH-002, PL-004)', async () => {
  // verified on 6.18: no whiteout for a name with no lower object
  const s = await mount({ lowers: [{}] });
  await s.ok('writefile', { path: 'new', data: 'n' });
  await s.ok('unlink', { path: 'new' });
  assert.equal(await s.upper(), {});
});

test('unlink of a copied-up file replaces it with a whiteout (WH-003)', async () => {
  const s = await mount({ lowers: [{ f: 'f' }] });
  await s.ok('chmod', { path: 'f', mode: 0o600 });
  await s.ok('unlink', { path: 'f' });
  assert.equal((await s.upper()).f, { type: 'whiteout' });
});

test('Creating a name over a whiteout gives a fresh object (WH-006)', async () => {
  const s = await mount({ lowers: [{ f: 'old' }] });
  await s.ok('unlink', { path: 'f' });
  await s.ok('writefile', { path: 'f', data: 'new' });
  assert.is(await s.read('f'), 'new');
  const up = await s.upper();
  assert.is(up.f.type, 'file');
});

test('rmdir of a merged dir with a visible lower entry is ENOTEMPTY and copies nothing (OP-001)', async () => {
  const s = await mount({ lowers: [{ 'd/x': 'x' }], upper: { d: { type: 'dir' } } });
  assert.is(await s.errno('rmdir', { path: 'd' }), 'ENOTEMPTY');
  assert.equal(Object.keys(await s.upper()), ['d']);
});

test('rmdir of a dir whose lower entries were all deleted leaves a whiteout, not an opaque dir (OP-002)', async () => {
  // verified on 6.18: U/d is c 0,0 afterwards
  const s = await mount({ lowers: [{ 'd/x': 'x', 'd/y': 'y' }] });
  await s.ok('unlink', { path: 'd/x' });
  await s.ok('unlink', { path: 'd/y' });
  await s.ok('rmdir', { path: 'd' });
  assert.equal(await s.upper(), { d: { type: 'whiteout' } });
});

test('mkdir over a deleted name creates an opaque directory (OP-003)', async () => {
  // verified on 6.18: trusted.overlay.opaque=y on U/e, listing empty
  const s = await mount({ lowers: [{ 'e/y': 'y' }] });
  await s.ok('unlink', { path: 'e/y' });
  await s.ok('rmdir', { path: 'e' });
  await s.ok('mkdir', { path: 'e' });
  assert.equal(await s.names('e'), []);
  assert.is((await s.upper()).e.type, 'dir');
  assert.is((await s.upper() as Record<string, { opaque?: string }>).e.opaque, 'y');
});

test('New dirs in a merged parent are not opaque by default (OP-004)', async () => {
  // verified on 6.18: default and userxattr leave no opaque xattr (offline changes allowed)
  const s = await mount({ lowers: [{ 'd/x': 'x' }] });
  await s.ok('mkdir', { path: 'd/new' });
  await s.ok('mkdir', { path: 'top' });
  const up = (await s.upper()) as Record<string, { opaque?: string }>;
  assert.is(up['d/new'].opaque, undefined);
  assert.is(up.top.opaque, undefined);
});

for (const variant of ['redirect_dir=on', 'index=on', 'xino=on', 'nfs_export=on', 'metacopy=on']) {
  test(`New dirs in a merged parent are opaque with ${variant} (OP-004)`, async () => {
    // verified on 6.18 for each of these options (ovl_allow_offline_changes() is false)
    const s = await mount({ lowers: [{ 'd/x': 'x' }] }, variant);
    await s.ok('mkdir', { path: 'd/new' });
    const up = (await s.upper()) as Record<string, { opaque?: string }>;
    assert.is(up['d/new'].opaque, 'y');
  });
}

test('rmdir of an empty lower-only dir leaves a whiteout (OP-008)', async () => {
  const s = await mount({ lowers: [{ e: { type: 'dir' } }] });
  await s.ok('rmdir', { path: 'e' });
  assert.equal(await s.upper(), { e: { type: 'whiteout' } });
});

test('rmdir of a pure upper dir holding only a whiteout is ENOTEMPTY (no lower to merge)', async () => {
  const s = await mount({ lowers: [{}], upper: { p: { type: 'dir' }, 'p/w': { type: 'whiteout' } } });
  assert.is(await s.errno('rmdir', { path: 'p' }), 'ENOTEMPTY');
});

test('rmdir and unlink errnos: ENOTDIR, EISDIR, EINVAL for ".", ENOENT', async () => {
  // verified on 6.18
  const s = await mount({ lowers: [{ a: 'a', 'x/y': 'y' }] });
  assert.is(await s.errno('rmdir', { path: 'a' }), 'ENOTDIR');
  assert.is(await s.errno('rmdir', { path: 'a/' }), 'ENOTDIR');
  assert.is(await s.errno('unlink', { path: 'x' }), 'EISDIR');
  assert.is(await s.errno('unlink', { path: 'a/' }), 'ENOTDIR');
  assert.is(await s.errno('rmdir', { path: 'x/.' }), 'EINVAL');
  assert.is(await s.errno('rmdir', { path: 'x' }), 'ENOTEMPTY');
  assert.is(await s.errno('unlink', { path: 'nope' }), 'ENOENT');
  assert.equal(await s.upper(), {});
});

test('rmdir of an opaque=x dir whose lower entries are all hidden by xattr whiteouts is ENOTEMPTY (a kernel bug, DEV-RMDIR-XWHITEOUT-ENOTEMPTY)', async () => {
  // verified on 6.18 (opaque/rmdir-opaque-x-dir-emptied): readdir lists nothing, every name is
  // ENOENT, yet the emptiness check counts the xattr whiteout files; nothing is copied up
  const s = await mount({
    lowers: [{ d: { type: 'dir', opaque: 'x' }, 'd/a': { type: 'whiteout', format: 'xattr' }, keep: 'k' }, { 'd/a': 'a' }],
  });
  assert.equal(await s.names('d'), []);
  assert.is(await s.errno('stat', { path: 'd/a' }), 'ENOENT');
  assert.is(await s.errno('rmdir', { path: 'd' }), 'ENOTEMPTY');
  assert.equal(await s.upper(), {});
});

test.run();
