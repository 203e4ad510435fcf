// Extended attributes (XA): private names hidden and escaped, namespace rules, userxattr.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { b, mount } from './helpers.js';

const val = (v: { value: Uint8Array }) => Buffer.from(v.value).toString();

test('Overlay-private xattrs are never listed through the merged view (XA-001)', async () => {
  const s = await mount({ lowers: [{ 'd/x': 'x' }], upper: { d: { type: 'dir', opaque: 'y', xattrs: { 'user.k': 'v' } } } });
  assert.equal(await s.ok('listxattr', { path: 'd' }), { names: ['user.k'] });
});

test('Private names are escaped on 6.18: get of a marker is ENODATA, set stores an ordinary attribute (XA-002, XA-005)', async () => {
  // verified on 6.18: getxattr trusted.overlay.opaque → ENODATA, setxattr trusted.overlay.foo → OK,
  // stored on the upper as trusted.overlay.overlay.foo and listed as trusted.overlay.foo
  const s = await mount({ lowers: [{ f: 'x' }], upper: { d: { type: 'dir', opaque: 'y' } } });
  assert.is(await s.errno('getxattr', { path: 'd', name: 'trusted.overlay.opaque' }), 'ENODATA');
  await s.ok('setxattr', { path: 'f', name: 'trusted.overlay.foo', value: b('1') });
  assert.is(val(await s.ok('getxattr', { path: 'f', name: 'trusted.overlay.foo' })), '1');
  assert.equal(await s.ok('listxattr', { path: 'f' }), { names: ['trusted.overlay.foo'] });
  const f = (await s.upper()).f as { overlay?: Record<string, string> };
  assert.equal(f.overlay, { 'overlay.foo': '1' });
  await s.ok('removexattr', { path: 'f', name: 'trusted.overlay.foo' });
  assert.equal(await s.ok('listxattr', { path: 'f' }), { names: [] });
});

test('Escaped xattrs of a lower file show with one "overlay." less (XA-005)', async () => {
  const s = await mount({ lowers: [{ f: { type: 'file', data: 'x', xattrs: { 'trusted.overlay.overlay.metacopy': 'n' } } }] });
  assert.is(val(await s.ok('getxattr', { path: 'f', name: 'trusted.overlay.metacopy' })), 'n');
  assert.is((await s.stat('f')).size, 1);
});

test('trusted.* is listed and settable only for root (XA-003)', async () => {
  const s = await mount({ lowers: [{ f: { type: 'file', data: 'x', mode: 0o666, xattrs: { 'trusted.t': '1', 'user.u': '2' } } }] });
  assert.equal((await s.ok<{ names: string[] }>('listxattr', { path: 'f' })).names.sort(), ['trusted.t', 'user.u']);
  const B = { uid: 2000, gid: 2000 };
  assert.equal(await s.ok('listxattr', { path: 'f' }, B), { names: ['user.u'] });
  assert.is(await s.errno('getxattr', { path: 'f', name: 'trusted.t' }, B), 'ENODATA');
  assert.is(await s.errno('setxattr', { path: 'f', name: 'trusted.t', value: b('2') }, B), 'EPERM');
  await s.ok('setxattr', { path: 'f', name: 'user.u', value: b('3') }, B);
});

test('userxattr makes user.overlay.* private and trusted.overlay.* ordinary (XA-004)', async () => {
  // verified on 6.18: with userxattr, a trusted.overlay.opaque dir is not opaque and its value
  // is readable; user.overlay.opaque makes a dir opaque and reads as ENODATA
  const layers = {
    lowers: [{ 'd/x': 'x', 'o/y': 'y' }],
    upper: { d: { type: 'dir' as const, xattrs: { 'trusted.overlay.opaque': 'y' } }, o: { type: 'dir' as const, xattrs: { 'user.overlay.opaque': 'y' } } },
  };
  const u = await mount(layers, 'userxattr');
  assert.equal(await u.names('d'), ['x']);
  assert.is(val(await u.ok('getxattr', { path: 'd', name: 'trusted.overlay.opaque' })), 'y');
  assert.equal(await u.names('o'), []);
  assert.is(await u.errno('getxattr', { path: 'o', name: 'user.overlay.opaque' }), 'ENODATA');
  const t = await mount(layers);
  assert.equal(await t.names('d'), []);
  assert.equal(await t.names('o'), ['y']);
  assert.is(val(await t.ok('getxattr', { path: 'o', name: 'user.overlay.opaque' })), 'y');
});

test('userxattr records whiteouts as 0/0 devices and opaque dirs in user.overlay.opaque', async () => {
  const s = await mount({ lowers: [{ 'e/y': 'y' }] }, 'userxattr');
  await s.ok('unlink', { path: 'e/y' });
  await s.ok('rmdir', { path: 'e' });
  await s.ok('mkdir', { path: 'e' });
  const r = await s.w.inspect();
  assert.ok(r.ok && r.upper);
  if (r.ok && r.upper) assert.is((r.upper.e as { opaque?: string }).opaque, 'y');
  assert.equal(s.w.mount!.upper!.children!.get('e')!.xattrs.has('user.overlay.opaque'), true);
});

test('setxattr copies up; removing a name the lower file lacks is ENODATA without copy-up (XA-006)', async () => {
  const s = await mount({ lowers: [{ f: 'x' }] });
  assert.is(await s.errno('removexattr', { path: 'f', name: 'user.none' }), 'ENODATA');
  assert.equal(await s.upper(), {});
  await s.ok('setxattr', { path: 'f', name: 'user.a', value: b('1') });
  assert.ok((await s.upper()).f);
});

test('XATTR_CREATE on an existing name is EEXIST, XATTR_REPLACE on a missing one ENODATA', async () => {
  const s = await mount({ lowers: [{ f: { type: 'file', data: 'x', xattrs: { 'user.a': '1' } } }] });
  assert.is(await s.errno('setxattr', { path: 'f', name: 'user.a', value: b('2'), flags: ['XATTR_CREATE'] }), 'EEXIST');
  assert.is(await s.errno('setxattr', { path: 'f', name: 'user.b', value: b('2'), flags: ['XATTR_REPLACE'] }), 'ENODATA');
  await s.ok('setxattr', { path: 'f', name: 'user.a', value: b('3'), flags: ['XATTR_REPLACE'] });
  assert.is(val(await s.ok('getxattr', { path: 'f', name: 'user.a' })), '3');
});

test('user.* xattrs on a symlink are EPERM to set and ENODATA to get', async () => {
  const s = await mount({ lowers: [{ l: { type: 'symlink', target: 'x' } }] });
  assert.is(await s.errno('setxattr', { path: 'l', name: 'user.a', value: b('1'), nofollow: true }), 'EPERM');
  assert.is(await s.errno('getxattr', { path: 'l', name: 'user.a', nofollow: true }), 'ENODATA');
  assert.is(await s.errno('getxattr', { path: 'l', name: 'user.a' }), 'ENOENT');
});

test('A merged directory shows only the upper directory\'s xattrs (XA-007)', async () => {
  const s = await mount({ lowers: [{ d: { type: 'dir', xattrs: { 'user.k': 'lower' } } }], upper: { d: { type: 'dir' } } });
  assert.is(await s.errno('getxattr', { path: 'd', name: 'user.k' }), 'ENODATA');
  const t = await mount({ lowers: [{ d: { type: 'dir', xattrs: { 'user.k': 'lower' } } }] });
  await t.ok('chmod', { path: 'd', mode: 0o700 });
  assert.is(val(await t.ok('getxattr', { path: 'd', name: 'user.k' })), 'lower');
});

test('A name in the private namespace whose escaped form exceeds 255 bytes is EOPNOTSUPP (DEV-XATTR-ESCAPED-NAME-TOO-LONG)', async () => {
  // verified on 6.18 (xattr/name-max): a 255-byte trusted.overlay.* name → EOPNOTSUPP, one of
  // 256 bytes → ERANGE first; user.overlay.* only with userxattr. The escape adds "overlay."
  // (8 bytes), so 247 bytes are the longest that fit (ovl_xattr_escape_name)
  const long = (p: string, n: number) => p + 'k'.repeat(n - p.length);
  const s = await mount({ lowers: [{ f: 'x' }] });
  assert.is(await s.errno('setxattr', { path: 'f', name: long('trusted.overlay.overlay.', 255), value: b('v') }), 'EOPNOTSUPP');
  assert.is(await s.errno('getxattr', { path: 'f', name: long('trusted.overlay.overlay.', 255) }), 'EOPNOTSUPP');
  assert.is(await s.errno('setxattr', { path: 'f', name: long('trusted.overlay.overlay.', 256), value: b('v') }), 'ERANGE');
  await s.ok('setxattr', { path: 'f', name: long('trusted.overlay.', 247), value: b('v') });
  await s.ok('setxattr', { path: 'f', name: long('user.overlay.overlay.', 255), value: b('v') });
  const u = await mount({ lowers: [{ f: 'x' }] }, 'userxattr');
  assert.is(await u.errno('setxattr', { path: 'f', name: long('user.overlay.overlay.', 255), value: b('v') }), 'EOPNOTSUPP');
  await u.ok('setxattr', { path: 'f', name: long('trusted.overlay.overlay.', 255), value: b('v') });
});

test.run();
