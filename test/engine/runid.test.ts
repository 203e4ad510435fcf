// Run ids and worker directories have one width whatever the scenario's place, attempt or worker:
// they are part of every layer path, and a mount's option string has a byte limit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runIdOf, workerDirOf } from '../../engine/runid.js';
import { runAll } from '../../engine/orchestrate.js';
import { memoryAdapter } from '../../adapters/memory/index.js';
import type { Adapter, Worker } from '../../adapters/adapter.js';
import { scenario } from '../helpers/scenario.js';

test('A run id is five characters for the first scenario, the 1,997th and a fourth attempt, and ids differ', () => {
  const ids = [runIdOf('s', 1), runIdOf('s', 1997), runIdOf('s', 1997, 4), runIdOf('b', 1), runIdOf('s', 36 ** 3 - 1)];
  assert.equal(ids.map((x) => x.length), [5, 5, 5, 5, 5]);
  assert.is(new Set(ids).size, ids.length);
});

test('A worker directory has the same length for every worker of a run and generations 1 and 40', () => {
  assert.is(workerDirOf('kernel', 'legacy-mount', 0, 1, 2).length, workerDirOf('kernel', 'legacy-mount', 1, 40, 2).length);
  assert.is(workerDirOf('kernel', 'legacy-mount', 0, 1, 40).length, workerDirOf('kernel', 'legacy-mount', 39, 40, 40).length);
  assert.is(workerDirOf('kernel', 'a/b c', 0, 0, 2), 'kernel.a_b_c.0.00');
});

test('runAll gives the scenarios of a run run ids of one length, from the first to the twelfth', async () => {
  const seen: string[] = [];
  const dirs: string[] = [];
  const adapter: Adapter = {
    ...memoryAdapter,
    async createWorker(variant, opts) {
      dirs.push(opts.workdir);
      const w = await memoryAdapter.createWorker(variant, opts);
      return new Proxy(w, { get: (t, k) => (k === 'setup' ? (...a: Parameters<Worker['setup']>) => (seen.push(a[1].runId), t.setup(...a)) : (t as unknown as Record<string | symbol, unknown>)[k]) });
    },
  };
  const scenarios = Array.from({ length: 12 }, (_, n) => scenario(`id: t/s${n}\ntitle: t\nbehaviour: [WH-001]\nlayers: { lower: [{ a: "x" }] }\nsteps:\n  - stat: a\n`)[0]);
  const info = await memoryAdapter.probe();
  await runAll([{ adapter, variant: info.variants.find((v) => v.name === 'default')! }], scenarios, { jobs: 3, workdir: '/nonexistent', profiles: new Map(), finalState: false });
  assert.is(seen.length, 12);
  assert.equal([...new Set(seen.map((x) => x.length))], [5]);
  assert.equal([...new Set(dirs.map((x) => x.length))].length, 1, dirs.join(' '));
});

test.run();
