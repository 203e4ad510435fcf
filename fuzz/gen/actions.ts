// Random operation sequences from the scenario op vocabulary (language/ops.ts), weighted towards
// what breaks overlays: copy-up triggers, renames, removal and re-creation over whiteouts,
// descriptors and mappings kept open across copy-up, remounts, cache drops, other users.

import fc from 'fast-check';
import { DIR_PATHS, FIFO_SLOTS, REGULAR_PATHS } from './pool.js';

/** One generated step before handles are named: `slot` picks one of a few fd/map bindings. */
export interface Action {
  op: string;
  args: Record<string, unknown>;
  /** open/opendir/mmap bind into this slot; fd/map ops use the slot's latest binding */
  bind?: { kind: 'fd' | 'map'; slot: number };
  use?: { kind: 'fd' | 'map'; slot: number; arg: string };
  user?: { uid: number; gid: number };
}

/** Which ops every worker in the comparison can run. */
export interface ActionCaps {
  xattr: boolean;
  mmap: boolean;
  remount: boolean;
  dropCaches: boolean;
  otherUser: boolean;
  chown: boolean;
  fifo: boolean;
  renameat2: boolean;
  symlink: boolean;
  hardlink: boolean;
}

const path = fc.constantFrom(...REGULAR_PATHS);
const dirPath = fc.constantFrom(...DIR_PATHS);
const anyPath = fc.oneof({ weight: 6, arbitrary: path }, { weight: 1, arbitrary: fc.constantFrom(...FIFO_SLOTS) });
const fdSlot = fc.nat(2);
const data = fc.constantFrom('W', 'written', 'xy', '0123456789');
const fileMode = fc.constantFrom('0600', '0644', '0755', '0444', '04755', '0000');
const act = (op: string, args: Record<string, unknown>, extra: Partial<Action> = {}): Action => ({ op, args, ...extra });

/** Arbitrary of one action; ops whose capability is missing are never drawn. */
export function actionArb(caps: ActionCaps): fc.Arbitrary<Action> {
  const w = (weight: number, arbitrary: fc.Arbitrary<Action>, ok = true) => (ok ? [{ weight, arbitrary }] : []);
  const other = { uid: 1000, gid: 1000 };
  const choices = [
    // copy-up triggers
    ...w(6, fc.tuple(path, fc.constantFrom(['O_WRONLY'], ['O_RDWR'], ['O_RDWR', 'O_CREAT'], ['O_WRONLY', 'O_TRUNC'], ['O_WRONLY', 'O_APPEND'], ['O_WRONLY', 'O_CREAT', 'O_EXCL']), fdSlot)
      .map(([p, flags, slot]) => act('open', { path: p, flags, mode: '0644' }, { bind: { kind: 'fd', slot } }))),
    ...w(5, fc.tuple(fdSlot, data).map(([slot, d]) => act('write', { data: d }, { use: { kind: 'fd', slot, arg: 'fd' } }))),
    ...w(2, fc.tuple(fdSlot, data, fc.nat(6)).map(([slot, d, o]) => act('pwrite', { data: d, offset: o }, { use: { kind: 'fd', slot, arg: 'fd' } }))),
    ...w(4, fc.tuple(path, data, fc.boolean()).map(([p, d, append]) => act('writefile', { path: p, data: d, ...(append ? { append } : {}) }))),
    ...w(3, fc.tuple(path, fc.nat(9)).map(([p, n]) => act('truncate', { path: p, length: n }))),
    ...w(3, fc.tuple(anyPath, fileMode).map(([p, m]) => act('chmod', { path: p, mode: m }))),
    ...w(2, fc.tuple(anyPath, fc.constantFrom(0, 1000)).map(([p, id]) => act('chown', { path: p, uid: id, gid: id })), caps.chown),
    ...w(2, fc.tuple(anyPath, fc.constantFrom(1000000000, 1500000000)).map(([p, t]) => act('utimens', { path: p, atime: t, mtime: t }))),
    ...w(3, fc.tuple(anyPath, fc.constantFrom('user.k', 'user.n'), fc.constantFrom('v', 'new')).map(([p, n, v]) => act('setxattr', { path: p, name: n, value: v })), caps.xattr),
    ...w(1, fc.tuple(anyPath, fc.constantFrom('user.k', 'user.n')).map(([p, n]) => act('removexattr', { path: p, name: n })), caps.xattr),
    ...w(3, fc.tuple(path, path).map(([f, t]) => act('link', { from: f, to: t })), caps.hardlink),
    // renames
    ...w(8, fc.tuple(path, path).map(([f, t]) => act('rename', { from: f, to: t }))),
    ...w(3, fc.tuple(dirPath, dirPath).map(([f, t]) => act('rename', { from: f, to: t }))),
    ...w(1, fc.tuple(fc.constantFrom(...FIFO_SLOTS), fc.constantFrom(...FIFO_SLOTS)).map(([f, t]) => act('rename', { from: f, to: t })), caps.fifo),
    ...w(2, fc.tuple(path, path, fc.constantFrom(['RENAME_NOREPLACE'], ['RENAME_EXCHANGE'])).map(([f, t, flags]) => act('rename', { from: f, to: t, flags })), caps.renameat2),
    // removal and re-creation over whiteouts
    ...w(6, anyPath.map((p) => act('unlink', { path: p }))),
    ...w(4, dirPath.map((p) => act('rmdir', { path: p }))),
    ...w(5, dirPath.map((p) => act('mkdir', { path: p, mode: '0755' }))),
    ...w(2, fc.tuple(fc.constantFrom('a', 'm/x', 'zz', 'b'), path).map(([t, p]) => act('symlink', { target: t, path: p })), caps.symlink),
    ...w(1, fc.constantFrom(...FIFO_SLOTS).map((p) => act('mkfifo', { path: p, mode: '0644' })), caps.fifo),
    // descriptors and mappings kept open across copy-up
    ...w(4, fc.tuple(path, fdSlot).map(([p, slot]) => act('open', { path: p, flags: ['O_RDONLY'] }, { bind: { kind: 'fd', slot } }))),
    ...w(4, fc.tuple(fdSlot, fc.boolean()).map(([slot, drop]) => act('pread', { offset: 0, length: 16, ...(drop && caps.dropCaches ? { dropCaches: true } : {}) }, { use: { kind: 'fd', slot, arg: 'fd' } }))),
    ...w(2, fdSlot.map((slot) => act('fstat', {}, { use: { kind: 'fd', slot, arg: 'fd' } }))),
    ...w(1, fc.tuple(fdSlot, fc.nat(4)).map(([slot, n]) => act('ftruncate', { length: n }, { use: { kind: 'fd', slot, arg: 'fd' } }))),
    ...w(1, fc.tuple(fdSlot, fileMode).map(([slot, m]) => act('fchmod', { mode: m }, { use: { kind: 'fd', slot, arg: 'fd' } }))),
    ...w(2, fdSlot.map((slot) => act('close', {}, { use: { kind: 'fd', slot, arg: 'fd' } }))),
    ...w(2, fc.tuple(fdSlot, fc.nat(1)).map(([slot, m]) => act('mmap', { length: 4 }, { use: { kind: 'fd', slot, arg: 'fd' }, bind: { kind: 'map', slot: m } })), caps.mmap),
    ...w(2, fc.nat(1).map((m) => act('mread', { length: 4 }, { use: { kind: 'map', slot: m, arg: 'map' } })), caps.mmap),
    // remounts and cache drops
    ...w(2, fc.constant(act('remount', {})), caps.remount),
    ...w(1, path.map((p) => act('dropCaches', { path: p })), caps.dropCaches),
    // another user's credentials
    ...w(3, fc.tuple(path, fc.constantFrom(...['writefile', 'unlink', 'chmod', 'readfile', ...(caps.xattr ? ['setxattr'] : [])])).map(([p, op]) =>
      op === 'writefile' ? act(op, { path: p, data: 'u' }, { user: other })
        : op === 'chmod' ? act(op, { path: p, mode: '0666' }, { user: other })
        : op === 'setxattr' ? act(op, { path: p, name: 'user.u', value: 'u' }, { user: other })
        : act(op, { path: p }, { user: other })), caps.otherUser),
    // observations in the middle of the sequence
    ...w(3, anyPath.map((p) => act('lstat', { path: p }))),
    ...w(1, path.map((p) => act('stat', { path: p }))),
    ...w(3, path.map((p) => act('readfile', { path: p }))),
    ...w(2, fc.constantFrom('.', 'm', 'n', 'm/s').map((p) => act('readdir', { path: p }))),
    ...w(1, path.map((p) => act('readlink', { path: p })), caps.symlink),
    ...w(1, path.map((p) => act('listxattr', { path: p })), caps.xattr),
  ];
  return fc.oneof(...choices);
}

/** A sequence of 1–`max` actions. */
export function actionsArb(caps: ActionCaps, max = 12): fc.Arbitrary<Action[]> {
  return fc.array(actionArb(caps), { minLength: 1, maxLength: max });
}
