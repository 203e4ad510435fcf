// Scratch directories that name their owner: "<prefix><pid>.<start>-XXXXXX", the creating
// process's PID and start time (clock ticks since boot), so a later run can tell the directory of
// a killed run (owner gone) from a live one and remove it. Runs and probes both make theirs here.
// Both numbers are zero-padded to a fixed width, so every scratch path under one base has the same
// length: a scenario whose mount options name 60 layer paths must not pass or hit mount(2)'s
// 4,095-byte option limit by how many digits the runner's PID has (it did, on kernel/legacy-mount).

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** widths of the padded PID (pid_max is at most 4,194,304) and start time (clock ticks: 12 digits last 300 years at 100 Hz) */
const PID_DIGITS = 7;
const START_DIGITS = 12;

/** a scratch directory's name: prefix, owner PID, owner start time, random tail */
const OWNED = /^(ovlconf-(?:[a-z]+-)?)(\d+)\.(\d+)-[A-Za-z0-9]{6}$/;

/** Start time of a process (field 22 of /proc/PID/stat), or undefined when it is gone. */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The owner a scratch directory's name records, or undefined for any other name. */
export function ownerOf(name: string): { pid: number; start: string } | undefined {
  const m = OWNED.exec(name);
  return m ? { pid: Number(m[2]), start: String(Number(m[3])) } : undefined;
}

/** Whether the process that made a directory of this name still runs (unknown names count as live). */
export function ownerAlive(name: string): boolean {
  const o = ownerOf(name);
  return !o || startTimeOf(o.pid) === o.start;
}

/** Mount points at or beneath dir in this process's mount namespace. */
function mountsUnder(dir: string): string[] {
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text.split('\n').map((l) => unescape(l.split(' ')[4] ?? '')).filter((m) => m === dir || m.startsWith(dir + '/'));
}

/**
 * Remove the scratch directories under base whose owner is gone (a run or probe that was killed);
 * a live owner's directory, a name of another form and a directory with something mounted
 * beneath it are left alone. Returns the directories removed.
 */
export function sweepStale(base: string, log?: (s: string) => void): string[] {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!ownerOf(name) || ownerAlive(name)) continue;
    const dir = join(base, name);
    const mounted = mountsUnder(dir);
    if (mounted.length) {
      log?.(`stale scratch directory ${dir} left as it is: ${mounted[0]} is mounted beneath it`);
      continue;
    }
    try {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch (e) {
      // another run removing it at the same time, or something we may not delete
      log?.(`stale scratch directory ${dir} not removed: ${(e as Error).message}`);
    }
  }
  return removed;
}

/** Make a scratch directory under base (default: the OS temp dir) named for this process, after sweeping stale ones. */
export function makeScratch(prefix: string, base?: string, log?: (s: string) => void): string {
  const parent = resolve(base ?? tmpdir());
  mkdirSync(parent, { recursive: true });
  sweepStale(parent, log);
  const pid = String(process.pid).padStart(PID_DIGITS, '0');
  const start = (startTimeOf(process.pid) ?? '0').padStart(START_DIGITS, '0');
  return mkdtempSync(join(parent, `${prefix}${pid}.${start}-`));
}
