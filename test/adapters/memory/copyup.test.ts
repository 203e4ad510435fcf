// Copy-up (CU): what triggers it, what is copied, and what the merged view shows afterwards.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { b, mount } from './helpers.js';
import { writeAt } from '../../../adapters/memory/layer.js';

test('Opening a lower file O_RDWR copies it up even if nothing is written (CU-001)', async () => {
  const s = await mount({ lowers: [{ f: 'lower data' }] });
  const { fd } = await s.ok<{ fd: number }>('open', { path: 'f', flags: ['O_RDWR'] });
  await s.ok('close', { fd });
  const up = await s.upper();
  assert.is((up.f as { data: string }).data, 'lower data');
});

test('O_RDONLY|O_TRUNC copies up an empty file and the fd cannot write (CU-002)', async () => {
  // verified on 6.18: size 0 through the fd, write → EBADF, upper file size 0
  const s = await mount({ lowers: [{ t: 'truncate me' }] });
  const { fd } = await s.ok<{ fd: number }>('open', { path: 't', flags: ['O_RDONLY', 'O_TRUNC'] });
  assert.is((await s.ok<{ stat: { size: number } }>('fstat', { fd })).stat.size, 0);
  assert.is(await s.errno('write', { fd, data: b('z') }), 'EBADF');
  assert.is((await s.upper()).t.type, 'file');
  assert.is(((await s.upper()).t as { data: string }).data, '');
});

test('chmod of a lower file copies it up with full data and the new mode (CU-003)', async () => {
  const s = await mount({ lowers: [{ f: 'content' }] });
  await s.ok('chmod', { path: 'f', mode: 0o600 });
  const f = (await s.upper()).f as { data: string; mode: number; metacopy?: boolean };
  assert.is(f.mode, 0o600);
  assert.is(f.data, 'content');
  assert.is(f.metacopy, undefined);
});

test('Copy-up preserves type, mode bits, owner, atime/mtime and symlink targets (CU-004)', async () => {
  const s = await mount({
    lowers: [{ f: { type: 'file', data: 'x', mode: 0o4755, uid: 1000, gid: 1000, mtime: '1000000000.5', atime: '1100000000' }, l: { type: 'symlink', target: 'f', mtime: '1200000000' } }],
  });
  const before = await s.stat('f');
  await s.ok('chown', { path: 'f', uid: -1, gid: -1 });
  await s.ok('lchown', { path: 'l', uid: 7, gid: 7 });
  const after = await s.stat('f');
  assert.is(after.mtime, '1000000000.500000000');
  assert.is(after.atime, '1100000000.000000000');
  assert.is(after.uid, 1000);
  // chown(-1,-1) still kills setuid (chown_common sets ATTR_KILL_SUID for non-dirs)
  assert.is(after.mode, 0o755);
  assert.is(before.mode, 0o4755);
  const up = await s.upper();
  assert.is((up.l as { target: string }).target, 'f');
  assert.is((await s.stat('l')).mtime, '1200000000.000000000');
});

test('Copy-up sets ctime to the copy-up time while mtime stays (CU-005)', async () => {
  const s = await mount({ lowers: [{ f: 'x' }] });
  const before = await s.stat('f');
  const { fd } = await s.ok<{ fd: number }>('open', { path: 'f', flags: ['O_RDWR'] });
  await s.ok('close', { fd });
  const after = await s.stat('f');
  assert.is(after.mtime, before.mtime);
  assert.ok(after.ctime > before.ctime);
  assert.is(after.ino, before.ino);
});

test('Ancestors are copied up first with their lower atime/mtime (CU-006, CU-008)', async () => {
  // verified on 6.18: U/d and U/d/e keep the lower atime/mtime, only ctime changes
  const s = await mount({ lowers: [{ d: { type: 'dir', mtime: '6.0', atime: '5.0' }, 'd/e': { type: 'dir', mtime: '4.0', atime: '3.0' }, 'd/e/f': 'f' }] });
  await s.ok('chmod', { path: 'd/e/f', mode: 0o600 });
  const up = await s.upper();
  assert.equal(Object.keys(up).sort(), ['d', 'd/e', 'd/e/f']);
  assert.is((await s.stat('d')).mtime, '6.000000000');
  assert.is((await s.stat('d')).atime, '5.000000000');
  assert.is((await s.stat('d/e')).mtime, '4.000000000');
  await s.ok('writefile', { path: 'd/new', data: 'n' });
  assert.ok(Number((await s.stat('d')).mtime) > 6);
});

test('Copying up a directory copies only the directory node (CU-007)', async () => {
  const s = await mount({ lowers: [{ 'd/x': 'x', 'd/y': 'y' }] });
  await s.ok('chmod', { path: 'd', mode: 0o700 });
  const up = await s.upper();
  assert.equal(Object.keys(up), ['d']);
  assert.equal(await s.names('d'), ['x', 'y']);
  assert.is((await s.stat('d')).nlink, 1);
});

test('Copy-up copies user and trusted xattrs but never overlay-private ones (CU-009)', async () => {
  const s = await mount({ lowers: [{ f: { type: 'file', data: 'x', xattrs: { 'user.k': 'v', 'trusted.t': '2', 'trusted.overlay.opaque': 'y' } } }] });
  await s.ok('chmod', { path: 'f', mode: 0o600 });
  const f = (await s.upper()).f as { xattrs?: Record<string, string> };
  assert.equal(f.xattrs, { 'user.k': 'v', 'trusted.t': '2' });
});

test('Opening a lower fifo for writing does not copy it up (CU-013)', async () => {
  // verified on 6.18: open(O_RDWR|O_NONBLOCK) of a lower fifo leaves no upper entry
  const s = await mount({ lowers: [{ p: { type: 'fifo' } }] });
  const { fd } = await s.ok<{ fd: number }>('open', { path: 'p', flags: ['O_RDWR'] });
  await s.ok('write', { fd, data: b('through') });
  assert.is(Buffer.from((await s.ok<{ data: Uint8Array }>('read', { fd, length: 100 })).data).toString(), 'through');
  await s.ok('close', { fd });
  assert.equal(await s.upper(), {});
});

test('A refused chmod by a non-owner copies nothing up (CU-016)', async () => {
  // verified on 6.18: EPERM and U/f absent
  const s = await mount({ lowers: [{ f: { type: 'file', data: 'x', uid: 1000, gid: 1000 } }] });
  assert.is(await s.errno('chmod', { path: 'f', mode: 0o777 }, { uid: 2000, gid: 2000 }), 'EPERM');
  assert.equal(await s.upper(), {});
});

test('A write by a non-owner strips setuid (CU-017)', async () => {
  // verified on 6.18: mode 4777 owned by 1000, written by 2000 → 0777
  const s = await mount({ lowers: [{ s: { type: 'file', data: 'abc', uid: 1000, gid: 1000, mode: 0o4777 } }] });
  const u = { uid: 2000, gid: 2000 };
  const { fd } = await s.ok<{ fd: number }>('open', { path: 's', flags: ['O_WRONLY'] }, u);
  await s.ok('write', { fd, data: b('z') }, u);
  assert.is((await s.stat('s')).mode, 0o777);
});

test('A write by root keeps setuid', async () => {
  const s = await mount({ lowers: [{ s: { type: 'file', data: 'abc', mode: 0o4755 } }] });
  await s.ok('writefile', { path: 's', data: 'x', append: true });
  assert.is((await s.stat('s')).mode, 0o4755);
});

test('The upper parent of a copy-up is marked impure and the copy records its origin', async () => {
  const s = await mount({ lowers: [{ 'd/f': 'x' }] });
  await s.ok('chmod', { path: 'd/f', mode: 0o600 });
  const d = (await s.upper()).d as { overlay?: Record<string, string> };
  assert.equal(d.overlay, { impure: 'y' });
});

test('Copy-up copies 1 MiB from each data start, so holes sharing such a chunk with data are filled (DEV-COPYUP-FILLS-HOLES)', async () => {
  // verified on 6.18 by hand (ext4): "head" + hole to 8 MiB copies up as one data segment
  // [0, 1 MiB) with st_blocks 2048; a 4 MiB file with data at 0 and at 2 MiB + 5000 copies up
  // as [0, 1 MiB) and [2101248, 3149824), st_blocks 4096; an all-hole file stays a hole
  const M = 1 << 20;
  const s = await mount({ lowers: [{ s: { type: 'file', data: 'head', size: 8 * M }, h: { type: 'file', size: 8 * M }, t: { type: 'file', data: 'a', size: 4 * M } }] });
  const t = s.w.mount!.lowers[0].children!.get('t')!;
  writeAt(t, 2 * M + 5000, b('b'));
  const segments = async (path: string) => {
    const fd = (await s.ok<{ fd: number }>('open', { path, flags: ['O_RDONLY'] })).fd;
    const out: [number, number][] = [];
    for (let pos = 0; ; ) {
      const d = await s.run('lseek', { fd, offset: pos, whence: 'SEEK_DATA' });
      if (!d.ok) break;
      const start = (d.value as { offset: number }).offset;
      const end = (await s.ok<{ offset: number }>('lseek', { fd, offset: start, whence: 'SEEK_HOLE' })).offset;
      out.push([start, end]);
      pos = end;
    }
    return out;
  };
  for (const f of ['s', 'h', 't']) await s.ok('writefile', { path: f, data: '', append: true });
  assert.equal(await segments('s'), [[0, M]]);
  assert.is((await s.stat('s')).blocks, 2048);
  assert.equal(await segments('t'), [[0, M], [2101248, 3149824]]);
  assert.is((await s.stat('t')).blocks, 4096);
  assert.equal(await segments('h'), []);
  assert.is((await s.stat('h')).size, 8 * M);
});

test.run();
