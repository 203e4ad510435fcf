// The final merged tree is compared like a step: a file whose data, mode or presence differs
// from the oracle's is a difference named in step words, times never are, and a tree that
// changes across the implementation's remount differs only where the oracle's did not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunRecord } from '../../engine/judge.js';
import type { SnapEntry, Snapshot } from '../../engine/snapshot.js';
import { compareRuns } from '../../fuzz/compare.js';
import { finalDifferences, treeDifferences } from '../../fuzz/final-tree.js';

const file = (over: Partial<SnapEntry> = {}): SnapEntry => ({ type: 'file', mode: 0o644, uid: 0, gid: 0, nlink: 1, mtime: '1', size: 1, digest: 'aa', ...over });
const dir = (over: Partial<SnapEntry> = {}): SnapEntry => ({ type: 'dir', mode: 0o755, uid: 0, gid: 0, nlink: 2, mtime: '1', ...over });
const rec = (warm: Snapshot, cold: Snapshot = warm): RunRecord => ({ steps: [], final: { warm, cold, ms: 0 } });

test('times and directory link counts are not compared; data, mode and presence are', () => {
  assert.equal(treeDifferences('final-tree', { a: file(), m: dir() }, { a: file({ mtime: '9' }), m: dir({ nlink: 3, mtime: '7' }) }), []);
  const d = treeDifferences('final-tree', { a: file(), b: file() }, { a: file({ digest: 'bb', mode: 0o600 }), c: file() });
  assert.equal(d.map((x) => [x.path, x.what]), [['a', ['data', 'mode']], ['b', ['entries']], ['c', ['entries']]]);
  assert.is(d[1].observed.status, 'ENOENT');
});

test('hard-link identity and xattrs are named as the step comparisons name them', () => {
  const d = treeDifferences('final-tree', { a: file({ same: 'a' }) }, { a: file({ xattrs: { 'user.k': 'x' } }) });
  assert.equal(d[0].what, ['ino', 'names']);
});

test('a tree the remount changed on the implementation only is a final-remount difference', () => {
  const warm = { a: file() };
  const lost = { a: file({ digest: '00', size: 0 }) };
  assert.equal(finalDifferences(rec(warm, lost).final, rec(warm).final).map((x) => [x.op, x.what]), [['final-remount', ['data', 'size']]]);
  assert.equal(finalDifferences(rec(warm, lost).final, rec(warm, lost).final), [], 'the oracle changed alike: modelled, not lost');
  assert.equal(finalDifferences(rec(warm).final, { skipped: 'no remount' }), [], 'an oracle without a snapshot compares nothing');
});

test('a run whose steps agree but whose final tree differs diverges after the last step', () => {
  const c = compareRuns(rec({ a: file({ digest: 'bb' }) }), [{ name: 'memory/default', rec: rec({ a: file() }) }]);
  assert.is(c.kind, 'diverge');
  if (c.kind !== 'diverge') return;
  assert.is(c.d.final?.path, 'a');
  assert.is(c.d.step, 0);
  assert.is(compareRuns(rec({ a: file({ digest: 'bb' }) }), [{ name: 'memory/default', rec: rec({ a: file() }) }], new Set(['final-tree a'])).kind, 'agree', 'an explained path is ignored');
});

test.run();
