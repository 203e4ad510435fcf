// Permissions (PM): DAC on the overlay inode for other users, root's capabilities, sticky dirs,
// and EROFS for a read-only overlay.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mount } from './helpers.js';

const A = { uid: 1000, gid: 1000 };
const B = { uid: 2000, gid: 2000 };

test('Opening a 0644 file of another user for writing is EACCES before and after copy-up (PM-003)', async () => {
  // verified on 6.18: EACCES, no copy-up
  const s = await mount({ lowers: [{ f: { type: 'file', data: 'x', uid: 1000, gid: 1000, mode: 0o644 } }] });
  assert.is(await s.errno('open', { path: 'f', flags: ['O_WRONLY'] }, B), 'EACCES');
  assert.equal(await s.upper(), {});
  await s.ok('chmod', { path: 'f', mode: 0o644 }, A);
  assert.is(await s.errno('open', { path: 'f', flags: ['O_WRONLY'] }, B), 'EACCES');
  await s.ok('open', { path: 'f', flags: ['O_RDONLY'] }, B);
});

test('The owner may write a lower file it owns (PM-002)', async () => {
  const s = await mount({ lowers: [{ f: { type: 'file', data: 'x', uid: 1000, gid: 1000, mode: 0o644 } }] });
  await s.ok('writefile', { path: 'f', data: 'y', append: true }, A);
  assert.is(await s.read('f'), 'xy');
});

test('New objects belong to the caller; a setgid parent passes on its group and bit (PM-004)', async () => {
  const s = await mount({ lowers: [{ sg: { type: 'dir', mode: 0o2777, gid: 50 }, pub: { type: 'dir', mode: 0o777 } }] });
  await s.ok('writefile', { path: 'pub/f', data: 'x', mode: 0o640 }, B);
  const f = await s.stat('pub/f');
  assert.equal([f.uid, f.gid, f.mode], [2000, 2000, 0o640]);
  await s.ok('mkdir', { path: 'sg/d', mode: 0o755 }, B);
  const d = await s.stat('sg/d');
  assert.equal([d.uid, d.gid, d.mode], [2000, 50, 0o2755]);
});

test('Search permission is needed on every directory of a path', async () => {
  const s = await mount({ lowers: [{ p: { type: 'dir', mode: 0o700, uid: 1000 }, 'p/f': 'x' }] });
  assert.is(await s.errno('stat', { path: 'p/f' }, B), 'EACCES');
  await s.ok('stat', { path: 'p/f' }, A);
  await s.ok('stat', { path: 'p/f' });
});

test('In a sticky directory only the owner of a file (or of the dir) may unlink it', async () => {
  // verified on 6.18: EPERM for another user, success for the owner
  const s = await mount({ lowers: [{ st: { type: 'dir', mode: 0o1777 }, 'st/v': { type: 'file', data: 'v', uid: 1000 } }] });
  assert.is(await s.errno('unlink', { path: 'st/v' }, B), 'EPERM');
  await s.ok('unlink', { path: 'st/v' }, A);
});

test('chown: only root gives a file away; the owner may change the group to its own (PM-009)', async () => {
  // verified on 6.18: owner → other uid EPERM, owner → own gid OK
  const s = await mount({ lowers: [{ f: { type: 'file', data: 'x', uid: 1000, gid: 1000 } }] });
  assert.is(await s.errno('chown', { path: 'f', uid: 2000, gid: -1 }, A), 'EPERM');
  assert.equal(await s.upper(), {});
  await s.ok('chown', { path: 'f', uid: -1, gid: 1000 }, A);
  assert.is(await s.errno('chown', { path: 'f', uid: -1, gid: 7 }, A), 'EPERM');
  await s.ok('chown', { path: 'f', uid: 2000, gid: 7 });
  assert.equal([(await s.stat('f')).uid, (await s.stat('f')).gid], [2000, 7]);
});

test('utimens: "now" needs write permission, explicit times need ownership', async () => {
  // verified on 6.18: other user with write permission: now OK, explicit EPERM; without: EACCES
  const s = await mount({ lowers: [{ w: { type: 'file', data: 'w', uid: 1000, mode: 0o666 }, f: { type: 'file', data: 'f', uid: 1000, mode: 0o644 } }] });
  await s.ok('utimens', { path: 'w', atime: 'now', mtime: 'now' }, B);
  assert.is(await s.errno('utimens', { path: 'w', atime: '1.0', mtime: '1.0' }, B), 'EPERM');
  assert.is(await s.errno('utimens', { path: 'f', atime: 'now', mtime: 'now' }, B), 'EACCES');
  await s.ok('utimens', { path: 'f', atime: '5.5', mtime: '7.25' }, A);
  const st = await s.stat('f');
  assert.equal([st.atime, st.mtime], ['5.500000000', '7.250000000']);
});

test('access() uses the caller ids; W_OK on a lower file is allowed for root (PM-002)', async () => {
  // verified on 6.18: root W_OK on a lower file → true, another user on 0644 → false
  const s = await mount({ lowers: [{ f: { type: 'file', data: 'x', uid: 1000, mode: 0o644 }, x: { type: 'file', data: '', mode: 0o644 } }] });
  await s.ok('access', { path: 'f', mode: ['W_OK'] });
  assert.is(await s.errno('access', { path: 'f', mode: ['W_OK'] }, B), 'EACCES');
  await s.ok('access', { path: 'f', mode: ['R_OK'] }, B);
  assert.is(await s.errno('access', { path: 'x', mode: ['X_OK'] }), 'EACCES');
  assert.equal(await s.upper(), {});
});

test('Without an upper layer every modification is EROFS (PM-006, ML-008)', async () => {
  // verified on 6.18 (lowerdir=l1:l2): create, mkdir, unlink, open O_RDWR, chmod → EROFS
  const s = await mount({ lowers: [{ f: 'x', d: { type: 'dir' } }, { g: 'g' }], upper: null });
  assert.is(await s.errno('writefile', { path: 'new', data: 'x' }), 'EROFS');
  assert.is(await s.errno('mkdir', { path: 'd2' }), 'EROFS');
  assert.is(await s.errno('mkdir', { path: 'd' }), 'EEXIST');
  assert.is(await s.errno('unlink', { path: 'f' }), 'EROFS');
  assert.is(await s.errno('unlink', { path: 'nope' }), 'EROFS');
  assert.is(await s.errno('open', { path: 'f', flags: ['O_RDWR'] }), 'EROFS');
  assert.is(await s.errno('chmod', { path: 'f', mode: 0o600 }), 'EROFS');
  assert.is(await s.errno('access', { path: 'f', mode: ['W_OK'] }), 'EROFS');
  assert.is(await s.read('g'), 'g');
  const st = (await s.ok<{ statfs: { flags: number } }>('statfs', { path: '.' })).statfs;
  assert.is(st.flags & 1, 1);
});

test('Objects written into a set-group-ID directory of a layer keep the owner and mode the entry states, as the host adapters write layers', async () => {
  // the host adapters set each layer entry's owner and mode after creating it (a setgid lower
  // directory hands nothing down), so kernel, posix and the model build the same layers
  const s = await mount({ lowers: [{ p: { type: 'dir', mode: 0o2777, uid: 3000, gid: 3000 }, 'p/keep': 'k', 'p/sub': { type: 'dir' }, 'p/own': { type: 'file', data: 'o', gid: 7, mode: 0o600 } }] });
  const keep = await s.stat('p/keep');
  assert.equal([keep.gid, keep.mode], [0, 0o644]);
  const sub = await s.stat('p/sub');
  assert.equal([sub.gid, sub.mode], [0, 0o755]);
  const own = await s.stat('p/own');
  assert.equal([own.gid, own.mode], [7, 0o600]);
});

test.run();
