// Setting up the next scenario while the runner still handles the last one's result: on a host
// worker the agent builds the next layers and mounts them while the runner classifies and
// reports (at one job the two took turns: the agent idle while the runner worked, and back).
// The setup is started only after the last scenario's teardown finished (the agent gets the same
// requests in the same order), only for a scenario the executor will set up (no missing
// capability), never for one that must run alone (it drops the machine's caches), and only under
// a shared hold of the run's lock taken at once: the hold is the scenario's own, kept until its
// execution ends, so no cache drop of the run lands between its setup and its steps. The caller
// must wait on nothing that takes the lock while it keeps that hold (the orchestrator does not set
// up ahead where it hands the comparison with the posix baseline behind the loop: the baseline's
// runs take the lock).

import type { Worker } from '../adapters/adapter.js';
import type { Scenario } from '../language/model.js';
import { runsAlone, type HeldAhead } from './alone.js';
import { dropCount } from './drops.js';
import { setupContext, type ExecOptions } from './executor.js';
import { missingCapability } from './requirements.js';
import type { ReadWriteLock } from './rwlock.js';

/** Start the setup of `s` on `w` now; the hold executeAlone then runs it under, or undefined when it was not started. */
export function setupAhead(lock: ReadWriteLock, w: Worker, s: Scenario, opts: Pick<ExecOptions, 'runId' | 'defaultTimeoutMs'>, count: () => number | undefined = dropCount): HeldAhead | undefined {
  if (!w.prepare || runsAlone(w, s) || missingCapability(s, w.capabilities, w.maxLowers)) return undefined;
  const release = lock.tryShared();
  if (!release) return undefined;
  // read before the setup starts, as executeAlone reads it before its execution
  const before = w.seesMachineDrops !== false ? count() : undefined;
  if (w.prepare(s.layers, setupContext(s, opts))) return { release, before };
  release();
  return undefined;
}
