// Cache drops are machine-wide: the agent's drop (the dropCaches op, read/pread with dropCaches)
// writes 3 to /proc/sys/vm/drop_caches, and every other mount on the machine loses its unused
// dentries and inodes (FUSE its entry and attribute caches) at that moment. What an overlay keeps
// only in a cached inode then changes under a scenario running beside it (a hard link copied up
// alone is one inode again; the warm final snapshot shows it, or not). So a run holds scenarios
// that drop alone (engine/rwlock.ts), and /proc/vmstat's drop_slab (every drop_caches write of 2
// or 3 since boot) tells a run that another process dropped the caches meanwhile: the scenario is
// executed again (engine/alone.ts executeUndisturbed) and the result says so in a note.

import { openSync, readFileSync, readSync } from 'node:fs';
import type { Scenario, Step } from '../language/model.js';
import type { RunRecord } from './judge.js';

/** Whether a step drops the caches: a dropCaches op, or a read/pread asked to drop first (any value but false: a $ref too). */
export function dropsInStep(st: Pick<Step, 'op' | 'args'>): boolean {
  if (st.op === 'dropCaches') return true;
  const flag = (st.args as { dropCaches?: unknown }).dropCaches;
  return (st.op === 'read' || st.op === 'pread') && flag !== undefined && flag !== false;
}

const dropping = new WeakMap<Scenario, boolean>();

/**
 * Whether a scenario drops the machine's caches in any step, so it must run alone. The language's
 * steps are flat (language/model.ts: a step's `when:` and deviations hold expectations, not steps;
 * no op takes steps as an argument), so every step is in `steps`.
 */
export function dropsCaches(s: Scenario): boolean {
  let d = dropping.get(s);
  if (d === undefined) dropping.set(s, (d = s.steps.some(dropsInStep)));
  return d;
}

/** /proc/vmstat, opened once for the process (-1 when it cannot be), and a buffer it fits in */
let vmstatFd: number | undefined;
const vmstatBuf = Buffer.allocUnsafe(32768);

/**
 * /proc/vmstat's text: read from offset 0 of the descriptor kept open (the kernel makes the text
 * anew at each read from the start), where readFileSync opened, stat'ed, read and closed it twice
 * a scenario; a text that fills the buffer is read whole the ordinary way.
 */
function readVmstat(): string {
  if (vmstatFd === undefined) {
    try {
      vmstatFd = openSync('/proc/vmstat', 'r');
    } catch {
      vmstatFd = -1;
    }
  }
  if (vmstatFd < 0) return readFileSync('/proc/vmstat', 'utf8');
  const n = readSync(vmstatFd, vmstatBuf, 0, vmstatBuf.length, 0);
  return n < vmstatBuf.length ? vmstatBuf.toString('latin1', 0, n) : readFileSync('/proc/vmstat', 'utf8');
}

/** drop_slab of /proc/vmstat (drop_caches writes of 2 or 3 since boot), or undefined where unreadable. */
export function dropCount(read: () => string = readVmstat): number | undefined {
  try {
    const m = /^drop_slab (\d+)$/m.exec(read());
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The drops a run made itself: each dropCaches step and read/pread with dropCaches that succeeded. */
export function ownDrops(r: RunRecord): number {
  return r.steps.filter((x) => x.outcome.ok && dropsInStep(x.step)).length;
}

/** How many more drops than the given runs' own the count grew by between `before` and `after` (0 when unknown). */
export function foreignDrops(before: number | undefined, after: number | undefined, droppers: RunRecord[]): number {
  if (before === undefined || after === undefined) return 0;
  return Math.max(0, after - before - droppers.reduce((n, r) => n + ownDrops(r), 0));
}

/** Whether caches were dropped by someone else between `before` and `after`, given the runs of the sides that drop for real. */
export function disturbed(before: number | undefined, after: number | undefined, droppers: RunRecord[]): boolean {
  return foreignDrops(before, after, droppers) > 0;
}

/** The note a result gets when another process dropped the machine's caches while it ran, in each of `attempts` executions (the last one's verdict stands). */
export function disturbanceNote(n: number, attempts = 1): string {
  const every = attempts > 1 ? ` (and in each of the ${attempts - 1} executions before it, discarded)` : '';
  return `another process dropped the machine's caches ${n === 1 ? 'once' : `${n} times`} while this scenario ran${every} (/proc/vmstat drop_slab grew by ${n} more than its own drops): what the overlay keeps only in cached dentries and inodes may have been lost between two steps`;
}

/** The note a result gets when it comes from a re-execution: the executions another process's drops reached were discarded. */
export function rerunNote(discarded: string[]): string {
  return `executed again on fresh layers: another process dropped the machine's caches while ${discarded.length === 1 ? 'an earlier execution' : `${discarded.length} earlier executions`} ran, whose observations were discarded as not this scenario's (${discarded.join('; ')})`;
}
