// Setting up the next scenario while the last one's result is made: the runner starts the next
// setup only after the last teardown, the setup call then takes it (one setup per scenario), the
// result is the same, and a scenario that drops the caches or lacks a capability is not set up early.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Adapter, CanonLayers, ScenarioContext, SetupResult, Worker } from '../../adapters/adapter.js';
import { memoryAdapter } from '../../adapters/memory/index.js';
import { runAll } from '../../engine/orchestrate.js';
import { ReadWriteLock } from '../../engine/rwlock.js';
import { setupAhead } from '../../engine/setupahead.js';
import { scenario } from '../helpers/scenario.js';

const work = mkdtempSync(join(tmpdir(), 'ovlconf-ahead-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

const plain = (id: string) =>
  scenario(`
id: t/${id}
title: a lower file is read
behaviour: [LK-001]
layers: { lower: [{ a: "x" }], upper: {} }
steps:
  - stat: a
`);
const dropping = scenario(`
id: t/drop
title: a lower file is read after a cache drop
behaviour: [LK-001]
layers: { lower: [{ a: "x" }], upper: {} }
steps:
  - dropCaches: a
  - stat: a
`);

/** the memory adapter whose workers set up ahead (as host workers do) and log what the runner asks, in order */
function logged(log: string[]): Adapter {
  return {
    ...memoryAdapter,
    name: 'logged',
    async createWorker(variant, opts): Promise<Worker> {
      const w = await memoryAdapter.createWorker(variant, opts);
      let ahead: { runId: string; p: Promise<SetupResult> } | undefined;
      return new Proxy(w, {
        get(t, k) {
          if (k === 'dropsMachineCaches' || k === 'seesMachineDrops') return true;
          if (k === 'prepare')
            return (layers: CanonLayers, ctx: ScenarioContext) => {
              log.push(`prepare ${ctx.runId}`);
              ahead = { runId: ctx.runId, p: t.setup(layers, ctx) };
              return true;
            };
          if (k === 'setup')
            return (layers: CanonLayers, ctx: ScenarioContext) => {
              const a = ahead;
              ahead = undefined;
              log.push(a?.runId === ctx.runId ? `setup ${ctx.runId} (ahead)` : `setup ${ctx.runId}`);
              return a?.runId === ctx.runId ? a.p : t.setup(layers, ctx);
            };
          if (k === 'teardown') return () => (log.push('teardown'), t.teardown());
          const v = (t as unknown as Record<string | symbol, unknown>)[k];
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
    },
  };
}

test("The next scenario's setup starts after the last teardown and before the last result is reported, and setup takes it", async () => {
  const log: string[] = [];
  const a = logged(log);
  const info = await a.probe();
  const out = await runAll([{ adapter: a, variant: info.variants.find((v) => v.name === 'default')! }], [...plain('one'), ...plain('two'), ...plain('three')], {
    jobs: 1, workdir: work, profiles: new Map(), finalState: false, dropCount: () => 0,
    onResult: (r) => log.push(`result ${r.id}`),
  });
  assert.equal(out.results.map((r) => r.verdict), ['pass', 'pass', 'pass']);
  assert.equal(log, ['setup s1', 'teardown', 'prepare s2', 'result t/one', 'setup s2 (ahead)', 'teardown', 'prepare s3', 'result t/two', 'setup s3 (ahead)', 'teardown', 'result t/three']);
});

test('With a baseline to compare with, nothing is set up ahead: the loop goes on while the comparison waits on the baseline, whose runs take the lock', async () => {
  const log: string[] = [];
  const a = logged(log);
  const info = await a.probe();
  const mem = await memoryAdapter.probe();
  const out = await runAll([{ adapter: a, variant: info.variants.find((v) => v.name === 'default')! }], [...plain('one'), ...plain('two')], {
    jobs: 1, workdir: work, profiles: new Map(), dropCount: () => 0, baseline: { adapter: memoryAdapter, variant: mem.variants.find((v) => v.name === 'default')! },
  });
  assert.equal(out.results.map((r) => r.verdict), ['pass', 'pass']);
  assert.ok(!log.some((l) => l.startsWith('prepare')), log.join(', '));
});

test('A scenario that drops the machine\'s caches is set up when it runs, not ahead', async () => {
  const log: string[] = [];
  const a = logged(log);
  const info = await a.probe();
  await runAll([{ adapter: a, variant: info.variants.find((v) => v.name === 'default')! }], [...plain('one'), ...dropping], { jobs: 1, workdir: work, profiles: new Map(), finalState: false, dropCount: () => 0 });
  assert.ok(!log.includes('prepare s2'), log.join(', '));
  assert.ok(log.includes('setup s2'), log.join(', '));
});

test('No setup starts ahead while the lock is held alone or someone waits for it, nor for a scenario the worker cannot run', async () => {
  const log: string[] = [];
  const w = await logged(log).createWorker('default', { workdir: join(work, 'w'), index: 0 });
  const [s] = plain('x');
  const lock = new ReadWriteLock();
  let release!: () => void;
  const alone = lock.run(true, () => new Promise<void>((r) => (release = r)));
  await new Promise((r) => setImmediate(r));
  assert.is(setupAhead(lock, w, s, { runId: 's1' }, () => 0), undefined);
  release();
  await alone;
  const held = setupAhead(lock, w, s, { runId: 's1' }, () => 7);
  assert.ok(held);
  assert.is(held!.before, 7);
  assert.equal(lock.state, { shared: 1, exclusive: false, waiting: 0 });
  held!.release();
  held!.release();
  assert.equal(lock.state, { shared: 0, exclusive: false, waiting: 0 });
  const lacking = new Proxy(w, { get: (t, k) => (k === 'capabilities' ? { ...t.capabilities, fifo: 'removed for this test' } : (t as unknown as Record<string | symbol, unknown>)[k]) });
  const [x] = scenario(`
id: t/fifo
title: a fifo in a lower layer is listed
behaviour: [LK-001]
layers: { lower: [{ p: { type: fifo } }], upper: {} }
steps:
  - lstat: p
    expect: { type: fifo }
`);
  assert.is(setupAhead(lock, lacking, x, { runId: 's2' }, () => 0), undefined);
  assert.equal(log, ['prepare s1']);
  await w.close();
});

test.run();
