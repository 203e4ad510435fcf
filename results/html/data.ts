// The data an HTML report embeds: results packed into small arrays (one row per run), the
// details of every run that was not a plain pass, scenario sources, deviation texts and refs.

import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Catalog } from '../../language/loader/catalog.js';
import type { KnownFailures } from '../../language/loader/known.js';
import { packageRoot } from '../../language/root.js';
import type { Result, ResultsFile } from '../../language/schema/results.js';
import { octalModes } from '../reporters/failures.js';

/** verdict codes as the page shows them; 'known' is a fail or error a known-failure entry expects */
export const CELL_VERDICTS = ['pass', 'deviation', 'known', 'fail', 'xpass', 'error', 'skip'] as const;
export type CellVerdict = (typeof CELL_VERDICTS)[number];

/** The verdict a report cell shows for a result. */
export function cellVerdict(r: Result): CellVerdict {
  if (r.known?.outcome === 'known') return 'known';
  if (r.known?.outcome === 'fixed') return 'xpass';
  return r.verdict;
}

export interface ReportData {
  title: string;
  generated: string;
  /** "adapter/variant" columns */
  variants: string[];
  /** [run id, scenario id, file, group] */
  scenarios: [string, string, string, string][];
  /** one row per result: [scenario index, variant index, verdict index, detail index or -1] */
  runs: [number, number, number, number][];
  details: Record<string, unknown>[];
  /** scenario file → YAML source */
  sources: Record<string, string>;
  deviations: Record<string, { title: string; posix: string; differs: string; refs: { title: string; url: string }[] }>;
  known: Record<string, { title: string; ref: string }>;
}

const groupOf = (id: string) => id.split('/')[0];

/** Pack results files into report data. */
export function reportData(files: ResultsFile[], catalog: Catalog | undefined, known: KnownFailures | undefined, title: string): ReportData {
  const results = files.flatMap((f) => f.results);
  const variants = [...new Set(results.map((r) => `${r.adapter}/${r.variant}`))];
  const vIndex = new Map(variants.map((v, i) => [v, i]));
  const scen = new Map<string, number>();
  const scenarios: ReportData['scenarios'] = [];
  const details: Record<string, unknown>[] = [];
  const sources: Record<string, string> = {};
  const usedDevs = new Set<string>();
  const usedKnown = new Set<string>();
  const runs: ReportData['runs'] = [];
  const shared = new Map<string, number>();
  for (const r of [...results].sort((a, b) => a.scenario.localeCompare(b.scenario))) {
    if (!scen.has(r.scenario)) {
      scen.set(r.scenario, scenarios.length);
      scenarios.push([r.scenario, r.id, r.file, groupOf(r.id)]);
    }
    if (!(r.file in sources)) {
      const p = isAbsolute(r.file) ? r.file : join(packageRoot(), r.file);
      sources[r.file] = existsSync(p) ? readFileSync(p, 'utf8') : '';
    }
    const v = cellVerdict(r);
    let d = -1;
    if (v !== 'pass') {
      d = details.length;
      (r.deviations ?? []).forEach((x) => usedDevs.add(x));
      if (r.known) usedKnown.add(r.known.id);
      // every step only where something was unexpected; a known failure shows its first mismatch
      // (expected vs observed) and its known-failure entry, the rest of it is in the results JSON
      const full = v === 'fail' || v === 'xpass' || v === 'error';
      const detail = octalModes({
        verdict: r.verdict, reason: r.reason, deviations: r.deviations, known: r.known, notes: r.notes,
        ...(full ? { failure: r.failure, mismatches: r.mismatches, steps: r.steps, after: r.after } : v === 'known' ? { failure: r.failure } : {}),
      }) as Record<string, unknown>;
      // the same skip reason or deviation on every variant is one entry, shared (a whole matrix
      // holds tens of thousands of them)
      const key = JSON.stringify(detail);
      const seen = shared.get(key);
      if (seen !== undefined) d = seen;
      else {
        shared.set(key, d);
        details.push(detail);
      }
    }
    runs.push([scen.get(r.scenario)!, vIndex.get(`${r.adapter}/${r.variant}`)!, CELL_VERDICTS.indexOf(v), d]);
  }
  const deviations: ReportData['deviations'] = {};
  for (const id of usedDevs) {
    const def = catalog?.deviations.get(id);
    if (def) deviations[id] = { title: def.title, posix: def.posix, differs: def.differs, refs: def.refs.map((x) => catalog!.refs.get(x) ?? { title: x, url: '' }) };
  }
  const knownOut: ReportData['known'] = {};
  for (const list of known?.values() ?? []) for (const k of list) if (usedKnown.has(k.id)) knownOut[k.id] = { title: k.title, ref: k.ref };
  const env = files[0]?.environment;
  return {
    title, generated: `${env?.finishedAt ?? ''} on ${env?.host.hostname ?? '?'} (Linux ${env?.host.kernel ?? '?'})`,
    variants, scenarios, runs, details, sources, deviations, known: knownOut,
  };
}

