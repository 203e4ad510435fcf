// Finding the processes a worker left behind in its private mount namespace: a daemon that went
// to the background (setsid) escapes the process group the agent kills and its death signal, but
// never the namespace. Each is found by the namespace's identity while the agent pins it (a freed
// namespace's number is soon reused) and ended by its PID; PID plus start time identifies one
// after the agent is gone.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The mount namespace of a process ("mnt:[4026532…]"), or undefined when it cannot be read. */
export function mountNamespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

/** PIDs of the live processes in mount namespace `ns`, except `except`. */
export function processesIn(ns: string, except: readonly number[] = []): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (!except.includes(pid) && mountNamespaceOf(pid) === ns) out.push(pid);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A process by PID and start time (clock ticks since boot), which no later process can share. */
export interface ProcessId {
  pid: number;
  start: string;
}

function startOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** PIDs with their start times (processes already gone are left out). */
export function identify(pids: readonly number[]): ProcessId[] {
  return pids.flatMap((pid) => {
    const start = startOf(pid);
    return start === undefined ? [] : [{ pid, start }];
  });
}

/** SIGKILL every process of the list that is still the same process; returns their PIDs. */
export function killIdentified(list: readonly ProcessId[]): number[] {
  const out: number[] = [];
  for (const p of list) {
    if (startOf(p.pid) !== p.start) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
      out.push(p.pid);
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/**
 * Wait up to graceMs for the processes of namespace `ns` (but `except`) to end by themselves,
 * then SIGKILL the rest by PID; returns the PIDs that had to be killed. Refuses our own namespace.
 * Call it only while a process of `except` (the agent) still holds the namespace.
 */
export async function endStragglers(ns: string | undefined, except: readonly number[], graceMs = 2000): Promise<number[]> {
  if (!ns || ns === mountNamespaceOf(process.pid)) return [];
  const deadline = Date.now() + graceMs;
  let left = processesIn(ns, except);
  while (left.length && Date.now() < deadline) {
    await sleep(20);
    left = processesIn(ns, except);
  }
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
  return left;
}
