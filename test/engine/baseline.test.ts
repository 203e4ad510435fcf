// The cold final tree against the posix baseline: an implementation whose every step passes but
// whose final tree differs (a write that silently went nowhere, checked by no step) fails through
// this check; a difference a profile entry or an observed deviation explains does not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Adapter, ResolvedOp, Worker } from '../../adapters/adapter.js';
import { memoryAdapter } from '../../adapters/memory/index.js';
import { baselineChanges, baselineVerdict, fixedTimes } from '../../engine/baseline.js';
import { runAll, type Target } from '../../engine/orchestrate.js';
import type { Profile } from '../../language/model.js';
import type { Result } from '../../language/schema/results.js';
import { loadText, scenario } from '../helpers/scenario.js';

const scenarios = scenario(`id: t/write-unchecked
title: a write no step reads back
behaviour: [RD-001]
layers:
  lower:
    - { d/a: "old" }
steps:
  - writefile: { path: d/b, data: "new" }
  - readfile: d/a
    expect: { data: "old" }
`);

/** memory, except that a writefile of d/b answers success and writes nothing (and, `noRemount`, it cannot remount) */
const plant = (noRemount = false): Adapter => ({
  ...memoryAdapter,
  name: 'planted',
  async createWorker(variant, opts): Promise<Worker> {
    const w = await memoryAdapter.createWorker(variant, opts);
    return new Proxy(w, {
      get(t, k) {
        if (k === 'capabilities' && noRemount) return { ...t.capabilities, remount: 'removed for this test' };
        if (k === 'op') return async (o: ResolvedOp) => (o.op === 'writefile' && o.args.path === 'd/b' ? { ok: true } : t.op(o));
        if (k === 'fingerprint') return async () => ({ ...(await t.fingerprint()), implementation: 'planted' });
        const v = (t as unknown as Record<string | symbol, unknown>)[k];
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
  },
});

async function run(profiles: Profile[] = [], baseline = true, planted = plant()): Promise<Result> {
  const info = await memoryAdapter.probe();
  const v = info.variants.find((x) => x.name === 'default')!;
  const oracle: Target = { adapter: memoryAdapter, variant: v };
  const out = await runAll([{ adapter: planted, variant: v }], scenarios, { jobs: 1, workdir: '/nonexistent', profiles: new Map([['planted', profiles]]), ...(baseline ? { baseline: oracle } : {}) });
  return out.results[0];
}

test('A write that silently goes nowhere, checked by no step, fails through the baseline comparison', async () => {
  const r = await run();
  assert.is(r.verdict, 'fail', r.reason);
  assert.match(r.reason ?? '', /the final merged tree differs from the POSIX baseline.*d\/b missing \(posix has a file\)/);
  assert.equal(r.baseline, { differs: ['d/b missing (posix has a file)'] });
});

test('An implementation that cannot remount is compared through its warm tree', async () => {
  const r = await run([], true, plant(true));
  assert.is(r.verdict, 'fail', r.reason);
  assert.equal(r.baseline, { differs: ['d/b missing (posix has a file)'] });
});

test('Without the baseline comparison the same run passes: every step and the warm/cold check held', async () => {
  const r = await run([], false);
  assert.is(r.verdict, 'pass', r.reason);
  assert.is(r.baseline, undefined);
});

test('A difference a profile final: entry names is a deviation, recorded with what explains it', async () => {
  const r = await run([{ implementation: 'planted', file: 'planted.yaml', deviations: [{ id: 'DEV-LOST', when: [], optional: false, observed: 'here', final: ['d/* missing (posix has a file)'] }] }]);
  assert.is(r.verdict, 'deviation', r.reason);
  assert.equal(r.deviations, ['DEV-LOST']);
  assert.equal(r.baseline, { differs: ['d/b missing (posix has a file)'], explainedBy: ['DEV-LOST'] });
});

test('A difference after a deviation the steps observed is explained by it; after a step that failed it adds no second fail', () => {
  const state = { changes: [{ path: 'x', fields: ['size 1 → 0'], words: 'x: size 1 → 0' }] };
  assert.equal(baselineVerdict(state, new Map(), new Set(['DEV-A']), false), { outcome: { differs: ['x: size 1 → 0'], explainedBy: ['DEV-A'] }, explainedBy: ['DEV-A'] });
  const after = baselineVerdict(state, new Map(), new Set(), true);
  assert.equal([after.outcome, after.message], [{ differs: ['x: size 1 → 0'], after: 'mismatch' }, undefined]);
  assert.equal(baselineVerdict({ changes: [] }, new Map(), new Set(), false).outcome, 'same');
});

test('Only what POSIX fixes is compared: times the scenario set, not directory link counts or times of the run', () => {
  const [s] = scenario(`id: t/times
title: times
behaviour: [RD-001]
layers:
  lower:
    - { f: { type: file, data: "x", mtime: 1000000000 } }
steps:
  - utimens: { path: f, mtime: "1500000000.5" }
`);
  assert.equal([...fixedTimes(s)].sort(), ['1000000000.000000000', '1500000000.500000000']);
  const e = { type: 'file', mode: 0o644, uid: 0, gid: 0, nlink: 1, mtime: '1500000000.500000000', size: 1, digest: 'd' };
  const dir = { type: 'dir', mode: 0o755, uid: 0, gid: 0, nlink: 2, mtime: '1796535483.1' };
  assert.equal(baselineChanges(s, { f: e, d: dir }, { f: e, d: { ...dir, nlink: 1, mtime: '1796535484.2' } }, true), []);
  assert.equal(baselineChanges(s, { f: e }, { f: { ...e, mtime: '1796535484.2' } }, true).map((c) => c.words), ['f: mtime "1500000000.500000000" → "1796535484.200000000"']);
  assert.equal(baselineChanges(s, { f: e }, { f: e, g: e }, true).map((c) => c.words), ['g extra (file; posix has none)']);
});

test('An opt-out of the baseline comparison needs a one-line reason; a blank one is rejected at load with file:line', () => {
  const text = (why: string) => `id: t/open\ntitle: open\nbehaviour: [RD-001]\nbaselineOpen: ${why}\nsteps:\n  - stat: .\n`;
  const ok = loadText(text('"POSIX leaves it open"'));
  assert.equal([ok.errors, ok.scenarios[0].baselineOpen], [[], 'POSIX leaves it open']);
  const bad = loadText(text('""'), 'blank.yaml');
  assert.ok(bad.errors.some((e) => e.file === 'blank.yaml' && e.line === 4 && /baselineOpen/.test(e.path)), JSON.stringify(bad.errors));
});

test.run();
