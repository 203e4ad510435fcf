// tier: system
// Lower layers as erofs images: each lower is packed with mkfs.erofs and mounted read-only from
// the image file beneath the scenario, the overlay stacks those mounts, a whiteout scenario
// passes on them, and teardown leaves no image mounted; squashfs says why it is unavailable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelAdapter } from '../../../adapters/kernel/index.js';
import { imageToolMissing, packLimit } from '../../../adapters/kernel/images.js';
import { which } from '../../../adapters/host/tools.js';
import { execute } from '../../../engine/executor.js';
import { classify } from '../../../engine/classify.js';
import { scenario } from '../../helpers/scenario.js';
import { skipping, skipNow } from '../../helpers/env.js';

test('squashfs lowers are refused with the reason (no loop device in the nodev sandbox)', () => {
  assert.match(imageToolMissing('squashfs') ?? '', /loop device.*nodev/);
});

test('A failed erofs pack is put down to mkfs.erofs only when the tree holds a 255-byte name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovl-packlimit-'));
  try {
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'n'.repeat(254)), '');
    assert.is(packLimit('erofs', dir), undefined);
    writeFileSync(join(dir, 'd', 'n'.repeat(255)), '');
    assert.match(packLimit('erofs', dir) ?? '', /255-byte name/);
    assert.is(packLimit('squashfs', dir), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** erofs mounts under `dir` in any process's mount namespace (the agent's is private). */
function erofsMounts(dir: string): string[] {
  const out = new Set<string>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let t = '';
    try {
      t = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    } catch {
      continue;
    }
    for (const l of t.split('\n')) if (l.includes(dir) && / - erofs /.test(l)) out.add(l.split(' ')[4]);
  }
  return [...out];
}

const skip = skipping('erofs lower tests', 'root', 'cc', 'overlay');
if (!skip && !which('mkfs.erofs')) skipNow('erofs lower tests', 'mkfs.erofs is not installed (Debian erofs-utils)');
else if (!skip) {
  test('An erofs-image lower is mounted read-only under the overlay, a whiteout scenario passes, teardown unmounts it', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ovlconf-erofs-'));
    const w = await kernelAdapter.createWorker('erofs-lower', { workdir: work, index: 0 });
    try {
      const [s] = scenario(`id: t/erofs
title: unlink over an erofs lower
behaviour: [WH-001]
layers:
  lower:
    - { d/a: "A", d/b: "B" }
steps:
  - unlink: d/a
  - readdir: d
    expect: { entries: [b] }
  - readfile: d/b
    expect: { data: "B" }
after:
  upper: { d/a: !whiteout }
  lower: unchanged
`);
      let seen = '';
      const origSetup = w.setup.bind(w);
      w.setup = async (l, c) => {
        const r = await origSetup(l, c);
        seen = erofsMounts(work).join('\n');
        return r;
      };
      const rec = await execute(w, s, { runId: 'e1' });
      const c = classify(s, rec, new Map());
      assert.is(c.verdict, 'pass', c.reason);
      assert.ok((w.capabilities['layer-edit'] as string).includes('erofs'), 'lower edits are refused with a reason');
      assert.match(seen, /\/e1\/l0$/m, 'the lower l0 was an erofs mount while the scenario ran');
      assert.equal(erofsMounts(work), [], 'teardown unmounted the image');
    } finally {
      await w.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
}

test.run();
