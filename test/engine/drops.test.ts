// Which scenarios drop the machine's caches (they run alone), and another process's cache drops
// told apart from a run's own by /proc/vmstat's drop_slab.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunRecord } from '../../engine/classify.js';
import { disturbanceNote, disturbed, dropCount, dropsCaches, foreignDrops, ownDrops } from '../../engine/drops.js';
import { scenario } from '../helpers/scenario.js';

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

test('the default count, read through the descriptor kept open, is the drop_slab of the whole file read around it', () => {
  const whole = () => dropCount(() => readFileSync('/proc/vmstat', 'utf8'));
  const before = whole();
  if (before === undefined) {
    console.log('skip: /proc/vmstat has no drop_slab here');
    return;
  }
  for (let i = 0; i < 3; i++) {
    const kept = dropCount();
    assert.ok(kept !== undefined && kept >= before && kept <= whole()!, `kept-open read ${kept} outside [${before}, …]`);
  }
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

test('the drops another process made are the growth beyond the runs\' own, never negative, and none when unknown', () => {
  const own = rec(['dropCaches', { path: 'a' }, true], ['pread', { dropCaches: true }, true]);
  assert.is(foreignDrops(10, 15, [own]), 3);
  assert.is(foreignDrops(10, 11, [own]), 0);
  assert.is(foreignDrops(10, undefined, [own]), 0);
  assert.match(disturbanceNote(3), /3 times/);
  assert.match(disturbanceNote(1), /once/);
});

const head = 'title: t\nbehaviour: [RD-001]\nlayers: { lower: [{ a: "x" }], upper: {} }\nsteps:\n';

test('a scenario drops the caches through a dropCaches step or a read or pread that drops first, anywhere among its steps', () => {
  assert.is(dropsCaches(scenario(`id: t/plain\n${head}  - stat: a\n  - readfile: a\n`)[0]), false);
  assert.is(dropsCaches(scenario(`id: t/drop\n${head}  - stat: a\n  - dropCaches: a\n  - stat: a\n`)[0]), true);
  const pread = `id: t/pread\n${head}  - open: { path: a, flags: [O_RDONLY] }\n    as: f\n  - pread: { fd: f, offset: 0, length: 1, dropCaches: DROP }\n`;
  assert.is(dropsCaches(scenario(pread.replace('DROP', 'true'))[0]), true);
  assert.is(dropsCaches(scenario(pread.replace('DROP', 'false'))[0]), false);
});

test('each run of a varied scenario is judged by its own steps', () => {
  const runs = scenario(`id: t/vary\nvary:\n  op:\n    plain: { stat: a }\n    drop: { dropCaches: a }\n${head}  - "\${op}"\n`);
  assert.equal(Object.fromEntries(runs.map((s) => [s.runId, dropsCaches(s)])), { 't/vary[op=plain]': false, 't/vary[op=drop]': true });
});

test.run();
