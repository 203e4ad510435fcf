// The verdict of one scenario run: a pure function of the scenario, what was observed, and
// the deviations the implementation's profile documents for this variant.

import type { InspectResult } from '../adapters/adapter.js';
import type { CanonTree } from '../language/canonical.js';
import type { ProfileDeviation, Scenario, Step } from '../language/model.js';
import type { Failure, Verdict } from '../language/schema/results.js';
import { toDataJSON } from '../language/data.js';
import { afterMismatch } from './after.js';
import { describeOutcome, fieldsOf, mismatch, type Bindings, type StepOutcome } from './match.js';

/** Everything the executor saw while running one scenario on one worker. */
export interface RunRecord {
  /** a capability is missing or setup declined: nothing ran */
  skip?: string;
  /** the harness or the implementation broke (setup error, crash, timeout) */
  error?: string;
  steps: { step: Step; outcome: StepOutcome; ms: number }[];
  inspect?: InspectResult;
  lowersBefore?: CanonTree[];
}

export interface Classification {
  verdict: Verdict;
  deviations: string[];
  reason?: string;
  failure?: Failure;
  /** per recorded step: 'posix', the deviation id that matched, or null */
  matched: (string | null)[];
  notes: string[];
}

/** bind a step's result for later `$refs` and handle names */
export function bind(bindings: Bindings, step: Step, outcome: StepOutcome): void {
  if (step.as && outcome.ok) bindings.set(step.as, fieldsOf(outcome.value));
}

/** Which expectation a step's outcome meets: 'posix', the matching alternatives, or none. */
export function judgeStep(step: Step, outcome: StepOutcome, bindings: Bindings): { posix: true } | { posix: false; why: string; alternatives: string[] } {
  const why = mismatch(step.expect, outcome, bindings);
  if (why === undefined) return { posix: true };
  const alternatives = Object.entries(step.deviations)
    .filter(([, alt]) => mismatch(alt, outcome, bindings) === undefined)
    .map(([id]) => id);
  return { posix: false, why, alternatives };
}

function expectedJSON(step: Step): unknown {
  const e = step.expect;
  if (e.any) return { any: true };
  if (e.errno) return { errno: e.errno.length === 1 ? e.errno[0] : e.errno };
  const out: Record<string, unknown> = { ok: true };
  for (const [k, ms] of Object.entries(e.fields)) out[k] = ms.length === 1 && 'eq' in ms[0] ? ms[0].eq : ms;
  for (const k of ['entries', 'names', 'includes', 'excludes', 'entryTypes'] as const) if (e[k]) out[k] = e[k];
  return JSON.parse(JSON.stringify(out, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString() : v)));
}

/** Classify a run. `documented` comes from engine/profile.ts for this variant and scenario. */
export function classify(s: Scenario, run: RunRecord, documented: Map<string, ProfileDeviation>): Classification {
  const matched: (string | null)[] = [];
  const notes: string[] = [];
  if (run.skip !== undefined) return { verdict: 'skip', deviations: [], reason: run.skip, matched, notes };
  const used = new Set<string>();
  const bindings: Bindings = new Map();
  let stopped = false;
  for (const { step, outcome } of run.steps) {
    const where = `step ${step.index + 1} (${step.op}, line ${step.line})`;
    if (!outcome.ok && ('timeout' in outcome || 'harness' in outcome)) {
      matched.push(null);
      return { verdict: 'error', deviations: [], reason: `${where}: ${describeOutcome(outcome)}`, matched, notes };
    }
    if (!outcome.ok && 'skip' in outcome) {
      matched.push(null);
      return { verdict: 'skip', deviations: [], reason: `${where}: ${outcome.skip}`, matched, notes };
    }
    const j = judgeStep(step, outcome, bindings);
    const fail = (message: string, matches?: string[]): Classification => ({
      verdict: 'fail', deviations: [], matched, notes,
      reason: message,
      failure: {
        message, file: s.file, line: step.line, step: step.index + 1,
        expected: expectedJSON(step), observed: observedJSON(outcome), ...(matches?.length ? { matches } : {}),
      },
    });
    if (j.posix) matched.push('posix');
    else {
      if (!outcome.ok && 'escape' in outcome) {
        matched.push(null);
        return fail(`${where}: ${describeOutcome(outcome)}`);
      }
      const doc = j.alternatives.filter((id) => documented.has(id));
      if (doc.length === 0) {
        matched.push(null);
        if (j.alternatives.length)
          return fail(`${where}: ${j.why}; this is the known deviation ${j.alternatives.join(', ')}, which this implementation's profile does not document for this variant`, j.alternatives);
        return fail(`${where}: ${j.why}`);
      }
      matched.push(doc[0]);
      doc.forEach((id) => used.add(id));
      if (doc.some((id) => step.deviations[id].stop)) {
        stopped = true;
        bind(bindings, step, outcome);
        break;
      }
    }
    bind(bindings, step, outcome);
  }
  if (run.error !== undefined) return { verdict: 'error', deviations: [], reason: run.error, matched, notes };
  if (s.after && !stopped && (s.after.upper || s.after.lowerUnchanged)) {
    const ins = run.inspect;
    if (!ins) notes.push('layer-state checks not run');
    else if (!ins.ok) notes.push(`layer-state checks skipped: ${ins.skip}`);
    else {
      const why = afterMismatch(s.after, ins.upper, run.lowersBefore, ins.lowers);
      if (why) {
        const alts = Object.entries(s.after.deviations).filter(([, spec]) => afterMismatch(spec, ins.upper, run.lowersBefore, ins.lowers) === undefined).map(([id]) => id);
        const doc = alts.filter((id) => documented.has(id));
        if (doc.length === 0) {
          const message = `after (line ${s.after.line}): ${why}${alts.length ? `; this is the known deviation ${alts.join(', ')}, which this implementation's profile does not document for this variant` : ''}`;
          return { verdict: 'fail', deviations: [], matched, notes, reason: message, failure: { message, file: s.file, line: s.after.line, ...(alts.length ? { matches: alts } : {}) } };
        }
        doc.forEach((id) => used.add(id));
      }
    }
  }
  if (used.size) return { verdict: 'deviation', deviations: [...used].sort(), matched, notes };
  const expected = s.mentions.filter((id) => documented.has(id) && !documented.get(id)!.optional);
  if (expected.length)
    return {
      verdict: 'xpass', deviations: [], matched, notes,
      reason: `the profile documents ${expected.join(', ')} for this variant, but POSIX behaviour was observed: the implementation improved or the profile is stale`,
    };
  return { verdict: 'pass', deviations: [], matched, notes };
}

/** JSON form of an outcome, as results record it */
export function observedJSON(o: StepOutcome): Record<string, unknown> {
  if (!o.ok) return { ...o };
  if (o.value === undefined) return { ok: true };
  return { ok: true, value: valueJSON(o.value) };
}

/** JSON form of an op value (bytes as text or hex) */
export function valueJSON(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, x) =>
      x instanceof Uint8Array ? toDataJSON(x) : x && x.type === 'Buffer' && Array.isArray(x.data) ? toDataJSON(Uint8Array.from(x.data)) : typeof x === 'bigint' ? String(x) : x,
    ),
  );
}
