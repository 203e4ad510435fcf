// The agent's line protocol as data (adapters/host/wire.ts): no agent process, no root.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeValue, encodeValue, formatRequest, getText, LineSplitter, parseFields, parseLine } from '../../../adapters/host/wire.js';

test('percent-encoding round-trips all 256 byte values and leaves safe bytes readable', () => {
  const all = new Uint8Array(256).map((_, i) => i);
  const enc = encodeValue(all);
  assert.not.match(enc, /[ =\n]/);
  assert.equal(Array.from(decodeValue(enc)), Array.from(all));
  assert.is(encodeValue('a/b.c_d-e'), 'a/b.c_d-e');
  assert.is(encodeValue('a b=c\n%'), 'a%20b%3Dc%0A%25');
  assert.is(encodeValue('é'), '%C3%A9');
  assert.throws(() => decodeValue('%G1'));
  assert.throws(() => decodeValue('%1G'));
  assert.throws(() => decodeValue('ab%4'));
  assert.throws(() => decodeValue('%\u01004'));
  assert.equal(Array.from(decodeValue('%c3%a9')), [0xc3, 0xa9]);
});

test('a decoded value is a plain Uint8Array of exactly its bytes, whatever path decoded it', () => {
  const long = `head${'%00'.repeat(100_000)}%41z`;
  const v = decodeValue(long);
  assert.is(v.constructor, Uint8Array);
  assert.is(v.length, 100_006);
  assert.is(v.buffer.byteLength, 100_006);
  assert.equal(Array.from(v.subarray(0, 5)), [0x68, 0x65, 0x61, 0x64, 0]);
  assert.equal(Array.from(v.subarray(-2)), [0x41, 0x7a]);
  assert.is(decodeValue('plain').constructor, Uint8Array);
  // a caller's string with a character above 0xff: kept as its low byte outside a pair, refused inside one
  assert.equal(Array.from(decodeValue('\u0141%41')), [0x41, 0x41]);
  assert.throws(() => decodeValue('%\u01414'));
});

test('a request line repeats array keys, writes true as 1 and drops false and undefined', () => {
  const line = formatRequest(7, 'mount', { fstype: 'overlay', opt: ['lowerdir+=/a b', 'ro'], ro: true, cwd: undefined, x: false });
  assert.is(line, '7 mount fstype=overlay opt=lowerdir%2B%3D/a%20b opt=ro ro=1');
  assert.throws(() => formatRequest(1, 'Bad op', {}));
});

test('an err line parses into its errno name and decoded message', () => {
  const l = parseLine('12 err EINVAL msg=overlay%3A%20Unknown%20parameter%20%27bogus%27');
  assert.is(l.id, 12);
  assert.is(l.kind, 'err');
  assert.is(l.errno, 'EINVAL');
  assert.is(getText(l.fields, 'msg'), "overlay: Unknown parameter 'bogus'");
  assert.throws(() => parseLine('x ok'));
});

test('the ready line\'s fields decode and a token without = is skipped', () => {
  const f = parseFields('pid=12 version=1 stray sandbox=/tmp/a%20b');
  assert.equal(f.map(([k]) => k), ['pid', 'version', 'sandbox']);
  assert.is(getText(f, 'sandbox'), '/tmp/a b');
});

test('a megabyte of every byte value round-trips through the encoding', () => {
  const big = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
  const enc = encodeValue(big);
  assert.is(enc.length, 3 * big.length - 2 * [...big].filter((c) => /[A-Za-z0-9_.\/-]/.test(String.fromCharCode(c))).length);
  assert.ok(Buffer.from(decodeValue(enc)).equals(Buffer.from(big)));
});

test('lines split across chunks, several in one chunk and a chunk ending at a newline come out whole, in order', () => {
  const sp = new LineSplitter();
  const long = 'x'.repeat(200_000);
  const out: string[] = [];
  const bytes = Buffer.from(`1 ok\n2 item data=${long}\n\n3 err EIO msg=%C3%A9\n4 o`, 'latin1');
  // odd chunk sizes: a line's end and a chunk's end fall everywhere
  for (let i = 0; i < bytes.length; i += 4093) out.push(...sp.push(bytes.subarray(i, Math.min(bytes.length, i + 4093))));
  assert.equal(out.map((l) => l.slice(0, 12)), ['1 ok', '2 item data=', '3 err EIO ms']);
  assert.is(out[1].length, 12 + long.length);
  assert.equal(sp.push(Buffer.from('k\n')), ['4 ok']);
  assert.equal(sp.push(Buffer.from('5 ok\n')), ['5 ok']);
});

test.run();
