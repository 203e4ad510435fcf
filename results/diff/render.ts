// The three forms of a diff report: pretty (terminal, grouped by change kind), markdown (for a
// CI summary or a pull request) and json (for other tools).

import { CHANGE_KINDS, type Change, type ChangeKind } from './compare.js';
import type { EnvRow } from './environment.js';
import { mdLink, mdText, termSafe } from '../text.js';

/** The report forms `ovlconf diff --reporter` accepts. */
export const DIFF_REPORTERS = ['pretty', 'json', 'markdown'] as const;
/** One of DIFF_REPORTERS. */
export type DiffReporter = (typeof DIFF_REPORTERS)[number];

/** Everything a report shows. */
export interface DiffReport {
  old: string;
  new: string;
  changes: Change[];
  environment: EnvRow[];
  failOn: ChangeKind[];
  /** how many changes are of a --fail-on kind */
  failing: number;
  /** list every skip transition instead of one line per variant and reason */
  expand?: boolean;
}

/** Headings for each kind, in words. */
export const KIND_TITLES: Record<ChangeKind, string> = {
  'newly-failing': 'Newly failing', 'newly-xpass': 'Newly xpass (a documented deviation no longer observed)', 'newly-error': 'Newly erroring', 'newly-unexpected': 'Newly unexpected (a known failure that no entry expects any more)',
  'newly-passing': 'Newly passing', 'newly-skipped': 'Newly skipped', 'no-longer-skipped': 'No longer skipped',
  'deviation-appeared': 'Deviation appeared', 'deviation-disappeared': 'Deviation disappeared', 'deviation-changed': 'Deviation changed',
  'verdict-changed': 'Verdict changed', 'flaky-known-failure': 'Within a flaky known failure (not a regression, not a fix)', 'known-failure-changed': 'Another known failure expects it', 'observation-changed': 'Same verdict, different observation', 'skip-reason-changed': 'Skip reason changed',
  'scenario-added': 'Scenarios added', 'scenario-removed': 'Scenarios removed', 'variant-added': 'Variants added', 'variant-removed': 'Variants removed',
  'fingerprint-changed': 'Environment fingerprint changed',
};

/** One printed line: a change, or several skip transitions of one variant sharing a reason. */
interface Line {
  variant: string;
  scenario?: string;
  file?: string;
  detail: string;
}

/** Skip transitions of one variant with the same reason collapse into one line (a refused variant skips every scenario). */
export function collapse(kind: ChangeKind, cs: Change[], min = 4): Line[] {
  if (kind !== 'newly-skipped' && kind !== 'no-longer-skipped') return cs;
  const reasonOf = (c: Change) => (kind === 'newly-skipped' ? c.new?.reason : c.old?.reason) ?? '';
  const groups = new Map<string, Change[]>();
  for (const c of cs) groups.set(`${c.variant}\u0000${reasonOf(c)}`, [...(groups.get(`${c.variant}\u0000${reasonOf(c)}`) ?? []), c]);
  const out: Line[] = [];
  for (const g of groups.values()) {
    if (g.length < min) out.push(...g);
    else {
      const verdicts = [...new Set(g.map((c) => (kind === 'newly-skipped' ? c.old?.verdict : c.new?.verdict)))].join('/');
      const detail = kind === 'newly-skipped' ? `${g.length} scenarios ${verdicts} → skip: ${reasonOf(g[0])}` : `${g.length} scenarios skip → ${verdicts} (was: ${reasonOf(g[0])})`;
      out.push({ variant: g[0].variant, scenario: `${g.length} scenarios (${g.slice(0, 2).map((c) => c.scenario).join(', ')}, …)`, detail });
    }
  }
  return out;
}

function grouped(changes: Change[]): [ChangeKind, Change[]][] {
  return CHANGE_KINDS.map((k) => [k, changes.filter((c) => c.kind === k)] as [ChangeKind, Change[]]).filter(([, cs]) => cs.length > 0);
}

function counts(r: DiffReport): string {
  const g = grouped(r.changes);
  return g.length ? g.map(([k, cs]) => `${k} ${cs.length}`).join(', ') : 'no changes';
}

function pretty(r: DiffReport): string {
  const out: string[] = [`ovlconf diff ${r.old} → ${r.new}`, ''];
  const env = r.environment.filter((e) => e.changed || (e.scope === 'host' && e.field === 'kernel'));
  if (env.length) {
    out.push('Environment (old → new):');
    for (const e of env) out.push(`  ${e.scope.padEnd(32)} ${e.field.padEnd(24)} ${e.old} → ${e.new}${e.changed ? '' : ' (same)'}`);
    out.push('');
  }
  for (const [k, cs] of grouped(r.changes)) {
    out.push(`${KIND_TITLES[k]} (${cs.length})${r.failOn.includes(k) ? ' [fails the check]' : ''}:`);
    for (const c of collapse(k, cs, r.expand ? Infinity : 4)) {
      out.push(`  ${c.variant}${c.scenario ? ` ${c.scenario}` : ''}: ${c.detail}${c.file ? `  (${c.file})` : ''}`);
    }
    out.push('');
  }
  out.push(`Summary: ${counts(r)}.`, r.failing ? `${r.failing} change${r.failing > 1 ? 's' : ''} of a --fail-on kind (${r.failOn.join(', ') || 'none'}): exit 1` : `nothing of a --fail-on kind (${r.failOn.join(', ') || 'none'})`, '');
  return out.join('\n');
}

const md = mdText;

function markdown(r: DiffReport): string {
  const out: string[] = [`# ovlconf diff`, '', `\`${r.old}\` → \`${r.new}\`: ${counts(r)}.`, ''];
  if (r.failing) out.push(`**${r.failing} change${r.failing > 1 ? 's' : ''} of a failing kind** (${r.failOn.join(', ')}).`, '');
  const env = r.environment.filter((e) => e.changed || (e.scope === 'host' && e.field === 'kernel'));
  if (env.length) {
    out.push('## Environment', '', '| scope | field | old | new |', '| --- | --- | --- | --- |');
    for (const e of env) out.push(`| ${md(e.scope)} | ${md(e.field)} | ${md(e.old)} | ${md(e.new)} |`);
    out.push('');
  }
  for (const [k, cs] of grouped(r.changes)) {
    out.push(`## ${KIND_TITLES[k]} (${cs.length})`, '', '| variant | scenario | change |', '| --- | --- | --- |');
    for (const c of collapse(k, cs, r.expand ? Infinity : 4)) out.push(`| ${md(c.variant)} | ${c.scenario ? (c.file ? mdLink(c.scenario, c.file) : md(c.scenario)) : ''} | ${md(c.detail)} |`);
    out.push('');
  }
  return out.join('\n');
}

/** Render a report in the chosen form. */
export function renderDiff(kind: DiffReporter, r: DiffReport): string {
  if (kind === 'json') {
    const byKind = Object.fromEntries(grouped(r.changes).map(([k, cs]) => [k, cs.length]));
    return JSON.stringify({ old: r.old, new: r.new, failOn: r.failOn, failing: r.failing, counts: byKind, environment: r.environment.filter((e) => e.changed), changes: r.changes }, null, 2) + '\n';
  }
  return kind === 'markdown' ? markdown(r) : termSafe(pretty(r));
}
