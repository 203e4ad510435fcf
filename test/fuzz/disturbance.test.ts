// Another process's cache drops are told apart from a case's own by /proc/vmstat's drop_slab.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunRecord } from '../../engine/classify.js';
import { disturbed, dropCount, ownDrops } from '../../fuzz/disturbance.js';

const rec = (...steps: [string, Record<string, unknown>, boolean][]): RunRecord => ({
  steps: steps.map(([op, args, ok]) => ({ step: { op, args } as never, outcome: (ok ? { ok: true } : { ok: false, errno: 'ENOENT' }) as never, judgement: { kind: 'none', why: '' } as never, ms: 0 })),
});

test('the drop count is read from the drop_slab line, and is unknown where the file cannot be read', () => {
  assert.is(dropCount(() => 'pgfault 12\ndrop_pagecache 7\ndrop_slab 9\nnr_free_pages 3\n'), 9);
  assert.is(dropCount(() => 'pgfault 12\n'), undefined);
  assert.is(dropCount(() => {
    throw new Error('ENOENT');
  }), undefined);
});

test("a run's own drops are its successful dropCaches steps and reads that drop first", () => {
  const r = rec(['dropCaches', { path: 'a' }, true], ['dropCaches', { path: 'missing' }, false], ['pread', { dropCaches: true }, true], ['read', {}, true], ['lstat', {}, true]);
  assert.is(ownDrops(r), 2);
});

test('a case is disturbed when the count grew by more than the drops of the sides that drop for real', () => {
  const kernel = rec(['dropCaches', { path: 'a' }, true]);
  assert.is(disturbed(5, 6, [kernel]), false);
  assert.is(disturbed(5, 7, [kernel]), true);
  assert.is(disturbed(5, 5, []), false);
  assert.is(disturbed(undefined, 9, []), false);
});

test.run();
