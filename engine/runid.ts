// Names of a run's executions and workers. An execution's run id names its scratch directory
// (adapters/host: <worker's workdir>/<run id>) and so is part of every layer path: of a mount's
// option string (one mount(2) string holds at most 4,095 bytes; lookup/many-layers-lookup's sixty
// lowers came to 4,103 bytes run alone and 4,227 in a whole run) and of every path a scenario
// walks. So both have one width whatever the scenario's place in the selection, its attempt, or
// the worker that ran it: no verdict depends on those.

/** Width of a counter in base 36: 4 digits count 1,679,615 scenarios, 2 digits 1,295 workers. */
const digits = (n: number, width: number) => n.toString(36).padStart(width, '0');

/** An execution's run id: `kind` ("s" a scenario of the run, "b" the baseline's), its number from 1, its attempt (1-4, engine/alone.ts); always 6 characters. */
export function runIdOf(kind: 's' | 'b', n: number, attempt = 1): string {
  return `${kind}${digits(n, 4)}${digits(attempt, 1)}`;
}

/** A worker's directory name under the run's workdir: adapter, variant, its index and generation (a replaced worker's next), fixed widths. */
export function workerDirOf(adapter: string, variant: string, index: number, gen: number): string {
  return `${adapter}.${variant.replace(/[^A-Za-z0-9_.-]/g, '_')}.${digits(index, 2)}.${digits(gen, 2)}`;
}
