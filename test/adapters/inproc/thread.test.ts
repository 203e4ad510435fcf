// An in-process engine run in a child process: calls answer from the child, a synchronous loop
// is cut off by the caller's deadline and kill() ends it, and an engine that exhausts its heap is
// reported as the implementation's crash; the harness stays free throughout. A child left tainted
// by its teardown is replaced before the next setup.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ImplementationCrashed, type TreeItem } from '../../../adapters/adapter.js';
import { withTimeout, WorkerBroken } from '../../../engine/executor.js';
import { badAdapter } from '../../fixtures/inproc/engines.js';
import { walkByOps } from '../../../adapters/walk.js';
import { ENGINE_JIT } from '../../../adapters/inproc/thread.js';
import { zenfsAdapter } from '../../../adapters/zenfs/index.js';
import { scenario } from '../../helpers/scenario.js';

/** Wait (at most 5 s) until a process has exited. */
async function gone(pid: number): Promise<void> {
  for (const end = Date.now() + 5000; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  throw new Error(`process ${pid} is still running`);
}

const make = () => badAdapter.createWorker('default', { workdir: '/nonexistent', index: 0 });

test('Calls reach the worker built inside the child and its properties come back', async () => {
  const w = await make();
  try {
    assert.equal(w.capabilities, { symlink: true });
    assert.is(w.maxLowers, 1);
    assert.is(w.layerDirs, undefined, 'an optional method the engine lacks stays absent');
    assert.equal(await w.op({ op: 'stat', args: { path: 'a' } }), { ok: true, value: { threaded: true } });
    assert.is((await w.fingerprint()).implementation, 'bad');
  } finally {
    await w.close();
  }
});

test('The engine\'s child is started with the optimisation threshold the runner uses', async () => {
  const w = await make();
  try {
    const r = (await w.op({ op: 'stat', args: { path: 'argv' } })) as unknown as { value: { execArgv: string[] } };
    assert.ok(r.value.execArgv.includes(ENGINE_JIT), r.value.execArgv.join(' '));
    assert.ok(r.value.execArgv.includes('--max-old-space-size=64'), 'the heap limit stays');
  } finally {
    await w.close();
  }
});

test('A synchronous loop in the engine leaves the harness free: the deadline fires and kill() ends the child', async () => {
  const w = await make();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const err = await withTimeout(w.op({ op: 'stat', args: { path: 'loop' } }), 300, 'step 1').catch((e: unknown) => e);
  clearInterval(timer);
  assert.ok(err instanceof WorkerBroken, String(err));
  assert.ok(ticks > 0, 'timers ran in the harness while the engine looped');
  await w.kill!();
  const after = await w.op({ op: 'stat', args: { path: 'a' } }).catch((e: unknown) => e);
  assert.ok(after instanceof Error, 'a killed worker answers nothing');
  const fresh = await make();
  assert.equal(await fresh.op({ op: 'stat', args: { path: 'a' } }), { ok: true, value: { threaded: true } });
  await fresh.close();
});

test('An engine that exhausts its heap is the implementation crashing, named by its adapter and variant, not a hang', async () => {
  const w = await make();
  const err = await w.op({ op: 'stat', args: { path: 'oom' } }).catch((e: unknown) => e);
  assert.ok(err instanceof ImplementationCrashed, String(err));
  assert.match((err as Error).message, /^bad\/default's process /, 'the adapter\'s name, not the module export (badAdapter)');
  await w.kill!();
});

test('A child whose teardown could not reset its engine is replaced: its later death ends nothing, the next setup runs in a fresh process', async () => {
  const w = await make();
  try {
    await w.setup({} as never, {} as never);
    const first = (await w.op({ op: 'stat', args: { path: 'taint' } })) as unknown as { value: { pid: number } };
    await w.teardown();
    await gone(first.value.pid);
    assert.equal(await w.setup({} as never, {} as never), { ok: true });
    const second = (await w.op({ op: 'stat', args: { path: 'pid' } })) as unknown as { value: { pid: number } };
    assert.is.not(second.value.pid, first.value.pid);
  } finally {
    await w.close();
  }
});

test('The final snapshot\'s walk is made in the child in one call, with the same items as a walk op by op from the harness', async () => {
  const [s] = scenario(`id: t/walk
title: a small tree
behaviour: [RD-001]
layers:
  lower:
    - { d/f: "lower", d/e/g: "deep", l: !symlink d/f }
  upper: { d/u: "upper" }
steps:
  - writefile: { path: d/new, data: "new" }
`);
  const w = await zenfsAdapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
  const calls = () => (w as unknown as { seq: number }).seq;
  // a walk's reads may copy up (zenfs does): each walk is the first on freshly set up layers
  const fresh = async () => {
    assert.equal(await w.setup(s.layers, { runId: 'w', timeoutMs: 10_000, lowerCount: 1, devices: false }), { ok: true });
    assert.equal(await w.op({ op: 'writefile', args: { path: 'd/new', data: 'new' } }), { ok: true });
  };
  // times are the wall clock of each setup
  const timeless = (items: TreeItem[]) => items.map(({ atime: _a, mtime: _m, ...rest }) => rest);
  try {
    await fresh();
    let before = calls();
    const inChild = await w.walkTree!(1 << 20, 24);
    assert.is(calls() - before, 1, 'one message');
    await w.teardown();
    await fresh();
    before = calls();
    const fromHarness = await walkByOps({ op: (o) => w.op(o), xattrs: false }, 1 << 20, 24);
    assert.is(calls() - before, 15, 'the harness walk is one message per op');
    await w.teardown();
    assert.equal(timeless(inChild), timeless(fromHarness));
    assert.equal(inChild.map((i) => i.path).sort(), ['d', 'd/e', 'd/e/g', 'd/f', 'd/new', 'd/u', 'l']);
  } finally {
    await w.close();
  }
});

test.run();
