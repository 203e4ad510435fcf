// `vary:` expansion: one scenario document becomes one run per combination of its dimensions,
// with a source map so an error inside a substituted value points at the vary block.

import type { JsonPath } from './yaml.js';

/** One combination: dimension → label, and dimension → value. */
export interface Combination {
  labels: Record<string, string>;
  values: Record<string, unknown>;
  /** dimension → source path of the chosen value (for error positions) */
  sources: Record<string, JsonPath>;
}

/** The combinations a vary block (and its exclude list) yields, in declaration order. */
export function combinations(vary: Record<string, unknown>, exclude: Record<string, string>[] = []): Combination[] {
  let out: Combination[] = [{ labels: {}, values: {}, sources: {} }];
  for (const [dim, spec] of Object.entries(vary)) {
    const options: [string, unknown, JsonPath][] = Array.isArray(spec)
      ? spec.map((v, i) => [String(v), v, ['vary', dim, i]])
      : Object.entries(spec as Record<string, unknown>).map(([k, v]) => [k, v, ['vary', dim, k]]);
    const next: Combination[] = [];
    for (const c of out)
      for (const [label, value, src] of options)
        next.push({
          labels: { ...c.labels, [dim]: label },
          values: { ...c.values, [dim]: value },
          sources: { ...c.sources, [dim]: src },
        });
    out = next;
  }
  return out.filter((c) => !exclude.some((ex) => Object.entries(ex).every(([d, l]) => c.labels[d] === String(l))));
}

/** A substitution made while expanding: the expanded path came from the source path. */
export interface SourceMapEntry {
  at: JsonPath;
  from: JsonPath;
}

const WHOLE = /^\$\{([a-z][a-zA-Z0-9_]*)((?:\.[A-Za-z0-9_-]+)*)\}$/;
const PART = /\$\{([a-z][a-zA-Z0-9_]*)((?:\.[A-Za-z0-9_-]+)*)\}/g;

/** `${dim.a.b}`: own data fields only (never `constructor`, `toString` or other inherited names). */
function pick(value: unknown, sub: string): unknown {
  let v = value;
  for (const seg of sub.split('.').filter(Boolean)) v = v !== null && typeof v === 'object' && Object.hasOwn(v, seg) ? (v as Record<string, unknown>)[seg] : undefined;
  return v;
}

/** How many runs a vary block yields before exclusion (so a huge product is refused before it is built). */
export function combinationCount(vary: Record<string, unknown>): number {
  let n = 1;
  for (const spec of Object.values(vary)) n *= Array.isArray(spec) ? spec.length : Object.keys(spec as object).length;
  return n;
}

/** Error thrown for a `${name}` that names no dimension. */
export class VaryError extends Error {
  constructor(
    message: string,
    readonly path: JsonPath,
  ) {
    super(message);
  }
}

/** Substitute `${dim}` / `${dim.field}` everywhere except in vary/exclude themselves. */
export function expand(doc: unknown, c: Combination, map: SourceMapEntry[], path: JsonPath = []): unknown {
  return expandAt(doc, c, map, [...path]);
}

/**
 * expand() with `path` as one stack that grows and shrinks with the walk (copied only where a
 * substitution or an error keeps it): a cold load expands ~2,000 runs, and an array per value
 * visited was most of the expansion's time and garbage.
 */
function expandAt(doc: unknown, c: Combination, map: SourceMapEntry[], path: JsonPath): unknown {
  if (typeof doc === 'string') {
    // neither pattern matches a string without "${"
    if (!doc.includes('${')) return doc;
    const whole = WHOLE.exec(doc);
    if (whole) {
      const [, dim, sub] = whole;
      if (!Object.hasOwn(c.values, dim)) throw new VaryError(`\${${dim}} names no vary dimension`, [...path]);
      const v = pick(c.values[dim], sub);
      if (v === undefined) throw new VaryError(`\${${dim}${sub}} is undefined for ${dim}=${c.labels[dim]}`, [...path]);
      map.push({ at: [...path], from: [...c.sources[dim], ...sub.split('.').filter(Boolean)] });
      return structuredClone(v);
    }
    return doc.replace(PART, (_m, dim: string, sub: string) => {
      if (!Object.hasOwn(c.values, dim)) throw new VaryError(`\${${dim}} names no vary dimension`, [...path]);
      const v = pick(c.values[dim], sub);
      if (v === undefined) throw new VaryError(`\${${dim}${sub}} is undefined for ${dim}=${c.labels[dim]}`, [...path]);
      if (v === null || typeof v === 'object') throw new VaryError(`\${${dim}${sub}} is not a scalar, it cannot be part of a string`, [...path]);
      return String(v);
    });
  }
  if (Array.isArray(doc))
    return doc.map((v, i) => {
      path.push(i);
      const r = expandAt(v, c, map, path);
      path.pop();
      return r;
    });
  if (doc !== null && typeof doc === 'object') {
    // own properties only: a key such as __proto__ is data like any other
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc)) {
      if (path.length === 0 && (k === 'vary' || k === 'exclude')) continue;
      path.push(k);
      const key = k.includes('${') ? String(expandAt(k, c, [], path)) : k;
      path.pop();
      if (key !== k) map.push({ at: [...path, key], from: [...path, k] });
      path.push(key);
      const value = expandAt(v, c, map, path);
      path.pop();
      // an own data property, as defineProperty made it; only __proto__ would not be one by assignment
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
    return out;
  }
  return doc;
}

/** Map a path in an expanded document back to the path in the source document. */
export function toSource(path: JsonPath, map: SourceMapEntry[]): JsonPath {
  let best: SourceMapEntry | undefined;
  for (const m of map) {
    if (m.at.length <= path.length && m.at.every((s, i) => String(s) === String(path[i]))) {
      if (!best || m.at.length > best.at.length) best = m;
    }
  }
  return best ? [...best.from, ...path.slice(best.at.length)] : path;
}

/** The run id suffix for a combination: `[dim=label,…]`, empty without vary. */
export function runSuffix(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([d, l]) => `${d}=${l}`);
  return parts.length ? `[${parts.join(',')}]` : '';
}
