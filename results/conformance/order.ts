// The pages list runs in one order whatever order a run finished them in (two workers per variant,
// the baseline comparison behind the loop): variants as they first appear (the run's order of
// targets), scenarios by run id within each. Regenerating the pages from two runs with the same
// verdicts then writes the same pages, so a diff of CONFORMANCE.md shows what moved, not the clock.

import type { ResultsFile } from '../../language/schema/results.js';

/** `file` with its results in that order (the results file itself is left as it was). */
export function inRunOrder(file: ResultsFile): ResultsFile {
  const at = new Map<string, number>();
  for (const r of file.results) if (!at.has(`${r.adapter}/${r.variant}`)) at.set(`${r.adapter}/${r.variant}`, at.size);
  const key = (r: ResultsFile['results'][number]) => at.get(`${r.adapter}/${r.variant}`)!;
  const results = [...file.results].sort((a, b) => key(a) - key(b) || (a.scenario < b.scenario ? -1 : a.scenario > b.scenario ? 1 : 0));
  return { ...file, results };
}
