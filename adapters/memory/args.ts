// Decoding the executor's resolved arguments (numbers, bytes, symbolic flags, times, users)
// into the values the engine works with; malformed arguments are harness errors, not errnos.

import type { Cred } from '../adapter.js';
import { parseTime } from './clock.js';
import { dataBytes } from './canon.js';
import { ROOT, type Creds } from './perm.js';

/** A malformed argument: the worker reports it by throwing (a harness bug, not an errno). */
export class ArgError extends Error {}

/** Typed access to one op's arguments. */
export class Args {
  constructor(
    private readonly op: string,
    private readonly a: Record<string, unknown>,
  ) {}

  has(k: string): boolean {
    return this.a[k] !== undefined && this.a[k] !== null;
  }

  str(k: string): string {
    const v = this.a[k];
    if (typeof v !== 'string') throw new ArgError(`${this.op}: argument ${k} must be a string`);
    return v;
  }

  optStr(k: string): string | undefined {
    return this.has(k) ? this.str(k) : undefined;
  }

  int(k: string, dflt?: number): number {
    const v = this.a[k];
    if (v === undefined || v === null) {
      if (dflt !== undefined) return dflt;
      throw new ArgError(`${this.op}: argument ${k} is required`);
    }
    const n = typeof v === 'bigint' ? Number(v) : typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new ArgError(`${this.op}: argument ${k} must be an integer`);
    return n;
  }

  optInt(k: string): number | undefined {
    return this.has(k) ? this.int(k) : undefined;
  }

  bool(k: string): boolean {
    return this.a[k] === true || this.a[k] === 'true';
  }

  bytes(k: string): Uint8Array {
    if (!this.has(k)) throw new ArgError(`${this.op}: argument ${k} is required`);
    return dataBytes(this.a[k]);
  }

  /** a mode: number, or an octal string */
  mode(k: string): number | undefined {
    const v = this.a[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^(0o?)?[0-7]{1,4}$/.test(v)) return parseInt(v.replace(/^0o/, ''), 8);
    throw new ArgError(`${this.op}: argument ${k} is not a mode`);
  }

  /** symbolic flags as a list */
  flags(k: string): string[] {
    const v = this.a[k];
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v.map(String);
    if (typeof v === 'string') return v.split(/[|,\s]+/).filter(Boolean);
    throw new ArgError(`${this.op}: argument ${k} must be flags`);
  }

  /** a time: undefined (omit), 'now', or nanoseconds */
  time(k: string): bigint | 'now' | undefined {
    const v = this.a[k];
    if (v === undefined || v === null || v === 'omit') return undefined;
    if (v === 'now') return 'now';
    const t = parseTime(v);
    if (t === undefined) throw new ArgError(`${this.op}: argument ${k} is not a time`);
    return t;
  }
}

/** The credentials of a step (root when none is given). */
export function credsOf(u: Cred | undefined): Creds {
  if (!u) return ROOT;
  return { uid: u.uid, gid: u.gid, groups: u.groups ?? [] };
}
