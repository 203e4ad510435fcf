// BrowserFS's OverlayFS run in-process on scenarios with asserted verdicts: a lower file read and
// an unlink read back as a whiteout pass, the root listing keeping deleted names and showing the
// deletion log stays a fail (a real BrowserFS bug), and a torn-down worker holds nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { browserfsAdapter } from '../../../adapters/browserfs/index.js';
import { classify } from '../../../engine/classify.js';
import { execute } from '../../../engine/executor.js';
import { scenario } from '../../helpers/scenario.js';

const worker = () => browserfsAdapter.createWorker('default', { workdir: '/nonexistent', index: 0 });
const verdictOf = async (text: string) => {
  const [s] = scenario(text);
  const w = await worker();
  const rec = await execute(w, s, { runId: 'b' });
  await w.close();
  return classify(s, rec, new Map());
};

test('The adapter probes available with its installed version', async () => {
  const info = await browserfsAdapter.probe();
  assert.is(info.available, true, info.reason);
  const w = await worker();
  assert.is((await w.fingerprint()).version, '1.4.3');
  await w.close();
});

test('Unlinking a lower file in a subdirectory is logged and read back as a whiteout: a pass', async () => {
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
  - readdir: d
    expect: { entries: [b] }
after:
  upper: { d/a: !whiteout }
  lower: unchanged
`);
  assert.is(c.verdict, 'pass', c.reason);
});

test('A root listing after an unlink still names the deleted file and shows the log: a fail', async () => {
  const c = await verdictOf(`id: t/root
title: unlink at the root
behaviour: [RD-001]
layers:
  lower:
    - { a: "A", b: "B" }
steps:
  - unlink: a
  - readdir: .
    expect: { entries: [b] }
`);
  assert.is(c.verdict, 'fail');
  assert.match(c.reason ?? '', /\.deletedFiles\.log/);
});

test('After teardown the worker holds no layers', async () => {
  const [s] = scenario(`id: t/x
title: x
behaviour: [LK-001]
layers:
  lower:
    - { a: "A" }
steps:
  - readfile: a
`);
  const w = await worker();
  await execute(w, s, { runId: 'b2' });
  await w.teardown();
  assert.equal(await w.inspect(), { ok: false, skip: 'not set up' });
  const r = await w.op({ op: 'stat', args: { path: 'a' } });
  assert.is(r.ok, false);
  await w.close();
});

test.run();
