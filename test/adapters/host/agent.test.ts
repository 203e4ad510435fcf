// tier: system
// The native agent and its client: process lifecycle, namespaces, host ops.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { skipReason, skipping } from '../../helpers/env.js';
import { scaled, until } from '../../helpers/wait.js';
import {
  AgentDied,
  AgentTimeout,
  agentAvailable,
  startAgent,
  type Agent,
} from '../../../adapters/host/agent.js';
import { getText } from '../../../adapters/host/wire.js';
import {
  AgentOpError,
  mkdirp,
  mount,
  rmtree,
  setRoot,
  spawn,
  tmpfs,
  tree,
  treeMissing,
  trees,
  umount,
  waitmount,
  waitpid,
} from '../../../adapters/host/ops.js';

// ---- helpers -------------------------------------------------------------------------------

const avail = agentAvailable();
/** why agent tests cannot run here (root and a built agent are both needed) */
const agentSkip = skipReason('root', 'cc') ?? (avail.ok ? undefined : `native agent unavailable: ${avail.reason}`);

/** a test that needs root and the agent: registered as skipped (with the reason printed) otherwise */
function agentTest(title: string, fn: () => Promise<void>, ...more: ('fuse' | 'fuseOverlayfs' | 'overlay')[]): void {
  const why = agentSkip ?? skipReason(...more);
  if (why) {
    console.log(`  SKIP ${title}: ${why}`);
    test.skip(title, fn);
  } else {
    test(title, fn);
  }
}

const base = mkdtempSync(join(tmpdir(), 'ovlagent-test-'));
chmodSync(base, 0o755);
const sandbox = join(base, 'sandbox');
const outside = join(base, 'outside');
mkdirSync(sandbox, { mode: 0o755 });
mkdirSync(outside, { mode: 0o755 });
let counter = 0;
/** a fresh directory beneath the sandbox */
function freshDir(name: string): string {
  const d = join(sandbox, `${name}-${++counter}`);
  mkdirSync(d, { recursive: true });
  return d;
}

const started: Agent[] = [];
async function agent(opts: { ns?: 'private' | 'none'; userns?: { uid: number; gid: number }; sandbox?: string } = {}): Promise<Agent> {
  const a = await startAgent({ sandbox: opts.sandbox ?? sandbox, ns: opts.ns, userns: opts.userns });
  started.push(a);
  return a;
}

function myMountinfo(): string {
  return readFileSync('/proc/self/mountinfo', 'utf8');
}

function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** the syscall the process is blocked in (its number, from /proc/<pid>/syscall), if any */
function blockedIn(pid: number): number | undefined {
  try {
    const n = Number(readFileSync(`/proc/${pid}/syscall`, 'utf8').split(' ')[0]);
    return Number.isInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

test.after(async () => {
  for (const a of started) await a.kill();
  rmSync(base, { recursive: true, force: true });
});

// ---- lifecycle ------------------------------------------------------------------------------------

agentTest('the agent starts as root in a private namespace and answers ping with its pid', async () => {
  assert.ok(avail.ok);
  const a = await agent();
  assert.is(a.info.euid, 0);
  assert.is(a.info.ns, 'private');
  assert.is(a.info.sandbox, sandbox);
  const r = await a.request('ping');
  assert.is(r.kind, 'ok');
  assert.is(getText(r.fields, 'pid'), String(a.pid));
  // the namespace really differs from ours
  assert.is.not(execFileSync('readlink', [`/proc/${a.pid}/ns/mnt`]).toString(), execFileSync('readlink', ['/proc/self/ns/mnt']).toString());
  await a.close();
  assert.is(a.alive, false);
  assert.equal(await a.exited, { code: 0, signal: null });
});

agentTest('a startup failure is reported with the agent\'s reason', async () => {
  try {
    await startAgent({ sandbox: join(base, 'does-not-exist') });
    assert.unreachable('started without a sandbox');
  } catch (e) {
    assert.match(String(e), /does-not-exist.*No such file/);
  }
  try {
    await startAgent({ sandbox, binary: join(base, 'no-such-binary') });
    assert.unreachable('started a missing binary');
  } catch (e) {
    assert.instance(e, AgentDied);
  }
});

agentTest('two hundred pipelined requests all resolve, in order', async () => {
  const a = await agent();
  const dir = freshDir('pipe');
  const reqs = Array.from({ length: 200 }, (_, i) => ({ op: 'mkdirp', args: { path: join(dir, `d${i}`) } }));
  reqs.push({ op: 'root', args: { path: dir } });
  const replies = await a.pipeline(reqs, { timeoutMs: scaled(5000) });
  assert.is(replies.length, 201);
  assert.ok(replies.every((r) => r.kind === 'ok'));
  assert.equal(replies.map((r) => r.id), [...replies.map((r) => r.id)].sort((x, y) => x - y));
  assert.is(readdirSync(dir).length, 200);
  assert.is(a.root, dir);
});

agentTest('a request with ifok=1 runs only when the one before it succeeded: a failure cancels the rest of the chain with ECANCELED', async () => {
  const a = await agent();
  const dir = freshDir('ifok');
  const replies = await a.pipeline([
    { op: 'mkdirp', args: { path: join(dir, 'a') } },
    { op: 'mkdirp', args: { path: join(dir, 'b'), ifok: true } },
    { op: 'rmtree', args: { path: join(dir, 'b', 'missing') } },
    { op: 'root', args: { path: join(dir, 'nowhere') } },
    { op: 'mkdirp', args: { path: join(dir, 'c'), ifok: true } },
    { op: 'mkdirp', args: { path: join(dir, 'd'), ifok: true } },
    { op: 'mkdirp', args: { path: join(dir, 'e') } },
    { op: 'mkdirp', args: { path: join(dir, 'f'), ifok: true } },
  ], { timeoutMs: scaled(5000) });
  assert.equal(replies.map((r) => r.kind === 'err' ? r.errno : r.kind), ['ok', 'ok', 'ok', 'ENOENT', 'ECANCELED', 'ECANCELED', 'ok', 'ok']);
  assert.match(getText(replies[4].fields, 'msg') ?? '', /ifok/);
  assert.equal(readdirSync(dir).sort(), ['a', 'b', 'e', 'f'], 'the cancelled requests created nothing');
  // a malformed request (fatal) also cancels the chained one after it; the agent stays usable
  const [bad, after, plain] = await a.pipeline([{ op: 'no_such_op' }, { op: 'mkdirp', args: { path: join(dir, 'g'), ifok: true } }, { op: 'ping', args: { ifok: true } }]);
  assert.is(bad.kind, 'fatal');
  assert.is(after.errno, 'ECANCELED');
  assert.is(plain.errno, 'ECANCELED', 'a cancelled request cancels the chained one after it');
  // "the request before it" is the one before it on the stream, whichever write carried it
  assert.is((await a.request('ping', { ifok: true })).errno, 'ECANCELED');
  assert.is((await a.request('ping')).kind, 'ok');
  assert.is((await a.request('ping', { ifok: true })).kind, 'ok');
});

agentTest('host paths outside the sandbox are refused as escapes and nothing is created', async () => {
  const a = await agent();
  for (const [op, args] of [
    ['mkdirp', { path: join(outside, 'made') }],
    ['mkdirp', { path: `${sandbox}/../outside/made2` }],
    ['root', { path: '/' }],
    ['tree', { path: outside }],
    ['rmtree', { path: outside }],
    ['tmpfs', { target: outside }],
  ] as const) {
    const r = await a.request(op, args);
    assert.is(r.kind, 'escape', `${op} ${JSON.stringify(args)}`);
  }
  // a symlink inside the sandbox pointing out does not help either
  const d = freshDir('link');
  execFileSync('ln', ['-s', outside, join(d, 'out')]);
  assert.is((await a.request('mkdirp', { path: join(d, 'out', 'x') })).kind, 'escape');
  assert.equal(readdirSync(outside), []);
  // an overlay layer outside the sandbox is refused before anything is mounted
  const m = freshDir('m');
  const r = await a.request('mount', { fstype: 'overlay', target: m, opt: [`lowerdir+=${outside}`, `lowerdir+=${d}`] });
  assert.is(r.kind, 'escape');
});

agentTest('a host path through symlinks that stay in the sandbox is taken, canonical, and made where the links lead', async () => {
  const a = await agent();
  const d = freshDir('inlink');
  mkdirSync(join(d, 'real', 'deep'), { recursive: true });
  symlinkSync('real', join(d, 'rel'));
  symlinkSync(join(d, 'rel', 'deep'), join(d, 'abs'));
  assert.is((await a.request('mkdirp', { path: join(d, 'abs', 'made', 'x') })).kind, 'ok');
  assert.ok(existsSync(join(d, 'real', 'deep', 'made', 'x')));
  // a directory removed after the link was made: the path no longer resolves, and nothing is made outside
  rmSync(join(d, 'real'), { recursive: true });
  const r = await a.request('mkdirp', { path: join(d, 'abs', 'again') });
  assert.ok(r.kind === 'escape', `${r.kind} ${getText(r.fields, 'msg') ?? ''}`);
  assert.equal(readdirSync(d).sort(), ['abs', 'rel']);
});

agentTest('a mount made by the agent stays in its private namespace and vanishes when it is killed', async () => {
  const a = await agent();
  const t = freshDir('priv');
  await tmpfs(a, t);
  await setRoot(a, t);
  await a.request('writefile', { path: 'inside', data: 'x' });
  assert.ok(readFileSync(`/proc/${a.pid}/mountinfo`, 'utf8').includes(` ${t} `), 'agent sees its mount');
  assert.not.ok(myMountinfo().includes(` ${t} `), 'the test process does not');
  assert.not.ok(existsSync(join(t, 'inside')), 'the file went to the tmpfs, not the host dir');
  const pid = a.pid;
  await a.kill();
  assert.not.ok(pidAlive(pid));
  assert.not.ok(myMountinfo().includes(` ${t} `));
  assert.not.ok(readFileSync('/proc/mounts', 'utf8').includes(` ${t} `));
});

// ---- mounts -----------------------------------------------------------------------------------------

agentTest('the new mount API mounts an overlay with one lowerdir+ per layer and returns the kernel\'s text for a bad option', async () => {
  const a = await agent();
  const d = freshDir('ovl');
  for (const s of ['l1', 'l2', 'u', 'w', 'm']) await mkdirp(a, join(d, s));
  writeFileSync(join(d, 'l1', 'top'), 'from l1');
  writeFileSync(join(d, 'l2', 'top'), 'from l2');
  writeFileSync(join(d, 'l2', 'deep'), 'only l2');
  const opts = [`lowerdir+=${d}/l1`, `lowerdir+=${d}/l2`, `upperdir=${d}/u`, `workdir=${d}/w`];
  const ok = await mount(a, { fstype: 'overlay', target: join(d, 'm'), options: opts, api: 'new' });
  assert.equal(ok, { ok: true });
  await setRoot(a, join(d, 'm'));
  assert.is(new TextDecoder().decode((await a.request('readfile', { path: 'top' })).fields[0]![1]), 'from l1');
  assert.is(getText((await a.request('readfile', { path: 'deep' })).fields, 'data'), 'only l2');
  assert.ok(readFileSync(`/proc/${a.pid}/mountinfo`, 'utf8').includes(`lowerdir+=${d}/l1,lowerdir+=${d}/l2`));
  assert.equal(await umount(a, join(d, 'm')), { ok: true });
  assert.is(a.root, undefined, 'the root on the unmounted overlay was dropped');

  const bad = await mount(a, { fstype: 'overlay', target: join(d, 'm'), options: [...opts, 'bogus=1'], api: 'new' });
  assert.is(bad.ok, false);
  if (!bad.ok) {
    assert.is(bad.errno, 'EINVAL');
    assert.match(bad.message ?? '', /Unknown parameter 'bogus'/);
  }
  // a relative layer path is resolved against cwd
  const rel = await mount(a, { fstype: 'overlay', target: join(d, 'm'), options: ['lowerdir+=l2', 'lowerdir+=l1'], api: 'new', cwd: d });
  assert.equal(rel, { ok: true });
  await setRoot(a, join(d, 'm'));
  assert.is(getText((await a.request('readfile', { path: 'top' })).fields, 'data'), 'from l2');
  assert.equal(await umount(a, join(d, 'm')), { ok: true });
});

agentTest('500 lower layers mount and a 501st is refused with the kernel\'s "too many lower directories"', async () => {
  const a = await agent();
  const d = freshDir('many');
  const layers = Array.from({ length: 501 }, (_, i) => join(d, 'layers', String(i)));
  const mk = await a.pipeline([...layers, join(d, 'u'), join(d, 'w'), join(d, 'm')].map((p) => ({ op: 'mkdirp', args: { path: p } })));
  assert.ok(mk.every((r) => r.kind === 'ok'));
  writeFileSync(join(layers[499]!, 'f499'), '499');
  const opts = (n: number) => [...layers.slice(0, n).map((l) => `lowerdir+=${l}`), `upperdir=${d}/u`, `workdir=${d}/w`];
  const r500 = await mount(a, { fstype: 'overlay', target: join(d, 'm'), options: opts(500), api: 'new' });
  assert.equal(r500, { ok: true });
  await setRoot(a, join(d, 'm'));
  assert.is(getText((await a.request('readfile', { path: 'f499' })).fields, 'data'), '499');
  assert.equal(await umount(a, join(d, 'm')), { ok: true });
  const r501 = await mount(a, { fstype: 'overlay', target: join(d, 'm'), options: opts(501), api: 'new' });
  assert.is(r501.ok, false);
  if (!r501.ok) assert.match(r501.message ?? '', /too many lower directories/);
  await rmtree(a, d);
  assert.not.ok(existsSync(d));
}, 'overlay');

agentTest('the legacy mount refuses an option string over 4095 bytes with E2BIG instead of letting the kernel cut it', async () => {
  const a = await agent();
  const d = freshDir('legacy');
  const lowers = Array.from({ length: 200 }, (_, i) => join(d, 'layer-with-a-long-name-' + String(i).padStart(4, '0')));
  await a.pipeline([...lowers, join(d, 'u'), join(d, 'w'), join(d, 'm')].map((p) => ({ op: 'mkdirp', args: { path: p } })));
  const opts = [`lowerdir=${lowers.join(':')}`, `upperdir=${d}/u`, `workdir=${d}/w`];
  assert.ok(opts.join(',').length > 4095);
  const r = await mount(a, { fstype: 'overlay', target: join(d, 'm'), options: opts, api: 'legacy' });
  assert.is(r.ok, false);
  if (!r.ok) {
    assert.is(r.errno, 'E2BIG');
    assert.match(r.message ?? '', /4095/);
  }
  assert.not.ok(readFileSync(`/proc/${a.pid}/mountinfo`, 'utf8').includes(join(d, 'm')));
  // a short legacy string works
  const ok = await mount(a, { fstype: 'overlay', target: join(d, 'm'), options: [`lowerdir=${lowers[0]}`, `upperdir=${d}/u`, `workdir=${d}/w`], api: 'legacy' });
  assert.equal(ok, { ok: true });
  assert.equal(await umount(a, join(d, 'm')), { ok: true });
}, 'overlay');

agentTest('rmtree removes symlinks without following them and leaves a mount inside in place with EBUSY', async () => {
  const a = await agent();
  const d = freshDir('rm');
  writeFileSync(join(outside, 'precious'), 'keep me');
  mkdirSync(join(d, 'sub', 'deeper'), { recursive: true });
  writeFileSync(join(d, 'sub', 'deeper', 'f'), 'x');
  execFileSync('ln', ['-s', outside, join(d, 'sub', 'to-outside')]);
  execFileSync('ln', ['-s', join(outside, 'precious'), join(d, 'file-link')]);
  mkdirSync(join(d, 'mnt'));
  await tmpfs(a, join(d, 'mnt'));
  await setRoot(a, join(d, 'mnt'));
  await a.request('writefile', { path: 'on-tmpfs', data: 'y' });
  await a.request('closeall');
  try {
    await rmtree(a, d);
    assert.unreachable('rmtree crossed into a mount');
  } catch (e) {
    assert.instance(e, AgentOpError);
    assert.is((e as AgentOpError).errno, 'EBUSY');
    assert.match(String(e), /mnt/);
  }
  assert.is(readFileSync(join(outside, 'precious'), 'utf8'), 'keep me');
  assert.not.ok(existsSync(join(d, 'sub')), 'everything else went');
  await setRoot(a, join(d, 'mnt'));
  assert.is((await a.request('stat', { path: 'on-tmpfs' })).kind, 'ok', 'the mount content is intact');
  assert.equal(await umount(a, join(d, 'mnt')), { ok: true });
  await rmtree(a, d);
  assert.not.ok(existsSync(d));
  await rmtree(a, d); // already gone: fine, like rm -rf
  assert.is(readFileSync(join(outside, 'precious'), 'utf8'), 'keep me');
});

agentTest('reap detaches the listed mounts and deletes the directories in a child process; reapwait waits for it', async () => {
  const a = await agent();
  const d = freshDir('reap');
  writeFileSync(join(outside, 'precious'), 'keep me');
  mkdirSync(join(d, 's1', 'deeper'), { recursive: true });
  writeFileSync(join(d, 's1', 'deeper', 'f'), 'x');
  execFileSync('ln', ['-s', outside, join(d, 's1', 'to-outside')]);
  mkdirSync(join(d, 's1', 'mnt'));
  mkdirSync(join(d, 'other'));
  await tmpfs(a, join(d, 's1', 'mnt'));
  await setRoot(a, join(d, 's1', 'mnt'));
  await a.request('writefile', { path: 'on-tmpfs', data: 'y' });
  await a.request('closeall');
  const r = await a.request('reap', { umount: [join(d, 's1', 'mnt')], rmtree: [join(d, 'other'), join(d, 's1')] });
  assert.is(r.kind, 'ok');
  assert.is(getText(r.fields, 'queued'), '1');
  assert.is((await a.request('reapwait')).kind, 'ok');
  assert.not.ok(existsSync(join(d, 's1')), 'the directory went, its unmounted mount point too');
  assert.not.ok(existsSync(join(d, 'other')));
  assert.not.ok(readFileSync(`/proc/${a.pid}/mountinfo`, 'utf8').includes(join(d, 's1')), 'the mount is gone from the agent namespace');
  assert.is(readFileSync(join(outside, 'precious'), 'utf8'), 'keep me', 'the symlink was not followed');
  // the reaper is one child of the agent, kept for later jobs, and holds no fd of the agent's
  const kids = readFileSync(`/proc/${a.pid}/task/${a.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  assert.is(kids.length, 1);
  assert.equal(readdirSync(`/proc/${kids[0]}/fd`).map(Number).sort((x, y) => x - y), [0, 1, 2]);
});

agentTest('a job that fails in the reaper is told by the next reapwait only, once', async () => {
  const a = await agent();
  const d = freshDir('reapfail');
  mkdirSync(join(d, 's1', 'mnt'), { recursive: true });
  await tmpfs(a, join(d, 's1', 'mnt'));
  // the mount is not listed: the rmtree stops at it
  assert.is((await a.request('reap', { rmtree: [join(d, 's1')] })).kind, 'ok');
  const w = await a.request('reapwait');
  assert.is(w.kind, 'err');
  assert.is(w.errno, 'EBUSY');
  assert.match(getText(w.fields, 'msg') ?? '', /mnt.*mount point/);
  assert.is((await a.request('reapwait')).kind, 'ok', 'the failure was told once');
  assert.ok(existsSync(join(d, 's1', 'mnt')));
  assert.is((await a.request('reap', { umount: [join(d, 's1', 'mnt')], rmtree: [join(d, 's1')] })).kind, 'ok');
  assert.is((await a.request('reapwait')).kind, 'ok');
  assert.not.ok(existsSync(join(d, 's1')));
});

agentTest('reap refuses a path outside the sandbox and queues nothing; exit waits for what was queued', async () => {
  const a = await agent();
  const d = freshDir('reapexit');
  mkdirSync(join(outside, 'keep'), { recursive: true });
  const bad = await a.request('reap', { rmtree: [join(d, 'x'), join(outside, 'keep')] });
  assert.is(bad.kind, 'escape');
  assert.ok(existsSync(join(outside, 'keep')));
  assert.is((await a.request('reapwait')).kind, 'ok');
  for (let i = 0; i < 6; i++) {
    mkdirSync(join(d, `s${i}`, 'a', 'b'), { recursive: true });
    for (let k = 0; k < 50; k++) writeFileSync(join(d, `s${i}`, 'a', `f${k}`), 'x');
  }
  for (let i = 0; i < 6; i++) assert.is((await a.request('reap', { rmtree: [join(d, `s${i}`)] })).kind, 'ok');
  await a.close();
  assert.equal(readdirSync(d), [], 'every queued directory was deleted before the agent exited');
});

agentTest('trees lists several directories in one round trip and hands back the reply of a missing one', async () => {
  const a = await agent();
  const dir = freshDir('trees');
  mkdirSync(join(dir, 'x', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'x', 'sub', 'f'), 'data');
  mkdirSync(join(dir, 'y'));
  const [x, y, none] = await trees(a, [{ path: join(dir, 'x'), maxData: 16 }, { path: join(dir, 'y') }, { path: join(dir, 'none') }]);
  assert.ok(Array.isArray(x) && Array.isArray(y));
  const f = (x as { path: string; data?: Uint8Array }[]).find((i) => i.path === 'sub/f');
  assert.is(Buffer.from(f?.data ?? []).toString(), 'data');
  assert.equal((y as { path: string }[]).map((i) => i.path).filter((p) => p !== ''), []);
  assert.not.ok(Array.isArray(none));
  assert.ok(!Array.isArray(none) && treeMissing(none), 'a missing top directory is told apart from an entry that vanished');
  assert.equal((await tree(a, join(dir, 'x'), 16)).map((i) => i.path), (x as { path: string }[]).map((i) => i.path), 'the same listing as tree()');
});

agentTest('tree lists thousands of entries with data, symlink targets and binary xattr values', async () => {
  const a = await agent();
  const d = freshDir('tree');
  await setRoot(a, d);
  const all = new Uint8Array(256).map((_, i) => i);
  const reqs = [];
  for (let i = 0; i < 30; i++) {
    reqs.push({ op: 'mkdir', args: { path: `dir${i}` } });
    for (let j = 0; j < 100; j++) reqs.push({ op: 'writefile', args: { path: `dir${i}/file${j}`, data: `${i}.${j}` } });
  }
  reqs.push({ op: 'writefile', args: { path: 'big', data: new Uint8Array(70000).fill(65) } });
  reqs.push({ op: 'writefile', args: { path: 'bin', data: all } });
  reqs.push({ op: 'setxattr', args: { path: 'bin', name: 'user.all', value: all } });
  reqs.push({ op: 'setxattr', args: { path: 'dir0', name: 'trusted.overlay.opaque', value: 'y' } });
  reqs.push({ op: 'symlink', args: { target: '../some where', path: 'link' } });
  reqs.push({ op: 'mkfifo', args: { path: 'fifo' } });
  const rs = await a.pipeline(reqs);
  assert.ok(rs.every((r) => r.kind === 'ok'), JSON.stringify(rs.find((r) => r.kind !== 'ok')));
  const items = await tree(a, d, 65536);
  assert.is(items.length, 30 + 3000 + 4);
  const byPath = new Map(items.map((i) => [i.path, i]));
  assert.is(new TextDecoder().decode(byPath.get('dir7/file42')!.data), '7.42');
  assert.equal(Array.from(byPath.get('bin')!.data!), Array.from(all));
  assert.equal(byPath.get('bin')!.xattrs.map(([n, v]) => [n, Array.from(v)]), [['user.all', Array.from(all)]]);
  assert.equal(byPath.get('dir0')!.xattrs.map(([n, v]) => [n, new TextDecoder().decode(v)]), [['trusted.overlay.opaque', 'y']]);
  assert.is(byPath.get('big')!.data, undefined, 'larger than maxData: no data');
  assert.is(byPath.get('big')!.size, 70000);
  assert.is(byPath.get('link')!.target, '../some where');
  assert.is(byPath.get('fifo')!.type, 'fifo');
  assert.is(byPath.get('dir3')!.type, 'dir');
  assert.is(byPath.get('dir3')!.mode, 0o755);
  // pre-order: a directory comes before its children
  assert.ok(items.findIndex((i) => i.path === 'dir5') < items.findIndex((i) => i.path === 'dir5/file0'));
});

// ---- failure handling ----------------------------------------------------------------------------

agentTest('a hung open of a FIFO without a writer times out, and the agent can be killed afterwards', async () => {
  const a = await agent();
  const d = freshDir('hang');
  await setRoot(a, d);
  assert.is((await a.request('mkfifo', { path: 'p' })).kind, 'ok');
  const t0 = Date.now();
  try {
    await a.request('open', { path: 'p', flags: 'O_RDONLY' }, { timeoutMs: 300 });
    assert.unreachable('open of a FIFO returned');
  } catch (e) {
    assert.instance(e, AgentTimeout);
    assert.is((e as AgentTimeout).op, 'open');
  }
  assert.ok(Date.now() - t0 < scaled(3000), 'the 300 ms timeout ended the wait (the open itself never returns)');
  // the pipe is not trusted any more
  try {
    await a.request('ping');
    assert.unreachable('a request after a timeout was accepted');
  } catch (e) {
    assert.match(String(e), /unusable after a timeout/);
  }
  const pid = a.pid;
  await a.kill();
  assert.is(a.alive, false);
  assert.not.ok(pidAlive(pid));
});

agentTest('pending requests reject with AgentDied carrying the signal when the agent is killed from outside', async () => {
  const a = await agent();
  const d = freshDir('died');
  await setRoot(a, d);
  await a.request('mkfifo', { path: 'p' });
  const pending = a.request('open', { path: 'p', flags: 'O_RDONLY' }, { timeoutMs: 20_000 });
  const queued = a.request('ping');
  // the agent is inside open(2) of the FIFO (openat is syscall 257 on x86-64, 56 on arm64)
  assert.ok(await until(() => blockedIn(a.pid) === (process.arch === 'arm64' ? 56 : 257), 5000), 'the agent blocks in the open');
  process.kill(a.pid, 'SIGKILL');
  for (const p of [pending, queued]) {
    try {
      await p;
      assert.unreachable('resolved after the agent died');
    } catch (e) {
      assert.instance(e, AgentDied);
      assert.is((e as AgentDied).signal, 'SIGKILL');
    }
  }
  try {
    await a.request('ping');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, AgentDied);
  }
});

agentTest('spawned processes run in their own process group, are reaped by waitpid, and die with the agent', async () => {
  const a = await agent();
  const d = freshDir('spawn');
  const log = join(d, 'log');
  const quick = await spawn(a, ['sh', '-c', 'echo hello from child; exit 3'], { log });
  const w = await waitpid(a, quick);
  assert.equal(w, { exited: true, status: 3, signal: 0 });
  assert.is(readFileSync(log, 'utf8'), 'hello from child\n');
  try {
    await spawn(a, ['/nonexistent/binary']);
    assert.unreachable();
  } catch (e) {
    assert.is((e as AgentOpError).errno, 'ENOENT');
  }
  const sleeper = await spawn(a, ['sleep', '1000']);
  const stat = readFileSync(`/proc/${sleeper}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  assert.is(Number(fields[2]), sleeper, 'process group id is its own pid');
  assert.is(Number(fields[1]), a.pid, 'child of the agent');
  assert.ok(a.children.has(sleeper));
  // killing the agent by signal (not through the client) still takes the child: PR_SET_PDEATHSIG
  process.kill(a.pid, 'SIGKILL');
  await a.exited;
  assert.ok(await until(() => !pidAlive(sleeper), 2000), 'the child died with the agent');
});

agentTest('waitmount finds a mount and otherwise times out with ETIMEDOUT', async () => {
  const a = await agent();
  const d = freshDir('wm');
  await tmpfs(a, d);
  assert.equal(await waitmount(a, d, { timeoutMs: scaled(1000), fstype: 'tmpfs' }), { ok: true });
  const other = freshDir('wm-none');
  const t0 = Date.now();
  const r = await waitmount(a, other, { timeoutMs: 150 });
  assert.is(r.ok, false);
  if (!r.ok) assert.is(r.errno, 'ETIMEDOUT');
  assert.ok(Date.now() - t0 >= 140);
  // a process that exits before mounting ends the wait early with ECHILD
  const pid = await spawn(a, ['true']);
  const r2 = await waitmount(a, other, { timeoutMs: scaled(5000), pid });
  assert.is(r2.ok, false);
  if (!r2.ok) assert.is(r2.errno, 'ECHILD');
  assert.not.ok(a.children.has(pid));
  assert.equal(await umount(a, d), { ok: true });
});

agentTest('fuse-overlayfs started through spawn mounts in the agent namespace and dies with the agent', async () => {
  const a = await agent();
  const d = freshDir('fo');
  for (const s of ['l', 'u', 'w', 'm']) mkdirSync(join(d, s));
  writeFileSync(join(d, 'l', 'f'), 'lower');
  const pid = await spawn(a, ['fuse-overlayfs', '-f', '-o', `lowerdir=${d}/l,upperdir=${d}/u,workdir=${d}/w`, join(d, 'm')], { log: join(d, 'fo.log') });
  const r = await waitmount(a, join(d, 'm'), { timeoutMs: scaled(5000), fstype: 'fuse', pid });
  assert.equal(r, { ok: true }, readFileSync(join(d, 'fo.log'), 'utf8'));
  await setRoot(a, join(d, 'm'));
  assert.is(getText((await a.request('readfile', { path: 'f' })).fields, 'data'), 'lower');
  assert.not.ok(readFileSync('/proc/mounts', 'utf8').includes(join(d, 'm')), 'not visible outside the namespace');
  await a.kill();
  assert.ok(await until(() => !pidAlive(pid), 2000), 'fuse-overlayfs died with the agent');
  assert.not.ok(readFileSync('/proc/mounts', 'utf8').includes(join(d, 'm')));
}, 'fuse', 'fuseOverlayfs');

agentTest('an agent in a user namespace is root inside and mounts an overlay with userxattr', async () => {
  const uid = 65534;
  const ns = join(base, 'userns-sandbox');
  mkdirSync(ns, { mode: 0o755 });
  chownSync(ns, uid, uid);
  const a = await agent({ userns: { uid, gid: uid }, sandbox: ns });
  assert.is(a.info.ns, 'userns');
  assert.is(a.info.euid, 0);
  const d = join(ns, 'ovl');
  for (const s of ['l', 'u', 'w', 'm']) await mkdirp(a, join(d, s));
  await setRoot(a, join(d, 'l'));
  await a.request('writefile', { path: 'f', data: 'lower' });
  await a.request('mkdir', { path: 'dir' });
  await a.request('writefile', { path: 'dir/g', data: 'g' });
  const r = await mount(a, { fstype: 'overlay', target: join(d, 'm'), options: [`lowerdir+=${d}/l`, `upperdir=${d}/u`, `workdir=${d}/w`, 'userxattr'], api: 'new' });
  assert.equal(r, { ok: true });
  await setRoot(a, join(d, 'm'));
  const st = await a.request('stat', { path: 'f' });
  assert.is(getText(st.fields, 'uid'), '0', 'owner shows as root inside');
  // rmdir-with-whiteouts and mkdir over a whiteout need the opaque xattr: userxattr makes them work
  assert.is((await a.request('unlink', { path: 'dir/g' })).kind, 'ok');
  assert.is((await a.request('rmdir', { path: 'dir' })).kind, 'ok');
  assert.is((await a.request('mkdir', { path: 'dir' })).kind, 'ok');
  const items = await tree(a, join(d, 'u'));
  const dir = items.find((i) => i.path === 'dir');
  assert.ok(dir?.xattrs.some(([n]) => n === 'user.overlay.opaque'), JSON.stringify(items));
  assert.equal(await umount(a, join(d, 'm')), { ok: true });
  // outside, the files belong to the unprivileged uid
  assert.is(execFileSync('stat', ['-c', '%u', join(d, 'l', 'f')]).toString().trim(), String(uid));
  // the agent cannot act as another uid: only one uid is mapped
  const other = await a.request('stat', { path: '.', as_uid: 1000, as_gid: 1000 });
  assert.is(other.kind, 'fatal');
  await a.close();
}, 'overlay');

// ---- robustness: deep trees, long lines, huge timeouts, hostile ids ------------------------------

/** a chain of `levels` directories named d below dir, made with relative mkdir/chdir (paths may exceed PATH_MAX) */
function deepChain(dir: string, levels: number): void {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    for (let i = 0; i < levels; i++) {
      mkdirSync('d');
      process.chdir('d');
    }
    writeFileSync('f', 'x\n');
  } finally {
    process.chdir(cwd);
  }
}

/** remove what is left of a deep chain bottom-up with relative paths (Node's rmSync needs whole paths) */
function removeChain(dir: string): void {
  const cwd = process.cwd();
  process.chdir(dir);
  let depth = 0;
  try {
    while (existsSync('d')) {
      process.chdir('d');
      depth++;
    }
    rmSync('f', { force: true });
    for (; depth > 0; depth--) {
      process.chdir('..');
      rmSync('d', { recursive: true, force: true });
    }
  } finally {
    process.chdir(cwd);
  }
}

agentTest('a 1,200-level tree is listed and removed by the iterative walks and the agent stays up', async () => {
  const a = await agent();
  const d = freshDir('deep1200');
  deepChain(d, 1200);
  try {
    const items = await tree(a, d, 16, 60_000);
    assert.is(items.length, 1201, 'every directory and the file at the bottom');
    assert.is(items[1199]!.path, Array(1200).fill('d').join('/'));
    assert.is(items[1200]!.path.split('/').length, 1201);
    await rmtree(a, d, 60_000);
    assert.not.ok(existsSync(d));
    assert.is((await a.request('ping')).kind, 'ok');
  } finally {
    if (existsSync(d)) removeChain(d);
  }
});

agentTest('a tree deeper than PATH_MAX is listed and removed, and a too-deep one ends in a clean ENAMETOOLONG', async () => {
  const a = await agent();
  const d = freshDir('deepmax');
  const e = freshDir('deeper');
  try {
    deepChain(d, 3000); // relative paths of ~6,000 bytes: beyond PATH_MAX (4,096)
    const items = await tree(a, d, 0, 60_000);
    assert.is(items.length, 3001);
    assert.ok(items[3000]!.path.length > 4096);
    await rmtree(a, d, 60_000);
    assert.not.ok(existsSync(d));
    // beyond the agent's 16 KiB path buffer: an error naming the place, no crash
    deepChain(e, 8500);
    const r = await a.request('tree', { path: e }, { timeoutMs: 60_000 });
    assert.is(r.kind, 'err');
    assert.is(r.errno, 'ENAMETOOLONG');
    assert.is((await a.request('ping')).kind, 'ok');
    const rm = await a.request('rmtree', { path: e }, { timeoutMs: 60_000 });
    assert.is(rm.errno, 'ENAMETOOLONG', 'what cannot be named stays, the rest is removed');
  } finally {
    if (existsSync(d)) removeChain(d);
    removeChain(e);
  }
  assert.not.ok(existsSync(join(e, 'd')));
});

/** start the agent binary directly, write raw bytes, and collect its reply lines */
async function rawExchange(input: Buffer | Buffer[], replies: number, deadlineMs: number): Promise<string[]> {
  const { spawn: spawnChild } = await import('node:child_process');
  const c = spawnChild(avail.ok ? avail.path : 'false', ['--sandbox', sandbox], { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = Buffer.alloc(0);
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${replies} replies within ${deadlineMs} ms: ${out.toString('latin1').slice(0, 300)}`)), deadlineMs);
      c.stdout.on('data', (b: Buffer) => {
        out = Buffer.concat([out, b]);
        const lines = out.toString('latin1').split('\n');
        if (lines.length > replies + 1) { // the ready line, then the replies
          clearTimeout(timer);
          resolve(lines.slice(1, replies + 1));
        }
      });
      c.stdin.on('error', () => undefined);
      for (const b of Array.isArray(input) ? input : [input]) c.stdin.write(b);
    });
  } finally {
    c.kill('SIGKILL');
  }
}

agentTest('a 256 MiB request line is answered within a minute (reading it was quadratic: over 120 s)', async () => {
  const lines = await rawExchange([Buffer.from('7 ping pad='), Buffer.alloc(256 << 20, 0x61), Buffer.from('\n8 ping\n')], 2, 60_000);
  // the whole line was read: its reply is the refusal of `pad`, an argument ping does not take
  assert.match(lines[0]!, /^7 fatal msg=ping%20does%20not%20take%20argument%20pad%20/);
  assert.match(lines[1]!, /^8 ok pid=\d+ /);
});

agentTest('request ids with control bytes are never echoed: the reply carries id 0 and printable bytes only', async () => {
  const input = Buffer.from('\x1b[2J1 ping\n1\x07 ping\n12\r ping\n5\x1b]0;t\x07 nope\n1234567890123456789 ping\n9 ping\n', 'latin1');
  const lines = await rawExchange(input, 6, 10_000);
  for (const l of lines.slice(0, 5)) {
    assert.match(l, /^0 fatal msg=/);
    assert.not.match(l, /[\x00-\x1f\x7f]/, 'no control byte in the reply');
  }
  assert.match(lines[5]!, /^9 ok pid=\d+ /, 'the agent stays usable');
});

agentTest('waitmount with timeout=INT64_MAX waits (no overflow into "already timed out") and a negative timeout is refused', async () => {
  const a = await agent();
  const d = freshDir('waitmax');
  const pid = await spawn(a, ['sh', '-c', 'read x < /dev/null; sleep 0.3']);
  const r = await a.request('waitmount', { target: d, timeout: 9223372036854775807n, pid }, { timeoutMs: 20_000 });
  assert.is(r.kind, 'err');
  assert.is(r.errno, 'ECHILD', `waited until the process exited: ${getText(r.fields, 'msg')}`);
  const neg = await a.request('waitmount', { target: d, timeout: -1 });
  assert.is(neg.kind, 'fatal');
});

// ---- the cache drop: what it reaches, and that it reaches past FUSE's caches --------------------------

agentTest('dropcaches as root reaches fsync, syncfs, fadvise and drop_caches, also for an op run as another uid', async () => {
  const a = await agent();
  const d = freshDir('drop');
  writeFileSync(join(d, 'f'), 'x');
  chmodSync(join(d, 'f'), 0o644);
  await setRoot(a, d);
  for (const who of [{}, { as_uid: 65534, as_gid: 65534 }]) {
    const r = await a.request('dropcaches', { path: 'f', ...who });
    assert.is(r.kind, 'ok');
    assert.is(getText(r.fields, 'reached'), 'fsync,syncfs,fadvise,drop_caches');
    assert.is(getText(r.fields, 'missed'), undefined);
  }
  const st = await a.request('stat', { path: '.', as_uid: 65534, as_gid: 65534 });
  assert.is(st.kind, 'ok', 'the identity came back after the privileged write');
});

agentTest('in a user namespace the drop says drop_caches was out of reach (EACCES) and did the rest', async () => {
  const uid = 65534;
  const ns = join(base, 'userns-drop');
  mkdirSync(ns, { mode: 0o755 });
  chownSync(ns, uid, uid);
  const a = await agent({ userns: { uid, gid: uid }, sandbox: ns });
  await setRoot(a, ns);
  await a.request('writefile', { path: 'f', data: 'x' });
  const fd = getText((await a.request('open', { path: 'f', flags: 'O_RDONLY' })).fields, 'fd');
  const r = await a.request('pread', { fd: Number(fd), offset: 0, length: 1, dropcaches: true });
  assert.is(getText(r.fields, 'data'), 'x');
  assert.is(getText(r.fields, 'reached'), 'fsync,syncfs,fadvise');
  assert.is(getText(r.fields, 'missed'), 'drop_caches:EACCES');
});

agentTest('the agent says whether its drops reach the machine: root, and a user namespace whose root is uid 0 outside, do (the drop lands in /proc/vmstat); one mapped to 65534 does not', async () => {
  const { machineDrop } = await import('../../../adapters/host/capabilities.js');
  const drops = () => Number(/^drop_slab (\d+)$/m.exec(readFileSync('/proc/vmstat', 'utf8'))![1]);
  const cases: [string, { userns?: { uid: number; gid: number } }, boolean][] = [['root', {}, true], ['userns 0', { userns: { uid: 0, gid: 0 } }, true], ['userns 65534', { userns: { uid: 65534, gid: 65534 } }, false]];
  for (const [name, opts, reaches] of cases) {
    const dir = join(base, `drop-reach-${name.replace(' ', '-')}`);
    mkdirSync(dir, { mode: 0o755 });
    if (opts.userns) chownSync(dir, opts.userns.uid, opts.userns.gid);
    const a = await agent({ ...opts, sandbox: dir });
    assert.is(a.info.dropCaches, reaches, name);
    assert.is(machineDrop(a.info), reaches, name);
    // and it is so: the agent's drop moves the machine's count where it says it reaches it, and is refused where not
    await setRoot(a, dir);
    await a.request('writefile', { path: 'f', data: 'x' });
    const before = drops();
    const r = await a.request('dropcaches', { path: 'f' });
    assert.is(r.kind, 'ok', name);
    // (a count that did not move is not asked: another test may drop the caches meanwhile; the agent's reply says)
    if (reaches) assert.ok(drops() > before, `${name}: drop_slab ${before} → ${drops()}`);
    else assert.is(getText(r.fields, 'missed'), 'drop_caches:EACCES', name);
    await a.kill();
  }
});

agentTest('after a real cache drop a fuse-overlayfs fd opened O_RDONLY before copy-up reads the old lower data (fadvise alone showed the new)', async () => {
  const a = await agent();
  const d = freshDir('fo-drop');
  for (const s of ['l', 'u', 'w', 'm']) mkdirSync(join(d, s));
  writeFileSync(join(d, 'l', 'f'), 'old');
  const pid = await spawn(a, ['fuse-overlayfs', '-f', '-o', `lowerdir=${d}/l,upperdir=${d}/u,workdir=${d}/w`, join(d, 'm')], { log: join(d, 'fo.log') });
  assert.equal(await waitmount(a, join(d, 'm'), { timeoutMs: scaled(5000), fstype: 'fuse', pid }), { ok: true });
  await setRoot(a, join(d, 'm'));
  const r = Number(getText((await a.request('open', { path: 'f', flags: 'O_RDONLY' })).fields, 'fd'));
  const w = Number(getText((await a.request('open', { path: 'f', flags: 'O_RDWR' })).fields, 'fd'));
  assert.is(getText((await a.request('pwrite', { fd: w, data: 'new', offset: 0 })).fields, 'count'), '3');
  const p = await a.request('pread', { fd: r, offset: 0, length: 3, dropcaches: true });
  assert.is(getText(p.fields, 'reached'), 'fsync,syncfs,fadvise,drop_caches');
  assert.is(getText(p.fields, 'data'), 'old', 'the implementation kept the reader on the lower file');
  assert.is(readFileSync(join(d, 'u', 'f'), 'utf8'), 'new', 'the upper layer holds the write');
  await a.kill();
}, 'fuse', 'fuseOverlayfs');

agentTest('after the same drop the kernel overlay\'s read-only fd reads the new data', async () => {
  const a = await agent();
  const d = freshDir('ovl-drop');
  for (const s of ['l', 'u', 'w', 'm']) mkdirSync(join(d, s));
  writeFileSync(join(d, 'l', 'f'), 'old');
  assert.equal(await mount(a, { fstype: 'overlay', target: join(d, 'm'), options: [`lowerdir+=${d}/l`, `upperdir=${d}/u`, `workdir=${d}/w`], api: 'new' }), { ok: true });
  await setRoot(a, join(d, 'm'));
  const r = Number(getText((await a.request('open', { path: 'f', flags: 'O_RDONLY' })).fields, 'fd'));
  const w = Number(getText((await a.request('open', { path: 'f', flags: 'O_RDWR' })).fields, 'fd'));
  await a.request('pwrite', { fd: w, data: 'new', offset: 0 });
  const p = await a.request('pread', { fd: r, offset: 0, length: 3, dropcaches: true });
  assert.is(getText(p.fields, 'reached'), 'fsync,syncfs,fadvise,drop_caches');
  assert.is(getText(p.fields, 'data'), 'new');
  await a.kill();
}, 'overlay');

// ---- statx without AT_NO_AUTOMOUNT (gVisor refuses the flag with EINVAL) -----------------------------

agentTest('with AT_NO_AUTOMOUNT refused (forced) tree and rmtree fall back to plain statx and still stop at mounts', async () => {
  const normal = await agent();
  assert.match(getText((await normal.request('ping')).fields, 'statx') ?? '', /^no_automount$/);
  process.env.OVLAGENT_FORCE_STATX_FALLBACK = '1';
  let a: Agent;
  try {
    a = await agent();
  } finally {
    delete process.env.OVLAGENT_FORCE_STATX_FALLBACK;
  }
  assert.is(getText((await a.request('ping')).fields, 'statx'), 'plain');
  const d = freshDir('statx-fallback');
  mkdirSync(join(d, 'sub'));
  writeFileSync(join(d, 'sub', 'f'), 'x');
  mkdirSync(join(d, 'mnt'));
  await tmpfs(a, join(d, 'mnt'));
  const items = await tree(a, d, 8);
  assert.equal(items.map((i) => i.path), ['mnt', 'sub', 'sub/f']);
  assert.ok(items[0]!.mount, 'the tmpfs is reported as another mount, not entered');
  const rm = await a.request('rmtree', { path: d });
  assert.is(rm.errno, 'EBUSY', 'the mount is left in place');
  assert.not.ok(existsSync(join(d, 'sub')));
  assert.ok(existsSync(join(d, 'mnt')));
});

// ---- no host devices, no host secrets, no layer option outside the sandbox ----------------------------

/** run argv through the agent's spawn, wait for it, and return what it wrote */
async function spawnOutput(a: Agent, argv: string[], dir: string): Promise<string> {
  const log = join(dir, `spawn-${++counter}.log`);
  const pid = await spawn(a, argv, { log });
  await waitpid(a, pid);
  return readFileSync(log, 'utf8');
}

agentTest('the agent and what it spawns see only the sandbox and system directories: no /etc/shadow, /home or files beside the sandbox', async () => {
  const a = await agent();
  const d = freshDir('confined');
  writeFileSync(join(outside, 'canary'), 'host secret');
  const shadow = await spawnOutput(a, ['sh', '-c', 'cat /etc/shadow; ls /; cat "$1"; ls "$2"', 'sh', join(outside, 'canary'), base], d);
  assert.not.match(shadow, /root:[^\n]*:\d+:/, 'no shadow entry');
  assert.not.match(shadow, /host secret/);
  assert.match(shadow, /No such file/);
  const root = shadow.split('\n').filter((l) => /^[a-z0-9]+$/.test(l));
  for (const hidden of ['home', 'var', 'opt', 'srv', 'boot']) assert.not.ok(root.includes(hidden), `/${hidden} is not in the agent's root: ${root.join(' ')}`);
  assert.ok(root.includes('usr') && root.includes('proc'), root.join(' '));
  // a symlink inside the sandbox to /etc resolves inside the agent's root
  execFileSync('ln', ['-s', '/etc', join(d, 'etc-link')]);
  const via = await spawnOutput(a, ['cat', join(d, 'etc-link', 'shadow')], d);
  assert.match(via, /No such file/);
  assert.is(readFileSync(join(outside, 'canary'), 'utf8'), 'host secret');
  rmSync(join(outside, 'canary'));
});

agentTest('the sandbox is nodev,nosuid in the agent namespace: a device node can be made but not opened', async () => {
  const a = await agent();
  const d = freshDir('nodev');
  await setRoot(a, d);
  assert.is((await a.request('mknod', { path: 'null', type: 'chr', major: 1, minor: 3, mode: 0o666 })).kind, 'ok');
  const o = await a.request('open', { path: 'null', flags: 'O_RDWR' });
  assert.is(o.kind, 'err');
  assert.is(o.errno, 'EACCES');
  const mi = readFileSync(`/proc/${a.pid}/mountinfo`, 'utf8').split('\n').find((l) => l.split(' ')[4] === sandbox);
  assert.ok(mi, 'the sandbox is a mount of its own in the agent namespace');
  assert.match(mi!, /\bnodev\b/);
  assert.match(mi!, /\bnosuid\b/);
});

agentTest('an overlay on the nodev sandbox still creates 0/0 whiteouts in its upper layer', async () => {
  const a = await agent();
  const d = freshDir('wh');
  for (const s of ['l', 'u', 'w', 'm']) mkdirSync(join(d, s));
  writeFileSync(join(d, 'l', 'f'), 'x');
  assert.equal(await mount(a, { fstype: 'overlay', target: join(d, 'm'), options: [`lowerdir+=${d}/l`, `upperdir=${d}/u`, `workdir=${d}/w`], api: 'new' }), { ok: true });
  await setRoot(a, join(d, 'm'));
  assert.is((await a.request('unlink', { path: 'f' })).kind, 'ok');
  const wh = (await tree(a, join(d, 'u'))).find((i) => i.path === 'f');
  assert.is(wh?.type, 'chr');
  assert.is(wh?.rdev, '0:0');
  await a.request('closeall');
  assert.equal(await umount(a, join(d, 'm')), { ok: true });
}, 'overlay');

agentTest('a layer option naming a directory outside the sandbox is refused in new-API keys, comma-joined legacy strings and spawned argv', async () => {
  const a = await agent();
  const d = freshDir('opts');
  for (const s of ['l', 'u', 'w', 'm']) mkdirSync(join(d, s));
  mkdirSync(join(outside, 'c2'), { recursive: true });
  mkdirSync(join(outside, 'c2w'), { recursive: true });
  writeFileSync(join(outside, 'c2', 'canary.txt'), 'keep me');
  const layers = [`lowerdir=${d}/l`, `upperdir=${d}/u`, `workdir=${d}/w`];
  const bad = `xino=off,upperdir=${outside}/c2,workdir=${outside}/c2w`;
  const tries: [string, Record<string, unknown>][] = [
    ['mount', { fstype: 'overlay', target: join(d, 'm'), opt: [...layers, bad], api: 'legacy' }],
    ['mount', { fstype: 'overlay', target: join(d, 'm'), opt: [`lowerdir+=${d}/l`, `upperdir=${outside}/c2`, `workdir=${outside}/c2w`], api: 'new' }],
    ['mount', { fstype: 'overlay', target: join(d, 'm'), opt: [`lowerdir+=${d}/l`, `upperdir=${d}/u`, `workdir=${d}/w`, bad], api: 'new' }],
    ['mount', { fstype: 'ext4', source: '/dev/loop0', target: join(d, 'm') }],
    ['spawn', { argv: ['fuse-overlayfs', '-f', '-o', `lowerdir=${d}/l,upperdir=${outside}/c2,workdir=${outside}/c2w`, join(d, 'm')] }],
    ['spawn', { argv: ['fuse-overlayfs', '-f', `-olowerdir=${outside}/c2`, join(d, 'm')] }],
    ['spawn', { argv: ['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${d}/l:${outside}/c2,upperdir=${d}/u,workdir=${d}/w`, join(d, 'm')] }],
    ['spawn', { argv: ['sh', '-c', `mount -t overlay overlay -o lowerdir=$1,upperdir=${outside}/c2,workdir=$2 "$3"`, 'sh', `${d}/l`, `${d}/w`, join(d, 'm')] }],
    ['spawn', { argv: ['fuse-overlayfs', '-o', 'lowerdir=l,upperdir=../../outside/c2,workdir=w', 'm'], cwd: d }],
  ];
  const script = await a.request('spawn', { argv: ['sh', '-c', 'echo upperdir=$2,workdir=$3 > /dev/null', 'sh', 'x', 'y', 'z'] });
  assert.is(script.kind, 'ok', 'relative values in a script (upperdir=$2) are not taken for paths');
  for (const [op, args] of tries) {
    const r = await a.request(op, args as never);
    assert.is(r.kind, 'escape', `${op} ${JSON.stringify(args)}: ${r.kind} ${getText(r.fields, 'msg') ?? ''}`);
  }
  assert.is(readFileSync(join(outside, 'c2', 'canary.txt'), 'utf8'), 'keep me');
  assert.equal(readdirSync(join(outside, 'c2w')), []);
  assert.not.ok(readFileSync(`/proc/${a.pid}/mountinfo`, 'utf8').includes(join(d, 'm')), 'nothing was mounted');
  rmSync(join(outside, 'c2'), { recursive: true });
  rmSync(join(outside, 'c2w'), { recursive: true });
});

test.run();
