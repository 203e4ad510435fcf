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

test.run();
