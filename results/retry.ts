// Retrying unexpected results (`run --retry-unexpected N`, as wptrunner retries unexpected tests):
// an unexpected result is run again on fresh layers. If every retry is unexpected too, the result
// stands (a regression); if a retry is as expected, the run is flaky: its first verdict is kept,
// marked, counted apart and named at the end of the run, never settled by keeping the retry.

import type { Scenario } from '../language/model.js';
import type { Result, ResultsFile } from '../language/schema/results.js';
import type { Target } from '../engine/orchestrate.js';
import { isUnexpected } from '../engine/known.js';
import { observation, repeatRecord, runKey } from './repeat.js';

/** One retry session to run: a target and the scenarios of it that were unexpected. */
export interface RetryPlan {
  target: Target;
  scenarios: Scenario[];
}

/** What to run again: per target, the scenario runs whose result was unexpected (interrupted or skipped ones never). */
export function retryPlan(results: Result[], targets: Target[], scenarios: Scenario[]): RetryPlan[] {
  const bad = new Set(results.filter(isUnexpected).map(runKey));
  if (!bad.size) return [];
  const plans: RetryPlan[] = [];
  for (const target of targets) {
    const mine = scenarios.filter((s) => bad.has(runKey({ adapter: target.adapter.name, variant: target.variant.name, scenario: s.runId })));
    if (mine.length) plans.push({ target, scenarios: mine });
  }
  return plans;
}

/** Mark the results the retries did not confirm as flaky; returns them. `retries`: the results of each retry round. */
export function settleRetries(file: ResultsFile, retries: Result[][]): Result[] {
  const by = new Map<string, Result[]>();
  for (const round of retries) for (const r of round) by.set(runKey(r), [...(by.get(runKey(r)) ?? []), r]);
  const flaky: Result[] = [];
  for (const r of file.results) {
    const again = by.get(runKey(r));
    if (!again?.length || !isUnexpected(r)) continue;
    const fine = again.findIndex((x) => !isUnexpected(x));
    r.retries = again.map((x) => x.verdict);
    if (fine < 0) continue;
    const other = again[fine];
    r.flaky = true;
    r.otherRepeats = [repeatRecord(fine + 2, other)];
    r.notes = [...(r.notes ?? []), `flaky: unexpected (${observation(r)}), then as expected on retry ${fine + 1} (${observation(other)}); record it in spec/known-failures with flaky: true, or find why`];
    flaky.push(r);
  }
  return flaky;
}

/** The flaky runs in words, for the end of a run. */
export function renderFlaky(flaky: Result[], max = 10): string {
  if (!flaky.length) return '';
  const lines = flaky.slice(0, max).map((r) => `  ${r.adapter}/${r.variant} ${r.scenario}: ${[r.verdict, ...(r.retries ?? [])].join(' then ')}`);
  if (flaky.length > max) lines.push(`  … and ${flaky.length - max} more (results with "flaky": true)`);
  return `FLAKY: ${flaky.length} run(s) were unexpected, then as expected when run again (not counted as failures; the first verdict is kept in the results):\n${lines.join('\n')}\n`;
}
