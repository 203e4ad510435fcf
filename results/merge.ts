// Joins results files (the shards of one run, or the kernels of a matrix) into one: same suite
// version and hash, every scenario × variant exactly once, the summary recomputed, fingerprints
// merged and load errors deduplicated. Problems are returned in words, never thrown.

import type { Environment, ResultsFile } from '../language/schema/results.js';
import { summarise } from '../results/results.js';

/** One input: what errors call it, and its content. */
export interface MergeInput {
  name: string;
  file: ResultsFile;
}

/** The merged file with what is wrong (problems) or worth saying (warnings) about it. */
export interface MergeOutcome {
  /** the merged file; present even with problems so a caller may still look at it */
  merged: ResultsFile;
  /** reasons the merge is not trustworthy (mismatched suites, duplicates, gaps): non-empty = refuse */
  problems: string[];
  /** worth saying, not fatal (fingerprints that differ between shards) */
  warnings: string[];
}

const suiteId = (e: Environment) => `${e.suite.name} ${e.suite.version} ${e.suite.hash}`;

function checkSuites(inputs: MergeInput[], problems: string[]): void {
  const ids = new Map<string, string[]>();
  for (const i of inputs) ids.set(suiteId(i.file.environment), [...(ids.get(suiteId(i.file.environment)) ?? []), i.name]);
  if (ids.size > 1) problems.push(`the files come from different suites (name version hash): ${[...ids].map(([id, names]) => `${id} in ${names.join(', ')}`).join('; ')}`);
  const counts = new Set(inputs.map((i) => i.file.environment.suite.scenarios));
  if (counts.size > 1) problems.push(`the files selected different numbers of scenarios (${[...counts].join(', ')}): were they run with the same --grep/--suite?`);
}

/** The adapters a file ran: shards are checked per adapter set (a CI matrix shards each adapter alike). */
function adapterSet(f: ResultsFile): string {
  const names = new Set([...Object.keys(f.environment.variants).map((k) => k.split('/')[0]), ...f.results.map((r) => r.adapter)]);
  return [...names].sort().join(',');
}

function checkShards(inputs: MergeInput[], problems: string[]): void {
  const sharded = inputs.filter((i) => i.file.environment.shard);
  if (sharded.length === 0) return;
  if (sharded.length !== inputs.length) problems.push(`some files are shards and some are not: ${inputs.filter((i) => !i.file.environment.shard).map((i) => i.name).join(', ')} hold whole runs`);
  const groups = new Map<string, MergeInput[]>();
  for (const i of sharded) groups.set(adapterSet(i.file), [...(groups.get(adapterSet(i.file)) ?? []), i]);
  for (const [adapters, group] of groups) {
    const where = groups.size > 1 ? ` (adapters ${adapters || 'none'})` : '';
    const counts = new Set(group.map((i) => i.file.environment.shard!.count));
    if (counts.size > 1) {
      problems.push(`the shards were cut differently (N = ${[...counts].join(', ')})${where}`);
      continue;
    }
    const n = [...counts][0];
    const by = new Map<number, string[]>();
    for (const i of group) by.set(i.file.environment.shard!.index, [...(by.get(i.file.environment.shard!.index) ?? []), i.name]);
    for (const [idx, names] of by) if (names.length > 1) problems.push(`shard ${idx}/${n} given more than once${where}: ${names.join(', ')}`);
    const missing = Array.from({ length: n }, (_, k) => k + 1).filter((k) => !by.has(k));
    if (missing.length) problems.push(`shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${n}`).join(', ')} missing${where}`);
  }
}

/** Merge; check `problems` before trusting the result. */
export function mergeResults(inputs: MergeInput[], argv: string[] = ['merge', ...inputs.map((i) => i.name)]): MergeOutcome {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (inputs.length === 0) throw new Error('merge needs at least one results file');
  checkSuites(inputs, problems);
  checkShards(inputs, problems);
  // every scenario × variant once
  const owner = new Map<string, string>();
  const dups = new Map<string, Set<string>>();
  const results: ResultsFile['results'] = [];
  for (const i of inputs) {
    for (const r of i.file.results) {
      const k = `${r.adapter}/${r.variant} ${r.scenario}`;
      const first = owner.get(k);
      if (first !== undefined) {
        dups.set(k, (dups.get(k) ?? new Set([first])).add(i.name));
        continue;
      }
      owner.set(k, i.name);
      results.push(r);
    }
  }
  for (const [k, names] of [...dups].slice(0, 20)) problems.push(`duplicate: ${k} appears ${names.size === 1 ? `more than once in ${[...names][0]}` : `in ${[...names].join(' and ')}`}`);
  if (dups.size > 20) problems.push(`… and ${dups.size - 20} more duplicates`);
  // gaps: every variant should have every scenario that any variant has, and the suite's count
  const variants = new Map<string, Set<string>>();
  const scenarios = new Set<string>();
  for (const r of results) {
    const v = `${r.adapter}/${r.variant}`;
    if (!variants.has(v)) variants.set(v, new Set());
    variants.get(v)!.add(r.scenario);
    scenarios.add(r.scenario);
  }
  for (const [v, have] of variants) {
    const lack = [...scenarios].filter((s) => !have.has(s));
    if (lack.length) problems.push(`gap: ${v} lacks ${lack.length} scenario${lack.length > 1 ? 's' : ''} the other variants have: ${lack.slice(0, 8).join(', ')}${lack.length > 8 ? ', …' : ''}`);
  }
  const expected = inputs[0].file.environment.suite.scenarios;
  const interrupted = inputs.some((i) => i.file.environment.interrupted);
  if (scenarios.size < expected && results.length > 0) problems.push(`gap: ${expected - scenarios.size} of the ${expected} selected scenarios are in no file${interrupted ? ' (a run was interrupted)' : ''}`);
  // fingerprints: union; the same key with a different fingerprint is worth a warning
  const fps: Environment['variants'] = {};
  for (const i of inputs) {
    for (const [k, fp] of Object.entries(i.file.environment.variants)) {
      if (fps[k] && JSON.stringify(fps[k]) !== JSON.stringify(fp)) warnings.push(`fingerprint of ${k} differs between files (kept the first): ${i.name}`);
      else fps[k] ??= fp;
    }
  }
  const seenErr = new Set<string>();
  const loadErrors = inputs.flatMap((i) => i.file.loadErrors).filter((e) => {
    const k = `${e.file}:${e.line}:${e.col}:${e.path}:${e.message}`;
    return seenErr.has(k) ? false : (seenErr.add(k), true);
  });
  const hosts = new Set(inputs.map((i) => i.file.environment.host.kernel));
  if (hosts.size > 1 && inputs.some((i) => i.file.environment.shard)) warnings.push(`the shards ran on different kernels: ${[...hosts].join(', ')}`);
  const env0 = inputs[0].file.environment;
  const times = inputs.map((i) => i.file.environment);
  const merged: ResultsFile = {
    format: 'overlay-conformance-results',
    formatVersion: 2,
    environment: {
      suite: { ...env0.suite, scenarios: Math.max(...inputs.map((i) => i.file.environment.suite.scenarios)) },
      host: env0.host,
      argv,
      startedAt: times.map((t) => t.startedAt).sort()[0],
      finishedAt: times.map((t) => t.finishedAt).sort().reverse()[0],
      ...(interrupted ? { interrupted: true } : {}),
      variants: fps,
    },
    results,
    loadErrors,
    summary: summarise(results),
  };
  return { merged, problems, warnings };
}
