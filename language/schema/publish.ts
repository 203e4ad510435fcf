// The published JSON Schemas (spec/*.schema.json), generated from the TypeBox source so the
// types and the files other tools validate against can never drift (a test checks them).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { packageRoot } from '../root.js';
import { CapabilitiesFileSrc, DeviationsFileSrc, ProfileSrc, RefsFileSrc } from './catalog.js';
import { KnownFailuresFileSrc } from './known.js';
import { ResultsFileT } from './results.js';
import { AfterSrc, AlternativeSrc, CredSrc, DataSrc, EntrySrc, ExpectSrc, LayersSrc, MatcherSrc, ModeSrc, ScenarioSrc, TreeSrc } from './scenario.js';

/** file name under spec/ → schema */
export const PUBLISHED: Record<string, TSchema> = {
  'scenario.schema.json': ScenarioSrc,
  'results.schema.json': ResultsFileT,
  'deviations.schema.json': DeviationsFileSrc,
  'profile.schema.json': ProfileSrc,
  'capabilities.schema.json': CapabilitiesFileSrc,
  'refs.schema.json': RefsFileSrc,
  'known-failures.schema.json': KnownFailuresFileSrc,
};

/** Subschemas published once under $defs and referenced, so the files stay readable. */
const NAMED: Record<string, TSchema> = {
  Layers: LayersSrc, Tree: TreeSrc, Entry: EntrySrc, Expect: ExpectSrc, Alternative: AlternativeSrc, After: AfterSrc,
  Matcher: MatcherSrc, Data: DataSrc, Mode: ModeSrc, Cred: CredSrc,
};

type Json = unknown;
const plain = (s: TSchema): Json => JSON.parse(JSON.stringify(s));

/** what two equal subschemas share for sure: their keys, property names and union width */
function shape(node: object): string {
  const n = node as Record<string, unknown>;
  const props = n.properties !== null && typeof n.properties === 'object' ? Object.keys(n.properties).join(',') : '';
  return `${Object.keys(n).join(',')}|${props}|${Array.isArray(n.anyOf) ? n.anyOf.length : ''}`;
}

/**
 * Replace every occurrence of a named subschema by a $ref, innermost names first. A node is
 * compared as JSON text only when its shape is that of a name, and a name is walked into once,
 * for its $defs entry: the step schema (10 MB as JSON) repeats Expect and Matcher thousands of
 * times. The TypeBox schema is walked as it is (JSON.stringify and Object.entries both skip its
 * symbol keys), without a JSON copy of the whole.
 */
function factor(schema: Json): Json {
  const named = new Map<string, string>();
  const shapes = new Set<string>();
  for (const [name, s] of Object.entries(NAMED)) {
    const p = plain(s);
    const text = JSON.stringify(p);
    if (!named.has(text)) named.set(text, name);
    shapes.add(shape(p as object));
  }
  const defs: Record<string, Json> = {};
  const walk = (node: Json, top: boolean): Json => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false));
    if (node === null || typeof node !== 'object') return node;
    const hit = top || !shapes.has(shape(node)) ? undefined : named.get(JSON.stringify(node));
    if (hit !== undefined && hit in defs) return { $ref: `#/$defs/${hit}` };
    const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, false)]));
    if (hit === undefined) return out;
    defs[hit] = out;
    return { $ref: `#/$defs/${hit}` };
  };
  const body = walk(schema, true) as Record<string, Json>;
  return Object.keys(defs).length ? { ...body, $defs: Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b))) } : body;
}

/** The JSON text of a schema as published (2020-12 dialect, named subschemas under $defs). */
export function render(schema: TSchema): string {
  return JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...(factor(schema) as object) }, null, 1) + '\n';
}

/** Names of published files whose content differs from the TypeBox source (empty: in sync). */
export function staleSchemas(): string[] {
  return Object.entries(PUBLISHED).filter(([f, s]) => {
    try {
      return readFileSync(join(packageRoot(), 'spec', f), 'utf8') !== render(s);
    } catch {
      return true;
    }
  }).map(([f]) => f);
}

/** Write every published schema. */
export function writeSchemas(): string[] {
  return Object.entries(PUBLISHED).map(([f, s]) => {
    writeFileSync(join(packageRoot(), 'spec', f), render(s));
    return f;
  });
}
