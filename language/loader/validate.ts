// JSON Schema 2020-12 validation (ajv) of TypeBox schemas, with ajv's raw errors turned into
// one clear message per problem: the best-matching branch of a union, unknown fields with a
// "did you mean", and the JSON path the caller maps back to file:line:col. The validators the
// loader needs are compiled at build time (scripts/build-validators.js), one file per schema;
// compiling them here instead costs every process about two seconds of CPU.

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import type { JsonPath } from './yaml.js';

type AjvCtor = new (opts: Record<string, unknown>) => {
  compile(schema: object): ValidateFunction;
};

/** One validation problem: where (a JSON path, and whether the key itself is at fault) and what. */
export interface Problem {
  path: JsonPath;
  key: boolean;
  message: string;
}

/** the options every validator is compiled with, here or ahead of time */
export const AJV_OPTIONS = { allErrors: true, strict: false, allowUnionTypes: true } as const;
const require = createRequire(import.meta.url);
let ajvMemo: InstanceType<AjvCtor> | undefined;
/** ajv itself, loaded only when a schema was not compiled at build time (loading it costs every process a few tenths of a second of CPU) */
function ajv(): InstanceType<AjvCtor> {
  if (!ajvMemo) {
    const mod = require('ajv/dist/2020.js') as { default?: AjvCtor } & AjvCtor;
    ajvMemo = new (mod.default ?? mod)({ ...AJV_OPTIONS });
  }
  return ajvMemo;
}
/** per schema: its key, its gate (undefined: none built), and its full validator once needed */
const cache = new WeakMap<object, { key: string; gate?: ValidateFunction; full?: ValidateFunction }>();

/** A schema's name across processes: the hash of its JSON (a changed schema gets a new name). */
export function schemaKey(schema: TSchema): string {
  return 'v' + createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 32);
}

/** A validator compiled at build time (dist/language/loader/validators/<key>.cjs, or its gate <key>.gate.cjs), or undefined when the build did not make it. */
function precompiled(key: string, gate = false): ValidateFunction | undefined {
  try {
    return (require(`./validators/${key}${gate ? '.gate' : ''}.cjs`) as Record<string, ValidateFunction | undefined>)[key];
  } catch {
    return undefined;
  }
}

let compiledHere: string[] = [];
/** the schemas this process had to compile itself (the build's list missed them), by key */
export const compiledAtRunTime = (): readonly string[] => compiledHere;

/** Validate a value; returns the problems (empty when valid). */
export function check(schema: TSchema, value: unknown, base: JsonPath = []): Problem[] {
  let c = cache.get(schema);
  if (!c) {
    const key = schemaKey(schema);
    c = { key, gate: precompiled(key, true) };
    cache.set(schema, c);
  }
  // the gate (build-validators.js) accepts exactly what the schema accepts, in a twentieth of the
  // code: a valid value is answered there; an invalid one is explained by the full validator
  if (c.gate?.(value)) return [];
  let fn = c.full;
  if (!fn) {
    fn = precompiled(c.key);
    if (!fn) {
      fn = ajv().compile(schema);
      compiledHere = [...compiledHere, c.key];
    }
    c.full = fn;
  }
  if (fn(value)) return [];
  return explain(schema, value, fn.errors ?? [], base);
}

/** Whether this schema has a gate built and how its verdict compares with the full validator's, for tests. */
export function gateAgrees(schema: TSchema, value: unknown): { gate: boolean; agrees: boolean } {
  const key = schemaKey(schema);
  const gate = precompiled(key, true);
  const full = precompiled(key);
  if (!gate || !full) return { gate: false, agrees: true };
  return { gate: true, agrees: Boolean(gate(value)) === Boolean(full(value)) };
}

function pointerToPath(p: string): JsonPath {
  if (!p) return [];
  return p.split('/').slice(1).map((s) => {
    const seg = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(seg) ? Number(seg) : seg;
  });
}

function resolvePointer(root: unknown, schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const seg of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[decodeURIComponent(seg).replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node as Record<string, unknown> | undefined;
}

function valueAt(value: unknown, path: JsonPath): unknown {
  let v = value;
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}

/** describe one branch of a union for "expected …" messages */
function describe(s: Record<string, unknown> | undefined): string {
  if (!s) return '?';
  if (typeof s.description === 'string' && s.description) return s.description;
  if ('const' in s) return JSON.stringify(s.const);
  const props = s.properties as Record<string, Record<string, unknown>> | undefined;
  if (s.type === 'object' && props?.type && 'const' in props.type) return `an entry with type: ${String(props.type.const)}`;
  if (s.type === 'object' && props) return `an object with ${Object.keys(props).join('/')}`;
  if (Array.isArray(s.anyOf)) return (s.anyOf as Record<string, unknown>[]).map(describe).join(' or ');
  return String(s.type ?? 'value');
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/** " (did you mean "x"?)" when a close candidate exists */
export function suggest(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dd = distance(word.toLowerCase(), c.toLowerCase());
    if (dd < bestD) [best, bestD] = [c, dd];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

function explain(schema: TSchema, value: unknown, raw: ErrorObject[], base: JsonPath): Problem[] {
  let errors = [...raw];
  // Resolve unions outermost first: keep the branch the value was evidently meant to be.
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  const replaced: ErrorObject[] = [];
  for (const u of unions) {
    if (!errors.includes(u)) continue;
    const prefix = u.schemaPath + '/';
    const members = errors.filter((e) => e !== u && e.schemaPath.startsWith(prefix));
    const branches = new Map<string, ErrorObject[]>();
    for (const e of members) {
      const n = e.schemaPath.slice(prefix.length).split('/')[0];
      branches.set(n, [...(branches.get(n) ?? []), e]);
    }
    const shapeFail = (es: ErrorObject[]) =>
      es.some(
        (e) =>
          (e.instancePath === u.instancePath && ['type', 'const', 'enum'].includes(e.keyword)) ||
          (e.instancePath === `${u.instancePath}/type` && e.keyword === 'const'),
      );
    // the branch the value was meant to be: its shape fits, fewest problems at the union's own
    // level (missing/unknown fields), then fewest problems overall
    const atTop = (es: ErrorObject[]) => es.filter((e) => e.instancePath === u.instancePath).length;
    const fits = [...branches.entries()]
      .filter(([, es]) => !shapeFail(es))
      .sort((a, b) => atTop(a[1]) - atTop(b[1]) || a[1].length - b[1].length);
    errors = errors.filter((e) => e !== u && !members.includes(e));
    if (fits.length > 0) errors.push(...fits[0][1]);
    else {
      const alts = resolvePointer(schema, u.schemaPath) as unknown as Record<string, unknown>[] | undefined;
      const list = Array.isArray(alts) ? alts.map(describe) : [];
      replaced.push({ ...u, keyword: 'union', message: `expected ${[...new Set(list)].join(', or ')}` });
    }
  }
  errors.push(...replaced);
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const path = [...base, ...pointerToPath(e.instancePath)];
    let p: Problem;
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties': {
        const name = String(params.additionalProperty);
        const parent = resolvePointer(schema, e.schemaPath.replace(/\/additionalProperties$/, ''));
        const known = Object.keys((parent?.properties as object) ?? {});
        p = {
          path: [...path, name], key: true,
          message: `unknown field "${name}"${suggest(name, known)}${known.length ? `; allowed: ${known.join(', ')}` : ''}`,
        };
        break;
      }
      case 'required':
        p = { path, key: false, message: `missing required field "${String(params.missingProperty)}"` };
        break;
      case 'const':
        p = { path, key: false, message: `must be ${JSON.stringify(params.allowedValue)}` };
        break;
      case 'pattern': {
        const s = resolvePointer(schema, e.schemaPath.replace(/\/pattern$/, ''));
        const v = valueAt(value, pointerToPath(e.instancePath));
        p = { path, key: false, message: `${JSON.stringify(v)} is not ${typeof s?.description === 'string' && s.description ? s.description : `of the form ${String(params.pattern)}`}` };
        break;
      }
      case 'type':
        p = { path, key: false, message: `must be ${String(params.type)}, not ${jsonType(valueAt(value, pointerToPath(e.instancePath)))}` };
        break;
      case 'union':
        p = { path, key: false, message: e.message ?? 'no allowed form matches' };
        break;
      default:
        p = { path, key: false, message: e.message ?? e.keyword };
    }
    const k = `${p.path.join('/')}|${p.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(p);
    }
  }
  return out;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}
