// The gVisor sandbox a worker's agent lives in: `runsc --platform=ptrace … do ovlagent …` (no KVM
// needed), its state kept in one directory of the worker (runsc do writes its bundle and state
// beneath $TMPDIR), and the runsc processes found and ended by that directory when a worker dies.

import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ownerOf } from '../host/scratch.js';
import { startAgent, type Agent } from '../host/agent.js';
import { identify, killIdentified } from '../host/stragglers.js';
import { commandText, which } from '../host/tools.js';

/** The installed runsc's version ("20221219" of "runsc version 0.0~20221219.0"), and its text. */
export function runscVersion(): { version?: string; text: string } {
  const text = commandText(['runsc', '--version']);
  const m = /runsc version (?:[\d.]+~)?(\d{8}(?:\.\d+)?)/.exec(text) ?? /runsc version (\S+)/.exec(text);
  return { text, ...(m ? { version: m[1] } : {}) };
}

/** Why runsc cannot be used here (before trying it), or undefined. */
export function runscMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'runsc do needs root here (it sets up the sandbox\'s namespaces and the gofer)';
  if (!which('runsc')) return 'runsc is not installed (apt-get install runsc)';
  return undefined;
}

/** Where a worker's runsc keeps its bundle and container state. */
export const stateDirOf = (workdir: string) => join(workdir, '.runsc');

/**
 * The command the agent runs under: the ptrace platform (no /dev/kvm), no network, no cgroups
 * (a shared machine's cgroup tree is not ours to change), the host's root read-only beneath a
 * memory overlay (runsc do's default), so nothing the agent writes outside its mounts reaches the host.
 */
export function runscArgv(): string[] {
  return ['runsc', '--platform=ptrace', '--network=none', '--ignore-cgroups', 'do', '--quiet', '--cwd=/'];
}

/**
 * Start the agent inside a fresh sandbox with its sandbox directory at workdir. Inside gVisor the
 * agent takes `--ns chroot`: making / private answers EINVAL there, and the sandbox is the agent's
 * mount namespace anyway (its mounts vanish with it).
 */
export async function startSandboxAgent(workdir: string, timeoutMs = 60_000): Promise<Agent> {
  const state = stateDirOf(workdir);
  mkdirSync(state, { recursive: true });
  const closed = openPath(state, workdir);
  try {
    return await startAgent({ sandbox: workdir, ns: 'chroot', wrap: { argv: runscArgv(), env: { TMPDIR: state } }, startTimeoutMs: timeoutMs });
  } catch (e) {
    await endSandbox(workdir);
    if (closed) (e as Error).message += ` (runsc's sandbox process, which is not root, must traverse every directory above ${state}; ${closed} is not searchable by others)`;
    throw e;
  }
}

/**
 * runsc's sandbox process drops its privileges and must traverse the directories down to its state
 * (a 0700 parent makes it die before it starts: "cannot read client sync file"). Search permission
 * for others is added from the ovlconf scratch directory that holds the worker (ours: a run or
 * probe made it 0700) down to the state directory, or from workdir when there is none; the first
 * ancestor above that others cannot search is returned.
 */
export function openPath(state: string, workdir: string): string | undefined {
  const chain: string[] = [];
  let top = workdir;
  for (let d = state; d !== dirname(d); d = dirname(d)) {
    chain.push(d);
    if (ownerOf(basename(d))) {
      top = d;
      break;
    }
    if (d === workdir) top = d;
  }
  for (const d of chain.slice(0, chain.indexOf(top) + 1)) chmodSync(d, statSync(d).mode & 0o7777 | 0o011);
  for (let d = dirname(top); d !== dirname(d); d = dirname(d)) if ((statSync(d).mode & 0o001) === 0) return d;
  return undefined;
}

/** PIDs of the live processes whose command line names this worker's state directory (runsc's gofer and sandbox). */
export function sandboxProcesses(workdir: string): number[] {
  const state = stateDirOf(workdir);
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').includes(`${state}/`)) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * After the agent's runsc is gone: wait (up to graceMs) for the sandbox and gofer to follow it
 * (runsc boot --attached dies with its parent), end any still there by PID, remove the state directory.
 */
export async function endSandbox(workdir: string, graceMs = 5000): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  while (sandboxProcesses(workdir).length && Date.now() < deadline) await sleep(50);
  const killed = killIdentified(identify(sandboxProcesses(workdir)));
  const until = Date.now() + graceMs;
  while (sandboxProcesses(workdir).length && Date.now() < until) await sleep(50);
  rmSync(stateDirOf(workdir), { recursive: true, force: true });
  return killed;
}
