// tier: system
// Every mount the harness makes for a scenario is nodev,nosuid (issue 11, build item 2): the
// kernel overlay through the new mount API, legacy mount(2) and the docker layout, the FUSE
// daemons' mounts and the posix baseline's tmpfs, read back from the mountinfo of the agent's own
// mount namespace (/proc/<agent pid>/mountinfo is that namespace's /proc/self/mountinfo). A
// scenario that declares device-open gets an overlay (or the posix baseline's tmpfs) with device
// semantics, and only that one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from '../../adapters/adapter.js';
import { loadAdapter } from '../../adapters/registry.js';
import { skipping } from '../helpers/env.js';

const work = mkdtempSync(join(tmpdir(), 'ovlconf-nodev-'));

/** the per-mount options of every mount at or under dir in the agent's namespace, by mount point */
function mountsUnder(pid: number, dir: string): Map<string, { fstype: string; options: string[] }> {
  const out = new Map<string, { fstype: string; options: string[] }>();
  for (const line of readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!post) continue;
    const f = pre.split(' ');
    const point = f[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (point === dir || point.startsWith(dir + '/')) out.set(point, { fstype: post.split(' ')[0], options: f[5].split(',') });
  }
  return out;
}

/** a teardown, and the agent's reaper done with its unmounts (host workers hand them over: agent/reaper.c) */
async function tornDown(w: Worker): Promise<void> {
  await w.teardown();
  await (w as unknown as { hostAgent?: { request(op: string): Promise<unknown> } }).hostAgent?.request('reapwait');
}

/** set up a one-file scenario on the worker; the mounts under its directory */
async function mountedBy(w: Worker, dir: string, runId: string, devices: boolean) {
  const s = await w.setup({ lowers: [{ a: { type: 'file', data: 'a' } }], upper: {} } as never, { runId, timeoutMs: 10_000, lowerCount: 1, devices });
  assert.not.ok('error' in s && s.error, `setup: ${JSON.stringify(s)}`);
  const pid = (w as unknown as { agent: { pid: number } }).agent.pid;
  return mountsUnder(pid, dir);
}

const targets: [string, string, string][] = [
  ['kernel', 'default', 'overlay'], ['kernel', 'legacy-mount', 'overlay'], ['kernel', 'docker', 'overlay'],
  ['fuse-overlayfs', 'default', 'fuse'], ['unionfs-fuse', 'default', 'fuse'], ['mergerfs', 'default', 'fuse'], ['mhddfs', 'default', 'fuse'],
  ['posix', 'tmpfs', 'tmpfs'],
];

if (!skipping('nodev mounts', 'root', 'cc')) {
  for (const [name, variant, fstype] of targets) {
    test(`${name}/${variant}: every mount made for a scenario is nodev,nosuid; device-open keeps device semantics only on the overlay`, async () => {
      const a = await loadAdapter(name);
      const v = (await a.probe()).variants.find((x) => x.name === variant);
      if (!v?.available) return console.log(`  SKIP(part) ${name}/${variant}: ${v?.reason ?? 'no such variant'}`);
      const dir = join(work, `${name}.${variant}`);
      mkdirSync(dir, { recursive: true });
      const w = await a.createWorker(variant, { workdir: dir, index: 0 });
      try {
        const plain = await mountedBy(w, dir, 'n1', false);
        const made = [...plain].filter(([, m]) => m.fstype === fstype || m.fstype.startsWith(fstype + '.'));
        assert.ok(made.length > 0, `a ${fstype} mount under ${dir}: ${JSON.stringify([...plain])}`);
        for (const [point, m] of plain) {
          assert.ok(m.options.includes('nodev'), `${point} (${m.fstype}) is nodev: ${m.options.join(',')}`);
          assert.ok(m.options.includes('nosuid'), `${point} (${m.fstype}) is nosuid: ${m.options.join(',')}`);
        }
        await tornDown(w);
        if (name === 'kernel' || name === 'posix') {
          const dev = await mountedBy(w, dir, 'n2', true);
          const kept = [...dev].filter(([, m]) => m.fstype === fstype);
          assert.ok(kept.length > 0);
          for (const [point, m] of kept) assert.not.ok(m.options.includes('nodev'), `${point} keeps device semantics for device-open`);
          await tornDown(w);
          // and the next scenario that does not declare it is nodev again
          const again = await mountedBy(w, dir, 'n3', false);
          for (const [point, m] of again) assert.ok(m.options.includes('nodev'), `${point} is nodev again`);
          await tornDown(w);
        }
      } finally {
        await w.close();
      }
    });
  }
}

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
