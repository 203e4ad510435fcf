// tier: system
// Starting a daemon ready by its mount in one write (daemonstart.ts): spawn, the wait for its
// mount and what follows it (root) when it mounts; a command that cannot be started, or one that
// exits before mounting, leaves what follows not run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { skipReason } from '../../helpers/env.js';
import { scaled } from '../../helpers/wait.js';
import { agentSandbox } from '../../helpers/agents.js';
import { agentAvailable } from '../../../adapters/host/agent.js';
import { spawnMounted } from '../../../adapters/host/daemonstart.js';
import { kill, umount } from '../../../adapters/host/ops.js';

const avail = agentAvailable();
const why = skipReason('root', 'cc') ?? (avail.ok ? undefined : `native agent unavailable: ${avail.reason}`);
const t = (title: string, fn: () => Promise<void>) => (why ? (console.log(`  SKIP ${title}: ${why}`), test.skip(title, fn)) : test(title, fn));

const { base, agent, cleanup } = agentSandbox('ovlconf-start-test-');
let n = 0;
const fresh = () => {
  const m = join(base, `m${++n}`);
  mkdirSync(m);
  return m;
};
const spec = (m: string, argv: string[]) => ({ argv, log: join(base, `log${n}`), mountpoint: m, timeoutMs: scaled(10_000), fstype: 'tmpfs' });

t('A daemon that mounts is started, waited for and made the root in one write: its pid, the type mounted, root\'s reply', async () => {
  const a = await agent();
  const m = fresh();
  const s = await spawnMounted(a, spec(m, ['sh', '-c', `mount -t tmpfs none ${m} && exec sleep 1000`]), [{ op: 'root', args: { path: m } }]);
  assert.ok(s.started);
  if (!s.started) return;
  assert.ok(a.children.has(s.pid), 'the spawned pid is the daemon\'s');
  assert.equal(s.wait, { ok: true });
  assert.is(s.fstype, 'tmpfs');
  assert.is(s.after.length, 1);
  assert.is(s.after[0].kind, 'ok');
  assert.is(a.root, m);
  await kill(a, s.pid);
  assert.equal(await umount(a, m), { ok: true });
});

t('A command that cannot be started says why, and nothing after it runs', async () => {
  const a = await agent();
  const m = fresh();
  const s = await spawnMounted(a, spec(m, ['/nonexistent/daemon']), [{ op: 'root', args: { path: m } }]);
  assert.equal(s, { started: false, errno: 'ENOENT', detail: 'cannot start /nonexistent/daemon' });
  assert.is(a.root, undefined);
});

t('A daemon that exits before mounting ends the wait with ECHILD (reaped), and the root is not set', async () => {
  const a = await agent();
  const m = fresh();
  const s = await spawnMounted(a, spec(m, ['sh', '-c', 'exit 3']), [{ op: 'root', args: { path: m } }]);
  assert.ok(s.started);
  if (!s.started) return;
  assert.is(s.wait.ok, false);
  if (!s.wait.ok) assert.match(`${s.wait.errno} ${s.wait.message}`, /^ECHILD .*exited with status 3 before mounting/);
  assert.not.ok(a.children.has(s.pid), 'reaped by the wait');
  assert.is(s.after[0].kind, 'err');
  assert.is(s.after[0].errno, 'ECANCELED');
  assert.is(a.root, undefined);
});

test.after(cleanup);
test.run();
