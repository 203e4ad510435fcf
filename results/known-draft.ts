// Drafting spec/known-failures/<implementation>.yaml from a real run: the unexpected fails and
// errors of one implementation grouped by mismatch, one entry per cause, for a person to name.

import { stringify } from 'yaml';
import { isUnexpected, mismatchOf } from '../engine/known.js';
import type { Result, ResultsFile } from '../language/schema/results.js';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** the regular expression a draft entry records for a mismatch: its core (up to the first ';'), numbers generalised */
export function observedPattern(mismatch: string): string {
  return escapeRe(mismatch.split(';')[0].trim()).replace(/\d+/g, '\\d+');
}

function slug(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]+/g, '-').replace(/^-|-$/g, '').split('-').filter((w) => !['FAILED', 'WITH', 'EXPECTED', 'IS', 'THE', 'A', 'N'].includes(w)).slice(0, 5).map((w) => w.slice(0, 12)).join('-');
}

/** scenario patterns covering these runs: a scenario id with `[*` when all its expansions are listed */
function scenarioPatterns(runs: Result[], all: Result[]): string[] {
  const byId = new Map<string, Set<string>>();
  for (const r of runs) byId.set(r.id, (byId.get(r.id) ?? new Set()).add(r.scenario));
  const out: string[] = [];
  for (const [id, runIds] of byId) {
    const every = new Set(all.filter((r) => r.id === id).map((r) => r.scenario));
    if (every.size === runIds.size && [...every].every((s) => runIds.has(s))) out.push(every.size === 1 && every.has(id) ? id : `${id}[*`);
    else out.push(...[...runIds].sort());
  }
  return out.sort();
}

/** A draft known-failures document for one implementation (adapter) of a results file. */
export function draftKnown(file: ResultsFile, adapter: string, since: string): { implementation: string; failures: Record<string, unknown>[] } {
  const mine = file.results.filter((r) => r.adapter === adapter);
  const variants = new Set(mine.map((r) => r.variant));
  // one entry per mismatch and set of variants, so an entry never expects a run that passed
  const failedOn = new Map<string, Set<string>>();
  for (const r of mine) if (isUnexpected(r) && (r.verdict === 'fail' || r.verdict === 'error')) failedOn.set(`${r.scenario}\0${observedPattern(mismatchOf(r))}`, (failedOn.get(`${r.scenario}\0${observedPattern(mismatchOf(r))}`) ?? new Set()).add(r.variant));
  const groups = new Map<string, Result[]>();
  for (const r of mine) {
    if (!isUnexpected(r) || (r.verdict !== 'fail' && r.verdict !== 'error')) continue;
    const pattern = observedPattern(mismatchOf(r));
    const k = `${r.verdict}\0${pattern}\0${[...failedOn.get(`${r.scenario}\0${pattern}`)!].sort().join(',')}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const ids = new Set<string>();
  const failures = [...groups].sort((a, b) => b[1].length - a[1].length).map(([k, runs]) => {
    const [verdict, observed] = k.split('\0');
    const text = mismatchOf(runs[0]).split(';')[0].replace(/\d+/g, 'N');
    let id = `KF-${slug(adapter)}-${slug(text) || 'ERROR'}`;
    for (let n = 2; ids.has(id); n++) id = `${id.replace(/-\d+$/, '')}-${n}`;
    ids.add(id);
    const vs = [...new Set(runs.map((r) => r.variant))].sort();
    return {
      id,
      title: text.length > 150 ? text.slice(0, 150) + '…' : text,
      ref: `npx ovlconf run --adapter ${adapter}${vs.length < variants.size ? ` --variant ${vs[0]}` : ''} --grep '^${escapeRe(runs[0].scenario)}$'`,
      scenarios: scenarioPatterns(runs, mine),
      ...(vs.length < variants.size ? { variants: vs } : {}),
      ...(verdict === 'error' ? { verdict } : {}),
      observed,
      since,
    };
  });
  return { implementation: adapter, failures };
}

/** The draft as YAML text with a header saying what to do with it. */
export function draftKnownYaml(file: ResultsFile, adapter: string, since: string): string {
  const d = draftKnown(file, adapter, since);
  return `# Known failures of ${adapter}: real bugs, expected to fail until fixed (drafted by \`ovlconf known\`;\n# give each entry a title that names the bug, and an upstream issue as ref where one exists).\n` + stringify(d, { lineWidth: 0 });
}
