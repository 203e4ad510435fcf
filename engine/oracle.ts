// The posix baseline's final trees for one `ovlconf run`: one per scenario run id, computed once
// and shared by every variant. When posix is in the selection its own results are reused; any
// other scenario run is run on a posix worker lazily, only when an implementation's result needs
// the comparison, with the warm snapshot only (a plain directory has no cache to outlive).

import { join } from 'node:path';
import type { Adapter, Capabilities, Fingerprint, VariantInfo, Worker } from '../adapters/adapter.js';
import type { Profile, Scenario } from '../language/model.js';
import { baselineChanges, type BaselineState } from './baseline.js';
import { classify, type RunRecord } from './classify.js';
import { WorkerBroken } from './executor.js';
import { executeAlone } from './alone.js';
import { runIdOf } from './runid.js';
import type { ReadWriteLock } from './rwlock.js';
import { documented } from './profile.js';
import type { Snapshot } from './snapshot.js';

type Tree = { tree: Snapshot; xattrs: boolean } | { skipped: string };

/** the baseline's runs read no drop count: their notes are never shown (only the tree is kept) */
const uncounted = (): undefined => undefined;

/** Why a run gets no comparison: nothing to compare, or nothing the baseline could add (a step already differed). */
export function noComparison(s: Scenario, rec: RunRecord): boolean {
  if (s.baselineOpen || s.finalOpen || rec.skip !== undefined || rec.error !== undefined || rec.fault) return true;
  if (!rec.final || 'skipped' in rec.final) return true;
  // a step that differed from POSIX explains (a deviation) or already fails the run: the baseline adds nothing
  return rec.steps.some((r) => r.judgement.kind !== 'posix');
}

/** The baseline trees of one run of the suite. */
export class Baseline {
  private readonly trees = new Map<string, Promise<Tree>>();
  private readonly idle: Worker[] = [];
  private readonly waiting: ((w: Worker | undefined) => void)[] = [];
  private made = 0;
  private readonly all = new Set<Worker>();
  private fp?: Promise<Fingerprint | undefined>;
  /** oracle scenario runs made (not offered by posix in the selection) */
  runs = 0;

  constructor(private readonly target: { adapter: Adapter; variant: VariantInfo }, private readonly o: { jobs: number; workdir: string; timeoutMs?: number; profiles: Map<string, Profile[]>; /** the run's scenario lock (engine/alone.ts): a baseline run of a scenario that drops the caches runs alone too */ lock: ReadWriteLock }) {}

  /** Which posix variant answers ("posix/ext4"). */
  get name(): string {
    return `posix/${this.target.variant.name}`;
  }

  /** What posix observed itself, when posix is in the selection: reused, not run again. */
  offer(s: Scenario, rec: RunRecord, caps: Capabilities, verdict: string, reason?: string): void {
    if (!this.trees.has(s.runId)) this.trees.set(s.runId, Promise.resolve(this.treeOf(rec, caps, 'cold', verdict, reason)));
  }

  /**
   * Start the baseline run of a scenario now, before the implementation's own run says whether
   * it is needed, so the two overlap (a posix run waits on its agent as a kernel run waits on
   * umount): compare() then finds it made or under way. The tree is the same whenever it is made.
   */
  prefetch(s: Scenario): void {
    if (s.baselineOpen || s.finalOpen || this.trees.has(s.runId)) return;
    this.trees.set(s.runId, this.run(s));
  }

  /** Attach the comparison with the baseline to an implementation's record (nothing when there is nothing to compare). */
  async compare(s: Scenario, rec: RunRecord, caps: Capabilities): Promise<void> {
    if (noComparison(s, rec) || !rec.final || 'skipped' in rec.final) return;
    const cold = rec.final.cold;
    let p = this.trees.get(s.runId);
    if (!p) {
      p = this.run(s);
      this.trees.set(s.runId, p);
    }
    const t = await p;
    const state: BaselineState = 'skipped' in t ? t : { changes: baselineChanges(s, t.tree, cold, t.xattrs && caps.xattr === true) };
    rec.baseline = state;
  }

  /** The baseline tree of a posix run: only one whose steps all held (pass, or a deviation posix's profile documents). */
  private treeOf(rec: RunRecord, caps: Capabilities, which: 'warm' | 'cold', verdict: string, reason?: string): Tree {
    // compact: the posix result itself says the rest
    if (verdict !== 'pass' && verdict !== 'deviation') return { skipped: `${this.name} gave ${verdict}${reason ? ` (${reason.length > 100 ? `${reason.slice(0, 100)}…` : reason})` : ''}` };
    if (!rec.final || 'skipped' in rec.final) return { skipped: `${this.name} made no final snapshot${rec.final ? `: ${rec.final.skipped}` : ''}` };
    return { tree: rec.final[which], xattrs: caps.xattr === true };
  }

  private async run(s: Scenario): Promise<Tree> {
    const w = await this.acquire();
    if (!w) return { skipped: `${this.name} could not start a worker` };
    this.runs++;
    let broken = false;
    try {
      const fp = await this.fp;
      const doc = fp ? documented(this.o.profiles.get('posix') ?? [], this.target.variant.name, fp, s.id, s.runId) : new Map();
      // a worker first, then the lock: whoever holds the lock waits for nothing else (no signal: it always runs)
      const run = (await executeAlone(this.o.lock, w, s, { runId: runIdOf('b', this.runs), defaultTimeoutMs: this.o.timeoutMs, who: this.name, scratch: this.o.workdir, finalState: 'warm' }, undefined, uncounted))!;
      if (run.error) throw run.error;
      const rec = run.rec;
      const c = classify(s, rec, doc);
      return this.treeOf(rec, w.capabilities, 'warm', c.verdict, c.reason);
    } catch (e) {
      broken = e instanceof WorkerBroken;
      return { skipped: `${this.name} broke on this scenario run: ${(e as Error).message}` };
    } finally {
      this.release(w, broken);
    }
  }

  private async acquire(): Promise<Worker | undefined> {
    const w = this.idle.pop();
    if (w) return w;
    // two at least: with one, each baseline run waits on its agent's round trips while the
    // runner, its comparisons queued behind, waits on it (a core idle on a 1-job run)
    if (this.made < Math.max(2, this.o.jobs)) {
      const i = this.made++;
      try {
        const nw = await this.target.adapter.createWorker(this.target.variant.name, { workdir: join(this.o.workdir, `baseline.${this.target.variant.name}.${i}`), index: i });
        this.fp ??= nw.fingerprint().catch(() => undefined);
        this.all.add(nw);
        return nw;
      } catch {
        this.made--;
        return undefined;
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(w: Worker, broken: boolean): void {
    if (broken) {
      this.made--;
      this.all.delete(w);
      void (w.kill ? w.kill() : w.close()).catch(() => undefined);
      const next = this.waiting.shift();
      if (next) void this.acquire().then(next);
      return;
    }
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  /** Close every baseline worker (`kill`: the run was interrupted, busy ones too). */
  async close(kill = false): Promise<void> {
    // a prefetched run nobody needed may still be under way: let it end on its worker first
    if (!kill) await Promise.allSettled([...this.trees.values()]);
    this.idle.splice(0);
    this.waiting.splice(0).forEach((r) => r(undefined));
    const all = [...this.all];
    this.all.clear();
    await Promise.all(all.map((w) => (kill && w.kill ? w.kill() : w.close()).catch(() => (w.kill ? w.kill() : undefined))));
  }
}
