// The heart of `ovlconf diff`: two results files compared variant by variant and scenario by
// scenario, every difference classified by kind so a CI job can choose which kinds fail it.

import type { Result, ResultsFile, Verdict } from '../../language/schema/results.js';
import { stepChanges, type StepChange } from './observe.js';

/** Every kind of change, in the order reports list them. */
export const CHANGE_KINDS = [
  'newly-failing', 'newly-xpass', 'newly-error', 'newly-unexpected', 'newly-passing', 'newly-skipped', 'no-longer-skipped',
  'deviation-appeared', 'deviation-disappeared', 'deviation-changed', 'verdict-changed', 'flaky-known-failure', 'known-failure-changed', 'observation-changed',
  'skip-reason-changed', 'scenario-added', 'scenario-removed', 'variant-added', 'variant-removed', 'fingerprint-changed',
] as const;
/** One of CHANGE_KINDS. */
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** The kinds that make `ovlconf diff` exit non-zero unless --fail-on says otherwise. */
export const DEFAULT_FAIL_ON: ChangeKind[] = ['newly-failing', 'newly-xpass', 'newly-error', 'newly-unexpected'];

/** A verdict with what explains it, for either side of a change. */
export interface Side {
  verdict: Verdict;
  deviations?: string[];
  reason?: string;
}

/** One difference between the two files. */
export interface Change {
  kind: ChangeKind;
  /** "adapter/variant" */
  variant: string;
  /** run id; absent for variant-level changes */
  scenario?: string;
  file?: string;
  old?: Side;
  new?: Side;
  steps?: StepChange[];
  /** one line in words */
  detail: string;
}

const RAN_OK: Verdict[] = ['pass', 'deviation'];
const side = (r: Result): Side => ({ verdict: r.verdict, ...(r.deviations?.length ? { deviations: [...r.deviations].sort() } : {}), ...(r.reason ? { reason: r.reason } : {}) });
const devs = (r: Result) => [...(r.deviations ?? [])].sort().join(',');
const showSide = (s: Side) => `${s.verdict}${s.deviations ? ` [${s.deviations.join(', ')}]` : ''}`;

/**
 * The flaky known-failure entry a verdict change stays within, or undefined: one side failed (or
 * erred) as that entry expects, the other went as expected too (pass, a documented deviation, or a
 * failure another entry expects: a zenfs rename that fails on its times in one run and outlives
 * the step deadline in the next). Such a change is the entry's own intermittence, not a regression
 * or a fix.
 */
function flakyBetween(a: Result, b: Result): string | undefined {
  const f = (r: Result) => ((r.verdict === 'fail' || r.verdict === 'error') && r.known?.outcome === 'known' && r.known.flaky ? r.known.id : undefined);
  const expected = (r: Result) => RAN_OK.includes(r.verdict) || ((r.verdict === 'fail' || r.verdict === 'error') && r.known?.outcome === 'known');
  const fa = f(a);
  const fb = f(b);
  if (fa && expected(b)) return fa;
  if (fb && expected(a)) return fb;
  return undefined;
}

/** The known-failure entry a failing run went as expected under, if any. */
const knownId = (r: Result): string | undefined => (r.known?.outcome === 'known' ? r.known.id : undefined);

/** Classify how one scenario × variant changed; empty when nothing comparable changed. */
export function compareResult(a: Result, b: Result): Change[] {
  const base = { variant: `${b.adapter}/${b.variant}`, scenario: b.scenario, file: b.file, old: side(a), new: side(b) };
  const va = a.verdict;
  const vb = b.verdict;
  const why = b.reason ?? b.failure?.message;
  const mk = (kind: ChangeKind, detail: string, steps?: StepChange[]): Change => ({ kind, ...base, ...(steps?.length ? { steps } : {}), detail });
  const steps = stepChanges(a.steps, b.steps, a.compact === true, b.compact === true);
  if (va !== vb) {
    const flaky = flakyBetween(a, b);
    if (flaky) return [mk('flaky-known-failure', `${showSide(side(a))} → ${showSide(side(b))}: the known failure ${flaky} is marked flaky (this run may fail or not from one run to the next)`, steps)];
    if (vb === 'fail') return [mk('newly-failing', `${va} → fail${why ? `: ${why}` : ''}`, steps)];
    if (vb === 'xpass') return [mk('newly-xpass', `${va} → xpass${why ? `: ${why}` : ''}`, steps)];
    if (vb === 'error') return [mk('newly-error', `${va} → error${why ? `: ${why}` : ''}`, steps)];
    if (vb === 'skip') return [mk('newly-skipped', `${va} → skip: ${b.reason ?? 'no reason given'}`)];
    if (va === 'skip') return [mk('no-longer-skipped', `skip → ${showSide(side(b))} (was: ${a.reason ?? 'no reason given'})`, steps)];
    if (RAN_OK.includes(vb) && !RAN_OK.includes(va)) return [mk('newly-passing', `${va} → ${showSide(side(b))}`, steps)];
    if (va === 'pass' && vb === 'deviation') return [mk('deviation-appeared', `pass → deviation [${(b.deviations ?? []).join(', ')}]`, steps)];
    if (va === 'deviation' && vb === 'pass') return [mk('deviation-disappeared', `deviation [${(a.deviations ?? []).join(', ')}] → pass`, steps)];
    return [mk('verdict-changed', `${showSide(side(a))} → ${showSide(side(b))}`, steps)];
  }
  if (va === 'skip') return a.reason !== b.reason ? [mk('skip-reason-changed', `skip reason: ${a.reason ?? '—'} → ${b.reason ?? '—'}`)] : [];
  // the same failing verdict, but another known-failure entry (or none) accounts for it
  const ka = knownId(a);
  const kb = knownId(b);
  if ((va === 'fail' || va === 'error') && ka !== kb) {
    if (!kb) return [mk('newly-unexpected', `${va} under ${ka} → ${vb} no known failure expects${why ? `: ${why}` : ''}`, steps)];
    return [mk('known-failure-changed', `${va} under ${ka ?? 'no known failure'} → ${vb} under ${kb}`, steps)];
  }
  if (devs(a) !== devs(b)) {
    const before = new Set(a.deviations ?? []);
    const after = new Set(b.deviations ?? []);
    const gained = [...after].filter((d) => !before.has(d));
    const lost = [...before].filter((d) => !after.has(d));
    const kind: ChangeKind = lost.length === 0 ? 'deviation-appeared' : gained.length === 0 ? 'deviation-disappeared' : 'deviation-changed';
    return [mk(kind, `deviations [${[...before].join(', ')}] → [${[...after].join(', ')}]`, steps)];
  }
  if (steps.length) return [mk('observation-changed', `${vb}, but ${steps.length} step${steps.length > 1 ? 's' : ''} observed something else: ${steps.map((s) => `${s.op} (line ${s.line}) ${s.old} → ${s.new}`).join('; ')}`, steps)];
  return [];
}

/** Fingerprint details that are measurements of the probe (how long a daemon took to start and
 * stop), not facts of the implementation: they differ on every run and are not compared. */
export const MEASURED_DETAILS = new Set(['probeStartMs', 'probeStopMs']);

type Fp = { version?: string; options?: Record<string, string>; details?: Record<string, unknown> };

/** A fingerprint without its measured details. */
function facts(x: unknown): Fp {
  const f = (x ?? {}) as Fp;
  if (!f.details) return f;
  return { ...f, details: Object.fromEntries(Object.entries(f.details).filter(([d]) => !MEASURED_DETAILS.has(d))) };
}

function fingerprintChange(k: string, a: unknown, b: unknown): Change | undefined {
  const fa = facts(a);
  const fb = facts(b);
  if (JSON.stringify(fa) === JSON.stringify(fb)) return undefined;
  const parts: string[] = [];
  if (fa.version !== fb.version) parts.push(`version ${fa.version ?? '—'} → ${fb.version ?? '—'}`);
  const opt = new Set([...Object.keys(fa.options ?? {}), ...Object.keys(fb.options ?? {})]);
  for (const o of [...opt].sort()) if (fa.options?.[o] !== fb.options?.[o]) parts.push(`${o}=${fa.options?.[o] ?? '—'} → ${fb.options?.[o] ?? '—'}`);
  const det = new Set([...Object.keys(fa.details ?? {}), ...Object.keys(fb.details ?? {})]);
  for (const d of [...det].sort()) if (JSON.stringify(fa.details?.[d]) !== JSON.stringify(fb.details?.[d])) parts.push(`${d} changed`);
  return { kind: 'fingerprint-changed', variant: k, detail: parts.join('; ') || 'fingerprint changed' };
}

/** Every change from `a` (old) to `b` (new), in CHANGE_KINDS order, then variant and scenario order. */
export function diffResults(a: ResultsFile, b: ResultsFile): Change[] {
  const changes: Change[] = [];
  const index = (f: ResultsFile) => {
    const m = new Map<string, Map<string, Result>>();
    for (const r of f.results) {
      const k = `${r.adapter}/${r.variant}`;
      if (!m.has(k)) m.set(k, new Map());
      m.get(k)!.set(r.scenario, r);
    }
    for (const k of Object.keys(f.environment.variants)) if (!m.has(k)) m.set(k, new Map());
    return m;
  };
  const ia = index(a);
  const ib = index(b);
  for (const k of ia.keys()) if (!ib.has(k)) changes.push({ kind: 'variant-removed', variant: k, detail: `${k} is not in the new results (${ia.get(k)!.size} scenarios before)` });
  for (const [k, rb] of ib) {
    const ra = ia.get(k);
    if (!ra) {
      changes.push({ kind: 'variant-added', variant: k, detail: `${k} is new (${rb.size} scenarios)` });
      continue;
    }
    const fc = fingerprintChange(k, a.environment.variants[k], b.environment.variants[k]);
    if (fc) changes.push(fc);
    for (const [s, r] of ra) if (!rb.has(s)) changes.push({ kind: 'scenario-removed', variant: k, scenario: s, file: r.file, old: side(r), detail: `no longer run (was ${r.verdict})` });
    for (const [s, r] of rb) {
      const old = ra.get(s);
      if (!old) changes.push({ kind: 'scenario-added', variant: k, scenario: s, file: r.file, new: side(r), detail: `new scenario: ${showSide(side(r))}` });
      else changes.push(...compareResult(old, r));
    }
  }
  const order = new Map(CHANGE_KINDS.map((c, i) => [c, i]));
  return changes.sort((x, y) => order.get(x.kind)! - order.get(y.kind)! || (x.variant < y.variant ? -1 : x.variant > y.variant ? 1 : 0) || ((x.scenario ?? '') < (y.scenario ?? '') ? -1 : (x.scenario ?? '') > (y.scenario ?? '') ? 1 : 0));
}

/** Parse --fail-on: comma-separated kinds, `none`, or `any`. */
export function parseFailOn(text: string | undefined): ChangeKind[] {
  if (text === undefined) return DEFAULT_FAIL_ON;
  const out: ChangeKind[] = [];
  for (const t of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (t === 'none') continue;
    if (t === 'any') return [...CHANGE_KINDS];
    if (!(CHANGE_KINDS as readonly string[]).includes(t)) throw new Error(`--fail-on: unknown change kind "${t}"; kinds: ${CHANGE_KINDS.join(', ')}, any, none`);
    out.push(t as ChangeKind);
  }
  return out;
}
