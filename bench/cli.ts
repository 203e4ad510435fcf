// Timing the command line as a user runs it: one `ovlconf` process, its wall clock and the CPU
// it and its children used (from /proc/self/stat's waited-for children times, so agents and
// daemons count), with the cache directory the caller chooses (fresh for a cold start).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../language/root.js';

/** One timed command: wall seconds, CPU seconds of it and its children, exit status. */
export interface Timed {
  seconds: number;
  cpu: number;
  status: number | null;
  stderr: string;
}

/** clock ticks per second of /proc times (USER_HZ: 100 on every Linux this runs on) */
const HZ = 100;

/** CPU seconds of this process and of its waited-for children so far (agents and, through them,
 * the daemons they reaped), from /proc/self/stat; zeros where /proc is missing. */
export function treeCpu(): { self: number; children: number } {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    // fields 14-17 of proc(5): utime stime cutime cstime (f[0] is field 3)
    return { self: (f[11] + f[12]) / HZ, children: (f[13] + f[14]) / HZ };
  } catch {
    return { self: 0, children: 0 };
  }
}

/** Run `ovlconf args...` with cacheDir as its cache (OVLCONF_CACHE_DIR); stdout is dropped. */
export function timeCli(args: string[], cacheDir: string, timeoutMs = 30 * 60_000): Timed {
  const bin = join(packageRoot(), 'bin', 'ovlconf.js');
  const cpu0 = treeCpu().children;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, OVLCONF_CACHE_DIR: cacheDir },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 << 20,
  });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, cpu: treeCpu().children - cpu0, status: r.status, stderr: String(r.stderr ?? '').slice(-2000) };
}
