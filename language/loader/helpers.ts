// Starting the helper threads of a cold load (pool.ts) from a module that loads nothing else: the
// caller starts them before it loads the loader's own modules (TypeBox, yaml, the validators,
// ~0.1 s of CPU), so each helper loads its modules at the same time rather than after.

import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * How many helpers a load gets: OVLCONF_LOAD_HELPERS when set, else one per CPU beyond this one
 * (at most 3) that the 1-minute load average says is free. A helper costs its start and the CPU of
 * its own compiled code (~0.5 s for the suite on the 2-CPU machine): on a busy machine it only
 * takes CPU from others and ends later.
 */
export function helperCount(cpus = availableParallelism(), load = loadavg()[0], env = process.env.OVLCONF_LOAD_HELPERS): number {
  if (env !== undefined && /^\d+$/.test(env)) return Math.min(Number(env), 8);
  return Math.max(0, Math.min(3, cpus - 1, Math.floor(cpus - load + 0.5)));
}

/** Start `threads` helpers (pool-worker.js), unreferenced until given work; a LoadPool adopts them. */
export function startHelpers(threads = helperCount()): Worker[] {
  const workers: Worker[] = [];
  for (let i = 0; i < threads; i++) {
    const w = new Worker(new URL('./pool-worker.js', import.meta.url));
    // an unused helper never holds the process; begin() refs the helpers it hands work to
    w.unref();
    // a helper that fails is replaced by the main thread (finish() loads what it did not return)
    w.on('error', () => undefined);
    workers.push(w);
  }
  return workers;
}
