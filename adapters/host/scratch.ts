// Scratch directories that name their owner: "<prefix><pid>.<start>-XXXXXX", the creating
// process's PID and start time (clock ticks since boot), so a later run can tell the directory of
// a killed run (owner gone) from a live one and remove it. Runs and probes both make theirs here.
// Both numbers are written in base 36, zero-padded to a fixed width ("p" marks the form), so every
// scratch path under one base has the same length, and as short as the common decimal form was: a
// scenario whose mount options name 60 layer paths must not pass or hit mount(2)'s 4,095-byte
// option limit by how many digits the runner's PID has (it did, on kernel/legacy-mount; gVisor's
// 60-layer mount fits only at that length).

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** base-36 widths of the PID (pid_max is at most 4,194,304: 5 digits) and the start time (clock ticks: 7 digits last 25 years at 100 Hz) */
const PID_DIGITS = 5;
const START_DIGITS = 7;

/** a scratch directory's name: prefix, owner PID, owner start time, random tail (decimal; or base 36 after "p") */
const OWNED = /^(ovlconf-(?:[a-z]+-)?)(\d+)\.(\d+)-[A-Za-z0-9]{6}$/;
const OWNED36 = /^(ovlconf-(?:[a-z]+-)?)p([0-9a-z]+)\.([0-9a-z]+)-[A-Za-z0-9]{6}$/;

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
  if (m) return { pid: Number(m[2]), start: m[3] };
  const b = OWNED36.exec(name);
  return b ? { pid: parseInt(b[2], 36), start: String(parseInt(b[3], 36)) } : undefined;
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
  const pid = process.pid.toString(36).padStart(PID_DIGITS, '0');
  const start = Number(startTimeOf(process.pid) ?? '0').toString(36).padStart(START_DIGITS, '0');
  return mkdtempSync(join(parent, `${prefix}p${pid}.${start}-`));
}
