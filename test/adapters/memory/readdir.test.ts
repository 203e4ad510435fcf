// Readdir merging (RD): union of names, whiteout filtering, per-open snapshots, offsets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mount } from './helpers.js';

type Ents = { entries: { name: string; ino: string; type: string }[] };

test('A merged directory lists the union of upper and lower names, each once (RD-001)', async () => {
  const s = await mount({ lowers: [{ 'd/b': 'b', 'd/c': 'c' }], upper: { 'd/a': 'a', 'd/b': 'B' } });
  const { entries } = await s.ok<Ents>('readdir', { path: 'd' });
  assert.equal(entries.map((e) => e.name).sort(), ['a', 'b', 'c']);
});

test('Whiteouts and the names they mask are not listed after an unlink (RD-002)', async () => {
  const s = await mount({ lowers: [{ 'd/c': 'c', 'd/k': 'k' }] });
  await s.ok('unlink', { path: 'd/c' });
  assert.equal(await s.names('d'), ['k']);
  assert.equal((await s.upper())['d/c'], { type: 'whiteout' });
});

test('An open merged directory keeps its listing until rewinddir (RD-003)', async () => {
  // verified on 6.18 with opendir/readdir/rewinddir: a name created after the first read is
  // absent, a name unlinked after it is still returned, and rewinddir shows the new state
  const s = await mount({ lowers: [{ 'd/a': 'a', 'd/b': 'b' }], upper: { 'd/u': 'u' } });
  const { dir } = await s.ok<{ dir: number }>('opendir', { path: 'd' });
  const first = await s.ok<Ents>('readdirNext', { dir, count: 1 });
  assert.is(first.entries.length, 1);
  await s.ok('writefile', { path: 'd/new', data: 'n' });
  await s.ok('unlink', { path: 'd/a' });
  const rest = await s.ok<Ents>('readdirNext', { dir });
  const seen = [...first.entries, ...rest.entries].map((e) => e.name).sort();
  assert.equal(seen, ['a', 'b', 'u']);
  await s.ok('rewinddir', { dir });
  const again = await s.ok<Ents>('readdirNext', { dir });
  assert.equal(again.entries.map((e) => e.name).sort(), ['b', 'new', 'u']);
  await s.ok('closedir', { dir });
});

test('Two open streams of one directory keep separate snapshots (RD-010)', async () => {
  const s = await mount({ lowers: [{ 'd/a': 'a' }] });
  const d1 = (await s.ok<{ dir: number }>('opendir', { path: 'd' })).dir;
  await s.ok('readdirNext', { dir: d1, count: 0 });
  assert.equal((await s.ok<Ents>('readdirNext', { dir: d1 })).entries.map((e) => e.name), ['a']);
  await s.ok('writefile', { path: 'd/b', data: 'b' });
  const d2 = (await s.ok<{ dir: number }>('opendir', { path: 'd' })).dir;
  assert.equal((await s.ok<Ents>('readdirNext', { dir: d2 })).entries.map((e) => e.name).sort(), ['a', 'b']);
  assert.equal((await s.ok<Ents>('readdirNext', { dir: d1 })).entries, []);
});

test('telldir and seekdir on a merged directory return to the same place in the snapshot (RD-004)', async () => {
  // verified on 6.18: seekdir(telldir()) after a change still replays the old snapshot
  const s = await mount({ lowers: [{ 'd/a': 'a', 'd/b': 'b', 'd/c': 'c' }], upper: { d: { type: 'dir' } } });
  const { dir } = await s.ok<{ dir: number }>('opendir', { path: 'd' });
  const one = await s.ok<Ents>('readdirNext', { dir, count: 1 });
  const { offset } = await s.ok<{ offset: number }>('telldir', { dir });
  const tail1 = await s.ok<Ents>('readdirNext', { dir });
  await s.ok('unlink', { path: `d/${tail1.entries[0].name}` });
  await s.ok('seekdir', { dir, offset });
  const tail2 = await s.ok<Ents>('readdirNext', { dir });
  assert.equal(tail2.entries.map((e) => e.name), tail1.entries.map((e) => e.name));
  assert.is(one.entries.length + tail1.entries.length, 3);
});

test('lseek SEEK_END on a merged directory fd is EINVAL, on a pure upper one it is not (RD-004)', async () => {
  // verified on 6.18: merged → EINVAL; pure upper (ext4) → 9223372036854775807
  const s = await mount({ lowers: [{ 'd/a': 'a' }], upper: { d: { type: 'dir' } } });
  await s.ok('mkdir', { path: 'p' });
  const m = (await s.ok<{ fd: number }>('open', { path: 'd', flags: ['O_RDONLY', 'O_DIRECTORY'] })).fd;
  assert.is(await s.errno('lseek', { fd: m, offset: 0, whence: 'SEEK_END' }), 'EINVAL');
  assert.equal(await s.ok('lseek', { fd: m, offset: 0, whence: 'SEEK_CUR' }), { offset: 0 });
  const p = (await s.ok<{ fd: number }>('open', { path: 'p', flags: ['O_RDONLY', 'O_DIRECTORY'] })).fd;
  assert.equal(await s.ok('lseek', { fd: p, offset: 0, whence: 'SEEK_END' }), { offset: 2 ** 63 - 1 });
});

test('A lower-only directory in one layer is read directly, whiteouts in it show as char devices (RD-005)', async () => {
  const s = await mount({ lowers: [{ 'd/x': { type: 'whiteout' }, 'd/y': 'y' }] });
  const { entries } = await s.ok<Ents>('readdir', { path: 'd' });
  assert.equal(entries.map((e) => [e.name, e.type]).sort(), [['x', 'chr'], ['y', 'file']]);
  assert.is(await s.errno('stat', { path: 'd/x' }), 'ENOENT');
});

test('After rm -r and mkdir of a lower dir the listing is empty and never shows whiteouts (RD-005, RD-008)', async () => {
  const s = await mount({ lowers: [{ 'd/x': 'x', 'd/y': 'y' }] });
  await s.ok('unlink', { path: 'd/x' });
  await s.ok('unlink', { path: 'd/y' });
  await s.ok('rmdir', { path: 'd' });
  await s.ok('mkdir', { path: 'd' });
  assert.equal(await s.names('d'), []);
});

test('d_ino equals st_ino and d_type the file type for every entry of a merged dir (RD-006)', async () => {
  // verified on 6.18 (same fs): d_ino == st_ino for lower, upper, merged and copied-up entries
  const s = await mount({ lowers: [{ lf: 'l', d: { type: 'dir' }, c: 'c', s: { type: 'symlink', target: 'lf' } }], upper: { d: { type: 'dir' }, uf: 'u' } });
  await s.ok('chmod', { path: 'c', mode: 0o600 });
  const { entries } = await s.ok<Ents>('readdir', { path: '.' });
  assert.is(entries.length, 5);
  for (const e of entries) {
    const st = await s.stat(e.name);
    assert.is(e.ino, st.ino, `d_ino of ${e.name}`);
    assert.is(e.type, st.type);
  }
});

test('Readdir of a directory without search-free read permission fails with EACCES', async () => {
  const s = await mount({ lowers: [{ d: { type: 'dir', mode: 0o700 }, 'd/x': 'x' }] });
  assert.is(await s.errno('readdir', { path: 'd' }, { uid: 1000, gid: 1000 }), 'EACCES');
  assert.is(await s.errno('readdir', { path: 'd/x' }), 'ENOTDIR');
});

test('A stream of a directory removed after opendir returns no entries, also after rewinddir', async () => {
  // verified on 6.18 (readdir/stream-of-removed-dir): getdents fails with ENOENT on the dead
  // directory, which glibc's readdir reports as the end of the stream (lower-only, pure upper
  // and merged directories alike)
  for (const layers of [{ lowers: [{ d: { type: 'dir' as const }, keep: 'k' }] }, { lowers: [{ keep: 'k' }], upper: { d: { type: 'dir' as const } } }]) {
    const s = await mount(layers);
    const { dir } = await s.ok<{ dir: number }>('opendir', { path: 'd' });
    await s.ok('rmdir', { path: 'd' });
    assert.equal(await s.ok('readdirNext', { dir }), { entries: [] });
    await s.ok('rewinddir', { dir });
    assert.equal(await s.ok('readdirNext', { dir }), { entries: [] });
    await s.ok('closedir', { dir });
  }
  const m = await mount({ lowers: [{ 'd/x': 'x', keep: 'k' }], upper: { d: { type: 'dir' } } });
  await m.ok('unlink', { path: 'd/x' });
  const { dir } = await m.ok<{ dir: number }>('opendir', { path: 'd' });
  await m.ok('rmdir', { path: 'd' });
  assert.equal(await m.ok('readdirNext', { dir }), { entries: [] });
});

test.run();
