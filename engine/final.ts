// The whole final state, warm and cold: after the last step the merged tree is snapshotted, the
// scenario is remounted (nothing cached survives an unmount), and snapshotted again. A correct
// implementation shows the same tree both times; a lost write or a stale cached attribute shows
// as a difference, in every scenario, without the scenario asking for it.

import type { Worker } from '../adapters/adapter.js';
import { describeOutcome } from './match.js';
import type { ProfileDeviation } from '../language/model.js';
import { changeWords, snapshot, snapshotChanges, snapshotOf, SNAPSHOT_DATA, type Snapshot } from './snapshot.js';

/** What the final-state check saw: both snapshots, or why it could not run. */
export type FinalState = { warm: Snapshot; cold: Snapshot; ms: number; /** why cold is the warm tree again: no remount */ noRemount?: string } | { skipped: string };

/** Snapshot, remount, snapshot again; `guard` bounds each call (the executor's timeout). `warmOnly`: no remount, cold = warm. */
export async function finalState(w: Worker, guard: <T>(p: Promise<T>, what: string) => Promise<T>, warmOnly = false, maxDepth?: number): Promise<FinalState> {
  const t0 = performance.now();
  // a worker that sends the listing, the remount and the listing after it at once (one round
  // trip); when its first listing fails, nothing after it ran and the check goes step by step
  const chain = !warmOnly && w.capabilities.remount === true ? w.finalRemount?.(SNAPSHOT_DATA) : undefined;
  // warm only: a worker that sends the listing and its teardown at once (the check ends there)
  const last = warmOnly ? w.lastTree?.(SNAPSHOT_DATA) : undefined;
  // nothing to snapshot (the scenario's own mount was refused) or a tree the overlay refuses to walk
  // (an invalid redirect it will not follow): said in the result, not an error of the scenario
  let warm: Snapshot;
  let chained = false;
  try {
    const items = chain ? await guard(chain.warm, 'the final snapshot') : last ? await guard(last, 'the final snapshot') : undefined;
    chained = chain !== undefined && items !== undefined;
    warm = items ? snapshotOf(items) : await guard(snapshot(w, maxDepth), 'the final snapshot');
  } catch (e) {
    // a hang or a dead agent stays the executor's to blame
    if (!(e instanceof Error) || e.constructor.name === 'WorkerBroken') throw e;
    return { skipped: `the merged tree could not be snapshotted: ${(e as Error).message}` };
  }
  // warm only (fuzz): a tree the overlay refuses to walk is skipped the same way, not a broken
  // worker (userxattr's unfollowed redirects made one kernel fuzz case in six a harness error)
  if (warmOnly) return { warm, cold: warm, ms: performance.now() - t0 };
  // an adapter that cannot remount has no cold view: the warm tree stands in for it (the posix
  // baseline comparison still sees it), and the warm/cold check finds nothing to compare
  if (w.capabilities.remount !== true) return { warm, cold: warm, ms: performance.now() - t0, noRemount: `the adapter cannot remount (${String(w.capabilities.remount ?? 'no remount capability')})` };
  const r = await guard(chained ? chain!.remount.then((x) => x!) : w.remount(undefined, false), 'the remount after the last step');
  if (!r.ok) return { skipped: `the remount after the last step ${describeOutcome(r)}` };
  const cold = await guard(chained ? chain!.cold.then((x) => snapshotOf(x!)) : snapshot(w, maxDepth), 'the snapshot after the remount');
  return { warm, cold, ms: performance.now() - t0 };
}

/** Whether a profile's `final:` entry names this change: literally ("nlink 1 → 2"), or with `*`
 * standing for any one value ("mtime * → *": an implementation whose cached times differ from the
 * ones it stores, whatever they are). */
export function finalCovers(entry: string, field: string): boolean {
  if (!entry.includes('*')) return entry === field;
  let re = patterns.get(entry);
  if (!re) {
    re = new RegExp('^' + entry.split('*').map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\S+') + '$');
    patterns.set(entry, re);
  }
  return re.test(field);
}

// compiled once per entry, as profile globs are: the check runs for every change of every run
const patterns = new Map<string, RegExp>();

const names = (d: ProfileDeviation, x: string) => (d.final ?? []).some((e) => finalCovers(e, x));

/** What the final-state check found: the mismatch in words (none when warm and cold agree, or
 * when every change is one a documented deviation explains), and the deviations that explained. */
export function finalMismatch(f: FinalState | undefined, documented: Map<string, ProfileDeviation> = new Map()): { message?: string; explainedBy: string[]; changes?: string } {
  if (!f || 'skipped' in f) return { explainedBy: [] };
  const changes = snapshotChanges(f.warm, f.cold);
  const by = new Set<string>();
  const left = changes.filter((c) => {
    const ids = c.fields && c.fields.every((x) => [...documented.values()].some((d) => names(d, x))) ? [...documented.values()].filter((d) => c.fields!.some((x) => names(d, x))).map((d) => d.id) : [];
    ids.forEach((id) => by.add(id));
    return ids.length === 0;
  });
  const explainedBy = [...by].sort();
  if (!left.length) return { explainedBy, ...(changes.length ? { changes: changeWords(changes).join('; ') } : {}) };
  return { message: `final state: the merged view changed after a remount: ${changeWords(left).join('; ')}`, explainedBy: [] };
}
