// Runs scenarios across adapter variants with a pool of workers per variant: replaces a worker
// that hung or died, stops cleanly on abort, and hands every result to the reporter as it comes.
// A scenario that drops the machine's caches runs alone (engine/alone.ts), the others side by side.

import { join } from 'node:path';
import type { Adapter, Fingerprint, VariantInfo, Worker } from '../adapters/adapter.js';
import type { Profile, Scenario } from '../language/model.js';
import type { Result } from '../language/schema/results.js';
import { classify, type RunRecord } from './classify.js';
import { emptyResult, resultJSON } from './shape.js';
import { WorkerBroken } from './executor.js';
import { documented } from './profile.js';
import { Baseline } from './oracle.js';
import { ReadWriteLock } from './rwlock.js';
import { Behind } from './behind.js';
import { executeUndisturbed } from './alone.js';
import { runIdOf, workerDirOf } from './runid.js';
import { disturbanceNote, rerunNote } from './drops.js';
import { missingCapability } from './requirements.js';

export interface Target {
  adapter: Adapter;
  variant: VariantInfo;
}

export interface RunOptions {
  jobs: number;
  workdir: string;
  timeoutMs?: number;
  /** the warm/cold final-state check after every scenario (engine/final.ts); on unless false */
  finalState?: boolean;
  /** the oracle the cold final tree is compared with (engine/baseline.ts): a posix variant (pass the selection's own posix target to reuse its results); absent: no comparison */
  baseline?: Target;
  /** profiles by implementation name (built-in plus --profile) */
  profiles: Map<string, Profile[]>;
  signal?: AbortSignal;
  onResult?: (r: Result, done: number, total: number) => void;
  onVariantStart?: (key: string, fp: Fingerprint | undefined) => void;
  onActivity?: (what: string) => void;
  /** the machine's count of cache drops (engine/drops.ts: /proc/vmstat drop_slab; tests give their own) */
  dropCount?: () => number | undefined;
}

export interface RunOutput {
  results: Result[];
  fingerprints: Record<string, Fingerprint>;
  interrupted: boolean;
  /** scenario runs the posix baseline made only as the oracle (not offered by a posix target) */
  baselineRuns?: number;
}

/** "adapter/variant": how results and summaries name a variant */
export const variantKey = (adapter: string, variant: string) => `${adapter}/${variant}`;

function toResult(s: Scenario, t: Target, rec: RunRecord, profiles: Profile[], fp: Fingerprint | undefined, ms: number): Result {
  const doc = fp ? documented(profiles, t.variant.name, fp, s.id, s.runId) : new Map();
  return resultJSON(s, { adapter: t.adapter.name, variant: t.variant.name }, rec, classify(s, rec, doc), ms);
}

const skipResult = (s: Scenario, t: Target, reason: string, verdict: 'skip' | 'error' = 'skip') => emptyResult(s, { adapter: t.adapter.name, variant: t.variant.name }, reason, verdict);

async function disposeWorker(w: Worker): Promise<void> {
  try {
    if (w.kill) await w.kill();
    else await w.close();
  } catch {
    /* already gone */
  }
}

/** Run every scenario on every target; never throws for scenario-level trouble. */
export async function runAll(targets: Target[], scenarios: Scenario[], o: RunOptions): Promise<RunOutput> {
  const results: Result[] = [];
  const fingerprints: Record<string, Fingerprint> = {};
  const total = targets.length * scenarios.length;
  // the posix baseline (posix of the selection, when the caller passed that target): its own results are reused, other runs made lazily
  const oracleT = o.finalState !== false && o.baseline?.variant.available ? o.baseline : undefined;
  // one lock for every scenario execution of the run: the variants' workers and the baseline's
  const lock = new ReadWriteLock();
  const oracle = oracleT ? new Baseline(oracleT, { jobs: o.jobs, workdir: o.workdir, timeoutMs: o.timeoutMs, profiles: o.profiles, lock }) : undefined;
  // on abort: let in-flight scenarios finish for a moment, then kill whatever still runs
  const live = new Set<Worker>();
  const onAbort = () => setTimeout(() => {
    [...live].forEach((w) => void disposeWorker(w));
    void oracle?.close(true);
  }, 2000).unref();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const emit = (r: Result) => {
    results.push(r);
    o.onResult?.(r, results.length, total);
  };
  for (const t of targets) {
    if (o.signal?.aborted) break;
    const key = variantKey(t.adapter.name, t.variant.name);
    if (!t.variant.available) {
      o.onVariantStart?.(key, undefined);
      for (const s of scenarios) emit(skipResult(s, t, `variant unavailable: ${t.variant.reason ?? 'no reason given'}`));
      continue;
    }
    const jobs = Math.max(1, Math.min(o.jobs, scenarios.length));
    const make = async (i: number, gen: number) => {
      const w = await create(i, gen);
      live.add(w);
      return w;
    };
    const create = (i: number, gen: number) => t.adapter.createWorker(t.variant.name, { workdir: join(o.workdir, workerDirOf(t.adapter.name, t.variant.name, i, gen, jobs)), index: i });
    let first: Worker;
    try {
      first = await make(0, 0);
    } catch (e) {
      o.onVariantStart?.(key, undefined);
      for (const s of scenarios) emit(skipResult(s, t, `cannot start a worker: ${(e as Error).message}`, 'error'));
      continue;
    }
    let fp: Fingerprint | undefined;
    try {
      fp = await first.fingerprint();
      fingerprints[key] = fp;
    } catch (e) {
      o.onActivity?.(`fingerprint of ${key} failed: ${(e as Error).message}`);
    }
    o.onVariantStart?.(key, fp);
    const profiles = fp ? (o.profiles.get(fp.implementation) ?? []) : [];
    let next = 0;
    const loop = async (i: number, initial?: Worker) => {
      let gen = 0;
      const behind = new Behind(8);
      let w: Worker | undefined = initial;
      try {
        while (!o.signal?.aborted && next < scenarios.length) {
          const at = next++;
          const s = scenarios[at];
          if (!w) {
            try {
              w = await make(i, ++gen);
            } catch (e) {
              if (!o.signal?.aborted) emit(skipResult(s, t, `cannot start a worker: ${(e as Error).message}`, 'error'));
              continue;
            }
          }
          o.onActivity?.(`${key} ${s.runId}`);
          const t0 = performance.now();
          // a scenario in flight when the run is interrupted is left out: its end is the interrupt's doing
          const keep = (r: Result) => {
            if (!o.signal?.aborted) emit(r);
          };
          // another process's cache drops while it ran: executed again, said in a note (engine/drops.ts)
          let foreign = 0;
          let waited = 0;
          let discarded: string[] = [];
          const noted = (r: Result): Result => {
            const notes = [...(discarded.length && !foreign ? [rerunNote(discarded)] : []), ...(foreign ? [disturbanceNote(foreign, discarded.length + 1)] : [])];
            return notes.length ? { ...r, notes: [...(r.notes ?? []), ...notes] } : r;
          };
          const describe = (rec: RunRecord) => {
            const d = toResult(s, t, rec, profiles, fp, 0);
            return `${d.verdict}${d.reason ? `: ${d.reason}` : ''}`;
          };
          const isOracle = t.adapter === oracleT?.adapter && t.variant.name === oracleT.variant.name;
          // the baseline run this scenario will likely be compared with, made while it runs
          if (oracle && !isOracle && !missingCapability(s, w.capabilities, w.maxLowers)) oracle.prefetch(s);
          try {
            // the lock is held for the execution only: the baseline comparison below takes its own
            const run = await executeUndisturbed(lock, w, s, { runId: runIdOf('s', at + 1), defaultTimeoutMs: o.timeoutMs, who: key, scratch: o.workdir, finalState: o.finalState !== false, context: fp ? { options: fp.options, capabilities: w.capabilities } : undefined }, describe, o.signal, o.dropCount);
            if (!run) break;
            foreign = run.foreign;
            waited = run.waitedMs;
            discarded = run.discarded;
            if (run.error) throw run.error;
            const rec = run.rec;
            const caps = w.capabilities;
            // the scenario's own time: the comparison below waits on the baseline's run
            const ms = performance.now() - t0 - waited;
            if (oracle && !isOracle) {
              // compared behind the loop: the worker takes the next scenario meanwhile (engine/behind.ts)
              await behind.add(() => oracle.compare(s, rec, caps).then(
                () => keep(noted(toResult(s, t, rec, profiles, fp, ms))),
                (e: Error) => keep(noted(toResult(s, t, { ...rec, error: rec.error ?? `the baseline comparison failed: ${e.message}` }, profiles, fp, ms))),
              ));
              continue;
            }
            const r = toResult(s, t, rec, profiles, fp, ms);
            if (oracle && isOracle) oracle.offer(s, rec, caps, r.verdict, r.reason);
            keep(noted(r));
          } catch (e) {
            const rec = (e as WorkerBroken & { record?: RunRecord }).record ?? { steps: [] };
            rec.error ??= (e as Error).message;
            keep(noted(toResult(s, t, rec, profiles, fp, performance.now() - t0 - waited)));
            live.delete(w);
            await disposeWorker(w);
            w = undefined;
          }
        }
      } finally {
        await behind.drain();
        if (w) {
          live.delete(w);
          if (o.signal?.aborted) await disposeWorker(w);
          else await w.close().catch(() => disposeWorker(w!));
        }
      }
    };
    await Promise.all(Array.from({ length: jobs }, (_, i) => loop(i, i === 0 ? first : undefined)));
  }
  o.signal?.removeEventListener('abort', onAbort);
  await oracle?.close();
  return { results, fingerprints, interrupted: o.signal?.aborted === true, ...(oracle ? { baselineRuns: oracle.runs } : {}) };
}
