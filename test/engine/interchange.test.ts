// tier: system
// Interchange: merged views compared field by field, and a small scenario set carried from the
// kernel overlay to fuse-overlayfs and back on the real implementations.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TreeItem } from '../../adapters/host/ops.js';
import { fuseOverlayAdapter } from '../../adapters/fuse-overlayfs/index.js';
import { kernelAdapter } from '../../adapters/kernel/index.js';
import { diffViews, interchange, viewOf } from '../../engine/interchange.js';
import { skipReason } from '../helpers/env.js';
import { scenario } from '../helpers/scenario.js';

const enc = (s: string) => new TextEncoder().encode(s);
function item(path: string, type: TreeItem['type'], over: Partial<TreeItem> = {}): TreeItem {
  return { path, type, mode: 0o644, uid: 0, gid: 0, size: 0, nlink: 1, ino: '1', rdev: '0:0', atime: '1.0', mtime: '1.0', xattrs: [], ...over };
}

test('Two views differ in presence, content and xattrs, and ignore inode numbers and times', () => {
  const a = viewOf([item('f', 'file', { data: enc('a'), size: 1 }), item('g', 'file'), item('x', 'file', { xattrs: [['user.k', enc('v')]] })]);
  const b = viewOf([item('f', 'file', { data: enc('b'), size: 1, ino: '99', mtime: '5.0' }), item('x', 'file'), item('h', 'dir', { mode: 0o755 })]);
  const d = diffViews(a, b);
  assert.equal(d.map((x) => `${x.path}:${x.what}`), ['f:data', 'g:presence', 'h:presence', 'x:xattrs']);
  assert.equal(diffViews(a, a), []);
});

const why = skipReason('root', 'fuse', 'fuseOverlayfs', 'overlay');
const t = (title: string, fn: () => Promise<void>) => (why ? (console.log(`  SKIP ${title}: ${why}`), test.skip(title, fn)) : test(title, fn));

const scenarios = [
  ...scenario(`id: t/unlink
title: unlink and re-create
behaviour: [WH-001]
layers:
  lower:
    - { d/a: "A", d/b: "B", e/x: "x" }
steps:
  - unlink: d/a
  - unlink: e/x
  - rmdir: e
  - mkdir: e
  - writefile: { path: d/c, data: "C" }
`),
  ...scenario(`id: t/wh-file
title: a .wh. file in the upper
behaviour: [LK-010]
layers:
  lower:
    - { foo: "foo" }
steps:
  - writefile: { path: .wh.foo, data: "" }
`),
];

t('kernel to fuse-overlayfs carries whiteouts and opaque dirs over, but a .wh. file hides its name there', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovlconf-xchg-test-'));
  try {
    const r = await interchange({ adapter: kernelAdapter, variant: 'default' }, { adapter: fuseOverlayAdapter, variant: 'default' }, scenarios, { workdir: dir });
    assert.equal(r.map((x) => x.outcome), ['same', 'different'], JSON.stringify(r));
    assert.ok(r[1].differences?.some((d) => d.path === 'foo' && d.what === 'presence'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t('fuse-overlayfs to kernel shows fuse-overlayfs\'s bookkeeping (the opaque sentinel file) in the kernel\'s view', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovlconf-xchg-test-'));
  try {
    const r = await interchange({ adapter: fuseOverlayAdapter, variant: 'default' }, { adapter: kernelAdapter, variant: 'default' }, scenarios.slice(0, 1), { workdir: dir });
    assert.is(r[0].outcome, 'different', JSON.stringify(r));
    assert.ok(r[0].differences?.some((d) => d.path === 'e/.wh..wh..opq'), JSON.stringify(r[0].differences));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t('Carrying the upper as the top lower layer works the same way', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovlconf-xchg-test-'));
  try {
    const r = await interchange({ adapter: kernelAdapter, variant: 'default' }, { adapter: fuseOverlayAdapter, variant: 'default' }, scenarios.slice(0, 1), { workdir: dir, as: 'lower' });
    assert.is(r[0].outcome, 'same', JSON.stringify(r));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
