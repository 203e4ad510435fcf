// One judgement per step, made once while the scenario runs: which expectation the outcome met.
// The executor records it beside the outcome; the classifier applies profiles to it and never
// matches an outcome again.

import type { InspectResult } from '../adapters/adapter.js';
import type { CanonTree } from '../language/canonical.js';
import { conditionHolds, describeCondition, type ConditionContext } from '../language/loader/condition.js';
import type { Step } from '../language/model.js';
import type { FinalState } from './final.js';
import type { BaselineState } from './baseline.js';
import { describeOutcome, fieldsOf, mismatch, resolveRef, type Bindings, type StepOutcome } from './match.js';

/**
 * How one step's outcome compares with what the scenario says:
 * - posix: the expectation held;
 * - mismatch: it did not (`alternatives`: the deviations whose alternative matched instead);
 * - none: nothing could be judged (the step did not run, timed out, or cannot run here).
 */
export type Judgement =
  /** `linux`: the answer was POSIX but not the one Linux filesystems give (the step's `linux:`) */
  | { kind: 'posix'; linux?: string }
  | { kind: 'mismatch'; why: string; alternatives: string[] }
  | { kind: 'none'; why: string };

/** One executed (or not run) step as the executor recorded it. */
export interface StepRun {
  step: Step;
  outcome: StepOutcome;
  judgement: Judgement;
  ms: number;
}

/** Who is to blame when a run could not be judged to the end. */
export type Fault =
  /** the implementation under test died (its own bug): a fail; `step`: the record's step it surfaced on */
  | { party: 'implementation'; message: string; step?: number }
  /** the harness, the machine or a hang: an error */
  | { party: 'harness'; message: string; /** the machine itself (scratch space full): nothing observed can be trusted */ machine?: boolean };

/** Everything the executor saw while running one scenario on one worker. */
export interface RunRecord {
  /** a capability is missing or setup declined: nothing ran */
  skip?: string;
  /** the harness or the implementation broke (setup error, crash, timeout) */
  error?: string;
  /** who broke it, when known (absent: the harness) */
  fault?: Fault;
  /** the variant's options and capabilities `when:` conditions were evaluated against */
  context?: ConditionContext;
  steps: StepRun[];
  inspect?: InspectResult;
  lowersBefore?: CanonTree[];
  /** the merged tree after the last step, warm and after a remount (engine/final.ts) */
  final?: FinalState;
  /** the cold final tree against the posix baseline's (engine/baseline.ts); absent: no comparison made */
  baseline?: BaselineState;
}

/** bind a step's result for later `$refs` and handle names */
export function bind(bindings: Bindings, step: Step, outcome: StepOutcome): void {
  if (step.as && outcome.ok) bindings.set(step.as, fieldsOf(outcome.value));
}

/** the `$refs` of a step's expectation that no earlier step bound */
function unboundRefs(step: Step, bindings: Bindings): string[] {
  const refs = Object.values(step.expect.fields).flatMap((ms) => ms.flatMap((m) => Object.values(m).flat()));
  return [...new Set(refs.filter((r): r is string => typeof r === 'string' && r.startsWith('$') && resolveRef(r, bindings) === undefined))];
}

/**
 * What an earlier answer lacked: a ref whose step succeeded and answered a map (a listing's
 * `inos`, a stat's fields) without the key the scenario names (`$list.inos.x`: no entry x). The
 * answer is the implementation's, so its gap is a mismatch, not a problem of the scenario; a ref
 * whose earlier segments are absent too (a misspelt field) stays unjudged.
 */
export function missingInAnswer(ref: string, bindings: Bindings): string | undefined {
  const segs = ref.slice(1).split('.');
  if (segs.length < 3 || !bindings.has(segs[0])) return undefined;
  const parent = resolveRef(`$${segs.slice(0, -1).join('.')}`, bindings);
  if (parent === null || typeof parent !== 'object' || Array.isArray(parent) || parent instanceof Uint8Array) return undefined;
  const key = segs[segs.length - 1];
  const have = Object.keys(parent);
  return `${ref} is missing: the answer bound as $${segs[0]} has no "${key}" in ${segs.slice(1, -1).join('.')} (it has ${have.length ? have.slice(0, 8).join(', ') + (have.length > 8 ? ', …' : '') : 'nothing'})`;
}

const MISSING = /^\$\S+ is missing: the answer bound as /;

/** Which expectation a step's outcome meets: judged once, against the bindings of the steps before it. */
export function judgeStep(step: Step, outcome: StepOutcome, bindings: Bindings, context?: ConditionContext): Judgement {
  // not run because an earlier answer lacked what it names: the implementation's gap (missingInAnswer)
  if (!outcome.ok && 'notRun' in outcome && MISSING.test(outcome.notRun)) return { kind: 'mismatch', why: `not run: ${outcome.notRun}`, alternatives: [] };
  if (!outcome.ok && ('timeout' in outcome || 'harness' in outcome || 'skip' in outcome || 'notRun' in outcome)) return { kind: 'none', why: describeOutcome(outcome) };
  const unbound = unboundRefs(step, bindings);
  const gaps = unbound.map((r) => missingInAnswer(r, bindings)).filter((x): x is string => x !== undefined);
  if (gaps.length) return { kind: 'mismatch', why: gaps.join('; '), alternatives: [] };
  if (unbound.length) return { kind: 'none', why: `cannot be judged: ${unbound.join(', ')} ${unbound.length > 1 ? 'are' : 'is'} not bound (the step that should have bound it did not succeed)` };
  const why = mismatch(step.expect, outcome, bindings) ?? conditionalMismatch(step, outcome, bindings, context);
  if (why === undefined) return linuxJudgement(step, outcome, bindings);
  // a path escaping the scenario root is never an acceptable alternative
  if (!outcome.ok && 'escape' in outcome) return { kind: 'mismatch', why: describeOutcome(outcome), alternatives: [] };
  const alternatives = Object.entries(step.deviations)
    .filter(([, alt]) => mismatch(alt, outcome, bindings) === undefined)
    .map(([id]) => id);
  return { kind: 'mismatch', why, alternatives };
}

/** The first `when:` expectation of the step that applies on this variant and does not hold. */
function conditionalMismatch(step: Step, outcome: StepOutcome, bindings: Bindings, context?: ConditionContext): string | undefined {
  if (!context) return undefined;
  for (const w of step.when) {
    if (!conditionHolds(w.when, context)) continue;
    const why = mismatch(w.expect, outcome, bindings);
    if (why !== undefined) return `where ${describeCondition(w.when)}: ${why}`;
  }
  return undefined;
}

/** A POSIX answer, and whether it is also the one Linux filesystems give (`linux:`). */
function linuxJudgement(step: Step, outcome: StepOutcome, bindings: Bindings): Judgement {
  const why = step.linux ? mismatch(step.linux, outcome, bindings) : undefined;
  return why === undefined ? { kind: 'posix' } : { kind: 'posix', linux: `POSIX allows this, but Linux filesystems answer otherwise: ${why}` };
}

/** Judges the steps of one run in order, keeping the bindings later steps refer to. */
export class StepJudge {
  readonly bindings: Bindings = new Map();

  constructor(private readonly context?: ConditionContext) {}

  /** judge a step's outcome and bind its result; the record to keep */
  record(step: Step, outcome: StepOutcome, ms: number): StepRun {
    const judgement = judgeStep(step, outcome, this.bindings, this.context);
    bind(this.bindings, step, outcome);
    // a remount closes every descriptor, directory stream and mapping (a worker must, to unmount):
    // a handle bound before it must not name whatever reuses its number afterwards (seen in fuzz:
    // kernel fd 5 reopened on another file, where the model answered EBADF)
    if (step.op === 'remount' && (outcome.ok || 'errno' in outcome)) for (const f of this.bindings.values()) for (const k of ['fd', 'dir', 'map']) delete f[k];
    return { step, outcome, judgement, ms };
  }
}

/** Judge a whole list of outcomes as the executor would (replaying a recorded run, tests). */
export function judgeAll(steps: Step[], outcomes: StepOutcome[], context?: ConditionContext): StepRun[] {
  const j = new StepJudge(context);
  return outcomes.map((o, i) => j.record(steps[i], o, 0));
}
