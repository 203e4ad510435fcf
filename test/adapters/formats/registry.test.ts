// The layer-format registry: the built-in formats are registered from their homes and behave as
// the built-in adapters write and read layers; a format module is checked for the contract's
// shape; encoding turns a marker a format cannot hold into a skip.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeLayer, encodeLayer, FormatError, formatNames, getFormat, loadFormatModule, registerFormat } from '../../../adapters/formats/index.js';
import type { FormatContext, LayerFormat } from '../../../adapters/formats/index.js';
import type { TreeItem } from '../../../adapters/host/ops.js';

const dir = mkdtempSync(join(tmpdir(), 'ovlconf-formats-'));
const ctx = (over: Partial<FormatContext> = {}): FormatContext => ({ xattrNs: 'trusted', options: [], role: 'upper', ...over });
const item = (path: string, type: TreeItem['type'], over: Partial<TreeItem> = {}): TreeItem => ({
  path, type, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, size: 0, nlink: 1, ino: '1', rdev: '0:0', atime: '1.0', mtime: '1.0', xattrs: [], ...over,
});

test('The built-in formats are registered under the names configs use', () => {
  assert.equal(formatNames().slice(0, 4), ['kernel', 'fuse-overlayfs', 'unionfs', 'plain']);
});

test('The kernel format writes markers in the mount\'s xattr namespace and reads them back', () => {
  const k = getFormat('kernel')!;
  const enc = encodeLayer(k, { d: { type: 'dir', opaque: 'y' }, gone: { type: 'whiteout' } }, ctx({ xattrNs: 'user' }));
  assert.ok(enc.ok);
  const reqs = enc.ok ? enc.requests : [];
  assert.ok(reqs.some((r) => r.op === 'setxattr' && r.args?.name === 'user.overlay.opaque'));
  assert.ok(reqs.some((r) => r.op === 'mknod' && r.args?.path === 'gone'));
  const tree = decodeLayer(k, [item('d', 'dir', { xattrs: [['user.overlay.opaque', new TextEncoder().encode('y')]] }), item('gone', 'chr')], ctx({ xattrNs: 'user' }));
  assert.is((tree.d as { opaque?: string }).opaque, 'y');
  assert.is(tree.gone.type, 'whiteout');
});

test('The fuse-overlayfs format adds xattr_permissions bookkeeping only when the options ask for it', () => {
  const f = getFormat('fuse-overlayfs')!;
  const plain = encodeLayer(f, { a: { type: 'file', data: 'x', mode: 0o600 } }, ctx());
  const perms = encodeLayer(f, { a: { type: 'file', data: 'x', mode: 0o600 } }, ctx({ options: ['xattr_permissions=1'] }));
  const names = (e: typeof plain) => (e.ok ? e.requests.filter((r) => r.op === 'setxattr').map((r) => r.args?.name) : []);
  assert.equal(names(plain), []);
  assert.equal(names(perms), ['security.fuseoverlayfs.override_stat', 'security.fuseoverlayfs.override_stat']);
  const tree = decodeLayer(f, [item('.wh.gone', 'file')], ctx());
  assert.equal(tree.gone, { type: 'whiteout', format: 'wh-file' });
});

test('The unionfs format keeps whiteouts as hide files and refuses what it cannot hold', () => {
  const u = getFormat('unionfs')!;
  const enc = encodeLayer(u, { gone: { type: 'whiteout' } }, ctx({ role: 'lower' }));
  assert.ok(enc.ok && enc.requests.some((r) => r.op === 'writefile' && r.args?.path === '.unionfs-fuse/gone_HIDDEN~'));
  assert.equal(encodeLayer(u, { d: { type: 'dir', redirect: '/x' } }, ctx()), { ok: false, skip: 'unionfs-fuse has no redirects' });
  assert.is(u.lacks?.redirect, 'the unionfs format has no redirects');
});

test('A format without whiteouts turns one into a skip instead of an exception', () => {
  const r = encodeLayer(getFormat('plain')!, { gone: { type: 'whiteout' } }, ctx());
  assert.equal(r, { ok: false, skip: 'the plain layer format cannot hold this layer: a plain directory cannot hold the whiteout at gone' });
});

test('A format module is loaded relative to the config and checked for the contract\'s shape', async () => {
  writeFileSync(join(dir, 'good.js'), `export default {
  name: 'dot-wh', description: 'whiteouts as .del.<name> files',
  markers: () => ({ whiteout: (p) => [{ op: 'writefile', args: { path: p.replace(/[^/]*$/, (n) => '.del.' + n), data: new Uint8Array() } }], mark: () => [] }),
  decode: (items) => Object.fromEntries(items.map((i) => i.path.split('/').pop().startsWith('.del.') ? [i.path.replace(/\\.del\\.([^/]*)$/, '$1'), { type: 'whiteout' }] : [i.path, { type: i.type }])),
};\n`);
  writeFileSync(join(dir, 'bad.js'), "export const format = { name: 'Bad Name', markers: 1 };\n");
  const good = await loadFormatModule('./good.js', dir);
  assert.is(good.name, 'dot-wh');
  const enc = encodeLayer(good, { 'd/x': { type: 'whiteout' } }, ctx());
  assert.ok(enc.ok && enc.requests.some((r) => r.args?.path === 'd/.del.x'));
  assert.equal(decodeLayer(good, [item('d/.del.x', 'file')], ctx()), { 'd/x': { type: 'whiteout' } });
  const bad = await loadFormatModule('./bad.js', dir).then(() => undefined, (e: unknown) => e as Error);
  assert.instance(bad, FormatError);
  assert.is(bad!.message, './bad.js does not export a layer format: missing decode (see LayerFormat in overlay-conformance/formats)');
});

test('Registering checks the shape and refuses a name that is taken', () => {
  const mine: LayerFormat = { name: 'test-only', description: 'a test format', markers: () => ({ whiteout: () => [], mark: () => [] }), decode: () => ({}) };
  registerFormat(mine);
  assert.is(getFormat('test-only'), mine);
  assert.throws(() => registerFormat(mine), /already registered/);
  assert.throws(() => registerFormat({ ...mine, name: 'Kernel 2' }), /name must be a lower-case word/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
