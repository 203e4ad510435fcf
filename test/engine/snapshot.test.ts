// The final-state walk of an engine that cannot list its tree in one go: it goes as deep as the
// scenario's own paths (a deep tree is walked whole, not called a cycle), and a depth far past
// every path the scenario writes still ends the walk of a directory that contains itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResolvedOp, Worker } from '../../adapters/adapter.js';
import { memoryAdapter } from '../../adapters/memory/index.js';
import { execute } from '../../engine/executor.js';
import { snapshot, snapshotChanges, walkDepthFor } from '../../engine/snapshot.js';
import { scenario } from '../helpers/scenario.js';

const deep = Array.from({ length: 40 }, (_, i) => `d${i}`).join('/');

test('The walk depth follows the deepest path a scenario writes, and is never below the default', () => {
  assert.is(walkDepthFor({ layers: { lowers: [{ a: 'x' }] }, steps: [] }), 24);
  assert.is(walkDepthFor({ layers: { lowers: [{ [`${deep}/f`]: 'x' }] }, steps: [] }), 49);
  assert.is(walkDepthFor({ layers: {}, steps: [{ op: 'mkdir', args: { path: `${deep}/g` } }] }), 49);
});

test('A 40-level tree is snapshotted whole through plain ops, with nothing called a cycle', async () => {
  const [s] = scenario(`id: t/deep
title: a deep tree
behaviour: [RD-001]
layers:
  lower:
    - { "${deep}/f": "bottom" }
steps:
  - readfile: "${deep}/f"
    expect: { data: "bottom" }
`);
  const w = await memoryAdapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
  try {
    const rec = await execute(w, s, { runId: 'r1', finalState: true });
    const final = rec.final as { warm: Record<string, { type: string }> } | { skipped: string };
    assert.ok('warm' in final, JSON.stringify(final));
    assert.is(final.warm[`${deep}/f`]?.type, 'file');
    assert.not.ok(Object.values(final.warm).some((e) => e.type === 'unknown'), 'no directory called a cycle');
    assert.ok(walkDepthFor(s) >= 40);
    assert.type(snapshot, 'function');
  } finally {
    await w.close();
  }
});

test('The model is snapshotted by its own walk, and a wrapper that answers ops itself through those ops', async () => {
  const m = await memoryAdapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
  assert.ok((await m.setup({ lowers: [{ a: { type: 'file', data: 'x' } }], upper: {} }, { runId: 'r', timeoutMs: 5000, lowerCount: 1 })).ok);
  assert.ok(m.walkTree && m.walkTreeUses === m.op, 'the bare model walks itself');
  // a plug-in written the usual way: a Proxy that answers lstat itself and forwards the rest
  const lying = new Proxy(m, {
    get: (t, k) => {
      if (k === 'op') return async (o: ResolvedOp) => (o.op === 'lstat' ? { ok: true, value: { stat: { type: 'file', mode: 0o600, uid: 7, gid: 7, size: 1, nlink: 1, ino: '9', rdev: '0:0', atime: '1.0', mtime: '1.0' } } } : t.op(o));
      const v = (t as unknown as Record<string | symbol, unknown>)[k];
      return typeof v === 'function' ? v.bind(t) : v;
    },
  }) as Worker;
  assert.is((await snapshot(m)).a.uid, 0);
  assert.is((await snapshot(lying)).a.uid, 7, 'the wrapper\'s lstat is what the snapshot shows');
});

test('Snapshot changes compare each field by its JSON: equal xattr maps are no change, a changed one is', () => {
  const e = { type: 'file', mode: 0o644, uid: 0, gid: 0, nlink: 1, mtime: '1.000000000', size: 1, xattrs: { 'user.a': 'x1' } };
  assert.equal(snapshotChanges({ f: e }, { f: { ...e, xattrs: { 'user.a': 'x1' } } }), []);
  assert.equal(snapshotChanges({ f: e }, { f: { ...e, xattrs: { 'user.a': 'x2' } } }).map((c) => c.words), ['f: xattrs {"user.a":"x1"} → {"user.a":"x2"}']);
  assert.equal(snapshotChanges({ f: e }, { f: { ...e, nlink: 2, size: undefined } }).map((c) => c.fields), [['nlink 1 → 2', 'size 1 → absent']]);
});

test.run();
