import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classify, type RunRecord } from '../../engine/classify.js';
import { judgeAll } from '../../engine/judge.js';
import type { StepOutcome } from '../../engine/match.js';
import { resultJSON } from '../../engine/shape.js';
import type { ProfileDeviation } from '../../language/model.js';
import { scenario } from '../helpers/scenario.js';

const [s] = scenario(`id: t/rename
title: t
behaviour: [RN-001]
layers:
  lower:
    - { d/a: "A" }
steps:
  - rename: { from: d, to: e }
    deviations:
      DEV-RENAME-DIR-EXDEV: { errno: EXDEV, stop: true }
  - readdir: e
    expect: { entries: [a] }
  - stat: e/a
    as: st
    expect: { size: 1 }
  - stat: e/a
    expect: { ino: $st.ino }
after:
  upper: { d: !whiteout }
`);

const stat = (ino: string, size = 1) => ({ ok: true as const, value: { stat: { type: 'file' as const, mode: 0o644, ino, dev: '0:1', nlink: 1, uid: 0, gid: 0, size, blocks: 8, rdev: '0:0', atime: '1.000000000', mtime: '1.000000000', ctime: '1.000000000' } } });
const listing = (...names: string[]) => ({ ok: true as const, value: { entries: names.map((name) => ({ name, ino: '1', type: 'file' as const })) } });
const rec = (outcomes: StepOutcome[], extra: Partial<RunRecord> = {}): RunRecord => ({
  steps: judgeAll(s.steps, outcomes),
  ...extra,
});
const posixRun = () => rec([{ ok: true }, listing('a'), stat('18446744073709551615'), stat('18446744073709551615')], { inspect: { ok: true, upper: { d: { type: 'whiteout' } }, lowers: [] } });
const doc = (...ids: string[]) => new Map<string, ProfileDeviation>(ids.map((id) => [id, { id, when: [], optional: false, observed: 'test' }]));

test('POSIX observed everywhere and nothing documented is a pass', () => {
  const c = classify(s, posixRun(), doc());
  assert.is(c.verdict, 'pass');
  assert.equal(c.matched, ['posix', 'posix', 'posix', 'posix']);
});

test('a documented deviation observed is a deviation and stops at its step', () => {
  const c = classify(s, rec([{ ok: false, errno: 'EXDEV' }]), doc('DEV-RENAME-DIR-EXDEV'));
  assert.is(c.verdict, 'deviation');
  assert.equal(c.deviations, ['DEV-RENAME-DIR-EXDEV']);
  assert.equal(c.matched, ['DEV-RENAME-DIR-EXDEV']);
});

test('a known deviation the profile does not document is a fail that names it', () => {
  const c = classify(s, rec([{ ok: false, errno: 'EXDEV' }]), doc());
  assert.is(c.verdict, 'fail');
  assert.equal(c.failure?.matches, ['DEV-RENAME-DIR-EXDEV']);
  assert.is(c.failure?.line, 8);
  assert.ok(c.reason?.includes('known deviation DEV-RENAME-DIR-EXDEV'), c.reason);
  const r = resultJSON(s, { adapter: 'a', variant: 'v' }, rec([{ ok: false, errno: 'EXDEV' }]), c, 0);
  assert.equal(r.failure?.expected, { ok: true });
  assert.equal(r.failure?.observed, { ok: false, errno: 'EXDEV' });
});

test('an unknown observation is a fail with expected and observed', () => {
  const c = classify(s, rec([{ ok: true }, listing('a', 'zz')]), doc());
  assert.is(c.verdict, 'fail');
  assert.is(c.failure?.step, 2);
  assert.ok(c.reason?.includes('unexpected zz'), c.reason);
});

test('a value compared with a u64 binding beyond 2^53 is exact', () => {
  const c = classify(s, rec([{ ok: true }, listing('a'), stat('18446744073709551615'), stat('18446744073709551614')]), doc());
  assert.is(c.verdict, 'fail');
  assert.ok(c.reason?.includes('ino is "18446744073709551614", expected "18446744073709551615" ($st.ino)'), c.reason);
});

test('POSIX observed where the profile documents a deviation is an xpass', () => {
  const c = classify(s, posixRun(), doc('DEV-RENAME-DIR-EXDEV'));
  assert.is(c.verdict, 'xpass');
  assert.ok(c.reason?.includes('DEV-RENAME-DIR-EXDEV'));
});

test('an optional documented deviation does not raise an xpass', () => {
  const d = doc('DEV-RENAME-DIR-EXDEV');
  d.get('DEV-RENAME-DIR-EXDEV')!.optional = true;
  assert.is(classify(s, posixRun(), d).verdict, 'pass');
});

test('a missing capability is a skip with its reason', () => {
  const c = classify(s, { steps: [], skip: 'needs whiteout: no' }, doc());
  assert.is(c.verdict, 'skip');
  assert.is(c.reason, 'needs whiteout: no');
});

test('a timed-out step is an error', () => {
  const c = classify(s, rec([{ ok: true }, { ok: false, timeout: 10000 }]), doc());
  assert.is(c.verdict, 'error');
  assert.ok(c.reason?.startsWith('step 2 (readdir, line 11): did not answer within 10000 ms'), c.reason);
});

test('a path escape is a fail with the reason', () => {
  const c = classify(s, rec([{ ok: false, escape: 'symlink to /' }]), doc());
  assert.is(c.verdict, 'fail');
  assert.ok(c.reason?.includes('escapes the scenario root'), c.reason);
});

test('a wrong upper layer is a fail of the after block', () => {
  const r = posixRun();
  r.inspect = { ok: true, upper: { d: { type: 'dir' } }, lowers: [] };
  const c = classify(s, r, doc());
  assert.is(c.verdict, 'fail');
  assert.is(c.reason, 'after (line 19): upper d is a dir, expected whiteout');
});

test('layer checks an adapter cannot make are noted, not failed', () => {
  const r = posixRun();
  r.inspect = { ok: false, skip: 'posix has no layers' };
  const c = classify(s, r, doc());
  assert.is(c.verdict, 'pass');
  assert.equal(c.notes, ['layer-state checks skipped: posix has no layers']);
});

test('a worker error after the steps is an error', () => {
  const r = posixRun();
  r.error = 'the agent died';
  assert.is(classify(s, r, doc()).verdict, 'error');
});

test('every unexpected step is listed and the verdict comes from the first', () => {
  const c = classify(s, rec([{ ok: true }, listing('a', 'zz'), stat('1', 2), stat('2')]), doc());
  assert.is(c.verdict, 'fail');
  assert.is(c.failure?.step, 2);
  assert.equal(c.mismatches.map((m) => m.step), [2, 3, 4]);
});

test('the known-deviation hint is given only when the deviation explains every mismatch', () => {
  const whole = classify(s, rec([{ ok: false, errno: 'EXDEV' }, { ok: false, notRun: 'x' }]), doc());
  assert.equal(whole.failure?.matches, ['DEV-RENAME-DIR-EXDEV']);
  const partial = classify(s, rec([{ ok: false, errno: 'EXDEV' }, listing('zz')]), doc());
  assert.is(partial.verdict, 'fail');
  assert.is(partial.failure?.matches, undefined);
  assert.not.ok(partial.reason?.includes('known deviation'), partial.reason);
});

test('a crash of the implementation is a fail with its cause, not the errno it surfaced as', () => {
  const c = classify(s, rec([{ ok: true }, { ok: false, errno: 'EIO' }], { error: 'x', fault: { party: 'implementation', message: 'fuse-overlayfs killed by signal 6 during the scenario' } }), doc());
  assert.is(c.verdict, 'fail');
  assert.is(c.reason, 'fuse-overlayfs killed by signal 6 during the scenario; it surfaced in step 2 (readdir, line 11) as EIO');
  assert.is(c.failure?.step, 2);
});

test('a harness fault is an error with its cause, even where a step saw an errno', () => {
  const c = classify(s, rec([{ ok: true }, { ok: false, errno: 'ENOSPC' }], { error: 'x', fault: { party: 'harness', machine: true, message: 'the scratch space is full' } }), doc());
  assert.is(c.verdict, 'error');
  assert.is(c.reason, 'the scratch space is full');
});

test.run();
