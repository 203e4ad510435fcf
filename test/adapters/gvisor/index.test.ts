// tier: system
// The gVisor worker's lifecycle: the agent runs as the sandbox's init, a scenario's overlay is
// mounted inside the sandbox and its upper layer read back from there; a closed or killed worker
// leaves no runsc process and no runsc state behind; without runsc the adapter says why.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gvisorAdapter } from '../../../adapters/gvisor/index.js';
import { sandboxProcesses, stateDirOf } from '../../../adapters/gvisor/runsc.js';
import type { GvisorWorker } from '../../../adapters/gvisor/worker.js';
import { classify } from '../../../engine/classify.js';
import { execute } from '../../../engine/executor.js';
import { skipReason } from '../../helpers/env.js';
import { scenario } from '../../helpers/scenario.js';
import { until } from '../../helpers/wait.js';

const why = skipReason('root', 'runsc');
const t = (title: string, fn: () => Promise<void>) => (why ? (console.log(`  SKIP ${title}: ${why}`), test.skip(title, fn)) : test(title, fn));

// runsc's sandbox process must traverse down to the worker's state (a mkdtemp directory is 0700)
const base = mkdtempSync(join(tmpdir(), 'ovlconf-gv-test-'));
chmodSync(base, 0o711);
let n = 0;
const worker = async () => {
  const workdir = join(base, `w${++n}`);
  return { w: (await gvisorAdapter.createWorker('default', { workdir, index: 0 })) as GvisorWorker, workdir };
};

/** whether a pid is a live process (a zombie counts as gone) */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const [s] = scenario(`id: t/gv
title: a lower file removed and another written through gVisor's overlay
behaviour: [WH-001]
layers:
  lower:
    - { a: "A", d/x: "x" }
  upper: {}
steps:
  - readfile: a
    expect: { data: "A" }
  - unlink: d/x
  - readdir: d
    expect: { entries: [] }
  - writefile: { path: a, data: "B" }
after:
  upper: { d/x: !whiteout, a: "B" }
  lower: unchanged
`);

t('A scenario runs inside the sandbox and its upper layer (a whiteout, a copied-up file) is read back from there', async () => {
  const { w } = await worker();
  try {
    assert.is(w.hostAgent.info.pid, 1, 'the agent is the sandbox\'s init');
    assert.is(w.hostAgent.info.ns, 'chroot', 'the agent is confined to its own root inside the sandbox');
    const rec = await execute(w, s, { runId: 'r1' });
    assert.is(classify(s, rec, new Map()).verdict, 'pass', JSON.stringify(rec.steps.map((x) => x.outcome)));
    const fp = await w.fingerprint();
    assert.is(fp.implementation, 'gvisor');
    assert.match(fp.version ?? '', /^\d{8}/);
    assert.is(w.capabilities['layer-state'], true);
    assert.type(w.capabilities['mount-options'], 'string');
  } finally {
    await w.close();
  }
});

t('A lower-layer symlink to a host file resolves inside the agent\'s root, not on the host', async () => {
  const { w, workdir } = await worker();
  const canary = join(workdir, '..', `canary-${process.pid}`);
  writeFileSync(canary, 'HOST SECRET');
  try {
    const [leak] = scenario(`id: t/gv-leak
title: a symlink out of the sandbox
behaviour: [LK-001]
layers:
  lower:
    - { l: !symlink ${canary} }
steps:
  - readfile: l
    expect: { errno: ENOENT }
`);
    const rec = await execute(w, leak, { runId: 'r2' });
    assert.not.ok(JSON.stringify(rec).includes('HOST SECRET'), 'the host file is not read');
    assert.is(classify(leak, rec, new Map()).verdict, 'pass', JSON.stringify(rec.steps.map((x) => x.outcome)));
  } finally {
    rmSync(canary, { force: true });
    await w.close();
  }
});

t('A closed worker leaves no runsc process and no runsc state in its directory', async () => {
  const { w, workdir } = await worker();
  const runsc = w.hostAgent.pid;
  assert.ok(sandboxProcesses(workdir).length > 0, 'the sandbox and gofer name the worker\'s state directory');
  await w.close();
  assert.ok(await until(() => !alive(runsc) && sandboxProcesses(workdir).length === 0, 10_000));
  assert.not.ok(existsSync(stateDirOf(workdir)));
});

t('A killed worker, mid-scenario with the overlay mounted, leaves no runsc process and no runsc state behind', async () => {
  const { w, workdir } = await worker();
  const runsc = w.hostAgent.pid;
  const set = await w.setup({ lowers: [{ a: { type: 'file', data: 'A' } }], upper: {} }, { runId: 'k1', timeoutMs: 10_000, lowerCount: 1 });
  assert.equal(set, { ok: true });
  const sandbox = sandboxProcesses(workdir);
  assert.ok(sandbox.length > 0);
  await w.kill();
  assert.ok(await until(() => !alive(runsc) && sandbox.every((p) => !alive(p)) && sandboxProcesses(workdir).length === 0, 10_000));
  assert.not.ok(existsSync(stateDirOf(workdir)));
});

test('Without runsc on PATH the adapter is unavailable and says what to install', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    const info = await gvisorAdapter.probe();
    assert.is(info.available, false);
    assert.match(info.reason ?? '', process.getuid?.() === 0 ? /runsc is not installed \(apt-get install runsc\)|binary missing/ : /root|binary missing/);
    assert.is(info.variants[0].available, false);
  } finally {
    process.env.PATH = path;
  }
});

test.after(() => rmSync(base, { recursive: true, force: true }));

test.run();
