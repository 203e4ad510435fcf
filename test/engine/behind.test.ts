// Work left running behind a loop: bounded, awaited at the end; and the run's loop takes its next
// scenario while the previous one's comparison with the baseline still waits on the baseline's run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Adapter, Worker } from '../../adapters/adapter.js';
import { memoryAdapter } from '../../adapters/memory/index.js';
import { Behind } from '../../engine/behind.js';
import { runIdOf } from '../../engine/runid.js';
import { runAll } from '../../engine/orchestrate.js';
import { scenario } from '../helpers/scenario.js';

const work = mkdtempSync(join(tmpdir(), 'ovlconf-behind-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

test('An add returns while fewer than max run, waits while max run, and drain waits for the last', async () => {
  const b = new Behind(2);
  const open: (() => void)[] = [];
  let done = 0;
  const piece = () => new Promise<void>((r) => open.push(r)).then(() => void done++);
  await b.add(piece);
  let second = false;
  const adding = b.add(piece).then(() => void (second = true));
  await new Promise((r) => setImmediate(r));
  assert.is(open.length, 2, 'both pieces started');
  assert.is(second, false, 'two running: the add waits');
  open[0]();
  await adding;
  assert.is(done, 1);
  let drained = false;
  const draining = b.drain().then(() => void (drained = true));
  await new Promise((r) => setImmediate(r));
  assert.is(drained, false);
  open[1]();
  await draining;
  assert.is(done, 2);
});

/** memory, its setups logged; the baseline's wait for `gate` (or 5 s) before setting up */
function logged(name: string, log: string[], gate?: Promise<void>): Adapter {
  return {
    ...memoryAdapter,
    name,
    async createWorker(variant, opts): Promise<Worker> {
      const w = await memoryAdapter.createWorker(variant, opts);
      return new Proxy(w, {
        get(t, k) {
          if (k === 'setup')
            return async (...a: Parameters<Worker['setup']>) => {
              if (gate) await Promise.race([gate, new Promise((r) => setTimeout(r, 5000))]);
              log.push(`${name} ${a[1].runId}`);
              return t.setup(...a);
            };
          const v = (t as unknown as Record<string | symbol, unknown>)[k];
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
    },
  };
}

test('The loop sets up its next scenario while the last one\'s baseline run has not started', async () => {
  const two = ['a', 'b'].flatMap((n) => scenario(`
id: t/${n}
title: a file written
behaviour: [RD-001]
layers: { lower: [{ x: "x" }], upper: {} }
steps:
  - writefile: { path: ${n}, data: "y" }
`));
  const log: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const impl = logged('impl', log);
  const base = logged('base', log, gate);
  const info = await memoryAdapter.probe();
  const v = info.variants.find((x) => x.name === 'default')!;
  const wrapped: Adapter = { ...impl, createWorker: async (variant, opts) => {
    const w = await impl.createWorker(variant, opts);
    const setup = w.setup.bind(w);
    return Object.assign(Object.create(w) as Worker, { setup: async (...a: Parameters<Worker['setup']>) => (a[1].runId === runIdOf('s', 2) && open(), setup(...a)) });
  } };
  const out = await runAll([{ adapter: wrapped, variant: v }], two, { jobs: 1, workdir: work, profiles: new Map(), baseline: { adapter: base, variant: v } });
  assert.equal(out.results.map((r) => r.verdict), ['pass', 'pass']);
  assert.ok(out.results.every((r) => r.baseline === 'same' || r.baseline === undefined), JSON.stringify(out.results.map((r) => r.baseline)));
  assert.ok(log.indexOf(`impl ${runIdOf('s', 2)}`) >= 0 && log.indexOf(`impl ${runIdOf('s', 2)}`) < log.indexOf(`base ${runIdOf('b', 1)}`), log.join(', '));
});

test.run();
