// The warm/cold final-state check: an implementation that loses a write on remount fails a
// scenario that has no remount step of its own; an honest one passes it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResolvedOp, TreeItem, Worker } from '../../adapters/adapter.js';
import { memoryAdapter } from '../../adapters/memory/index.js';
import { classify } from '../../engine/classify.js';
import { execute } from '../../engine/executor.js';
import { finalCovers, finalMismatch } from '../../engine/final.js';
import { snapshotDiff } from '../../engine/snapshot.js';
import type { ProfileDeviation } from '../../language/model.js';
import { scenario } from '../helpers/scenario.js';

const [s] = scenario(`id: t/write-then-read
title: a write read back, no remount step
behaviour: [RD-001]
layers:
  lower:
    - { d/a: "old" }
steps:
  - writefile: { path: d/a, data: "new" }
  - readfile: d/a
    expect: { data: "new" }
`);

/** a plug-in-like worker that forgets the last file written whenever it is remounted */
function losesWriteOnRemount(w: Worker): Worker {
  let last: string | undefined;
  return {
    capabilities: w.capabilities, fingerprint: () => w.fingerprint(), setup: w.setup.bind(w), editLayer: w.editLayer.bind(w),
    inspect: w.inspect.bind(w), teardown: w.teardown.bind(w), close: w.close.bind(w),
    op: (op: ResolvedOp) => {
      if (op.op === 'writefile') last = String(op.args.path);
      return w.op(op);
    },
    remount: async (o: Record<string, string> | undefined, rotate: boolean) => {
      const r = await w.remount(o, rotate);
      if (last) await w.op({ op: 'unlink', args: { path: last } });
      return r;
    },
  };
}

const verdict = async (wrap: (w: Worker) => Worker) => {
  const inner = await memoryAdapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
  try {
    const rec = await execute(wrap(inner), s, { runId: 'f', finalState: true });
    return classify(s, rec, new Map());
  } finally {
    await inner.close();
  }
};

test('An implementation that loses a write on remount fails a scenario with no remount step', async () => {
  const c = await verdict(losesWriteOnRemount);
  assert.is(c.verdict, 'fail');
  assert.ok(c.reason?.includes('the merged view changed after a remount') && c.reason.includes('d/a'), c.reason);
});

test('An honest implementation passes the same scenario with the final-state check', async () => {
  const c = await verdict((w) => w);
  assert.is(c.verdict, 'pass', c.reason);
});

test('Snapshots differ by what changed, in words, and identity classes rather than inode numbers', () => {
  const e = { type: 'file', mode: 0o644, uid: 0, gid: 0, nlink: 1, mtime: '1.000000000', size: 3, digest: 'x' };
  assert.equal(snapshotDiff({ a: e }, { a: e }), []);
  assert.equal(snapshotDiff({ a: e }, { a: { ...e, mode: 0o600 } }), ['a: mode 0644 → 0600']);
  assert.equal(snapshotDiff({ a: e }, {}), ['a vanished (was file)']);
});

test('A documented deviation explains only the final-state changes it names; anything else still fails', () => {
  const e = { type: 'file', mode: 0o644, uid: 0, gid: 0, nlink: 1, mtime: '1.000000000', size: 3, digest: 'x' };
  const dev: ProfileDeviation = { id: 'DEV-NLINK-COUNTS-INDEX', when: [], optional: true, observed: 'here', final: ['nlink 1 → 2'] };
  const docs = new Map([[dev.id, dev]]);
  const f = (cold: object) => ({ warm: { a: e }, cold: { a: { ...e, ...cold } }, ms: 0 });
  assert.equal(finalMismatch(f({ nlink: 2 }), docs), { explainedBy: ['DEV-NLINK-COUNTS-INDEX'], changes: 'a: nlink 1 → 2' });
  assert.match(finalMismatch(f({ nlink: 2 }))!.message ?? '', /a: nlink 1 → 2/);
  assert.match(finalMismatch(f({ nlink: 2, size: 4 }), docs).message ?? '', /a: nlink 1 → 2, size 3 → 4/);
  assert.match(finalMismatch(f({ nlink: 3 }), docs).message ?? '', /nlink 1 → 3/);
});

test('A final-state entry with * stands for any one value of that field, and only that field', () => {
  assert.ok(finalCovers('mtime * → *', 'mtime "1796535483.964259621" → "1796535483.971322144"'));
  assert.ok(finalCovers('nlink 1 → 2', 'nlink 1 → 2'));
  assert.not.ok(finalCovers('nlink 1 → 2', 'nlink 1 → 3'));
  assert.not.ok(finalCovers('mtime * → *', 'size 3 → 4'));
  assert.not.ok(finalCovers('mtime * → *', 'mtime "1.0" → "2.0" size 3 → 4'));
  assert.not.ok(finalCovers('mode * → 0644', 'mode 0600 → 0640'));
  const e = { type: 'file', mode: 0o644, uid: 0, gid: 0, nlink: 1, mtime: '1.000000000', size: 3, digest: 'x' };
  const dev: ProfileDeviation = { id: 'DEV-TIMES', when: [], optional: false, observed: 'here', final: ['mtime * → *'] };
  const docs = new Map([[dev.id, dev]]);
  const f = (cold: object) => ({ warm: { a: e }, cold: { a: { ...e, ...cold } }, ms: 0 });
  assert.equal(finalMismatch(f({ mtime: '1.500000000' }), docs).explainedBy, ['DEV-TIMES']);
  assert.match(finalMismatch(f({ mtime: '1.500000000', size: 4 }), docs).message ?? '', /size 3 → 4/);
});

test('An explained final-state change makes a deviation; an optional one (cache-dependent) a note on an unchanged verdict', async () => {
  const inner = await memoryAdapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
  try {
    const rec = await execute(losesWriteOnRemount(inner), s, { runId: 'g', finalState: true });
    const entry = (optional: boolean): ProfileDeviation => ({ id: 'DEV-X', when: [], optional, observed: 'here', final: ['d/a vanished (was file)'] });
    // a vanished entry is not a field change: no entry explains it
    assert.is(classify(s, rec, new Map([['DEV-X', entry(false)]])).verdict, 'fail');
  } finally {
    await inner.close();
  }
  const e = { type: 'file', mode: 0o644, uid: 0, gid: 0, nlink: 1, mtime: '1.000000000', size: 3, digest: 'x' };
  const run = { steps: [], final: { warm: { a: e }, cold: { a: { ...e, nlink: 2 } }, ms: 0 } } as unknown as Parameters<typeof classify>[1];
  const dev = (optional: boolean): ProfileDeviation => ({ id: 'DEV-NLINK-COUNTS-INDEX', when: [], optional, observed: 'here', final: ['nlink 1 → 2'] });
  const firm = classify(s, run, new Map([['DEV-NLINK-COUNTS-INDEX', dev(false)]]));
  assert.equal([firm.verdict, firm.deviations], ['deviation', ['DEV-NLINK-COUNTS-INDEX']]);
  const opt = classify(s, run, new Map([['DEV-NLINK-COUNTS-INDEX', dev(true)]]));
  assert.is(opt.verdict, 'pass');
  assert.ok(opt.notes.some((n) => n.includes('a: nlink 1 → 2') && n.includes('DEV-NLINK-COUNTS-INDEX')), opt.notes.join('\n'));
});

test('A warm-only snapshot of a tree the overlay refuses to walk is skipped with the reason, not a broken worker', async () => {
  const { finalState } = await import('../../engine/final.js');
  // the kernel agent's tree walk of userxattr's unfollowed redirect: "agent tree failed: EPERM (n)"
  const w = { capabilities: {}, mergedTree: async () => { throw new Error('agent tree failed: EPERM (n)'); } } as unknown as Worker;
  const f = await finalState(w, (p) => p, true);
  assert.ok('skipped' in f, JSON.stringify(f));
  if ('skipped' in f) assert.match(f.skipped, /could not be snapshotted: agent tree failed: EPERM \(n\)/);
});

/** a worker whose merged listing is `file` at `size` bytes, growing by one at each step-by-step remount; it may chain the check */
function listingWorker(chain?: (calls: string[]) => ReturnType<NonNullable<Worker['finalRemount']>>) {
  const calls: string[] = [];
  let size = 1;
  const item = (n: number): TreeItem => ({ path: 'file', type: 'file', mode: 0o100644, uid: 0, gid: 0, size: n, nlink: 1, ino: '7', rdev: '0:0', atime: '0', mtime: '1.0', xattrs: [] });
  const w = {
    capabilities: { remount: true },
    mergedTree: async () => (calls.push('mergedTree'), [item(size)]),
    remount: async () => (calls.push('remount'), size++, { ok: true as const }),
    ...(chain ? { finalRemount: () => (calls.push('finalRemount'), chain(calls)) } : {}),
  } as unknown as Worker;
  return { w, calls, item };
}

test('A worker that chains the final listing, remount and listing is asked once, and its listings are the warm and cold trees', async () => {
  const { finalState } = await import('../../engine/final.js');
  const { item } = listingWorker();
  const { w, calls } = listingWorker(() => ({ warm: Promise.resolve([item(5)]), remount: Promise.resolve({ ok: true }), cold: Promise.resolve([item(6)]) }));
  const f = await finalState(w, (p) => p);
  assert.equal(calls, ['finalRemount']);
  assert.ok(!('skipped' in f));
  if ('skipped' in f) return;
  assert.is(f.warm.file.size, 5);
  assert.is(f.cold.file.size, 6);
});

test('When the chained listing fails, the check is made step by step; a failed chained remount is the check\'s skip', async () => {
  const { finalState } = await import('../../engine/final.js');
  const failed = listingWorker(() => ({ warm: Promise.resolve(undefined), remount: Promise.resolve(undefined), cold: Promise.resolve(undefined) }));
  const f = await finalState(failed.w, (p) => p);
  assert.equal(failed.calls, ['finalRemount', 'mergedTree', 'remount', 'mergedTree']);
  assert.ok(!('skipped' in f) && f.warm.file.size === 1 && f.cold.file.size === 2);
  const { item } = listingWorker();
  const refused = listingWorker(() => ({ warm: Promise.resolve([item(1)]), remount: Promise.resolve({ ok: false, errno: 'EBUSY' }), cold: Promise.resolve(undefined) }));
  const g = await finalState(refused.w, (p) => p);
  assert.equal(refused.calls, ['finalRemount']);
  assert.ok('skipped' in g && g.skipped.startsWith('the remount after the last step') && g.skipped.includes('EBUSY'), JSON.stringify(g));
  // warm only (no remount) never chains
  const warmOnly = listingWorker(() => {
    throw new Error('chained a warm-only check');
  });
  await finalState(warmOnly.w, (p) => p, true);
  assert.equal(warmOnly.calls, ['mergedTree']);
});

test('A warm-only check takes the listing a worker sends with its teardown; when that listing fails it asks the tree again', async () => {
  const { finalState } = await import('../../engine/final.js');
  const { item } = listingWorker();
  const chained = listingWorker();
  Object.assign(chained.w, { lastTree: () => (chained.calls.push('lastTree'), Promise.resolve([item(9)])) });
  const f = await finalState(chained.w, (p) => p, true);
  assert.equal(chained.calls, ['lastTree']);
  assert.ok(!('skipped' in f) && f.warm.file.size === 9 && f.cold === f.warm);
  const failed = listingWorker();
  Object.assign(failed.w, { lastTree: () => (failed.calls.push('lastTree'), Promise.resolve(undefined)) });
  const g = await finalState(failed.w, (p) => p, true);
  assert.equal(failed.calls, ['lastTree', 'mergedTree']);
  assert.ok(!('skipped' in g) && g.warm.file.size === 1);
  // a check with a remount never sends the teardown with its first listing
  const cold = listingWorker();
  Object.assign(cold.w, { lastTree: () => assert.unreachable('chained the teardown of a warm/cold check') });
  await finalState(cold.w, (p) => p);
  assert.equal(cold.calls, ['mergedTree', 'remount', 'mergedTree']);
});

test.run();
