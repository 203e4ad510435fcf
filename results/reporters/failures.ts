// Failures grouped by cause for people: one heading per implementation and mismatch, one example
// in full (file:line, expected vs observed with octal modes, the upper layer), the other runs listed.

import { createRequire } from 'node:module';
import type { Result } from '../../language/schema/results.js';
import { isUnexpected, mismatchOf } from '../../engine/known.js';

// the YAML package (72 modules, ~45 ms of every `run`'s start) is loaded only when a failure is
// shown with its values: `require` gives the same module `import 'yaml'` does (its "node" export)
const require = createRequire(import.meta.url);
let yaml: typeof import('yaml') | undefined;
const stringify = (v: unknown): string => (yaml ??= require('yaml') as typeof import('yaml')).stringify(v);

/** What groups unexpected results by cause: the mismatch, and whether it is an xpass or a passing known failure. */
export function causeOf(r: Result): string {
  return `${r.verdict === 'xpass' ? 'xpass: ' : r.known?.outcome === 'fixed' ? 'known failure passed: ' : ''}${mismatchOf(r)}`;
}

/** Mode fields as octal text ("0755"), recursively, so failure output reads like ls -l. */
export function octalModes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(octalModes);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, (k === 'mode' || k === 'perm') && typeof x === 'number' ? '0' + x.toString(8).padStart(3, '0') : octalModes(x)]));
}

/** The upper layer as "path type mode [data]" lines, from a result's after.upper tree. */
export function upperLines(after: unknown, max = 12): string[] {
  const upper = (after as { upper?: unknown } | undefined)?.upper;
  if (!upper || typeof upper !== 'object') return [];
  const out: string[] = [];
  const walk = (tree: Record<string, unknown>, prefix: string) => {
    for (const [name, node] of Object.entries(tree).sort(([a], [b]) => a.localeCompare(b))) {
      const n = (node ?? {}) as Record<string, unknown>;
      const mode = typeof n.mode === 'number' ? ' 0' + n.mode.toString(8) : '';
      const extra = n.type === 'file' && typeof n.data === 'string' ? ` ${JSON.stringify(n.data.slice(0, 24))}` : n.type === 'symlink' && n.target ? ` -> ${String(n.target)}` : '';
      const flags = [n.opaque ? 'opaque' : '', n.redirect ? `redirect=${String(n.redirect)}` : ''].filter(Boolean).join(' ');
      out.push(`${prefix}${name}${n.type === 'dir' ? '/' : ''} ${String(n.type ?? '?')}${mode}${extra}${flags ? ' ' + flags : ''}`);
      if (n.children && typeof n.children === 'object') walk(n.children as Record<string, unknown>, `${prefix}${name}/`);
    }
  };
  walk(upper as Record<string, unknown>, '');
  return out.length > max ? [...out.slice(0, max), `… ${out.length - max} more entries`] : out;
}

/** One result in full: what failed where, expected vs observed, the upper layer afterwards. */
export function explain(r: Result): string {
  const dev = r.deviations?.length ? ` [${r.deviations.join(', ')}]` : '';
  const lines = [`${r.verdict.toUpperCase()} ${r.adapter}/${r.variant} ${r.scenario}${dev}`, `  ${r.failure ? `${r.failure.file}:${r.failure.line ?? 1}` : r.file}: ${r.reason ?? ''}`];
  if (r.failure?.expected !== undefined || r.failure?.observed !== undefined) {
    const y = stringify(octalModes({ expected: r.failure.expected, observed: r.failure.observed })).trimEnd();
    lines.push(...y.split('\n').map((l) => '    ' + l));
  }
  const upper = upperLines(r.after);
  if (upper.length) lines.push('    upper layer afterwards:', ...upper.map((l) => '      ' + l));
  for (const n of r.notes ?? []) lines.push(`  note: ${n}`);
  if (r.verdict === 'fail' && REPRODUCIBLE.has(r.adapter)) lines.push(`  repro: npx ovlconf repro ${r.file} --adapter ${r.adapter} --variant ${r.variant}${r.vary ? ` --run '${r.scenario}'` : ''} --out repro.sh`);
  return lines.join('\n');
}

/** adapters `ovlconf repro` writes standalone scripts for (a mount command exists) */
const REPRODUCIBLE = new Set(['kernel', 'fuse-overlayfs', 'unionfs-fuse']);

/** Unexpected results grouped by implementation and cause, largest group first. */
export function groupFailures(results: Result[]): { adapter: string; cause: string; results: Result[] }[] {
  const groups = new Map<string, { adapter: string; cause: string; results: Result[] }>();
  for (const r of results) {
    if (!isUnexpected(r)) continue;
    const cause = causeOf(r);
    const k = `${r.adapter}\0${cause}`;
    const g = groups.get(k) ?? { adapter: r.adapter, cause, results: [] };
    g.results.push(r);
    groups.set(k, g);
  }
  return [...groups.values()].sort((a, b) => b.results.length - a.results.length || a.adapter.localeCompare(b.adapter));
}

/** The failures section of the summary: every cause with one example in full. */
export function renderFailures(results: Result[], maxGroups = 40): string[] {
  const groups = groupFailures(results);
  if (!groups.length) return [];
  const n = groups.reduce((a, g) => a + g.results.length, 0);
  const out = [`Unexpected results by cause (${n} in ${groups.length} cause${groups.length === 1 ? '' : 's'}):`, ''];
  for (const g of groups.slice(0, maxGroups)) {
    const variants = [...new Set(g.results.map((r) => r.variant))];
    out.push(`${g.adapter} — ${g.cause} (${g.results.length} run${g.results.length === 1 ? '' : 's'} on ${variants.length} variant${variants.length === 1 ? '' : 's'})`);
    out.push(...explain(g.results[0]).split('\n').map((l) => '  ' + l));
    const others = [...new Set(g.results.slice(1).map((r) => `${r.scenario}${variants.length > 1 ? ` (${r.variant})` : ''}`))];
    if (others.length) out.push(`  also: ${others.slice(0, 8).join(', ')}${others.length > 8 ? `, and ${others.length - 8} more` : ''}`);
    out.push('');
  }
  if (groups.length > maxGroups) out.push(`… ${groups.length - maxGroups} more causes (${groups.slice(maxGroups).reduce((a, g) => a + g.results.length, 0)} results) in the JSON results`, '');
  return out;
}
