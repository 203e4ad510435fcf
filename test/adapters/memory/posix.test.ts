// Ordinary POSIX/Linux semantics through the merged view: errno choices and order, trailing
// slashes, open flags, sparse files, truncate, timestamps, statfs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { b, mount } from './helpers.js';

test('open flag rules: O_EXCL, O_DIRECTORY, O_NOFOLLOW, trailing slash, dirs for writing', async () => {
  // verified on 6.18
  const s = await mount({ lowers: [{ a: 'a', x: { type: 'dir' }, s: { type: 'symlink', target: 'a' }, dang: { type: 'symlink', target: 'nowhere' } }] });
  assert.is(await s.errno('open', { path: 'a', flags: ['O_CREAT', 'O_EXCL', 'O_WRONLY'] }), 'EEXIST');
  assert.is(await s.errno('open', { path: 'a', flags: ['O_RDONLY', 'O_DIRECTORY'] }), 'ENOTDIR');
  assert.is(await s.errno('open', { path: 'a/', flags: ['O_RDONLY'] }), 'ENOTDIR');
  assert.is(await s.errno('open', { path: 'b/', flags: ['O_CREAT', 'O_WRONLY'] }), 'EISDIR');
  assert.is(await s.errno('open', { path: 'x', flags: ['O_WRONLY'] }), 'EISDIR');
  assert.is(await s.errno('open', { path: 's', flags: ['O_RDONLY', 'O_NOFOLLOW'] }), 'ELOOP');
  assert.is(await s.errno('open', { path: 's', flags: ['O_CREAT', 'O_EXCL', 'O_WRONLY'] }), 'EEXIST');
  assert.is(await s.errno('open', { path: 'nope', flags: ['O_RDONLY'] }), 'ENOENT');
  // O_CREAT through a dangling symlink creates its target
  await s.ok('open', { path: 'dang', flags: ['O_CREAT', 'O_WRONLY'], mode: 0o600 });
  assert.is((await s.stat('nowhere')).mode, 0o600);
});

test('mkdir, link and symlink errnos: EEXIST, ENOENT, EPERM for dirs, trailing slash', async () => {
  // verified on 6.18
  const s = await mount({ lowers: [{ a: 'a', x: { type: 'dir' } }] });
  assert.is(await s.errno('mkdir', { path: 'a' }), 'EEXIST');
  assert.is(await s.errno('mkdir', { path: 'no/d' }), 'ENOENT');
  assert.is(await s.errno('mkdir', { path: 'a/d' }), 'ENOTDIR');
  await s.ok('mkdir', { path: 'c/' });
  assert.is(await s.errno('link', { from: 'x', to: 'x2' }), 'EPERM');
  assert.is(await s.errno('link', { from: 'a', to: 'x' }), 'EEXIST');
  assert.is(await s.errno('symlink', { target: 'zz', path: 'a' }), 'EEXIST');
  assert.is(await s.errno('link', { from: 'nope', to: 'n2' }), 'ENOENT');
});

test('Names of 255 bytes work, 256 bytes give ENAMETOOLONG (PL-001, PL-002)', async () => {
  // verified on 6.18
  const long = 'l'.repeat(255);
  const s = await mount({ lowers: [{ [long]: 'lower', ['m'.repeat(250)]: 'm' }] });
  assert.is(await s.read(long), 'lower');
  await s.ok('unlink', { path: long });
  await s.ok('unlink', { path: 'm'.repeat(250) });
  assert.equal((await s.upper())[long], { type: 'whiteout' });
  await s.ok('writefile', { path: 'n'.repeat(255), data: 'x' });
  await s.ok('rename', { from: 'n'.repeat(255), to: 'o'.repeat(255) });
  for (const op of ['stat', 'unlink', 'rmdir', 'mkdir']) assert.is(await s.errno(op, { path: 'a'.repeat(256) }), 'ENAMETOOLONG');
  assert.is(await s.errno('open', { path: 'a'.repeat(256), flags: ['O_CREAT', 'O_WRONLY'] }), 'ENAMETOOLONG');
});

test('Paths of PATH_MAX bytes or more give ENAMETOOLONG (PL-003)', async () => {
  const s = await mount({});
  const p = Array(41).fill('d'.repeat(100)).join('/');
  assert.is(p.length >= 4096, true);
  assert.is(await s.errno('stat', { path: p }), 'ENAMETOOLONG');
});

test('A chain of 40 symlinks resolves, 41 or a loop give ELOOP', async () => {
  // verified on 6.18: a two-link loop → ELOOP
  const lower: Record<string, { type: 'symlink'; target: string } | string> = { f: 'end' };
  for (let i = 0; i < 40; i++) lower[`s${i}`] = { type: 'symlink', target: i === 0 ? 'f' : `s${i - 1}` };
  lower.l1 = { type: 'symlink', target: 'l2' };
  lower.l2 = { type: 'symlink', target: 'l1' };
  lower.s40 = { type: 'symlink', target: 's39' };
  const s = await mount({ lowers: [lower] });
  assert.is(await s.read('s39'), 'end');
  assert.is(await s.errno('stat', { path: 's40' }), 'ELOOP');
  assert.is(await s.errno('stat', { path: 'l1' }), 'ELOOP');
});

test('O_APPEND writes at end of file, pwrite on an O_APPEND fd also appends', async () => {
  const s = await mount({ lowers: [{ f: 'abc' }] });
  const { fd } = await s.ok<{ fd: number }>('open', { path: 'f', flags: ['O_WRONLY', 'O_APPEND'] });
  await s.ok('write', { fd, data: b('d') });
  await s.ok('pwrite', { fd, data: b('e'), offset: 0 });
  assert.is(await s.read('f'), 'abcde');
});

test('Writing past the end leaves a hole of zeros; truncate grows with zeros and shrinks', async () => {
  const s = await mount({ lowers: [{ f: 'ab' }] });
  const { fd } = await s.ok<{ fd: number }>('open', { path: 'f', flags: ['O_RDWR'] });
  await s.ok('pwrite', { fd, data: b('z'), offset: 10000 });
  const st = await s.stat('f');
  assert.is(st.size, 10001);
  assert.is(st.blocks, 16);
  const mid = (await s.ok<{ data: Uint8Array }>('pread', { fd, offset: 4096, length: 4 })).data;
  assert.equal([...mid], [0, 0, 0, 0]);
  assert.equal(await s.ok('lseek', { fd, offset: 0, whence: 'SEEK_HOLE' }), { offset: 4096 });
  assert.equal(await s.ok('lseek', { fd, offset: 4096, whence: 'SEEK_DATA' }), { offset: 8192 });
  await s.ok('truncate', { path: 'f', length: 1 });
  await s.ok('ftruncate', { fd, length: 4 });
  assert.equal([...Buffer.from(await s.read('f'))], [0x61, 0, 0, 0]);
  assert.is(await s.errno('truncate', { path: '.', length: 0 }), 'EISDIR');
  assert.is(await s.errno('truncate', { path: 'f', length: -1 }), 'EINVAL');
});

test('Timestamps: new objects get the current time, writes move mtime/ctime, utimens "now" and omit', async () => {
  const s = await mount({ lowers: [{ d: { type: 'dir', mtime: '100.0' } }] });
  await s.ok('writefile', { path: 'd/f', data: 'x' });
  const f1 = await s.stat('d/f');
  const d1 = await s.stat('d');
  assert.is(f1.mtime, f1.ctime);
  assert.is(d1.mtime, f1.mtime);
  await s.ok('writefile', { path: 'd/f', data: 'y', append: true });
  const f2 = await s.stat('d/f');
  assert.ok(f2.mtime > f1.mtime);
  await s.ok('utimens', { path: 'd/f', mtime: '5.000000001' });
  const f3 = await s.stat('d/f');
  assert.is(f3.mtime, '5.000000001');
  assert.is(f3.atime, f2.atime);
  await s.ok('utimens', { path: 'd/f', atime: 'now' });
  const f4 = await s.stat('d/f');
  assert.is(f4.mtime, '5.000000001');
  assert.ok(f4.atime > f3.ctime || f4.atime === f4.ctime);
});

test('Reading a copied-up file updates atime (relatime), reading a lower-only file does not (FD-003)', async () => {
  const s = await mount({ lowers: [{ l: { type: 'file', data: 'l', atime: '10.0', mtime: '20.0' }, u: { type: 'file', data: 'u', atime: '10.0', mtime: '20.0' } }] });
  await s.ok('chmod', { path: 'u', mode: 0o644 });
  await s.read('l');
  await s.read('u');
  assert.is((await s.stat('l')).atime, '10.000000000');
  assert.ok(Number((await s.stat('u')).atime) > 20);
});

test('statfs reports the overlayfs magic and namelen 255 (SF-001)', async () => {
  // verified on 6.18: f_type 0x794c7630, namelen 255, ST_RELATIME
  const s = await mount({});
  const { statfs } = await s.ok<{ statfs: { type: string; namelen: number; flags: number } }>('statfs', { path: '.' });
  assert.is(statfs.type, '0x794c7630');
  assert.is(statfs.namelen, 255);
  assert.is(statfs.flags, 4096);
});

test('A fifo opened with O_RDONLY|O_NONBLOCK reads EOF-less EAGAIN only with a writer; O_WRONLY|O_NONBLOCK without reader is ENXIO', async () => {
  const s = await mount({});
  await s.ok('mkfifo', { path: 'p' });
  assert.is(await s.errno('open', { path: 'p', flags: ['O_WRONLY', 'O_NONBLOCK'] }), 'ENXIO');
  const r = (await s.ok<{ fd: number }>('open', { path: 'p', flags: ['O_RDONLY', 'O_NONBLOCK'] })).fd;
  assert.is((await s.ok<{ data: Uint8Array }>('read', { fd: r, length: 4 })).data.length, 0);
  const w = (await s.ok<{ fd: number }>('open', { path: 'p', flags: ['O_WRONLY', 'O_NONBLOCK'] })).fd;
  assert.is(await s.errno('read', { fd: r, length: 4 }), 'EAGAIN');
  await s.ok('write', { fd: w, data: b('hi') });
  assert.is(Buffer.from((await s.ok<{ data: Uint8Array }>('read', { fd: r, length: 4 })).data).toString(), 'hi');
  assert.is(await s.errno('lseek', { fd: r, offset: 0 }), 'ESPIPE');
  assert.is((await s.stat('p')).type, 'fifo');
});

test('readlink returns the target; on a non-symlink it is EINVAL', async () => {
  const s = await mount({ lowers: [{ l: { type: 'symlink', target: 'some/where' }, f: 'x' }] });
  assert.equal(await s.ok('readlink', { path: 'l' }), { target: 'some/where' });
  assert.is(await s.errno('readlink', { path: 'f' }), 'EINVAL');
  assert.is((await s.stat('l')).size, 10);
});

test.run();
