// Running a mount daemon (or a mount command) inside a worker agent's mount namespace, shared by
// the fuse-overlayfs, unionfs-fuse and command adapters: started through the agent's `spawn` (own
// process group, PR_SET_PDEATHSIG SIGKILL, so it dies with the agent), ready when its mount
// appears (or a file appears, or the command exits 0), stopped with an unmount command
// (`fusermount3 -u` by default) or umount(2), falling back to a lazy umount and SIGKILL of its
// process group. Processes are only ever signalled by the PID the agent returned, never by name.

import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { constants as osConstants } from 'node:os';
import { ImplementationCrashed } from '../adapter.js';
import type { Agent, AgentReply, AgentRequest } from './agent.js';
import { spawnMounted, spawnMountedOf } from './daemonstart.js';
import { AgentOpError, kill, spawn, umount, waitmount, waitpid, type HostResult } from './ops.js';
import { mountAt } from '../kernel/mountinfo.js';

/** How a started daemon shows it is ready: its mount appears, a file appears, or it exits 0. */
export type ReadySpec = { mount: { fstype?: string } } | { file: string } | { exit: true };

/** How to start one daemon. */
export interface DaemonSpec {
  /** argv, argv[0] looked up on PATH */
  argv: string[];
  /** absolute mount point beneath the agent's sandbox */
  mountpoint: string;
  /** absolute file beneath the sandbox that receives the daemon's stdout and stderr */
  log: string;
  /** how long it may take to become ready */
  timeoutMs: number;
  env?: Record<string, string>;
  /** default: a `fuse` mount at the mount point */
  ready?: ReadySpec;
  /** whether the process stays in the foreground while mounted (default true); false: it returns once mounted */
  foreground?: boolean;
  /** keep device semantics on the mount (default: the agent makes it nodev,nosuid once it appears) */
  dev?: boolean;
}

/** A daemon whose mount is up. */
export interface RunningDaemon {
  /** the spawned pid (for a command that returns once mounted, already reaped) */
  pid: number;
  /** whether pid keeps serving the mount (its death is the filesystem's death) */
  foreground: boolean;
  mountpoint: string;
  log: string;
  /** the fstype mountinfo showed (fuse.fuse-overlayfs, fuse.unionfs, overlay …) */
  fstype: string;
  /** ms from spawn to ready */
  startMs: number;
}

/** A start already sent behind another write (a stop's): the replies of spawnMountRequests(spec, then), and when that write began. */
export interface StartSent {
  replies: AgentReply[];
  since: number;
}

/** A daemon whose mount is up (with the replies to the requests sent after it, when they could ride along), or why it did not come up (its output included). */
export type StartResult = { ok: true; daemon: RunningDaemon; after?: AgentReply[] } | { ok: false; reason: string };

/** How to stop: an unmount command run in the namespace (default `fusermount3 -u <mountpoint>`) or umount(2). */
export interface StopOptions {
  unmount?: string[] | 'umount';
  timeoutMs?: number;
}

/** How a stop went: the normal way (fusermount3, another command, umount(2)) or the fallback. */
export interface StopResult {
  how: 'fusermount3' | 'command' | 'umount' | 'fallback';
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

/** Wait up to ms for a spawned pid to exit (the agent wakes on the exit itself); undefined when it is still running. */
export async function waitExit(agent: Agent, pid: number, ms: number): Promise<Liveness | undefined> {
  try {
    const w = await waitpid(agent, pid, { waitMs: ms });
    return w.exited ? { alive: false, status: w.status, signal: w.signal } : undefined;
  } catch (e) {
    // ECHILD: already reaped (waitmount reaps a daemon that exits before mounting)
    if (e instanceof AgentOpError && e.errno === 'ECHILD') return { alive: false, status: -1, signal: 0 };
    throw e;
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

/** Run a short helper (fusermount3, an unmount command) to completion; its exit status, or undefined on a timeout. */
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

/** SIGABRT for 6: the name a signal number has on this platform */
function signalName(n: number): string | undefined {
  return Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0];
}

/** Describe how a daemon ended, for error messages. */
export function describeEnd(l: Liveness): string {
  if (l.alive) return 'still running';
  if (l.signal) return `killed by signal ${l.signal}${signalName(l.signal) ? ` (${signalName(l.signal)})` : ''}`;
  return l.status >= 0 ? `exited with status ${l.status}` : 'exited';
}

/** after the wait for a mount at the mount point (r, begun at t0): a command that returns once mounted may exit 0 first */
async function readyByMount(agent: Agent, spec: DaemonSpec, r: HostResult, t0: number, fstype: string | undefined, fg: boolean): Promise<{ ok: true } | { ok: false; why: string; exited: boolean }> {
  if (r.ok) return { ok: true };
  if (r.errno === 'ECHILD' && !fg && /status 0\b/.test(r.message ?? '')) {
    const rest = Math.max(1, spec.timeoutMs - (performance.now() - t0));
    const again = await waitmount(agent, spec.mountpoint, { timeoutMs: rest, fstype, dev: spec.dev });
    return again.ok ? { ok: true } : { ok: false, why: `it exited 0 but ${again.message ?? again.errno}`, exited: true };
  }
  return { ok: false, why: (r.message ?? r.errno).replace('no  mount', 'no mount'), exited: r.errno === 'ECHILD' };
}

/** wait for a command to exit 0 */
async function readyByExit(agent: Agent, spec: DaemonSpec, pid: number): Promise<{ ok: true } | { ok: false; why: string; exited: boolean }> {
  const l = await waitExit(agent, pid, spec.timeoutMs);
  return !l ? { ok: false, why: `it did not exit within ${spec.timeoutMs} ms`, exited: false } : l.alive || l.signal || l.status !== 0 ? { ok: false, why: `it ${describeEnd(l)}`, exited: true } : { ok: true };
}

/** wait for a file (seen through the agent's mount namespace) while the process runs or exited 0 */
async function readyByFile(agent: Agent, spec: DaemonSpec, pid: number, file: string, fg: boolean): Promise<{ ok: true } | { ok: false; why: string; exited: boolean }> {
  const seen = `/proc/${agent.pid}/root${file}`;
  const deadline = performance.now() + spec.timeoutMs;
  let exited = false;
  for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
    if (existsSync(seen)) return { ok: true };
    if (!exited) {
      const l = await liveness(agent, pid);
      if (!l.alive) {
        if (fg || l.signal || l.status !== 0) return { ok: false, why: `it ${describeEnd(l)} before ${file} appeared`, exited: true };
        exited = true;
      }
    }
    if (performance.now() >= deadline) return { ok: false, why: `${file} did not appear within ${spec.timeoutMs} ms`, exited };
    await sleep(pause);
  }
}

/**
 * Start a daemon and wait until it is ready (or it exits first); a hung one is killed. `then`:
 * requests to run once it is ready (the worker's `root`); ready by its mount they ride in the same
 * write and their replies come back as `after`, otherwise the caller sends them itself. `sent`:
 * the spawn, wait and `then` went out already (ready by a mount only); their replies.
 */
export async function startDaemon(agent: Agent, spec: DaemonSpec, then: readonly AgentRequest[] = [], sent?: StartSent): Promise<StartResult> {
  const t0 = sent?.since ?? performance.now();
  const fg = spec.foreground ?? true;
  const ready: ReadySpec = spec.ready ?? { mount: { fstype: 'fuse' } };
  const cannot = (errno: string, detail?: string) => ({ ok: false as const, reason: `cannot start ${spec.argv[0]}: ${errno}${detail ? ` (${detail})` : ''}` });
  let pid: number;
  let r: { ok: true } | { ok: false; why: string; exited: boolean };
  // ready by its mount: the type the first wait found and the replies to `then` (none after a second wait)
  let mounted: { fstype?: string; after?: AgentReply[] } = {};
  if ('mount' in ready) {
    const s = sent ? spawnMountedOf(sent.replies) : await spawnMounted(agent, { ...spec, fstype: ready.mount.fstype }, then);
    if (!s.started) return cannot(s.errno, s.detail);
    pid = s.pid;
    r = await readyByMount(agent, spec, s.wait, t0, ready.mount.fstype, fg);
    if (r.ok && s.wait.ok) mounted = { fstype: s.fstype, after: s.after };
  } else {
    try {
      pid = await spawn(agent, spec.argv, { log: spec.log, env: spec.env });
    } catch (e) {
      if (e instanceof AgentOpError) return cannot(e.errno, e.detail);
      throw e;
    }
    r = 'file' in ready ? await readyByFile(agent, spec, pid, ready.file, fg) : await readyByExit(agent, spec, pid);
  }
  // whatever the daemon's argv said, its mount is nodev,nosuid unless the scenario declared device-open
  // (then nosuid, nodev cleared); ready by its mount, the wait above already did it
  if (r.ok && !('mount' in ready)) {
    const n = await waitmount(agent, spec.mountpoint, { timeoutMs: 2000, dev: spec.dev });
    if (!n.ok) r = { ok: false, why: `its mount could not be made nodev,nosuid: ${n.message ?? n.errno}`, exited: false };
  }
  const m = r.ok ? (mounted.fstype !== undefined ? { fstype: mounted.fstype } : mountAt(agent.pid, spec.mountpoint)) : undefined;
  if (r.ok && !('mount' in ready) && !m) r = { ok: false, why: `it was ready but nothing is mounted at ${spec.mountpoint}`, exited: !fg };
  if (r.ok) return { ok: true, daemon: { pid, foreground: fg, mountpoint: spec.mountpoint, log: spec.log, fstype: m?.fstype ?? 'fuse', startMs: performance.now() - t0 }, ...(mounted.after ? { after: mounted.after } : {}) };
  if (!r.exited || !('mount' in ready)) {
    // hung before mounting, or mounted something else: never leave it running
    await killGroup(agent, pid);
    await umount(agent, spec.mountpoint, { detach: true }).catch(() => undefined);
  }
  return { ok: false, reason: `${spec.argv[0]} did not mount: ${r.why}; its output: ${logTail(spec.log)}` };
}

/**
 * Stop a daemon: the unmount command (`fusermount3 -u` also cleans up after a dead daemon) or
 * umount(2), then wait for a foreground daemon to exit; otherwise a lazy umount and SIGKILL of its
 * process group. Never throws for the daemon's own trouble, only when the agent itself fails.
 */
export async function stopDaemon(agent: Agent, d: RunningDaemon, opts: StopOptions = {}): Promise<StopResult> {
  const t0 = performance.now();
  const ms = opts.timeoutMs ?? 5000;
  let how: StopResult['how'];
  let detail: string | undefined;
  if (opts.unmount === 'umount') {
    how = 'umount';
    const u = await umount(agent, d.mountpoint, { timeoutMs: ms });
    if (!u.ok) detail = `umount: ${u.errno}${u.message ? ` (${u.message})` : ''}`;
  } else {
    const argv = opts.unmount ?? ['fusermount3', '-u', d.mountpoint];
    how = basename(argv[0]) === 'fusermount3' ? 'fusermount3' : 'command';
    const rc = await runHelper(agent, argv, d.log, ms);
    const cmd = argv.slice(0, 2).join(' ');
    if (rc !== 0) detail = rc === undefined ? `${cmd} did not finish within ${ms} ms` : `${cmd} exited with ${rc}: ${logTail(d.log, 2)}`;
  }
  if (detail === undefined) {
    if (!d.foreground) return { how, ms: performance.now() - t0 };
    const ended = await waitExit(agent, d.pid, 2000);
    if (!ended) await killGroup(agent, d.pid);
    return { how, ms: performance.now() - t0, ...(ended ? {} : { detail: 'the daemon outlived its unmount and was killed' }) };
  }
  return stopFallback(agent, d, detail, t0);
}

/** When the normal stop failed (detail says how): kill a foreground daemon's group, detach its mount. */
export async function stopFallback(agent: Agent, d: RunningDaemon, detail: string, t0: number): Promise<StopResult> {
  if (d.foreground) await killGroup(agent, d.pid);
  const u = await umount(agent, d.mountpoint, { detach: true });
  const left = !u.ok && u.errno !== 'EINVAL' && u.errno !== 'ENOENT' ? `; umount -l: ${u.errno}` : '';
  return { how: 'fallback', ms: performance.now() - t0, detail: detail + left };
}

/** An error that means the daemon died under a scenario: the worker must be replaced. */
export class DaemonDied extends ImplementationCrashed {
  override name = 'DaemonDied';
}
