// A fuzz campaign: fast-check draws cases from a seed until the budget is spent; each new kind
// of finding is shrunk by fast-check to a minimal case, then the search goes on from the next
// seed. The same seed and budget draw the same cases, so a campaign finds the same again.

import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Adapter } from '../adapters/adapter.js';
import type { Catalog } from '../language/loader/catalog.js';
import type { Profile } from '../language/model.js';
import { runCase, type CaseContext, type CaseVerdict } from './case-run.js';
import { capsOf, caseArb, type Case } from './gen/case.js';
import { capabilitiesOf, closeSides, memoryVariantFor, openSide, type Side } from './sides.js';
import { documentedIds } from './triage.js';

export interface CampaignOptions {
  adapter: string | Adapter;
  variant: string;
  /** 'memory': the model is the only oracle (kernel vs model); default: model and POSIX baseline */
  against?: 'memory';
  seed: number;
  budgetMs: number;
  /** stop after this many generated cases (shrinking runs not counted) */
  maxCases?: number;
  /** stop after this many distinct findings */
  maxFindings?: number;
  /** evaluations one finding's shrinking may take */
  shrinkRuns?: number;
  maxActions?: number;
  workdir: string;
  catalog: Catalog;
  profiles: Map<string, Profile[]>;
  timeoutMs?: number;
  /** compare the final merged trees: true (warm and after a remount), 'warm' (default), false */
  finalTree?: boolean | 'warm';
  /** called with each new finding, shrunk (write it out here) */
  onFinding?: (f: Extract<CaseVerdict, { kind: 'finding' }>, c: Case, ctx: CaseContext) => Promise<void>;
  onProgress?: (s: CampaignStats) => void;
}

export interface CampaignStats {
  cases: number;
  shrinkRuns: number;
  agree: number;
  skipped: number;
  errors: number;
  explained: Record<string, number>;
  findings: string[];
  /** how often each finding's signature was hit again after it was recorded */
  repeats: Record<string, number>;
  elapsedMs: number;
  rounds: number;
  skipReasons: Record<string, number>;
  /** why cases could not be compared (a harness fault is neither a finding nor hidden) */
  errorReasons: Record<string, number>;
  /** disagreeing runs made again because another process dropped the caches meanwhile (fuzz/disturbance.ts) */
  reruns: number;
}

/** Open the sides a campaign compares. */
export async function openCampaignSides(o: Pick<CampaignOptions, 'adapter' | 'variant' | 'against'>, dir: string): Promise<Side[]> {
  const sides: Side[] = [];
  const open = async (...a: Parameters<typeof openSide>) => {
    const s = await openSide(...a);
    if (typeof s === 'string') {
      await closeSides(sides);
      throw new Error(s);
    }
    sides.push(s);
  };
  await open('impl', o.adapter, o.variant, dir);
  await open('memory', 'memory', await memoryVariantFor(o.variant), dir);
  if (o.against !== 'memory') await open('posix', 'posix', 'ext4', dir);
  return sides;
}

/** Run a campaign; returns its statistics. */
export async function campaign(o: CampaignOptions): Promise<CampaignStats> {
  mkdirSync(o.workdir, { recursive: true });
  const dir = mkdtempSync(join(o.workdir, 'fuzz-'));
  const t0 = performance.now();
  const stats: CampaignStats = { cases: 0, shrinkRuns: 0, agree: 0, skipped: 0, errors: 0, explained: {}, findings: [], repeats: {}, elapsedMs: 0, rounds: 0, skipReasons: {}, errorReasons: {}, reruns: 0 };
  const sides = await openCampaignSides(o, dir);
  // the case running when fast-check's time limit interrupted the property: fast-check stops
  // waiting for it, but its requests are still with the agents, so it must settle before the
  // sides close (closing under it rejected them unhandled and killed the finished command)
  let inflight: Promise<unknown> | undefined;
  try {
    const [impl, ...oracles] = sides;
    const mem = oracles[0];
    const ctx: CaseContext = {
      impl, oracles, catalog: o.catalog, profiles: o.profiles.get(impl.fingerprint.implementation) ?? [],
      oracleOwn: o.against === 'memory' ? documentedIds(o.profiles.get('memory') ?? [], mem.variant, mem.fingerprint) : new Set(),
      dir, xattr: false, timeoutMs: o.timeoutMs, n: 0, finalTree: o.finalTree ?? 'warm',
    };
    const caps = capsOf(capabilitiesOf(sides), Math.min(...sides.map((s) => s.worker.maxLowers ?? 500)));
    ctx.xattr = caps.stack.xattr;
    const arb = caseArb(caps, o.maxActions);
    const left = () => o.budgetMs - (performance.now() - t0);
    const maxCases = o.maxCases ?? Number.MAX_SAFE_INTEGER;
    const shrinkRuns = o.shrinkRuns ?? 400;
    while (left() > 0 && stats.cases < maxCases && stats.findings.length < (o.maxFindings ?? Infinity)) {
      let target: string | undefined;
      let shrinking = 0;
      let last: Extract<CaseVerdict, { kind: 'finding' }> | undefined;
      const property = fc.asyncProperty(arb, async (c) => {
        if (target !== undefined) {
          if (++shrinking > shrinkRuns || left() <= 0) return true;
          stats.shrinkRuns++;
        } else {
          if (stats.cases >= maxCases || left() <= 0) return true;
          stats.cases++;
        }
        const running = runCase(ctx, c);
        inflight = running.catch(() => undefined);
        const v = await running;
        stats.reruns = ctx.reruns ?? 0;
        if (target === undefined) tally(stats, v);
        o.onProgress?.({ ...stats, elapsedMs: performance.now() - t0 });
        if (v.kind !== 'finding') return true;
        if (target === undefined) {
          if (stats.findings.includes(v.signature)) {
            stats.repeats[v.signature] = (stats.repeats[v.signature] ?? 0) + 1;
            return true;
          }
          target = v.signature;
        } else if (v.signature !== target) return true;
        last = v;
        return false;
      });
      const seed = (o.seed + stats.rounds * 1_000_003) | 0;
      stats.rounds++;
      const r = await fc.check(property, { seed, numRuns: Math.max(1, maxCases - stats.cases), interruptAfterTimeLimit: Math.max(1, left()), markInterruptAsFailure: false });
      if (!r.failed || !last || !r.counterexample) break;
      const [shrunk] = r.counterexample as [Case];
      stats.findings.push(last.signature);
      await o.onFinding?.(last, shrunk, ctx);
    }
  } finally {
    await inflight;
    await closeSides(sides);
    rmSync(dir, { recursive: true, force: true });
  }
  stats.elapsedMs = performance.now() - t0;
  return stats;
}

function tally(stats: CampaignStats, v: CaseVerdict): void {
  if (v.kind === 'agree') stats.agree++;
  else if (v.kind === 'skip') {
    stats.skipped++;
    const k = (v.detail ?? '').slice(0, 80);
    stats.skipReasons[k] = (stats.skipReasons[k] ?? 0) + 1;
  } else if (v.kind === 'error') {
    stats.errors++;
    const k = (v.detail ?? '').replace(/^step \d+ /, '').slice(0, 160);
    stats.errorReasons[k] = (stats.errorReasons[k] ?? 0) + 1;
  }
  else if (v.kind === 'explained') stats.explained[v.deviation] = (stats.explained[v.deviation] ?? 0) + 1;
}
