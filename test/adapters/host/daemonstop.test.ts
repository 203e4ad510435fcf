// tier: system
// Stopping a daemon by umount(2) in one write: a daemon that exits on its unmount, one that
// outlives it (killed), one already dead (reported, its mount still removed), and an unmount
// refused because a file is open on the mount (the fallback: group killed, mount detached).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { skipReason } from '../../helpers/env.js';
import { scaled, until } from '../../helpers/wait.js';
import { agentSandbox } from '../../helpers/agents.js';
import { agentAvailable, type Agent } from '../../../adapters/host/agent.js';
import { startDaemon, type RunningDaemon } from '../../../adapters/host/daemon.js';
import { stopByUmount } from '../../../adapters/host/daemonstop.js';
import { setRoot, spawn, waitmount } from '../../../adapters/host/ops.js';

const avail = agentAvailable();
const why = skipReason('root', 'cc') ?? (avail.ok ? undefined : `native agent unavailable: ${avail.reason}`);
const t = (title: string, fn: () => Promise<void>, fuse = false) => {
  const w = why ?? (fuse ? skipReason('fuse', 'fuseOverlayfs') : undefined);
  return w ? (console.log(`  SKIP ${title}: ${w}`), test.skip(title, fn)) : test(title, fn);
};

const { base, agent, cleanup } = agentSandbox('ovlconf-stop-test-');
let n = 0;
const mountsOf = (a: Agent, dir: string) => readFileSync(`/proc/${a.pid}/mountinfo`, 'utf8').split('\n').filter((l) => l.split(' ')[4] === dir);
/** a stand-in daemon: mounts a tmpfs at a fresh directory and keeps running (its unmount does not end it) */
async function tmpfsHolder(a: Agent): Promise<RunningDaemon> {
  const m = join(base, `m${++n}`);
  mkdirSync(m);
  const pid = await spawn(a, ['sh', '-c', `mount -t tmpfs none ${m} && exec sleep 1000`]);
  assert.equal(await waitmount(a, m, { timeoutMs: scaled(10_000), fstype: 'tmpfs', pid }), { ok: true });
  return { pid, foreground: true, mountpoint: m, log: join(base, 'log'), fstype: 'tmpfs', startMs: 0 };
}

/** fuse-overlayfs over empty layers in a fresh directory under base, started through the agent */
async function startFuseOverlayfs(a: Agent): Promise<{ d: string; r: Awaited<ReturnType<typeof startDaemon>> }> {
  const d = join(base, `fo${++n}`);
  for (const s of ['l', 'u', 'w', 'm']) mkdirSync(join(d, s), { recursive: true });
  const r = await startDaemon(a, { argv: ['fuse-overlayfs', '-f', '-o', `lowerdir=${d}/l,upperdir=${d}/u,workdir=${d}/w`, `${d}/m`], mountpoint: `${d}/m`, log: `${d}/log`, timeoutMs: scaled(10_000) });
  return { d, r };
}

t('A FUSE daemon that exits on its unmount is stopped with nothing to report', async () => {
  const a = await agent();
  const { d, r } = await startFuseOverlayfs(a);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  if (!r.ok) return;
  await setRoot(a, `${d}/m`);
  const { before, stop } = await stopByUmount(a, r.daemon, { closeFirst: true });
  assert.equal(before, { alive: true });
  assert.is(stop.how, 'umount');
  assert.is(stop.detail, undefined);
  assert.not.ok(a.children.has(r.daemon.pid), 'reaped');
  assert.equal(mountsOf(a, `${d}/m`), []);
}, true);

t('A daemon that outlives its unmount is killed, and says so', async () => {
  const a = await agent();
  const d = await tmpfsHolder(a);
  const { before, stop } = await stopByUmount(a, d);
  assert.equal(before, { alive: true });
  assert.is(stop.how, 'umount');
  assert.match(stop.detail ?? '', /outlived its unmount and was killed/);
  assert.not.ok(a.children.has(d.pid));
  assert.equal(mountsOf(a, d.mountpoint), []);
});

t('A daemon found dead is reported as such, and its mount is still removed', async () => {
  const a = await agent();
  const d = await tmpfsHolder(a);
  process.kill(d.pid, 'SIGKILL');
  assert.ok(await until(() => / Z /.test(readFileSync(`/proc/${d.pid}/stat`, 'utf8')), 3000), 'dead, not yet reaped');
  const { before, stop } = await stopByUmount(a, d);
  assert.is(before.alive, false);
  assert.is(stop.how, 'umount');
  assert.equal(mountsOf(a, d.mountpoint), []);
});

t('An unmount refused (a file open on the mount) falls back: the group killed, the mount detached', async () => {
  const a = await agent();
  const d = await tmpfsHolder(a);
  await setRoot(a, d.mountpoint);
  assert.is((await a.request('open', { path: 'f', flags: 'O_CREAT,O_RDWR', mode: 0o644 })).kind, 'ok');
  const { stop } = await stopByUmount(a, d);
  assert.is(stop.how, 'fallback');
  assert.match(stop.detail ?? '', /^umount: EBUSY/);
  assert.not.ok(a.children.has(d.pid));
  assert.equal(mountsOf(a, d.mountpoint), []);
});

t('What rides behind the stop runs once the daemon exited after its unmount', async () => {
  const a = await agent();
  const { d, r } = await startFuseOverlayfs(a);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  if (!r.ok) return;
  const { stop, after } = await stopByUmount(a, r.daemon, { closeFirst: true, then: [{ op: 'mkdirp', args: { path: `${d}/after` } }] });
  assert.is(stop.how, 'umount');
  assert.is(after.length, 1);
  assert.is(after[0].kind, 'ok');
  assert.ok(existsSync(`${d}/after`));
}, true);

t('What rides behind the stop is not run when the daemon outlived its unmount or was found dead', async () => {
  const a = await agent();
  for (const dead of [false, true]) {
    const d = await tmpfsHolder(a);
    if (dead) {
      process.kill(d.pid, 'SIGKILL');
      assert.ok(await until(() => / Z /.test(readFileSync(`/proc/${d.pid}/stat`, 'utf8')), 3000), 'dead, not yet reaped');
    }
    const { before, stop, after } = await stopByUmount(a, d, { then: [{ op: 'mkdirp', args: { path: `${d.mountpoint}-after` } }] });
    assert.is(before.alive, !dead);
    assert.is(stop.how, 'umount');
    if (!dead) assert.match(stop.detail ?? '', /outlived its unmount and was killed/);
    assert.is(after[0].kind, 'err', `dead=${dead} after=${JSON.stringify(after)} stop=${JSON.stringify(stop)}`);
    assert.is(after[0].errno, 'ECANCELED');
    assert.not.ok(existsSync(`${d.mountpoint}-after`));
    assert.not.ok(a.children.has(d.pid));
  }
});

test.after(cleanup);
test.run();
