// tier: system
// The command adapter's lifecycle on real mounts (the kernel overlay through mount(8), so no FUSE
// is needed): a command that returns once mounted, layers read back in the kernel's format, an
// opaque format skipping the layer checks, a command that never mounts or hangs on a later mount
// turning into `error`, and a daemon gone to the background ended with its mount — never leaked.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from '../../../adapters/adapter.js';
import { loadCommandAdapter } from '../../../adapters/command/index.js';
import type { CommandWorker } from '../../../adapters/command/worker.js';
import { classify } from '../../../engine/classify.js';
import { execute } from '../../../engine/executor.js';
import { skipReason } from '../../helpers/env.js';
import { scenario } from '../../helpers/scenario.js';
import { scaled, until } from '../../helpers/wait.js';

const why = skipReason('root', 'overlay');
const t = (title: string, fn: () => Promise<void>) => (why ? (console.log(`  SKIP ${title}: ${why}`), test.skip(title, fn)) : test(title, fn));
const base = mkdtempSync(join(tmpdir(), 'ovlconf-cmd-test-'));
let n = 0;

const MOUNT = 'mount -t overlay overlay -o "lowerdir=$1${2:+,upperdir=$2,workdir=$3}" "$0"';

/** a config mounting the kernel overlay with a shell command (`sh -c SCRIPT {merged} lowers upper work`) */
function config(extra: { script?: string; format?: string; ready?: string; foreground?: boolean } = {}): string {
  const file = join(base, `c${++n}.yaml`);
  writeFileSync(file, `implementation: my-overlay
mount:
  argv: [sh, -c, { raw: ${JSON.stringify(extra.script ?? MOUNT)} }, '{merged}', '{lowers}', '[{upper}]', '[{work}]']
  foreground: ${extra.foreground ?? false}
ready: ${extra.ready ?? '{ exit: true, timeoutMs: 3000 }'}
format: ${extra.format ?? 'kernel'}
capabilities: { atime: 'not set up' }
variants:
  - name: default
`);
  return file;
}

const worker = async (file: string) => (await (await loadCommandAdapter(file)).createWorker('default', { workdir: join(base, `w${++n}`), index: 0 })) as CommandWorker;
const ourMounts = () => readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(base));
/** live processes whose command line contains text */
const processesWith = (text: string) => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
  try {
    return readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(text) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${p}/stat`, 'utf8'));
  } catch {
    return false;
  }
});

const [s] = scenario(`id: t/unlink
title: unlinking a lower file leaves a whiteout
behaviour: [WH-001]
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
  lower: unchanged
`);

async function verdictOf(w: Worker, runId: string) {
  const rec = await execute(w, s, { runId });
  return classify(s, rec, new Map());
}

/** a sleep command line no other test run on this machine shares (other checkouts may run this file at once) */
const sleeper = (n: number) => `sleep 987.${String(process.pid).padStart(7, '0')}${n}`;

t('A command that returns once mounted serves a scenario and its upper is read back in the kernel format', async () => {
  const w = await worker(config());
  try {
    const c = await verdictOf(w, 'k1');
    assert.is(c.verdict, 'pass', c.reason);
    assert.equal(c.notes, []);
    assert.is(w.lastStop?.how, 'umount');
    const fp = await w.fingerprint();
    assert.is(fp.implementation, 'my-overlay');
    assert.is(fp.details?.fstype, 'overlay');
    assert.is(w.capabilities['overlay-magic'], true, 'statfs of the probe mount showed the overlay magic');
  } finally {
    await w.close();
  }
  assert.equal(ourMounts(), []);
});

t('An opaque format runs the steps but skips the layer checks with its reason', async () => {
  const w = await worker(config({ format: 'opaque' }));
  try {
    const c = await verdictOf(w, 'k2');
    assert.is(c.verdict, 'pass', c.reason);
    assert.match(c.notes.join(' '), /layer-state checks skipped: .*declares the layer format opaque/);
    assert.match(String(w.capabilities.whiteout), /opaque/);
  } finally {
    await w.close();
  }
});

t('A command that never mounts fails the worker with its reason and leaves nothing running', async () => {
  const file = config({ script: `exec ${sleeper(1)}`, foreground: true, ready: '{ mount: true, timeoutMs: 800 }' });
  const e = await worker(file).then(() => undefined, (x: unknown) => x as Error);
  assert.ok(e, 'creating the worker failed');
  assert.match(e!.message, /^sh did not mount: no mount at .* after 800 ms/);
  assert.ok(await until(() => processesWith(sleeper(1)).length === 0, 3000), 'the hung command was killed');
  assert.equal(ourMounts(), []);
});

t('A mount that hangs after the probe makes that scenario an error and the next one still runs', async () => {
  // inside the sandbox of the worker made below (w<n+2>): the agent's root holds nothing else
  const flag = join(base, `w${n + 2}`, 'flag');
  const script = `if [ -e ${flag} ] && [ ! -e ${flag}.ok ]; then touch ${flag}.ok; exec ${sleeper(2)}; fi; touch ${flag}; ${MOUNT}`;
  const w = await worker(config({ script, ready: '{ exit: true, timeoutMs: 800 }' }));
  try {
    const c = await verdictOf(w, 'k3');
    assert.is(c.verdict, 'error');
    assert.match(c.reason ?? '', /^setup failed: sh did not mount: it did not exit within 800 ms/);
    assert.ok(await until(() => processesWith(sleeper(2)).length === 0, 3000), 'the hung mount command was killed');
    assert.is((await verdictOf(w, 'k4')).verdict, 'pass', 'the worker goes on');
  } finally {
    await w.close();
  }
  assert.equal(ourMounts(), []);
});

t('A daemon that went to the background (setsid) is ended after the unmount and on kill', async () => {
  const script = `${MOUNT} && { setsid ${sleeper(3)} </dev/null >/dev/null 2>&1 & }`;
  const w = await worker(config({ script }));
  try {
    assert.is((await verdictOf(w, 'k5')).verdict, 'pass');
    assert.equal(processesWith(sleeper(3)), [], 'teardown ended the background process');
    const ok = await w.setup(s.layers, { runId: 'k6', timeoutMs: scaled(5000), lowerCount: 1 });
    assert.ok(ok.ok);
    // the script returns once mounted; its background `setsid` child may exec a moment later
    assert.ok(await until(() => processesWith(sleeper(3)).length === 1, 3000), 'the background process runs after setup');
  } finally {
    await w.kill();
  }
  assert.ok(await until(() => processesWith(sleeper(3)).length === 0, 3000), 'kill ended the background process too');
  assert.equal(ourMounts(), []);
});

test.after(() => rmSync(base, { recursive: true, force: true }));
test.run();
