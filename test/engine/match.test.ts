// Matching one observation against one expectation: errno sets, value matchers with $refs,
// u64 and nanosecond-time ordering, listings compared as sets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compare, matches, mismatch, resolveRef, type Bindings } from '../../engine/match.js';
import type { Expectation } from '../../language/model.js';

const none: Bindings = new Map();
const expect = (e: Partial<Expectation>): Expectation => ({ fields: {}, ...e });
const stat = (s: Record<string, unknown>) => ({ ok: true as const, value: { stat: s } as never });

test('An expected errno matches only one of the errnos listed, and never a success', () => {
  const e = expect({ errno: ['ENOTEMPTY', 'EEXIST'] });
  assert.is(mismatch(e, { ok: false, errno: 'EEXIST' }, none), undefined);
  assert.match(mismatch(e, { ok: false, errno: 'EPERM' }, none) ?? '', /failed with EPERM, expected ENOTEMPTY or EEXIST/);
  assert.match(mismatch(e, { ok: true }, none) ?? '', /succeeded, expected ENOTEMPTY or EEXIST/);
});

test('A timeout or a harness error never satisfies an expectation, not even `any`', () => {
  assert.match(mismatch(expect({ any: true }), { ok: false, timeout: 500 }, none) ?? '', /did not answer within 500 ms/);
  assert.match(mismatch(expect({ errno: ['EIO'] }), { ok: false, harness: 'agent died' }, none) ?? '', /harness error: agent died/);
  assert.is(mismatch(expect({ any: true }), { ok: false, errno: 'EIO' }, none), undefined);
});

test('Inode numbers compare as unsigned 64-bit values, never as rounded JS numbers', () => {
  assert.is(compare('18446744073709551615', '18446744073709551614'), 1);
  assert.is(compare('9223372036854775808', '9223372036854775809'), -1);
  assert.is(compare('12', 12), 0);
});

test('Times "sec.nsec" order by their nanoseconds', () => {
  assert.is(compare('100.000000001', '100.000000000'), 1);
  assert.is(compare('99.999999999', '100.000000000'), -1);
});

test('A $reference resolves to a bound field, and an unbound one never matches', () => {
  const b: Bindings = new Map([['st', { ino: '42', mode: 0o100644 }]]);
  assert.is(resolveRef('$st.ino', b), '42');
  assert.ok(matches('42', { eq: '$st.ino' }, b));
  assert.not.ok(matches('42', { eq: '$missing.ino' }, b));
  assert.not.ok(matches('42', { ne: '$missing.ino' }, b), 'an unbound reference is not "not equal" either');
});

test('A failed value matcher names the field, shows modes in octal and names the reference', () => {
  const b: Bindings = new Map([['before', { ino: '7' }]]);
  const e = expect({ fields: { mode: [{ eq: 0o100755 }], ino: [{ eq: '$before.ino' }] } });
  assert.match(mismatch(e, stat({ mode: 0o100644, ino: '7' }), b) ?? '', /mode is .*644.*expected .*755/);
  assert.match(mismatch(expect({ fields: { ino: [{ eq: '$before.ino' }] } }), stat({ ino: '8' }), b) ?? '', /ino is "8", expected "7" \(\$before\.ino\)/);
});

test('Listings compare as sets and report missing, unexpected and duplicated names', () => {
  const listing = (names: string[]) => ({ ok: true as const, value: { entries: names.map((name) => ({ name, type: 'file', ino: '1' })) } as never });
  const e = expect({ entries: ['a', 'b'] });
  assert.is(mismatch(e, listing(['b', 'a']), none), undefined);
  assert.match(mismatch(e, listing(['a', 'c']), none) ?? '', /missing b; unexpected c/);
  assert.match(mismatch(e, listing(['a', 'b', 'b']), none) ?? '', /listed twice/);
  assert.match(mismatch(expect({ excludes: ['.wh.a'] }), listing(['.wh.a']), none) ?? '', /"\.wh\.a" is listed but must not be/);
});

test('in and notIn take any of several values, with ordering matchers on numbers', () => {
  assert.ok(matches(3, { in: [1, 3] }, none));
  assert.not.ok(matches(2, { in: [1, 3] }, none));
  assert.ok(matches(2, { notIn: [1, 3] }, none));
  assert.ok(matches(4096, { ge: 4096 }, none));
  assert.not.ok(matches(4095, { ge: 4096 }, none));
  assert.not.ok(matches('abc', { gt: 1 }, none), 'a non-number never orders');
});

test.run();
