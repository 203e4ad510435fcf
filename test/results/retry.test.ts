// Retries of unexpected results: a retry that is as expected makes the run flaky (named, counted
// apart, its first verdict kept); retries that are unexpected too confirm it. Runs a flaky known
// failure covers may differ from the published verdicts without making the machine differ.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Result, ResultsFile } from '../../language/schema/results.js';
import type { Target } from '../../engine/orchestrate.js';
import type { Scenario } from '../../language/model.js';
import { isUnexpected } from '../../engine/known.js';
import { renderFlaky, retryPlan, settleRetries } from '../../results/retry.js';
import { comparePublished, renderPublished } from '../../results/published.js';

const r = (scenario: string, verdict: Result['verdict'], over: Partial<Result> = {}): Result =>
  ({ scenario, id: scenario, file: 'x.yaml', behaviour: [], adapter: 'a', variant: 'v', verdict, ...(verdict === 'fail' ? { reason: `step 3 (unlink, line 9): failed with ENAMETOOLONG, expected success` } : {}), steps: [], ms: 1, ...over });
const file = (results: Result[]) => ({ results }) as unknown as ResultsFile;

test('Only the unexpected runs are planned again, per target, with their own scenarios', () => {
  const t = (adapter: string, variant: string) => ({ adapter: { name: adapter }, variant: { name: variant } }) as unknown as Target;
  const sc = (runId: string) => ({ runId }) as unknown as Scenario;
  const results = [r('s', 'fail'), r('t', 'pass'), r('u', 'fail', { known: { id: 'KF', outcome: 'known' } }), r('s', 'pass', { variant: 'w' })];
  const plans = retryPlan(results, [t('a', 'v'), t('a', 'w')], [sc('s'), sc('t'), sc('u')]);
  assert.equal(plans.map((p) => [p.target.variant.name, p.scenarios.map((s) => s.runId)]), [['v', ['s']]]);
});

test('A retry that is as expected makes the run flaky: the first verdict is kept, marked and explained', () => {
  const f = file([r('s', 'fail'), r('t', 'fail')]);
  const flaky = settleRetries(f, [[r('s', 'deviation', { deviations: ['DEV-X'] }), r('t', 'fail')]]);
  assert.equal(flaky.map((x) => x.scenario), ['s']);
  const [s, t] = f.results;
  assert.is(s.verdict, 'fail');
  assert.is(s.flaky, true);
  assert.equal(s.retries, ['deviation']);
  assert.equal(s.otherRepeats?.[0].deviations, ['DEV-X']);
  assert.match(s.notes?.at(-1) ?? '', /^flaky: unexpected \(fail: .*\), then as expected on retry 1 \(deviation \[DEV-X\]\)/);
  assert.not.ok(isUnexpected(s));
  assert.is(t.flaky, undefined);
  assert.equal(t.retries, ['fail']);
  assert.ok(isUnexpected(t));
  assert.match(renderFlaky(flaky), /^FLAKY: 1 run\(s\) .*\n  a\/v s: fail then deviation\n$/);
});

test('Runs a flaky known failure covers may differ from the published verdicts; other changes still count', () => {
  const published = ['a/v\ts\tfail\t', 'a/v\tt\tpass\t', 'a/v\tu\tpass\t'];
  const known = new Map([['a', [{ id: 'KF-S', implementation: 'a', title: 't', ref: 'r', scenarios: ['s'], verdict: 'fail' as const, flaky: true, at: 'a.yaml:3' }]]]);
  const fresh = file([r('s', 'pass'), r('t', 'pass'), r('u', 'pass')]);
  assert.is(comparePublished(fresh, published).changes.length, 1, 'without the entry the pass is a change');
  const c = comparePublished(fresh, published, known);
  assert.equal(c.changes, []);
  assert.is(c.flaky.length, 1);
  assert.match(renderPublished(c)[0], /matches the published results .*all 2 of 3 shared runs not known to be flaky have the same verdict\. 1 run known to be flaky differs/);
  const worse = comparePublished(file([...fresh.results.slice(0, 2), r('u', 'fail')]), published, known);
  assert.is(worse.changes.length, 1);
  assert.match(renderPublished(worse)[0], /differs from the published results .* in 1 of 3 shared runs/);
});

test.run();
