// Running one generated case on every side and comparing: the property the campaign checks.

import type { Catalog } from '../language/loader/catalog.js';
import type { Profile, Scenario } from '../language/model.js';
import type { RunRecord } from '../engine/classify.js';
import { compareRuns, type Comparison, type Divergence } from './compare.js';
import type { Case } from './gen/case.js';
import { caseDoc } from './gen/case.js';
import { loadValue } from './load.js';
import { disturbed, dropCount, MAX_RERUNS } from './disturbance.js';
import { runOn, type Side } from './sides.js';
import { explain, factsOf, signature, type DivergenceFacts } from './triage.js';

/** What one case came to. */
export type CaseVerdict =
  | { kind: 'agree' | 'skip' | 'error'; detail?: string }
  | { kind: 'explained'; deviation: string; facts: DivergenceFacts }
  | { kind: 'finding'; signature: string; facts: DivergenceFacts; d: Divergence; scenario: Scenario; doc: Record<string, unknown>; actions: number };

/** Everything a case needs besides the case itself. */
export interface CaseContext {
  impl: Side;
  oracles: Side[];
  catalog: Catalog;
  profiles: Profile[];
  /** deviations the reference model documents itself (kernel vs model: never an excuse) */
  oracleOwn: Set<string>;
  dir: string;
  xattr: boolean;
  timeoutMs?: number;
  n: number;
  /** snapshot the final merged tree on every side and compare it ('warm': without the remount and second snapshot) */
  finalTree?: boolean | 'warm';
  /** the machine's count of cache drops (fuzz/disturbance.ts; tests give their own) */
  dropCount?: () => number | undefined;
  /** disagreeing cases run again because another process dropped the caches while they ran */
  reruns?: number;
}

/** The path a step is about: its path or from argument, or the path its fd was opened at. */
export function stepPath(s: Scenario, index: number): string | undefined {
  const st = s.steps[index];
  const a = st.args as Record<string, unknown>;
  if (typeof a.path === 'string') return a.path;
  if (typeof a.from === 'string') return a.from;
  const handle = (a.fd ?? a.map) as string | undefined;
  const opener = s.steps.slice(0, index).reverse().find((x) => x.as === handle);
  return opener ? stepPath(s, opener.index) : undefined;
}

/** Run a scenario on the implementation and the oracles (at once). */
export async function runAllSides(ctx: CaseContext, s: Scenario): Promise<{ impl: RunRecord; oracles: { name: string; rec: RunRecord }[] }> {
  const id = `c${++ctx.n}`;
  // the sides share nothing, so they run at once: the model computes while the kernel's agent works.
  // Every side settles before this returns, also when one fails (a replacement worker that could
  // not start): a side still running would start its own replacement worker after the campaign
  // closed the sides and removed its directory, and leave that worker and its directory behind.
  const settled = await Promise.allSettled([ctx.impl, ...ctx.oracles].map((side) => runOn(side, s, id, ctx.timeoutMs, ctx.finalTree)));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [impl, ...recs] = settled.map((r) => (r as PromiseFulfilledResult<RunRecord>).value);
  return { impl, oracles: ctx.oracles.map((o, i) => ({ name: `${o.adapter.name}/${o.variant}`, rec: recs[i] })) };
}

/** Run one case and triage its first divergence. */
export async function runCase(ctx: CaseContext, c: Case): Promise<CaseVerdict> {
  const { doc, origins } = caseDoc(c, 'fuzz/generated', { xattr: ctx.xattr });
  const s = loadValue(doc, 'case.yaml', ctx.catalog);
  return runScenarioCase(ctx, c, s, doc, origins.filter((o) => 'action' in o).length);
}

/**
 * Run a case's scenario on every side and judge it. A finding in a run during which another
 * process dropped the caches (fuzz/disturbance.ts) is run again, up to MAX_RERUNS times: the
 * verdict of the last run stands.
 */
export async function runScenarioCase(ctx: CaseContext, c: Case, s: Scenario, doc: Record<string, unknown>, actions: number): Promise<CaseVerdict> {
  const count = ctx.dropCount ?? dropCount;
  const real = [ctx.impl, ...ctx.oracles].map((side) => side.adapter.name !== 'memory');
  for (let attempt = 0; ; attempt++) {
    const before = count();
    const { impl, oracles } = await runAllSides(ctx, s);
    const v = judge(ctx, c, s, doc, impl, oracles, actions);
    if (v.kind !== 'finding' || attempt === MAX_RERUNS) return v;
    const droppers = [impl, ...oracles.map((o) => o.rec)].filter((_r, i) => real[i]);
    if (!disturbed(before, count(), droppers)) return v;
    ctx.reruns = (ctx.reruns ?? 0) + 1;
  }
}

/** The verdict of one run of a case on every side. */
function judge(ctx: CaseContext, c: Case, s: Scenario, doc: Record<string, unknown>, impl: RunRecord, oracles: { name: string; rec: RunRecord }[], actions: number): CaseVerdict {
  // an explained difference in an observation changes nothing: compare the steps after it too
  const ignore = new Set<number | string>();
  let first: CaseVerdict | undefined;
  for (;;) {
    const cmp = compareRuns(impl, oracles, ignore);
    const v = verdictOf(ctx, c, s, doc, cmp, actions);
    if (v.kind !== 'explained' || cmp.kind !== 'diverge') return v.kind === 'agree' && first ? first : v;
    const fin = cmp.d.final;
    if (!fin && !OBSERVATIONS.has(s.steps[cmp.d.step].op)) return v;
    first ??= v;
    ignore.add(fin ? `${fin.op} ${fin.path}` : cmp.d.step);
  }
}

/** ops that only look: an explained difference in one leaves the state as it was */
const OBSERVATIONS = new Set(['readdir', 'lstat', 'stat', 'fstat', 'readfile', 'readlink', 'listxattr', 'getxattr', 'pread', 'read', 'mread']);

/** Triage a comparison. */
export function verdictOf(ctx: CaseContext, c: Case, s: Scenario, doc: Record<string, unknown>, cmp: Comparison, actions: number): CaseVerdict {
  if (cmp.kind === 'agree') return { kind: 'agree' };
  if (cmp.kind === 'skip') return { kind: 'skip', detail: cmp.reason };
  if (cmp.kind === 'error') return { kind: 'error', detail: cmp.reason };
  const d = cmp.d;
  const facts = d.final ? factsOf(d, d.final.op, d.final.path, c.stack.classes) : factsOf(d, s.steps[d.step].op, stepPath(s, d.step), c.stack.classes, s.steps[d.step].args as Record<string, unknown>);
  const dev = explain(facts, ctx.profiles, ctx.impl.variant, ctx.impl.fingerprint, ctx.oracleOwn);
  if (dev) return { kind: 'explained', deviation: dev, facts };
  return { kind: 'finding', signature: signature(facts), facts, d, scenario: s, doc, actions };
}
