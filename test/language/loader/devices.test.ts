import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ALLOWED_DEVICES, deviceProblem } from '../../../language/loader/devices.js';
import { errorsOf, scenario } from '../../helpers/scenario.js';

const head = 'id: t/dev\ntitle: t\nbehaviour: [WH-001]\n';

test('whiteouts and the numbers the suites use are allowed', () => {
  for (const t of ['chr', 'blk'] as const) for (const rdev of ALLOWED_DEVICES[t]) {
    const [ma, mi] = rdev.split(':').map(Number);
    assert.is(deviceProblem(t, ma, mi), undefined, `${t} ${rdev}`);
  }
  assert.is(deviceProblem('chr', undefined, undefined), undefined);
});

test('a mknod of a host block device fails to load', () => {
  const errs = errorsOf(head + 'steps:\n  - mknod: {path: dev, type: blk, major: 7, minor: 0}\n', 'mknod.yaml');
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^mknod\.yaml:5:12: \/steps\/0\/mknod: device blk 7:0 is not on the allow-list/);
});

test('a layer entry for the kernel log device fails to load at its name', () => {
  const errs = errorsOf(head + 'layers:\n  lower:\n    - { kmsg: { type: chr, major: 1, minor: 11 } }\nsteps:\n  - stat: kmsg\n', 'entry.yaml');
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^entry\.yaml:6:9: \/layers\/lower\/0\/kmsg: device chr 1:11 is not on the allow-list/);
});

test('device numbers chosen through vary are checked after expansion', () => {
  const errs = errorsOf(head + 'vary:\n  d: { ok: { t: chr, ma: 1, mi: 3 }, bad: { t: blk, ma: 8, mi: 0 } }\nsteps:\n  - mknod: {path: n, type: "${d.t}", major: "${d.ma}", minor: "${d.mi}"}\n', 'vary.yaml');
  assert.equal(errs.length, 1);
  assert.match(errs[0], /device blk 8:0 is not on the allow-list/);
  assert.is(scenario(head + 'steps:\n  - mknod: {path: n, type: chr, major: 1, minor: 3}\n').length, 1);
});

test.run();
