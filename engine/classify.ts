// The verdict of one scenario run: a pure function of the scenario, the judgements the executor
// recorded, and the deviations the implementation's profile documents for this variant. Steps
// are not matched again here; the verdict comes from the first unexpected step, and every
// mismatch is listed.

import type { ProfileDeviation, Scenario } from '../language/model.js';
import type { Verdict } from '../language/schema/results.js';
import { afterMismatch } from './after.js';
import { finalMismatch } from './final.js';
import { finalOptional } from './profile.js';
import { baselineVerdict, type BaselineOutcome } from './baseline.js';
import type { RunRecord, StepRun } from './judge.js';
import { conditionalAfterMismatch, linuxConvention } from './sharpen.js';

export type { RunRecord } from './judge.js';

/** One unexpected observation: a step (or the after block) that met neither POSIX nor a documented deviation. */
export interface Mismatch {
  message: string;
  line: number;
  /** 1-based step number; absent for the after block */
  step?: number;
  /** deviations whose alternative matched but the profile does not document here */
  matches?: string[];
}

export interface Classification {
  verdict: Verdict;
  deviations: string[];
  reason?: string;
  /** the mismatch the verdict comes from (a fail) */
  failure?: Mismatch;
  /** every unexpected observation, in order (a fail lists more than its first) */
  mismatches: Mismatch[];
  /** per recorded step: 'posix', the deviation id that matched, or null */
  matched: (string | null)[];
  notes: string[];
  /** the cold final tree against the posix baseline's, when compared */
  baseline?: BaselineOutcome;
}

const where = (r: StepRun) => `step ${r.step.index + 1} (${r.step.op}, line ${r.step.line})`;
const notDocumented = (ids: string[]) => `this is the known deviation ${ids.join(', ')}, which this implementation's profile does not document for this variant`;

/** The deviations that explain every unexpected observation, not only the first. */
function wholeMatches(all: { alternatives: string[] }[]): string[] {
  if (all.length === 0) return [];
  return all[0].alternatives.filter((id) => all.every((m) => m.alternatives.includes(id)));
}

/** the first step a crash found at teardown surfaced on: an errno a dead FUSE daemon leaves */
function surfaced(run: RunRecord): number {
  return run.steps.findIndex((r) => r.judgement.kind === 'mismatch' && !r.outcome.ok && 'errno' in r.outcome && ['EIO', 'ENOTCONN', 'ECONNABORTED'].includes(r.outcome.errno));
}

/** Classify a run. `documented` comes from engine/profile.ts for this variant and scenario. */
export function classify(s: Scenario, run: RunRecord, documented: Map<string, ProfileDeviation>): Classification {
  const matched: (string | null)[] = [];
  const notes: string[] = [];
  const base: Omit<Classification, 'verdict'> = { deviations: [] as string[], matched, notes, mismatches: [] as Mismatch[] };
  if (run.skip !== undefined) return { ...base, verdict: 'skip', reason: run.skip };
  // the harness or the machine failed (scratch space full, agent died): nothing observed can be trusted
  if (run.fault?.party === 'harness' && run.fault.machine) return { ...base, verdict: 'error', reason: run.fault.message };
  const used = new Set<string>();
  const unexpected: (Mismatch & { alternatives: string[] })[] = [];
  // the first thing that decides the verdict before any mismatch: an error or a skip
  let decided: { verdict: 'error' | 'skip'; reason: string } | undefined;
  // a crash of the implementation surfaces on the step it killed: that step is not judged
  const crashedAt = run.fault?.party === 'implementation' ? (run.fault.step ?? surfaced(run)) : -1;
  run.steps.forEach((r, i) => {
    const j = r.judgement;
    if (crashedAt >= 0 && i >= crashedAt && j.kind !== 'posix') {
      matched.push(null);
      return;
    }
    if (j.kind === 'posix') {
      const linux = linuxConvention(r);
      matched.push(linux?.id ?? 'posix');
      if (linux) {
        used.add(linux.id);
        notes.push(`${where(r)}: ${linux.why}`);
      }
    }
    else if (j.kind === 'none') {
      matched.push(null);
      const o = r.outcome;
      const consequence = unexpected.length > 0 || used.size > 0;
      // not run, or ran but cannot be judged (its expectation names a value never bound)
      if (o.ok || 'errno' in o || 'notRun' in o) {
        if (consequence) notes.push(`${where(r)}: ${j.why}`);
        else decided ??= { verdict: 'error', reason: `${where(r)}: ${j.why} (no earlier step explains it: a scenario problem)` };
      } else if (!o.ok && 'skip' in o) {
        if (!unexpected.length) decided ??= { verdict: 'skip', reason: `${where(r)}: ${o.skip}` };
      } else if (!unexpected.length) decided ??= { verdict: 'error', reason: `${where(r)}: ${j.why}` };
    } else {
      const doc = j.alternatives.filter((id) => documented.has(id));
      if (doc.length) {
        matched.push(doc[0]);
        doc.forEach((id) => used.add(id));
      } else {
        matched.push(null);
        if (!decided) unexpected.push({ message: `${where(r)}: ${j.why}`, line: r.step.line, step: r.step.index + 1, alternatives: j.alternatives });
      }
    }
  });
  if (decided && !unexpected.length) return { ...base, ...decided };
  if (run.fault?.party === 'implementation' && !unexpected.length) {
    const r = run.steps[crashedAt];
    const shown = r && !r.outcome.ok && 'errno' in r.outcome ? `; it surfaced in step ${r.step.index + 1} (${r.step.op}, line ${r.step.line}) as ${r.outcome.errno}` : '';
    const m: Mismatch = { message: run.fault.message + shown, line: r?.step.line ?? s.line, ...(r ? { step: r.step.index + 1 } : {}) };
    return { ...base, verdict: 'fail', reason: m.message, failure: m, mismatches: [m] };
  }
  if (run.error !== undefined && !unexpected.length) return { ...base, verdict: 'error', reason: run.fault?.message ?? run.error };
  // a worker that broke after an unexpected step keeps the verdict of that step
  if (run.error !== undefined) notes.push(`the run then broke: ${run.fault?.message ?? run.error}`);
  const stopped = run.steps.some((r) => r.judgement.kind === 'mismatch' && r.judgement.alternatives.some((id) => used.has(id) && r.step.deviations[id].stop));
  if (s.after && !stopped && (s.after.upper || s.after.lowerUnchanged || s.after.when.length) && run.error === undefined) {
    const ins = run.inspect;
    if (!ins) notes.push('layer-state checks not run');
    else if (!ins.ok) notes.push(`layer-state checks skipped: ${ins.skip}`);
    else {
      const why = afterMismatch(s.after, ins.upper, run.lowersBefore, ins.lowers) ?? conditionalAfterMismatch(s.after, run.context, ins.upper, run.lowersBefore, ins.lowers);
      if (why) {
        const alts = Object.entries(s.after.deviations).filter(([, spec]) => afterMismatch(spec, ins.upper, run.lowersBefore, ins.lowers) === undefined).map(([id]) => id);
        const doc = alts.filter((id) => documented.has(id));
        if (doc.length === 0) unexpected.push({ message: `after (line ${s.after.line}): ${why}`, line: s.after.line, alternatives: alts });
        doc.forEach((id) => used.add(id));
      }
    }
  }
  const final = stopped || run.error !== undefined ? undefined : finalMismatch(run.final, documented);
  if (final?.message) unexpected.push({ message: final.message, line: s.line, alternatives: [] });
  // an optional entry (the change comes and goes with the caches) is a note, so the verdict does not flip with them
  else for (const id of final?.explainedBy ?? []) {
    if (finalOptional(documented.get(id)!)) notes.push(`final state: ${final!.changes} after a remount, as the profile documents for ${id} (optional: it depends on what the caches held)`);
    else used.add(id);
  }
  if (run.final && 'skipped' in run.final && !run.final.skipped.startsWith('the adapter cannot remount')) notes.push(`final-state check not made: ${run.final.skipped}`);
  // the cold tree against the posix baseline: a difference no observed deviation or profile entry explains fails
  const b = run.baseline && !stopped && run.error === undefined ? baselineVerdict(run.baseline, documented, used, unexpected.length > 0) : undefined;
  if (b?.message) unexpected.push({ message: b.message, line: s.line, alternatives: [] });
  for (const id of b?.explainedBy ?? []) if (documented.has(id) && !(finalOptional(documented.get(id)!) ?? documented.get(id)!.optional)) used.add(id);
  if (b) base.baseline = b.outcome;
  if (unexpected.length) {
    const whole = wholeMatches(unexpected);
    const mismatches = unexpected.map(({ alternatives: _a, ...m }) => m);
    const first: Mismatch = { ...mismatches[0], message: mismatches[0].message + (whole.length ? `; ${notDocumented(whole)}` : ''), ...(whole.length ? { matches: whole } : {}) };
    mismatches[0] = first;
    const more = mismatches.length > 1 ? ` (and ${mismatches.length - 1} more mismatch${mismatches.length > 2 ? 'es' : ''})` : '';
    return { ...base, verdict: 'fail', reason: first.message + more, failure: first, mismatches };
  }
  if (used.size) return { ...base, verdict: 'deviation', deviations: [...used].sort() };
  const expected = s.mentions.filter((id) => documented.has(id) && !documented.get(id)!.optional);
  if (expected.length)
    return {
      ...base, verdict: 'xpass',
      reason: `the profile documents ${expected.join(', ')} for this variant, but POSIX behaviour was observed: the implementation improved or the profile is stale`,
    };
  return { ...base, verdict: 'pass' };
}
