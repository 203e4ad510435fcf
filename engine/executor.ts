// Runs one scenario on one worker: setup, every step under its timeout, layer inspection,
// teardown. Every step runs (a mismatch does not stop the scenario, only an alternative marked
// `stop:`); each is judged once as it ends; the verdict is left to the classifier.

import type { ResolvedOp, Worker } from '../adapters/adapter.js';
import type { CanonTree } from '../language/canonical.js';
import type { Scenario, Step } from '../language/model.js';
import { OPS, type ArgSpec } from '../language/ops.js';
import type { ConditionContext } from '../language/loader/condition.js';
import { optionProblem } from '../language/options.js';
import { clockPast } from './clock.js';
import { ImplementationCrashed } from '../adapters/adapter.js';
import { finalState } from './final.js';
import { walkDepthFor } from './snapshot.js';
import { faultOf, NO_SPACE, scratchFull } from './blame.js';
import { Ahead } from './ahead.js';
import { missingInAnswer, StepJudge, type RunRecord } from './judge.js';
import { describeOutcome, resolveRef, type Bindings, type StepOutcome } from './match.js';
import { missingCapability, requirementsOf } from './requirements.js';

export const DEFAULT_STEP_TIMEOUT_MS = 10_000;

/** Thrown when a worker stopped answering or died: it must be killed and replaced. */
export class WorkerBroken extends Error {}

/** Resolve with the promise, or reject with WorkerBroken after ms. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new WorkerBroken(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * withTimeout, without the timer for a call that had settled by the time it returned (the memory
 * model's: a timer a call was much of a model step's cost): a timer set after that could only fire
 * after the promise's reactions had run. Whether it has settled is seen one microtask later.
 */
export async function guarded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let settled = false;
  const mark = () => {
    settled = true;
  };
  p.then(mark, mark);
  // p's reactions were queued before this continuation when p had already settled
  await undefined;
  return settled ? p : withTimeout(p, ms, what);
}

/** Turn a step's written arguments into what the adapter gets; a string is a harness problem. */
export function resolveArgs(step: Step, bindings: Bindings): Record<string, unknown> | string {
  const spec = OPS[step.op].args as Record<string, ArgSpec>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(step.args)) {
    const kind = spec[k]?.kind;
    if (kind === 'fd' || kind === 'dir' || kind === 'map') {
      const h = bindings.get(String(v))?.[kind];
      if (typeof h !== 'number') return `${k} "${String(v)}" holds no open ${kind}: the step that should have bound it did not succeed`;
      out[k] = h;
    } else if (typeof v === 'string' && v.startsWith('$')) {
      const r = resolveRef(v, bindings);
      if (r === undefined) return missingInAnswer(v, bindings) ?? `${v} is not bound: the step that should have bound it did not succeed`;
      out[k] = kind === 'int' && typeof r === 'string' && /^-?\d+$/.test(r) ? Number(r) : r;
    } else out[k] = v;
  }
  return out;
}

export interface ExecOptions {
  defaultTimeoutMs?: number;
  runId: string;
  /** who answers, for messages naming who stopped answering ("kernel/default") */
  who?: string;
  /** the scratch directory the worker's layers live under: its free space is checked on ENOSPC */
  scratch?: string;
  /** make the warm/cold final-state check (engine/final.ts); off unless asked; 'warm': the snapshot only, no remount */
  finalState?: boolean | 'warm';
  /** the variant's effective options and capabilities, for `when:` conditions (absent: no condition holds) */
  context?: ConditionContext;
}

/**
 * Execute a scenario. Throws WorkerBroken (with the partial record attached as `record`) when
 * the worker hung or died; the caller kills it, reports `error`, and goes on with a fresh one.
 */
export async function execute(worker: Worker, s: Scenario, opts: ExecOptions): Promise<RunRecord> {
  const record: RunRecord = { steps: [] };
  const missing = missingCapability(s, worker.capabilities, worker.maxLowers);
  if (missing) return { ...record, skip: missing };
  let broken = false;
  try {
    await body(worker, s, opts, record);
  } catch (e) {
    // an adapter throws only when the worker itself is broken (hung, crashed, lost its agent)
    broken = true;
    record.error = e instanceof WorkerBroken ? e.message : `the worker failed: ${(e as Error).message}`;
    record.fault ??= faultOf(e, record, opts.who ?? 'the worker', e instanceof WorkerBroken && /did not finish within/.test(e.message));
    throw Object.assign(e instanceof WorkerBroken ? e : new WorkerBroken(record.error), { record });
  } finally {
    if (!broken) {
      try {
        await guarded(worker.teardown(), setupTimeoutOf(s, opts), 'teardown');
      } catch (e) {
        if (e instanceof WorkerBroken) {
          record.fault ??= faultOf(e, record, opts.who ?? 'the worker', true);
          throw Object.assign(e, { record });
        }
        record.error ??= `teardown failed: ${(e as Error).message}`;
        // a daemon found dead at teardown crashed during the scenario; the step it surfaced on is unknown
        if (e instanceof ImplementationCrashed) {
          record.fault ??= { party: 'implementation', message: `the implementation crashed during the scenario: ${(e as Error).message}` };
          // the worker is dead: the next scenario gets a fresh one, never this one's crash
          throw Object.assign(new WorkerBroken(record.error), { record });
        }
      }
    }
  }
  return record;
}

const stepTimeoutOf = (s: Scenario, opts: ExecOptions, st?: Step) => st?.timeoutMs ?? s.timeoutMs ?? opts.defaultTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
const setupTimeoutOf = (s: Scenario, opts: ExecOptions) => Math.max(stepTimeoutOf(s, opts) * 3, 30_000);

async function body(worker: Worker, s: Scenario, opts: ExecOptions, record: RunRecord): Promise<void> {
  const setupMs = setupTimeoutOf(s, opts);
  const setup = await guarded(worker.setup(s.layers, { runId: opts.runId, timeoutMs: stepTimeoutOf(s, opts), lowerCount: s.layers.lowers.length, devices: requirementsOf(s).includes('device-open') }), setupMs, 'setup');
  if (!setup.ok) {
    if ('skip' in setup) record.skip = setup.skip;
    else {
      record.error = `setup failed: ${setup.error}`;
      const full = /ENOSPC|EDQUOT|No space left/.test(setup.error) ? scratchFull(opts.scratch, true) : undefined;
      if (full) record.fault = { party: 'harness', machine: true, message: `${full} (setup failed: ${setup.error})` };
    }
    return;
  }
  if (s.after?.lowerUnchanged) {
    const before = await guarded(worker.inspect(), setupMs, 'inspect');
    if (before.ok) record.lowersBefore = before.lowers;
  }
  const judge = new StepJudge(opts.context);
  if (opts.context) record.context = opts.context;
  let stopped: string | undefined;
  const ahead = new Ahead(worker, s.steps);
  for (const [i, step] of s.steps.entries()) {
    const t0 = performance.now();
    if (stopped) {
      record.steps.push(judge.record(step, { ok: false, notRun: stopped }, 0));
      continue;
    }
    let sent = ahead.take(i);
    const args = sent ? {} : resolveArgs(step, judge.bindings);
    let outcome: StepOutcome;
    if (typeof args === 'string') outcome = { ok: false, notRun: args };
    else {
      const ms = stepTimeoutOf(s, opts, step);
      if (!sent) {
        ahead.fill(i, (st) => resolveArgs(st, judge.bindings));
        sent = ahead.take(i);
      }
      try {
        outcome = await guarded(sent ?? runStep(worker, { op: step.op, args, user: step.user }), ms, `step ${step.index + 1} (${step.op}, line ${step.line})`);
      } catch (e) {
        const outcome: StepOutcome = e instanceof WorkerBroken ? { ok: false, timeout: ms } : { ok: false, harness: `the worker failed: ${(e as Error).message}` };
        record.steps.push(judge.record(step, outcome, performance.now() - t0));
        throw e;
      }
    }
    const run = judge.record(step, outcome, performance.now() - t0);
    record.steps.push(run);
    if (!outcome.ok && ('harness' in outcome || 'skip' in outcome)) return;
    const j = run.judgement;
    // an unexpected answer while the scratch filesystem is full is the machine's doing, whatever the errno
    const noSpace = !outcome.ok && 'errno' in outcome && NO_SPACE.has(outcome.errno);
    const full = j.kind === 'mismatch' || noSpace ? scratchFull(opts.scratch, noSpace) : undefined;
    if (full) {
      record.fault = { party: 'harness', machine: true, message: `${full} (step ${step.index + 1}, ${step.op} on line ${step.line}: ${j.kind === 'mismatch' ? j.why : describeOutcome(outcome)})` };
      return;
    }
    const stop = j.kind === 'mismatch' ? j.alternatives.find((id) => step.deviations[id].stop) : undefined;
    if (stop) stopped = `step ${step.index + 1} showed ${stop}, after which the scenario's later steps are meaningless`;
  }
  if (stopped) return;
  if (s.after && (s.after.upper || s.after.lowerUnchanged || s.after.when.length)) record.inspect = await guarded(worker.inspect(), setupMs, 'inspect');
  if ((opts.finalState === true || opts.finalState === 'warm') && !s.finalOpen) {
    const edited = editedUnderMount(s) ?? stackedMount(s);
    record.final = edited ? { skipped: edited } : await finalState(worker, (p, what) => guarded(p, setupMs, what), opts.finalState === 'warm', walkDepthFor(s));
  }
}

/** Why the final state is not the scenario's own overlay: the root moved onto another overlay (mountOverlay). */
function stackedMount(s: Scenario): string | undefined {
  const at = s.steps.findIndex((st) => st.op === 'mountOverlay');
  return at < 0 ? undefined : `step ${at + 1} moves the root onto another overlay (mountOverlay): a remount of the scenario's own overlay would compare a different view`;
}

/** Why the final state is open: a layer edited under the mount with no remount after it (overlayfs.rst: undefined). */
function editedUnderMount(s: Scenario): string | undefined {
  const at = s.steps.map((st) => st.op).lastIndexOf('edit');
  if (at < 0 || s.steps.slice(at).some((st) => st.op === 'remount')) return undefined;
  return `step ${at + 1} edits a layer under the mount and no remount follows: what a remount then shows is undefined (overlayfs.rst, Changes to underlying filesystems)`;
}

/** Why a remount's options cannot go to this worker (the loader checked the vocabulary; a worker may know fewer). */
export function remountOptionProblem(worker: Worker, options: Record<string, unknown> | undefined): StepOutcome | undefined {
  for (const [k, v] of Object.entries(options ?? {})) {
    const why = optionProblem(k, v);
    if (why) return { ok: false, harness: `remount refused: ${why}` };
    if (worker.knownOptions && !worker.knownOptions.includes(k)) return { ok: false, skip: `this adapter has no mount option ${k} (its options: ${worker.knownOptions.join(', ') || 'none'})` };
  }
  return undefined;
}

function runStep(worker: Worker, op: ResolvedOp): Promise<StepOutcome> {
  if (op.op === 'remount') {
    const options = op.args.options as Record<string, string> | undefined;
    const refused = remountOptionProblem(worker, options);
    return refused ? Promise.resolve(refused) : worker.remount(options, op.args.rotate === true, op.args.replace === true, { keepVolatile: op.args.keepVolatile === true });
  }
  if (op.op === 'reconfigure') {
    const refused = remountOptionProblem(worker, op.args.options as Record<string, string> | undefined);
    if (refused) return Promise.resolve(refused);
  }
  if (op.op === 'clockPast') return clockPast(op.args.time);
  if (op.op === 'edit') return worker.editLayer(String(op.args.layer), (op.args.entries as CanonTree | undefined) ?? {}, (op.args.remove as string[] | undefined) ?? []);
  return worker.op(op);
}
