// tier: system
// Waiting on a daemon through the agent: for its exit (the agent sleeps until the child's pidfd
// says so, for at most the wait given) and for its mount (woken by the mount table's change).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { skipReason } from '../../helpers/env.js';
import { scaled } from '../../helpers/wait.js';
import { agentSandbox } from '../../helpers/agents.js';
import { agentAvailable, type Agent } from '../../../adapters/host/agent.js';
import { killGroup, startDaemon, waitExit } from '../../../adapters/host/daemon.js';
import { spawn, umount, waitmount } from '../../../adapters/host/ops.js';

const avail = agentAvailable();
const why = skipReason('root', 'cc') ?? (avail.ok ? undefined : `native agent unavailable: ${avail.reason}`);
const t = (title: string, fn: () => Promise<void>) => (why ? (console.log(`  SKIP ${title}: ${why}`), test.skip(title, fn)) : test(title, fn));

const { base, agent, cleanup } = agentSandbox('ovlconf-daemon-test-');
const running = (pid: number) => {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

t('waitExit returns how a spawned process ended once it exits within the wait', async () => {
  const a = await agent();
  const pid = await spawn(a, ['sh', '-c', 'sleep 0.2; exit 4']);
  assert.equal(await waitExit(a, pid, scaled(10_000)), { alive: false, status: 4, signal: 0 });
  assert.not.ok(a.children.has(pid), 'reaped');
});

t('waitExit gives up after its wait, leaving a process that still runs alone (and the agent answering)', async () => {
  const a = await agent();
  const pid = await spawn(a, ['sleep', '1000']);
  assert.is(await waitExit(a, pid, 100), undefined);
  assert.ok(running(pid), 'not killed by the wait');
  assert.is((await a.request('ping')).kind, 'ok');
  await killGroup(a, pid);
  assert.not.ok(running(pid));
});

t('waitExit reports a process killed by a signal', async () => {
  const a = await agent();
  const pid = await spawn(a, ['sh', '-c', 'kill -KILL $$']);
  assert.equal(await waitExit(a, pid, scaled(10_000)), { alive: false, status: 0, signal: 9 });
});

t('waitmount sees a mount a child makes after the wait began, and ECHILD when the child exits without one', async () => {
  const a = await agent();
  const d = join(base, 'later');
  mkdirSync(d);
  const pid = await spawn(a, ['sh', '-c', `sleep 0.2; mount -t tmpfs none ${d}; exec sleep 1000`]);
  assert.equal(await waitmount(a, d, { timeoutMs: scaled(10_000), fstype: 'tmpfs', pid }), { ok: true });
  await killGroup(a, pid);
  assert.equal(await umount(a, d), { ok: true });
  const quits = await spawn(a, ['sh', '-c', 'sleep 0.2; exit 0']);
  const r = await waitmount(a, d, { timeoutMs: scaled(10_000), fstype: 'tmpfs', pid: quits });
  assert.is(r.ok ? 'ok' : r.errno, 'ECHILD');
});

/** the per-mount flags of the topmost mount at d in the agent's namespace (mountinfo's sixth field) */
const flagsAt = (a: Agent, d: string): string[] => {
  const rows = readFileSync(`/proc/${a.pid}/mountinfo`, 'utf8').split('\n').map((l) => l.split(' ')).filter((f) => f[4] === d);
  return (rows.at(-1)?.[5] ?? '').split(',');
};

t('a daemon mounted nodev (libfuse\'s default for root) keeps device semantics when the scenario declares device-open, and is nodev,nosuid otherwise', async () => {
  const a = await agent();
  for (const dev of [true, false]) {
    const d = join(base, `dev-${dev}`);
    mkdirSync(d);
    const r = await startDaemon(a, { argv: ['sh', '-c', `mount -t tmpfs -o nodev none ${d}; exec sleep 1000`], mountpoint: d, log: join(base, `dev-${dev}.log`), timeoutMs: scaled(10_000), ready: { mount: { fstype: 'tmpfs' } }, dev });
    assert.ok(r.ok, JSON.stringify(r));
    const flags = flagsAt(a, d);
    assert.is(flags.includes('nodev'), !dev, `dev=${dev}: ${flags}`);
    assert.ok(flags.includes('nosuid'), `dev=${dev}: ${flags}`);
    if (r.ok) await killGroup(a, r.daemon.pid);
    assert.equal(await umount(a, d), { ok: true });
  }
});

test.after(cleanup);
test.run();
