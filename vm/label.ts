// How a kernel matrix keeps each kernel's results apart in one results file: the adapter name
// gets "@<release>" (kernel@6.1.0-57-amd64/default), which every tool keyed on "adapter/variant"
// (diff, merge, summaries, CONFORMANCE tooling) reads as one more adapter.

import type { ResultsFile } from '../language/schema/results.js';

/** "kernel" + "6.1.0-57-amd64" → "kernel@6.1.0-57-amd64" */
export const labelAdapter = (adapter: string, release: string) => `${adapter}@${release}`;

/** Split a labelled adapter name; release undefined when it carries none. */
export function splitLabel(adapter: string): { adapter: string; release?: string } {
  const i = adapter.indexOf('@');
  return i < 0 ? { adapter } : { adapter: adapter.slice(0, i), release: adapter.slice(i + 1) };
}

/** A copy of a results file with every adapter labelled by the kernel release it ran on. */
export function labelResults(file: ResultsFile, release: string): ResultsFile {
  const key = (k: string) => {
    const slash = k.indexOf('/');
    return `${labelAdapter(k.slice(0, slash), release)}${k.slice(slash)}`;
  };
  return {
    ...file,
    environment: { ...file.environment, variants: Object.fromEntries(Object.entries(file.environment.variants).map(([k, v]) => [key(k), v])) },
    results: file.results.map((r) => ({ ...r, adapter: labelAdapter(r.adapter, release) })),
    summary: Object.fromEntries(Object.entries(file.summary).map(([k, v]) => [key(k), v])),
  };
}

/** The file one kernel contributed to a matrix, with its labels removed again (for `ovlconf diff`). */
export function unlabelResults(file: ResultsFile, release: string): ResultsFile {
  const suffix = `@${release}`;
  const strip = (a: string) => (a.endsWith(suffix) ? a.slice(0, -suffix.length) : a);
  const keep = (k: string) => k.split('/')[0].endsWith(suffix);
  const key = (k: string) => strip(k.split('/')[0]) + k.slice(k.indexOf('/'));
  return {
    ...file,
    environment: { ...file.environment, variants: Object.fromEntries(Object.entries(file.environment.variants).filter(([k]) => keep(k)).map(([k, v]) => [key(k), v])) },
    results: file.results.filter((r) => r.adapter.endsWith(suffix)).map((r) => ({ ...r, adapter: strip(r.adapter) })),
    summary: Object.fromEntries(Object.entries(file.summary).filter(([k]) => keep(k)).map(([k, v]) => [key(k), v])),
  };
}
