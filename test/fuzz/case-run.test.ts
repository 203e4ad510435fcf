// Running one case on every side: no side is still at work once the case has settled, even when
// another side failed outright, so a campaign that closes its sides and removes its directory
// afterwards leaves no worker (and no worker directory) started behind its back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Adapter, Worker } from '../../adapters/adapter.js';
import { runAllSides, runScenarioCase, type CaseContext } from '../../fuzz/case-run.js';
import type { Case } from '../../fuzz/gen/case.js';
import { loadValue } from '../../fuzz/load.js';
import type { Side } from '../../fuzz/sides.js';
import { realCatalog } from '../helpers/scenario.js';

const catalog = realCatalog();
const scenario = loadValue({ id: 'fuzz/t', title: 't', behaviour: ['LK-001'], refs: ['posix:rename'], layers: { lower: [{ a: 'x' }] }, steps: [{ lstat: 'a' }] }, 'case.yaml', catalog);

/** a worker whose setup fails once `gate` opens (a side that breaks) */
const breakingWorker = (gate: Promise<void>): Worker =>
  ({
    capabilities: {},
    setup: async () => {
      await gate;
      throw new Error('setup broke');
    },
    teardown: async () => undefined,
    close: async () => undefined,
    kill: async () => undefined,
  }) as unknown as Worker;

const side = (role: Side['role'], worker: Worker, createWorker: () => Promise<Worker>): Side =>
  ({ role, adapter: { name: role, createWorker } as unknown as Adapter, variant: 'default', worker, fingerprint: {} as never, workdir: '/nonexistent', generation: 0 }) as Side;

test('a side whose replacement worker cannot start fails the case only after every other side settled', async () => {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const created: string[] = [];
  // the implementation breaks at once and its replacement cannot start; the baseline breaks
  // later (after a turn of the event loop) and starts its replacement then
  const impl = side('impl', breakingWorker(Promise.resolve()), async () => {
    setImmediate(open);
    throw new Error('cannot start a worker');
  });
  const posix = side('posix', breakingWorker(gate), async () => {
    created.push('posix w1');
    return breakingWorker(Promise.resolve());
  });
  const ctx = { impl, oracles: [posix], catalog, profiles: [], oracleOwn: new Set(), dir: '/nonexistent', xattr: false, n: 0 } as CaseContext;
  let error: Error | undefined;
  try {
    await runAllSides(ctx, scenario);
  } catch (e) {
    error = e as Error;
  }
  assert.match(error?.message ?? '', /cannot start a worker/);
  assert.equal(created, ['posix w1'], 'the baseline replaced its worker before the case settled, not after');
});

/** a worker whose lstat reports the link counts `nlinks` gives, one per run */
const statWorker = (nlinks: () => number): Worker =>
  ({
    capabilities: {},
    setup: async () => ({ ok: true }),
    op: async () => ({ ok: true, value: { stat: { type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, nlink: nlinks(), ino: '5', dev: '0:1', rdev: '0:0', atime: '', mtime: '', ctime: '' } } }),
    teardown: async () => undefined,
    close: async () => undefined,
  }) as unknown as Worker;

const judged = async (drops: number[], implNlinks: number[]) => {
  const model = side('memory', statWorker(() => 1), async () => statWorker(() => 1));
  model.adapter = { name: 'memory' } as Adapter;
  const kernel = side('impl', statWorker(() => implNlinks.shift() ?? 1), async () => statWorker(() => 1));
  const ctx = { impl: kernel, oracles: [model], catalog, profiles: [], oracleOwn: new Set(), dir: '/nonexistent', xattr: false, n: 0, dropCount: () => drops.shift() } as CaseContext;
  const c = { stack: { classes: {} }, actions: [] } as unknown as Case;
  return { v: await runScenarioCase(ctx, c, scenario, {}, 1), reruns: ctx.reruns ?? 0 };
};

test('a disagreement in a run during which another process dropped the caches is run again', async () => {
  // first run: the kernel evicted the inode (nlink 2) and drop_slab grew from 10 to 11 with no
  // drop of the case's own; the run again is undisturbed and agrees
  const { v, reruns } = await judged([10, 11, 11, 11], [2, 1]);
  assert.is(v.kind, 'agree');
  assert.is(reruns, 1);
});

test('an undisturbed disagreement is a finding at once, and a disturbed one stands after the last rerun', async () => {
  const quiet = await judged([10, 10], [2, 1]);
  assert.is(quiet.v.kind, 'finding');
  assert.is(quiet.reruns, 0);
  const noisy = await judged([1, 2, 2, 3, 3, 4, 4, 5], [2, 2, 2, 2, 2]);
  assert.is(noisy.v.kind, 'finding');
  assert.is(noisy.reruns, 3);
});

test.run();
