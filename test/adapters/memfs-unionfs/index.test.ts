// memfs volumes under the unionfs npm package, the negative control: reads through the union
// pass, but unlinks and writes reach the lower volumes, so those scenarios fail.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memfsUnionfsAdapter } from '../../../adapters/memfs-unionfs/index.js';
import { volumeOf } from '../../../adapters/memfs-unionfs/worker.js';
import { classify } from '../../../engine/classify.js';
import { execute } from '../../../engine/executor.js';
import { scenario } from '../../helpers/scenario.js';

const verdictOf = async (text: string) => {
  const [s] = scenario(text);
  const w = await memfsUnionfsAdapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
  const rec = await execute(w, s, { runId: 'm' });
  await w.close();
  return classify(s, rec, new Map());
};

test('The top layer wins a lookup and a listing merges the layers: a pass', async () => {
  const c = await verdictOf(`id: t/read
title: read
behaviour: [LK-004]
layers:
  lower:
    - { f: "top", d/a: "a" }
    - { f: "bottom", d/b: "b" }
steps:
  - readfile: f
    expect: { data: "top" }
  - readdir: d
    expect: { entries: [a, b] }
`);
  assert.is(c.verdict, 'pass', c.reason);
});

test('Unlinking a lower file deletes it from the lower volume, so the scenario fails', async () => {
  const c = await verdictOf(`id: t/unlink
title: unlink
behaviour: [WH-001]
layers:
  lower:
    - { a: "A" }
steps:
  - unlink: a
  - stat: a
    expect: { errno: ENOENT }
after:
  lower: unchanged
`);
  assert.is(c.verdict, 'fail');
  assert.match(c.reason ?? '', /lower layer 0: a was removed/);
});

test('Writing into an open lower file writes through to the lower volume and nothing reaches the upper', async () => {
  const c = await verdictOf(`id: t/write
title: write
behaviour: [CU-001]
layers:
  lower:
    - { f: "old" }
steps:
  - open: { path: f, flags: O_RDWR }
    as: w
  - pwrite: { fd: w, data: "new", offset: 0 }
  - close: w
  - readfile: f
    expect: { data: "new" }
after:
  upper: { f: "new" }
  lower: unchanged
`);
  assert.is(c.verdict, 'fail');
  assert.match(c.reason ?? '', /upper f is missing|lower layer 0/);
});

test('Whiteouts above the bottom layer are refused with the reason, since the package cannot hide names', () => {
  const r = volumeOf({ a: { type: 'whiteout' } }, false);
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.skip, /no whiteouts/);
  assert.ok(volumeOf({ a: { type: 'whiteout' } }, true).ok, 'in the bottom layer a whiteout hides nothing');
});

test.run();
