// fuse-overlayfs's layer format decoded from hand-built listings: `.wh.` whiteouts, the opaque
// sentinel and xattrs, and its bookkeeping kept out of user files and attributes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuseOverlayDecoder, parseOverrideStat } from '../../../adapters/fuse-overlayfs/format.js';
import type { TreeItem } from '../../../adapters/host/ops.js';

const enc = (s: string) => new TextEncoder().encode(s);
/** one listing entry with sensible defaults */
function item(path: string, type: TreeItem['type'], over: Partial<TreeItem> = {}): TreeItem {
  return { path, type, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, size: 0, nlink: 1, ino: '7', rdev: '0:0', atime: '1.000000000', mtime: '1.000000000', xattrs: [], ...over };
}

test('A char 0/0 device and a .wh. file are both read as whiteouts of their names', () => {
  const t = fuseOverlayDecoder([item('a', 'chr'), item('d', 'dir'), item('d/.wh.b', 'file'), item('d/c', 'file', { data: enc('c'), size: 1 })]);
  assert.equal(t.a, { type: 'whiteout', format: 'chr' });
  assert.equal(t['d/b'], { type: 'whiteout', format: 'wh-file' });
  assert.not.ok('d/.wh.b' in t, 'the .wh. file itself is not a user file');
  assert.is(t['d/c'].type, 'file');
});

test('The .wh..wh..opq sentinel makes its directory opaque and is not listed itself', () => {
  const t = fuseOverlayDecoder([item('d', 'dir'), item('d/.wh..wh..opq', 'file')]);
  assert.is((t.d as { opaque?: string }).opaque, 'y');
  assert.equal(Object.keys(t), ['d']);
});

test('Opaque directories are recognised through trusted, user and fuseoverlayfs xattrs', () => {
  for (const name of ['trusted.overlay.opaque', 'user.overlay.opaque', 'user.fuseoverlayfs.opaque']) {
    const t = fuseOverlayDecoder([item('d', 'dir', { xattrs: [[name, enc('y')]] })]);
    assert.is((t.d as { opaque?: string }).opaque, 'y', name);
    assert.is((t.d as { xattrs?: object }).xattrs, undefined, `${name} is not a user xattr`);
  }
});

test('The .wh..opq whiteout fuse-overlayfs leaves in new directories is bookkeeping, not a whiteout of a user name', () => {
  const t = fuseOverlayDecoder([item('n', 'dir'), item('n/.wh..opq', 'chr'), item('n/.wh..wh..opq', 'file'), item('n/z', 'file')]);
  assert.equal(Object.keys(t).sort(), ['n', 'n/z']);
});

test('The origin xattr is read as the entry\'s origin, not as a user xattr, while real user xattrs are', () => {
  const t = fuseOverlayDecoder([item('f', 'file', { xattrs: [['user.fuseoverlayfs.origin', enc('f\0')], ['user.mine', enc('v')]] })]);
  assert.equal((t.f as { xattrs?: object }).xattrs, { 'user.mine': 'v' });
  assert.is((t.f as { origin?: boolean }).origin, true);
});

test('xattr_permissions\' stored owner and mode replace the upper inode\'s own', () => {
  const t = fuseOverlayDecoder([item('f', 'file', { mode: 0o755, xattrs: [['security.fuseoverlayfs.override_stat', enc('5:6:100600')]] })]);
  const f = t.f as { uid?: number; gid?: number; mode?: number; overlay?: object };
  assert.equal([f.uid, f.gid, f.mode], [5, 6, 0o600]);
  assert.is(f.overlay, undefined);
  assert.equal(parseOverrideStat('0:0:40755'), { uid: 0, gid: 0, mode: 0o755 });
});

test('A real entry wins over a stale .wh. file of the same name', () => {
  const t = fuseOverlayDecoder([item('x', 'file', { data: enc('x'), size: 1 }), item('.wh.x', 'file')]);
  assert.is(t.x.type, 'file');
});

test.run();
