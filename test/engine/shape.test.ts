// valueJSON builds the JSON form of op values directly; it must give exactly what the JSON round
// trip with the byte/bigint replacer gave (results files and verdicts depend on it), for the
// plain values ops return and for the odd ones (dates, maps, buffers, -0, NaN, __proto__ keys).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toDataJSON } from '../../language/data.js';
import { valueJSON } from '../../engine/shape.js';

/** the round trip valueJSON replaces */
function roundTrip(v: unknown): unknown {
  const s = JSON.stringify(v, (_k, x) =>
    x instanceof Uint8Array ? toDataJSON(x) : x && x.type === 'Buffer' && Array.isArray(x.data) ? toDataJSON(Uint8Array.from(x.data)) : typeof x === 'bigint' ? String(x) : x,
  );
  return s === undefined ? undefined : JSON.parse(s);
}

const same = (v: unknown) => {
  const got = valueJSON(v);
  assert.equal(got, roundTrip(v), JSON.stringify(roundTrip(v)));
  // the same key order, and own keys only (a "__proto__" key is data, not a prototype)
  assert.is(JSON.stringify(got), JSON.stringify(roundTrip(v)));
};

test('Plain op values come out as the JSON round trip gave them', () => {
  same({ stat: { type: 'file', mode: 0o644, size: 12, ino: 123n, atime: '1.5', nested: [1, 'a', true, null] } });
  same({ entries: [{ name: 'a', type: 'dir' }, { name: 'b', type: 'file' }] });
  same({ data: new Uint8Array([104, 105]), bin: new Uint8Array([0, 255, 1]), buf: Buffer.from('xyz') });
  same([undefined, () => 1, Symbol('s'), NaN, Infinity, -0, 1.5e300]);
  same({ u: undefined, f: () => 1, n: -0, nan: NaN, big: -5n, '2': 'two', '1': 'one', b: 'b', a: 'a' });
  same(Object.assign(Object.create(null), { x: 1 }));
  same(undefined);
  same(null);
  same('text');
  same(7);
});

test('Odd values take the round trip itself: dates, maps, sets, buffers as JSON, wrappers, __proto__ keys', () => {
  same({ when: new Date(0), m: new Map([[1, 2]]), s: new Set([1]), w: new Number(3), str: new String('s') });
  same({ type: 'Buffer', data: [104, 105] });
  same({ j: { toJSON: () => ({ made: 1n === 1n }) } });
  same(JSON.parse('{"__proto__": {"x": 1}, "y": 2}'));
  same({ u16: new Uint16Array([1, 2]) });
});

test.run();
