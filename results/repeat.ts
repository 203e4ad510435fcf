// Repeats (`run --repeat N`): the same scenarios run N times, each time on fresh layers. A run
// whose verdict or observations differ between repeats is unstable; it is reported as such (in
// the result, the summary and the exit status), never settled by keeping one of the repeats.

import type { Result, ResultsFile } from '../language/schema/results.js';
import type { Verdict } from '../language/schema/results.js';

/** What a repeat observed of one run, without what changes from run to run by nature (numbers: times, inodes, ids). */
export function observation(r: Pick<Result, 'verdict' | 'reason' | 'deviations' | 'mismatches' | 'known'>): string {
  const said = [r.reason ?? '', ...(r.mismatches ?? []).map((m) => m.message)].join(' | ').replace(/\d+(\.\d+)?/g, 'N');
  return `${r.verdict}${r.deviations?.length ? ` [${r.deviations.join(', ')}]` : ''}${said ? `: ${said}` : ''}`;
}

/** The run a result belongs to, across repeats. */
export const runKey = (r: Pick<Result, 'adapter' | 'variant' | 'scenario'>) => `${r.adapter}/${r.variant} ${r.scenario}`;

/** One run that did not repeat itself. */
export interface Unstable {
  run: string;
  /** each repeat's verdict, in order */
  verdicts: Verdict[];
  /** each distinct observation, in the order first seen */
  observations: string[];
  /** the first repeat (numbered from 1) that saw each observation after the first, with its result */
  others: { repeat: number; result: Result }[];
}

/** The runs whose observations differ between the repeats (each repeat: the results of one pass). */
export function unstableRuns(repeats: Result[][]): Unstable[] {
  const seen = new Map<string, Result[]>();
  for (const rep of repeats) for (const r of rep) seen.set(runKey(r), [...(seen.get(runKey(r)) ?? []), r]);
  const out: Unstable[] = [];
  for (const [run, rs] of seen) {
    const said = rs.map(observation);
    const obs = [...new Set(said)];
    const others = obs.slice(1).map((o) => ({ repeat: said.indexOf(o) + 1, result: rs[said.indexOf(o)] }));
    if (obs.length > 1) out.push({ run, verdicts: rs.map((r) => r.verdict), observations: obs, others });
  }
  return out.sort((a, b) => (a.run < b.run ? -1 : 1));
}

/** What another repeat (or a retry) of a run observed, as a result records it in otherRepeats. */
export function repeatRecord(repeat: number, o: Result): NonNullable<Result['otherRepeats']>[number] {
  return {
    repeat, verdict: o.verdict, steps: o.steps,
    ...(o.deviations ? { deviations: o.deviations } : {}), ...(o.reason ? { reason: o.reason } : {}),
    ...(o.failure ? { failure: o.failure } : {}), ...(o.mismatches ? { mismatches: o.mismatches } : {}),
    // what else it said, such as another process's cache drops while it ran: the likely cause of the difference
    ...(o.notes?.length ? { notes: o.notes } : {}),
  };
}

/** Mark the unstable runs in the first repeat's results file (the one reported): the verdicts of every repeat, and a note. */
export function markUnstable(file: ResultsFile, unstable: Unstable[]): void {
  const by = new Map(unstable.map((u) => [u.run, u]));
  for (const r of file.results) {
    const u = by.get(runKey(r));
    if (!u) continue;
    r.unstable = u.verdicts;
    r.otherRepeats = u.others.map(({ repeat, result }) => repeatRecord(repeat, result));
    r.notes = [...(r.notes ?? []), `unstable over ${u.verdicts.length} repeats (${u.verdicts.join(', ')}): ${u.observations.join(' / ')}`];
  }
}

/** The unstable runs in words, for the end of a run (at most `max` lines and then how many more). */
export function renderUnstable(unstable: Unstable[], repeats: number, max = 20): string {
  if (!unstable.length) return `Stable: every run gave the same verdict and observations in ${repeats} repeats\n`;
  const lines = unstable.slice(0, max).map((u) => `  ${u.run}: ${u.verdicts.join(', ')}\n    ${u.observations.join('\n    ')}`);
  if (unstable.length > max) lines.push(`  … and ${unstable.length - max} more`);
  return `UNSTABLE: ${unstable.length} run(s) differ between ${repeats} repeats:\n${lines.join('\n')}\n`;
}
