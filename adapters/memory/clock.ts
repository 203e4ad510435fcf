// Virtual time: every mutating op gets a strictly later instant, so timestamp comparisons in
// scenarios are deterministic; times are nanoseconds as bigint and print as "SEC.NSEC".

const NS = 1_000_000_000n;

/** The engine's clock: `tick()` once per mutating op, `now` is the instant of the current op. */
export class Clock {
  /** 2025-06-15T00:00:00Z: a plausible "now" for scenarios that compare with fixed dates */
  private t = 1_749_945_600n * NS;

  get now(): bigint {
    return this.t;
  }

  /** advance to the next op's instant (1 µs later) and return it */
  tick(): bigint {
    this.t += 1000n;
    return this.t;
  }
}

/** Format nanoseconds as the canonical "SEC.NSEC" string with 9-digit nanoseconds. */
export function fmtTime(ns: bigint): string {
  // from one decimal string rather than a division, a remainder and two conversions (every stat
  // formats three times): the seconds are the digits before the last nine
  if (ns >= 0n) {
    const d = ns.toString();
    return d.length > 9 ? `${d.slice(0, -9)}.${d.slice(-9)}` : `0.${d.padStart(9, '0')}`;
  }
  let sec = ns / NS;
  let frac = ns % NS;
  if (frac < 0n) {
    frac += NS;
    sec -= 1n;
  }
  return `${sec}.${frac.toString().padStart(9, '0')}`;
}

/** Parse "SEC[.NSEC]" or a number of seconds into nanoseconds; undefined when not a time. */
export function parseTime(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isFinite(v)) {
    const sec = Math.floor(v);
    return BigInt(sec) * NS + BigInt(Math.round((v - sec) * 1e9));
  }
  if (typeof v !== 'string') return undefined;
  const m = /^(-?)([0-9]+)(?:\.([0-9]{1,9}))?$/.exec(v.trim());
  if (!m) return undefined;
  const neg = m[1] === '-';
  const mag = BigInt(m[2]) * NS + BigInt((m[3] ?? '').padEnd(9, '0') || '0');
  return neg ? -mag : mag;
}
