// The spec as data: capabilities, references, deviations, behaviour ids and per-implementation
// profiles, loaded and cross-checked once per run.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { DeviationDefinition, LoadError, Profile, ProfileCondition } from '../model.js';
import { packageRoot } from '../root.js';
import {
  CapabilitiesFileSrc, DeviationsFileSrc, ProfileSrc, RefsFileSrc, UncoveredFileSrc,
  type Condition, type DeviationDef, type ProfileSource, type RefsFile,
} from '../schema/catalog.js';
import { cachedValue } from './cache.js';
import { errorAt, loadChecked } from './file.js';
import { suggest } from './validate.js';

export interface Behaviour {
  id: string;
  title: string;
  tags: string[];
  group: string;
}

/** Everything scenarios and profiles are checked against. */
export interface Catalog {
  specDir: string;
  capabilities: Map<string, string>;
  refs: Map<string, { title: string; url: string }>;
  deviations: Map<string, DeviationDefinition>;
  behaviours: Map<string, Behaviour>;
  profiles: Map<string, Profile>;
  /** behaviour id → why no scenario covers it */
  uncovered: Map<string, string>;
  errors: LoadError[];
}

/** the YAML/JSON files of a spec data directory, sorted */
function dataFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => /\.(ya?ml|json)$/.test(n)).sort().map((n) => join(dir, n)) : [];
}

/** Parse ">=4.19 <5.2" into comparisons. */
export function parseVersionRange(s: string): NonNullable<ProfileCondition['version']> {
  return [...s.matchAll(/([<>]=?|=)\s*([0-9]+(?:\.[0-9]+)*)/g)].map((m) => ({
    op: m[1] as '<' | '<=' | '>' | '>=' | '=',
    version: m[2].split('.').map(Number),
  }));
}

function conditionOf(c: Condition): ProfileCondition {
  const out: ProfileCondition = {};
  if (c.variant) out.variant = c.variant;
  if (c.options)
    out.options = Object.fromEntries(
      Object.entries(c.options).map(([k, v]) => [
        k,
        typeof v === 'string' ? { anyOf: [v] } : Array.isArray(v) ? { anyOf: v } : { not: Array.isArray(v.not) ? v.not : [v.not] },
      ]),
    );
  if (c.version) out.version = parseVersionRange(c.version);
  return out;
}

/** Load a profile file (built-in or a user's `--profile`), checked against the deviations. */
export function loadProfile(file: string, deviations: Map<string, DeviationDefinition>, display = file): { profile?: Profile; errors: LoadError[] } {
  const { value, doc, errors } = loadChecked<ProfileSource>(file, ProfileSrc, display);
  if (!value) return { errors };
  value.deviations.forEach((d, i) => {
    if (!deviations.has(d.id))
      errors.push(errorAt(display, doc, { path: ['deviations', i, 'id'], key: false, message: `unknown deviation id ${d.id}${suggest(d.id, deviations.keys())}; deviations are defined in spec/deviations/` }));
  });
  if (errors.length) return { errors };
  return {
    errors,
    profile: {
      implementation: value.implementation,
      file: display,
      description: value.description,
      deviations: value.deviations.map((d) => ({
        id: d.id,
        when: d.when === undefined ? [] : (Array.isArray(d.when) ? d.when : [d.when]).map(conditionOf),
        scenarios: d.scenarios,
        optional: d.optional ?? false,
        observed: d.observed,
        note: d.note,
        ...(d.final ? { final: d.final } : {}),
      })),
    },
  };
}

/** Load spec/ (or another spec dir) in full; problems are collected, never thrown. The package's own is cached (cache.ts). */
export function loadCatalog(specDir = join(packageRoot(), 'spec')): Catalog {
  return specDir === join(packageRoot(), 'spec') ? cachedValue('catalog', () => readCatalog(specDir)) : readCatalog(specDir);
}

function readCatalog(specDir: string): Catalog {
  const rel = (f: string) => relative(process.cwd(), f) || f;
  const errors: LoadError[] = [];
  const caps = loadChecked<Record<string, string>>(join(specDir, 'capabilities.yaml'), CapabilitiesFileSrc, rel(join(specDir, 'capabilities.yaml')));
  errors.push(...caps.errors);
  const refMap = new Map<string, { title: string; url: string }>();
  for (const file of dataFiles(join(specDir, 'refs'))) {
    const refs = loadChecked<RefsFile>(file, RefsFileSrc, rel(file));
    errors.push(...refs.errors);
    for (const [k, v] of Object.entries(refs.value ?? {})) {
      if (refMap.has(k)) errors.push(errorAt(rel(file), refs.doc, { path: [k], key: true, message: `reference ${k} is defined twice` }));
      refMap.set(k, v);
    }
  }
  const behaviours = new Map<string, Behaviour>();
  const bfile = join(specDir, 'behaviours.json');
  if (existsSync(bfile)) for (const b of JSON.parse(readFileSync(bfile, 'utf8')) as Behaviour[]) behaviours.set(b.id, b);
  const deviations = new Map<string, DeviationDefinition>();
  for (const file of dataFiles(join(specDir, 'deviations'))) {
    const devFile = rel(file);
    const devs = loadChecked<DeviationDef[]>(file, DeviationsFileSrc, devFile);
    errors.push(...devs.errors);
    (devs.value ?? []).forEach((d, i) => {
      const at = (path: (string | number)[], message: string) => errors.push(errorAt(devFile, devs.doc, { path: [i, ...path], key: false, message }));
      if (deviations.has(d.id)) at(['id'], `duplicate deviation id ${d.id}`);
      d.refs.forEach((r, j) => refMap.has(r) || at(['refs', j], `unknown reference ${r}${suggest(r, refMap.keys())}; add it to spec/refs/`));
      (d.behaviours ?? []).forEach((b, j) => behaviours.size === 0 || behaviours.has(b) || at(['behaviours', j], `unknown behaviour id ${b}`));
      deviations.set(d.id, { ...d, kind: d.kind ?? 'posix', behaviours: d.behaviours ?? [], file: devFile });
    });
  }
  // spec/profiles/<implementation>.yaml, optionally continued in <implementation>.<part>.yaml
  const profiles = new Map<string, Profile>();
  for (const file of dataFiles(join(specDir, 'profiles'))) {
    const { profile, errors: perr } = loadProfile(file, deviations, rel(file));
    errors.push(...perr);
    if (!profile) continue;
    const expected = basename(file).replace(/\.(ya?ml|json)$/, '').split('.')[0];
    if (profile.implementation !== expected)
      errors.push({ file: rel(file), line: 1, col: 1, path: '/implementation', message: `implementation "${profile.implementation}" must match the file name "${expected}"` });
    const prior = profiles.get(profile.implementation);
    profiles.set(profile.implementation, prior ? { ...prior, deviations: [...prior.deviations, ...profile.deviations] } : profile);
  }
  const uncovered = new Map<string, string>();
  for (const file of dataFiles(join(specDir, 'uncovered'))) {
    const u = loadChecked<Record<string, string>>(file, UncoveredFileSrc, rel(file));
    errors.push(...u.errors);
    for (const [id, why] of Object.entries(u.value ?? {})) {
      if (behaviours.size && !behaviours.has(id)) errors.push(errorAt(rel(file), u.doc, { path: [id], key: true, message: `unknown behaviour id ${id}${suggest(id, behaviours.keys())}` }));
      uncovered.set(id, why);
    }
  }
  return {
    specDir,
    uncovered,
    capabilities: new Map(Object.entries(caps.value ?? {})),
    refs: refMap,
    deviations,
    behaviours,
    profiles,
    errors,
  };
}
