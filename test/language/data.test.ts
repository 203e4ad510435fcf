import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sizedBytes } from '../../language/data.js';

test('a layer file declared longer than its data is zero-padded to the declared size', () => {
  const out = sizedBytes(new TextEncoder().encode('head'), 10);
  assert.equal([...out], [104, 101, 97, 100, 0, 0, 0, 0, 0, 0]);
});

test('a layer file declared shorter than its data is cut to the declared size', () => {
  assert.equal([...sizedBytes(Uint8Array.of(1, 2, 3, 4), 2)], [1, 2]);
});

test('data already of its declared size (or with none declared) is given back as it is', () => {
  const d = Uint8Array.of(7, 8);
  assert.is(sizedBytes(d, 2), d);
  assert.is(sizedBytes(d, undefined), d);
});

test('an 8 MiB sparse layer file keeps its head and is zero beyond it', () => {
  const out = sizedBytes(new TextEncoder().encode('head'), 8 << 20);
  assert.is(out.length, 8 << 20);
  assert.is(new TextDecoder().decode(out.subarray(0, 4)), 'head');
  assert.ok(out.subarray(4).every((b) => b === 0));
});

test.run();
