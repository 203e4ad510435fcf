// mhddfs as the built-in adapter (a shipped command config) on the real binary: new names land
// in the upper (the first directory) as plain files, removing or appending to a lower name
// changes the lower directory itself (no read-only branches, no whiteouts: the contrast the
// matrix row shows), and the daemon and its mount are gone after close.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandWorker } from '../../../adapters/command/worker.js';
import { loadAdapter } from '../../../adapters/registry.js';
import { classify } from '../../../engine/classify.js';
import { execute } from '../../../engine/executor.js';
import { skipReason } from '../../helpers/env.js';
import { scenario } from '../../helpers/scenario.js';

const why = skipReason('root', 'fuse', 'mhddfs');
const t = (title: string, fn: () => Promise<void>) => (why ? (console.log(`  SKIP ${title}: ${why}`), test.skip(title, fn)) : test(title, fn));
const base = mkdtempSync(join(tmpdir(), 'ovlconf-mhddfs-test-'));
let n = 0;
const worker = async (variant = 'default') => (await (await loadAdapter('mhddfs')).createWorker(variant, { workdir: join(base, `w${++n}`), index: 0 })) as CommandWorker;

t('The registry loads mhddfs from its shipped config, with no whiteout capability and the reason', async () => {
  const a = await loadAdapter('mhddfs');
  const info = await a.probe();
  assert.is(info.available, true, info.reason);
  assert.equal(info.variants.map((v) => v.name), ['default']);
  const w = await worker();
  try {
    assert.match(String(w.capabilities.whiteout), /no whiteouts/);
    assert.match(String(w.capabilities['no-upper']), /no read-only directories/);
    assert.is(w.capabilities['layer-state'], true);
    const fp = await w.fingerprint();
    assert.is(fp.implementation, 'mhddfs');
    assert.match(fp.version ?? '', /^\d+\.\d+/);
  } finally {
    await w.close();
  }
});

t('A new file lands in the upper as a plain file and the lower stays as it was', async () => {
  const [s] = scenario(`id: t/create
title: create next to a lower file
behaviour: [CU-001]
layers:
  lower:
    - { d/a: "A" }
steps:
  - writefile: { path: d/n, data: "N" }
  - readfile: d/a
    expect: { data: "A" }
after:
  upper: { d/n: "N" }
  lower: unchanged
`);
  const w = await worker();
  try {
    const c = classify(s, await execute(w, s, { runId: 'm1' }), new Map());
    assert.is(c.verdict, 'pass', c.reason);
  } finally {
    await w.close();
  }
});

t('Removing a lower name and appending to a lower file both change the lower layer', async () => {
  const [s] = scenario(`id: t/lower-writes
title: writes to lower names
behaviour: [WH-001]
layers:
  lower:
    - { a: "A", b: "B" }
steps:
  - unlink: a
  - writefile: { path: b, data: "+", append: true }
  - readfile: b
    expect: { data: "B+" }
after:
  lower: unchanged
`);
  const w = await worker();
  try {
    const rec = await execute(w, s, { runId: 'm2' });
    const c = classify(s, rec, new Map());
    assert.is(c.verdict, 'fail');
    assert.match(c.reason ?? '', /lower/);
    assert.ok(rec.inspect?.ok);
    const lower = rec.inspect?.ok ? rec.inspect.lowers[0] : undefined;
    const data = (name: string) => { const e = lower?.[name]; return e?.type === 'file' ? e.data : e?.type; };
    assert.is(data('a'), undefined);
    assert.is(data('b'), 'B+');
  } finally {
    await w.close();
  }
  assert.not.match(readFileSync('/proc/mounts', 'utf8'), new RegExp(base));
});

test.after(() => rmSync(base, { recursive: true, force: true }));
test.run();
