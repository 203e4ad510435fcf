// The reporter contract and the registry of built-in reporters (pretty, json, tap, junit).

import type { Result, ResultsFile } from '../../language/schema/results.js';

/** Receives results as they come and renders the finished run. */
export interface Reporter {
  /** a run is starting over these variants */
  start?(total: number): void;
  variant?(key: string): void;
  result?(r: Result, done: number, total: number): void;
  /** something is running (for progress lines) */
  activity?(what: string): void;
  /** the whole output document (written to --out or stdout) */
  end(file: ResultsFile): string;
}

export const REPORTERS = ['pretty', 'json', 'tap', 'junit'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** one-line description of a result for human output */
export function resultLine(r: Result): string {
  const dev = r.deviations?.length ? ` [${r.deviations.join(', ')}]` : '';
  return `${r.adapter}/${r.variant} ${r.scenario}${dev}`;
}
