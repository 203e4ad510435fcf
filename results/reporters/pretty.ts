// The human reporter: the end-of-run summary, all on one stream — verdict counts per variant,
// known failures per implementation, skips, unexpected results grouped by cause, how the run
// compares with the published results, and a last line saying whether anything was unexpected.

import { formatLoadError, type Profile } from '../../language/model.js';
import { VERDICTS, type ResultsFile } from '../../language/schema/results.js';
import { isUnexpected, tallyKnown } from '../../engine/known.js';
import { comparePublished, renderPublished } from '../published.js';
import { renderFailures } from './failures.js';
import type { Reporter } from './reporter.js';
import { termSafe } from '../text.js';
import type { KnownFailures } from '../../language/loader/known.js';
import { renderFlaky } from '../retry.js';

export { explain } from './failures.js';

export interface PrettyOptions {
  /** published verdict lines (conformance/verdicts.tsv) to compare with */
  published?: string[];
  /** known failures, for which runs may differ from the published verdicts (flaky entries) */
  known?: KnownFailures;
  /** the profiles, for which runs may differ by optional deviations only */
  profiles?: Map<string, Profile[]>;
}

/** The summary text of a finished run. */
export function renderSummary(file: ResultsFile, o: PrettyOptions = {}): string {
  const out: string[] = [];
  if (file.loadErrors.length) {
    out.push(`${file.loadErrors.length} scenario file problem(s):`);
    for (const e of file.loadErrors) out.push('  ' + formatLoadError(e));
    out.push('');
  }
  out.push(...renderFailures(file.results));
  const width = Math.max(10, ...Object.keys(file.summary).map((k) => k.length));
  out.push('Summary per adapter variant:');
  for (const [k, counts] of Object.entries(file.summary)) {
    const cells = VERDICTS.map((v) => `${v} ${String(counts[v]).padStart(4)}`);
    out.push(`  ${k.padEnd(width)}  ${cells.join('  ')}`);
  }
  const skips = new Map<string, number>();
  for (const r of file.results) if (r.verdict === 'skip') skips.set(`${r.adapter}/${r.variant}: ${r.reason}`, (skips.get(`${r.adapter}/${r.variant}: ${r.reason}`) ?? 0) + 1);
  if (skips.size) {
    out.push('', 'Skips (count, reason):');
    for (const [why, n] of [...skips].sort((a, b) => b[1] - a[1]).slice(0, 10)) out.push(`  ${String(n).padStart(5)}  ${why}`);
    if (skips.size > 10) out.push(`  … ${skips.size - 10} more reasons in the JSON results`);
  }
  const tally = tallyKnown(file.results);
  const withKnown = [...tally].filter(([, t]) => t.known || t.fixed || t.new);
  if (withKnown.length) {
    out.push('', 'Known failures (spec/known-failures/):');
    for (const [a, t] of withKnown) out.push(`  ${t.known} known failure${t.known === 1 ? '' : 's'} in ${a}, ${t.new} new${t.fixed ? `, ${t.fixed} known failure${t.fixed === 1 ? '' : 's'} now passing` : ''}`);
  }
  out.push('');
  if (o.published) out.push(...renderPublished(comparePublished(file, o.published, o.known, o.profiles)));
  const flaky = file.results.filter((r) => r.flaky);
  if (flaky.length) out.push(renderFlaky(flaky).trimEnd());
  const bad = file.results.filter(isUnexpected);
  const known = file.results.filter((r) => r.known?.outcome === 'known').length;
  const interrupted = file.environment.interrupted ? ' (run interrupted)' : '';
  if (bad.length || file.loadErrors.length) {
    const names = bad.slice(0, 3).map((r) => `${r.adapter}/${r.variant} ${r.scenario} (${r.known?.outcome === 'fixed' ? 'known failure passed' : r.verdict})`);
    out.push(`FAILED: ${bad.length} unexpected result(s)${file.loadErrors.length ? ` and ${file.loadErrors.length} scenario file problem(s)` : ''}${interrupted}${names.length ? `: ${names.join(', ')}${bad.length > 3 ? ', …' : ''}` : ''}`);
  } else if (file.results.length && file.results.every((r) => r.verdict === 'skip')) out.push(`NOTHING RAN: all ${file.results.length} results were skipped${interrupted}`);
  else out.push(`OK: all ${file.results.length} results as expected${known || flaky.length ? ` (${[known ? `${known} known failures` : '', flaky.length ? `${flaky.length} flaky` : ''].filter(Boolean).join(', ')})` : ''}${interrupted}`);
  return out.join('\n') + '\n';
}

/** The pretty reporter: renders only at the end (progress is the job of withProgress). */
export function prettyReporter(o: PrettyOptions = {}): Reporter {
  // names, titles and reasons come from scenario files: no control character reaches the terminal
  return { end: (file) => termSafe(renderSummary(file, o)) };
}
