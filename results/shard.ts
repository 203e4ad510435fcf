// Splits the selected scenarios into N shards for CI matrices: deterministic (the same input
// gives the same split on every machine), each scenario in exactly one shard, balanced by cost
// (steps × layers, or milliseconds measured in an earlier results file).

import type { Scenario } from '../language/model.js';
import type { ResultsFile } from '../language/schema/results.js';
import { UsageError } from '../language/errors.js';
import { readResults } from './diff/read.js';

/** Shard I of N, 1-based as written on the command line. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** Parse `I/N` (1 ≤ I ≤ N). */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new Error(`--shard must be I/N with 1 ≤ I ≤ N (e.g. 2/4), not ${JSON.stringify(text)}`);
  return { index, count };
}

/** The model cost of a scenario: its steps times its layers (at least 1 each). */
export function modelCost(s: Pick<Scenario, 'steps' | 'layers'>): number {
  const layers = s.layers.lowers.length + (s.layers.upper ? 1 : 0);
  return Math.max(1, s.steps.length) * Math.max(1, layers);
}

/** Measured cost per run id: the scenario's milliseconds summed over every variant of a results file. */
export function measuredCosts(file: Pick<ResultsFile, 'results'>): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of file.results) out.set(r.scenario, (out.get(r.scenario) ?? 0) + r.ms);
  return out;
}

/** Cost per run id: measured where known; elsewhere the model cost scaled to the measured unit. */
export function costs(scenarios: Pick<Scenario, 'runId' | 'steps' | 'layers'>[], measured?: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  let ms = 0;
  let model = 0;
  for (const s of scenarios) {
    const m = measured?.get(s.runId);
    if (m !== undefined) {
      ms += m;
      model += modelCost(s);
    }
  }
  const scale = measured && model > 0 && ms > 0 ? ms / model : 1;
  for (const s of scenarios) out.set(s.runId, measured?.get(s.runId) ?? modelCost(s) * scale);
  return out;
}

/**
 * Partition keys into `count` bins: largest cost first (ties by key, compared by code unit so no
 * locale can change the order), each into the currently lightest bin (ties: the lowest index).
 */
export function partition(cost: Map<string, number>, count: number): string[][] {
  const bins: string[][] = Array.from({ length: count }, () => []);
  const load = new Array<number>(count).fill(0);
  const keys = [...cost.keys()].sort((a, b) => cost.get(b)! - cost.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
  for (const k of keys) {
    let best = 0;
    for (let i = 1; i < count; i++) if (load[i] < load[best]) best = i;
    bins[best].push(k);
    load[best] += cost.get(k)!;
  }
  return bins;
}

/** The scenarios of one shard, in their original (suite) order. */
export function selectShard<S extends Pick<Scenario, 'runId' | 'steps' | 'layers'>>(scenarios: S[], shard: ShardSpec, measured?: Map<string, number>): S[] {
  const seen = new Set<string>();
  for (const s of scenarios) {
    if (seen.has(s.runId)) throw new Error(`--shard: run id ${s.runId} appears twice in the suite; shards need unique run ids`);
    seen.add(s.runId);
  }
  const mine = new Set(partition(costs(scenarios, measured), shard.count)[shard.index - 1]);
  return scenarios.filter((s) => mine.has(s.runId));
}

/** `run --shard I/N [--shard-costs FILE]`: the shard's scenarios (all of them without --shard). */
export function shardScenarios<S extends Pick<Scenario, 'runId' | 'steps' | 'layers'>>(scenarios: S[], shard?: string, costsFile?: string): { scenarios: S[]; shard?: ShardSpec } {
  if (!shard) {
    if (costsFile) throw new UsageError('--shard-costs needs --shard');
    return { scenarios };
  }
  try {
    const spec = parseShard(shard);
    const measured = costsFile ? measuredCosts(readResults(costsFile)) : undefined;
    return { scenarios: selectShard(scenarios, spec, measured), shard: spec };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
