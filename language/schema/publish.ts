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

/** Replace every occurrence of a named subschema by a $ref, innermost names first. */
function factor(schema: Json): Json {
  const named = Object.entries(NAMED).map(([name, s]) => [name, JSON.stringify(plain(s))] as const);
  const defs: Record<string, Json> = {};
  const walk = (node: Json, top: boolean): Json => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false));
    if (node === null || typeof node !== 'object') return node;
    const text = JSON.stringify(node);
    const hit = top ? undefined : named.find(([, t]) => t === text);
    const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, false)]));
    if (!hit) return out;
    defs[hit[0]] = out;
    return { $ref: `#/$defs/${hit[0]}` };
  };
  const body = walk(schema, true) as Record<string, Json>;
  return Object.keys(defs).length ? { ...body, $defs: Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b))) } : body;
}

/** The JSON text of a schema as published (2020-12 dialect, named subschemas under $defs). */
export function render(schema: TSchema): string {
  return JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...(factor(plain(schema)) as object) }, null, 1) + '\n';
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
