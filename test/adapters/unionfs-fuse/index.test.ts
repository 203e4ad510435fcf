// tier: system
// unionfs-fuse through the adapter on the real binary: hide markers written into lower branches
// hide names of the branches below, an unlink leaves a marker read back as a whiteout, and the
// daemon is gone after teardown.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unionfsAdapter } from '../../../adapters/unionfs-fuse/index.js';
import type { UnionfsWorker } from '../../../adapters/unionfs-fuse/worker.js';
import { classify } from '../../../engine/classify.js';
import { execute } from '../../../engine/executor.js';
import { skipReason } from '../../helpers/env.js';
import { realCatalog, scenario } from '../../helpers/scenario.js';
import { loadSuite } from '../../../language/loader/suite.js';
import { packageRoot } from '../../../language/root.js';

const why = skipReason('root', 'fuse', 'unionfs');
const t = (title: string, fn: () => Promise<void>) => (why ? (console.log(`  SKIP ${title}: ${why}`), test.skip(title, fn)) : test(title, fn));
const base = mkdtempSync(join(tmpdir(), 'ovlconf-uf-test-'));
let n = 0;
const worker = async (variant = 'default') => (await unionfsAdapter.createWorker(variant, { workdir: join(base, `w${++n}`), index: 0 })) as UnionfsWorker;

const [s] = scenario(`id: t/markers
title: markers in a middle branch hide the bottom branch
behaviour: [LK-005]
layers:
  lower:
    - { gone: !whiteout, o: !opaque, o/top: "t" }
    - { gone: "g", keep: "k", o/old: "old" }
steps:
  - stat: gone
    expect: { errno: ENOENT }
  - readdir: o
    expect: { entries: [top] }
  - unlink: keep
  - stat: keep
    expect: { errno: ENOENT }
after:
  upper: { keep: !whiteout }
  lower: unchanged
`);

t('Hide markers in a lower branch work on the real binary and an unlink is read back as a whiteout', async () => {
  const w = await worker('hide_meta_files');
  try {
    const rec = await execute(w, s, { runId: 'u1' });
    const c = classify(s, rec, new Map());
    assert.is(c.verdict, 'pass', c.reason);
    assert.is(w.timings.starts.length, 1);
    assert.is(w.lastStop?.how, 'umount', 'stopped by umount(2), not the fallback');
    assert.not.match(readFileSync(`/proc/${w.agentPid}/mountinfo`, 'utf8'), /fuse\.unionfs/);
  } finally {
    await w.close();
  }
});

t('Without hide_meta_files the metadata directory shows up at the root, the documented deviation', async () => {
  const [m] = scenario(`id: t/meta
title: meta dir listed
behaviour: [RD-001]
layers:
  lower:
    - { a: "a" }
steps:
  - unlink: a
  - readdir: .
    expect: { entries: [] }
    deviations:
      DEV-UNIONFS-METADIR-LISTED: { entries: [.unionfs-fuse] }
`);
  const w = await worker('default');
  try {
    const rec = await execute(w, m, { runId: 'u2' });
    const doc = new Map([['DEV-UNIONFS-METADIR-LISTED', { id: 'DEV-UNIONFS-METADIR-LISTED', when: [], optional: false, observed: 'test' }]]);
    assert.is(classify(m, rec, doc).verdict, 'deviation');
    assert.is(classify(m, rec, new Map()).verdict, 'fail');
  } finally {
    await w.close();
  }
});

t('Capabilities say why xattr and renameat2 scenarios are skipped', async () => {
  const w = await worker();
  try {
    assert.match(String(w.capabilities.xattr), /EOPNOTSUPP|ENOTSUP/);
    assert.match(String(w.capabilities.renameat2), /EINVAL/);
    assert.is((await w.fingerprint()).version, '1.0');
  } finally {
    await w.close();
  }
});

t('hardlink/link-lower-file reports the link count and the write lost to the other name, not only the first mismatch', async () => {
  const [s] = loadSuite(realCatalog(), [join(packageRoot(), 'suites', 'hardlink', 'link-lower-file.yaml')]).scenarios;
  const w = await worker();
  try {
    const c = classify(s, await execute(w, s, { runId: 'hl' }), new Map());
    assert.is(c.verdict, 'fail');
    const all = c.mismatches.map((m) => m.message).join('\n');
    assert.match(all, /step 2 \(stat, line \d+\): nlink is 1, expected 2/);
    assert.match(all, /step 5 \(readfile, line \d+\): data is "data", expected "datamore"/);
  } finally {
    await w.close();
  }
});

test.after(() => rmSync(base, { recursive: true, force: true }));
test.run();
