import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sizedBytes, toDataJSON } from '../../language/data.js';

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

test('Bytes are shown as text when they are printable UTF-8 and as hex otherwise', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.is(toDataJSON(enc('plain text\twith\r\nlines ~')), 'plain text\twith\r\nlines ~');
  assert.is(toDataJSON(new Uint8Array(0)), '');
  assert.is(toDataJSON(enc('naïve ✓')), 'naïve ✓');
  assert.equal(toDataJSON(Uint8Array.of(0x61, 0x7f)), { hex: '617f' });
  assert.equal(toDataJSON(Uint8Array.of(0x61, 0x00)), { hex: '6100' });
  assert.equal(toDataJSON(Uint8Array.of(0x61, 0xff)), { hex: '61ff' });
  // the decoder drops a byte-order mark, as it always did
  assert.is(toDataJSON(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61)), 'a');
  // a view into a larger buffer is read from its own offset
  assert.is(toDataJSON(enc('xxabcxx').subarray(2, 5)), 'abc');
});

test.run();
