// `when:` conditions of conditional expectations and layer-state checks, from their scenario
// form (option → value or values, capability lists) into the model's Condition.

import type { Condition } from '../model.js';
import { MOUNT_OPTIONS } from '../options.js';
import type { Catalog } from './catalog.js';
import { suggest, type Problem } from './validate.js';
import type { JsonPath } from './yaml.js';

/** The condition part of a `when:` entry (its other keys are the expectation or layer state). */
export function conditionOf(src: Record<string, unknown>): Condition {
  const c: Condition = {};
  if (src.options && typeof src.options === 'object')
    c.options = Object.fromEntries(Object.entries(src.options as Record<string, unknown>).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(String)]));
  if (Array.isArray(src.capabilities)) c.capabilities = src.capabilities.map(String);
  if (Array.isArray(src.without)) c.without = src.without.map(String);
  return c;
}

/** What a condition is evaluated against: the variant's effective options and capabilities. */
export interface ConditionContext {
  options: Record<string, string>;
  capabilities: Record<string, true | string>;
}

/** Does the condition hold on this variant? */
export function conditionHolds(c: Condition, ctx: ConditionContext): boolean {
  for (const [k, values] of Object.entries(c.options ?? {})) if (!values.includes(ctx.options[k] ?? '')) return false;
  for (const cap of c.capabilities ?? []) if (ctx.capabilities[cap] !== true) return false;
  for (const cap of c.without ?? []) if (ctx.capabilities[cap] === true) return false;
  return true;
}

/** The condition in words, for messages: "metacopy=on, with atime". */
export function describeCondition(c: Condition): string {
  const parts = [
    ...Object.entries(c.options ?? {}).map(([k, v]) => `${k}=${v.join('|')}`),
    ...(c.capabilities ?? []).map((x) => `with ${x}`),
    ...(c.without ?? []).map((x) => `without ${x}`),
  ];
  return parts.join(', ') || 'always';
}

/** The deviation a POSIX-allowed answer other than the `linux:` one is (kind linux). */
export const LINUX_CONVENTION = 'DEV-LINUX-CONVENTION';

/** Unknown option names or values and unknown capabilities in a condition, each at its path. */
export function conditionProblems(c: Condition, at: JsonPath, catalog: Pick<Catalog, 'capabilities'>): Problem[] {
  const out: Problem[] = [];
  for (const [k, values] of Object.entries(c.options ?? {})) {
    if (!MOUNT_OPTIONS.has(k)) out.push({ path: [...at, 'options', k], key: true, message: `unknown mount option "${k}"${suggest(k, MOUNT_OPTIONS.keys())}` });
    else for (const v of values) {
      const type = MOUNT_OPTIONS.get(k)!;
      const ok = type.kind === 'flag' ? v === 'on' || v === 'off' : type.kind === 'enum' ? type.values.includes(v) : /^[0-9]+$/.test(v);
      if (!ok) out.push({ path: [...at, 'options', k], key: false, message: `option ${k} is never "${v}" on a variant (${type.kind === 'enum' ? type.values.join(', ') : type.kind === 'flag' ? 'on, off' : 'a number'})` });
    }
  }
  for (const key of ['capabilities', 'without'] as const)
    (c[key] ?? []).forEach((cap, i) => {
      if (!catalog.capabilities.has(cap)) out.push({ path: [...at, key, i], key: false, message: `unknown capability "${cap}"${suggest(cap, catalog.capabilities.keys())}; the vocabulary is spec/capabilities.yaml` });
    });
  return out;
}
