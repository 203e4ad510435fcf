import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lowersChanged } from '../../engine/after.js';
import type { CanonTree } from '../../language/canonical.js';

const file = { type: 'file', data: 'x', mode: 0o644, uid: 0, gid: 0, mtime: '1.000000000', atime: '1.000000000', nlink: 1, ino: '12' } as const;

test('A lower entry whose access time, inode number or link count moved is unchanged', () => {
  const before: CanonTree[] = [{ f: file }];
  assert.is(lowersChanged(before, [{ f: { ...file, atime: '2.000000000', ino: '13', nlink: 2 } }]), undefined);
});

test('A lower entry with the same fields in another order is unchanged', () => {
  const { data, mode, ...rest } = file;
  assert.is(lowersChanged([{ f: file }], [{ f: { ...rest, mode, data } as CanonTree[string] }]), undefined);
});

test('A changed lower entry is named with both of its forms, keys sorted, without the fields that may move', () => {
  const why = lowersChanged([{ f: file }], [{ f: { ...file, mode: 0o600 } }]);
  assert.is(why, 'lower layer 0: f changed from {"data":"x","gid":0,"mode":420,"mtime":"1.000000000","type":"file","uid":0} to {"data":"x","gid":0,"mode":384,"mtime":"1.000000000","type":"file","uid":0}');
});

test('A lower entry that gained a field, or a name removed or added, is a change', () => {
  assert.match(lowersChanged([{ f: file }], [{ f: { ...file, redirect: 'g' } as CanonTree[string] }]) ?? '', /f changed from .* to .*"redirect":"g"/);
  assert.is(lowersChanged([{ f: file }], [{}]), 'lower layer 0: f was removed');
  assert.is(lowersChanged([{}], [{ f: file }]), 'lower layer 0: f was added (file)');
});

test('A lower entry whose xattr value, xattr names or binary data changed is a change', () => {
  const withX = { ...file, xattrs: { 'user.a': '1', 'trusted.overlay.opaque': 'y' } } as CanonTree[string];
  assert.match(lowersChanged([{ f: withX }], [{ f: { ...withX, xattrs: { 'user.a': '2', 'trusted.overlay.opaque': 'y' } } as CanonTree[string] }]) ?? '', /"user\.a":"1".* to .*"user\.a":"2"/);
  assert.ok(lowersChanged([{ f: withX }], [{ f: { ...withX, xattrs: { 'user.a': '1' } } as CanonTree[string] }]), 'an xattr removed from a lower file went unseen');
  assert.ok(lowersChanged([{ f: file }], [{ f: withX }]), 'xattrs added to a lower file went unseen');
  const bin = { ...file, data: { hex: '00ff' } } as CanonTree[string];
  assert.ok(lowersChanged([{ f: bin }], [{ f: { ...bin, data: { hex: '00fe' } } as CanonTree[string] }]), 'binary data changed in a lower file went unseen');
  // the same xattrs listed in another order are the same
  assert.is(lowersChanged([{ f: withX }], [{ f: { ...withX, xattrs: { 'trusted.overlay.opaque': 'y', 'user.a': '1' } } as CanonTree[string] }]), undefined);
});

test.run();
