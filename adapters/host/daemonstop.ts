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

/** What a stop by umount(2) may carry: close every fd first, requests behind it, and whether it is itself behind another request (`chained`: every request `ifok`). */
export interface StopOpts {
  closeFirst?: boolean;
  then?: readonly AgentRequest[];
  chained?: boolean;
}

/** The stop's requests with `then` behind them (the first of `then` ifok on the daemon's exit, or on the unmount of a daemon in the background). */
export function stopRequests(d: RunningDaemon, opts: StopOpts = {}): AgentRequest[] {
  const own: AgentRequest[] = [];
  if (opts.closeFirst) own.push({ op: 'closeall' });
  if (d.foreground) own.push({ op: 'waitpid', args: { pid: d.pid, nohang: true } });
  own.push({ op: 'umount', args: { target: d.mountpoint } });
  if (d.foreground) own.push({ op: 'waitpid', args: { pid: d.pid, timeout: EXIT_MS, ifok: true, gone: true } });
  const stop = opts.chained ? own.map((r) => ({ ...r, args: { ...r.args, ifok: true } })) : own;
  return [...stop, ...(opts.then ?? []).map((r, i) => (i === 0 ? { ...r, args: { ...r.args, ifok: true } } : r))];
}

/**
 * Judge a stop's replies (from its first request on, `then`'s included), begun at t0: `before` is
 * whether the daemon still ran when the stop began (for a daemon in the background, which cannot
 * be watched, always alive); `after` the replies to `then` (ECANCELED when not run: the stop did
 * not go the normal way, and the caller does what they do itself). A daemon that outlived its
 * unmount is killed, a refused unmount falls back (group killed, mount detached).
 */
export async function stopReplies(agent: Agent, d: RunningDaemon, replies: readonly AgentReply[], opts: StopOpts, t0: number): Promise<{ before: Liveness; stop: StopResult; after: AgentReply[] }> {
  const after = replies.slice(replies.length - (opts.then?.length ?? 0));
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

/**
 * Stop a daemon by umount(2) in one write, `then` behind it (see stopRequests and stopReplies);
 * thenMs: the longest agent-side wait of a request in `then`. Throws only when the agent fails.
 */
export async function stopByUmount(agent: Agent, d: RunningDaemon, opts: StopOpts & { timeoutMs?: number; thenMs?: number } = {}): Promise<{ before: Liveness; stop: StopResult; after: AgentReply[] }> {
  const t0 = performance.now();
  const ms = opts.timeoutMs ?? 5000;
  // each op's client timeout covers the longest wait among them
  const replies = await agent.pipeline(stopRequests(d, opts), { timeoutMs: Math.max(ms, EXIT_MS, opts.thenMs ?? 0) + 5000 });
  return stopReplies(agent, d, replies, opts, t0);
}
