// tier: system
// One real boot: a Debian 6.1 kernel under QEMU running three scenarios on two variants (the
// default one through the adapter's lowerdir= fallback for kernels before 6.8). Slow
// under TCG (about two minutes, plus a download of ~70 MB on first use); skipped with the reason
// printed when qemu, kmod or a static busybox is missing, when not root, or when the kernel
// cannot be fetched (no network and an empty cache). OVLCONF_SKIP_BOOT=1 skips it on purpose.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { skipNow, skipReason } from '../helpers/env.js';
import { defaultCache, prepareKernel } from '../../vm/kernel.js';
import { runKernel } from '../../vm/kernels.js';
import type { Progress } from '../../vm/progress.js';
import { hostAccel } from '../../vm/qemu.js';
import { hasProblems } from '../../results/results.js';
import { packageRoot } from '../../language/root.js';
import { loadAll } from '../../cli/load.js';

const quiet: Progress = { kernel() {}, phase() {}, log() {}, done() {} };

test('a Debian 6.1 kernel boots, runs scenarios with the host node and returns results and the exit status', async () => {
  if (process.env.OVLCONF_SKIP_BOOT) return skipNow('real boot', 'OVLCONF_SKIP_BOOT is set');
  const why = skipReason('root', 'qemu', 'kmod', 'busybox');
  if (why) return skipNow('real boot', why);
  try {
    prepareKernel('6.1', { fs: 'ext4', log: () => {} });
  } catch (e) {
    const m = (e as Error).message;
    if (/apt-get (update|download)/.test(m)) return skipNow('real boot', `the 6.1 kernel is not cached and cannot be fetched (${m.split('\n')[0]})`);
    throw e;
  }
  // the three files named, not the whole suite filtered: the guest then loads 3 files, not 450;
  // loaded here first, so the loader caches the guest reads (scripts/test.js sets
  // OVLCONF_CACHE_DIR, vm/guest.ts passes it on) hold them whichever test files ran before
  const suites = ['whiteout/unlink-lower-file', 'copy-up/chmod', 'rename/lower-dir'].map((f) => join(packageRoot(), 'suites', `${f}.yaml`));
  await loadAll({ suites });
  const r = await runKernel('6.1', {
    runArgs: ['run', '--adapter', 'kernel', '--variant', 'default,legacy-mount', ...suites.flatMap((f) => ['--suite', f])],
    timeoutMs: 900_000, fs: 'ext4', accel: hostAccel(), memoryMiB: 2048, base: join(defaultCache(), 'runs'), keep: false,
  }, quiet);
  assert.is(r.problem, undefined, r.problem);
  assert.match(r.release ?? '', /^6\.1\.0-\d+-amd64$/);
  assert.ok(r.file, 'results came back');
  const f = r.file!;
  assert.is(f.environment.host.kernel, r.release, 'the suite ran in the guest');
  assert.ok(f.results.length >= 4, `${f.results.length} results`);
  // lowerdir+ (the new mount API's per-layer option) arrived in 6.8: on 6.1 the default variant is
  // refused that way and mounts with one lowerdir= string instead; both variants run the scenarios
  const fp = f.environment.variants['kernel/default'];
  assert.ok(fp, 'the default variant was mounted');
  assert.is((fp!.details as Record<string, unknown>).layerSyntax, 'lowerdir', 'the fallback to lowerdir= was taken');
  for (const v of ['default', 'legacy-mount']) {
    const rs = f.results.filter((x) => x.variant === v);
    assert.ok(rs.length >= 2, `${v}: ${rs.length} results`);
    assert.ok(rs.every((x) => x.verdict === 'pass' || x.verdict === 'deviation'), `${v}: ${JSON.stringify(rs.map((x) => [x.id, x.verdict, x.reason]))}`);
  }
  // the exit status is the suite's own: 1 exactly when the results hold a problem (a fail, or a broken scenario file in the tree)
  assert.is(r.status, hasProblems(f) ? 1 : 0, JSON.stringify({ summary: f.summary, loadErrors: f.loadErrors.slice(0, 3) }));
});

test.run();
