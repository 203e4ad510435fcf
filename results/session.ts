// One run of scenarios on targets inside a sandbox directory that stops cleanly on the command's
// interrupt (teardown, partial results): shared by `run` and `matrix`.

import { rmSync } from 'node:fs';
import { makeScratch } from '../adapters/host/scratch.js';
import type { Profile, Scenario, LoadError } from '../language/model.js';
import type { ResultsFile } from '../language/schema/results.js';
import { runAll, type Target } from '../engine/orchestrate.js';
import type { Reporter } from './reporters/reporter.js';
import { buildResults, validateResults } from './results.js';
import type { Interrupt } from '../engine/signals.js';
import type { KnownFailures } from '../language/loader/known.js';
import { knownOutcome } from '../engine/known.js';
import { compactResult, type StepDetail } from './compact.js';

export interface SessionOptions {
  targets: Target[];
  scenarios: Scenario[];
  profiles: Map<string, Profile[]>;
  loadErrors: LoadError[];
  files: string[];
  argv: string[];
  jobs: number;
  timeoutMs?: number;
  /** parent of the run's sandbox (default: the OS temp dir) */
  workdir?: string;
  keep?: boolean;
  /** the warm/cold final-state check (engine/final.ts); on unless false */
  finalState?: boolean;
  /** compare the cold final tree with the posix baseline's (engine/baseline.ts); on unless false */
  baseline?: boolean;
  reporter?: Reporter;
  log: (s: string) => void;
  /** the command's interrupt (installed before anything started) */
  interrupt: Interrupt;
  /** expected failures by implementation (applied after classification, like profiles) */
  known?: KnownFailures;
  /** step detail the results keep (default: only where something was unexpected) */
  detail?: StepDetail;
}

export interface SessionResult {
  file: ResultsFile;
  /** problems of the results against the published schema (an internal error when any) */
  schemaProblems: string[];
  signalled?: NodeJS.Signals;
}

/**
 * The posix oracle for the baseline comparison: posix of the selection when there is one (its own
 * results are reused), else posix probed here; tmpfs before ext4 (it skips fewer scenarios: device
 * nodes open there, the sandbox's ext4 is mounted nodev).
 */
export async function baselineTarget(targets: Target[]): Promise<Target | undefined> {
  const own = targets.filter((t) => t.adapter.name === 'posix' && t.variant.available);
  if (own.length) return own.find((t) => t.variant.name === 'tmpfs') ?? own[0];
  // the posix adapter and the agent code under it load only for a run with a baseline to find
  const { posixAdapter } = await import('../adapters/posix/index.js');
  const info = await posixAdapter.probe();
  const v = ['tmpfs', 'ext4'].map((n) => info.variants.find((x) => x.name === n && x.available)).find(Boolean);
  return info.available && v ? { adapter: posixAdapter, variant: v } : undefined;
}

/** Run in a fresh sandbox; always removes it (unless keep; a killed run's is swept by the next) and returns the results file. */
export async function runSession(o: SessionOptions): Promise<SessionResult> {
  const startedAt = new Date();
  // named for this process: the next run removes it if this one is killed (adapters/host/scratch.ts)
  const workdir = makeScratch('ovlconf-', o.workdir, o.log);
  let out;
  try {
    o.reporter?.start?.(o.targets.length * o.scenarios.length);
    const baseline = o.finalState !== false && o.baseline !== false ? await baselineTarget(o.targets) : undefined;
    out = await runAll(o.targets, o.scenarios, {
      jobs: o.jobs, workdir, timeoutMs: o.timeoutMs, finalState: o.finalState !== false, baseline, profiles: o.profiles, signal: o.interrupt.signal,
      onResult: (r, d, t) => {
        Object.assign(r, knownOutcome(r, o.known?.get(r.adapter) ?? []));
        o.reporter?.result?.(r, d, t);
      },
      onVariantStart: (k) => o.reporter?.variant?.(k),
      onActivity: (w) => o.reporter?.activity?.(w),
    });
  } finally {
    if (!o.keep) rmSync(workdir, { recursive: true, force: true });
    else o.log(`sandbox kept at ${workdir}`);
  }
  const file = buildResults({
    results: out.results.map((r) => compactResult(r, o.detail)), fingerprints: out.fingerprints, loadErrors: o.loadErrors, files: o.files,
    scenarioCount: o.scenarios.length, argv: o.argv, startedAt, interrupted: out.interrupted,
  });
  const schemaProblems = validateResults(file);
  if (schemaProblems.length) o.log(`internal error: the results do not match spec/results.schema.json:\n  ${schemaProblems.slice(0, 10).join('\n  ')}`);
  return { file, schemaProblems, signalled: o.interrupt.received() };
}
