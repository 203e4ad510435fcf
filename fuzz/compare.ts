// Comparing one case's runs: the implementation against its oracles, step by step. Where the
// two oracles disagree (the model shows an overlay behaviour the flat baseline cannot), the
// implementation is followed along whichever one it agreed with.

import type { RunRecord } from '../engine/classify.js';
import { finalDifferences, type TreeDifference } from './final-tree.js';
import { differs, FREEING_OPS, InoOrdinals, normalise, type Norm } from './outcome.js';

/** The first step where the implementation agrees with no oracle. */
export interface Divergence {
  /** index into the scenario's steps */
  step: number;
  observed: Norm;
  /** what the oracle it was being compared with observed */
  expected: Norm;
  oracle: string;
  what: string[];
  /** every oracle's normalised outcomes up to and including this step (for writing a finding) */
  oracleSteps: Norm[];
  /** set when the steps agreed and the final merged tree differs (`step` is then the step count) */
  final?: TreeDifference;
}

export type Comparison =
  | { kind: 'agree'; steps: number }
  | { kind: 'skip'; reason: string }
  | { kind: 'error'; reason: string }
  | { kind: 'diverge'; d: Divergence };

const norms = (r: RunRecord): Norm[] => {
  const inos = new InoOrdinals();
  return r.steps.map((s) => {
    const n = normalise(s.outcome, inos);
    if (FREEING_OPS.has(s.step.op)) inos.retire();
    return n;
  });
};

/** Compare the implementation's record with the oracles' (named, first is preferred). */
export function compareRuns(impl: RunRecord, oracles: { name: string; rec: RunRecord }[], ignore: ReadonlySet<number | string> = new Set()): Comparison {
  for (const r of [impl, ...oracles.map((o) => o.rec)]) if (r.skip !== undefined) return { kind: 'skip', reason: r.skip };
  for (const o of oracles) if (o.rec.error) return { kind: 'error', reason: `oracle ${o.name}: ${o.rec.error}` };
  for (const r of [impl, ...oracles.map((o) => o.rec)]) {
    const s = r.steps.find((x) => !x.outcome.ok && 'skip' in x.outcome);
    if (s && !s.outcome.ok && 'skip' in s.outcome) return { kind: 'skip', reason: `${s.step.op}: ${s.outcome.skip}` };
  }
  const mine = norms(impl);
  let live = oracles.map((o) => ({ name: o.name, steps: norms(o.rec) }));
  const n = Math.max(mine.length, ...live.map((o) => o.steps.length));
  // the implementation died (a daemon killed by a signal): its own bug, a finding at the step it surfaced on
  const crash = impl.fault?.party === 'implementation' ? (impl.fault.step ?? impl.steps.findIndex((x) => !x.outcome.ok && 'harness' in x.outcome)) : undefined;
  for (let i = 0; i < n; i++) {
    const got = crash === i ? crashNorm(impl.fault?.message ?? '') : mine[i];
    if (!got) return crashAfter(impl, live, i) ?? (impl.error ? { kind: 'error', reason: impl.error } : { kind: 'agree', steps: i });
    // the harness refusing a step (an unbound handle, a path it cannot pass) is not behaviour
    if (ignore.has(i)) continue;
    if (got.status === 'harness' || got.status === 'escape') {
      const o = impl.steps[i].outcome as { harness?: string; escape?: string };
      return { kind: 'error', reason: `step ${i + 1} (${impl.steps[i].step.op}): the harness could not run it: ${o.harness ?? o.escape ?? ''}` };
    }
    const agreeing = live.filter((o) => o.steps[i]?.key === got.key);
    if (agreeing.length) {
      live = agreeing;
      continue;
    }
    const ref = live.find((o) => o.steps[i]) ?? live[0];
    const expected = ref.steps[i] ?? { key: 'stopped', status: 'stopped' };
    return { kind: 'diverge', d: { step: i, observed: got, expected, oracle: ref.name, what: differs(expected, got), oracleSteps: ref.steps.slice(0, i + 1) } };
  }
  if (impl.error) return { kind: 'error', reason: impl.error };
  return finalComparison(impl, oracles, live, n, ignore);
}

/** A crash as an outcome: `crash SIGABRT` (the signal, when the message names one). */
function crashNorm(message: string): Norm {
  const sig = /signal \d+ \((SIG\w+)\)|\b(SIG[A-Z]+)\b/.exec(message);
  const status = `crash${sig ? ' ' + (sig[1] ?? sig[2]) : ''}`;
  return { key: status, status };
}

/** A crash found only after the last step (at teardown): a divergence at the last step. */
function crashAfter(impl: RunRecord, live: { name: string; steps: Norm[] }[], i: number): Comparison | undefined {
  if (impl.fault?.party !== 'implementation' || i === 0) return undefined;
  const ref = live[0];
  const observed = crashNorm(impl.fault.message);
  const expected = ref.steps[i - 1] ?? { key: 'stopped', status: 'stopped' };
  return { kind: 'diverge', d: { step: i - 1, observed, expected, oracle: ref.name, what: ['errno'], oracleSteps: ref.steps.slice(0, i) } };
}

/** The final trees, once every step agreed: agree when some live oracle's tree matches. */
function finalComparison(impl: RunRecord, oracles: { name: string; rec: RunRecord }[], live: { name: string; steps: Norm[] }[], n: number, ignore: ReadonlySet<number | string>): Comparison {
  let first: { name: string; steps: Norm[]; d: TreeDifference } | undefined;
  for (const o of live) {
    const rec = oracles.find((x) => x.name === o.name)?.rec;
    const left = finalDifferences(impl.final, rec?.final).filter((d) => !ignore.has(`${d.op} ${d.path}`));
    if (!left.length) return { kind: 'agree', steps: n };
    first ??= { ...o, d: left[0] };
  }
  if (!first) return { kind: 'agree', steps: n };
  const d = first.d;
  return { kind: 'diverge', d: { step: n, observed: d.observed, expected: d.expected, oracle: first.name, what: d.what, oracleSteps: first.steps, final: d } };
}
