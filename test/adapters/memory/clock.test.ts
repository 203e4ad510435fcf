// The model's times print as "SEC.NSEC" with nine digits of nanoseconds: fmtTime, which every stat
// calls three times, gives the same text as the arithmetic definition (floor division by 10^9,
// the remainder zero-padded) for times before, at and after the epoch and at every digit boundary.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fmtTime, parseTime } from '../../../adapters/memory/clock.js';

const NS = 1_000_000_000n;
/** the definition: seconds rounded down, nanoseconds 0..999999999 */
function reference(ns: bigint): string {
  let sec = ns / NS;
  let frac = ns % NS;
  if (frac < 0n) {
    frac += NS;
    sec -= 1n;
  }
  return `${sec}.${frac.toString().padStart(9, '0')}`;
}

test('fmtTime prints every kind of time as the arithmetic definition does', () => {
  const values: bigint[] = [0n, 1n, 9n, 10n, 999_999_999n, NS, NS + 1n, 10n * NS - 1n, 1_749_945_600n * NS + 1000n, 2n ** 63n - 1n, -1n, -NS, -NS - 1n, -(2n ** 63n)];
  for (let d = 0n, p = 1n; d < 22n; d++, p *= 10n) values.push(p - 1n, p, p + 1n, -p);
  for (const v of values) assert.is(fmtTime(v), reference(v), String(v));
});

test('fmtTime and parseTime round-trip for times after the epoch', () => {
  for (const v of [0n, 5n, NS, NS + 7n, 1_749_945_600_123_456_789n]) assert.is(parseTime(fmtTime(v)), v);
});

test.run();
