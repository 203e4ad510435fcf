// One scenario's execution under the run's lock: shared for an ordinary scenario, exclusive for
// one that drops the machine's caches (engine/drops.ts) on a worker whose drop reaches the whole
// machine (drop_caches; not a model's, nor an agent's in a user namespace), so a drop never lands
// between two steps of another scenario of the same run (another worker, the posix baseline's),
// and a drop that cannot disturb anyone serialises nothing. Whoever calls this
// holds no other hold on the lock (a worker waiting for the exclusive hold while holding a shared
// one would wait for itself), and the hold ends with the execution, whatever way it ends (a step's
// timeout, a crashed worker: execute throws, the hold is released, the error returned).
// Another process's drop cannot be held off (a test beside the run, a second `ovlconf`): an
// execution it reached observed something the scenario did not ask for, so it is discarded and
// the scenario executed again on fresh layers (executeUndisturbed), a few times at most.

import type { Worker } from '../adapters/adapter.js';
import type { Scenario } from '../language/model.js';
import { dropCount, dropsCaches, foreignDrops } from './drops.js';
import { execute, type ExecOptions } from './executor.js';
import type { RunRecord } from './judge.js';
import type { ReadWriteLock } from './rwlock.js';

/** What an execution under the lock came to: the record, the error execute threw (the worker is broken), the other processes' cache drops meanwhile. */
export interface LockedRun {
  rec: RunRecord;
  error?: Error;
  /** how many times another process dropped the machine's caches while the scenario ran */
  foreign: number;
  /** how long it waited for the lock (ms): not the scenario's own time */
  waitedMs: number;
}

/** Execute `s` on `w` under the lock; undefined when `signal` was aborted before it could start. */
export async function executeAlone(lock: ReadWriteLock, w: Worker, s: Scenario, opts: ExecOptions, signal?: AbortSignal, count: () => number | undefined = dropCount): Promise<LockedRun | undefined> {
  const t0 = performance.now();
  return lock.run(dropsCaches(s) && w.dropsMachineCaches !== false, async () => {
    if (signal?.aborted) return undefined;
    const waitedMs = performance.now() - t0;
    // a worker no machine-wide drop can reach: nothing to count (reading /proc/vmstat twice a scenario was a model run's second syscall)
    const counting = w.seesMachineDrops !== false;
    const before = counting ? count() : undefined;
    let rec: RunRecord;
    let error: Error | undefined;
    try {
      rec = await execute(w, s, opts);
    } catch (e) {
      error = e as Error;
      rec = (e as { record?: RunRecord }).record ?? { steps: [] };
    }
    return { rec, ...(error ? { error } : {}), foreign: counting ? foreignDrops(before, count(), [rec]) : 0, waitedMs };
  });
}

/** How many times a scenario is executed at most while other processes' cache drops keep reaching it. */
export const MAX_ATTEMPTS = 4;

/** An execution no other process's drop reached (or the last of MAX_ATTEMPTS), and what the discarded ones came to. */
export interface UndisturbedRun extends LockedRun {
  /** each discarded execution in words: "attempt 1 (2 drops): fail: …" */
  discarded: string[];
}

/**
 * Execute `s` under the lock, and again on fresh layers (the run id's last character the attempt: engine/runid.ts) while another process
 * dropped the machine's caches during the execution; `describe` says what a discarded one came to.
 * waitedMs covers the lock waits and the discarded executions, so the caller's clock minus it is
 * the kept execution's time.
 */
export async function executeUndisturbed(lock: ReadWriteLock, w: Worker, s: Scenario, opts: ExecOptions, describe: (rec: RunRecord) => string, signal?: AbortSignal, count: () => number | undefined = dropCount): Promise<UndisturbedRun | undefined> {
  const t0 = performance.now();
  const discarded: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const run = await executeAlone(lock, w, s, attempt === 1 ? opts : { ...opts, runId: `${opts.runId.slice(0, -1)}${attempt.toString(36)}` }, signal, count);
    if (!run) return undefined;
    if (run.error || !run.foreign || attempt >= MAX_ATTEMPTS || signal?.aborted) return { ...run, waitedMs: started - t0 + run.waitedMs, discarded };
    discarded.push(`attempt ${attempt} (${run.foreign} drop${run.foreign === 1 ? '' : 's'}): ${describe(run.rec)}`);
  }
}
