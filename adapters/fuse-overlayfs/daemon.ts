// Running a FUSE daemon inside a worker agent's mount namespace (shared by the fuse-overlayfs and
// unionfs-fuse adapters): started in the foreground through the agent's `spawn` (own process
// group, PR_SET_PDEATHSIG SIGKILL, so it dies with the agent), ready when its mount appears,
// stopped with `fusermount3 -u`, falling back to a lazy umount and SIGKILL of its process group.
// Processes are only ever signalled by the PID the agent returned, never by name.

import { existsSync, readFileSync } from 'node:fs';
import { type Agent } from '../host/agent.js';
import { AgentOpError, kill, spawn, umount, waitmount, waitpid } from '../host/ops.js';
import { mountAt } from '../kernel/mountinfo.js';

/** How to start one daemon. */
export interface DaemonSpec {
  /** argv, argv[0] looked up on PATH; must keep the daemon in the foreground (-f) */
  argv: string[];
  /** absolute mount point beneath the agent's sandbox */
  mountpoint: string;
  /** absolute file beneath the sandbox that receives the daemon's stdout and stderr */
  log: string;
  /** how long the mount may take to appear */
  timeoutMs: number;
  env?: Record<string, string>;
}

/** A daemon whose mount is up. */
export interface RunningDaemon {
  pid: number;
  mountpoint: string;
  log: string;
  /** the fstype mountinfo showed (fuse.fuse-overlayfs, fuse.unionfs …) */
  fstype: string;
  /** ms from spawn to the mount appearing */
  startMs: number;
}

/** A daemon whose mount is up, or why it did not come up (its output included). */
export type StartResult = { ok: true; daemon: RunningDaemon } | { ok: false; reason: string };

/** How a stop went: fusermount3 (the normal way) or the fallback, and how long it took. */
export interface StopResult {
  how: 'fusermount3' | 'fallback';
  ms: number;
  /** what went wrong on the normal path, when the fallback was used */
  detail?: string;
}

/** Whether a daemon still runs, or how it ended. */
export type Liveness = { alive: true } | { alive: false; status: number; signal: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The last lines of a daemon log without the noise every fuse-overlayfs run prints. */
export function logTail(file: string, lines = 5): string {
  if (!existsSync(file)) return '(no output)';
  const text = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() && !/unknown argument ignored: lazytime/.test(l));
  return text.length ? text.slice(-lines).join(' | ') : '(no output)';
}

/** Poll a spawned pid without blocking the agent (waitpid without WNOHANG would stall it). */
export async function liveness(agent: Agent, pid: number): Promise<Liveness> {
  try {
    const w = await waitpid(agent, pid, { nohang: true });
    return w.exited ? { alive: false, status: w.status, signal: w.signal } : { alive: true };
  } catch (e) {
    // ECHILD: already reaped (waitmount reaps a daemon that exits before mounting)
    if (e instanceof AgentOpError && e.errno === 'ECHILD') return { alive: false, status: -1, signal: 0 };
    throw e;
  }
}

/** Wait up to ms for a spawned pid to exit; undefined when it is still running. */
export async function waitExit(agent: Agent, pid: number, ms: number): Promise<Liveness | undefined> {
  const deadline = performance.now() + ms;
  let pause = 1;
  for (;;) {
    const l = await liveness(agent, pid);
    if (!l.alive) return l;
    if (performance.now() >= deadline) return undefined;
    await sleep(pause);
    pause = Math.min(pause * 2, 20);
  }
}

/** SIGKILL a spawned process group and reap it (tolerates one that is already gone). */
export async function killGroup(agent: Agent, pid: number): Promise<void> {
  try {
    await kill(agent, pid, 'SIGKILL', true);
  } catch (e) {
    if (!(e instanceof AgentOpError)) throw e;
  }
  await waitExit(agent, pid, 2000);
}

/** Run a short helper (fusermount3) to completion; its exit status, or undefined on a timeout. */
export async function runHelper(agent: Agent, argv: string[], log: string, ms: number): Promise<number | undefined> {
  let pid: number;
  try {
    pid = await spawn(agent, argv, { log });
  } catch (e) {
    if (e instanceof AgentOpError) return 127;
    throw e;
  }
  const l = await waitExit(agent, pid, ms);
  if (!l || l.alive) {
    await killGroup(agent, pid);
    return undefined;
  }
  return l.signal ? 128 + l.signal : l.status;
}

/** Describe how a daemon ended, for error messages. */
export function describeEnd(l: Liveness): string {
  if (l.alive) return 'still running';
  if (l.signal) return `killed by signal ${l.signal}`;
  return l.status >= 0 ? `exited with status ${l.status}` : 'exited';
}

/** Start a daemon and wait until its FUSE mount sits at the mount point (or it exits first). */
export async function startDaemon(agent: Agent, spec: DaemonSpec): Promise<StartResult> {
  const t0 = performance.now();
  let pid: number;
  try {
    pid = await spawn(agent, spec.argv, { log: spec.log, env: spec.env });
  } catch (e) {
    if (e instanceof AgentOpError) return { ok: false, reason: `cannot start ${spec.argv[0]}: ${e.errno}${e.detail ? ` (${e.detail})` : ''}` };
    throw e;
  }
  const r = await waitmount(agent, spec.mountpoint, { timeoutMs: spec.timeoutMs, fstype: 'fuse', pid });
  if (r.ok) {
    const fstype = mountAt(agent.pid, spec.mountpoint)?.fstype ?? 'fuse';
    return { ok: true, daemon: { pid, mountpoint: spec.mountpoint, log: spec.log, fstype, startMs: performance.now() - t0 } };
  }
  if (r.errno !== 'ECHILD') {
    // hung before mounting, or mounted something else: never leave it running
    await killGroup(agent, pid);
    await umount(agent, spec.mountpoint, { detach: true }).catch(() => undefined);
  }
  return { ok: false, reason: `${spec.argv[0]} did not mount: ${r.message ?? r.errno}; its output: ${logTail(spec.log)}` };
}

/**
 * Stop a daemon: `fusermount3 -u` (it also cleans up after a dead daemon), then wait for the
 * daemon to exit; otherwise a lazy umount and SIGKILL of its process group. Never throws for
 * the daemon's own trouble, only when the agent itself fails.
 */
export async function stopDaemon(agent: Agent, d: RunningDaemon, opts: { timeoutMs?: number } = {}): Promise<StopResult> {
  const t0 = performance.now();
  const ms = opts.timeoutMs ?? 5000;
  const rc = await runHelper(agent, ['fusermount3', '-u', d.mountpoint], d.log, ms);
  if (rc === 0) {
    const ended = await waitExit(agent, d.pid, 2000);
    if (!ended) await killGroup(agent, d.pid);
    return { how: 'fusermount3', ms: performance.now() - t0, ...(ended ? {} : { detail: 'the daemon outlived its unmount and was killed' }) };
  }
  const detail = rc === undefined ? `fusermount3 -u did not finish within ${ms} ms` : `fusermount3 -u exited with ${rc}: ${logTail(d.log, 2)}`;
  await killGroup(agent, d.pid);
  const u = await umount(agent, d.mountpoint, { detach: true });
  const left = !u.ok && u.errno !== 'EINVAL' && u.errno !== 'ENOENT' ? `; umount -l: ${u.errno}` : '';
  return { how: 'fallback', ms: performance.now() - t0, detail: detail + left };
}

/** An error that means the daemon died under a scenario: the worker must be replaced. */
export class DaemonDied extends Error {
  override name = 'DaemonDied';
}
