// Running one case on every side: no side is still at work once the case has settled, even when
// another side failed outright, so a campaign that closes its sides and removes its directory
// afterwards leaves no worker (and no worker directory) started behind its back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Adapter, Worker } from '../../adapters/adapter.js';
import { runAllSides, type CaseContext } from '../../fuzz/case-run.js';
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

test.run();
