// tier: system
// The hostile suite on every adapter available here: scenarios written as an attacker would (a
// lower-layer symlink to a host directory, absolute symlinks read and written, device nodes opened
// and written without declaring device-open (every mount is nodev), device-open declared for a
// loop device, layer paths smuggled into remount options, forbidden device numbers, a 1,200-level
// tree) run through `ovlconf run`; afterwards the canary files outside the sandbox are unchanged,
// no canary content is in the results, the loop device a device node could reach is unchanged,
// the kernel log holds no marker, no mount is left and the deep tree ended in a pass or a clean
// verdict (no agent crash).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hostOverlayMounts, ovlconf } from '../helpers/cli.js';
import { skipping } from '../helpers/env.js';
import { builtinNames } from '../../adapters/registry.js';
import { hostileSuite } from './scenarios.js';

const work = mkdtempSync(join(tmpdir(), 'hostile-suite-'));
// searchable by others, as a user's --workdir must be for gvisor: runsc's unprivileged sandbox
// traverses it, and the gvisor adapter opens only the run's own scratch directory, nothing above
// (until run probed only the chosen variants, the kernel's unprivileged probe opened it as a side effect)
chmodSync(work, 0o711);
const nonce = randomBytes(8).toString('hex');
const SECRET = `OVLCONF-CANARY-${nonce}`;
const MARK = `OVLCONF-HOSTILE-${nonce}`;

/** a snapshot of every file under dir: path, size, mtime, content */
function snapshot(dir: string): string {
  const rows: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      const st = statSync(p);
      rows.push(`${p} ${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${e.isFile() ? readFileSync(p, 'hex') : ''}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return rows.join('\n');
}

/** attach a loop device with minor 200 (the one device number the allow-list admits for blk) to a canary file, when free */
function loop200(file: string): boolean {
  // a fresh machine may have no node for that minor: make it (the loop driver attaches any minor)
  if (!existsSync('/dev/loop200')) spawnSync('mknod', ['-m', '0600', '/dev/loop200', 'b', '7', '200'], { stdio: 'ignore' });
  if (!existsSync('/dev/loop200')) return false;
  if (spawnSync('losetup', ['/dev/loop200'], { stdio: 'ignore' }).status === 0) return false; // in use by someone else
  return spawnSync('losetup', ['/dev/loop200', file], { stdio: 'ignore' }).status === 0;
}

if (!skipping('hostile suite', 'root')) {
  test('the hostile suite on every available adapter changes nothing outside the sandbox and leaks nothing', async () => {
    const canary = join(work, 'canary');
    mkdirSync(join(canary, 'sub'), { recursive: true });
    mkdirSync(canary + 'w');
    writeFileSync(join(canary, 'secret'), SECRET + '\n');
    writeFileSync(join(canary, 'sub', 'deeper'), SECRET + ' deeper\n');
    const backing = join(work, 'loop.img');
    writeFileSync(backing, Buffer.alloc(64 << 10, 0x61));
    const loop = loop200(backing);
    // killed (scripts/test.js sends SIGTERM to the file's process group at its deadline, a user ^C):
    // the finally below never runs, so the loop device is detached here, else it stays attached
    const onKill = (sig: NodeJS.Signals) => {
      if (loop) spawnSync('losetup', ['-d', '/dev/loop200'], { stdio: 'ignore' });
      rmSync(work, { recursive: true, force: true });
      process.exit(sig === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGTERM', onKill).once('SIGINT', onKill);
    const before = snapshot(canary) + snapshot(canary + 'w');
    const suite = join(work, 'suite');
    mkdirSync(suite);
    for (const [name, text] of Object.entries(hostileSuite(canary, MARK))) writeFileSync(join(suite, name), text);
    const out = join(work, 'results.json');
    try {
      // every adapter available here, on its default variant (posix: both of its filesystems);
      // gvisor too: its agent chroots into a root holding only the sandbox and system directories
      const adapters0 = builtinNames().filter((a) => a !== 'command');
      const r = await ovlconf(['run', '--adapter', adapters0.join(','), '--allow-empty', '--suite', suite, '--variant', 'default,ext4,tmpfs', '--reporter', 'json', '--out', out, '--steps', 'all', '--workdir', join(work, 'w')], { timeoutMs: 900_000 });
      assert.ok(existsSync(out), r.stderr.slice(-2000));
      const text = readFileSync(out, 'utf8');
      const doc = JSON.parse(text) as { results: { adapter: string; variant: string; scenario: string; verdict: string; reason?: string }[]; loadErrors: { file: string; message: string }[] };
      // routes closed at load: each names its file
      for (const f of ['device-forbidden', 'device-open-declared', 'remount-upperdir', 'remount-comma'])
        assert.ok(doc.loadErrors.some((e) => e.file.includes(f)), `${f} is refused at load: ${JSON.stringify(doc.loadErrors)}`);
      // and only those: the routes meant to run loaded (a title with a colon once kept device-nodes from loading)
      const refused = [...new Set(doc.loadErrors.map((e) => e.file.replace(/^.*\//, '')))].sort();
      assert.equal(refused, ['device-forbidden.yaml', 'device-open-declared.yaml', 'remount-comma.yaml', 'remount-upperdir.yaml'], JSON.stringify(doc.loadErrors));
      const adapters = [...new Set(doc.results.map((x) => x.adapter))].sort();
      console.log(`  hostile suite: ${doc.results.length} results on ${adapters.join(', ')}`);
      assert.ok(adapters.length >= 2, 'several adapters ran');
      // nothing changed outside the sandbox and nothing of it came back
      assert.is(snapshot(canary) + snapshot(canary + 'w'), before, 'the canary files are unchanged');
      assert.not.ok(text.includes(SECRET), 'no canary content in the results');
      if (loop) assert.equal(readFileSync(backing), Buffer.alloc(64 << 10, 0x61), 'the loop device behind blk 7:200 is unchanged');
      else console.log('  SKIP(part) loop device check: /dev/loop200 missing or in use');
      const kmsg = spawnSync('dmesg', [], { encoding: 'utf8' }).stdout ?? '';
      assert.not.ok(kmsg.includes(MARK), 'the kernel log holds no marker');
      // the deep tree: a pass or a clean verdict, never a crashed agent
      // (a hung in-process engine is killed and replaced: a clean error naming who stopped answering,
      // or the step whose deadline passed: browserfs's lookups cost the square of the depth, and
      // when its setup ends within the setup deadline a later step may not end within its own)
      for (const x of doc.results.filter((y) => y.scenario === 'hostile/deep-tree')) {
        assert.not.match(x.reason ?? '', /agent exited|SIGSEGV|stack/i, `${x.adapter}/${x.variant}: ${x.verdict} ${x.reason}`);
        if (x.verdict === 'error') assert.match(x.reason ?? '', new RegExp(`^(${x.adapter}/${x.variant} stopped answering|step \\d+ \\(\\w+, line \\d+\\): did not answer within \\d+ ms)`), `${x.adapter}/${x.variant}: ${x.reason}`);
      }
      // and the run went on: every variant has a result for every scenario that loaded
      const loaded = new Set(doc.results.map((x) => x.scenario)).size;
      for (const v of new Set(doc.results.map((x) => `${x.adapter}/${x.variant}`)))
        assert.is(doc.results.filter((x) => `${x.adapter}/${x.variant}` === v).length, loaded, `${v} ran every scenario`);
      const deepVerdicts = doc.results.filter((y) => y.scenario === 'hostile/deep-tree').map((y) => `${y.adapter}/${y.variant}=${y.verdict}`);
      console.log(`  deep tree: ${deepVerdicts.join(' ')}`);
      assert.ok(deepVerdicts.some((v) => v.endsWith('=pass')), 'the deep tree passes somewhere');
      assert.equal(await hostOverlayMounts(), []);
    } finally {
      process.off('SIGTERM', onKill).off('SIGINT', onKill);
      if (loop) execFileSync('losetup', ['-d', '/dev/loop200']);
    }
  });
}

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
