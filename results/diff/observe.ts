// What of an observation is behaviour and what is noise: inode numbers, devices, times, fds,
// block counts and free-space figures differ between any two runs, so they are dropped before
// two observations are compared; what remains (errno, data, modes, sizes, names) is compared.

import type { Observation, StepRecord } from '../../language/schema/results.js';

/** Keys whose values differ between runs and machines whatever the implementation does. */
export const VOLATILE_KEYS = new Set([
  'ino', 'inos', 'dev', 'atime', 'mtime', 'ctime', 'btime', 'blocks', 'fd', 'dir', 'map', 'pid',
  'bavail', 'bfree', 'ffree', 'favail', 'files', 'fsid', 'message', 'ms',
]);

function strip(v: unknown, parentIsDirStat = false): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => strip(x));
    // listings are sets: sort entries by their canonical text
    return items.every((x) => x && typeof x === 'object' && 'name' in (x as object)) ? [...items].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) : items;
  }
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const isDir = o.type === 'dir';
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    if (VOLATILE_KEYS.has(k)) continue;
    if (k === 'size' && (isDir || parentIsDirStat)) continue; // directory sizes are the filesystem's business
    out[k] = strip(o[k]);
  }
  return out;
}

/**
 * Ops whose values depend on the order a filesystem hashes names into (which batch of a directory
 * stream an entry comes in, telldir cookies): only how many entries came back is comparable.
 */
export const ORDER_DEPENDENT_OPS = new Set(['readdirNext', 'telldir']);

function forOp(o: Observation, op?: string): Observation {
  if (!op || !o.ok || !o.value || typeof o.value !== 'object') return o;
  const v = o.value as Record<string, unknown>;
  // a watch answers with the watched inode's number and the watch descriptor: neither is behaviour
  if (op === 'watch') {
    const { target: _t, wd: _w, ...rest } = v;
    return { ok: true, value: rest };
  }
  // listxattr(2) lists names in an order of the filesystem's choosing: the names compare as a set
  if (op === 'listxattr' && Array.isArray(v.names)) return { ok: true, value: { ...v, names: [...v.names].sort() } };
  if (!ORDER_DEPENDENT_OPS.has(op)) return o;
  if (op === 'telldir') return { ok: true };
  return { ok: true, value: { ...v, entries: Array.isArray(v.entries) ? v.entries.length : v.entries } };
}

/** The comparable part of an observation (of op `op`, when known), as canonical JSON. */
export function observationKey(o: Observation, op?: string): string {
  return JSON.stringify(strip(forOp(o, op)));
}

/** A short human form: "ok", "ok size=3 mode=0644", "EXDEV", "timeout 10000 ms", "skip: …". */
export function describeObservation(obs: Observation | undefined, op?: string): string {
  if (!obs) return '—';
  const o = forOp(obs, op);
  if (!o.ok) {
    if ('errno' in o) return o.errno;
    if ('timeout' in o) return `timeout ${o.timeout} ms`;
    if ('skip' in o) return `skip: ${o.skip}`;
    if ('escape' in o) return `escape: ${o.escape}`;
    if ('notRun' in o) return `not run: ${o.notRun}`;
    return `harness: ${o.harness}`;
  }
  if (o.value === undefined) return 'ok';
  const flat: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (flat.length >= 6) return;
    if (Array.isArray(v)) {
      const names = v.map((x) => (x && typeof x === 'object' && 'name' in x ? String((x as { name: unknown }).name) : JSON.stringify(strip(x))));
      flat.push(`${path}=[${names.sort().join(',')}]`);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(strip(v) as Record<string, unknown>)) walk(x, k === 'stat' || k === 'statfs' || k === 'lock' ? path : path ? `${path}.${k}` : k);
    } else flat.push(`${path}=${path === 'mode' && typeof v === 'number' ? '0' + v.toString(8) : JSON.stringify(v)}`);
  };
  walk(o.value, '');
  return flat.length ? `ok ${flat.join(' ')}` : 'ok';
}

/** A step that observed something else in the new run. */
export interface StepChange {
  /** 1-based */
  step: number;
  line: number;
  op: string;
  old: string;
  new: string;
}

/**
 * Steps whose comparable observation differs (by step number; steps only one side ran count too).
 * A compact side (`compactA`/`compactB`) recorded only its non-POSIX steps: a step it lacks met
 * POSIX, so it equals the other side's step when that one matched POSIX too.
 */
export function stepChanges(a: StepRecord[], b: StepRecord[], compactA = false, compactB = false): StepChange[] {
  const out: StepChange[] = [];
  const bi = new Map(b.map((s) => [s.step, s]));
  const ai = new Map(a.map((s) => [s.step, s]));
  for (const idx of [...new Set([...ai.keys(), ...bi.keys()])].sort((x, y) => x - y)) {
    const x = ai.get(idx);
    const y = bi.get(idx);
    if ((!x && compactA && y?.matched === 'posix') || (!y && compactB && x?.matched === 'posix')) continue;
    const kx = x ? observationKey(x.observed, x.op) + '|' + x.matched : '';
    const ky = y ? observationKey(y.observed, y.op) + '|' + y.matched : '';
    if (kx === ky) continue;
    const s = (y ?? x)!;
    const d = (r: StepRecord | undefined, compact: boolean) => (r ? `${describeObservation(r.observed, r.op)}${r.matched && r.matched !== 'posix' ? ` (${r.matched})` : ''}` : compact ? 'as POSIX expects' : 'not run');
    out.push({ step: idx, line: s.line, op: s.op, old: d(x, compactA), new: d(y, compactB) });
  }
  return out;
}
