// Hard links and inode numbers (HL, IN): index=off vs on, st_ino/st_dev per layer placement.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mount } from './helpers.js';

const hl = { a: 'hello', b: { type: 'hardlink' as const, target: 'a' } };

test('link() of a lower file copies it up; both names share st_ino and nlink 2 (HL-001)', async () => {
  // verified on 6.18: st_ino stays the lower origin's, nlink 2
  const s = await mount({ lowers: [{ c: 'c' }] });
  const before = await s.stat('c');
  await s.ok('link', { from: 'c', to: 'c2' });
  const c = await s.stat('c');
  const c2 = await s.stat('c2');
  assert.is(c.ino, before.ino);
  assert.is(c2.ino, before.ino);
  assert.is(c.nlink, 2);
  await s.ok('writefile', { path: 'c2', data: 'X', append: true });
  assert.is(await s.read('c'), 'cX');
});

test('With index=off a copy-up breaks a lower hard link set: data, st_ino and nlink diverge (HL-002, HL-004)', async () => {
  // verified on 6.18: a → upper ino, nlink 1, "helloX"; b → lower ino, nlink 2, "hello"
  const s = await mount({ lowers: [hl] });
  const before = await s.stat('a');
  await s.ok('writefile', { path: 'a', data: 'X', append: true });
  const a = await s.stat('a');
  const b = await s.stat('b');
  assert.is(await s.read('a'), 'helloX');
  assert.is(await s.read('b'), 'hello');
  assert.is(a.nlink, 1);
  assert.is(b.nlink, 2);
  assert.is(b.ino, before.ino);
  assert.is.not(a.ino, before.ino);
});

test('With index=on copied-up hard links stay together (HL-003)', async () => {
  // verified on 6.18: both names see "helloX" with the lower st_ino and nlink 2; after a write
  // through b the upper holds b as a link of a's inode (nlink 2 + the index link = 3)
  const s = await mount({ lowers: [hl] }, 'index=on');
  const before = await s.stat('a');
  await s.ok('writefile', { path: 'a', data: 'X', append: true });
  assert.is(await s.read('b'), 'helloX');
  const a = await s.stat('a');
  const b = await s.stat('b');
  assert.is(a.ino, before.ino);
  assert.is(b.ino, before.ino);
  assert.is(a.nlink, 2);
  const up1 = (await s.upper()) as Record<string, { nlink?: number; overlay?: Record<string, string> }>;
  assert.is(up1.a.nlink, 2);
  assert.equal(up1.a.overlay, { nlink: 'U+0' });
  await s.ok('writefile', { path: 'b', data: 'Y', append: true });
  assert.is(await s.read('a'), 'helloXY');
  await s.ok('unlink', { path: 'a' });
  assert.is((await s.stat('b')).nlink, 1);
  const up2 = (await s.upper()) as Record<string, { type: string; nlink?: number; overlay?: Record<string, string> }>;
  assert.is(up2.a.type, 'whiteout');
  assert.is(up2.b.nlink, 2);
  assert.equal(up2.b.overlay, { nlink: 'U-1' });
});

test('nfs_export=on reports the upper real nlink of an indexed copy after remount', async () => {
  // verified on 6.18: chmod of a lower file (nlink 1) → nlink 1, after remount 2 (index link
  // counted through ovl_get_nlink's fallback)
  const s = await mount({ lowers: [{ f: 'x' }] }, 'nfs_export=on');
  await s.ok('chmod', { path: 'f', mode: 0o600 });
  assert.is((await s.stat('f')).nlink, 1);
  assert.ok((await s.w.remount(undefined, false)).ok);
  assert.is((await s.stat('f')).nlink, 2);
});

test('All objects report the overlay st_dev when the layers share a filesystem (IN-001, IN-002)', async () => {
  const s = await mount({ lowers: [{ lf: 'l', d: { type: 'dir' } }], upper: { uf: 'u' } });
  const devs = new Set([(await s.stat('.')).dev, (await s.stat('lf')).dev, (await s.stat('d')).dev, (await s.stat('uf')).dev]);
  assert.is(devs.size, 1);
});

test('st_ino of a file stays the same across copy-up and remount (IN-002)', async () => {
  const s = await mount({ lowers: [{ f: 'x' }] });
  const before = (await s.stat('f')).ino;
  await s.ok('chmod', { path: 'f', mode: 0o600 });
  assert.is((await s.stat('f')).ino, before);
  assert.ok((await s.w.remount(undefined, false)).ok);
  assert.is((await s.stat('f')).ino, before);
});

test('A merged directory reports st_nlink 1, a pure upper one 2 + subdirs (IN-006)', async () => {
  const s = await mount({ lowers: [{ 'm/a': { type: 'dir' } }], upper: { m: { type: 'dir' } } });
  await s.ok('mkdir', { path: 'p' });
  await s.ok('mkdir', { path: 'p/q' });
  assert.is((await s.stat('m')).nlink, 1);
  assert.is((await s.stat('p')).nlink, 3);
  assert.is((await s.stat('m/a')).nlink, 2);
});

test('xino=on with lower layers on another fs: uniform st_dev and the layer index in the high bits (IN-004)', async () => {
  // verified on 6.18 with a tmpfs lower: lower-only, merged and copied-up objects have
  // st_ino = lower ino | 1<<63, upper-only ones the raw upper ino, all on the overlay st_dev
  const s = await mount({ lowers: [{ lf: 'l', d: { type: 'dir' }, c: 'c' }], upper: { d: { type: 'dir' }, uf: 'u' } }, 'xino=on');
  await s.ok('chmod', { path: 'c', mode: 0o600 });
  const st = { root: await s.stat('.'), lf: await s.stat('lf'), d: await s.stat('d'), c: await s.stat('c'), uf: await s.stat('uf') };
  assert.is(new Set(Object.values(st).map((x) => x.dev)).size, 1);
  const hi = (x: { ino: string }) => BigInt(x.ino) >> 63n;
  assert.is(hi(st.lf), 1n);
  assert.is(hi(st.d), 1n);
  assert.is(hi(st.c), 1n);
  assert.is(hi(st.uf), 0n);
  assert.is(hi(st.root), 0n);
  const { entries } = await s.ok<{ entries: { name: string; ino: string }[] }>('readdir', { path: '.' });
  for (const e of entries) assert.is(e.ino, (await s.stat(e.name)).ino);
});

test('Layers on different filesystems with xino=off: per-fs st_dev for non-dirs, overlay st_dev for dirs (IN-003)', async () => {
  // verified on 6.18 (tmpfs lower, ext4 upper): lower files and copied-up files share the lower
  // fs pseudo dev, upper files another, dirs the overlay dev with per-mount sequence inos
  // (root 2, then dirs in lookup order), d_ino of dirs the real inode number
  const s = await mount({ lowers: [{ lf: 'l', d: { type: 'dir' }, c: 'c' }], upper: { d: { type: 'dir' }, uf: 'u' } }, 'layers-different-fs');
  await s.ok('chmod', { path: 'c', mode: 0o600 });
  const root = await s.stat('.');
  const lf = await s.stat('lf');
  const c = await s.stat('c');
  const uf = await s.stat('uf');
  const d = await s.stat('d');
  assert.is(root.dev, d.dev);
  assert.is(lf.dev, c.dev);
  assert.is.not(lf.dev, uf.dev);
  assert.is.not(lf.dev, root.dev);
  assert.is(root.ino, '2');
  const { entries } = await s.ok<{ entries: { name: string; ino: string }[] }>('readdir', { path: '.' });
  const dEnt = entries.find((e) => e.name === 'd')!;
  assert.is.not(dEnt.ino, d.ino);
  assert.is(entries.find((e) => e.name === 'lf')!.ino, lf.ino);
});

test('With the index, unlinking one name of a lower hard-link pair copies it up through the index first: the other name reports nlink 1', async () => {
  // verified on 6.18 (hardlink/unlink-one-lower-name[before=untouched] on index=on,
  // redirect_dir=on+index=on and nfs_export=on): nlink 1; without the index the lower count 2
  // shows (DEV-NLINK-COUNTS-HIDDEN-NAMES)
  for (const v of ['index=on', 'nfs_export=on', 'default']) {
    const s = await mount({ lowers: [hl] }, v);
    await s.stat('a');
    await s.ok('unlink', { path: 'a' });
    assert.is(await s.read('b'), 'hello');
    assert.is((await s.stat('b')).nlink, v === 'default' ? 2 : 1, v);
  }
});

test('nfs_export=on: after link and unlink of the original, the new name looked up afresh counts the index link (a kernel bug, DEV-NLINK-COUNTS-INDEX)', async () => {
  // verified on 6.18 (hardlink/link-then-unlink-original[where=lower]): once its last cached
  // name is gone the overlay inode is evicted; the new name builds it again, and with a lower
  // nlink of 1 the upper inode's count (name + index) is reported; index=on alone keeps 1
  for (const [v, n] of [['nfs_export=on', 2], ['index=on', 1]] as const) {
    const s = await mount({ lowers: [{ f: 'data' }, { 'd/keep': 'k' }] }, v);
    const st = await s.stat('f');
    await s.ok('link', { from: 'f', to: 'g' });
    await s.ok('unlink', { path: 'f' });
    assert.is(await s.read('g'), 'data');
    const g = await s.stat('g');
    assert.equal([g.nlink, g.ino], [n, st.ino], v);
  }
});

test('userxattr: a lower symlink or FIFO is copied up without origin; a link made through the overlay is another inode (DEV-LINK-SPLITS-WITHOUT-ORIGIN, DEV-INO-CHANGE-ON-COPYUP)', async () => {
  // verified on 6.18 (hardlink/link-placements[obj=symlink|fifo,where=lower], hardlink/fifo-names,
  // inode/ino-kept-by-rename[obj=symlink]): user.overlay.origin cannot be set on them; the old
  // name keeps its cached inode and lower st_ino, the new name (looked up afresh after link)
  // reports the upper st_ino; the two names of a FIFO open different pipes; after a remount
  // every name reports the upper st_ino. Regular files keep their origin.
  const s = await mount({ lowers: [{ 's/x': { type: 'symlink', target: 't' }, p: { type: 'fifo' }, f: 'data' }] }, 'userxattr');
  const sx = await s.stat('s/x');
  await s.ok('link', { from: 's/x', to: 's/y' });
  assert.is((await s.stat('s/x')).ino, sx.ino);
  const sy = await s.stat('s/y');
  assert.ok(sy.ino !== sx.ino);
  assert.equal([sy.nlink, (await s.stat('s/x')).nlink], [2, 2]);
  await s.ok('link', { from: 'p', to: 'q' });
  const a = (await s.ok<{ fd: number }>('open', { path: 'p', flags: ['O_RDWR', 'O_NONBLOCK'] })).fd;
  const c = (await s.ok<{ fd: number }>('open', { path: 'q', flags: ['O_RDWR', 'O_NONBLOCK'] })).fd;
  await s.ok('write', { fd: a, data: Buffer.from('through p') });
  assert.is(await s.errno('read', { fd: c, length: 9 }), 'EAGAIN');
  const f = await s.stat('f');
  await s.ok('link', { from: 'f', to: 'g' });
  assert.is((await s.stat('g')).ino, f.ino);
  await s.ok('rename', { from: 's/x', to: 'x2' });
  assert.is((await s.stat('x2')).ino, sx.ino);
  assert.ok((await s.w.remount(undefined, false)).ok);
  assert.is((await s.stat('x2')).ino, sy.ino);
  assert.is((await s.stat('g')).ino, f.ino);
  const d = await mount({ lowers: [{ p: { type: 'fifo' } }] });
  const dp = await d.stat('p');
  await d.ok('link', { from: 'p', to: 'q' });
  assert.is((await d.stat('q')).ino, dp.ino);
});

test('The same layers get the same inode numbers whatever the process built before them (layers on different filesystems)', async () => {
  // the gaps between numbers came from a process-wide counter, so inode/ino-unique on
  // layers-different-fs failed every third run, by how many objects earlier scenarios had made
  const layers = { lowers: [{ a: 'x', d: { type: 'dir' }, 'd/b': 'y' }] };
  const inos = async () => {
    const s = await mount(layers as never, 'layers-different-fs');
    return [(await s.stat('a')).ino, (await s.stat('d')).ino, (await s.stat('d/b')).ino].map(String);
  };
  const first = await inos();
  for (let i = 1; i <= 4; i++) {
    await mount({ lowers: [Object.fromEntries(Array.from({ length: i }, (_, k) => [`f${k}`, 'z']))] } as never, 'layers-different-fs');
    assert.equal(await inos(), first, `after ${i} more object(s) were made elsewhere`);
  }
});

test.run();
