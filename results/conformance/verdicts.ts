// The verdict list a CONFORMANCE.md was generated from, one line per run: what `matrix --check`
// compares a fresh run against, so a stale document is detected.

import { createHash } from 'node:crypto';
import type { Result, ResultsFile } from '../../language/schema/results.js';

/**
 * What a run settled on: a flaky run (unexpected, then as expected on a retry: results/retry.ts)
 * is published with the retry's verdict, the one a later run is expected to give; its first,
 * unexpected verdict stays in the results file and the reports, which call it flaky.
 */
export function settled(r: Result): Pick<Result, 'verdict' | 'deviations'> {
  const retry = r.flaky ? r.otherRepeats?.at(-1) : undefined;
  return retry ? { verdict: retry.verdict, deviations: retry.deviations } : r;
}

/** "adapter/variant<TAB>scenario<TAB>verdict<TAB>deviations" lines, sorted (a flaky run's settled verdict) */
export function verdictLines(file: ResultsFile): string[] {
  return file.results
    .map((r) => {
      const s = settled(r);
      return `${r.adapter}/${r.variant}\t${r.scenario}\t${s.verdict}\t${(s.deviations ?? []).join(',')}`;
    })
    .sort();
}

/** short content hash of the verdict lines */
export function verdictHash(lines: string[]): string {
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/** A verdict line's run, "adapter/variant<TAB>scenario" (its first two fields; the whole line when it has fewer): split, slice and join of each of ~94,000 lines was most of a run's comparison with the published verdicts. */
export function runKey(l: string): string {
  const j = l.indexOf('\t', l.indexOf('\t') + 1);
  return j < 0 ? l : l.slice(0, j);
}

/** The runs ("adapter/variant<TAB>scenario") whose verdict line is new or differs from the committed one. */
export function changedRuns(committed: string[], fresh: string[]): Set<string> {
  const key = runKey;
  const old = new Set(committed);
  return new Set(fresh.filter((l) => !old.has(l)).map(key));
}

/** what changed between two verdict lists, as human-readable lines */
export function verdictChanges(committed: string[], fresh: string[]): string[] {
  const key = runKey;
  const old = new Map(committed.map((l) => [key(l), l]));
  const now = new Map(fresh.map((l) => [key(l), l]));
  const out: string[] = [];
  for (const [k, l] of now) {
    const o = old.get(k);
    // a line as it was says nothing: split only what changed
    if (o === l) continue;
    const [variant, scenario, verdict, devs] = l.split('\t');
    if (!o) out.push(`new: ${variant} ${scenario} → ${verdict}${devs ? ` [${devs}]` : ''}`);
    else if (o !== l) {
      const [, , ov, od] = o.split('\t');
      out.push(`changed: ${variant} ${scenario}: ${ov}${od ? ` [${od}]` : ''} → ${verdict}${devs ? ` [${devs}]` : ''}`);
    }
  }
  for (const [k, l] of old) if (!now.has(k)) out.push(`gone: ${l.split('\t').slice(0, 2).join(' ')}`);
  return out;
}
