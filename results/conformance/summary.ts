// CONFORMANCE.md as a person reads it: a behaviour-group × implementation table, then per
// implementation its documented deviations, known failures by cause, unexpected results and
// skips, one line each; the details go to conformance/<implementation>.md and the HTML report.

import type { Catalog } from '../../language/loader/catalog.js';
import type { KnownFailures } from '../../language/loader/known.js';
import type { Result, ResultsFile } from '../../language/schema/results.js';
import { causeOf } from '../reporters/failures.js';
import { cellVerdict, type CellVerdict } from '../html/data.js';
import { agreementSection, cell, groupBy, ORDER, type Coverage } from './render.js';
import type { Agreement } from './agree.js';
import { mdLink } from '../text.js';

export interface SummaryInput {
  file: ResultsFile;
  catalog: Catalog;
  known: KnownFailures;
  coverage: Coverage;
  agreement?: Agreement;
  verdictsFile: string;
  verdictHash: string;
}

const SHOWN: [CellVerdict, string][] = [['pass', 'pass'], ['deviation', 'dev'], ['known', 'known'], ['fail', '**FAIL**'], ['xpass', '**xpass**'], ['error', '**error**'], ['skip', 'skip']];

/** "120 pass · 3 dev · 40 skip": a cell of the group table, zeros left out */
export function countsCell(rs: Result[]): string {
  const n = (v: CellVerdict) => rs.filter((r) => cellVerdict(r) === v).length;
  return SHOWN.filter(([v]) => n(v)).map(([v, label]) => `${n(v)} ${label}`).join(' · ') || '—';
}

/** implementations in the document's order */
export function implementations(file: ResultsFile): string[] {
  return [...new Set(file.results.map((r) => r.adapter))].sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));
}

/** Causes listed per implementation in the summary (by runs, largest first); the rest are on its page. */
const SHOWN_CAUSES = 15;

const example = (rs: Result[]) => `e.g. ${mdLink(rs[0].scenario, rs[0].file)}`;

function groupTable(file: ResultsFile, impls: string[]): string[] {
  const out = [`| group | ${impls.join(' | ')} |`, `| --- | ${impls.map(() => '---').join(' | ')} |`];
  const byGroup = groupBy(file.results, (r) => r.id.split('/')[0]);
  for (const [g, rs] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) out.push(`| ${g} | ${impls.map((i) => countsCell(rs.filter((r) => r.adapter === i))).join(' | ')} |`);
  return [...out, ''];
}

function implSection(file: ResultsFile, impl: string, i: SummaryInput): string[] {
  const rs = file.results.filter((r) => r.adapter === impl);
  const variants = [...new Set(rs.map((r) => r.variant))];
  const profile = i.catalog.profiles.get(impl);
  const out = [`## ${impl}`, '', `${profile?.description ?? impl}. ${variants.length} variant${variants.length === 1 ? '' : 's'} (${variants.join(', ')}); ${rs.length} runs: ${countsCell(rs)}. Details: [conformance/${impl}.md](conformance/${impl}.md).`, ''];
  const devs = groupBy(rs.filter((r) => r.verdict === 'deviation').flatMap((r) => (r.deviations ?? []).map((d) => ({ d, r }))), (x) => x.d);
  out.push('### Documented deviations', '');
  if (!devs.size) out.push('None observed.');
  for (const [id, hits] of [...devs].sort(([a], [b]) => a.localeCompare(b))) out.push(`- **${id}** — ${cell(i.catalog.deviations.get(id)?.title ?? 'undefined deviation')}: ${hits.length} run${hits.length === 1 ? '' : 's'} on ${new Set(hits.map((h) => h.r.variant)).size} variant(s), ${example(hits.map((h) => h.r))}`);
  out.push('');
  const known = groupBy(rs.filter((r) => r.known?.outcome === 'known'), (r) => r.known!.id);
  const entries = new Map((i.known.get(impl) ?? []).map((k) => [k.id, k]));
  out.push('### Known failures (by cause)', '');
  if (!known.size) out.push('None.');
  const byRuns = [...known].sort((a, b) => b[1].length - a[1].length);
  for (const [id, hits] of byRuns.slice(0, SHOWN_CAUSES)) {
    const k = entries.get(id);
    const ref = k ? (/^https?:/.test(k.ref) ? ` ([ref](${k.ref}))` : ` (\`${k.ref.length > 100 ? k.ref.slice(0, 100) + '…' : k.ref}\`)`) : '';
    out.push(`- **${id}** — ${cell(k?.title ?? 'no longer in spec/known-failures')}: ${hits.length} run${hits.length === 1 ? '' : 's'}, ${example(hits)}${ref}`);
  }
  if (byRuns.length > SHOWN_CAUSES) out.push(`- … ${byRuns.length - SHOWN_CAUSES} more known failures (${byRuns.slice(SHOWN_CAUSES).reduce((a, [, h]) => a + h.length, 0)} runs): see [conformance/${impl}.md](conformance/${impl}.md)`);
  out.push('');
  const bad = rs.filter((r) => (r.verdict === 'fail' || r.verdict === 'error' || r.verdict === 'xpass' || r.known?.outcome === 'fixed') && r.known?.outcome !== 'known');
  if (bad.length) {
    out.push('### Unexpected results (by cause)', '');
    const causes = [...groupBy(bad, causeOf)].sort((a, b) => b[1].length - a[1].length);
    for (const [cause, hits] of causes.slice(0, SHOWN_CAUSES)) out.push(`- ${cell(cause.length > 160 ? cause.slice(0, 160) + '…' : cause)}: ${hits.length} run${hits.length === 1 ? '' : 's'}, ${example(hits)}`);
    if (causes.length > SHOWN_CAUSES) out.push(`- … ${causes.length - SHOWN_CAUSES} more causes (${causes.slice(SHOWN_CAUSES).reduce((a, [, h]) => a + h.length, 0)} runs): see [conformance/${impl}.md](conformance/${impl}.md)`);
    out.push('');
  }
  const skips = groupBy(rs.filter((r) => r.verdict === 'skip'), (r) => (r.reason ?? '').replace(/^step \d+ \(([^,]+), line \d+\)/, '$1'));
  if (skips.size) {
    out.push('### Skips', '');
    const sorted = [...skips].sort((a, b) => b[1].length - a[1].length);
    for (const [why, hits] of sorted.slice(0, 12)) out.push(`- ${cell(why.length > 160 ? why.slice(0, 160) + '…' : why)}: ${hits.length}`);
    if (sorted.length > 12) out.push(`- … ${sorted.length - 12} more reasons (${sorted.slice(12).reduce((a, [, h]) => a + h.length, 0)} runs): see [conformance/${impl}.md](conformance/${impl}.md)`);
    out.push('');
  }
  return out;
}

/** The whole of CONFORMANCE.md. */
export function renderConformance(i: SummaryInput): string {
  const { file } = i;
  const env = file.environment;
  const impls = implementations(file);
  const out = [
    '# Conformance of overlay implementations',
    '',
    'Generated by `ovlconf matrix`; do not edit by hand. How to read a scenario, a verdict, a deviation and a known failure: [INTERPRETING.md](INTERPRETING.md). Every scenario on every variant, with the steps of every failure: the HTML report [conformance/index.html](conformance/index.html).',
    '',
    `Run on ${env.finishedAt.slice(0, 10)} on ${env.host.hostname} (Linux ${env.host.kernel}, ${env.host.arch}, Node ${env.host.node}, uid ${env.host.uid}) from suite ${env.suite.version} (${env.suite.hash}): ${env.suite.scenarios} scenario runs on ${Object.keys(file.summary).length} adapter variants. The verdict of every run is in [${i.verdictsFile}](${i.verdictsFile}) (hash \`${i.verdictHash}\`); \`npx ovlconf matrix --check\` fails when a fresh run's verdicts no longer match it, and \`npx ovlconf run\` ends by saying whether this machine matches them.`,
    '',
    '## Behaviour groups × implementations',
    '',
    'Runs per scenario group (the suite folder) over all variants of each implementation: pass, dev (a documented deviation), known (a known failure: a real bug, expected), **FAIL** (unexpected), skip.',
    '',
    ...groupTable(file, impls),
  ];
  if (file.loadErrors.length) out.push('Scenario files that did not load:', '', ...file.loadErrors.map((e) => `- ${e.file}:${e.line}:${e.col}: ${e.path}: ${e.message}`), '');
  for (const impl of impls) out.push(...implSection(file, impl, i));
  out.push(...agreementSection(i.agreement));
  out.push('## Behaviour coverage', '', `${i.coverage.covered.length} of ${i.coverage.total} behaviour ids of the catalogue have at least one scenario; ${i.coverage.uncovered.length} are not covered (listed with their reasons by \`ovlconf list --coverage\`).`, '');
  return out.join('\n');
}
