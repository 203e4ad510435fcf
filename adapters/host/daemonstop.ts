// Stopping a daemon by umount(2) in one write to the agent: close every fd the scenario opened,
// look whether the daemon still runs (a dead one crashed during the scenario), unmount, and wait
// for its exit — four requests, one round trip. The wait runs only when the unmount succeeded
// (`ifok`); otherwise the daemon's group is killed and the mount detached, as stopDaemon does.
// What the caller does next once the daemon is gone (hand the scenario to the reaper, start the
// next daemon) may ride in the same write: it runs only when the daemon exited after its unmount
// (`waitpid gone=1`, then `ifok`), which is exactly when the stop went the normal way.

import type { Agent, AgentReply, AgentRequest } from './agent.js';
import { hostReply, okReply } from './ops.js';
import { getInt, getText } from './wire.js';
import { killGroup, stopFallback, type Liveness, type RunningDaemon, type StopResult } from './daemon.js';

/** how long a daemon may take to exit once unmounted before it is killed */
const EXIT_MS = 2000;

/** a waitpid reply as liveness; ECHILD: reaped already (by the look before the unmount); ETIMEDOUT (gone=1): still running */
function livenessOf(r: AgentReply): Liveness {
  if (r.kind === 'err' && r.errno === 'ECHILD') return { alive: false, status: -1, signal: 0 };
  if (r.kind === 'err' && r.errno === 'ETIMEDOUT') return { alive: true };
  const ok = okReply('waitpid', r);
  return getText(ok.fields, 'exited') === '1' ? { alive: false, status: getInt(ok.fields, 'status') ?? 0, signal: getInt(ok.fields, 'signal') ?? 0 } : { alive: true };
}

/**
 * Stop a daemon by umount(2): `before` is whether it still ran when the stop began (for a daemon
 * in the background, which cannot be watched, always alive). `then`: requests sent in the same
 * write, run only when the stop went the normal way (the first one `ifok` on the daemon's exit, or
 * on the unmount of a daemon in the background); their replies are `after` (ECANCELED when not
 * run: the caller then does what they do itself). Throws only when the agent fails.
 */
export async function stopByUmount(agent: Agent, d: RunningDaemon, opts: { closeFirst?: boolean; timeoutMs?: number; then?: readonly AgentRequest[]; thenMs?: number } = {}): Promise<{ before: Liveness; stop: StopResult; after: AgentReply[] }> {
  const t0 = performance.now();
  const ms = opts.timeoutMs ?? 5000;
  const reqs: AgentRequest[] = [];
  if (opts.closeFirst) reqs.push({ op: 'closeall' });
  if (d.foreground) reqs.push({ op: 'waitpid', args: { pid: d.pid, nohang: true } });
  reqs.push({ op: 'umount', args: { target: d.mountpoint } });
  if (d.foreground) reqs.push({ op: 'waitpid', args: { pid: d.pid, timeout: EXIT_MS, ifok: true, gone: true } });
  const then = opts.then ?? [];
  const sent = reqs.length;
  reqs.push(...then.map((r, i) => (i === 0 ? { ...r, args: { ...r.args, ifok: true } } : r)));
  // each op's client timeout covers the longest wait among them (thenMs: the agent-side wait of a request in `then`)
  const replies = await agent.pipeline(reqs, { timeoutMs: Math.max(ms, EXIT_MS, opts.thenMs ?? 0) + 5000 });
  const after = replies.slice(sent);
  let i = 0;
  if (opts.closeFirst) okReply('closeall', replies[i++]);
  const before: Liveness = d.foreground ? livenessOf(replies[i++]) : { alive: true };
  const u = hostReply('umount', replies[i++]);
  if (u.ok) {
    if (!d.foreground) return { before, stop: { how: 'umount', ms: performance.now() - t0 }, after };
    const ended = livenessOf(replies[i]);
    if (!ended.alive) return { before, stop: { how: 'umount', ms: performance.now() - t0 }, after };
    await killGroup(agent, d.pid);
    return { before, stop: { how: 'umount', ms: performance.now() - t0, detail: 'the daemon outlived its unmount and was killed' }, after };
  }
  return { before, stop: await stopFallback(agent, d, `umount: ${u.errno}${u.message ? ` (${u.message})` : ''}`, t0), after };
}
