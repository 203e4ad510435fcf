// The results file: assembled from a run, summarised per variant, validated against
// spec/results.schema.json before anyone else reads it.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, hostname, release } from 'node:os';
import { join } from 'node:path';
import type { Fingerprint } from '../adapters/adapter.js';
import { isUnexpected } from '../engine/known.js';
import { check } from '../language/loader/validate.js';
import type { LoadError } from '../language/model.js';
import { packageRoot, packageVersion } from '../language/root.js';
import { ResultsFileT, VERDICTS, type Result, type ResultsFile, type Verdict } from '../language/schema/results.js';

/** A content hash of the suite (scenario files and spec data), so results know what ran. */
export function suiteHash(files: string[]): string {
  const h = createHash('sha256');
  const root = packageRoot();
  const specDir = join(root, 'spec');
  const spec = ['capabilities.yaml', ...['deviations', 'refs', 'profiles'].flatMap((d) => readdirSync(join(specDir, d)).map((f) => `${d}/${f}`))].map((f) => `spec/${f}`);
  for (const f of [...files].sort().concat(spec)) {
    h.update(f + '\0');
    try {
      h.update(readFileSync(f.startsWith('/') ? f : join(root, f)));
    } catch {
      try {
        h.update(readFileSync(f));
      } catch {
        h.update('missing');
      }
    }
  }
  return 'sha256:' + h.digest('hex').slice(0, 16);
}

/** verdict counts per "adapter/variant" */
export function summarise(results: Result[]): Record<string, Record<Verdict, number>> {
  const out: Record<string, Record<Verdict, number>> = {};
  for (const r of results) {
    const k = `${r.adapter}/${r.variant}`;
    out[k] ??= Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
    out[k][r.verdict]++;
  }
  return out;
}

export interface BuildArgs {
  results: Result[];
  fingerprints: Record<string, Fingerprint>;
  loadErrors: LoadError[];
  files: string[];
  scenarioCount: number;
  argv: string[];
  startedAt: Date;
  interrupted: boolean;
  /** set by `run --shard I/N`: this file holds shard I of N */
  shard?: { index: number; count: number };
}

/** Assemble the results file with its environment fingerprint. */
export function buildResults(a: BuildArgs): ResultsFile {
  return {
    format: 'overlay-conformance-results',
    formatVersion: 2,
    environment: {
      suite: { name: 'overlay-conformance', version: packageVersion(), hash: suiteHash(a.files), scenarios: a.scenarioCount },
      host: {
        kernel: release(), node: process.version, platform: process.platform, arch: process.arch, hostname: hostname(),
        uid: process.getuid?.() ?? -1, cpus: cpus().length,
      },
      argv: a.argv,
      startedAt: a.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ...(a.interrupted ? { interrupted: true } : {}),
      ...(a.shard ? { shard: a.shard } : {}),
      variants: a.fingerprints,
    },
    results: a.results,
    loadErrors: a.loadErrors,
    summary: summarise(a.results),
  };
}

/** Problems of a results document against the published schema (empty: valid). */
export function validateResults(doc: unknown): string[] {
  return check(ResultsFileT, doc).map((p) => `/${p.path.join('/')}: ${p.message}`);
}

/** true when the run should exit non-zero (known failures are expected; a known failure that passed is not) */
export function hasProblems(r: ResultsFile): boolean {
  return r.loadErrors.length > 0 || r.results.some(isUnexpected) || r.environment.interrupted === true;
}

/** Record in a shard's results which shard it holds; suite.scenarios counts the whole selection, so a merge can find gaps. */
export function markShard(file: ResultsFile, shard: { index: number; count: number }, selected: number): void {
  file.environment.shard = { index: shard.index, count: shard.count };
  file.environment.suite.scenarios = selected;
}

/** The results file as JSON text: one result per line, so it stays small and still greps well. */
export function resultsText(file: ResultsFile): string {
  const token = '"@@results@@"';
  const body = file.results.length ? '[\n' + file.results.map((r) => JSON.stringify(r)).join(',\n') + '\n]' : '[]';
  return JSON.stringify({ ...file, results: token.slice(1, -1) }).replace(token, () => body) + '\n';
}
