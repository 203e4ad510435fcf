// The two zenfs majors behind one interface: 1.x refuses open flags without a Node flag string,
// 2.x takes numeric flags, and the zenfs2 adapter runs a scenario on @zenfs/core 2.x (the
// `zenfs2` alias) with the same worker, fingerprinted as implementation zenfs at version 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { constants as C } from 'node:fs';
import { zenfs1, zenfs2 } from '../../../adapters/zenfs/lib.js';
import { zenfs2Adapter } from '../../../adapters/zenfs/index.js';
import { classify } from '../../../engine/classify.js';
import { execute, WorkerBroken } from '../../../engine/executor.js';
import type { RunRecord } from '../../../engine/classify.js';
import { scenario } from '../../helpers/scenario.js';

test('zenfs 1.x refuses O_WRONLY alone, 2.x takes it as a number', async () => {
  const one = (await zenfs1()).openFlags(C.O_WRONLY | C.O_NOFOLLOW);
  assert.ok(typeof one === 'object' && /flag strings/.test(one.skip));
  assert.is((await zenfs2()).openFlags(C.O_WRONLY | C.O_NOFOLLOW), C.O_WRONLY | C.O_NOFOLLOW);
  assert.match((await zenfs1()).version, /^1\./);
  assert.match((await zenfs2()).version, /^2\./);
});

test('The zenfs2 adapter journals an unlink of a lower file and reads it back as a whiteout', async () => {
  const [s] = scenario(`id: t/unlink2
title: unlink lower file on zenfs 2
behaviour: [WH-001]
layers:
  lower:
    - { d/a: "A", d/b: "B" }
steps:
  - unlink: d/a
  - readdir: d
    expect: { entries: [b] }
after:
  upper: { d/a: !whiteout }
  lower: unchanged
`);
  const w = await zenfs2Adapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
  try {
    const fp = await w.fingerprint();
    assert.is(fp.implementation, 'zenfs');
    assert.match(fp.version ?? '', /^2\./);
    const c = classify(s, await execute(w, s, { runId: 'z2' }), new Map());
    assert.is(c.verdict, 'pass', c.reason);
  } finally {
    await w.close();
  }
});

test('A symlink cycle hangs or kills zenfs 2.x in its child process: the step is an error (deadline) or a crash (V8 aborted), and a fresh worker runs on', async () => {
  const [s] = scenario(`id: t/loop
title: symlink cycle
behaviour: [LK-004]
layers:
  lower:
    - { a: !symlink b, b: !symlink a }
steps:
  - stat: a
    expect: { errno: ELOOP }
`);
  const w = await zenfs2Adapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
  const e = await execute(w, s, { runId: 'loop', defaultTimeoutMs: 1500 }).catch((x: unknown) => x);
  await w.kill!();
  assert.ok(e instanceof WorkerBroken, String(e));
  const c = classify(s, (e as unknown as { record: RunRecord }).record, new Map());
  // the library recurses without a limit: either the step deadline fires first (error), or V8
  // aborts the child before it (on an idle machine, under 1.5 s: the implementation crashed, fail)
  if (c.verdict === 'error') assert.match(c.reason ?? '', /stat.*did not answer within 1500 ms/);
  else {
    assert.is(c.verdict, 'fail', c.reason);
    assert.match(c.reason ?? '', /the implementation crashed/);
  }
  const fresh = await zenfs2Adapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
  assert.is((await fresh.fingerprint()).implementation, 'zenfs');
  await fresh.close();
});

test.run();
