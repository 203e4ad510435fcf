// Stopping a daemon by umount(2) in one write to the agent: close every fd the scenario opened,
// look whether the daemon still runs (a dead one crashed during the scenario), unmount, and wait
// for its exit — four requests, one round trip. The wait runs only when the unmount succeeded
// (`ifok`); otherwise the daemon's group is killed and the mount detached, as stopDaemon does.

import type { Agent, AgentReply, AgentRequest } from './agent.js';
import { hostReply, okReply } from './ops.js';
import { getInt, getText } from './wire.js';
import { killGroup, stopFallback, type Liveness, type RunningDaemon, type StopResult } from './daemon.js';

/** how long a daemon may take to exit once unmounted before it is killed */
const EXIT_MS = 2000;

/** a waitpid reply as liveness; ECHILD: reaped already (by the look before the unmount) */
function livenessOf(r: AgentReply): Liveness {
  if (r.kind === 'err' && r.errno === 'ECHILD') return { alive: false, status: -1, signal: 0 };
  const ok = okReply('waitpid', r);
  return getText(ok.fields, 'exited') === '1' ? { alive: false, status: getInt(ok.fields, 'status') ?? 0, signal: getInt(ok.fields, 'signal') ?? 0 } : { alive: true };
}

/**
 * Stop a daemon by umount(2): `before` is whether it still ran when the stop began (for a daemon
 * in the background, which cannot be watched, always alive). Throws only when the agent fails.
 */
export async function stopByUmount(agent: Agent, d: RunningDaemon, opts: { closeFirst?: boolean; timeoutMs?: number } = {}): Promise<{ before: Liveness; stop: StopResult }> {
  const t0 = performance.now();
  const ms = opts.timeoutMs ?? 5000;
  const reqs: AgentRequest[] = [];
  if (opts.closeFirst) reqs.push({ op: 'closeall' });
  if (d.foreground) reqs.push({ op: 'waitpid', args: { pid: d.pid, nohang: true } });
  reqs.push({ op: 'umount', args: { target: d.mountpoint } });
  if (d.foreground) reqs.push({ op: 'waitpid', args: { pid: d.pid, timeout: EXIT_MS, ifok: true } });
  const replies = await agent.pipeline(reqs, { timeoutMs: Math.max(ms, EXIT_MS) + 5000 });
  let i = 0;
  if (opts.closeFirst) okReply('closeall', replies[i++]);
  const before: Liveness = d.foreground ? livenessOf(replies[i++]) : { alive: true };
  const u = hostReply('umount', replies[i++]);
  if (u.ok) {
    if (!d.foreground) return { before, stop: { how: 'umount', ms: performance.now() - t0 } };
    const ended = livenessOf(replies[i]);
    if (!ended.alive) return { before, stop: { how: 'umount', ms: performance.now() - t0 } };
    await killGroup(agent, d.pid);
    return { before, stop: { how: 'umount', ms: performance.now() - t0, detail: 'the daemon outlived its unmount and was killed' } };
  }
  return { before, stop: await stopFallback(agent, d, `umount: ${u.errno}${u.message ? ` (${u.message})` : ''}`, t0) };
}
