// The JSON shape of one result: what the executor recorded and the classifier decided, as
// spec/results.schema.json publishes it. Shaping only; no judging happens here.

import type { Scenario, Step } from '../language/model.js';
import type { Result } from '../language/schema/results.js';
import { toDataJSON } from '../language/data.js';
import type { Classification } from './classify.js';
import type { RunRecord } from './judge.js';
import type { StepOutcome } from './match.js';

/** JSON form of an op value (bytes as text or hex) */
export function valueJSON(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, x) =>
      x instanceof Uint8Array ? toDataJSON(x) : x && x.type === 'Buffer' && Array.isArray(x.data) ? toDataJSON(Uint8Array.from(x.data)) : typeof x === 'bigint' ? String(x) : x,
    ),
  );
}

/** JSON form of an outcome, as results record it */
export function observedJSON(o: StepOutcome): Record<string, unknown> {
  if (!o.ok) return { ...o };
  if (o.value === undefined) return { ok: true };
  return { ok: true, value: valueJSON(o.value) };
}

/** JSON form of what a step expected */
export function expectedJSON(step: Step): unknown {
  const e = step.expect;
  if (e.any) return { any: true };
  if (e.errno) return { errno: e.errno.length === 1 ? e.errno[0] : e.errno };
  const out: Record<string, unknown> = { ok: true };
  for (const [k, ms] of Object.entries(e.fields)) out[k] = ms.length === 1 && 'eq' in ms[0] ? ms[0].eq : ms;
  for (const k of ['entries', 'names', 'includes', 'excludes', 'entryTypes'] as const) if (e[k]) out[k] = e[k];
  return JSON.parse(JSON.stringify(out, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString() : v)));
}

/** Where a result came from: the scenario and the adapter variant it ran on. */
export interface ResultOrigin {
  adapter: string;
  variant: string;
}

const head = (s: Scenario, t: ResultOrigin) => ({
  scenario: s.runId, id: s.id, ...(s.vary ? { vary: s.vary } : {}), file: s.file, behaviour: s.behaviour, adapter: t.adapter, variant: t.variant,
});

/** The result of a scenario that ran (or tried to): the record and its classification as JSON. */
export function resultJSON(s: Scenario, t: ResultOrigin, rec: RunRecord, c: Classification, ms: number): Result {
  const f = c.failure;
  const failedStep = f?.step !== undefined ? rec.steps.find((r) => r.step.index + 1 === f.step) : undefined;
  return {
    ...head(s, t),
    verdict: c.verdict,
    ...(c.deviations.length ? { deviations: c.deviations } : {}),
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.notes.length ? { notes: c.notes } : {}),
    ...(f
      ? {
          failure: {
            message: f.message, file: s.file, line: f.line, ...(f.step !== undefined ? { step: f.step } : {}),
            ...(failedStep ? { expected: expectedJSON(failedStep.step), observed: observedJSON(failedStep.outcome) } : {}),
            ...(f.matches?.length ? { matches: f.matches } : {}),
          },
        }
      : {}),
    ...(c.baseline ? { baseline: c.baseline } : {}),
    ...(c.mismatches.length > 1 ? { mismatches: c.mismatches.map(({ matches: _m, ...m }) => m) } : {}),
    steps: rec.steps.map((r, i) => ({
      step: r.step.index + 1,
      line: r.step.line,
      op: r.step.op,
      args: valueJSON(r.step.args),
      ...(r.step.user ? { user: r.step.user } : {}),
      observed: observedJSON(r.outcome) as Result['steps'][number]['observed'],
      matched: c.matched[i] ?? null,
      ...(r.judgement.kind === 'mismatch' && c.matched[i] === null ? { why: r.judgement.why } : {}),
      ms: Math.round(r.ms * 1000) / 1000,
    })),
    ...(rec.inspect?.ok ? { after: valueJSON({ upper: rec.inspect.upper }) } : {}),
    ms: Math.round(ms * 1000) / 1000,
  };
}

/** The result of a scenario that never ran on this variant (unavailable, no worker). */
export function emptyResult(s: Scenario, t: ResultOrigin, reason: string, verdict: 'skip' | 'error' = 'skip'): Result {
  return { ...head(s, t), verdict, reason, steps: [], ms: 0 };
}
