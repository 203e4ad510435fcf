// Starting a daemon that is ready once its mount appears, in one write to the agent: spawn it,
// wait for its mount (`waitmount spawned=1`: the pid that spawn just answered) and run what the
// caller needs once it is mounted (the worker's `root`), each only when the one before succeeded
// (`ifok`): one round trip where there were three, twice a scenario. A worker that stops a daemon
// first may put these requests behind the stop's (daemonstop.ts) and parse the replies here.

import type { Agent, AgentReply, AgentRequest } from './agent.js';
import { AgentOpError, hostReply, okReply, type HostResult } from './ops.js';
import { getInt, getText } from './wire.js';

/** What the write gave: the spawn refused (as `spawn` throws it), or the pid and how the wait for its mount went. */
export type SpawnMounted =
  | { started: false; errno: string; detail?: string }
  | {
      started: true;
      pid: number;
      wait: HostResult;
      /** the type of the mount found, when the wait succeeded */
      fstype?: string;
      /** the replies to `then`, in order (each ECANCELED when the wait failed) */
      after: AgentReply[];
    };

/** What spawnMounted needs: the daemon's argv and log, where and how long to wait for which mount. */
export interface SpawnMountSpec {
  argv: string[];
  log: string;
  env?: Record<string, string>;
  mountpoint: string;
  timeoutMs: number;
  fstype?: string;
  dev?: boolean;
}

/** The requests: spawn, the wait for its mount, then `then`, each after the one before succeeded. */
export function spawnMountRequests(spec: SpawnMountSpec, then: readonly AgentRequest[] = []): AgentRequest[] {
  const env = spec.env ? Object.entries(spec.env).map(([k, v]) => `${k}=${v}`) : undefined;
  return [
    { op: 'spawn', args: { argv: spec.argv, log: spec.log, env } },
    { op: 'waitmount', args: { target: spec.mountpoint, timeout: spec.timeoutMs, fstype: spec.fstype, spawned: true, dev: spec.dev || undefined, ifok: true } },
    ...then.map((r) => ({ ...r, args: { ...r.args, ifok: true } })),
  ];
}

/** Spawn, wait for the mount and run `then` in one write; throws only what the agent itself fails with (as spawn and waitmount do). */
export async function spawnMounted(agent: Agent, spec: SpawnMountSpec, then: readonly AgentRequest[] = []): Promise<SpawnMounted> {
  // each op's own timeout, as the separate requests had: the wait's plus the client's margin
  return spawnMountedOf(await agent.pipeline(spawnMountRequests(spec, then), { timeoutMs: spec.timeoutMs + 5000 }));
}

/** What the replies to spawnMountRequests say (in order, from the spawn's on). */
export function spawnMountedOf(replies: readonly AgentReply[]): SpawnMounted {
  let pid: number;
  try {
    pid = getInt(okReply('spawn', replies[0]).fields, 'pid') ?? -1;
  } catch (e) {
    if (e instanceof AgentOpError) return { started: false, errno: e.errno, detail: e.detail };
    throw e;
  }
  const wait = hostReply('waitmount', replies[1]);
  return { started: true, pid, wait, ...(wait.ok ? { fstype: getText(replies[1].fields, 'fstype') } : {}), after: replies.slice(2) };
}
