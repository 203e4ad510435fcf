// The executor on the in-process reference model: every step runs after a mismatch, a step that
// needs something an earlier step did not produce is recorded as not run, `stop:` alternatives
// end the scenario, and each step carries the one judgement made when it ran.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryAdapter } from '../../adapters/memory/index.js';
import { classify } from '../../engine/classify.js';
import type { ResolvedOp, Worker } from '../../adapters/adapter.js';
import { execute, remountOptionProblem } from '../../engine/executor.js';
import { scenario } from '../helpers/scenario.js';

const run = async (text: string) => {
  const [s] = scenario(text);
  const w = await memoryAdapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
  try {
    const rec = await execute(w, s, { runId: 'x' });
    return { s, rec, c: classify(s, rec, new Map()) };
  } finally {
    await w.close();
  }
};

test('A mismatch does not stop the scenario: later steps run and every mismatch is listed', async () => {
  const { rec, c } = await run(`id: t/every
title: every step runs
behaviour: [RD-001]
layers:
  lower:
    - { a: "A" }
steps:
  - readfile: a
    expect: { data: "wrong" }
  - writefile: { path: a, data: "B" }
  - readfile: a
    expect: { data: "also wrong" }
`);
  assert.is(rec.steps.length, 3);
  assert.equal(rec.steps.map((r) => r.judgement.kind), ['mismatch', 'posix', 'mismatch']);
  assert.is(c.verdict, 'fail');
  assert.is(c.failure?.step, 1);
  assert.equal(c.mismatches.map((m) => m.step), [1, 3]);
  assert.ok(c.reason?.includes('and 1 more mismatch'), c.reason);
});

test('A step needing an fd that was never opened is not run, with why, and the verdict stays with the first mismatch', async () => {
  const { rec, c } = await run(`id: t/notrun
title: not run
behaviour: [RD-001]
layers:
  lower:
    - { a: "A" }
steps:
  - open: { path: missing, flags: [O_RDONLY] }
    as: fd
  - read: { fd: fd, length: 1 }
    expect: { data: "A" }
`);
  const o = rec.steps[1].outcome;
  assert.ok(!o.ok && 'notRun' in o && o.notRun.includes('holds no open fd'), JSON.stringify(o));
  assert.is(c.verdict, 'fail');
  assert.is(c.failure?.step, 1);
  assert.ok(c.notes.some((n) => n.startsWith('step 2 (read, line 10): not run')), JSON.stringify(c.notes));
});

test('An alternative marked stop ends the scenario: the later steps are recorded as not run', async () => {
  const { rec } = await run(`id: t/stop
title: stop
behaviour: [RD-001]
layers:
  lower:
    - { a: "A" }
steps:
  - readfile: a
    expect: { data: "x" }
    deviations:
      DEV-RENAME-DIR-EXDEV: { data: "A", stop: true }
  - readfile: a
`);
  assert.is(rec.steps.length, 2);
  const o = rec.steps[1].outcome;
  assert.ok(!o.ok && 'notRun' in o && o.notRun.includes('DEV-RENAME-DIR-EXDEV'), JSON.stringify(o));
});

test('A step whose expectation names a binding no step made cannot be judged and is an error when nothing explains it', async () => {
  const { c } = await run(`id: t/unbound
title: unbound
behaviour: [RD-001]
layers:
  lower:
    - { a: "A" }
steps:
  - stat: missing
    as: st
    expect: { errno: ENOENT }
  - stat: a
    expect: { ino: $st.ino }
`);
  assert.is(c.verdict, 'error');
  assert.ok(c.reason?.includes('$st.ino is not bound') && c.reason.includes('a scenario problem'), c.reason);
});

const worker = (knownOptions?: string[]) => ({ capabilities: {}, knownOptions }) as unknown as Worker;

test('A call that has settled when it returns runs with no deadline timer; one still pending gets one', async () => {
  const [s] = scenario(`id: t/timers
title: timers
behaviour: [RD-001]
layers:
  lower:
    - { a: "A" }
steps:
  - readfile: a
    expect: { data: "A" }
  - writefile: { path: a, data: "B" }
`);
  const timers = async (pending: boolean) => {
    const m = await memoryAdapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
    // the same worker; `pending`: its ops answer on a later turn of the event loop
    const w: Worker = pending ? Object.create(m) : m;
    if (pending) w.op = async (o: ResolvedOp) => (await new Promise((r) => setImmediate(r)), m.op.call(w, o));
    const real = globalThis.setTimeout;
    let n = 0;
    globalThis.setTimeout = ((...a: Parameters<typeof setTimeout>) => (n++, real(...a))) as typeof setTimeout;
    try {
      const rec = await execute(w, s, { runId: 'x', finalState: true });
      assert.equal(rec.steps.map((r) => r.judgement.kind), ['posix', 'posix']);
      assert.ok(rec.final && 'warm' in rec.final);
    } finally {
      globalThis.setTimeout = real;
    }
    return n;
  };
  // the model's setup, steps, remount and teardown settle at once: only the two snapshots (which await the walk) get one
  assert.is(await timers(false), 2);
  assert.is(await timers(true), 4, 'and one for each of the two pending steps');
});

test('a remount option outside the vocabulary is a harness error even when it bypassed the loader', () => {
  const r = remountOptionProblem(worker(['xino']), { xino: 'off,upperdir=/tmp/c2' });
  assert.ok(r && 'harness' in r && /not a plain token/.test(r.harness), JSON.stringify(r));
  const u = remountOptionProblem(worker(), { upperdir: '/tmp/c2' });
  assert.ok(u && 'harness' in u && /layer directory/.test(u.harness), JSON.stringify(u));
});

test('an option the worker does not know is a skip that names its options', () => {
  const r = remountOptionProblem(worker(['static_nlink']), { redirect_dir: 'on' });
  assert.ok(r && 'skip' in r, JSON.stringify(r));
  assert.match((r as { skip: string }).skip, /no mount option redirect_dir \(its options: static_nlink\)/);
});

test('known options with plain values go through', () => {
  assert.is(remountOptionProblem(worker(['redirect_dir']), { redirect_dir: 'on' }), undefined);
  assert.is(remountOptionProblem(worker(), undefined), undefined);
});

test.run();
