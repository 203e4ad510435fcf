// The agent's line protocol as data (adapters/host/wire.ts): no agent process, no root.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeValue, encodeValue, formatRequest, getText, parseFields, parseLine } from '../../../adapters/host/wire.js';

test('percent-encoding round-trips all 256 byte values and leaves safe bytes readable', () => {
  const all = new Uint8Array(256).map((_, i) => i);
  const enc = encodeValue(all);
  assert.not.match(enc, /[ =\n]/);
  assert.equal(Array.from(decodeValue(enc)), Array.from(all));
  assert.is(encodeValue('a/b.c_d-e'), 'a/b.c_d-e');
  assert.is(encodeValue('a b=c\n%'), 'a%20b%3Dc%0A%25');
  assert.is(encodeValue('é'), '%C3%A9');
  assert.throws(() => decodeValue('%G1'));
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

test.run();
