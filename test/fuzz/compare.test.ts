// A step whose handle no side could bind (its open failed everywhere alike) is compared as
// "not run", so it is neither a harness error nor a finding; a harness refusal on the
// implementation alone is an error that names the step and the harness's reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunRecord } from '../../engine/judge.js';
import type { StepOutcome } from '../../engine/match.js';
import { compareRuns } from '../../fuzz/compare.js';

const run = (...outcomes: StepOutcome[]): RunRecord => ({
  steps: outcomes.map((outcome, i) => ({ step: { op: i === 0 ? 'open' : 'pread' } as never, outcome, judgement: { kind: 'none', why: '' } as never, ms: 0 })),
});
const failed: StepOutcome = { ok: false, errno: 'ENOENT' };
const unbound: StepOutcome = { ok: false, notRun: 'fd "f1" holds no open fd' };

test('an unbound handle on every side agrees', () => {
  assert.is(compareRuns(run(failed, unbound), [{ name: 'memory/default', rec: run(failed, unbound) }]).kind, 'agree');
});

test('a harness refusal is an error naming the step and the reason', () => {
  const c = compareRuns(run(failed, { ok: false, harness: 'the worker failed: boom' }), [{ name: 'memory/default', rec: run(failed, unbound) }]);
  assert.is(c.kind, 'error');
  if (c.kind === 'error') assert.match(c.reason, /step 2 \(pread\).*boom/);
});

test('an implementation that died at a step is a crash divergence there, not a harness error', () => {
  const impl: RunRecord = { ...run(failed, { ok: false, harness: 'the worker failed: fuse-overlayfs killed by signal 6 (SIGABRT)' }), fault: { party: 'implementation', message: 'fuse-overlayfs killed by signal 6 (SIGABRT) during the scenario', step: 1 } };
  const c = compareRuns(impl, [{ name: 'memory/default', rec: run(failed, unbound) }]);
  assert.is(c.kind, 'diverge');
  if (c.kind === 'diverge') {
    assert.is(c.d.step, 1);
    assert.is(c.d.observed.status, 'crash SIGABRT');
  }
});

const stat = (ino: string, dev?: string): StepOutcome => ({ ok: true, value: { stat: { type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, nlink: 1, ino, ...(dev ? { dev } : {}), rdev: '0', atime: '', mtime: '', ctime: '' } } } as never);
const done: StepOutcome = { ok: true } as never;
const steps = (...s: [string, StepOutcome][]): RunRecord => ({
  steps: s.map(([op, outcome]) => ({ step: { op } as never, outcome, judgement: { kind: 'none', why: '' } as never, ms: 0 })),
});

test('an inode number reused for a new file after an unlink is not taken for the old file (ext4 reuses, the model does not)', () => {
  // lstat a; unlink a; create b; lstat b: the kernel gives b a's number, the model a new one
  const kernel = steps(['lstat', stat('12')], ['unlink', done], ['writefile', done], ['lstat', stat('12')]);
  const model = steps(['lstat', stat('7')], ['unlink', done], ['writefile', done], ['lstat', stat('9')]);
  assert.is(compareRuns(kernel, [{ name: 'memory/default', rec: model }]).kind, 'agree');
});

test('identity is still compared between two freeing steps: a changed inode number after a copy-up diverges', () => {
  const kernel = steps(['lstat', stat('12')], ['chmod', done], ['lstat', stat('13')]);
  const model = steps(['lstat', stat('7')], ['chmod', done], ['lstat', stat('7')]);
  const c = compareRuns(kernel, [{ name: 'memory/default', rec: model }]);
  assert.is(c.kind, 'diverge');
  if (c.kind === 'diverge') assert.equal([c.d.step, c.d.what], [2, ['ino']]);
  // and two names of one inode seen after an unlink still share it
  const k2 = steps(['unlink', done], ['lstat', stat('5')], ['lstat', stat('5')]);
  const m2 = steps(['unlink', done], ['lstat', stat('8')], ['lstat', stat('9')]);
  assert.is(compareRuns(k2, [{ name: 'memory/default', rec: m2 }]).kind, 'diverge');
});

test('two objects with one inode number on different st_dev are two objects (layers on different filesystems, xino off)', () => {
  // lstat m (a dir: the overlay's st_dev, a sequence number); lstat c (a lower symlink on tmpfs:
  // that filesystem's pseudo st_dev, its own number). The model's numbers coincide, the kernel's not.
  const model = steps(['lstat', stat('3', '0:50')], ['lstat', stat('3', '0:52')]);
  const kernel = steps(['lstat', stat('3', '0:58')], ['lstat', stat('1107', '0:61')]);
  assert.is(compareRuns(kernel, [{ name: 'memory/layers-different-fs', rec: model }]).kind, 'agree');
  // one number on one st_dev is still one object: seen as two on the other side, it diverges
  const k2 = steps(['lstat', stat('3', '0:58')], ['lstat', stat('4', '0:58')]);
  const m2 = steps(['lstat', stat('3', '0:50')], ['lstat', stat('3', '0:50')]);
  const c = compareRuns(k2, [{ name: 'memory/layers-different-fs', rec: m2 }]);
  assert.is(c.kind, 'diverge');
  if (c.kind === 'diverge') assert.equal([c.d.step, c.d.what], [1, ['ino']]);
});

test.run();
