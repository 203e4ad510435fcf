// A remount closes every handle: a descriptor bound before it is no longer bound afterwards (so
// a later step using it is "not run" on every worker alike), while its other fields stay usable
// as references.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StepJudge } from '../../engine/judge.js';
import type { Step } from '../../language/model.js';

const step = (op: string, as?: string): Step => ({ op, args: {}, as, index: 0, line: 1, expect: { fields: {} }, deviations: {} }) as unknown as Step;

test('a successful remount drops fd bindings and keeps the rest', () => {
  const j = new StepJudge();
  j.record(step('open', 'f'), { ok: true, value: { fd: 5 } } as never, 0);
  j.bindings.get('f')!.ino = '42';
  j.record(step('remount'), { ok: true } as never, 0);
  assert.is(j.bindings.get('f')?.fd, undefined);
  assert.is(j.bindings.get('f')?.ino, '42');
});

test('a remount the harness refused leaves the handles bound', () => {
  const j = new StepJudge();
  j.record(step('open', 'f'), { ok: true, value: { fd: 5 } } as never, 0);
  j.record(step('remount'), { ok: false, skip: 'no remount here' }, 0);
  assert.is(j.bindings.get('f')?.fd, 5);
});

test('A listing that lacks the entry a later step names is the implementation\'s gap (a mismatch), a misspelt field stays unjudged', async () => {
  const { classify } = await import('../../engine/classify.js');
  const { scenario } = await import('../helpers/scenario.js');
  const [s] = scenario(`id: t/dino
title: d_ino
behaviour: [RD-006]
layers:
  lower:
    - { d/x: "x" }
steps:
  - readdir: d
    as: list
  - lstat: d/x
    expect: { ino: $list.inos.x }
`);
  const j = new StepJudge();
  j.record(s.steps[0], { ok: true, value: { entries: [{ name: 'y', type: 'file', ino: '7' }] } } as never, 0);
  const r = j.record(s.steps[1], { ok: true, value: { stat: { ino: '7' } } } as never, 0);
  assert.is(r.judgement.kind, 'mismatch');
  assert.match(r.judgement.kind === 'mismatch' ? r.judgement.why : '', /\$list\.inos\.x is missing: the answer bound as \$list has no "x" in inos \(it has y\)/);
  const c = classify(s, { steps: [j.record(s.steps[0], { ok: true, value: { entries: [] } } as never, 0), r] }, new Map());
  assert.is(c.verdict, 'fail');
  const typo = { ...s.steps[1], expect: { fields: { ino: [{ eq: '$list.inoss.x' }] } } } as unknown as Step;
  assert.is(j.record(typo, { ok: true, value: { stat: { ino: '7' } } } as never, 0).judgement.kind, 'none');
});

test.run();
