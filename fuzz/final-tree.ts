// The final merged tree as a fuzz comparison: after the steps every side snapshots its whole
// merged tree (engine/snapshot.ts), is remounted and snapshotted again (engine/final.ts). The
// implementation's warm tree must equal the oracle's (times aside: they are when the case ran),
// and its cold tree its warm one where the oracle's does, so a change lost or altered by a
// remount shows even when no step looked at it.

import type { FinalState } from '../engine/final.js';
import type { SnapEntry, Snapshot } from '../engine/snapshot.js';
import type { Norm } from './outcome.js';

/** One path where two final trees differ. */
export interface TreeDifference {
  /** 'final-tree': against the oracle; 'final-remount': the implementation's own warm vs cold */
  op: 'final-tree' | 'final-remount';
  path: string;
  expected: Norm;
  observed: Norm;
  what: string[];
}

/** snapshot field → the word step comparisons use for it (so the same explainers apply) */
const WORD: Record<string, string> = { digest: 'data', same: 'ino', xattrs: 'names', type: 'type', mode: 'mode', uid: 'uid', gid: 'gid', nlink: 'nlink', size: 'size', target: 'target' };

const comparable = (e: SnapEntry): Record<string, unknown> => {
  const { mtime: _m, ...rest } = e;
  if (rest.type === 'dir') delete (rest as { nlink?: number }).nlink;
  return rest;
};

const norm = (e: SnapEntry | undefined): Norm => {
  if (!e) return { key: 'absent', status: 'ENOENT' };
  const fields = comparable(e);
  return { key: 'ok ' + JSON.stringify(fields), status: 'ok', fields };
};

/** Every path where `got` differs from `want`, in path order. */
export function treeDifferences(op: TreeDifference['op'], want: Snapshot, got: Snapshot): TreeDifference[] {
  const out: TreeDifference[] = [];
  for (const path of [...new Set([...Object.keys(want), ...Object.keys(got)])].sort()) {
    const a = norm(want[path]);
    const b = norm(got[path]);
    if (a.key === b.key) continue;
    let what: string[];
    if (a.status !== b.status) what = ['entries'];
    else {
      const keys = new Set([...Object.keys(a.fields ?? {}), ...Object.keys(b.fields ?? {})]);
      what = [...keys].filter((k) => JSON.stringify(a.fields?.[k]) !== JSON.stringify(b.fields?.[k])).map((k) => WORD[k] ?? k).sort();
    }
    out.push({ op, path, expected: a, observed: b, what });
  }
  return out;
}

const snapshots = (f: FinalState | undefined) => (f && 'warm' in f ? f : undefined);

/** The final-tree differences of the implementation against one oracle ([] when either could not snapshot). */
export function finalDifferences(impl: FinalState | undefined, oracle: FinalState | undefined): TreeDifference[] {
  const i = snapshots(impl);
  const o = snapshots(oracle);
  if (!i || !o) return [];
  const diffs = treeDifferences('final-tree', o.warm, i.warm);
  // a remount that changes the oracle's tree too is modelled behaviour, not a lost change
  if (treeDifferences('final-remount', o.warm, o.cold).length === 0) diffs.push(...treeDifferences('final-remount', i.warm, i.cold));
  return diffs;
}

/** Why a side's final tree was not compared, if it was not. */
export const finalSkipped = (f: FinalState | undefined): string | undefined => (!f ? 'no final state recorded' : 'skipped' in f ? f.skipped : undefined);
