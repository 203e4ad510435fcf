// Known failures applied after classification, as profiles are: a fail or error that a
// spec/known-failures entry expects (scenario, variant, verdict and mismatch) is marked known;
// a run that an entry expects to fail but that did not fail is marked fixed (unexpected).

import type { KnownFailure } from '../language/loader/known.js';
import type { Result } from '../language/schema/results.js';
import { globMatch } from './profile.js';

/** A result's mismatch without step numbers, lines and volatile numbers: "rename: failed with EXDEV, expected success". */
export function mismatchOf(r: Pick<Result, 'reason' | 'verdict'>): string {
  return (r.reason ?? r.verdict)
    .replace(/step \d+ \(([^,]+), line \d+\)/g, '$1')
    .replace(/ ?\(line \d+\)/g, '')
    .replace(/"\d+"/g, '"N"')
    .replace(/\s+/g, ' ')
    .trim();
}

/** What the known failures say about one result: fields to add to it (empty: nothing). */
export function knownOutcome(r: Result, entries: KnownFailure[]): Pick<Result, 'known' | 'notes'> {
  if (r.verdict === 'skip') return {};
  const cands = entries.filter((k) => k.scenarios.some((g) => globMatch(g, r.id) || globMatch(g, r.scenario)) && (!k.variants || k.variants.includes(r.variant)));
  if (!cands.length) return {};
  const notes = r.notes ?? [];
  if (r.verdict === 'fail' || r.verdict === 'error') {
    const hit = cands.find((k) => k.verdict === r.verdict && (!k.observed || k.observed.test(mismatchOf(r))));
    if (hit) return { known: { id: hit.id, outcome: 'known', ...(hit.flaky ? { flaky: true as const } : {}) } };
    const what = cands.map((k) => `${k.id} (${k.verdict}${k.observed ? ` matching /${k.observed.source}/` : ''}, ${k.at})`).join('; ');
    return { notes: [...notes, `a new failure: the known failure ${what} expects another mismatch`] };
  }
  const firm = cands.find((k) => !k.flaky);
  if (!firm) return {};
  return { known: { id: firm.id, outcome: 'fixed' }, notes: [...notes, `the known failure ${firm.id} (${firm.at}) did not occur: if it is fixed, remove the entry`] };
}

/** Whether a run may differ from a verdict published for it: it was flaky on retry here, it failed
 * as a flaky entry expects, or a flaky entry covers it and the published run failed (the flaky
 * failure did not occur this time, or occurred as another verdict: a timeout instead of a crash). */
export function mayDiffer(r: Result, entries: KnownFailure[], publishedVerdict: string | undefined): boolean {
  if (r.flaky || r.known?.flaky) return true;
  if (publishedVerdict !== 'fail' && publishedVerdict !== 'error') return false;
  return entries.some((k) => k.flaky && (!k.variants || k.variants.includes(r.variant)) && k.scenarios.some((g) => globMatch(g, r.id) || globMatch(g, r.scenario)));
}

/** Is this result something the run should fail on? (fail/error not known, xpass, a known failure that passed) */
export function isUnexpected(r: Result): boolean {
  // unexpected once and as expected on a retry: flaky, named at the end, not a failure of the run
  if (r.flaky) return false;
  if (r.known?.outcome === 'fixed') return true;
  if (r.verdict === 'xpass') return true;
  if (r.verdict === 'fail' || r.verdict === 'error') return r.known?.outcome !== 'known';
  return false;
}

/** per implementation (adapter): known failures seen, new failures, known failures that passed */
export interface KnownTally {
  known: number;
  new: number;
  fixed: number;
}

/** Count known / new / fixed per adapter. */
export function tallyKnown(results: Result[]): Map<string, KnownTally> {
  const out = new Map<string, KnownTally>();
  for (const r of results) {
    const t = out.get(r.adapter) ?? { known: 0, new: 0, fixed: 0 };
    if (r.known?.outcome === 'known') t.known++;
    else if (r.known?.outcome === 'fixed') t.fixed++;
    else if (isUnexpected(r)) t.new++;
    out.set(r.adapter, t);
  }
  return out;
}
