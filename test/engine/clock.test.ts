import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clockPast, TICK_MARGIN_MS, timeMs } from '../../engine/clock.js';

test('a "sec.nsec" time and a number of seconds are read as milliseconds', () => {
  assert.is(timeMs('1796520699.807118609'), 1796520699807.118609);
  assert.is(timeMs(1000000000), 1e12);
  assert.is(timeMs('soon'), undefined);
});

test('a time long past returns at once without reading the clock twice', async () => {
  let reads = 0;
  const r = await clockPast('1000000000.000000000', () => (reads++, 2e12));
  assert.equal(r, { ok: true });
  assert.is(reads, 2);
});

test('it returns only once the clock is more than a tick past the time', async () => {
  let t = 1e12;
  const now = () => (t += 3);
  const r = await clockPast('1000000000.000000000', now);
  assert.equal(r, { ok: true });
  assert.ok(t > 1e12 + TICK_MARGIN_MS, String(t));
});

test('something that is not a time, or a time far ahead, is a harness problem', async () => {
  const bad = await clockPast('$nope', () => 0);
  assert.ok('harness' in bad && bad.harness.includes('not a time'));
  const ahead = await clockPast('2000000000', () => 1e12);
  assert.ok('harness' in ahead && ahead.harness.includes('ahead'));
});

test.run();
