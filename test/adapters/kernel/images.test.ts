// tier: system
// Lower layers as erofs images: each lower is packed with mkfs.erofs and mounted read-only from
// the image file beneath the scenario, the overlay stacks those mounts, a whiteout scenario
// passes on them, and teardown leaves no image mounted. squashfs lowers go through a read-only
// AUTOCLEAR loop device the agent attaches: none is left attached after teardown, after a refused
// mount, or after the agent is killed with the image mounted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelAdapter } from '../../../adapters/kernel/index.js';
import { imageToolMissing, packArgv, packImage, packLimit } from '../../../adapters/kernel/images.js';
import { which } from '../../../adapters/host/tools.js';
import { execute } from '../../../engine/executor.js';
import { classify } from '../../../engine/classify.js';
import { scenario } from '../../helpers/scenario.js';
import { skipping, skipNow } from '../../helpers/env.js';

test('squashfs lowers need mksquashfs and /dev/loop-control, and say which is missing', () => {
  const why = imageToolMissing('squashfs');
  if (!which('mksquashfs')) assert.match(why ?? '', /squashfs-tools/);
  else if (!existsSync('/dev/loop-control')) assert.match(why ?? '', /loop-control/);
  else assert.is(why, undefined);
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

if (!which('mksquashfs')) skipNow('squashfs packing tests', 'mksquashfs is not installed (Debian squashfs-tools)');
else {
  test('A squashfs lower is packed byte for byte as mksquashfs packs it with its default caches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ovl-pack-'));
    try {
      const src = join(dir, 'src');
      mkdirSync(join(src, 'd', 'e'), { recursive: true });
      writeFileSync(join(src, 'f'), 'hello');
      linkSync(join(src, 'f'), join(src, 'hard'));
      symlinkSync('f', join(src, 'sym'));
      writeFileSync(join(src, 'd', 'big'), Buffer.alloc(3 << 20, 7));
      writeFileSync(join(src, 'sparse'), '');
      truncateSync(join(src, 'sparse'), 64 << 20);
      const ours = packArgv('squashfs', src, join(dir, 'ours.sq'));
      // the same command without the cache and queue sizes: what the tool writes by default
      const cut = ours.indexOf('-mem');
      const plain = [...ours.slice(0, cut), '-mkfs-time', '0'];
      plain[2] = join(dir, 'plain.sq');
      execFileSync(plain[0], plain.slice(1), { stdio: 'ignore' });
      execFileSync(ours[0], [...ours.slice(1), '-mkfs-time', '0'], { stdio: 'ignore' });
      assert.ok(readFileSync(join(dir, 'ours.sq')).equals(readFileSync(join(dir, 'plain.sq'))), 'the two images differ');
      await packImage('squashfs', src, join(dir, 'async.sq'));
      assert.ok(readFileSync(join(dir, 'async.sq')).length > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('A failed pack rejects with the message of the packing tool', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ovl-pack-'));
    try {
      const e = await packImage('squashfs', join(dir, 'absent'), join(dir, 'x.sq')).then(() => undefined, (err: Error & { stderr?: Buffer }) => err);
      assert.ok(e, 'packing a missing directory succeeded');
      assert.match(e!.stderr?.toString() ?? '', /absent/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** erofs (or `fs`) mounts under `dir` in any process's mount namespace (the agent's is private). */
function erofsMounts(dir: string, fs = 'erofs'): string[] {
  const out = new Set<string>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let t = '';
    try {
      t = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    } catch {
      continue;
    }
    for (const l of t.split('\n')) if (l.includes(dir) && l.includes(` - ${fs} `)) out.add(l.split(' ')[4]);
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
      // the teardown's unmounts are the agent's reaper's (agent/reaper.c): wait until it is done
      await (w as unknown as { hostAgent?: { request(op: string): Promise<unknown> } }).hostAgent?.request('reapwait');
      assert.equal(erofsMounts(work), [], 'teardown unmounted the image');
    } finally {
      await w.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
}

/** Loop devices backed by a file under `dir` (from sysfs: every loop device's backing file). */
function loopsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/sys/block').filter((n) => n.startsWith('loop'))) {
    try {
      if (readFileSync(`/sys/block/${d}/loop/backing_file`, 'utf8').startsWith(dir)) out.push(d);
    } catch {
      // not attached: no loop/ directory
    }
  }
  return out;
}

/** Wait (with a deadline) until no loop device is backed by a file under `dir`; the ones left. */
async function loopsGone(dir: string, ms = 10_000): Promise<string[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = loopsUnder(dir);
    if (!left.length || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const whiteoutScenario = (id: string) => `id: t/${id}
title: unlink over an image lower
behaviour: [WH-001]
layers:
  lower:
    - { d/a: "A", d/b: "B" }
    - { d/c: "C" }
steps:
  - unlink: d/a
  - readdir: d
    expect: { entries: [b, c] }
  - readfile: d/b
    expect: { data: "B" }
after:
  upper: { d/a: !whiteout }
  lower: unchanged
`;

const noSquash = !which('mksquashfs') ? 'mksquashfs is not installed (Debian squashfs-tools)' : !existsSync('/dev/loop-control') ? 'no /dev/loop-control (loop module)' : undefined;
if (!skip && noSquash) skipNow('squashfs lower tests', noSquash);
else if (!skip) {
  test('squashfs-image lowers are loop-mounted read-only under the overlay, a whiteout scenario passes, and teardown detaches every loop device', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ovlconf-squashfs-'));
    const w = await kernelAdapter.createWorker('squashfs-lower', { workdir: work, index: 0 });
    try {
      const [s] = scenario(whiteoutScenario('sq'));
      let seen = '';
      let loops: string[] = [];
      const origSetup = w.setup.bind(w);
      w.setup = async (l, c) => {
        const r = await origSetup(l, c);
        seen = erofsMounts(work, 'squashfs').join('\n');
        loops = loopsUnder(work);
        return r;
      };
      const rec = await execute(w, s, { runId: 'q1' });
      const c = classify(s, rec, new Map());
      assert.is(c.verdict, 'pass', c.reason);
      assert.match(seen, /\/q1\/l1$/m, 'the lower l1 was a squashfs mount while the scenario ran');
      assert.is(loops.length, 2, 'one loop device per lower while mounted');
      assert.equal(await loopsGone(work), [], 'AUTOCLEAR detached the loop devices at teardown');
    } finally {
      await w.close();
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('A squashfs lower\'s loop device goes with a killed agent (SIGKILL while mounted)', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ovlconf-squashfs-kill-'));
    const w = await kernelAdapter.createWorker('squashfs-lower', { workdir: work, index: 0 });
    try {
      const [s] = scenario(whiteoutScenario('sqk'));
      await w.setup(s.layers, { runId: 'k1', timeoutMs: 30_000, lowerCount: 2 });
      assert.is(loopsUnder(work).length, 2, 'mounted: two loop devices');
      const pid = (w as unknown as { agent: { pid: number } }).agent.pid;
      process.kill(pid, 'SIGKILL');
      assert.equal(await loopsGone(work), [], 'the namespace died with the agent and took the loop devices');
    } finally {
      await w.close().catch(() => undefined);
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('A refused squashfs mount leaves no loop device attached (a file that is no squashfs image)', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ovlconf-squashfs-bad-'));
    const { startAgent } = await import('../../../adapters/host/agent.js');
    const { imageMountRequest } = await import('../../../adapters/kernel/images.js');
    const agent = await startAgent({ sandbox: work, ns: 'private' });
    try {
      writeFileSync(join(work, 'bad.img'), Buffer.alloc(8192, 1));
      mkdirSync(join(work, 'm'));
      const [r] = await agent.pipeline([imageMountRequest('squashfs', join(work, 'bad.img'), join(work, 'm'))]);
      assert.is(r.kind, 'err', 'the kernel refuses a file that is not squashfs');
      assert.equal(await loopsGone(work), [], 'AUTOCLEAR detached the device on the close after the refusal');
    } finally {
      await agent.kill();
      rmSync(work, { recursive: true, force: true });
    }
  });
}

test.run();
