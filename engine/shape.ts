// The JSON shape of one result: what the executor recorded and the classifier decided, as
// spec/results.schema.json publishes it. Shaping only; no judging happens here.

import type { Scenario, Step } from '../language/model.js';
import type { Result } from '../language/schema/results.js';
import { toDataJSON } from '../language/data.js';
import type { Classification } from './classify.js';
import type { RunRecord } from './judge.js';
import type { StepOutcome } from './match.js';

const replacer = (_k: string, x: any) =>
  x instanceof Uint8Array ? toDataJSON(x) : x && x.type === 'Buffer' && Array.isArray(x.data) ? toDataJSON(Uint8Array.from(x.data)) : typeof x === 'bigint' ? String(x) : x;

/** what JSON leaves out of an object (undefined, a function, a symbol) */
const OMIT = Symbol('omit');

/** JSON form of an op value (bytes as text or hex): what JSON.parse(JSON.stringify(v, replacer))
 * gives, built directly for the plain values ops return (a JSON round trip of every step's args
 * and value was a tenth of a memory run); anything else takes the round trip itself. */
export function valueJSON(v: unknown): unknown {
  const r = plain(v);
  return r === OMIT ? undefined : r;
}

function plain(x: unknown): unknown {
  if (x === null || typeof x === 'string' || typeof x === 'boolean') return x;
  if (typeof x === 'number') return Number.isFinite(x) ? x + 0 : null;
  if (typeof x === 'bigint') return String(x);
  if (x === undefined || typeof x === 'function' || typeof x === 'symbol') return OMIT;
  if (x instanceof Uint8Array) return toDataJSON(x);
  if (Array.isArray(x)) {
    const out: unknown[] = new Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const e = plain(x[i]);
      out[i] = e === OMIT ? null : e;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(x);
  const o = x as Record<string, unknown>;
  if ((proto !== Object.prototype && proto !== null) || typeof o.toJSON === 'function' || (o.type === 'Buffer' && Array.isArray(o.data))) {
    const s = JSON.stringify(x, replacer);
    return s === undefined ? OMIT : JSON.parse(s);
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const e = plain(o[k]);
    if (e === OMIT) continue;
    if (k === '__proto__') Object.defineProperty(out, k, { value: e, enumerable: true, writable: true, configurable: true });
    else out[k] = e;
  }
  return out;
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
