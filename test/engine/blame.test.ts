// Blaming the right party: a full scratch filesystem under the layers is the harness's error,
// never the implementation's fail; a crash of the implementation is its fail, with the cause.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImplementationCrashed } from '../../adapters/adapter.js';
import { posixAdapter } from '../../adapters/posix/index.js';
import { faultOf, scratchFull } from '../../engine/blame.js';
import { classify } from '../../engine/classify.js';
import { execute } from '../../engine/executor.js';
import { scenario } from '../helpers/scenario.js';

const isRoot = process.getuid?.() === 0;

const [big] = scenario(`id: t/big-write
title: a write larger than the scratch space
behaviour: [RD-001]
layers:
  lower:
    - { a: "A" }
steps:
  - writefile: { path: b, data: "${'x'.repeat(768 * 1024)}" }
  - readfile: a
    expect: { data: "A" }
`);

test('A crash of the implementation is blamed on it, naming the step it surfaced on', () => {
  const f = faultOf(new ImplementationCrashed('fuse-overlayfs killed by signal 6 (SIGABRT)'), { steps: [] }, 'fuse-overlayfs/default', false);
  assert.is(f.party, 'implementation');
  assert.ok(f.message.includes('SIGABRT'), f.message);
});

test('A hang is blamed on the harness side, naming who stopped answering', () => {
  const f = faultOf(new Error('step 2 (read, line 9) did not finish within 10 ms'), { steps: [] }, 'kernel/default', true);
  assert.is(f.party, 'harness');
  assert.ok(f.message.startsWith('kernel/default stopped answering'), f.message);
});

test('A scratch filesystem with room is not called full', () => {
  assert.is(scratchFull(tmpdir()), undefined);
});

if (!isRoot) {
  console.log('skipped: a tiny tmpfs as scratch space needs root to mount');
} else {
  test('A tiny tmpfs as scratch space gives error with the cause, never fail', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ovlconf-blame-'));
    const scratch = join(base, 'scratch');
    mkdirSync(scratch);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'ovlconf-blame', scratch]);
    try {
      const workdir = join(scratch, 'w');
      mkdirSync(workdir);
      const w = await posixAdapter.createWorker('ext4', { workdir, index: 0 });
      try {
        const rec = await execute(w, big, { runId: 'b', scratch, who: 'posix/ext4' });
        const c = classify(big, rec, new Map());
        assert.is(c.verdict, 'error', JSON.stringify(c));
        assert.ok(c.reason?.includes('the scratch filesystem is'), c.reason);
      } finally {
        await w.close();
      }
    } finally {
      execFileSync('umount', [scratch]);
      rmSync(base, { recursive: true, force: true });
    }
  });
}

test.run();
