// Whether two implementations agree scenario by scenario on the variants they share: the
// reference model must agree with the kernel it models (a disagreement shows both sides).

import type { Result, ResultsFile } from '../../language/schema/results.js';

export interface Disagreement {
  variant: string;
  scenario: string;
  file: string;
  a: { verdict: string; deviations: string[]; reason?: string };
  b: { verdict: string; deviations: string[]; reason?: string };
}

export interface Agreement {
  a: string;
  b: string;
  /** variants both implementations ran */
  variants: string[];
  compared: number;
  /** runs skipped on either side (not compared) */
  skipped: number;
  disagreements: Disagreement[];
}

const side = (r: Result) => ({ verdict: r.verdict, deviations: r.deviations ?? [], ...(r.reason ? { reason: r.reason } : {}) });

/** Compare adapter `a` with adapter `b` on the variants of the same name in the results. */
export function agreement(file: ResultsFile, a: string, b: string): Agreement {
  const key = (r: Result) => `${r.variant}\0${r.scenario}`;
  const bs = new Map(file.results.filter((r) => r.adapter === b).map((r) => [key(r), r]));
  const variantsA = new Set(file.results.filter((r) => r.adapter === a).map((r) => r.variant));
  const variantsB = new Set([...bs.values()].map((r) => r.variant));
  const variants = [...variantsA].filter((v) => variantsB.has(v)).sort();
  const out: Agreement = { a, b, variants, compared: 0, skipped: 0, disagreements: [] };
  for (const ra of file.results) {
    if (ra.adapter !== a || !variantsB.has(ra.variant)) continue;
    const rb = bs.get(key(ra));
    if (!rb) continue;
    if (ra.verdict === 'skip' || rb.verdict === 'skip') {
      out.skipped++;
      continue;
    }
    out.compared++;
    const same = ra.verdict === rb.verdict && (ra.deviations ?? []).join() === (rb.deviations ?? []).join();
    if (!same) out.disagreements.push({ variant: ra.variant, scenario: ra.scenario, file: ra.file, a: side(ra), b: side(rb) });
  }
  return out;
}
