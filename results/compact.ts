// Compact results: step detail is kept where something was unexpected, so a passing run stays
// small (a few hundred bytes per result) while every fail, xpass and error keeps everything.

import type { Result } from '../language/schema/results.js';

/** how much step detail results keep: every step, or only where something was not POSIX */
export type StepDetail = 'all' | 'unexpected';

/** A result as recorded: fail/xpass/error in full; a deviation keeps its deviating steps; pass and skip keep none. */
export function compactResult(r: Result, detail: StepDetail = 'unexpected'): Result {
  if (detail === 'all' || r.verdict === 'fail' || r.verdict === 'xpass' || r.verdict === 'error' || r.known?.outcome === 'fixed') return r;
  if (r.steps.length === 0 && r.after === undefined) return r;
  const { after: _after, ...rest } = r;
  return { ...rest, steps: r.steps.filter((s) => s.matched !== 'posix'), compact: true };
}
