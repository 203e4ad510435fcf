import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ALLOWED_DEVICES, deviceOpenProblem, deviceProblem, devicesOf } from '../../../language/loader/devices.js';
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

test('device-open is refused at requires: for a loop device node, in a step or a layer', () => {
  const step = errorsOf(head + 'requires: [device-open]\nsteps:\n  - mknod: {path: b, type: blk, major: 7, minor: 200}\n', 'open.yaml');
  assert.equal(step.length, 1, step.join('\n'));
  assert.match(step[0], /^open\.yaml:4:\d+: \/requires\/0: device-open .* makes blk 7:200, which could reach a host device/);
  const layer = errorsOf(head + 'requires: [device-open]\nlayers:\n  lower:\n    - { b: { type: blk, major: 7, minor: 200 } }\nsteps:\n  - stat: b\n', 'layer.yaml');
  assert.equal(layer.length, 1, layer.join('\n'));
});

test('device-open with only /dev/null and /dev/zero numbers loads, and marks the scenario', () => {
  const [s] = scenario(head + 'requires: [device-open]\nlayers:\n  lower:\n    - { z: { type: chr, major: 1, minor: 5 } }\nsteps:\n  - mknod: {path: n, type: chr, major: 1, minor: 3}\n');
  assert.equal(s.requires, ['device-open']);
  assert.is(deviceOpenProblem(devicesOf([{ x: { type: 'chr', major: 1, minor: 3 } }], [])), undefined);
  assert.match(deviceOpenProblem(devicesOf([], [{ op: 'edit', args: { entries: { k: { type: 'chr', major: 1, minor: 0 } } } }])) ?? '', /chr 1:0/);
});

test.run();
