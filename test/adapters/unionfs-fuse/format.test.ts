// unionfs-fuse's layer format both ways on hand-built trees: whiteouts and opaque directories as
// .unionfs-fuse/<path>_HIDDEN~ markers, and markers read back as canonical whiteouts and opaque dirs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CanonTree } from '../../../adapters/adapter.js';
import type { TreeItem } from '../../../adapters/host/ops.js';
import { markerPath, toUnionfsLayer, unionfsDecoder } from '../../../adapters/unionfs-fuse/format.js';

function item(path: string, type: TreeItem['type'], over: Partial<TreeItem> = {}): TreeItem {
  return { path, type, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, size: 0, nlink: 1, ino: '9', rdev: '0:0', atime: '1.000000000', mtime: '1.000000000', xattrs: [], ...over };
}

test('A whiteout becomes an empty marker file in the metadata directory, parents first', () => {
  const r = toUnionfsLayer({ d: { type: 'dir' }, 'd/b': { type: 'whiteout' }, f: { type: 'file', data: 'x' } });
  assert.ok(r.ok);
  if (!r.ok) return;
  const keys = Object.keys(r.tree);
  assert.equal(keys, ['d', 'f', '.unionfs-fuse', '.unionfs-fuse/d', '.unionfs-fuse/d/b_HIDDEN~']);
  assert.equal(r.tree['.unionfs-fuse/d/b_HIDDEN~'], { type: 'file', data: '', mode: 0o600 });
  assert.not.ok('d/b' in r.tree);
});

test('An opaque directory stays a directory and gets a marker directory that hides the branches below', () => {
  const r = toUnionfsLayer({ o: { type: 'dir', opaque: 'y', mode: 0o700 } });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.tree.o, { type: 'dir', mode: 0o700 });
  assert.equal(r.tree[markerPath('o')], { type: 'dir', mode: 0o700 });
  assert.is(markerPath('a/b'), '.unionfs-fuse/a/b_HIDDEN~');
});

test('Redirects, metacopy files and xattr whiteouts are refused with a reason instead of being written wrongly', () => {
  const trees: CanonTree[] = [{ d: { type: 'dir', redirect: '/x' } }, { f: { type: 'file', metacopy: true } }, { w: { type: 'whiteout', format: 'xattr' } }];
  for (const t of trees) {
    const r = toUnionfsLayer(t);
    assert.is(r.ok, false);
    if (!r.ok) assert.match(r.skip, /unionfs-fuse has no/);
  }
});

test('Marker files read back as whiteouts, marker directories over a directory as opaque', () => {
  const t = unionfsDecoder([
    item('.unionfs-fuse', 'dir'), item('.unionfs-fuse/f_HIDDEN~', 'file'), item('.unionfs-fuse/e_HIDDEN~', 'dir'),
    item('.unionfs-fuse/d', 'dir'), item('.unionfs-fuse/d/x_HIDDEN~', 'file'), item('e', 'dir'), item('g', 'file', { data: new Uint8Array([103]), size: 1 }),
  ]);
  assert.equal(t.f, { type: 'whiteout', format: 'unionfs' });
  assert.equal(t['d/x'], { type: 'whiteout', format: 'unionfs' });
  assert.is((t.e as { opaque?: string }).opaque, 'y');
  assert.equal(Object.keys(t).filter((k) => k.startsWith('.unionfs-fuse')), [], 'the metadata directory is not a user directory');
  assert.is(t.g.type, 'file');
});

test('libfuse\'s .fuse_hidden files are left out and a 0/0 character device stays a device', () => {
  const t = unionfsDecoder([item('.fuse_hidden0000000300000001', 'file'), item('c', 'chr')]);
  assert.equal(Object.keys(t), ['c']);
  assert.equal(t.c.type, 'chr');
});

test.run();
