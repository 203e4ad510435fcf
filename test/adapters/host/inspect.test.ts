// Reading a kernel-format upper back: overlay.origin (in the variant's namespace) becomes
// `origin`, and entries hard-linked into workdir/index become `indexed`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TreeItem } from '../../../adapters/adapter.js';
import { kernelDecoder, markIndexed } from '../../../adapters/host/inspect.js';

const item = (path: string, type: TreeItem['type'], ino: string, xattrs: [string, string][] = []): TreeItem =>
  ({ path, type, ino, mode: type === 'dir' ? 0o40755 : 0o100644, uid: 0, gid: 0, nlink: 1, size: 0, mtime: '0.0', rdev: '0:0', xattrs: xattrs.map(([k, v]) => [k, new TextEncoder().encode(v)]) }) as unknown as TreeItem;

test('overlay.origin in the private namespace is decoded as origin; in another namespace it is an ordinary xattr', () => {
  const items = [item('f', 'file', '1', [['user.overlay.origin', 'fh']]), item('g', 'file', '2', [['trusted.overlay.origin', 'fh']])];
  const t = kernelDecoder(['user.overlay.'])(items);
  assert.is(t.f.type === 'file' && t.f.origin, true);
  assert.is(t.f.type === 'file' && t.f.overlay, undefined);
  assert.is(t.g.type === 'file' && t.g.origin, undefined);
  assert.ok(t.g.type === 'file' && t.g.xattrs?.['trusted.overlay.origin'] !== undefined);
});

test('a plain directory never has an origin', () => {
  const t = kernelDecoder([])([item('f', 'file', '1', [['trusted.overlay.origin', 'fh']])]);
  assert.is(t.f.type === 'file' && t.f.origin, undefined);
});

test('files sharing an inode with an index entry are indexed; directories and index whiteouts mark nothing', () => {
  const upper = kernelDecoder()([item('a', 'file', '7'), item('b', 'file', '8'), item('d', 'dir', '9')]);
  markIndexed(upper, [item('00fb1d', 'file', '7'), item('00fb1e', 'dir', '9'), item('00fb1f', 'chr', '8')]);
  assert.is(upper.a.type === 'file' && upper.a.indexed, true);
  assert.is(upper.b.type === 'file' && upper.b.indexed, undefined);
  assert.is(upper.d.type === 'dir' && upper.d.indexed, undefined);
});

test.run();
