import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHANGE_KINDS, compareResult, diffResults, parseFailOn, type ChangeKind } from '../../../results/diff/compare.js';
import { file, result, step } from './make.js';

const kinds = (a: Parameters<typeof diffResults>[0], b: Parameters<typeof diffResults>[1]) => diffResults(a, b).map((c) => c.kind);
const one = (a: Parameters<typeof compareResult>[0], b: Parameters<typeof compareResult>[1]): ChangeKind[] => compareResult(a, b).map((c) => c.kind);

test('identical files have no changes', () => {
  const f = file([result('a/x'), result('a/y', { verdict: 'deviation', deviations: ['DEV-A'] })]);
  assert.equal(diffResults(f, structuredClone(f)), []);
});

test('a pass that became a fail is newly failing and carries the failure message and the changed step', () => {
  const b = result('a/x', { verdict: 'fail', failure: { message: 'expected ENOENT', file: 'f', line: 3 }, steps: [step(0, 'stat', { ok: false, errno: 'EIO' }, null)] });
  const [c] = compareResult(result('a/x'), b);
  assert.is(c.kind, 'newly-failing');
  assert.match(c.detail, /pass → fail: expected ENOENT/);
  assert.equal(c.steps?.map((s) => [s.op, s.old, s.new]), [['stat', 'ok', 'EIO']]);
});

test('xpass, error and skip transitions each have their own kind', () => {
  assert.equal(one(result('a/x', { verdict: 'deviation', deviations: ['D'] }), result('a/x', { verdict: 'xpass', reason: 'stale' })), ['newly-xpass']);
  assert.equal(one(result('a/x'), result('a/x', { verdict: 'error', reason: 'timeout' })), ['newly-error']);
  assert.equal(one(result('a/x'), result('a/x', { verdict: 'skip', reason: 'refused' })), ['newly-skipped']);
  assert.equal(one(result('a/x', { verdict: 'skip', reason: 'refused' }), result('a/x')), ['no-longer-skipped']);
});

test('a fail that became a pass or a documented deviation is newly passing', () => {
  assert.equal(one(result('a/x', { verdict: 'fail' }), result('a/x')), ['newly-passing']);
  assert.equal(one(result('a/x', { verdict: 'error' }), result('a/x', { verdict: 'deviation', deviations: ['D'] })), ['newly-passing']);
});

test('a verdict that moves within a flaky known failure is its own kind, named, and fails nothing by default', () => {
  const flakyFail = result('a/x', { verdict: 'fail', known: { id: 'KF-X', outcome: 'known', flaky: true } });
  const [c] = compareResult(flakyFail, result('a/x'));
  assert.is(c.kind, 'flaky-known-failure');
  assert.match(c.detail, /fail → pass: the known failure KF-X is marked flaky/);
  assert.equal(one(result('a/x', { verdict: 'deviation', deviations: ['D'] }), flakyFail), ['flaky-known-failure']);
  assert.ok(!parseFailOn(undefined).includes('flaky-known-failure'));
  // not flaky, or not a run that went as expected on the other side: the usual kinds
  assert.equal(one(result('a/x'), result('a/x', { verdict: 'fail', known: { id: 'KF-X', outcome: 'known' } })), ['newly-failing']);
  assert.equal(one(flakyFail, result('a/x', { verdict: 'error', reason: 'timeout' })), ['newly-error']);
  assert.equal(one(result('a/x', { verdict: 'skip', reason: 'r' }), flakyFail), ['newly-failing']);
});

test('a move between a known failure and an error a flaky entry expects stays within that entry; an unexpected side does not', () => {
  const knownFail = result('a/x', { verdict: 'fail', known: { id: 'KF-TIMES', outcome: 'known' } });
  const flakyError = result('a/x', { verdict: 'error', reason: 'did not answer', known: { id: 'KF-SLOW', outcome: 'known', flaky: true } });
  const [c] = compareResult(knownFail, flakyError);
  assert.is(c.kind, 'flaky-known-failure');
  assert.match(c.detail, /fail → error: the known failure KF-SLOW is marked flaky/);
  assert.equal(one(flakyError, knownFail), ['flaky-known-failure']);
  assert.equal(one(flakyError, result('a/x')), ['flaky-known-failure']);
  // the other side expected by nothing: still the usual kinds
  assert.equal(one(result('a/x', { verdict: 'fail' }), flakyError), ['newly-error']);
  assert.equal(one(flakyError, result('a/x', { verdict: 'fail' })), ['newly-failing']);
});

test('a failure that a known-failure entry expected and no entry expects any more is newly unexpected, and fails the check', () => {
  const known = (id: string | undefined) => result('a/x', { verdict: 'fail', ...(id ? { known: { id, outcome: 'known' as const } } : {}) });
  const [c] = compareResult(known('KF-A'), known(undefined));
  assert.is(c.kind, 'newly-unexpected');
  assert.match(c.detail, /fail under KF-A → fail no known failure expects/);
  assert.ok(parseFailOn(undefined).includes('newly-unexpected'));
  assert.equal(one(known('KF-A'), known('KF-B')), ['known-failure-changed']);
  assert.equal(one(known(undefined), known('KF-B')), ['known-failure-changed']);
  assert.equal(one(known('KF-A'), known('KF-A')), []);
});

test('deviations appearing, disappearing and changing id are told apart', () => {
  assert.equal(one(result('a/x'), result('a/x', { verdict: 'deviation', deviations: ['D1'] })), ['deviation-appeared']);
  assert.equal(one(result('a/x', { verdict: 'deviation', deviations: ['D1'] }), result('a/x')), ['deviation-disappeared']);
  assert.equal(one(result('a/x', { verdict: 'deviation', deviations: ['D1'] }), result('a/x', { verdict: 'deviation', deviations: ['D2'] })), ['deviation-changed']);
  assert.equal(one(result('a/x', { verdict: 'deviation', deviations: ['D1'] }), result('a/x', { verdict: 'deviation', deviations: ['D1', 'D2'] })), ['deviation-appeared']);
});

test('a fail that stays a fail with another errno is an observation change', () => {
  const a = result('a/x', { verdict: 'fail', steps: [step(0, 'rename', { ok: false, errno: 'EXDEV' }, null)] });
  const b = result('a/x', { verdict: 'fail', steps: [step(0, 'rename', { ok: false, errno: 'EINVAL' }, null)] });
  const [c] = compareResult(a, b);
  assert.is(c.kind, 'observation-changed');
  assert.match(c.detail, /rename \(line 10\) EXDEV → EINVAL/);
});

test('inode numbers, times and devices never count as a changed observation', () => {
  const st = (ino: string, t: string, size: number) => ({ ok: true as const, value: { stat: { type: 'file', mode: 420, ino, dev: '0:1', size, mtime: t, ctime: t } } });
  assert.equal(one(result('a/x', { steps: [step(0, 'stat', st('12', '1.5', 3))] }), result('a/x', { steps: [step(0, 'stat', st('99', '7.25', 3))] })), []);
  assert.equal(one(result('a/x', { steps: [step(0, 'stat', st('12', '1.5', 3))] }), result('a/x', { steps: [step(0, 'stat', st('12', '1.5', 4))] })), ['observation-changed']);
});

test('xattr names listed in another order are the same observation, another name is not', () => {
  const listed = (names: string[]) => result('a/x', { steps: [step(0, 'listxattr', { ok: true, value: { names } })] });
  assert.equal(one(listed(['user.u', 'trusted.t']), listed(['trusted.t', 'user.u'])), []);
  assert.equal(one(listed(['user.u', 'trusted.t']), listed(['user.u'])), ['observation-changed']);
});

test('a watch that got another inode number and descriptor is the same observation, a refused watch is not', () => {
  const watched = (o: object) => result('a/x', { steps: [step(0, 'watch', o as never)] });
  assert.equal(one(watched({ ok: true, value: { target: '12', wd: 1 } }), watched({ ok: true, value: { target: '99', wd: 2 } })), []);
  assert.equal(one(watched({ ok: true, value: { target: '12', wd: 1 } }), watched({ ok: false, errno: 'ENOENT' })), ['observation-changed']);
});

test('fingerprints that differ only in how long the probe took are the same environment', () => {
  const a = file([result('a/x')]);
  const b = file([result('a/x')]);
  a.environment.variants['kernel/default'].details = { probeStartMs: 3.1, probeStopMs: 1.2, fuseLibrary: '3.14' };
  b.environment.variants['kernel/default'].details = { probeStartMs: 7.9, probeStopMs: 0.4, fuseLibrary: '3.14' };
  assert.equal(kinds(a, b), []);
  b.environment.variants['kernel/default'].details = { probeStartMs: 7.9, fuseLibrary: '3.17' };
  const fp = diffResults(a, b).find((c) => c.kind === 'fingerprint-changed');
  assert.match(fp?.detail ?? '', /fuseLibrary changed/);
  assert.not.match(fp?.detail ?? '', /probe/);
});

test('a skip whose reason changed is reported, the same skip is not', () => {
  assert.equal(one(result('a/x', { verdict: 'skip', reason: 'r1' }), result('a/x', { verdict: 'skip', reason: 'r2' })), ['skip-reason-changed']);
  assert.equal(one(result('a/x', { verdict: 'skip', reason: 'r1' }), result('a/x', { verdict: 'skip', reason: 'r1' })), []);
});

test('scenarios and variants added or removed are listed, and fingerprint changes name the option', () => {
  const a = file([result('a/x'), result('a/gone'), result('a/x', { variant: 'old' })], { options: { index: 'off' } });
  const b = file([result('a/x'), result('a/new'), result('a/x', { variant: 'fresh' })], { options: { index: 'on' } });
  const k = kinds(a, b);
  for (const want of ['scenario-added', 'scenario-removed', 'variant-added', 'variant-removed', 'fingerprint-changed'] as ChangeKind[]) assert.ok(k.includes(want), want);
  const fp = diffResults(a, b).find((c) => c.kind === 'fingerprint-changed')!;
  assert.match(fp.detail, /index=off → on/);
});

test('changes come sorted by kind in the documented order', () => {
  const a = file([result('a/x'), result('a/y', { verdict: 'fail' }), result('a/z')]);
  const b = file([result('a/x', { verdict: 'fail' }), result('a/y'), result('a/z', { verdict: 'deviation', deviations: ['D'] })]);
  const k = kinds(a, b);
  assert.equal(k, [...k].sort((x, y) => CHANGE_KINDS.indexOf(x) - CHANGE_KINDS.indexOf(y)));
  assert.equal(k, ['newly-failing', 'newly-passing', 'deviation-appeared']);
});

test('--fail-on takes kinds, any and none, and rejects an unknown kind by name', () => {
  assert.equal(parseFailOn(undefined), ['newly-failing', 'newly-xpass', 'newly-error', 'newly-unexpected']);
  assert.equal(parseFailOn('none'), []);
  assert.equal(parseFailOn('any').length, CHANGE_KINDS.length);
  assert.equal(parseFailOn('newly-skipped,observation-changed'), ['newly-skipped', 'observation-changed']);
  assert.throws(() => parseFailOn('worse'), /unknown change kind "worse"/);
});

test.run();
