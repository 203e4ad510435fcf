// CONFORMANCE.md part 2, generated from a real results file: per implementation and variant
// the verdict counts, every observed deviation with its references and the scenarios showing
// it, every skip with its reason, every fail in full, model agreement and behaviour coverage.

import { stringify } from 'yaml';
import type { Catalog } from '../../language/loader/catalog.js';
import type { Result, ResultsFile } from '../../language/schema/results.js';
import { VERDICTS } from '../../language/schema/results.js';
import type { Agreement } from './agree.js';
import { mdLink, mdText } from '../text.js';

export interface Coverage {
  total: number;
  covered: string[];
  uncovered: { id: string; group: string; title: string; reason: string | null }[];
}

export interface RenderInput {
  file: ResultsFile;
  catalog: Catalog;
  coverage: Coverage;
  agreement?: Agreement;
  verdictsFile: string;
  verdictHash: string;
}

/** text in a table cell or a line: no cell split, raw HTML or control characters (results/text.ts) */
export const cell = mdText;
const link = (file: string, line?: number) => mdLink(`${file}${line ? `:${line}` : ''}`, `${file}${line ? `#L${line}` : ''}`);

export function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
}

function summary(file: ResultsFile): string[] {
  const out = ['## Summary', '', `| implementation / variant | ${VERDICTS.join(' | ')} |`, `| --- | ${VERDICTS.map(() => '---:').join(' | ')} |`];
  for (const [k, c] of Object.entries(file.summary)) out.push(`| ${k} | ${VERDICTS.map((v) => c[v] ?? 0).join(' | ')} |`);
  return [...out, ''];
}

export function variantsTable(file: ResultsFile, adapter: string): string[] {
  const fps = Object.entries(file.environment.variants).filter(([k]) => k.startsWith(`${adapter}/`));
  if (!fps.length) return [];
  const out = ['### Variants and effective options', '', '| variant | version | effective options |', '| --- | --- | --- |'];
  for (const [k, fp] of fps) out.push(`| ${k.slice(adapter.length + 1)} | ${fp.version ?? ''} | ${cell(Object.entries(fp.options).map(([o, v]) => `${o}=${v}`).join(', '))} |`);
  return [...out, ''];
}

export function deviations(rs: Result[], catalog: Catalog): string[] {
  const seen = groupBy(rs.filter((r) => r.verdict === 'deviation').flatMap((r) => (r.deviations ?? []).map((d) => ({ d, r }))), (x) => x.d);
  if (!seen.size) return ['### Deviations observed', '', 'None: every run that was not skipped observed POSIX behaviour or failed.', ''];
  const out = ['### Deviations observed', ''];
  for (const [id, hits] of [...seen].sort(([a], [b]) => a.localeCompare(b))) {
    const d = catalog.deviations.get(id);
    const variants = [...groupBy(hits, (h) => h.r.variant)].map(([v, xs]) => `${v} (${xs.length})`).join(', ');
    const scen = [...new Map(hits.map((h) => [h.r.id, h.r.file])).entries()];
    out.push(`#### ${id} — ${d?.title ?? 'undefined deviation'}`, '');
    if (d) {
      out.push(`- **POSIX${d.kind === 'linux' ? ' / Linux convention' : ''}:** ${d.posix}`, `- **Observed instead:** ${d.differs}`);
      if (d.why) out.push(`- **Why:** ${d.why}`);
      if (d.since || d.until) out.push(`- **Kernel versions:** ${d.since ? `since ${d.since}` : ''}${d.since && d.until ? ', ' : ''}${d.until ? `until ${d.until}` : ''}`);
      out.push(`- **References:** ${d.refs.map((r) => { const ref = catalog.refs.get(r); return ref ? `[${ref.title}](${ref.url})` : r; }).join('; ')}`);
      if (d.behaviours.length) out.push(`- **Behaviours:** ${d.behaviours.join(', ')}`);
    }
    out.push(`- **Seen on:** ${variants}`);
    out.push(`- **Scenarios:** ${scen.slice(0, 12).map(([sid, f]) => mdLink(sid, f)).join(', ')}${scen.length > 12 ? `, and ${scen.length - 12} more` : ''}`, '');
  }
  return out;
}

export function skips(rs: Result[]): string[] {
  const by = groupBy(rs.filter((r) => r.verdict === 'skip'), (r) => r.reason ?? '');
  if (!by.size) return [];
  const out = ['### Skips', '', '| reason | variants | runs |', '| --- | --- | ---: |'];
  for (const [why, xs] of [...by].sort((a, b) => b[1].length - a[1].length)) out.push(`| ${cell(why)} | ${[...new Set(xs.map((x) => x.variant))].join(', ')} | ${xs.length} |`);
  return [...out, ''];
}

function problems(rs: Result[]): string[] {
  const bad = rs.filter((r) => r.verdict === 'fail' || r.verdict === 'xpass' || r.verdict === 'error');
  if (!bad.length) return ['### Failures, xpasses and errors', '', 'None.', ''];
  const out = ['### Failures, xpasses and errors', ''];
  for (const r of bad) {
    out.push(`- **${r.verdict}** ${r.scenario} on ${r.variant} — ${link(r.failure?.file ?? r.file, r.failure?.line)}: ${r.reason ?? ''}`);
    if (r.failure && (r.failure.expected !== undefined || r.failure.observed !== undefined)) {
      const y = stringify({ expected: r.failure.expected, observed: r.failure.observed }).trimEnd().split('\n').slice(0, 30);
      out.push('', '  ```yaml', ...y.map((l) => '  ' + l), '  ```');
    }
  }
  return [...out, ''];
}

export function agreementSection(a: Agreement | undefined): string[] {
  if (!a) return [];
  const out = [`## Reference model agreement: ${a.a} vs ${a.b}`, '', `On the ${a.variants.length} variants both run (${a.variants.join(', ')}): ${a.compared} runs compared, ${a.skipped} skipped on either side, **${a.disagreements.length} disagreement(s)**.`, ''];
  if (a.disagreements.length) {
    out.push(`| variant | scenario | ${a.a} | ${a.b} |`, '| --- | --- | --- | --- |');
    const side = (s: { verdict: string; deviations: string[]; reason?: string }) => cell(`${s.verdict}${s.deviations.length ? ` [${s.deviations.join(', ')}]` : ''}${s.reason ? `: ${s.reason.slice(0, 160)}` : ''}`);
    for (const d of a.disagreements) out.push(`| ${cell(d.variant)} | ${mdLink(d.scenario, d.file)} | ${side(d.a)} | ${side(d.b)} |`);
    out.push('');
  }
  return out;
}

export function coverageSection(c: Coverage, catalog: Catalog): string[] {
  const out = ['## Behaviour coverage', '', `${c.covered.length} of ${c.total} behaviour ids of the catalogue have at least one scenario.`, '', '| group | covered |', '| --- | ---: |'];
  for (const [g, bs] of groupBy([...catalog.behaviours.values()], (b) => b.group)) out.push(`| ${g} | ${bs.filter((b) => c.covered.includes(b.id)).length}/${bs.length} |`);
  if (c.uncovered.length) {
    out.push('', 'Not covered, and why:', '', '| id | behaviour | reason |', '| --- | --- | --- |');
    for (const u of c.uncovered) out.push(`| ${u.id} | ${cell(u.title)} | ${cell(u.reason ?? '**no reason given**')} |`);
  }
  return [...out, ''];
}

export const ORDER = ['posix', 'kernel', 'memory', 'fuse-overlayfs', 'unionfs-fuse', 'zenfs', 'memfs-unionfs'];

/** The generated half of CONFORMANCE.md. */
export function renderPart2(i: RenderInput): string {
  const { file, catalog } = i;
  const env = file.environment;
  const adapters = [...new Set(file.results.map((r) => r.adapter))].sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
  const out = [
    '# Part 2 — Results of a real run',
    '',
    `Generated by \`ovlconf matrix\` on ${env.finishedAt.slice(0, 10)} on ${env.host.hostname} (Linux ${env.host.kernel}, ${env.host.arch}, Node ${env.host.node}, uid ${env.host.uid}, ${env.host.cpus} CPUs) from suite ${env.suite.version} (${env.suite.hash}): ${env.suite.scenarios} scenario runs on ${Object.keys(file.summary).length} adapter variants. The verdict of every run is in [${i.verdictsFile}](${i.verdictsFile}) (hash \`${i.verdictHash}\`); \`npx ovlconf matrix --check\` fails when a fresh run's verdicts no longer match it.`,
    '',
    ...summary(file),
  ];
  if (file.loadErrors.length) out.push('Scenario files that did not load:', '', ...file.loadErrors.map((e) => `- ${e.file}:${e.line}:${e.col}: ${e.path}: ${e.message}`), '');
  for (const a of adapters) {
    const rs = file.results.filter((r) => r.adapter === a);
    const profile = catalog.profiles.get(a);
    out.push(`## ${a}`, '', profile?.description ? `${profile.description}. Profile: [spec/profiles/${a}.yaml](spec/profiles/${a}.yaml).` : 'No profile: every deviation shows as a fail.', '');
    out.push(...variantsTable(file, a), ...deviations(rs, catalog), ...skips(rs), ...problems(rs));
  }
  out.push(...agreementSection(i.agreement), ...coverageSection(i.coverage, catalog));
  return out.join('\n');
}
