// Compact results keep step detail only where something was unexpected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compactResult } from '../../results/compact.js';
import type { Result } from '../../language/schema/results.js';

const step = (index: number, matched: string | null) => ({ step: index + 1, line: 10 + index, op: 'stat', observed: { ok: true as const }, matched });
const result = (verdict: Result['verdict'], steps = [step(0, 'posix'), step(1, 'DEV-X')]): Result => ({
  scenario: 's', id: 's', file: 'f', behaviour: [], adapter: 'a', variant: 'v', verdict, steps, after: { upper: {} }, ms: 1,
});

test('a pass keeps no steps and no layer state, and says it is compact', () => {
  const c = compactResult(result('pass', [step(0, 'posix')]));
  assert.equal(c.steps, []);
  assert.is(c.after, undefined);
  assert.is(c.compact, true);
});

test('a deviation keeps only its deviating steps', () => {
  assert.equal(compactResult(result('deviation')).steps.map((s) => s.matched), ['DEV-X']);
});

test('fail, xpass and error keep everything, and so does --steps all', () => {
  for (const v of ['fail', 'xpass', 'error'] as const) assert.equal(compactResult(result(v)), result(v));
  assert.equal(compactResult(result('pass'), 'all'), result('pass'));
});

test.run();
