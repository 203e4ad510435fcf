// Polling for a condition the system reaches asynchronously (a daemon's exit, a mount's removal),
// with deadlines that stretch on a loaded machine: a deadline bounds a wait for a state, it is
// never a speed requirement, so it grows with the load (other developers, a parallel test run).
import { availableParallelism, loadavg } from 'node:os';

/**
 * How much longer than on an idle machine a wait may take: OVLCONF_DEADLINE_SCALE when set, else
 * the run-queue length per CPU (1-minute load average), at least 1 and at most 10.
 */
export function deadlineScale(): number {
  const env = Number(process.env.OVLCONF_DEADLINE_SCALE);
  if (env > 0) return env;
  return Math.min(10, Math.max(1, loadavg()[0] / availableParallelism()));
}

/** a deadline of `ms` on an idle machine, stretched by the current load */
export const scaled = (ms: number): number => Math.round(ms * deadlineScale());

/** true as soon as `f()` holds, polling every `everyMs` for at most `ms` (scaled); else f()'s last answer */
export async function until(f: () => boolean, ms: number, everyMs = 10): Promise<boolean> {
  for (const end = Date.now() + scaled(ms); Date.now() < end; await new Promise((r) => setTimeout(r, everyMs))) if (f()) return true;
  return f();
}
