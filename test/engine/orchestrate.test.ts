// Running scenarios across variants: every scenario gets exactly one result per variant, a
// missing capability is a skip with its reason, a worker that breaks is replaced and the run goes
// on, and an abort stops the run with what was done so far.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Adapter, Worker } from '../../adapters/adapter.js';
import { memoryAdapter } from '../../adapters/memory/index.js';
import { runAll, type Target } from '../../engine/orchestrate.js';
import { scenario } from '../helpers/scenario.js';

const work = mkdtempSync(join(tmpdir(), 'ovlconf-orch-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

const unlink = scenario(`
id: t/unlink
title: unlinking a lower file hides it
behaviour: [WH-001]
layers: { lower: [{ a: "x" }], upper: {} }
steps:
  - unlink: a
  - stat: a
    expect: { errno: ENOENT }
`);
const fifo = scenario(`
id: t/fifo
title: a fifo in a lower layer is listed
behaviour: [LK-001]
layers: { lower: [{ p: { type: fifo } }], upper: {} }
steps:
  - lstat: p
    expect: { type: fifo }
`);

async function targets(names: string[]): Promise<Target[]> {
  const info = await memoryAdapter.probe();
  return names.map((n) => ({ adapter: memoryAdapter, variant: info.variants.find((v) => v.name === n)! }));
}

/** the memory adapter without a capability, or with workers that break on their Nth op */
function altered(o: { without?: string; breakOnOp?: number }): Adapter {
  let ops = 0;
  return {
    ...memoryAdapter,
    name: 'altered',
    async createWorker(variant, opts): Promise<Worker> {
      const w = await memoryAdapter.createWorker(variant, opts);
      const caps = { ...w.capabilities };
      if (o.without) caps[o.without] = `${o.without} removed for this test`;
      return new Proxy(w, {
        get(t, k) {
          if (k === 'capabilities') return caps;
          if (k === 'op' && o.breakOnOp !== undefined)
            return async (x: never) => {
              if (++ops === o.breakOnOp) throw new Error('planted worker failure');
              return t.op(x);
            };
          const v = (t as unknown as Record<string | symbol, unknown>)[k];
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
    },
  };
}

test('Every scenario gets exactly one result on every variant', async () => {
  const out = await runAll(await targets(['default', 'redirect_dir=on']), [...unlink, ...fifo], { jobs: 2, workdir: work, profiles: new Map() });
  const keys = out.results.map((r) => `${r.variant} ${r.id}`).sort();
  assert.equal(keys, ['default t/fifo', 'default t/unlink', 'redirect_dir=on t/fifo', 'redirect_dir=on t/unlink']);
  assert.ok(out.results.every((r) => r.verdict === 'pass'), JSON.stringify(out.results.map((r) => [r.id, r.verdict, r.reason])));
  assert.is(out.interrupted, false);
});

test('A missing capability is a skip that names it, and the other scenarios still run', async () => {
  const a = altered({ without: 'fifo' });
  const info = await a.probe();
  const out = await runAll([{ adapter: a, variant: info.variants.find((v) => v.name === 'default')! }], [...unlink, ...fifo], { jobs: 1, workdir: work, profiles: new Map() });
  const by = Object.fromEntries(out.results.map((r) => [r.id, r]));
  assert.is(by['t/fifo'].verdict, 'skip');
  assert.match(by['t/fifo'].reason ?? '', /fifo removed for this test/);
  assert.is(by['t/unlink'].verdict, 'pass');
});

test('A worker that breaks is reported as an error and replaced: the next scenario passes', async () => {
  const a = altered({ breakOnOp: 1 });
  const info = await a.probe();
  const out = await runAll([{ adapter: a, variant: info.variants.find((v) => v.name === 'default')! }], [...unlink, ...fifo], { jobs: 1, workdir: work, profiles: new Map() });
  const verdicts = out.results.map((r) => r.verdict);
  assert.is(verdicts.filter((v) => v === 'error').length, 1, JSON.stringify(out.results.map((r) => [r.id, r.verdict, r.reason])));
  assert.is(verdicts.filter((v) => v === 'pass').length, 1);
  assert.match(out.results.find((r) => r.verdict === 'error')?.reason ?? '', /planted worker failure/);
});

test('An abort before the start runs nothing and says the run was interrupted', async () => {
  const ac = new AbortController();
  ac.abort();
  const out = await runAll(await targets(['default']), [...unlink, ...fifo], { jobs: 1, workdir: work, profiles: new Map(), signal: ac.signal });
  assert.is(out.interrupted, true);
  assert.ok(out.results.length < 2, `ran ${out.results.length} of 2`);
});

test.run();
