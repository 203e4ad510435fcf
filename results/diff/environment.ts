// The two environments side by side: suite, host kernel and node, and per variant the
// implementation version, effective options, module parameters and daemon versions — the
// first thing to read when an upgrade changed verdicts.

import type { ResultsFile } from '../../language/schema/results.js';

/** One line of the side-by-side table. */
export interface EnvRow {
  /** "host", "suite" or "adapter/variant" */
  scope: string;
  field: string;
  old: string;
  new: string;
  changed: boolean;
}

const show = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** Flatten a fingerprint into the fields worth comparing (volatile details such as paths left out). */
export function fingerprintFields(fp: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fp || typeof fp !== 'object') return out;
  const f = fp as { implementation?: string; version?: string; options?: Record<string, string>; details?: Record<string, unknown> };
  if (f.implementation) out.implementation = f.implementation;
  if (f.version) out.version = f.version;
  for (const [k, v] of Object.entries(f.options ?? {})) out[`option ${k}`] = v;
  for (const [k, v] of Object.entries(f.details ?? {})) {
    if (k === 'moduleParameters' && v && typeof v === 'object') for (const [p, x] of Object.entries(v)) out[`module ${p}`] = show(x);
    else if (/version/i.test(k) || ['superOptions', 'lowerFs', 'upperFs', 'mountApi', 'layout', 'userNamespace'].includes(k)) out[k] = show(v);
  }
  return out;
}

/** Rows for host, suite and every variant of either file; `changed` marks a difference. */
export function environmentRows(a: ResultsFile, b: ResultsFile): EnvRow[] {
  const rows: EnvRow[] = [];
  const add = (scope: string, field: string, x: unknown, y: unknown) => rows.push({ scope, field, old: show(x), new: show(y), changed: show(x) !== show(y) });
  const ea = a.environment;
  const eb = b.environment;
  add('host', 'kernel', ea.host.kernel, eb.host.kernel);
  add('host', 'node', ea.host.node, eb.host.node);
  add('host', 'hostname', ea.host.hostname, eb.host.hostname);
  add('suite', 'version', ea.suite.version, eb.suite.version);
  add('suite', 'hash', ea.suite.hash, eb.suite.hash);
  add('suite', 'scenarios', ea.suite.scenarios, eb.suite.scenarios);
  const keys = [...new Set([...Object.keys(ea.variants), ...Object.keys(eb.variants)])].sort();
  for (const k of keys) {
    const fa = fingerprintFields(ea.variants[k]);
    const fb = fingerprintFields(eb.variants[k]);
    if (!ea.variants[k] || !eb.variants[k]) {
      // one side never started the variant (refused, unavailable): one row, not every field
      const summary = (f: Record<string, string>) => (Object.keys(f).length ? `${f.implementation ?? ''} ${f.version ?? ''}`.trim() || 'present' : undefined);
      add(k, 'fingerprint', summary(fa), summary(fb));
      continue;
    }
    for (const f of [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort()) add(k, f, fa[f], fb[f]);
  }
  return rows;
}
