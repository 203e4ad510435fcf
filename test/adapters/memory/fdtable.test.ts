// Open files (FD), mappings (MM) and locks (LO): what an fd reaches across copy-up, in the
// default (stacked file ops) and legacy-fd variants.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { b, mount, type Scn } from './helpers.js';

const str = (v: { data: Uint8Array }) => Buffer.from(v.data).toString();
async function open(s: Scn, path: string, flags: string[], mode?: number): Promise<number> {
  return (await s.ok<{ fd: number }>('open', { path, flags, ...(mode === undefined ? {} : { mode }) })).fd;
}

test('An O_RDONLY fd opened before copy-up reads the new data (FD-001, kernels >= 4.19)', async () => {
  // verified on 6.18: pread of the earlier O_RDONLY fd returns the data written after copy-up
  const s = await mount({ lowers: [{ f: 'old' }] });
  const r = await open(s, 'f', ['O_RDONLY']);
  const w = await open(s, 'f', ['O_RDWR']);
  await s.ok('pwrite', { fd: w, data: b('NEW'), offset: 0 });
  assert.is(str(await s.ok('pread', { fd: r, offset: 0, length: 10, dropCaches: true })), 'NEW');
  const st1 = (await s.ok<{ stat: { ino: string } }>('fstat', { fd: r })).stat;
  const st2 = (await s.ok<{ stat: { ino: string } }>('fstat', { fd: w })).stat;
  assert.is(st1.ino, st2.ino);
});

test('With legacy-fd an O_RDONLY fd opened before copy-up keeps reading the lower file (FD-001)', async () => {
  const s = await mount({ lowers: [{ f: 'old' }] }, 'legacy-fd');
  const r = await open(s, 'f', ['O_RDONLY']);
  const w = await open(s, 'f', ['O_RDWR']);
  await s.ok('pwrite', { fd: w, data: b('NEW'), offset: 0 });
  assert.is(str(await s.ok('pread', { fd: r, offset: 0, length: 10 })), 'old');
  assert.is(await s.read('f'), 'NEW');
  const r2 = await open(s, 'f', ['O_RDONLY']);
  assert.is(str(await s.ok('pread', { fd: r2, offset: 0, length: 10 })), 'NEW');
});

test('The file offset survives a copy-up made through another fd (FD-007)', async () => {
  const s = await mount({ lowers: [{ f: '0123456789' }] });
  const r = await open(s, 'f', ['O_RDONLY']);
  await s.ok('lseek', { fd: r, offset: 4 });
  await s.ok('writefile', { path: 'f', data: 'abcdefghij' });
  assert.is(str(await s.ok('read', { fd: r, length: 3 })), 'efg');
});

test('fsync of a lower-only file succeeds (FD-008)', async () => {
  const s = await mount({ lowers: [{ f: 'x' }] });
  const r = await open(s, 'f', ['O_RDONLY']);
  await s.ok('fsync', { fd: r });
  await s.ok('fdatasync', { fd: r });
  await s.ok('syncfs', { path: '.' });
  assert.equal(await s.upper(), {});
});

test('O_TMPFILE gives an unnamed upper file that linkat makes visible (FD-009)', async () => {
  // verified on 6.18: open(dir, O_TMPFILE|O_RDWR) succeeds on overlay
  const s = await mount({ lowers: [{ 'd/x': 'x' }] });
  const fd = await open(s, 'd', ['O_TMPFILE', 'O_RDWR'], 0o600);
  await s.ok('write', { fd, data: b('tmp') });
  assert.equal(await s.names('d'), ['x']);
  assert.ok((await s.ok<{ path: string }>('fdpath', { fd })).path.endsWith('(deleted)'));
  await s.ok('linkfd', { fd, path: 'd/named' });
  assert.is(await s.read('d/named'), 'tmp');
  assert.is((await s.stat('d/named')).mode, 0o600);
  assert.equal(await s.ok('fdpath', { fd }), { path: 'd/named' });
  assert.is(await s.errno('open', { path: 'd', flags: ['O_TMPFILE', 'O_RDONLY'] }), 'EINVAL');
});

test('An open lower file stays readable after unlink through the overlay (FD-012)', async () => {
  const s = await mount({ lowers: [{ f: 'still here' }] });
  const r = await open(s, 'f', ['O_RDONLY']);
  await s.ok('unlink', { path: 'f' });
  assert.is(str(await s.ok('read', { fd: r, length: 100 })), 'still here');
  assert.is(await s.errno('stat', { path: 'f' }), 'ENOENT');
  assert.equal(await s.ok('fdpath', { fd: r }), { path: 'f (deleted)' });
});

test('fdpath follows renames and is relative to the merged root (FD-004)', async () => {
  const s = await mount({ lowers: [{ 'd/f': 'x' }] });
  const r = await open(s, 'd/f', ['O_RDONLY']);
  assert.equal(await s.ok('fdpath', { fd: r }), { path: 'd/f' });
  await s.ok('rename', { from: 'd/f', to: 'g' });
  assert.equal(await s.ok('fdpath', { fd: r }), { path: 'g' });
});

test('fchmod through an O_RDONLY fd of a lower file copies up and succeeds (FD-002)', async () => {
  const s = await mount({ lowers: [{ f: 'x' }] });
  const r = await open(s, 'f', ['O_RDONLY']);
  await s.ok('fchmod', { fd: r, mode: 0o600 });
  assert.is((await s.stat('f')).mode, 0o600);
  assert.is(((await s.upper()).f as { mode: number }).mode, 0o600);
});

test('A MAP_SHARED mapping of a lower file stays stale after copy-up while the fd reads new data (MM-001)', async () => {
  // verified on 6.18: the mapping still shows "g" after pwrite("N") through an O_RDWR fd
  const s = await mount({ lowers: [{ g: 'g' }] });
  const r = await open(s, 'g', ['O_RDONLY']);
  const { map } = await s.ok<{ map: number }>('mmap', { fd: r, length: 1 });
  const w = await open(s, 'g', ['O_RDWR']);
  await s.ok('pwrite', { fd: w, data: b('N'), offset: 0 });
  assert.is(str(await s.ok('mread', { map, length: 1 })), 'g');
  assert.is(str(await s.ok('pread', { fd: r, offset: 0, length: 1 })), 'N');
});

test('A writable shared mapping is coherent with reads through other fds (MM-002)', async () => {
  const s = await mount({ lowers: [{ f: 'abc' }] });
  const w = await open(s, 'f', ['O_RDWR']);
  const { map } = await s.ok<{ map: number }>('mmap', { fd: w, length: 3, write: true });
  await s.ok('mwrite', { map, data: b('Z') });
  assert.is(await s.read('f'), 'Zbc');
  const r = await open(s, 'f', ['O_RDONLY']);
  assert.is(await s.errno('mmap', { fd: r, length: 3, write: true }), 'EACCES');
});

test('flock conflicts between two opens of one file, shared locks do not (LO-001)', async () => {
  // verified on 6.18: LOCK_EX|LOCK_NB on a second open → EAGAIN while the first holds LOCK_SH
  const s = await mount({ lowers: [{ f: 'x' }] });
  const a = await open(s, 'f', ['O_RDONLY']);
  const c = await open(s, 'f', ['O_RDWR']);
  await s.ok('flock', { fd: a, op: 'LOCK_SH' });
  assert.is(await s.errno('flock', { fd: c, op: 'LOCK_EX', nonblock: true }), 'EAGAIN');
  await s.ok('flock', { fd: c, op: 'LOCK_SH', nonblock: true });
  await s.ok('close', { fd: a });
  await s.ok('flock', { fd: c, op: 'LOCK_EX', nonblock: true });
});

test('An OFD lock taken before copy-up conflicts with locks through an fd opened after it (LO-001)', async () => {
  // verified on 6.18: OFD F_WRLCK on fd1 → F_OFD_SETLK and F_SETLK on fd2 both EAGAIN,
  // F_GETLK reports F_WRLCK with pid -1; two POSIX locks of one process never conflict
  const s = await mount({ lowers: [{ f: 'x' }] });
  const a = await open(s, 'f', ['O_RDONLY']);
  await s.ok('lock', { fd: a, cmd: 'F_OFD_SETLK', type: 'F_RDLCK' });
  const c = await open(s, 'f', ['O_RDWR']);
  assert.is(await s.errno('lock', { fd: c, cmd: 'F_OFD_SETLK', type: 'F_WRLCK' }), 'EAGAIN');
  assert.is(await s.errno('lock', { fd: c, cmd: 'F_SETLK', type: 'F_WRLCK' }), 'EAGAIN');
  assert.equal(await s.ok('lock', { fd: c, cmd: 'F_GETLK', type: 'F_WRLCK' }), { lock: { type: 'F_RDLCK', pid: -1, start: 0, len: 0 } });
  await s.ok('close', { fd: a });
  await s.ok('lock', { fd: c, cmd: 'F_SETLK', type: 'F_WRLCK' });
  const d = await open(s, 'f', ['O_RDWR']);
  await s.ok('lock', { fd: d, cmd: 'F_SETLK', type: 'F_WRLCK' });
  assert.equal(await s.ok('lock', { fd: d, cmd: 'F_GETLK', type: 'F_WRLCK' }), { lock: { type: 'F_UNLCK', start: 0, len: 0 } });
  assert.is(await s.errno('lock', { fd: a, cmd: 'F_SETLK', type: 'F_RDLCK' }), 'EBADF');
});

test('A write lock needs an fd open for writing', async () => {
  const s = await mount({ lowers: [{ f: 'x' }] });
  const a = await open(s, 'f', ['O_RDONLY']);
  assert.is(await s.errno('lock', { fd: a, cmd: 'F_OFD_SETLK', type: 'F_WRLCK' }), 'EBADF');
});

test('read through an O_WRONLY fd is EBADF, write through an O_RDONLY fd is EBADF', async () => {
  const s = await mount({ lowers: [{ f: 'x' }] });
  const r = await open(s, 'f', ['O_RDONLY']);
  const w = await open(s, 'f', ['O_WRONLY']);
  assert.is(await s.errno('write', { fd: r, data: b('a') }), 'EBADF');
  assert.is(await s.errno('read', { fd: w, length: 1 }), 'EBADF');
  assert.is(await s.errno('ftruncate', { fd: r, length: 0 }), 'EINVAL');
  await s.ok('close', { fd: r });
  assert.is(await s.errno('close', { fd: r }), 'EBADF');
});

test('fchmod or fchown through an fd of a lower file whose name was removed is EEXIST (a kernel bug, DEV-COPYUP-UNLINKED-EEXIST)', async () => {
  // verified on 6.18 (fd/fchmod-after-unlink): the copy-up targets the old name, where the
  // whiteout now stands; nothing changes. A pure upper file is changed in place.
  const s = await mount({ lowers: [{ f: { type: 'file', data: 'data', mode: 0o644 }, keep: 'k' }] });
  const r = await open(s, 'f', ['O_RDONLY']);
  await s.ok('unlink', { path: 'f' });
  assert.is(await s.errno('fchmod', { fd: r, mode: 0o600 }), 'EEXIST');
  assert.is(await s.errno('fchown', { fd: r, uid: 1000, gid: 1000 }), 'EEXIST');
  assert.is(await s.errno('setxattr', { fd: r, name: 'user.k', value: b('v') }), 'EEXIST');
  assert.is((await s.ok<{ stat: { mode: number } }>('fstat', { fd: r })).stat.mode, 0o644);
  assert.equal(await s.upper(), { f: { type: 'whiteout' } });
  const u = await mount({ lowers: [{ keep: 'k' }], upper: { f: 'data' } });
  const ru = await open(u, 'f', ['O_RDONLY']);
  await u.ok('unlink', { path: 'f' });
  await u.ok('fchmod', { fd: ru, mode: 0o600 });
  assert.is((await u.ok<{ stat: { mode: number } }>('fstat', { fd: ru })).stat.mode, 0o600);
});

test('nfs_export=on: unlinking an open lower file copies it up through the index first, so fchmod works and fstat reports nlink 0', async () => {
  // verified on 6.18 (fd/fchmod-after-unlink, fd/unlinked-open-file[case=lower-rdonly]) and by
  // hand: the index holds the copy, the upper name is a whiteout, the parent became impure
  const s = await mount({ lowers: [{ f: { type: 'file', data: 'data', mode: 0o644 }, keep: 'k' }] }, 'nfs_export=on');
  const r = await open(s, 'f', ['O_RDONLY']);
  await s.ok('unlink', { path: 'f' });
  assert.is((await s.ok<{ stat: { nlink: number } }>('fstat', { fd: r })).stat.nlink, 0);
  await s.ok('fchmod', { fd: r, mode: 0o600 });
  const st = (await s.ok<{ stat: { mode: number; nlink: number } }>('fstat', { fd: r })).stat;
  assert.equal([st.mode, st.nlink], [0o600, 0]);
  assert.is(str(await s.ok('pread', { fd: r, offset: 0, length: 10 })), 'data');
  const up = await s.upper();
  assert.equal([up.f.type, Object.keys(up).length], ['whiteout', 1]);
  // without the index the lower inode's count stays (DEV-UNLINKED-LOWER-NLINK)
  const d = await mount({ lowers: [{ f: 'data' }] });
  const rd = await open(d, 'f', ['O_RDONLY']);
  await d.ok('unlink', { path: 'f' });
  assert.is((await d.ok<{ stat: { nlink: number } }>('fstat', { fd: rd })).stat.nlink, 1);
});

test('F_SETLK and a free F_GETLK report the struct flock as passed', async () => {
  // verified on 6.18 (locks/*): {type, start, len} echo the request
  const s = await mount({ lowers: [{ f: 'x' }] });
  const a = await open(s, 'f', ['O_RDWR']);
  assert.equal(await s.ok('lock', { fd: a, cmd: 'F_OFD_SETLK', type: 'F_RDLCK', start: 2, len: 3 }), { lock: { type: 'F_RDLCK', start: 2, len: 3 } });
  assert.equal(await s.ok('lock', { fd: a, cmd: 'F_OFD_GETLK', type: 'F_WRLCK', start: 5, len: 10 }), { lock: { type: 'F_UNLCK', start: 5, len: 10 } });
});

test('A mapping of an empty file faults with SIGBUS on its first byte, as the kernel does (MM-003, kernel vs model fuzz)', async () => {
  // kernel 6.18 through the agent: mmap of 4 bytes of an empty file succeeds, mread raises SIGBUS
  const s = await mount({ lowers: [{ e: '', f: 'abcd' }] });
  const r = await open(s, 'e', ['O_RDONLY']);
  const { map } = await s.ok<{ map: number }>('mmap', { fd: r, length: 4 });
  assert.is(await s.errno('mread', { map, length: 4 }), 'SIGBUS');
  // truncating a mapped file to 0 leaves its mapping with no page either
  const w = await open(s, 'f', ['O_RDWR']);
  const m2 = (await s.ok<{ map: number }>('mmap', { fd: w, length: 4, write: true })).map;
  assert.is(str(await s.ok('mread', { map: m2, length: 4 })), 'abcd');
  await s.ok('ftruncate', { fd: w, length: 0 });
  assert.is(await s.errno('mread', { map: m2, length: 4 }), 'SIGBUS');
  assert.is(await s.errno('mwrite', { map: m2, data: b('Z') }), 'SIGBUS');
});

test('A range outside the mapping is EINVAL and a store into a read-only mapping is SIGSEGV, as the agent reports them', async () => {
  const s = await mount({ lowers: [{ f: 'abcd' }] });
  const r = await open(s, 'f', ['O_RDONLY']);
  const { map } = await s.ok<{ map: number }>('mmap', { fd: r, length: 4 });
  assert.is(await s.errno('mread', { map, offset: 2, length: 4 }), 'EINVAL');
  assert.is(await s.errno('mwrite', { map, data: b('Z') }), 'SIGSEGV');
  assert.is(await s.read('f'), 'abcd');
});

test.run();
