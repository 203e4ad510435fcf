// zenfs's CopyOnWrite backend run in-process on a few scenarios with asserted verdicts: reads and
// journaled deletions pass, its observed bugs fail, what it cannot hold is skipped with a reason,
// and library errors come back as errno names.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { zenfs2Adapter, zenfsAdapter } from '../../../adapters/zenfs/index.js';
import type { Adapter } from '../../../adapters/adapter.js';
import { journalPaths, splitLayer } from '../../../adapters/zenfs/worker.js';
import { classify } from '../../../engine/classify.js';
import { execute } from '../../../engine/executor.js';
import { scenario } from '../../helpers/scenario.js';
import { scaled } from '../../helpers/wait.js';
import * as zen from '@zenfs/core';

const worker = (adapter: Adapter = zenfsAdapter) => adapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
const verdictOf = async (text: string, adapter?: Adapter) => {
  const [s] = scenario(text);
  const w = await worker(adapter);
  const rec = await execute(w, s, { runId: 'z' });
  await w.close();
  return classify(s, rec, new Map());
};

test('Unlinking a lower file is journaled and read back as a whiteout: a pass', async () => {
  const c = await verdictOf(`id: t/unlink
title: unlink lower file
behaviour: [WH-001]
layers:
  lower:
    - { d/a: "A", d/b: "B" }
steps:
  - readfile: d/a
    expect: { data: "A" }
  - unlink: d/a
  - stat: d/a
    expect: { errno: ENOENT }
  - readdir: d
    expect: { entries: [b] }
after:
  upper: { d/a: !whiteout }
  lower: unchanged
`);
  assert.is(c.verdict, 'pass', c.reason);
});

test('chmod of a lower directory fails with EISDIR, a real zenfs bug that stays a fail', async () => {
  const c = await verdictOf(`id: t/chmod-dir
title: chmod dir
behaviour: [CU-007]
layers:
  lower:
    - { d/x: "x" }
steps:
  - chmod: { path: d, mode: "0700" }
`);
  assert.is(c.verdict, 'fail');
  assert.match(c.reason ?? '', /EISDIR/);
});

test('A scenario with two lower layers is skipped because CopyOnWrite has one readable layer', async () => {
  const c = await verdictOf(`id: t/two
title: two lowers
behaviour: [LK-001]
layers:
  lower:
    - { a: "1" }
    - { a: "2" }
steps:
  - readfile: a
    expect: { data: "1" }
`);
  assert.is(c.verdict, 'skip');
  assert.match(c.reason ?? '', /at most 1/);
});

test('Layers zenfs cannot hold are skipped with a reason that names the path inside the layer, the same in every run (no process id)', async () => {
  const text = `id: t/backslash
title: a name with a backslash
behaviour: [WH-001]
layers:
  lower:
    - { "l/back\\\\slash": "x" }
steps:
  - readfile: "l/back\\\\slash"
    expect: { data: "x" }
`;
  // zenfs 2.x names the path in its error, 1.x does not
  for (const adapter of [zenfsAdapter, zenfs2Adapter]) {
    const [a, b] = [await verdictOf(text, adapter), await verdictOf(text, adapter)];
    assert.is(a.verdict, 'skip', JSON.stringify(a));
    assert.match(a.reason ?? '', /^zenfs cannot hold these layers: /);
    assert.not.match(a.reason ?? '', /ovlconf-fill|\d{3,}/);
    assert.is(a.reason, b.reason);
  }
  assert.match((await verdictOf(text, zenfs2Adapter)).reason ?? '', /'\/l\/back\/slash'/);
});

test('Library errors become errno names and flag sets zenfs cannot open are skips, never exceptions', async () => {
  const [s] = scenario(`id: t/e
title: e
behaviour: [LK-001]
layers:
  lower:
    - { a: "1" }
steps:
  - stat: a
`);
  const w = await worker();
  assert.ok((await w.setup(s.layers, { runId: 'e', timeoutMs: scaled(5000), lowerCount: 1 })).ok);
  const miss = await w.op({ op: 'stat', args: { path: 'nope' } });
  assert.equal(miss.ok ? 'ok' : 'errno' in miss ? miss.errno : '?', 'ENOENT');
  const odd = await w.op({ op: 'open', args: { path: 'a', flags: ['O_WRONLY'] } });
  assert.ok(!odd.ok && 'skip' in odd, JSON.stringify(odd));
  const esc = await w.op({ op: 'stat', args: { path: '../x' } });
  assert.ok(!esc.ok && 'escape' in esc);
  await w.close();
});

test('dropCaches and syncfs of a missing path fail with ENOENT as on the agent and the model (nothing cached, but the path is looked up)', async () => {
  const [s] = scenario(`id: t/d
title: d
behaviour: [LK-001]
layers:
  lower:
    - { a: "1" }
steps:
  - stat: a
`);
  const w = await worker();
  assert.ok((await w.setup(s.layers, { runId: 'd', timeoutMs: scaled(5000), lowerCount: 1 })).ok);
  const errnoOf = (r: Awaited<ReturnType<typeof w.op>>) => (r.ok ? 'ok' : 'errno' in r ? r.errno : JSON.stringify(r));
  assert.equal(errnoOf(await w.op({ op: 'dropCaches', args: { path: 'a' } })), 'ok');
  assert.equal(errnoOf(await w.op({ op: 'dropCaches', args: { path: 'nope' } })), 'ENOENT');
  assert.equal(errnoOf(await w.op({ op: 'syncfs', args: { path: 'nope' } })), 'ENOENT');
  await w.close();
});

test('Opaque upper directories are refused (the journal has no opaque flag); lower whiteouts hide nothing and are dropped', () => {
  const up = splitLayer({ o: { type: 'dir', opaque: 'y' } }, 'upper');
  assert.is(up.ok, false);
  const low = splitLayer({ w: { type: 'whiteout' }, f: { type: 'file', data: 'x' } }, 'lower');
  assert.ok(low.ok && !('w' in low.tree) && low.deleted.length === 0);
  const j = new zen.Journal();
  j.add('delete', '/a/b');
  assert.equal(journalPaths(j), ['/a/b']);
});

test.run();
