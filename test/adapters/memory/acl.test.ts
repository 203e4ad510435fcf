// POSIX ACLs (XA-008): system.posix_acl_access/default in the kernel's binary format, the
// mode <-> mask coupling, enforcement for other users, and default ACL inheritance on create.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mount } from './helpers.js';

const U = 0xffffffff;
/** an ACL xattr value: version 2, then (tag, perm, id) little-endian */
function acl(...ents: [number, number, number][]): Uint8Array {
  const buf = Buffer.alloc(4 + 8 * ents.length);
  buf.writeUInt32LE(2, 0);
  ents.forEach(([tag, perm, id], i) => {
    buf.writeUInt16LE(tag, 4 + 8 * i);
    buf.writeUInt16LE(perm, 6 + 8 * i);
    buf.writeUInt32LE(id, 8 + 8 * i);
  });
  return new Uint8Array(buf);
}
const hex = (v: Uint8Array) => Buffer.from(v).toString('hex');
const get = async (s: Awaited<ReturnType<typeof mount>>, path: string, name = 'system.posix_acl_access') =>
  hex((await s.ok<{ value: Uint8Array }>('getxattr', { path, name })).value);

// u::rw-,u:2000:rw-,g::r--,m::rw-,o::r--
const ENFORCED = acl([1, 6, U], [2, 6, 2000], [4, 4, U], [0x10, 6, U], [0x20, 4, U]);
// default u::rwx,u:2000:rwx,g::r-x,m::rwx,o::---
const DEFAULT = acl([1, 7, U], [2, 7, 2000], [4, 5, U], [0x10, 7, U], [0x20, 0, U]);
const B = { uid: 2000, gid: 2000 };
const C = { uid: 3000, gid: 3000 };

test('An access ACL in a layer sets the group bits from its mask and lets the named user write, before and after copy-up', async () => {
  // verified on 6.18 (xattr/acl-enforced, lower and upper): mode 0664, uid 2000 may write,
  // uid 3000 gets EACCES, the ACL reads back byte for byte and is copied up with the file
  for (const where of ['lower', 'upper']) {
    const f = { type: 'file' as const, data: 'x', uid: 1000, gid: 1000, xattrs: { 'system.posix_acl_access': { hex: hex(ENFORCED) } } };
    const s = await mount(where === 'lower' ? { lowers: [{ f }] } : { lowers: [{ pad: 'p' }], upper: { f } });
    assert.is((await s.stat('f')).mode, 0o664, where);
    await s.ok('access', { path: 'f', mode: ['W_OK'] }, B);
    await s.ok('writefile', { path: 'f', data: 'a', append: true }, B);
    assert.is(await s.errno('writefile', { path: 'f', data: 'b', append: true }, C), 'EACCES');
    assert.is(await get(s, 'f'), hex(ENFORCED));
    assert.is(await s.read('f'), 'xa');
    const up = (await s.upper()).f as { xattrs?: Record<string, unknown>; mode: number };
    assert.equal([up.mode, up.xattrs?.['system.posix_acl_access']], [0o664, { hex: hex(ENFORCED) }]);
  }
});

test('An object made in a directory with a default ACL gets the ACL masked by its mode, a directory also the default ACL', async () => {
  // verified on 6.18 (xattr/acl-default-inherited, parent lower, upper or merged): open(0666)
  // gives mode 0660 and u::rw-,u:2000:rwx,g::r-x,m::rw-,o::---; mkdir(0777) gives 0770 and
  // u::rwx,u:2000:rwx,g::r-x,m::rwx,o::---; uid 2000 may read and write, uid 3000 may not read
  const d = { type: 'dir' as const, xattrs: { 'system.posix_acl_default': { hex: hex(DEFAULT) } } };
  for (const layers of [{ lowers: [{ d }] }, { lowers: [{ pad: 'p' }], upper: { d } }, { lowers: [{ 'd/old': 'o' }], upper: { d } }]) {
    const s = await mount(layers);
    await s.ok('open', { path: 'd/f', flags: ['O_WRONLY', 'O_CREAT'], mode: 0o666 });
    await s.ok('mkdir', { path: 'd/x', mode: 0o777 });
    assert.is((await s.stat('d/f')).mode, 0o660);
    assert.is(await get(s, 'd/f'), hex(acl([1, 6, U], [2, 7, 2000], [4, 5, U], [0x10, 6, U], [0x20, 0, U])));
    assert.is((await s.stat('d/x')).mode, 0o770);
    assert.is(await get(s, 'd/x'), hex(acl([1, 7, U], [2, 7, 2000], [4, 5, U], [0x10, 7, U], [0x20, 0, U])));
    assert.is(await get(s, 'd/x', 'system.posix_acl_default'), hex(DEFAULT));
    for (const p of ['d/f', 'd/x']) {
      await s.ok('access', { path: p, mode: ['R_OK', 'W_OK'] }, B);
      assert.is(await s.errno('access', { path: p, mode: ['R_OK'] }, C), 'EACCES');
    }
    assert.is(await s.errno('getxattr', { path: 'd/f', name: 'system.posix_acl_default' }), 'ENODATA');
  }
});

test('Setting an ACL through the overlay copies up and sets the mode; chmod rewrites the mask; an ACL the mode says all about is not kept', async () => {
  // verified on 6.18 by hand: a 0640 file gets u::rw-,u:2000:rwx,g::r--,m::r-x,o::--- → mode
  // 0650; chmod 0604 → m::---,o::r--; setting u::rwx,g::r-x,o::r-- → mode 0754, no xattr left
  const s = await mount({ lowers: [{ f: { type: 'file', data: 'x', mode: 0o640, uid: 1000, gid: 1000 } }] });
  await s.ok('setxattr', { path: 'f', name: 'system.posix_acl_access', value: acl([1, 6, U], [2, 7, 2000], [4, 4, U], [0x10, 5, U], [0x20, 0, U]) });
  assert.is((await s.stat('f')).mode, 0o650);
  await s.ok('chmod', { path: 'f', mode: 0o604 });
  assert.is(await get(s, 'f'), hex(acl([1, 6, U], [2, 7, 2000], [4, 4, U], [0x10, 0, U], [0x20, 4, U])));
  await s.ok('setxattr', { path: 'f', name: 'system.posix_acl_access', value: acl([1, 7, U], [4, 5, U], [0x20, 4, U]) });
  assert.is((await s.stat('f')).mode, 0o754);
  assert.equal(await s.ok('listxattr', { path: 'f' }), { names: [] });
});

test('ACL errors: only the owner sets one, a default ACL needs a directory, a malformed one is EINVAL', async () => {
  // from fs/posix_acl.c (set_posix_acl, posix_acl_valid, posix_acl_from_xattr)
  const s = await mount({ lowers: [{ f: { type: 'file', data: 'x', uid: 1000, gid: 1000, mode: 0o666 } }] });
  assert.is(await s.errno('setxattr', { path: 'f', name: 'system.posix_acl_access', value: ENFORCED }, B), 'EPERM');
  assert.is(await s.errno('setxattr', { path: 'f', name: 'system.posix_acl_default', value: DEFAULT }), 'EACCES');
  assert.is(await s.errno('setxattr', { path: 'f', name: 'system.posix_acl_access', value: acl([1, 6, U], [2, 6, 2000], [4, 4, U], [0x20, 4, U]) }), 'EINVAL');
  assert.is(await s.errno('getxattr', { path: 'f', name: 'system.posix_acl_access' }), 'ENODATA');
  assert.equal(await s.upper(), {});
});

test.run();
