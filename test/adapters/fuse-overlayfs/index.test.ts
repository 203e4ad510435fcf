// tier: system
// The fuse-overlayfs daemon's lifecycle under a worker: started in the agent's namespace, ready
// when mounted, stopped by umount(2); a daemon killed (-9) or stopped (SIGSTOP) mid-scenario
// becomes `error` and leaves neither a mount nor a process behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedOp, Worker } from '../../../adapters/adapter.js';
import { fuseOverlayAdapter } from '../../../adapters/fuse-overlayfs/index.js';
import type { FuseOverlayWorker } from '../../../adapters/fuse-overlayfs/worker.js';
import { classify } from '../../../engine/classify.js';
import { execute, withTimeout, WorkerBroken } from '../../../engine/executor.js';
import { skipReason } from '../../helpers/env.js';
import { scenario } from '../../helpers/scenario.js';
import { scaled, until } from '../../helpers/wait.js';

const why = skipReason('root', 'fuse', 'fuseOverlayfs');
const t = (title: string, fn: () => Promise<void>) => (why ? (console.log(`  SKIP ${title}: ${why}`), test.skip(title, fn)) : test(title, fn));

const base = mkdtempSync(join(tmpdir(), 'ovlconf-fo-test-'));
let n = 0;
const worker = async (variant = 'default') => (await fuseOverlayAdapter.createWorker(variant, { workdir: join(base, `w${++n}`), index: 0 })) as FuseOverlayWorker;

/** whether a pid is a live process (a zombie waiting for init counts as gone) */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
const fuseMountsOf = (pid: number) => (existsSync(`/proc/${pid}/mountinfo`) ? readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').filter((l) => / - fuse/.test(l)) : []);

const [s] = scenario(`id: t/read
title: reading a lower file through the merged view
behaviour: [LK-001]
layers:
  lower:
    - { a: "A", d/x: "x" }
steps:
  - readfile: a
    expect: { data: "A" }
  - unlink: d/x
  - readdir: d
    expect: { entries: [] }
after:
  upper: { d/x: !whiteout }
`);

t('A daemon starts in the agent\'s namespace, serves the scenario and is gone after teardown', async () => {
  const w = await worker();
  try {
    const rec = await execute(w, s, { runId: 'r1' });
    assert.is(classify(s, rec, new Map()).verdict, 'pass', JSON.stringify(rec.steps.map((x) => x.outcome)));
    assert.is(w.timings.starts.length, 1);
    assert.is(w.timings.stops.length, 1);
    assert.is(w.lastStop?.how, 'umount', 'stopped by umount(2), not the fallback');
    assert.is(w.daemonPid, undefined);
    assert.equal(fuseMountsOf(w.agentPid), [], 'no FUSE mount left in the agent\'s namespace');
    assert.not.match(readFileSync('/proc/self/mountinfo', 'utf8'), /fuse-overlayfs/);
  } finally {
    await w.close();
  }
  // the teardown hands the scenario directory to the agent's reaper; closing waits for it
  assert.not.ok(existsSync(join(base, `w${n}`, 'r1')), 'the scenario directory is deleted by the time the worker closed');
});

t('The final-state check is one write (listing, stop, the next daemon\'s start, listing): the same tree warm and cold, two starts, two stops, nothing left', async () => {
  const w = await worker();
  const writes: string[] = [];
  const a = w.hostAgent;
  const each = a.pipelineEach!.bind(a);
  a.pipelineEach = (reqs, o) => (writes.push(reqs.map((r) => r.op).join(' ')), each(reqs, o));
  try {
    const rec = await execute(w, s, { runId: 'r3', finalState: true });
    assert.ok(writes.includes('tree closeall waitpid umount waitpid spawn waitmount root tree'), writes.join('\n'));
    assert.is(classify(s, rec, new Map()).verdict, 'pass', JSON.stringify(rec.final));
    assert.ok(rec.final && 'cold' in rec.final, 'a cold snapshot was made');
    if (rec.final && 'cold' in rec.final) assert.equal(rec.final.cold, rec.final.warm);
    assert.is(w.timings.starts.length, 2);
    assert.is(w.timings.stops.length, 2);
    assert.equal(fuseMountsOf(w.agentPid), []);
  } finally {
    await w.close();
  }
  assert.not.ok(existsSync(join(base, `w${n}`, 'r3')), 'the scenario directory is deleted by the time the worker closed');
});

t('The fingerprint carries the version without the lazytime noise and the effective options', async () => {
  const w = await worker('static_nlink');
  try {
    const fp = await w.fingerprint();
    assert.is(fp.implementation, 'fuse-overlayfs');
    assert.match(fp.version ?? '', /^\d+\.\d+/);
    assert.is(fp.options.static_nlink, 'on');
    assert.not.match(String(fp.details?.versionText), /lazytime/);
  } finally {
    await w.close();
  }
});

/** a worker whose first op kills (or stops) the daemon before running */
function sabotaged(w: FuseOverlayWorker, signal: NodeJS.Signals): Worker {
  let done = false;
  return Object.assign(Object.create(null) as Worker, {
    capabilities: w.capabilities, maxLowers: w.maxLowers,
    fingerprint: () => w.fingerprint(), setup: w.setup.bind(w), remount: w.remount.bind(w), editLayer: w.editLayer.bind(w),
    inspect: w.inspect.bind(w), teardown: w.teardown.bind(w), close: w.close.bind(w), kill: w.kill.bind(w),
    op: (op: ResolvedOp) => {
      if (!done && w.daemonPid) process.kill(w.daemonPid, signal);
      done = true;
      return w.op(op);
    },
  });
}

t('A daemon killed with SIGKILL mid-scenario is the implementation\'s crash: a fail naming the signal, and its mount is removed', async () => {
  const w = await worker();
  try {
    const broken = await execute(sabotaged(w, 'SIGKILL'), s, { runId: 'r2' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(broken, WorkerBroken);
    const rec = (broken as WorkerBroken & { record: Parameters<typeof classify>[1] }).record;
    const c = classify(s, rec, new Map());
    assert.is(c.verdict, 'fail');
    assert.match(c.reason ?? '', /crashed.*fuse-overlayfs.*killed by signal 9 \(SIGKILL\)/);
    assert.equal(fuseMountsOf(w.agentPid), [], 'umount(2) removed the dead daemon\'s mount');
    assert.is(w.lastStop?.how, 'umount', 'a dead daemon\'s mount needs no fallback');
  } finally {
    await w.kill();
  }
});

t('A daemon stopped with SIGSTOP times the step out, and killing the worker leaves no process or mount', async () => {
  const w = await worker();
  const rec = await w.setup(s.layers, { runId: 'r3', timeoutMs: scaled(5000), lowerCount: 1 });
  assert.ok(rec.ok);
  const pid = w.daemonPid!;
  const agentPid = w.agentPid;
  assert.is(fuseMountsOf(agentPid).length, 1);
  process.kill(pid, 'SIGSTOP');
  const err = await withTimeout(w.op({ op: 'readfile', args: { path: 'a' } }), 500, 'readfile').catch((e: unknown) => e);
  assert.instance(err, WorkerBroken);
  await w.kill();
  assert.ok(await until(() => !alive(pid), 3000), 'the stopped daemon was killed');
  assert.ok(await until(() => !alive(agentPid), 3000), 'the agent is gone, and its mount namespace with it');
  assert.not.match(readFileSync('/proc/self/mountinfo', 'utf8'), /fuse-overlayfs/);
});

t('The unprivileged variant mounts as root of a user namespace and records opaque dirs in user.fuseoverlayfs.opaque', async () => {
  const w = await worker('unprivileged');
  try {
    const [o] = scenario(`id: t/opaque
title: rm -r then mkdir
behaviour: [OP-003]
layers:
  lower:
    - { d/x: "x" }
steps:
  - unlink: d/x
  - rmdir: d
  - mkdir: d
  - readdir: d
    expect: { entries: [] }
after:
  upper: { d: { type: dir, opaque: y } }
`);
    const rec = await execute(w, o, { runId: 'r4' });
    assert.is(classify(o, rec, new Map()).verdict, 'pass', JSON.stringify(rec));
    assert.is((await w.fingerprint()).details?.userNamespace, true);
  } finally {
    await w.close();
  }
});

test.after(() => rmSync(base, { recursive: true, force: true }));
test.run();
