import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { meets, ratioText, unitOf, type Row } from '../../bench/ratios.js';

const kernel = (seconds: number, bracket?: [number, number]): Row => ({ what: 'kernel/default in-process, 1 job', runs: 1000, seconds, cpu: seconds / 2, target: { maxFloor: 2 }, bracket });

test('a row between two floors of its own is compared with their mean, not the run-wide floor', () => {
  const r = kernel(3, [1.4, 1.6]);
  assert.is(unitOf(r, 10), 1.5);
  // 3 ms a run over a 1.5 ms floor is 2×: exactly the target
  assert.is(ratioText(r, 10), '1.00');
  assert.is(meets(r, 10), 'yes');
});

test('a row whose floor moved more than 1.5× while it ran is called unsure instead of meeting or missing', () => {
  const r = kernel(3, [1.28, 18.78]);
  assert.match(meets(r, 10), /^unsure: the floor moved 14\.7×/);
});

test('a row without a bracket uses the run-wide floor', () => {
  const r = kernel(20);
  assert.is(unitOf(r, 10), 10);
  assert.is(meets(r, 10), 'yes');
  assert.is(meets(kernel(20), 5), 'no');
});

test('a seconds target meets by the wall clock and says so by CPU separately', () => {
  const r: Row = { what: 'validate', seconds: 1.2, cpu: 2.4, target: { maxSeconds: 1.5 } };
  assert.is(ratioText(r, undefined), '0.80 (CPU 1.60)');
  assert.is(meets(r, undefined), 'yes (CPU no)');
});

test('a runs-per-second target is inverted so that at most 1 meets it', () => {
  const r: Row = { what: 'memory', runs: 2000, seconds: 1, cpu: 0.25, target: { minPerSecond: 5000 } };
  assert.is(ratioText(r, undefined), '2.50 (CPU 0.63)');
  assert.is(meets(r, undefined), 'no (CPU yes)');
});

test.run();
