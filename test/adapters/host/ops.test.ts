// tier: system
// Scenario ops through the agent (runOp): errno mapping, value parsing, the root sandbox, identities.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipReason } from '../../helpers/env.js';
import { agentAvailable, startAgent, type Agent } from '../../../adapters/host/agent.js';
import {
  agentSupports,
  mkdirp,
  mount,
  parseStat,
  relativeToRoot,
  runOp,
  setRoot,
  tmpfs,
  toAgentRequest,
  umount,
} from '../../../adapters/host/ops.js';
import type { Cred, OpResult, OpValue } from '../../../adapters/adapter.js';
import { OPS, OP_NAMES, type OpName } from '../../../language/ops.js';

// ---- helpers -------------------------------------------------------------------------------

const avail = agentAvailable();
const agentSkip = skipReason('root', 'cc') ?? (avail.ok ? undefined : `native agent unavailable: ${avail.reason}`);

function agentTest(title: string, fn: () => Promise<void>, ...more: ('overlay')[]): void {
  const why = agentSkip ?? skipReason(...more);
  if (why) {
    console.log(`  SKIP ${title}: ${why}`);
    test.skip(title, fn);
  } else {
    test(title, fn);
  }
}

const base = mkdtempSync(join(tmpdir(), 'ovlagent-ops-'));
chmodSync(base, 0o755);
const sandbox = join(base, 'sandbox');
const outside = join(base, 'outside');
mkdirSync(sandbox, { mode: 0o755 });
mkdirSync(outside, { mode: 0o755 });
let agent: Agent | undefined;
let counter = 0;

/** the shared agent, with its root on a fresh directory beneath the sandbox */
async function fresh(name: string): Promise<{ a: Agent; root: string }> {
  if (!agent || !agent.alive) agent = await startAgent({ sandbox });
  const root = join(sandbox, `${name}-${++counter}`);
  mkdirSync(root, { mode: 0o755 });
  chmodSync(root, 0o755);
  await agent.request('closeall');
  await setRoot(agent, root);
  return { a: agent, root };
}

function run(a: Agent, op: OpName, args: Record<string, unknown> = {}, user?: Cred): Promise<OpResult> {
  return runOp(a, { op, args, user }, 5000);
}

/** the value of a successful op (fails the test otherwise) */
async function ok(a: Agent, op: OpName, args: Record<string, unknown> = {}, user?: Cred): Promise<OpValue | undefined> {
  const r = await run(a, op, args, user);
  if (!r.ok) assert.unreachable(`${op} ${JSON.stringify(args)} failed: ${JSON.stringify(r)}`);
  return r.ok ? r.value : undefined;
}

async function errno(a: Agent, op: OpName, args: Record<string, unknown> = {}, user?: Cred): Promise<string> {
  const r = await run(a, op, args, user);
  if (r.ok || !('errno' in r)) assert.unreachable(`${op} ${JSON.stringify(args)}: expected an errno, got ${JSON.stringify(r)}`);
  return !r.ok && 'errno' in r ? r.errno : '';
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const ALL = new Uint8Array(256).map((_, i) => i);

test.after(async () => {
  if (agent) await agent.kill();
  rmSync(base, { recursive: true, force: true });
});

// ---- mapping (no root needed) ------------------------------------------------------------------

test('every scenario op except the lifecycle and mount-level ones maps to an agent request', () => {
  for (const op of OP_NAMES) {
    const spec = OPS[op] as { lifecycle?: boolean; mountLevel?: boolean };
    assert.is(agentSupports(op), !spec.lifecycle && !spec.mountLevel, op);
  }
  assert.throws(() => toAgentRequest({ op: 'remount', args: {} }), /lifecycle/);
  const rq = toAgentRequest({ op: 'open', args: { path: 'a', flags: ['O_RDWR', 'O_CREAT'], mode: 0o600 }, user: { uid: 1000, gid: 100, groups: [5, 6] } });
  assert.equal(rq, { op: 'open', args: { path: 'a', flags: 'O_RDWR,O_CREAT', mode: 384, as_uid: 1000, as_gid: 100, as_groups: '5,6' } });
  assert.is(toAgentRequest({ op: 'open', args: { path: 'a', flags: 'O_RDWR|O_CREAT' } }).args.flags, 'O_RDWR,O_CREAT');
  assert.is(toAgentRequest({ op: 'open', args: { path: 'a', flags: [] } }).args.flags, 'O_RDONLY');
});

test('a stat reply keeps a u64 inode number above 2^53 exact as a decimal string', () => {
  const big = '18446744073709551615';
  const f = (k: string, v: string): [string, Uint8Array] => [k, enc(v)];
  const st = parseStat([
    f('type', 'file'), f('mode', '420'), f('ino', big), f('dev', '0:40'), f('nlink', '1'), f('uid', '0'), f('gid', '0'),
    f('size', '3'), f('blocks', '8'), f('rdev', '0:0'), f('atime', '1.000000001'), f('mtime', '2.5'), f('ctime', '3.0'),
  ]);
  assert.is(st.ino, big);
  assert.is(BigInt(st.ino), 2n ** 64n - 1n);
  assert.is(st.mode, 0o644);
  assert.is(st.btime, undefined);
});

test('fdpath results are made relative to the root', () => {
  assert.is(relativeToRoot('/s/r', '/s/r'), '.');
  assert.is(relativeToRoot('/s/r/a/b', '/s/r'), 'a/b');
  assert.is(relativeToRoot('/s/r/#123 (deleted)', '/s/r'), '#123 (deleted)');
  assert.is(relativeToRoot('/s/rx/a', '/s/r'), '/s/rx/a');
});

// ---- errno mapping ----------------------------------------------------------------------------------

agentTest('errno names come back for ENOENT, EEXIST, ENOTDIR, EISDIR and ENOTEMPTY', async () => {
  const { a } = await fresh('errno');
  assert.is(await errno(a, 'stat', { path: 'missing' }), 'ENOENT');
  await ok(a, 'mkdir', { path: 'd', mode: 0o755 });
  assert.is(await errno(a, 'mkdir', { path: 'd' }), 'EEXIST');
  await ok(a, 'writefile', { path: 'f', data: enc('x') });
  assert.is(await errno(a, 'mkdir', { path: 'f/sub' }), 'ENOTDIR');
  assert.is(await errno(a, 'open', { path: 'd', flags: ['O_WRONLY'] }), 'EISDIR');
  await ok(a, 'writefile', { path: 'd/inner', data: enc('') });
  assert.is(await errno(a, 'rmdir', { path: 'd' }), 'ENOTEMPTY');
  assert.is(await errno(a, 'read', { fd: 999 }), 'EBADF');
});

agentTest('a trailing slash on a file is ENOTDIR while a directory accepts it', async () => {
  const { a } = await fresh('slash');
  await ok(a, 'writefile', { path: 'file', data: enc('x') });
  await ok(a, 'mkdir', { path: 'dir' });
  assert.is(await errno(a, 'stat', { path: 'file/' }), 'ENOTDIR');
  assert.is(await errno(a, 'lstat', { path: 'file/' }), 'ENOTDIR');
  const v = await ok(a, 'stat', { path: 'dir/' });
  assert.is(v && 'stat' in v ? v.stat.type : '', 'dir');
  assert.is(await errno(a, 'unlink', { path: 'file/' }), 'ENOTDIR');
});

agentTest('renaming across a mount boundary fails with EXDEV', async () => {
  const { a, root } = await fresh('exdev');
  await ok(a, 'mkdir', { path: 't' });
  await ok(a, 'writefile', { path: 'f', data: enc('x') });
  await tmpfs(a, join(root, 't'));
  await setRoot(a, root);
  assert.is(await errno(a, 'rename', { from: 'f', to: 't/f' }), 'EXDEV');
  assert.is(await errno(a, 'link', { from: 'f', to: 't/f' }), 'EXDEV');
  assert.equal(await umount(a, join(root, 't')), { ok: true });
});

agentTest('an op as another uid gets EACCES on a root-owned 0644 file, and the next op is root again', async () => {
  const { a } = await fresh('uid');
  const user = { uid: 1000, gid: 1000 };
  await ok(a, 'writefile', { path: 'rootfile', data: enc('root'), mode: 0o644 });
  assert.is(await errno(a, 'open', { path: 'rootfile', flags: ['O_WRONLY'] }, user), 'EACCES');
  assert.is(await errno(a, 'access', { path: 'rootfile', mode: ['W_OK'] }, user), 'EACCES');
  await ok(a, 'access', { path: 'rootfile', mode: ['R_OK'] }, user);
  assert.is(await errno(a, 'mkdir', { path: 'nope' }, user), 'EACCES', 'the 0755 root-owned dir refuses uid 1000');
  // a file created as the user belongs to the user
  await ok(a, 'mkdir', { path: 'shared', mode: 0o777 });
  await ok(a, 'writefile', { path: 'shared/mine', data: enc('m'), mode: 0o600 }, user);
  const st = await ok(a, 'stat', { path: 'shared/mine' });
  assert.is(st && 'stat' in st ? `${st.stat.uid}:${st.stat.gid}:${st.stat.mode}` : '', '1000:1000:384');
  // root again: can read the 0600 file of uid 1000 and write the 0644 file
  const data = await ok(a, 'readfile', { path: 'shared/mine' });
  assert.is(data && 'data' in data ? dec(data.data) : '', 'm');
  await ok(a, 'open', { path: 'rootfile', flags: ['O_WRONLY'] });
  // supplementary groups are applied
  await ok(a, 'mkdir', { path: 'grp', mode: 0o770 });
  await ok(a, 'chown', { path: 'grp', uid: 0, gid: 4242 });
  assert.is(await errno(a, 'stat', { path: 'grp/x' }, user), 'EACCES');
  assert.is(await errno(a, 'stat', { path: 'grp/x' }, { ...user, groups: [4242] }), 'ENOENT');
});

// ---- values -------------------------------------------------------------------------------------------

agentTest('file data and xattr values carry all 256 byte values unchanged', async () => {
  const { a } = await fresh('binary');
  await ok(a, 'writefile', { path: 'f', data: ALL });
  const back = await ok(a, 'readfile', { path: 'f' });
  assert.equal(Array.from(back && 'data' in back ? back.data : []), Array.from(ALL));
  const fdv = await ok(a, 'open', { path: 'g', flags: ['O_RDWR', 'O_CREAT'], mode: 0o600 });
  const fd = fdv && 'fd' in fdv ? fdv.fd : -1;
  const cnt = await ok(a, 'pwrite', { fd, data: ALL, offset: 10 });
  assert.equal(cnt, { count: 256 });
  const pr = await ok(a, 'pread', { fd, offset: 10, length: 1000 });
  assert.equal(Array.from(pr && 'data' in pr ? pr.data : []), Array.from(ALL));
  const head = await ok(a, 'pread', { fd, offset: 0, length: 10 });
  assert.equal(Array.from(head && 'data' in head ? head.data : []), new Array(10).fill(0), 'the hole reads as zeros');
  await ok(a, 'setxattr', { path: 'f', name: 'user.bin', value: ALL });
  const xv = await ok(a, 'getxattr', { path: 'f', name: 'user.bin' });
  assert.equal(Array.from(xv && 'value' in xv ? xv.value : []), Array.from(ALL));
  await ok(a, 'setxattr', { fd, name: 'user.viafd', value: enc('v') });
  assert.is(await errno(a, 'setxattr', { fd, name: 'user.viafd', value: enc('w'), flags: ['XATTR_CREATE'] }), 'EEXIST');
  const names = await ok(a, 'listxattr', { fd });
  assert.equal(names, { names: ['user.viafd'] });
  await ok(a, 'removexattr', { path: 'f', name: 'user.bin' });
  assert.is(await errno(a, 'getxattr', { path: 'f', name: 'user.bin' }), 'ENODATA');
  // a 64 KiB value round-trips through one line
  const big = new Uint8Array(65536).map((_, i) => (i * 7) & 255);
  await ok(a, 'writefile', { path: 'big', data: big });
  const bb = await ok(a, 'readfile', { path: 'big' });
  assert.ok(bb && 'data' in bb && bb.data.length === 65536 && bb.data.every((b, i) => b === big[i]));
  await ok(a, 'close', { fd });
  assert.is(await errno(a, 'close', { fd }), 'EBADF');
});

agentTest('stat values parse: type, permission bits, nanosecond times set by utimens', async () => {
  const { a } = await fresh('stat');
  await ok(a, 'writefile', { path: 'f', data: enc('abc'), mode: 0o4751 & 0o777 });
  await ok(a, 'chmod', { path: 'f', mode: 0o4751 });
  await ok(a, 'utimens', { path: 'f', atime: '1000000000.000000001', mtime: '1234567890.123456789' });
  const v = await ok(a, 'stat', { path: 'f' });
  const st = v && 'stat' in v ? v.stat : undefined;
  assert.ok(st);
  assert.is(st!.type, 'file');
  assert.is(st!.mode, 0o4751);
  assert.is(st!.size, 3);
  assert.is(st!.atime, '1000000000.000000001');
  assert.is(st!.mtime, '1234567890.123456789');
  assert.is(BigInt(st!.ino).toString(), st!.ino);
  // omit leaves a time alone
  await ok(a, 'utimens', { path: 'f', atime: '5.5', mtime: 'omit' });
  const v2 = await ok(a, 'stat', { path: 'f' });
  assert.is(v2 && 'stat' in v2 ? `${v2.stat.atime} ${v2.stat.mtime}` : '', '5.500000000 1234567890.123456789');
  await ok(a, 'symlink', { target: 'f', path: 'l' });
  const lv = await ok(a, 'lstat', { path: 'l' });
  assert.is(lv && 'stat' in lv ? lv.stat.type : '', 'symlink');
  assert.equal(await ok(a, 'readlink', { path: 'l' }), { target: 'f' });
  await ok(a, 'mknod', { path: 'null', type: 'chr', mode: 0o666, major: 1, minor: 3 });
  const nv = await ok(a, 'stat', { path: 'null' });
  assert.is(nv && 'stat' in nv ? `${nv.stat.type} ${nv.stat.rdev}` : '', 'chr 1:3');
  await ok(a, 'link', { from: 'f', to: 'hard' });
  const hv = await ok(a, 'stat', { path: 'hard' });
  assert.is(hv && 'stat' in hv ? hv.stat.nlink : 0, 2);
});

agentTest('renameat2 flags: NOREPLACE refuses an existing target and EXCHANGE swaps', async () => {
  const { a } = await fresh('rename2');
  await ok(a, 'writefile', { path: 'a', data: enc('A') });
  await ok(a, 'writefile', { path: 'b', data: enc('B') });
  assert.is(await errno(a, 'rename', { from: 'a', to: 'b', flags: ['RENAME_NOREPLACE'] }), 'EEXIST');
  await ok(a, 'rename', { from: 'a', to: 'b', flags: ['RENAME_EXCHANGE'] });
  assert.equal(await ok(a, 'readfile', { path: 'a' }), { data: enc('B') });
  await ok(a, 'rename', { from: 'a', to: 'c' });
  assert.is(await errno(a, 'stat', { path: 'a' }), 'ENOENT');
});

// ---- the sandbox ------------------------------------------------------------------------------------

agentTest('paths leaving the root are refused as escapes and nothing is written outside', async () => {
  const { a, root } = await fresh('escape');
  const before = readdirSync(sandbox).sort();
  writeFileSync(join(outside, 'victim'), 'original');
  const esc = async (op: OpName, args: Record<string, unknown>) => {
    const r = await run(a, op, args);
    assert.ok(!r.ok && 'escape' in r, `${op} ${JSON.stringify(args)} should escape, got ${JSON.stringify(r)}`);
  };
  await esc('stat', { path: '..' });
  await esc('writefile', { path: '../planted', data: enc('x') });
  await esc('mkdir', { path: '../planted-dir' });
  await esc('stat', { path: '/etc/passwd' });
  // an absolute symlink to /
  writeFileSync(join(root, 'plain'), 'p');
  await ok(a, 'symlink', { target: '/', path: 'l' });
  await esc('stat', { path: 'l/etc/passwd' });
  await esc('readfile', { path: `l${outside}/victim` });
  await esc('writefile', { path: `l${outside}/victim`, data: enc('pwned') });
  await esc('open', { path: `l${outside}/new`, flags: ['O_WRONLY', 'O_CREAT'] });
  await esc('readdir', { path: 'l' });
  // a relative symlink climbing out of the root
  await ok(a, 'symlink', { target: '../../outside', path: 'r' });
  await esc('writefile', { path: 'r/victim', data: enc('pwned') });
  await esc('chmod', { path: 'r/victim', mode: 0o777 });
  await esc('setxattr', { path: 'r/victim', name: 'user.x', value: enc('x') });
  await esc('truncate', { path: 'r/victim', length: 0 });
  // renames out of the root
  await esc('rename', { from: 'plain', to: '../x' });
  await esc('link', { from: 'plain', to: '../hard' });
  // a symlink created by an earlier op, then followed by open O_CREAT (dangling target outside)
  await ok(a, 'symlink', { target: join(outside, 'created-through-link'), path: 'dangling' });
  await esc('open', { path: 'dangling', flags: ['O_WRONLY', 'O_CREAT'], mode: 0o644 });
  await esc('writefile', { path: 'dangling', data: enc('x') });
  // not following is fine: the links themselves are ordinary entries
  const lv = await ok(a, 'lstat', { path: 'dangling' });
  assert.is(lv && 'stat' in lv ? lv.stat.type : '', 'symlink');
  await ok(a, 'unlink', { path: 'l' });
  // a symlink staying inside is followed normally
  await ok(a, 'symlink', { target: 'sub/../plain', path: 'inner' });
  await ok(a, 'mkdir', { path: 'sub' });
  assert.equal(await ok(a, 'readfile', { path: 'inner' }), { data: enc('p') });
  // nothing happened outside the root
  assert.is(readFileSync(join(outside, 'victim'), 'utf8'), 'original');
  assert.equal(readdirSync(outside), ['victim']);
  assert.equal(readdirSync(sandbox).sort(), before);
  assert.is(statSync(join(outside, 'victim')).mode & 0o777, 0o644);
  assert.ok(existsSync(join(root, 'plain')));
});

// ---- directories -----------------------------------------------------------------------------------

agentTest('readdir reports d_ino equal to stat and d_type for each kind of entry', async () => {
  const { a } = await fresh('readdir');
  await ok(a, 'writefile', { path: 'f', data: enc('') });
  await ok(a, 'mkdir', { path: 'd' });
  await ok(a, 'symlink', { target: 'f', path: 's' });
  await ok(a, 'mkfifo', { path: 'p' });
  const v = await ok(a, 'readdir', { path: '.' });
  const entries = v && 'entries' in v ? v.entries : [];
  assert.equal(entries.map((e) => `${e.name}:${e.type}`).sort(), ['d:dir', 'f:file', 'p:fifo', 's:symlink']);
  for (const e of entries) {
    const st = await ok(a, 'lstat', { path: e.name });
    assert.is(e.ino, st && 'stat' in st ? st.stat.ino : '', e.name);
  }
  assert.is(await errno(a, 'readdir', { path: 'f' }), 'ENOTDIR');
});

agentTest('telldir and seekdir resume a directory stream where it was', async () => {
  const { a } = await fresh('telldir');
  for (let i = 0; i < 20; i++) await ok(a, 'writefile', { path: `e${i}`, data: enc('') });
  const dv = await ok(a, 'opendir', { path: '.' });
  const dir = dv && 'dir' in dv ? dv.dir : -1;
  const first = await ok(a, 'readdirNext', { dir, count: 5 });
  assert.is(first && 'entries' in first ? first.entries.length : 0, 5);
  const pos = await ok(a, 'telldir', { dir });
  const offset = pos && 'offset' in pos ? pos.offset : -1;
  const rest = await ok(a, 'readdirNext', { dir });
  const restNames = rest && 'entries' in rest ? rest.entries.map((e) => e.name) : [];
  assert.is(restNames.length, 15);
  await ok(a, 'seekdir', { dir, offset });
  const again = await ok(a, 'readdirNext', { dir });
  assert.equal(again && 'entries' in again ? again.entries.map((e) => e.name) : [], restNames);
  await ok(a, 'rewinddir', { dir });
  const all = await ok(a, 'readdirNext', { dir });
  assert.is(all && 'entries' in all ? all.entries.length : 0, 20);
  await ok(a, 'closedir', { dir });
  assert.is(await errno(a, 'readdirNext', { dir }), 'EBADF');
});

// ---- locks, mappings, special opens ---------------------------------------------------------------

agentTest('flock and OFD locks conflict between two fds of the same file', async () => {
  const { a } = await fresh('locks');
  await ok(a, 'writefile', { path: 'f', data: enc('lock me') });
  const o1 = await ok(a, 'open', { path: 'f', flags: ['O_RDWR'] });
  const o2 = await ok(a, 'open', { path: 'f', flags: ['O_RDWR'] });
  const fd1 = o1 && 'fd' in o1 ? o1.fd : -1;
  const fd2 = o2 && 'fd' in o2 ? o2.fd : -1;
  await ok(a, 'flock', { fd: fd1, op: 'LOCK_EX', nonblock: true });
  assert.is(await errno(a, 'flock', { fd: fd2, op: 'LOCK_SH', nonblock: true }), 'EAGAIN');
  await ok(a, 'flock', { fd: fd1, op: 'LOCK_UN' });
  await ok(a, 'flock', { fd: fd2, op: 'LOCK_SH', nonblock: true });
  await ok(a, 'lock', { fd: fd1, cmd: 'F_OFD_SETLK', type: 'F_WRLCK', start: 0, len: 4 });
  assert.is(await errno(a, 'lock', { fd: fd2, cmd: 'F_OFD_SETLK', type: 'F_RDLCK', start: 2, len: 1 }), 'EAGAIN');
  const got = await ok(a, 'lock', { fd: fd2, cmd: 'F_OFD_GETLK', type: 'F_RDLCK', start: 0, len: 10 });
  assert.equal(got, { lock: { type: 'F_WRLCK', pid: -1, start: 0, len: 4 } });
  const free = await ok(a, 'lock', { fd: fd2, cmd: 'F_OFD_GETLK', type: 'F_RDLCK', start: 4, len: 2 });
  assert.equal(free && 'lock' in free ? free.lock.type : '', 'F_UNLCK');
  // classic POSIX locks of one process never conflict with each other
  await ok(a, 'lock', { fd: fd2, cmd: 'F_SETLK', type: 'F_WRLCK', start: 100, len: 1 });
  await ok(a, 'lock', { fd: fd1, cmd: 'F_SETLK', type: 'F_WRLCK', start: 100, len: 1 });
});

agentTest('a MAP_SHARED mapping reads the file, sees a later pwrite, and faults past EOF with SIGBUS', async () => {
  const { a } = await fresh('mmap');
  await ok(a, 'writefile', { path: 'f', data: enc('hello mapped world') });
  const o = await ok(a, 'open', { path: 'f', flags: ['O_RDWR'] });
  const fd = o && 'fd' in o ? o.fd : -1;
  const m = await ok(a, 'mmap', { fd, length: 8192 });
  const map = m && 'map' in m ? m.map : -1;
  assert.equal(await ok(a, 'mread', { map, offset: 6, length: 6 }), { data: enc('mapped') });
  await ok(a, 'pwrite', { fd, data: enc('MAPPED'), offset: 6 });
  assert.equal(await ok(a, 'mread', { map, offset: 6, length: 6 }), { data: enc('MAPPED') });
  assert.is(await errno(a, 'mread', { map, offset: 4096, length: 4 }), 'SIGBUS');
  assert.is(await errno(a, 'mwrite', { map, offset: 0, data: enc('x') }), 'SIGSEGV', 'read-only mapping');
  await ok(a, 'munmap', { map });
  assert.is(await errno(a, 'mread', { map, length: 1 }), 'EINVAL');
  // the agent survived the faults
  assert.equal(await ok(a, 'readfile', { path: 'f' }), { data: enc('hello MAPPED world') });
});

agentTest('an O_TMPFILE file gets a name through linkfd and fdpath answers relative to the root', async () => {
  const { a } = await fresh('tmpfile');
  await ok(a, 'mkdir', { path: 'd' });
  const o = await ok(a, 'open', { path: 'd', flags: ['O_TMPFILE', 'O_RDWR'], mode: 0o600 });
  const fd = o && 'fd' in o ? o.fd : -1;
  await ok(a, 'write', { fd, data: enc('anonymous') });
  const before = await ok(a, 'readdir', { path: 'd' });
  assert.equal(before, { entries: [] });
  const p0 = await ok(a, 'fdpath', { fd });
  assert.match(p0 && 'path' in p0 ? p0.path : '', /^d\/#\d+ \(deleted\)$/);
  await ok(a, 'linkfd', { fd, path: 'd/named' });
  assert.equal(await ok(a, 'readfile', { path: 'd/named' }), { data: enc('anonymous') });
  const o2 = await ok(a, 'open', { path: 'd/named', flags: ['O_RDONLY'] });
  assert.equal(await ok(a, 'fdpath', { fd: o2 && 'fd' in o2 ? o2.fd : -1 }), { path: 'd/named' });
  const o3 = await ok(a, 'open', { path: '.', flags: ['O_DIRECTORY'] });
  assert.equal(await ok(a, 'fdpath', { fd: o3 && 'fd' in o3 ? o3.fd : -1 }), { path: '.' });
  await ok(a, 'dropCaches', { path: 'd/named' });
  await ok(a, 'fsync', { fd });
  await ok(a, 'syncfs', { path: '.' });
});

agentTest('statfs of a tmpfs reports TMPFS_MAGIC 0x1021994', async () => {
  const { a, root } = await fresh('statfs');
  await ok(a, 'mkdir', { path: 't' });
  await tmpfs(a, join(root, 't'), ['size=1m']);
  await setRoot(a, root);
  const v = await ok(a, 'statfs', { path: 't' });
  const sf = v && 'statfs' in v ? v.statfs : undefined;
  assert.is(sf?.type, '0x1021994');
  assert.is(sf?.bsize, 4096);
  assert.is(sf?.blocks, 256);
  assert.equal(await umount(a, join(root, 't')), { ok: true });
});

agentTest('an overlay with xino reports inode numbers above 2^53, identical in stat and readdir', async () => {
  const { a, root } = await fresh('xino');
  for (const s of ['lt', 'u', 'w', 'm']) await mkdirp(a, join(root, s));
  await tmpfs(a, join(root, 'lt'));
  await mkdirp(a, join(root, 'lt', 'l'));
  await setRoot(a, join(root, 'lt', 'l'));
  await ok(a, 'writefile', { path: 'lowerfile', data: enc('lower') });
  const r = await mount(a, {
    fstype: 'overlay', target: join(root, 'm'), api: 'new',
    options: [`lowerdir+=${root}/lt/l`, `upperdir=${root}/u`, `workdir=${root}/w`, 'xino=on'],
  });
  assert.equal(r, { ok: true });
  await setRoot(a, join(root, 'm'));
  const st = await ok(a, 'stat', { path: 'lowerfile' });
  const ino = st && 'stat' in st ? st.stat.ino : '0';
  assert.ok(BigInt(ino) > 2n ** 53n, `xino inode ${ino}`);
  const rd = await ok(a, 'readdir', { path: '.' });
  const ent = rd && 'entries' in rd ? rd.entries.find((e) => e.name === 'lowerfile') : undefined;
  assert.is(ent?.ino, ino);
  // a copy-up keeps the inode number (xino keeps st_ino constant)
  await ok(a, 'chmod', { path: 'lowerfile', mode: 0o600 });
  const st2 = await ok(a, 'stat', { path: 'lowerfile' });
  assert.is(st2 && 'stat' in st2 ? st2.stat.ino : '', ino);
  assert.equal(await umount(a, join(root, 'm')), { ok: true });
  assert.equal(await umount(a, join(root, 'lt')), { ok: true });
}, 'overlay');

agentTest('a malformed request is a harness bug: runOp throws instead of returning a result', async () => {
  const { a } = await fresh('fatal');
  try {
    await run(a, 'open', { path: 'x', flags: ['O_BOGUS'] });
    assert.unreachable('runOp returned for an unknown flag');
  } catch (e) {
    assert.match(String(e), /O_BOGUS/);
  }
  // the agent is still fine
  await ok(a, 'writefile', { path: 'x', data: enc('ok') });
});

agentTest('race runs its rounds on fresh files and lists nothing when the invariant held in every one', async () => {
  const { a, root } = await fresh('race-ok');
  for (let i = 0; i < 3; i++) {
    writeFileSync(join(root, `f${i}`), '0123456789');
    writeFileSync(join(root, `s${i}`), 'new');
    writeFileSync(join(root, `t${i}`), 'old');
    mkdirSync(join(root, `d${i}`));
    for (const n of ['a', 'b', 'c']) writeFileSync(join(root, `d${i}`, n), n);
  }
  assert.equal(await ok(a, 'race', { kind: 'copyup-writers', path: 'f{i}', procs: 4, rounds: 3 }), { names: [] });
  assert.is(readFileSync(join(root, 'f2'), 'utf8'), 'ABCD456789');
  assert.equal(await ok(a, 'race', { kind: 'rename-lookup', path: 's{i}', to: 't{i}', procs: 3, rounds: 3 }), { names: [] });
  assert.is(readFileSync(join(root, 't1'), 'utf8'), 'new');
  assert.equal(await ok(a, 'race', { kind: 'readdir-unlink', path: 'd{i}', rounds: 3 }), { names: [] });
  assert.equal(readdirSync(join(root, 'd0')), []);
});

agentTest('race names each violation with its round: an entry the unlinker cannot remove is still listed afterwards', async () => {
  const { a, root } = await fresh('race-bad');
  mkdirSync(join(root, 'd0', 'sub'), { recursive: true });
  writeFileSync(join(root, 'd0', 'x'), 'x');
  const v = await ok(a, 'race', { kind: 'readdir-unlink', path: 'd{i}', procs: 2, rounds: 1 });
  const names = v && 'names' in v ? v.names : [];
  assert.ok(names.some((n) => /^round 0: unlink d0\/sub: EISDIR$/.test(n)), names.join('\n'));
  assert.ok(names.some((n) => /^round 0: reader 1: listed sub after every entry was unlinked$/.test(n)), names.join('\n'));
  // a file shorter than the writers' offsets cannot be raced on: refused, not a violation
  writeFileSync(join(root, 'g0'), 'ab');
  const short = await run(a, 'race', { kind: 'copyup-writers', path: 'g{i}', procs: 4, rounds: 1 });
  assert.is(!short.ok && 'errno' in short ? short.errno : 'ok', 'EINVAL');
});

test.run();
