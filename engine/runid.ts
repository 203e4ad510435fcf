// Names of a run's executions and workers. An execution's run id names its scratch directory
// (adapters/host: <worker's workdir>/<run id>) and so is part of every layer path: of a mount's
// option string (one mount(2) string holds at most 4,095 bytes; lookup/many-layers-lookup's sixty
// lowers came to 4,103 bytes run alone and 4,227 in a whole run) and of every path a scenario
// walks. So both have one width whatever the scenario's place in the selection, its attempt, or
// the worker that ran it: no verdict depends on those.

// The widths are as short as they can be (each byte is paid once per layer: gVisor's sixty-lower
// lookup/many-layers-lookup fits one page with these and did not with one more byte a name).

/** A counter in base 36 padded to `width` (longer only past the width's range, which no run reaches). */
const digits = (n: number, width: number) => n.toString(36).padStart(width, '0');

/** An execution's run id: `kind` ("s" a scenario of the variant, "b" the baseline's), its number from 1 (3 digits: 46,655 scenarios), its attempt (1-4, engine/alone.ts); 5 characters. */
export function runIdOf(kind: 's' | 'b', n: number, attempt = 1): string {
  return `${kind}${digits(n, 3)}${digits(attempt, 1)}`;
}

/** A worker's directory name under the run's workdir: adapter, variant, its index among `jobs` (one width for the run) and generation (a replaced worker's next: 2 digits, 1,295). */
export function workerDirOf(adapter: string, variant: string, index: number, gen: number, jobs: number): string {
  return `${adapter}.${variant.replace(/[^A-Za-z0-9_.-]/g, '_')}.${digits(index, Math.max(1, (jobs - 1).toString(36).length))}.${digits(gen, 2)}`;
}
