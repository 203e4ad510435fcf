// The cold final tree against the posix baseline's: after the warm/cold check, what an
// implementation finally shows is compared with what the same scenario run leaves on a plain
// directory (the layers flattened on ext4/tmpfs). A write that silently goes nowhere, checked by
// no step, shows here. Only what POSIX fixes is compared: identity classes, never inode numbers;
// a time only where the scenario set it; no directory link counts or symlink modes (POSIX leaves
// them open).

import type { ProfileDeviation, Scenario } from '../language/model.js';
import { finalCovers } from './final.js';
import { changeWords, snapshotChanges, type SnapChange, type SnapEntry, type Snapshot } from './snapshot.js';

/** What the executor's caller attaches to a run record: the differences, or why there is no comparison. */
export type BaselineState = { changes: SnapChange[] } | { skipped: string };

/** How a result records the comparison: compact when equal, the differences in words otherwise. */
export type BaselineOutcome =
  | 'same'
  | { notCompared: string }
  /** `explainedBy`: the deviations (observed in the steps, or a profile `final:` entry) that explain it; `after`: a step already failed */
  | { differs: string[]; explainedBy?: string[]; after?: 'mismatch' };

/** "sec.nsec" with nine digits, or undefined for what is not a fixed time ("now", "omit") */
function normTime(v: unknown): string | undefined {
  const m = /^(-?[0-9]+)(?:\.([0-9]{1,9}))?$/.exec(String(v ?? '').trim());
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : undefined;
}

const fixedCache = new WeakMap<Scenario, Set<string>>();

/** The times the scenario itself fixed: in its layers and in its utimens steps. */
export function fixedTimes(s: Scenario): Set<string> {
  let out = fixedCache.get(s);
  if (out) return out;
  out = new Set<string>();
  for (const tree of [...s.layers.lowers, ...(s.layers.upper ? [s.layers.upper] : [])])
    for (const e of Object.values(tree)) {
      const t = 'mtime' in e ? normTime(e.mtime) : undefined;
      if (t) out.add(t);
    }
  for (const st of s.steps) {
    const t = st.op === 'utimens' ? normTime(st.args.mtime) : undefined;
    if (t) out.add(t);
  }
  fixedCache.set(s, out);
  return out;
}

/** One entry as the comparison sees it: the fields POSIX fixes for it. */
function comparable(e: SnapEntry, fixed: boolean, xattrs: boolean): SnapEntry {
  const { mtime, nlink, xattrs: x, mode, ...rest } = e;
  return {
    ...rest,
    // a symbolic link's permission bits are unspecified (POSIX symlink(), lstat())
    ...(e.type === 'symlink' ? {} : { mode }),
    // a directory's link count is the filesystem's business (1 on btrfs, 2 + subdirectories on ext4)
    ...(e.type === 'dir' ? {} : { nlink }),
    ...(fixed ? { mtime: normTime(mtime) ?? mtime } : {}),
    ...(xattrs && x ? { xattrs: x } : {}),
  } as SnapEntry;
}

/** The differences of an implementation's cold tree from the baseline's (baseline → implementation). `xattrs`: both sides could list user.* xattrs. */
export function baselineChanges(s: Scenario, base: Snapshot, cold: Snapshot, xattrs: boolean): SnapChange[] {
  const fixed = fixedTimes(s);
  const a: Snapshot = {};
  const b: Snapshot = {};
  for (const [p, e] of Object.entries(base)) {
    const f = fixed.has(normTime(e.mtime) ?? '');
    a[p] = comparable(e, f, xattrs);
    if (cold[p]) b[p] = comparable(cold[p], f, xattrs);
  }
  for (const [p, e] of Object.entries(cold)) if (!base[p]) b[p] = comparable(e, false, xattrs);
  // a whole entry is missing or extra compared with posix, not appeared or vanished in time
  return snapshotChanges(a, b).map((c) => (c.fields ? c : { ...c, words: base[c.path] ? `${c.path} missing (posix has a ${base[c.path].type})` : `${c.path} extra (${cold[c.path].type}; posix has none)` }));
}

const names = (d: ProfileDeviation, x: string) => (d.final ?? []).some((e) => finalCovers(e, x));

/**
 * Whether a profile `final:` entry names the change: each field, or the whole words of an entry
 * that is missing or extra. A name that left its identity class (`same "x" → absent`: a hard
 * link broken) is covered whole when the entry names that: from then on the names are separate
 * files, and whatever was done through one (mode, data, xattrs, nlink) no longer shows on the other.
 */
const covered = (d: ProfileDeviation, c: SnapChange) =>
  c.fields ? c.fields.some((x) => x.startsWith('same ') && x.endsWith('→ absent') && names(d, x)) || c.fields.every((x) => names(d, x)) : names(d, c.words);

/**
 * Judge the comparison: equal; explained by a profile's `final:` entry or by a deviation the steps
 * observed (`observed`); a consequence of a step that already failed; or a mismatch in words.
 */
export function baselineVerdict(state: BaselineState, documented: Map<string, ProfileDeviation>, observed: Set<string>, failed: boolean): { outcome: BaselineOutcome; message?: string; explainedBy: string[] } {
  if ('skipped' in state) return { outcome: { notCompared: state.skipped }, explainedBy: [] };
  if (!state.changes.length) return { outcome: 'same', explainedBy: [] };
  const differs = changeWords(state.changes);
  const byProfile = [...documented.values()].filter((d) => d.final?.length && state.changes.every((c) => covered(d, c))).map((d) => d.id);
  const explainedBy = byProfile.length ? byProfile.sort() : [...observed].sort();
  if (explainedBy.length) return { outcome: { differs, explainedBy }, explainedBy };
  if (failed) return { outcome: { differs, after: 'mismatch' }, explainedBy: [] };
  return { outcome: { differs }, message: `the final merged tree differs from the POSIX baseline (posix → this implementation): ${differs.join('; ')}`, explainedBy: [] };
}
