// A scenario that drops the machine's caches runs alone: between its setup and its teardown no
// other scenario of the run is between its own (the other workers', the posix baseline's), while
// the ordinary scenarios still run side by side; a worker that breaks in one releases the lock; and
// a run during which another process dropped the caches is executed again on fresh layers, its
// verdict the undisturbed execution's, and says so in a note.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Adapter, ResolvedOp, Worker } from '../../adapters/adapter.js';
import { memoryAdapter } from '../../adapters/memory/index.js';
import { runAll, type Target } from '../../engine/orchestrate.js';
import { MAX_ATTEMPTS } from '../../engine/alone.js';
import type { Scenario } from '../../language/model.js';
import { scenario } from '../helpers/scenario.js';

interface Interval {
  who: string;
  start: number;
  end?: number;
  drops: boolean;
}

/** the memory adapter, recording each scenario's setup-to-teardown interval on a shared clock of events; every op yields to the event loop first, so workers interleave. Its drops count as machine-wide unless `ownDrops` (as the model's really are). */
function recording(name: string, log: Interval[], clock: { t: number }, breakOn?: string, ownDrops = false, hangOn?: string): Adapter {
  return {
    ...memoryAdapter,
    name,
    async createWorker(variant, opts): Promise<Worker> {
      const w = await memoryAdapter.createWorker(variant, opts);
      let now: Interval | undefined;
      return new Proxy(w, {
        get(t, k) {
          if (k === 'dropsMachineCaches') return !ownDrops;
          if (k === 'setup')
            return async (...a: Parameters<Worker['setup']>) => {
              now = { who: `${name} ${a[1].runId}`, start: ++clock.t, drops: false };
              log.push(now);
              await new Promise((r) => setImmediate(r));
              return t.setup(...a);
            };
          if (k === 'teardown')
            return async () => {
              await t.teardown();
              if (now) now.end = ++clock.t;
              now = undefined;
            };
          if (k === 'op')
            return async (o: ResolvedOp) => {
              if (o.op === 'dropCaches') now!.drops = true;
              await new Promise((r) => setImmediate(r));
              if (breakOn && o.op === 'dropCaches' && String(o.args.path) === breakOn) throw new Error('planted worker failure');
              if (hangOn && o.op === 'dropCaches' && String(o.args.path) === hangOn) return new Promise(() => undefined);
              return t.op(o);
            };
          const v = (t as unknown as Record<string | symbol, unknown>)[k];
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
    },
  };
}

const plain = (n: number): Scenario[] => scenario(`
id: t/plain-${n}
title: an ordinary scenario
behaviour: [WH-001]
layers: { lower: [{ a: "x", b: "y" }], upper: {} }
steps:
  - stat: a
  - unlink: a
  - stat: a
    expect: { errno: ENOENT }
  - readfile: b
    expect: { data: "y" }
`);
const dropping = (path = 'a'): Scenario[] => scenario(`
id: t/drop-${path}
title: a scenario that drops the caches
behaviour: [WH-001]
layers: { lower: [{ a: "x", b: "y" }], upper: {} }
steps:
  - stat: a
  - dropCaches: ${path}
  - stat: b
`);

const overlaps = (a: Interval, b: Interval) => a.start < b.end! && b.start < a.end!;

async function variant() {
  const info = await memoryAdapter.probe();
  return info.variants.find((v) => v.name === 'default')!;
}

test('A scenario that drops the caches runs with no other scenario of the run, the baseline\'s included, while the others overlap', async () => {
  const log: Interval[] = [];
  const clock = { t: 0 };
  const v = await variant();
  const impl: Target = { adapter: recording('impl', log, clock), variant: v };
  const baseline: Target = { adapter: recording('posix', log, clock), variant: v };
  const scenarios = [...plain(1), ...plain(2), ...dropping('a'), ...plain(3), ...plain(4), ...dropping('b'), ...plain(5), ...plain(6)];
  const out = await runAll([impl], scenarios, { jobs: 3, workdir: '/nonexistent', profiles: new Map(), baseline });
  assert.is(out.results.length, scenarios.length);
  assert.ok(out.results.every((r) => r.verdict === 'pass'), JSON.stringify(out.results.map((r) => [r.scenario, r.verdict, r.reason])));
  assert.ok(log.every((x) => x.end !== undefined), 'every setup has its teardown');
  const droppers = log.filter((x) => x.drops);
  // the implementation's two, and the baseline's run of each (the comparison needs it)
  assert.is(droppers.length, 4, JSON.stringify(log));
  assert.ok(droppers.some((x) => x.who.startsWith('posix')), 'the baseline ran a dropping scenario');
  for (const d of droppers) {
    const beside = log.filter((x) => x !== d && overlaps(x, d)).map((x) => x.who);
    assert.equal(beside, [], `${d.who} ran beside ${beside.join(', ')}`);
  }
  const ordinary = log.filter((x) => !x.drops);
  assert.ok(ordinary.some((a) => ordinary.some((b) => a !== b && overlaps(a, b))), 'ordinary scenarios still overlap');
});

test('Where a worker\'s drop is its own (a model, an agent in a user namespace), a scenario that drops runs beside the others', async () => {
  const log: Interval[] = [];
  const v = await variant();
  const impl: Target = { adapter: recording('impl', log, { t: 0 }, undefined, true), variant: v };
  const scenarios = [...plain(1), ...dropping('a'), ...plain(2), ...dropping('b'), ...plain(3)];
  const out = await runAll([impl], scenarios, { jobs: 3, workdir: '/nonexistent', profiles: new Map(), finalState: false });
  assert.ok(out.results.every((r) => r.verdict === 'pass'));
  const droppers = log.filter((x) => x.drops);
  assert.is(droppers.length, 2);
  assert.ok(droppers.some((d) => log.some((x) => x !== d && overlaps(x, d))), JSON.stringify(log));
});

test('A worker that breaks in a scenario that drops the caches releases the lock: it is an error and the rest of the run goes on', async () => {
  const log: Interval[] = [];
  const v = await variant();
  const impl: Target = { adapter: recording('impl', log, { t: 0 }, 'a'), variant: v };
  const scenarios = [...plain(1), ...dropping('a'), ...plain(2), ...plain(3), ...dropping('b'), ...plain(4)];
  const out = await runAll([impl], scenarios, { jobs: 2, workdir: '/nonexistent', profiles: new Map(), finalState: false });
  const by = Object.fromEntries(out.results.map((r) => [r.scenario, r]));
  assert.is(out.results.length, scenarios.length);
  assert.is(by['t/drop-a'].verdict, 'error');
  assert.match(by['t/drop-a'].reason ?? '', /planted worker failure/);
  for (const id of ['t/plain-1', 't/plain-2', 't/plain-3', 't/plain-4', 't/drop-b']) assert.is(by[id].verdict, 'pass', id);
});

test('A scenario that drops the caches and hangs releases the lock at its step\'s timeout: it is an error and the rest of the run goes on', async () => {
  const log: Interval[] = [];
  const v = await variant();
  const impl: Target = { adapter: recording('impl', log, { t: 0 }, undefined, false, 'a'), variant: v };
  const scenarios = [...plain(1), ...dropping('a'), ...plain(2), ...plain(3), ...dropping('b')];
  const out = await runAll([impl], scenarios, { jobs: 2, workdir: '/nonexistent', profiles: new Map(), finalState: false, timeoutMs: 200 });
  const by = Object.fromEntries(out.results.map((r) => [r.scenario, r]));
  assert.is(out.results.length, scenarios.length);
  assert.is(by['t/drop-a'].verdict, 'error');
  assert.match(by['t/drop-a'].reason ?? '', /dropCaches.*did not answer within 200 ms/);
  for (const id of ['t/plain-1', 't/plain-2', 't/plain-3', 't/drop-b']) assert.is(by[id].verdict, 'pass', id);
});

/** the memory adapter standing in for a kernel's: its workers say a machine-wide drop reaches them; `runIds` collects each execution's run id; `wrongIn` makes every stat of that run id say the file is missing (what a disturbed execution may observe) */
function reached(runIds: string[] = [], wrongIn?: string): Adapter {
  return {
    ...memoryAdapter,
    async createWorker(variant, opts) {
      const w = await memoryAdapter.createWorker(variant, opts);
      let now = '';
      return new Proxy(w, {
        get(t, k) {
          if (k === 'seesMachineDrops') return true;
          if (k === 'setup')
            return (...a: Parameters<Worker['setup']>) => {
              runIds.push((now = a[1].runId));
              return t.setup(...a);
            };
          if (k === 'op') return async (o: ResolvedOp) => (o.op === 'stat' && now === wrongIn ? { ok: false, errno: 'ENOENT' } : t.op(o));
          const v = (t as unknown as Record<string | symbol, unknown>)[k];
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
    },
  };
}

test('A run during which another process dropped the caches is executed again on fresh layers: the undisturbed execution gives the verdict, the discarded one is named in a note', async () => {
  const v = await variant();
  const runIds: string[] = [];
  // drops between the two readings around the first execution only; its stat "fails" (wrongIn: s1)
  const readings = [100, 102, 102, 102];
  const out = await runAll([{ adapter: reached(runIds, 's0011'), variant: v }], plain(1), { jobs: 1, workdir: '/nonexistent', profiles: new Map(), finalState: false, dropCount: () => readings.shift() });
  assert.equal(runIds, ['s0011', 's0012']);
  assert.is(readings.length, 0, 'the count was read around both executions');
  const r = out.results[0];
  assert.is(r.verdict, 'pass', JSON.stringify(r));
  assert.is(r.notes?.length, 1, JSON.stringify(r.notes));
  assert.match(r.notes![0], /^executed again on fresh layers: another process dropped the machine's caches while an earlier execution ran/);
  assert.match(r.notes![0], /attempt 1 \(2 drops\): fail: /);
});

test("A run that other processes' drops reach every time is executed MAX_ATTEMPTS times and keeps the last verdict with a note; its own drops are not counted", async () => {
  const v = await variant();
  const runIds: string[] = [];
  // each reading of the count is two drops past the last: two drops between the readings around every execution
  let count = 100;
  const foreign = await runAll([{ adapter: reached(runIds), variant: v }], [...plain(1), ...dropping('a')], { jobs: 1, workdir: '/nonexistent', profiles: new Map(), finalState: false, dropCount: () => (count += 2) });
  assert.equal(runIds, ['s0011', 's0012', 's0013', 's0014', 's0021', 's0022', 's0023', 's0024'].slice(0, 2 * MAX_ATTEMPTS));
  assert.ok(foreign.results.every((r) => r.verdict === 'pass'));
  const notes = Object.fromEntries(foreign.results.map((r) => [r.scenario, (r.notes ?? []).join(' | ')]));
  assert.match(notes['t/plain-1'], /another process dropped the machine's caches 2 times while this scenario ran \(and in each of the 3 executions before it, discarded\)/);
  assert.match(notes['t/drop-a'], /another process dropped the machine's caches once while this scenario ran/);
  // the count grew by exactly the scenario's own drop: nothing to say, nothing to run again
  const readings = [5, 6];
  runIds.length = 0;
  const quiet = await runAll([{ adapter: reached(runIds), variant: v }], dropping('a'), { jobs: 1, workdir: '/nonexistent', profiles: new Map(), finalState: false, dropCount: () => readings.shift() });
  assert.is(quiet.results[0].verdict, 'pass');
  assert.is(quiet.results[0].notes, undefined);
  assert.is(readings.length, 0, 'the count was read before and after the run');
  assert.equal(runIds, ['s0011']);
});

test('A worker no machine-wide drop can reach (the model) reads no drop count and gets no note', async () => {
  const v = await variant();
  let reads = 0;
  const out = await runAll([{ adapter: memoryAdapter, variant: v }], [...plain(1), ...dropping('a')], { jobs: 1, workdir: '/nonexistent', profiles: new Map(), finalState: false, dropCount: () => 100 + 2 * ++reads });
  assert.ok(out.results.every((r) => r.verdict === 'pass' && r.notes === undefined));
  assert.is(reads, 0);
});

test.run();
