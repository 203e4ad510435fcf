// tier: system
// The kernel worker's chained final remount (finalRemount): the listing, the remount and the
// listing after it in one write give what the step-by-step check gives, on a real overlay.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelAdapter } from '../../../adapters/kernel/index.js';
import type { Worker } from '../../../adapters/adapter.js';
import { finalState } from '../../../engine/final.js';
import { skipping } from '../../helpers/env.js';

const skip = skipping('kernel worker tests', 'root', 'cc', 'overlay');
const work = mkdtempSync(join(tmpdir(), 'ovlconf-kwtest-'));
const guard = <T>(p: Promise<T>) => p;

/** a scenario on a fresh default worker: a lower file, a new file written through the overlay */
async function written(w: Worker, runId: string): Promise<void> {
  const s = await w.setup({ lowers: [{ d: { type: 'dir' }, 'd/a': { type: 'file', data: 'old' } }], upper: {} }, { runId, timeoutMs: 10_000, lowerCount: 1 });
  assert.ok(s.ok, JSON.stringify(s));
  assert.ok((await w.op({ op: 'writefile', args: { path: 'd/b', data: new TextEncoder().encode('new') } })).ok);
}

if (skip) test.skip('kernel worker tests');
else {
  test('The chained final remount lists, remounts and lists again as the step-by-step check does, and leaves the root on the new mount', async () => {
    const w = await kernelAdapter.createWorker('default', { workdir: join(work, 'w0'), index: 0 });
    try {
      await written(w, 's1');
      // the chain makes no remount() call of its own
      const remount = w.remount.bind(w);
      let remounts = 0;
      w.remount = (...a) => (remounts++, remount(...a));
      const chained = await finalState(w, guard);
      assert.is(remounts, 0);
      // the same scenario, the check made step by step (a worker without finalRemount)
      await w.teardown();
      await written(w, 's2');
      const stepwise = await finalState({ capabilities: w.capabilities, mergedTree: w.mergedTree!.bind(w), remount } as Worker, guard);
      assert.ok(!('skipped' in chained) && !('skipped' in stepwise), JSON.stringify([chained, stepwise]));
      if ('skipped' in chained || 'skipped' in stepwise) return;
      assert.equal(Object.keys(chained.cold), ['d', 'd/a', 'd/b']);
      const noTimes = (s: object) => JSON.stringify(s, (k, v) => (k === 'mtime' ? undefined : v));
      assert.is(noTimes(chained.warm), noTimes(chained.cold));
      assert.is(noTimes(chained.cold), noTimes(stepwise.cold));
      // after the chain the overlay is mounted again and scenario paths resolve on it
      const r = await w.op({ op: 'readfile', args: { path: 'd/b' } });
      assert.ok(r.ok && r.value && 'data' in r.value && new TextDecoder().decode(r.value.data) === 'new', JSON.stringify(r));
      await w.teardown();
    } finally {
      await w.close();
    }
    const mine = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(work));
    assert.equal(mine, []);
  });
}

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
