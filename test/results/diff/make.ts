// Hand-made results files for the diff, merge and matrix tests: the smallest valid documents.
import type { Result, ResultsFile, StepRecord } from '../../../language/schema/results.js';
import { summarise } from '../../../results/results.js';

/** One step record; `observed` defaults to plain success. */
export function step(index: number, op: string, observed: StepRecord['observed'] = { ok: true }, matched: string | null = 'posix'): StepRecord {
  return { step: index + 1, line: 10 + index, op, observed, matched };
}

/** One result; every field but the ones that matter to a test has a fixed value. */
export function result(scenario: string, over: Partial<Result> = {}): Result {
  return {
    scenario, id: scenario.replace(/\[.*$/, ''), file: `suites/${scenario.split('/')[0]}/x.yaml`, behaviour: [], adapter: 'kernel', variant: 'default',
    verdict: 'pass', steps: [step(0, 'stat')], ms: 1, ...over,
  };
}

/** A results file holding these results, with a fingerprint for every variant they use. */
export function file(results: Result[], over: { kernel?: string; hash?: string; scenarios?: number; shard?: { index: number; count: number }; options?: Record<string, string> } = {}): ResultsFile {
  const variants: ResultsFile['environment']['variants'] = {};
  for (const r of results) variants[`${r.adapter}/${r.variant}`] = { implementation: 'kernel', version: over.kernel ?? '6.18.0', options: over.options ?? { index: 'off' } };
  return {
    format: 'overlay-conformance-results', formatVersion: 2,
    environment: {
      suite: { name: 'overlay-conformance', version: '0.1.0', hash: over.hash ?? 'sha256:0000', scenarios: over.scenarios ?? new Set(results.map((r) => r.scenario)).size },
      host: { kernel: over.kernel ?? '6.18.0', node: 'v20.0.0', platform: 'linux', arch: 'x64', hostname: 'h', uid: 0, cpus: 2 },
      argv: ['run'], startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:01:00.000Z',
      ...(over.shard ? { shard: over.shard } : {}),
      variants,
    },
    results, loadErrors: [], summary: summarise(results),
  };
}
