// Steps from their scenario form into the executor's: one op with checked arguments, the
// expectation and deviation alternatives normalised, bindings checked statically.

import { Type } from '@sinclair/typebox';
import { OPS, isOpName, type ArgSpec, type OpName } from '../ops.js';
import { normTime, parseMode, toBytes } from '../data.js';
import type { Alternative, Expectation, Matcher, Step } from '../model.js';
import { AlternativeSrc, ConditionalExpectSrc, CredSrc, ExpectSrc, LinuxExpectSrc, STEP_MODIFIERS, opArgsSchema } from '../schema/scenario.js';
import { treeOf } from './layers.js';
import { layerNameProblem, optionProblem } from '../options.js';
import { conditionOf } from './condition.js';
import { deviceProblem } from './devices.js';
import { checkPath } from './paths.js';
import { check, suggest, type Problem } from './validate.js';
import type { JsonPath } from './yaml.js';

/** what a step may say besides its operation (exported for the build's precompiled validators) */
export const ModifiersSchema = Type.Object(
  {
    expect: Type.Optional(ExpectSrc),
    linux: Type.Optional(LinuxExpectSrc),
    when: Type.Optional(Type.Array(ConditionalExpectSrc, { minItems: 1 })),
    as: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'a binding name (letters, digits, _)' })),
    deviations: Type.Optional(Type.Record(Type.String({ pattern: '^DEV-[A-Z0-9-]+$', description: 'a deviation id (DEV-…)' }), AlternativeSrc)),
    user: Type.Optional(CredSrc),
    timeout: Type.Optional(Type.Integer({ minimum: 1 })),
    note: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const argSchemas = new Map<OpName, ReturnType<typeof opArgsSchema>>();
const REF = /^\$([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_]+)*)$/;

export type BindingKind = 'fd' | 'dir' | 'map' | 'value';

function bindingKindOf(op: OpName): BindingKind | undefined {
  const r = OPS[op].result;
  if (r === 'fd' || r === 'dir' || r === 'map') return r;
  return r === 'none' ? undefined : 'value';
}

/** A value that passed the schema but cannot be normalised, with where it is. */
export class NormaliseError extends Error {
  constructor(
    message: string,
    readonly path: JsonPath,
  ) {
    super(message);
  }
}

function matchersOf(v: unknown, field: string, at: JsonPath): Matcher[] {
  const norm = (x: unknown): unknown => {
    if (typeof x === 'string' && REF.test(x)) return x;
    if (field === 'mode' && (typeof x === 'string' || typeof x === 'number')) {
      if (typeof x === 'string' && !/^(0o?)?[0-7]{1,4}$/.test(x)) throw new NormaliseError(`mode ${JSON.stringify(x)} is not an octal mode such as "0644"`, at);
      return parseMode(x);
    }
    if ((field === 'data' || field === 'value') && x !== null && x !== undefined) return toBytes(x);
    if (/time$/.test(field) && (typeof x === 'number' || typeof x === 'string')) return normTime(x);
    return x;
  };
  if (v !== null && typeof v === 'object' && !('hex' in v) && !(v instanceof Uint8Array)) {
    return Object.entries(v as Record<string, unknown>).map(([k, x]) =>
      k === 'in' || k === 'notIn' ? ({ [k]: (x as unknown[]).map(norm) } as Matcher) : ({ [k]: norm(x) } as Matcher),
    );
  }
  return [{ eq: norm(v) }];
}

const LISTS = ['entries', 'names', 'includes', 'excludes'] as const;

function expectationOf(src: Record<string, unknown> | undefined, at: JsonPath): Expectation {
  const e: Expectation = { fields: {} };
  if (!src) return e;
  for (const [k, v] of Object.entries(src)) {
    if (k === 'errno') e.errno = Array.isArray(v) ? (v as string[]) : [v as string];
    else if (k === 'any') e.any = true;
    else if (k === 'ok' || k === 'stop') continue;
    else if ((LISTS as readonly string[]).includes(k)) e[k as (typeof LISTS)[number]] = (v as unknown[]).map(String);
    else if (k === 'entryTypes') e.entryTypes = v as Record<string, string>;
    else e.fields[k] = matchersOf(v, k, [...at, k]);
  }
  return e;
}

/** every $name reference inside a value */
function refsIn(v: unknown, out: { name: string; path: JsonPath }[], path: JsonPath): void {
  if (typeof v === 'string') {
    const m = REF.exec(v);
    if (m) out.push({ name: m[1], path });
  } else if (Array.isArray(v)) v.forEach((x, i) => refsIn(x, out, [...path, i]));
  else if (v && typeof v === 'object' && !(v instanceof Uint8Array)) for (const [k, x] of Object.entries(v)) refsIn(x, out, [...path, k]);
}

function normArg(spec: ArgSpec, v: unknown, at: JsonPath, problems: Problem[]): unknown {
  if (typeof v === 'string' && REF.test(v) && spec.kind !== 'path' && spec.kind !== 'fd' && spec.kind !== 'dir' && spec.kind !== 'map') return v;
  switch (spec.kind) {
    case 'path': {
      const c = checkPath(String(v), { trailingSlash: true });
      if (!c.ok) problems.push({ path: at, key: false, message: c.reason });
      return c.ok ? c.path : v;
    }
    case 'mode':
      return parseMode(v);
    case 'data':
      return toBytes(v);
    case 'flags':
      return Array.isArray(v) ? v : String(v).split('|').map((s) => s.trim()).filter(Boolean);
    case 'time':
      return v === 'now' || v === 'omit' ? v : normTime(v);
    case 'entries':
      return treeOf(v as Record<string, unknown>, at, problems);
    case 'paths':
      return (v as string[]).map((p, i) => {
        const c = checkPath(p, { root: false });
        if (!c.ok) problems.push({ path: [...at, i], key: false, message: c.reason });
        return c.ok ? c.path : p;
      });
    case 'names':
      (v as string[]).forEach((n, i) => {
        const why = layerNameProblem(n);
        if (why) problems.push({ path: [...at, i], key: false, message: why });
      });
      return v;
    case 'options': {
      const out = new Map<string, string>();
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const why = optionProblem(k, x);
        if (why) problems.push({ path: [...at, k], key: true, message: why });
        else out.set(k, String(x));
      }
      return Object.fromEntries(out);
    }
    default:
      return v;
  }
}

/** Normalise one step; `bound` carries the bindings made by earlier steps. */
export function stepOf(src: unknown, index: number, at: JsonPath, line: number, bound: Map<string, BindingKind>, problems: Problem[]): Step | undefined {
  if (src === null || typeof src !== 'object' || Array.isArray(src)) {
    problems.push({ path: at, key: false, message: 'a step must be a mapping with one operation, e.g. `- stat: a.txt`' });
    return undefined;
  }
  const obj = src as Record<string, unknown>;
  const keys = Object.keys(obj);
  const modifiers = new Set<string>(STEP_MODIFIERS);
  const opKeys = keys.filter((k) => !modifiers.has(k));
  const unknown = opKeys.filter((k) => !isOpName(k));
  for (const k of unknown)
    problems.push({ path: [...at, k], key: true, message: `unknown operation or field "${k}"${suggest(k, [...Object.keys(OPS), ...STEP_MODIFIERS])}` });
  const ops = opKeys.filter(isOpName);
  if (unknown.length) return undefined;
  if (ops.length !== 1) {
    problems.push({ path: at, key: false, message: ops.length ? `a step has one operation; this one has ${ops.join(', ')}` : `a step needs an operation (one of ${Object.keys(OPS).join(', ')})` });
    return undefined;
  }
  const op = ops[0];
  const spec = OPS[op] as { args: Record<string, ArgSpec>; shorthand?: string; result: string };
  let args = obj[op];
  if (args === null || args === undefined) args = {};
  else if (typeof args !== 'object' || Array.isArray(args)) {
    if (!spec.shorthand) {
      problems.push({ path: [...at, op], key: false, message: `${op} takes named arguments (${Object.keys(spec.args).join(', ')})` });
      return undefined;
    }
    args = { [spec.shorthand]: args };
  }
  let schema = argSchemas.get(op);
  if (!schema) argSchemas.set(op, (schema = opArgsSchema(op)));
  const before = problems.length;
  const mods = Object.fromEntries(keys.filter((k) => modifiers.has(k)).map((k) => [k, obj[k]]));
  problems.push(...check(schema, args, [...at, op]), ...check(ModifiersSchema, mods, at));
  if (problems.length > before) return undefined;
  const a = args as Record<string, unknown>;
  if ((op === 'setxattr' || op === 'getxattr' || op === 'removexattr' || op === 'listxattr' || op === 'dropCaches') && (a.path === undefined) === (a.fd === undefined))
    problems.push({ path: [...at, op], key: false, message: `${op} needs exactly one of path or fd` });
  if (op === 'mknod') {
    const dev = deviceProblem(a.type, a.major, a.minor);
    if (dev) problems.push({ path: [...at, op], key: false, message: dev });
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) out[k] = normArg(spec.args[k], v, [...at, op, k], problems);
  // bindings: fd/dir/map names and $refs must be bound by an earlier step
  for (const [k, v] of Object.entries(a)) {
    const kind = spec.args[k].kind;
    if ((kind === 'fd' || kind === 'dir' || kind === 'map') && typeof v === 'string') {
      const b = bound.get(v);
      if (!b) problems.push({ path: [...at, op, k], key: false, message: `"${v}" is not bound by an earlier step (bind one with \`as: ${v}\`)` });
      else if (b !== kind) problems.push({ path: [...at, op, k], key: false, message: `"${v}" is bound to a ${b}, not a ${kind}` });
    }
  }
  const refs: { name: string; path: JsonPath }[] = [];
  refsIn(a, refs, [...at, op]);
  refsIn(obj.expect, refs, [...at, 'expect']);
  refsIn(obj.deviations, refs, [...at, 'deviations']);
  refsIn(obj.linux, refs, [...at, 'linux']);
  refsIn(obj.when, refs, [...at, 'when']);
  for (const r of refs) if (!bound.has(r.name)) problems.push({ path: r.path, key: false, message: `$${r.name} is not bound by an earlier step` });
  const as = obj.as as string | undefined;
  if (as) {
    const kind = bindingKindOf(op);
    if (!kind) problems.push({ path: [...at, 'as'], key: false, message: `${op} returns nothing to bind` });
    else bound.set(as, kind);
  }
  const expectSrc = obj.expect as Record<string, unknown> | undefined;
  if (expectSrc && 'any' in expectSrc && Object.keys(expectSrc).length > 1)
    problems.push({ path: [...at, 'expect'], key: false, message: 'expect: { any: true } accepts every outcome; it cannot be combined with other matchers' });
  if (expectSrc && 'errno' in expectSrc && Object.keys(expectSrc).some((k) => k !== 'errno'))
    problems.push({ path: [...at, 'expect'], key: false, message: 'expect has an errno and value matchers: a step either fails with an errno or succeeds with a value' });
  const deviations: Record<string, Alternative> = {};
  for (const [id, alt] of Object.entries((obj.deviations as Record<string, Record<string, unknown>>) ?? {})) {
    deviations[id] = { ...expectationOf(alt, [...at, 'deviations', id]), stop: alt.stop === true };
  }
  const linuxSrc = obj.linux as Record<string, unknown> | undefined;
  if (linuxSrc && ('any' in linuxSrc || 'any' in (expectSrc ?? {})))
    problems.push({ path: [...at, 'linux'], key: false, message: 'linux: names the one answer Linux filesystems give; it cannot accept any outcome, nor sharpen expect: { any: true }' });
  const when = ((obj.when as Record<string, unknown>[] | undefined) ?? []).map((w, i) => ({
    when: conditionOf(w),
    expect: expectationOf(w.expect as Record<string, unknown>, [...at, 'when', i, 'expect']),
  }));
  return {
    index, line, op, args: out,
    expect: expectationOf(expectSrc, [...at, 'expect']),
    ...(linuxSrc ? { linux: expectationOf(linuxSrc, [...at, 'linux']) } : {}),
    when,
    as, deviations,
    user: obj.user as Step['user'],
    timeoutMs: obj.timeout as number | undefined,
  };
}
