// Matching one observation against one expectation: pure; engine/judge.ts applies it once per
// step while the scenario runs.

import type { OpResult, OpValue } from '../language/canonical.js';
import { bytesEqual, modeString, timeNs, toDataJSON } from '../language/data.js';
import type { Expectation, Matcher } from '../language/model.js';

/** What an executed step produced: the adapter's result, or what the harness saw instead. */
export type StepOutcome =
  | OpResult
  | { ok: false; timeout: number }
  | { ok: false; harness: string }
  | { ok: false; skip: string }
  /** the step was not run: it depends on something an earlier step did not produce */
  | { ok: false; notRun: string };

/** Values bound with `as:`: flattened fields of a result, or a handle. */
export type Bindings = Map<string, Record<string, unknown>>;

/** The fields of a result value that expectations and `$refs` address. */
export function fieldsOf(v: OpValue | undefined): Record<string, unknown> {
  if (!v) return {};
  if ('stat' in v) return { ...v.stat };
  if ('statfs' in v) return { ...v.statfs, fstype: v.statfs.type, readonly: (v.statfs.flags & 1) === 1 };
  if ('data' in v) return { data: v.data, size: v.data.length };
  if ('value' in v) return { value: v.value, size: v.value.length };
  if ('entries' in v) return { entries: v.entries.map((e) => e.name), entryTypes: Object.fromEntries(v.entries.map((e) => [e.name, e.type])), inos: Object.fromEntries(v.entries.map((e) => [e.name, e.ino])) };
  if ('names' in v) return { names: v.names };
  if ('lock' in v) return { ...v.lock, lockType: v.lock.type };
  if ('mount' in v) return { ...v.mount };
  return { ...v };
}

const REF = /^\$([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_]+)*)$/;

/** Resolve a `$name.field` reference; undefined when unbound. */
export function resolveRef(v: unknown, bindings: Bindings): unknown {
  if (typeof v !== 'string') return v;
  const m = REF.exec(v);
  if (!m) return v;
  const b = bindings.get(m[1]);
  if (!b) return undefined;
  const path = m[2].split('.').filter(Boolean);
  if (path.length === 0) {
    for (const k of ['data', 'value', 'target', 'path', 'offset', 'count', 'fd', 'dir', 'map']) if (k in b) return b[k];
    return b;
  }
  let x: unknown = b;
  for (const seg of path) x = x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[seg] : undefined;
  return x;
}

function isBigIntish(v: unknown): boolean {
  return (typeof v === 'string' && /^-?\d+$/.test(v)) || (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

/** Compare two values: equality, or an ordering for numbers, u64 strings and "sec.nsec" times. */
export function compare(a: unknown, b: unknown): number | 'ne' | 'eq' {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    const x = a instanceof Uint8Array ? a : typeof a === 'string' ? new TextEncoder().encode(a) : undefined;
    const y = b instanceof Uint8Array ? b : typeof b === 'string' ? new TextEncoder().encode(b) : undefined;
    return x && y && bytesEqual(x, y) ? 'eq' : 'ne';
  }
  if (typeof a === 'string' && typeof b === 'string' && /^-?\d+\.\d{9}$/.test(a) && /^-?\d+\.\d{9}$/.test(b)) {
    const d = timeNs(a) - timeNs(b);
    return d === 0n ? 0 : d < 0n ? -1 : 1;
  }
  if (isBigIntish(a) && isBigIntish(b)) {
    const d = BigInt(a as string) - BigInt(b as string);
    return d === 0n ? 0 : d < 0n ? -1 : 1;
  }
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  return JSON.stringify(a) === JSON.stringify(b) ? 'eq' : 'ne';
}

const equal = (a: unknown, b: unknown) => {
  const c = compare(a, b);
  return c === 0 || c === 'eq';
};

/** Does an observed value satisfy one matcher? */
export function matches(observed: unknown, m: Matcher, bindings: Bindings): boolean {
  const [op, raw] = Object.entries(m)[0] as [string, unknown];
  const want = Array.isArray(raw) ? raw.map((r) => resolveRef(r, bindings)) : resolveRef(raw, bindings);
  if (want === undefined && typeof raw === 'string' && REF.test(raw)) return false;
  const c = () => compare(observed, want);
  switch (op) {
    case 'eq': return equal(observed, want);
    case 'ne': return !equal(observed, want);
    case 'gt': { const r = c(); return typeof r === 'number' && r > 0; }
    case 'ge': { const r = c(); return typeof r === 'number' && r >= 0; }
    case 'lt': { const r = c(); return typeof r === 'number' && r < 0; }
    case 'le': { const r = c(); return typeof r === 'number' && r <= 0; }
    case 'in': return (want as unknown[]).some((w) => equal(observed, w));
    case 'notIn': return !(want as unknown[]).some((w) => equal(observed, w));
  }
  return false;
}

/** Why an outcome does not meet an expectation, or undefined when it does. */
export function mismatch(e: Expectation, o: StepOutcome, bindings: Bindings): string | undefined {
  if (e.any) return o.ok || 'errno' in o ? undefined : describeOutcome(o);
  if (e.errno) {
    if (o.ok) return `succeeded, expected ${e.errno.join(' or ')}`;
    if ('errno' in o) return e.errno.includes(o.errno) ? undefined : `failed with ${o.errno}, expected ${e.errno.join(' or ')}`;
    return describeOutcome(o);
  }
  if (!o.ok) return 'errno' in o ? `failed with ${o.errno}${o.message ? ` (${o.message})` : ''}, expected success` : describeOutcome(o);
  const f = fieldsOf(o.value);
  for (const [field, ms] of Object.entries(e.fields)) {
    for (const m of ms) {
      if (!(field in f)) return `the result has no field "${field}"`;
      if (!matches(f[field], m, bindings)) return `${field} is ${show(field, f[field])}, expected ${showMatcher(field, m, bindings)}`;
    }
  }
  const names = (f.entries ?? f.names) as string[] | undefined;
  if (e.entries || e.names) {
    const want = new Set(e.entries ?? e.names);
    const got = new Set(names ?? []);
    const missing = [...want].filter((n) => !got.has(n));
    const extra = [...got].filter((n) => !want.has(n));
    const dup = (names ?? []).length !== got.size;
    if (missing.length || extra.length || dup)
      return `listed ${JSON.stringify([...(names ?? [])].sort())}, expected ${JSON.stringify([...want].sort())}${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unexpected ${extra.join(', ')}` : ''}${dup ? '; some names listed twice' : ''}`;
  }
  for (const n of e.includes ?? []) if (!(names ?? []).includes(n)) return `"${n}" is not listed (listed: ${JSON.stringify(names ?? [])})`;
  for (const n of e.excludes ?? []) if ((names ?? []).includes(n)) return `"${n}" is listed but must not be`;
  for (const [n, t] of Object.entries(e.entryTypes ?? {})) {
    const got = (f.entryTypes as Record<string, string> | undefined)?.[n];
    if (got !== t && got !== 'unknown') return `d_type of "${n}" is ${got ?? 'absent'}, expected ${t}`;
  }
  return undefined;
}

/** a harness-side outcome in words */
export function describeOutcome(o: StepOutcome): string {
  if (o.ok) return 'succeeded';
  if ('errno' in o) return `failed with ${o.errno}`;
  if ('escape' in o) return `refused: the path escapes the scenario root (${o.escape})`;
  if ('timeout' in o) return `did not answer within ${o.timeout} ms`;
  if ('skip' in o) return `cannot run here: ${o.skip}`;
  if ('notRun' in o) return `not run: ${o.notRun}`;
  return `harness error: ${o.harness}`;
}

function show(field: string, v: unknown): string {
  if (v instanceof Uint8Array) return JSON.stringify(toDataJSON(v));
  if (field === 'mode' && typeof v === 'number') return modeString(v);
  return JSON.stringify(v);
}

function showMatcher(field: string, m: Matcher, b: Bindings): string {
  const [op, raw] = Object.entries(m)[0] as [string, unknown];
  const v = Array.isArray(raw) ? `[${raw.map((r) => show(field, resolveRef(r, b))).join(', ')}]` : show(field, resolveRef(raw, b));
  const ref = typeof raw === 'string' && REF.test(raw) ? ` (${raw})` : '';
  return op === 'eq' ? `${v}${ref}` : `${op} ${v}${ref}`;
}
