// `after:` layer-state assertions from their scenario form into matchers.

import { parseMode, toBytes } from '../data.js';
import type { After, AfterMatcher, AfterSpec, Matcher } from '../model.js';
import { conditionOf } from './condition.js';
import { put } from './layers.js';
import { checkPath } from './paths.js';
import type { Problem } from './validate.js';
import type { JsonPath } from './yaml.js';

type Src = Record<string, unknown>;

function sizeMatchers(v: unknown): Matcher[] {
  if (v !== null && typeof v === 'object') return Object.entries(v as Src).map(([k, x]) => ({ [k]: x }) as Matcher);
  return [{ eq: v }];
}

function matcherOf(v: unknown): AfterMatcher {
  if (typeof v === 'string') return { type: 'file', data: toBytes(v) };
  const o = v as Src;
  if (!('type' in o)) return { type: 'file', data: toBytes(o) };
  if (o.type === 'absent') return { type: 'absent' };
  const m: Record<string, unknown> = { type: o.type };
  for (const [k, x] of Object.entries(o)) {
    if (k === 'type') continue;
    if (k === 'data') m.data = toBytes(x);
    else if (k === 'mode') m.mode = parseMode(x);
    else if (k === 'opaque') m.opaque = x === true ? 'y' : x;
    else if (k === 'size' || k === 'nlink') m[k] = sizeMatchers(x);
    else if (k === 'xattrs') m.xattrs = Object.fromEntries(Object.entries(x as Src).map(([n, d]) => [n, d === null ? null : toBytes(d)]));
    else m[k] = x;
  }
  return m as AfterMatcher;
}

function specOf(src: Src, at: JsonPath, problems: Problem[]): AfterSpec {
  let upper: Record<string, AfterMatcher> | undefined;
  if (src.upper) {
    upper = {};
    for (const [k, v] of Object.entries(src.upper as Src)) {
      const c = checkPath(k, { root: false });
      if (!c.ok) problems.push({ path: [...at, 'upper', k], key: true, message: c.reason });
      else put(upper, c.path, matcherOf(v));
    }
  }
  return { upper, lowerUnchanged: src.lower === 'unchanged', exact: src.exact === true };
}

/** Normalise an `after:` block; `line` is where it starts. */
export function afterOf(src: Src, line: number, problems: Problem[]): After {
  const deviations: Record<string, AfterSpec> = {};
  for (const [id, d] of Object.entries((src.deviations as Record<string, Src>) ?? {})) deviations[id] = specOf(d, ['after', 'deviations', id], problems);
  const when = ((src.when as Src[] | undefined) ?? []).map((w, i) => ({ when: conditionOf(w), spec: specOf(w, ['after', 'when', i], problems) }));
  return { ...specOf(src, ['after'], problems), line, deviations, when };
}
