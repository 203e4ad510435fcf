// Random layer stacks (1–4 lowers and an upper) built from the behaviour catalogue's path
// classes, in the scenario file's own layer syntax so a finding is written back as it was run.

import fc from 'fast-check';
import { DIR_SLOTS, FILE_SLOTS, FIFO_SLOTS, LONG, type PathClass } from './pool.js';

type Entry = string | Record<string, unknown>;
type Tree = Record<string, Entry>;

/** A generated stack: layers as written in a scenario, and the class of every populated name. */
export interface Stack {
  lower: Tree[];
  upper: Tree;
  classes: Record<string, PathClass>;
}

/** What the implementation and both oracles can all hold in their layers. */
export interface StackCaps {
  multiLower: boolean;
  whiteout: boolean;
  opaque: boolean;
  redirect: boolean;
  hardlink: boolean;
  symlink: boolean;
  fifo: boolean;
  xattr: boolean;
  chown: boolean;
}

const FILE_CLASSES = ['absent', 'lower-only', 'upper-only', 'shadowed', 'stacked', 'whiteout', 'lower-whiteout', 'hard-link', 'symlink', 'xattr'] as const;
const DIR_CLASSES = ['absent', 'lower-dir', 'upper-dir', 'merged-dir', 'opaque-dir', 'whiteout-dir', 'redirect-dir'] as const;

const fileEntry = (data: string, mode: string, uid: number): Entry =>
  mode === '0644' && uid === 0 ? data : { type: 'file', data, mode, ...(uid ? { uid, gid: uid } : {}) };

/** Arbitrary of whole stacks; `caps` removes classes an adapter could not set up. */
export function stackArb(caps: StackCaps): fc.Arbitrary<Stack> {
  const allowed = (c: PathClass): boolean =>
    !((c === 'whiteout' || c === 'whiteout-dir') && !caps.whiteout) &&
    !(c === 'lower-whiteout' && !(caps.whiteout && caps.multiLower)) &&
    !(c === 'stacked' && !caps.multiLower) &&
    !(c === 'opaque-dir' && !caps.opaque) &&
    !(c === 'redirect-dir' && !(caps.redirect && caps.whiteout)) &&
    !(c === 'hard-link' && !caps.hardlink) &&
    !(c === 'symlink' && !caps.symlink) &&
    !(c === 'xattr' && !caps.xattr);
  const fileClass = fc.constantFrom(...FILE_CLASSES.filter(allowed));
  const dirClass = fc.constantFrom(...DIR_CLASSES.filter(allowed));
  const mode = fc.constantFrom('0644', '0644', '0600', '0755', '0444');
  const uid = caps.chown ? fc.constantFrom(0, 0, 1000) : fc.constant(0);
  const slot = fc.record({ mode, uid, data: fc.constantFrom('lower', 'one', 'abcdefgh', ''), where: fc.nat(3) });
  return fc
    .record({
      lowers: caps.multiLower ? fc.integer({ min: 1, max: 4 }) : fc.constant(1),
      files: fc.tuple(...FILE_SLOTS.map(() => fc.tuple(fileClass, slot))),
      dirs: fc.tuple(...DIR_SLOTS.map(() => fc.tuple(dirClass, slot, fc.boolean()))),
      fifo: caps.fifo ? fc.constantFrom('absent', 'lower-only', 'upper-only') : fc.constant('absent'),
      long: fc.constantFrom('absent', 'lower-only', 'upper-only'),
      dirMode: fc.constantFrom('0755', '0755', '0777'),
    })
    .map((g) => build(g.lowers, g.files, g.dirs, g.fifo, g.long, g.dirMode));
}

type Slot = { mode: string; uid: number; data: string; where: number };

function build(n: number, files: [string, Slot][], dirs: [string, Slot, boolean][], fifo: string, long: string, dirMode: string): Stack {
  const lower: Tree[] = Array.from({ length: n }, () => ({}));
  const upper: Tree = {};
  const classes: Record<string, PathClass> = {};
  const at = (s: Slot) => lower[s.where % n];
  files.forEach(([cls, s], i) => {
    const name = FILE_SLOTS[i];
    classes[name] = cls as PathClass;
    const f = fileEntry(s.data, s.mode, s.uid);
    switch (cls) {
      case 'lower-only': at(s)[name] = f; break;
      case 'upper-only': upper[name] = f; break;
      case 'shadowed': at(s)[name] = f; upper[name] = 'upper'; break;
      case 'stacked': lower[0][name] = 'top'; lower[n - 1][name] = f; if (n === 1) classes[name] = 'lower-only'; break;
      case 'whiteout': at(s)[name] = f; upper[name] = { type: 'whiteout' }; break;
      case 'lower-whiteout':
        if (n < 2) { at(s)[name] = f; classes[name] = 'lower-only'; break; }
        lower[0][name] = { type: 'whiteout' }; lower[n - 1][name] = f; break;
      case 'hard-link': {
        // a second name for the same lower inode, in the same layer, under a dir slot's name
        const l = at(s);
        l[name] = f;
        l[`${name}.link`] = { type: 'hardlink', target: name };
        break;
      }
      // targets stay beneath the root wherever a rename moves the link ('..' only after a
      // component), so following one is behaviour, never a path the harness must refuse
      case 'symlink': at(s)[name] = { type: 'symlink', target: ['a', 'm/x', 'zz', 'm/../c', 'b'][s.where] ?? 'a' }; break;
      case 'xattr': at(s)[name] = { type: 'file', data: s.data, xattrs: { 'user.k': 'v1', 'user.j': 'v2' } }; break;
    }
  });
  dirs.forEach(([cls, s, sub], i) => {
    const name = DIR_SLOTS[i];
    classes[name] = cls as PathClass;
    const d = { type: 'dir', mode: dirMode, ...(s.uid ? { uid: s.uid, gid: s.uid } : {}) };
    const l = at(s);
    const lowerDir = () => {
      l[name] = d;
      l[`${name}/x`] = fileEntry(s.data, s.mode, s.uid);
      if (sub) l[`${name}/s/z`] = 'z';
    };
    switch (cls) {
      case 'lower-dir': lowerDir(); break;
      case 'upper-dir': upper[name] = { type: 'dir' }; upper[`${name}/y`] = 'y'; break;
      case 'merged-dir':
        lowerDir();
        upper[name] = { type: 'dir' };
        upper[`${name}/y`] = 'y';
        if (sub) upper[`${name}/x`] = { type: 'whiteout' };
        break;
      case 'opaque-dir': lowerDir(); upper[name] = { type: 'dir', opaque: 'y' }; upper[`${name}/y`] = 'y'; break;
      case 'whiteout-dir': lowerDir(); upper[name] = { type: 'whiteout' }; break;
      case 'redirect-dir':
        // a merged directory renamed from `<name>0` under redirect_dir=on
        l[`${name}0`] = d;
        l[`${name}0/x`] = 'x';
        upper[`${name}0`] = { type: 'whiteout' };
        upper[name] = { type: 'dir', redirect: `/${name}0` };
        upper[`${name}/y`] = 'y';
        break;
    }
  });
  if (fifo !== 'absent') {
    (fifo === 'lower-only' ? lower[0] : upper)[FIFO_SLOTS[0]] = { type: 'fifo', mode: '0644' };
    classes[FIFO_SLOTS[0]] = fifo === 'lower-only' ? 'fifo' : 'upper-only';
  }
  if (long !== 'absent') {
    (long === 'lower-only' ? lower[n - 1] : upper)[LONG] = 'long';
    classes[LONG] = 'long-name';
  }
  return { lower, upper, classes };
}
