// Command-line parsing shared by the subcommands: strict flags, repeatable and comma-separated
// lists, and usage errors that say what is wrong.

import { parseArgs, type ParseArgsConfig } from 'node:util';

import { UsageError } from '../language/errors.js';

export { UsageError };

type Options = NonNullable<ParseArgsConfig['options']>;

/** parsed flags: strings, booleans, or lists of them for repeatable flags */
export type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Parse argv for a subcommand; unknown flags become a UsageError naming them. */
export function parse(argv: string[], options: Options, allowPositionals = false): { values: Flags; positionals: string[] } {
  const config = {
    args: argv,
    options: { ...options, help: { type: 'boolean', short: 'h' } } as Options,
    allowPositionals,
    strict: true as const,
  };
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

/** a repeatable, comma-separable list flag as a flat list */
export function list(v: string | boolean | (string | boolean)[] | undefined): string[] {
  if (v === undefined || typeof v === 'boolean') return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
}

/** a single string flag (the last one given) */
export function str(v: Flags[string]): string | undefined {
  if (v === undefined || typeof v === 'boolean') return undefined;
  return Array.isArray(v) ? String(v[v.length - 1]) : v;
}

/** a positive integer flag */
export function int(v: Flags[string], name: string, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be ${min === 1 ? 'a positive integer' : `an integer ≥ ${min}`}, not ${JSON.stringify(v)}`);
  return n;
}
