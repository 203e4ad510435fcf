// The whole final state, warm and cold: after the last step the merged tree is snapshotted, the
// scenario is remounted (nothing cached survives an unmount), and snapshotted again. A correct
// implementation shows the same tree both times; a lost write or a stale cached attribute shows
// as a difference, in every scenario, without the scenario asking for it.

import type { Worker } from '../adapters/adapter.js';
import { describeOutcome } from './match.js';
import { snapshot, snapshotDiff, type Snapshot } from './snapshot.js';

/** What the final-state check saw: both snapshots, or why it could not run. */
export type FinalState = { warm: Snapshot; cold: Snapshot; ms: number } | { skipped: string };

/** Snapshot, remount, snapshot again; `guard` bounds each call (the executor's timeout). `warmOnly`: no remount, cold = warm. */
export async function finalState(w: Worker, guard: <T>(p: Promise<T>, what: string) => Promise<T>, warmOnly = false): Promise<FinalState> {
  const t0 = performance.now();
  if (warmOnly) {
    const warm = await guard(snapshot(w), 'the final snapshot');
    return { warm, cold: warm, ms: performance.now() - t0 };
  }
  if (w.capabilities.remount !== true) return { skipped: `the adapter cannot remount (${String(w.capabilities.remount ?? 'no remount capability')})` };
  const warm = await guard(snapshot(w), 'the final snapshot');
  const r = await guard(w.remount(undefined, false), 'the remount after the last step');
  if (!r.ok) return { skipped: `the remount after the last step ${describeOutcome(r)}` };
  const cold = await guard(snapshot(w), 'the snapshot after the remount');
  return { warm, cold, ms: performance.now() - t0 };
}

/** The final-state mismatch in words, or undefined when warm and cold agree. */
export function finalMismatch(f: FinalState | undefined): string | undefined {
  if (!f || 'skipped' in f) return undefined;
  const d = snapshotDiff(f.warm, f.cold);
  return d.length ? `final state: the merged view changed after a remount: ${d.join('; ')}` : undefined;
}
