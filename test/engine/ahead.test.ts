// Steps sent ahead: plain steps go to the worker together, a step reading a handle bound inside
// the group starts the next group, nothing goes past a step that may stop the scenario, and the
// judgements are the ones of the one-step-at-a-time run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryAdapter } from '../../adapters/memory/index.js';
import type { OpResult, ResolvedOp, Worker } from '../../adapters/adapter.js';
import { namesRead } from '../../engine/ahead.js';
import { execute } from '../../engine/executor.js';
import { scenario } from '../helpers/scenario.js';

/** the memory worker, taking ops in groups like a host worker, with the groups it was sent */
async function grouping(): Promise<{ w: Worker; groups: string[][] }> {
  const inner = await memoryAdapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
  const groups: string[][] = [];
  const w: Worker = {
    capabilities: inner.capabilities,
    maxLowers: inner.maxLowers,
    fingerprint: () => inner.fingerprint(),
    setup: (layers, ctx) => inner.setup(layers, ctx),
    op: (op) => inner.op(op),
    remount: (o, rotate, replace) => inner.remount(o, rotate, replace),
    editLayer: (layer, entries, remove) => inner.editLayer(layer, entries, remove),
    inspect: () => inner.inspect(),
    teardown: () => inner.teardown(),
    close: () => inner.close(),
    canBatch: (op: ResolvedOp) => op.op !== 'remount',
    opMany(ops: readonly ResolvedOp[]): Promise<OpResult>[] {
      groups.push(ops.map((o) => o.op));
      let prev: Promise<unknown> = Promise.resolve();
      return ops.map((op) => (prev = prev.then(() => inner.op(op))) as Promise<OpResult>);
    },
  };
  return { w, groups };
}

const TEXT = `id: t/ahead
title: ahead
behaviour: [RD-001]
layers:
  lower:
    - { a: "A", d: { type: dir } }
steps:
  - stat: a
  - open: { path: a, flags: [O_RDWR] }
    as: fd
  - readfile: a
  - read: { fd: fd, length: 1 }
    expect: { data: "A" }
  - close: fd
  - readfile: a
    expect: { data: "x" }
    deviations:
      DEV-RENAME-DIR-EXDEV: { data: "A", stop: true }
  - stat: d
  - stat: a
`;

test('Plain steps go together; a step reading a handle bound in the group and a possible stop end it', async () => {
  const [s] = scenario(TEXT);
  const { w, groups } = await grouping();
  try {
    const rec = await execute(w, s, { runId: 'x' });
    assert.equal(groups, [['stat', 'open', 'readfile'], ['read', 'close', 'readfile']]);
    assert.is(rec.steps.length, 8);
    const last = rec.steps[7].outcome;
    assert.ok(!last.ok && 'notRun' in last, JSON.stringify(last));
  } finally {
    await w.close();
  }
});

test('Sent ahead or one at a time, every step succeeds or fails alike and is judged alike', async () => {
  const [s] = scenario(TEXT.replace('stop: true', 'stop: false'));
  const { w, groups } = await grouping();
  const plain = await memoryAdapter.createWorker('default', { workdir: '/nonexistent', index: 1 });
  try {
    const a = await execute(w, s, { runId: 'x' });
    const b = await execute(plain, s, { runId: 'y' });
    assert.ok(groups.length >= 2, JSON.stringify(groups));
    // inode numbers differ between two workers; what each step got and how it was judged may not
    const view = (r: typeof a) => r.steps.map((x) => JSON.stringify([x.outcome.ok, x.judgement]));
    assert.equal(view(a), view(b));
  } finally {
    await w.close();
    await plain.close();
  }
});

test('The names a step reads are its handles and the bindings its $references name', () => {
  const [s] = scenario(`id: t/names
title: names
behaviour: [RD-001]
layers:
  lower:
    - { a: "A" }
steps:
  - open: { path: a, flags: [O_RDONLY] }
    as: f
  - stat: a
    as: st
  - read: { fd: f, length: 1 }
  - readfile: $st.ino
`);
  assert.equal(s.steps.map(namesRead), [[], [], ['f'], ['st']]);
});

test.run();
