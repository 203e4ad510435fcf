// Path resolution beneath the merged root (namei): search permission on every directory,
// symlinks (40 at most), '.' and '..', NAME_MAX and PATH_MAX, trailing slashes, and the
// RESOLVE_BENEATH rule that turns an escape from the root into an `escape` result.

import { EscapeError, fail } from './errors.js';
import { rootEntry, type OEntry } from './lookup.js';
import { lookupCached, walkRoot } from './dcache.js';
import { checkPerm, MAY_EXEC, type Creds } from './perm.js';
import type { Mount } from './state.js';
import { touchAtime } from './times.js';
import { getInode } from './inode.js';

/** Where a path ended: the directory holding the last component and what that names. */
export interface Walked {
  parent: OEntry;
  /** the last component ('' for the root itself) */
  name: string;
  /** the entry named (negative when kind is null) */
  entry: OEntry;
  /** kind of last component: a normal name, '.', '..' or the root */
  last: 'norm' | 'dot' | 'dotdot';
  /** the path ended with '/' */
  slash: boolean;
}

/** Longest name component (bytes). */
export const NAME_MAX = 255;
/** Longest path including its terminating NUL (bytes). */
export const PATH_MAX = 4096;
const MAXSYMLINKS = 40;

/** The symlink target of an entry (from its upper, else its lower). */
export function linkTarget(e: OEntry): string {
  return (e.upper ?? e.lowers[0].node).target;
}

/**
 * Resolve `path`; `follow` follows a final symlink (also when the path ends with '/', except
 * for ops on the name itself: `parentOp`, as unlink, rmdir, rename, mkdir).
 */
export function walk(m: Mount, c: Creds, path: string, follow: boolean, parentOp = false): Walked {
  if (tooLong(path, PATH_MAX - 1)) fail('ENAMETOOLONG');
  if (path === '') fail('ENOENT');
  if (path.startsWith('/')) throw new EscapeError(`absolute path ${path}`);
  const slash = path.length > 1 && path.endsWith('/');
  const root = walkRoot(m);
  const chain: OEntry[] = [root];
  // components still to walk, the next one last (a stack: a symlink's target goes on top). The
  // final component of the whole path is always the bottom one: a symlink met before it is
  // replaced by its target above it, and the final one's target ends at the bottom again; so a
  // component is final when the stack is empty once it is taken.
  const comps = reversedComponents(path);
  if (comps.length === 0) comps.push('.');
  let links = 0;
  for (;;) {
    const comp = comps.pop()!;
    const fin = comps.length === 0;
    const cur = chain[chain.length - 1];
    if (cur.kind !== 'dir') fail('ENOTDIR');
    checkPerm(c, (cur.upper ?? cur.lowers[0].node), MAY_EXEC);
    if (comp === '.' || comp === '..') {
      if (comp === '..') {
        if (chain.length === 1) throw new EscapeError(`path ${path} leaves the root`);
        chain.pop();
      }
      if (fin) {
        const e = chain[chain.length - 1];
        return { parent: chain[chain.length - 2] ?? e, name: comp, entry: e, last: comp === '.' ? 'dot' : 'dotdot', slash };
      }
      continue;
    }
    if (tooLong(comp, NAME_MAX)) fail('ENAMETOOLONG');
    const child = lookupCached(m, cur, comp);
    if (child.kind === 'symlink' && (!fin || follow || (slash && !parentOp))) {
      if (++links > MAXSYMLINKS) fail('ELOOP');
      if (child.upper) touchAtime(m, child.upper);
      const target = linkTarget(child);
      if (target.startsWith('/')) throw new EscapeError(`symlink ${comp} → ${target} leaves the root`);
      const tc = target.split('/').filter((s) => s.length > 0);
      if (target.length === 0) fail('ENOENT');
      if (tc.length === 0) tc.push('.');
      for (let i = tc.length - 1; i >= 0; i--) comps.push(tc[i]);
      continue;
    }
    if (child.kind !== null) getInode(m, child);
    if (fin) return { parent: cur, name: comp, entry: child, last: 'norm', slash };
    if (child.kind === null) fail('ENOENT');
    if (child.kind !== 'dir') fail('ENOTDIR');
    chain.push(child);
  }
}

/** The non-empty '/'-separated components of `p`, last first: the stack a walk takes them from,
 * built in one pass (every op walks a path) */
function reversedComponents(p: string): string[] {
  const out: string[] = [];
  let end = p.length;
  for (let i = p.lastIndexOf('/', end - 1); i >= 0; i = end > 0 ? p.lastIndexOf('/', end - 1) : -1) {
    if (i + 1 < end) out.push(p.slice(i + 1, end));
    end = i;
  }
  if (end > 0) out.push(p.slice(0, end));
  return out;
}

/** Whether `s` is more than `max` bytes in UTF-8 (a UTF-16 unit is at most 3 bytes: short strings are not measured). */
function tooLong(s: string, max: number): boolean {
  return s.length * 3 > max && Buffer.byteLength(s) > max;
}

/** Resolve to an existing object (ENOENT for a negative entry; ENOTDIR when '/' follows a non-dir). */
export function walkExisting(m: Mount, c: Creds, path: string, follow: boolean): Walked {
  const w = walk(m, c, path, follow);
  if (w.entry.kind === null) fail('ENOENT');
  if (w.slash && w.entry.kind !== 'dir') fail('ENOTDIR');
  return w;
}

/** The kind of a path's last component as filename_parentat() reports it ('.', '..' or a name). */
export function lastComponent(path: string): 'norm' | 'dot' | 'dotdot' {
  const comps = path.split('/').filter((x) => x.length > 0);
  const last = comps[comps.length - 1] ?? '.';
  return last === '.' ? 'dot' : last === '..' ? 'dotdot' : 'norm';
}

/**
 * filename_parentat(): resolve every component but the last, with search permission on the
 * directory the last one would be looked up in, without looking the last one up.
 */
export function walkParent(m: Mount, c: Creds, path: string): void {
  if (Buffer.byteLength(path) >= PATH_MAX) fail('ENAMETOOLONG');
  if (path === '') fail('ENOENT');
  if (path.startsWith('/')) throw new EscapeError(`absolute path ${path}`);
  const comps = path.split('/').filter((x) => x.length > 0);
  const dir = comps.length > 1 ? walk(m, c, comps.slice(0, -1).join('/'), true).entry : rootEntry(m);
  if (dir.kind === null) fail('ENOENT');
  if (dir.kind !== 'dir') fail('ENOTDIR');
  checkPerm(c, dir.upper ?? dir.lowers[0].node, MAY_EXEC);
}
