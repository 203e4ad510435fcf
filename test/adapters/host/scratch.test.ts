// Scratch directories name their owner; a sweep removes those of dead owners only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { makeScratch, ownerAlive, ownerOf, startTimeOf, sweepStale } from '../../../adapters/host/scratch.js';

const base = mkdtempSync(join(tmpdir(), 'scratch-test-'));

/** the PID and start time of a process that has exited */
function deadOwner(): { pid: number; start: string } {
  const r = spawnSync('sh', ['-c', 'echo $$ $(cut -d" " -f22 /proc/$$/stat)'], { encoding: 'utf8' });
  const [pid, start] = r.stdout.trim().split(' ');
  return { pid: Number(pid), start };
}

test('a scratch directory is named for its owner, which is this process, in fixed-width numbers', () => {
  const dir = makeScratch('ovlconf-', base);
  assert.match(basename(dir), /^ovlconf-p[0-9a-z]{5}\.[0-9a-z]{7}-[A-Za-z0-9]{6}$/, 'the same length whatever the PID and uptime');
  const o = ownerOf(basename(dir));
  assert.equal(o, { pid: process.pid, start: startTimeOf(process.pid)! });
  assert.ok(ownerAlive(basename(dir)));
});

test('a name in either form names its owner: decimal, or base 36 after "p"', () => {
  assert.equal(ownerOf('ovlconf-790.3744004-abcDEF'), { pid: 790, start: '3744004' });
  assert.equal(ownerOf(`ovlconf-kprobe-p${(790).toString(36).padStart(5, '0')}.${(3744004).toString(36).padStart(7, '0')}-abcDEF`), { pid: 790, start: '3744004' });
  assert.is(ownerOf('ovlconf-pxyz-abcDEF'), undefined);
});

test('a sweep removes a dead owner\'s directories and keeps live, foreign and unnamed ones', () => {
  const dead = deadOwner();
  const stale = [`ovlconf-${dead.pid}.${dead.start}-abcDEF`, `ovlconf-kprobe-${dead.pid}.${dead.start}-x1y2z3`];
  // the same PID with another start time is another (here: this) process's reused PID
  const reused = `ovlconf-${process.pid}.1-aaaaaa`;
  const live = makeScratch('ovlconf-foprobe-', base);
  const keep = ['ovlconf-Ab12Cd', 'unrelated', `ovlconf-${dead.pid}-nodots`];
  for (const n of [...stale, reused, ...keep]) mkdirSync(join(base, n, 'w0', 'deep'), { recursive: true });
  writeFileSync(join(base, stale[0], 'w0', 'deep', 'f'), 'x');
  const removed = sweepStale(base).map((d) => basename(d)).sort();
  assert.equal(removed, [...stale, reused].sort());
  assert.ok(existsSync(live), 'the live owner\'s directory stays');
  for (const n of keep) assert.ok(existsSync(join(base, n)), `${n} stays`);
});

test('makeScratch sweeps its base before it makes a new directory', () => {
  const dead = deadOwner();
  const d = join(base, `ovlconf-${dead.pid}.${dead.start}-qqqqqq`);
  mkdirSync(d);
  const fresh = makeScratch('ovlconf-', base);
  assert.not.ok(existsSync(d));
  assert.ok(readdirSync(base).includes(basename(fresh)));
});

test('a sweep of a base that does not exist removes nothing', () => {
  assert.equal(sweepStale(join(base, 'missing')), []);
});

test.after(() => rmSync(base, { recursive: true, force: true }));
test.run();
