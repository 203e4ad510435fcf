import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conditionHolds, describeCondition } from '../../../language/loader/condition.js';
import { errorsOf, scenario } from '../../helpers/scenario.js';

const base = (extra: string) => `id: t/c
title: t
behaviour: [MC-001]
layers:
  lower:
    - { f: "x" }
steps:
  - stat: f
${extra}`;

test('a condition holds when every option has a listed value and the capabilities are as asked', () => {
  const ctx = { options: { metacopy: 'on', index: 'off' }, capabilities: { atime: true as const, mknod: 'needs CAP_MKNOD' } };
  assert.ok(conditionHolds({ options: { metacopy: ['on'] }, capabilities: ['atime'], without: ['mknod'] }, ctx));
  assert.not.ok(conditionHolds({ options: { index: ['on'] } }, ctx));
  assert.not.ok(conditionHolds({ capabilities: ['mknod'] }, ctx));
  assert.not.ok(conditionHolds({ options: { xino: ['on'] } }, ctx));
  assert.is(describeCondition({ options: { redirect_dir: ['on', 'follow'] }, without: ['atime'] }), 'redirect_dir=on|follow, without atime');
});

test('linux and when load into the step, and after.when into the after block', () => {
  const [s] = scenario(base(`    expect: { size: 1 }
    linux: { size: 1 }
    when:
      - { options: { metacopy: "on" }, capabilities: [atime], expect: { size: 1 } }
after:
  when:
    - options: { index: ["on"] }
      upper: { f: !absent }
`));
  assert.equal(s.steps[0].when[0].when, { options: { metacopy: ['on'] }, capabilities: ['atime'] });
  assert.ok(s.steps[0].linux);
  assert.equal(s.after?.when[0].when, { options: { index: ['on'] } });
  assert.ok(s.mentions.includes('DEV-LINUX-CONVENTION'));
});

test('unknown options, impossible values and unknown capabilities in a condition are errors at their line', () => {
  const errs = errorsOf(base(`    when:
      - { options: { metacopi: "on" }, expect: { size: 1 } }
      - { options: { metacopy: "maybe" }, capabilities: [atimes], expect: { size: 1 } }
`), 'cond.yaml');
  assert.ok(errs.some((e) => /^cond\.yaml:10:\d+: .*unknown mount option "metacopi"/.test(e)), errs.join('\n'));
  assert.ok(errs.some((e) => /cond\.yaml:11:\d+: .*option metacopy is never "maybe"/.test(e)), errs.join('\n'));
  assert.ok(errs.some((e) => /unknown capability "atimes"/.test(e)), errs.join('\n'));
});

test('a linux expectation cannot accept any outcome', () => {
  const errs = errorsOf(base(`    expect: { any: true }
    linux: { size: 1 }
`));
  assert.ok(errs.some((e) => /linux: names the one answer/.test(e)), errs.join('\n'));
});

test.run();
