// The capabilities a scenario needs: what it declares in `requires:`, plus what its layers and
// steps imply (a whiteout in a lower layer, a step run as another uid, an mmap op, …).

import type { CanonTree } from '../language/canonical.js';
import type { Scenario } from '../language/model.js';
import { OPS } from '../language/ops.js';

const cache = new WeakMap<Scenario, string[]>();

function treeNeeds(t: CanonTree, out: Set<string>): void {
  for (const e of Object.values(t)) {
    const x = e as unknown as Record<string, unknown>;
    if (e.type === 'whiteout') out.add(e.format === 'xattr' ? 'xattr-whiteout' : 'whiteout');
    if (e.type === 'dir' && e.opaque) out.add(e.opaque === 'x' ? 'xattr-whiteout' : 'opaque');
    if ((e.type === 'dir' || e.type === 'file') && e.redirect) out.add('redirect');
    if (e.type === 'file' && e.metacopy) out.add('metacopy');
    if (e.type === 'symlink') out.add('symlink');
    if (e.type === 'hardlink') out.add('hardlink');
    if (e.type === 'fifo') out.add('fifo');
    if (e.type === 'chr' || e.type === 'blk') out.add('mknod');
    if ((x.uid !== undefined && x.uid !== 0) || (x.gid !== undefined && x.gid !== 0)) out.add('chown');
    for (const name of Object.keys((x.xattrs as object) ?? {})) out.add(name.startsWith('trusted.') ? 'xattr-trusted' : 'xattr');
  }
}

/** Every capability the scenario needs, declared or implied, sorted. */
export function requirementsOf(s: Scenario): string[] {
  const hit = cache.get(s);
  if (hit) return hit;
  const out = new Set<string>(s.requires);
  s.layers.lowers.forEach((t) => treeNeeds(t, out));
  if (s.layers.upper) treeNeeds(s.layers.upper, out);
  else out.add('no-upper');
  if (s.layers.lowers.length > 1) out.add('multi-lower');
  if (s.layers.data?.length) {
    out.add('data-only-lowers');
    s.layers.data.forEach((t) => treeNeeds(t, out));
  }
  if (s.layers.lowers.length > 128) out.add('many-lower');
  for (const st of s.steps) {
    for (const n of (OPS[st.op] as { needs?: readonly string[] }).needs ?? []) out.add(n);
    if (st.user) out.add('other-user');
    if (st.op === 'rename' && Array.isArray(st.args.flags) && st.args.flags.length) out.add('renameat2');
    if (st.op === 'open' && Array.isArray(st.args.flags) && st.args.flags.includes('O_TMPFILE')) out.add('o-tmpfile');
    if ((st.op === 'chown' || st.op === 'lchown' || st.op === 'fchown') && (st.args.uid !== 0 || st.args.gid !== 0)) out.add('chown');
    if ((st.op === 'setxattr' || st.op === 'getxattr' || st.op === 'removexattr') && String(st.args.name).startsWith('trusted.')) out.add('xattr-trusted');
    if ((st.op === 'pread' || st.op === 'read') && st.args.dropCaches) out.add('drop-caches');
    if (st.op === 'edit') {
      const entries = st.args.entries as CanonTree | undefined;
      if (entries) treeNeeds(entries, out);
    }
  }
  const list = [...out].sort();
  cache.set(s, list);
  return list;
}

/** The first missing capability and its reason, or undefined when the worker has them all. */
export function missingCapability(s: Scenario, caps: Record<string, true | string>, maxLowers?: number): string | undefined {
  if (maxLowers !== undefined && s.layers.lowers.length > maxLowers)
    return `the scenario has ${s.layers.lowers.length} lower layers; this implementation mounts at most ${maxLowers}`;
  for (const r of requirementsOf(s)) {
    // device-open: an adapter that makes device nodes keeps device semantics for a scenario that declares it, unless it says otherwise
    const c = r === 'device-open' && caps[r] === undefined ? caps.mknod : caps[r];
    if (c === true) continue;
    return `needs ${r}: ${c ?? 'this adapter does not declare it'}`;
  }
  return undefined;
}
