// The posix baseline of a run: a scenario's baseline run is started (prefetch) while the
// implementation runs it, made once, and found by the comparison; a scenario whose baseline is
// open gets none.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Adapter, Worker } from '../../adapters/adapter.js';
import { memoryAdapter } from '../../adapters/memory/index.js';
import { Baseline } from '../../engine/oracle.js';
import { ReadWriteLock } from '../../engine/rwlock.js';
import { runAll } from '../../engine/orchestrate.js';
import { scenario } from '../helpers/scenario.js';

const [s] = scenario(`id: t/write
title: a write the final tree shows
behaviour: [RD-001]
layers:
  lower:
    - { d/a: "old" }
steps:
  - writefile: { path: d/b, data: "new" }
`);

/** memory, with every worker's setup and teardown written to `log` under `who` */
function logged(who: string, log: string[]): Adapter {
  return {
    ...memoryAdapter,
    name: who,
    async createWorker(variant, opts): Promise<Worker> {
      const w = await memoryAdapter.createWorker(variant, opts);
      return new Proxy(w, {
        get(t, k) {
          if (k === 'setup' || k === 'teardown')
            return async (...a: unknown[]) => {
              log.push(`${who} ${String(k)}`);
              return (t[k] as (...x: unknown[]) => Promise<unknown>).apply(t, a);
            };
          const v = (t as unknown as Record<string | symbol, unknown>)[k];
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
    },
  };
}

async function variant() {
  return (await memoryAdapter.probe()).variants.find((v) => v.name === 'default')!;
}

test('A prefetched baseline run is made once and found by the comparison', async () => {
  const log: string[] = [];
  const b = new Baseline({ adapter: logged('oracle', log), variant: await variant() }, { jobs: 1, workdir: '/nonexistent', profiles: new Map(), lock: new ReadWriteLock() });
  b.prefetch(s);
  b.prefetch(s);
  const rec = { steps: [], final: { warm: {}, cold: {}, ms: 0 } };
  await b.compare(s, rec, (await memoryAdapter.createWorker('default', { workdir: '/nonexistent', index: 0 })).capabilities);
  assert.is(b.runs, 1);
  assert.equal(log, ['oracle setup', 'oracle teardown']);
  assert.ok(rec && 'baseline' in rec, 'the comparison was attached');
  await b.close();
});

test('A scenario whose baseline is open is not prefetched', async () => {
  const log: string[] = [];
  const b = new Baseline({ adapter: logged('oracle', log), variant: await variant() }, { jobs: 1, workdir: '/nonexistent', profiles: new Map(), lock: new ReadWriteLock() });
  b.prefetch({ ...s, baselineOpen: 'a reason' });
  await b.close();
  assert.is(b.runs, 0);
  assert.equal(log, []);
});

test('In a run the baseline run starts before the implementation has finished the scenario, and the verdict is the comparison\'s', async () => {
  const log: string[] = [];
  const v = await variant();
  const out = await runAll([{ adapter: logged('impl', log), variant: v }], [s], { jobs: 1, workdir: '/nonexistent', profiles: new Map(), baseline: { adapter: logged('oracle', log), variant: v } });
  assert.is(out.baselineRuns, 1);
  assert.ok(log.indexOf('oracle setup') < log.indexOf('impl teardown'), log.join(', '));
  assert.is(out.results[0].verdict, 'pass', out.results[0].reason);
  assert.is(out.results[0].baseline, 'same');
});

test('A one-job run\'s baseline makes two scenario runs at once on two workers, not one after the other', async () => {
  const log: string[] = [];
  const made: number[] = [];
  const adapter = logged('oracle', log);
  const counting: Adapter = { ...adapter, createWorker: (v, o) => (made.push(o.index), adapter.createWorker(v, o)) };
  const b = new Baseline({ adapter: counting, variant: await variant() }, { jobs: 1, workdir: '/nonexistent', profiles: new Map(), lock: new ReadWriteLock() });
  const [s2] = scenario(`id: t/write2
title: another write
behaviour: [RD-001]
layers:
  lower:
    - { d/a: "old" }
steps:
  - writefile: { path: d/c, data: "new" }
`);
  b.prefetch(s);
  b.prefetch(s2);
  await b.close();
  assert.is(b.runs, 2);
  assert.equal(made, [0, 1]);
});

test.run();
