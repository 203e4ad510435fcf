// Loading one scenario file: parse with positions, expand `vary`, validate every expansion
// against the schema and the catalog, and normalise. A broken file yields errors, no runs.

import { Type } from '@sinclair/typebox';
import type { LoadError, Scenario, Step } from '../model.js';
import { ScenarioSrc } from '../schema/scenario.js';
import { afterOf } from './after.js';
import type { Catalog } from './catalog.js';
import { conditionProblems, LINUX_CONVENTION } from './condition.js';
import { errorAt, parseFile } from './file.js';
import { deviceOpenProblem, devicesOf } from './devices.js';
import { layersOf } from './layers.js';
import { LIMITS } from './limits.js';
import { NormaliseError, stepOf, type BindingKind } from './steps.js';
import { check, suggest, type Problem } from './validate.js';
import { combinationCount, combinations, expand, runSuffix, toSource, VaryError, type Combination, type SourceMapEntry } from './vary.js';
import type { JsonPath, ParsedDoc } from './yaml.js';

const { steps: _strictSteps, vary: _vary, exclude: _exclude, ...rest } = ScenarioSrc.properties;
/** the scenario schema with steps left to the step checker (it gives far better messages) */
export const ScenarioLoose = Type.Object({ ...rest, steps: Type.Array(Type.Unknown(), { minItems: 1 }) }, { additionalProperties: false });
/** the vary/exclude block alone, checked before expansion */
export const VaryBlock = Type.Object({ vary: ScenarioSrc.properties.vary, exclude: ScenarioSrc.properties.exclude });

export interface FileResult {
  scenarios: Scenario[];
  errors: LoadError[];
}

/** Load a scenario file; `display` is the name used in messages and results (repo-relative). */
export function loadScenarioFile(file: string, catalog: Catalog, display = file): FileResult {
  const { doc, errors } = parseFile(file, display);
  if (!doc) return { scenarios: [], errors };
  return loadParsed(doc, errors, catalog, display);
}

/**
 * Load a scenario document that is already a plain value (a generator's output): the same
 * schema check, vocabulary checks and normalisation as a file, without writing and parsing
 * YAML text; every error is placed at line 1 (the value has no source text) and each step's
 * line is 1. `text` stands in for the source in the expansion size limit.
 */
export function loadScenarioValue(value: Record<string, unknown>, catalog: Catalog, display: string): FileResult {
  const text = JSON.stringify(value);
  const doc: ParsedDoc = { value, text, locate: () => ({ line: 1, col: 1 }), sourceOf: () => undefined, decimalModes: [] };
  return loadParsed(doc, [], catalog, display);
}

function loadParsed(doc: ParsedDoc, errors: LoadError[], catalog: Catalog, display: string): FileResult {
  const raw = doc.value;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { scenarios: [], errors: [{ file: display, line: 1, col: 1, path: '', message: 'a scenario file holds one mapping (id, title, behaviour, layers, steps, …)' }] };
  }
  for (const path of doc.decimalModes) {
    const src = doc.sourceOf(path) ?? '?';
    errors.push(errorAt(display, doc, {
      path, key: false,
      message: `mode ${src} was read by YAML 1.2 as the decimal number ${src.replace(/^0+(?=\d)/, '')}; write it as a quoted octal string ("${/^0/.test(src) ? src : '0' + src}") or as 0o${src.replace(/^0+(?=\d)/, '')}`,
    }));
  }
  const top = raw as Record<string, unknown>;
  const seen = new Set<string>();
  const report = (p: Problem, map: SourceMapEntry[] = []) => {
    const e = errorAt(display, doc, p, toSource(p.path, map));
    const k = `${e.line}:${e.col}:${e.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      errors.push(e);
    }
  };
  const varyProblems = check(VaryBlock, { vary: top.vary, exclude: top.exclude });
  varyProblems.forEach((p) => report(p));
  if (varyProblems.length) return { scenarios: [], errors };
  const vary = top.vary as Record<string, unknown> | undefined;
  const count = vary ? combinationCount(vary) : 1;
  if (count > LIMITS.runsPerFile || count * doc.text.length > LIMITS.expandedBytes) {
    report({ path: ['vary'], key: true, message: `vary expands to ${count} runs of this ${doc.text.length}-byte file; the limits are ${LIMITS.runsPerFile} runs and ${LIMITS.expandedBytes >> 20} MiB expanded (docs/scenario-limits.md)` });
    return { scenarios: [], errors };
  }
  const combos: Combination[] = top.vary ? combinations(top.vary as Record<string, unknown>, top.exclude as Record<string, string>[] | undefined) : [{ labels: {}, values: {}, sources: {} }];
  if (combos.length === 0) report({ path: ['exclude'], key: false, message: 'exclude removes every combination of vary' });
  const scenarios: Scenario[] = [];
  for (const combo of combos) {
    const map: SourceMapEntry[] = [];
    let expanded: Record<string, unknown>;
    try {
      expanded = expand(raw, combo, map) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof VaryError) {
        report({ path: e.path, key: false, message: e.message });
        continue;
      }
      throw e;
    }
    const problems: Problem[] = check(ScenarioLoose, expanded);
    try {
      const s = normalise(expanded, combo, display, problems, (p: JsonPath) => doc.locate(toSource(p, map)).line, catalog);
      if (s) scenarios.push(s);
    } catch (e) {
      // a value the schema let through but normalisation cannot read: reported, never fatal
      const at = e instanceof NormaliseError ? e.path : [];
      problems.push({ path: at, key: false, message: e instanceof NormaliseError ? e.message : `cannot read this scenario: ${(e as Error).message}` });
    }
    problems.forEach((p) => report(p, map));
  }
  return errors.length ? { scenarios: [], errors } : { scenarios, errors };
}

/**
 * Normalise a schema-checked expansion. When the schema check already found problems, only the
 * independent checks run (steps, vocabulary), so one pass reports as much as it can.
 */
function normalise(s: Record<string, unknown>, combo: Combination, file: string, problems: Problem[], lineOf: (p: JsonPath) => number, catalog: Catalog): Scenario | undefined {
  const shapeOk = problems.length === 0;
  const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const layers = shapeOk ? layersOf(s.layers as Record<string, unknown> | undefined, problems) : { lowers: [], upper: null };
  if (arr(s.steps).length > LIMITS.steps) {
    problems.push({ path: ['steps'], key: true, message: `${arr(s.steps).length} steps; the limit is ${LIMITS.steps} (docs/scenario-limits.md)` });
    return undefined;
  }
  const bound = new Map<string, BindingKind>();
  const steps: Step[] = [];
  arr(s.steps).forEach((src, i) => {
    const st = stepOf(src, i, ['steps', i], lineOf(['steps', i]), bound, problems);
    if (st) steps.push(st);
  });
  const after = shapeOk && s.after ? afterOf(s.after as Record<string, unknown>, lineOf(['after']), problems) : undefined;
  const requires = arr(s.requires).map(String);
  requires.forEach((r, i) => {
    if (!catalog.capabilities.has(r))
      problems.push({ path: ['requires', i], key: false, message: `unknown capability "${r}"${suggest(r, catalog.capabilities.keys())}; the vocabulary is spec/capabilities.yaml` });
  });
  const devOpen = requires.indexOf('device-open');
  if (devOpen >= 0 && layers) {
    const why = deviceOpenProblem(devicesOf([...layers.lowers, ...(layers.upper ? [layers.upper] : [])] as Record<string, unknown>[], steps));
    if (why) problems.push({ path: ['requires', devOpen], key: false, message: why });
  }
  const refs = arr(s.refs).map(String);
  refs.forEach((r, i) => {
    if (!catalog.refs.has(r)) problems.push({ path: ['refs', i], key: false, message: `unknown reference "${r}"${suggest(r, catalog.refs.keys())}; add it to spec/refs/` });
  });
  arr(s.behaviour).map(String).forEach((b, i) => {
    if (catalog.behaviours.size && !catalog.behaviours.has(b)) problems.push({ path: ['behaviour', i], key: false, message: `unknown behaviour id "${b}"${suggest(b, catalog.behaviours.keys())}` });
  });
  const mentions = new Set<string>();
  const checkDev = (id: string, path: JsonPath) => {
    mentions.add(id);
    if (!catalog.deviations.has(id)) problems.push({ path, key: true, message: `unknown deviation id ${id}${suggest(id, catalog.deviations.keys())}; deviations are defined in spec/deviations/` });
  };
  steps.forEach((st) => Object.keys(st.deviations).forEach((id) => checkDev(id, ['steps', st.index, 'deviations', id])));
  steps.forEach((st) => st.linux && checkDev(LINUX_CONVENTION, ['steps', st.index, 'linux']));
  const conditions = [
    ...steps.flatMap((st) => st.when.map((w, i) => ({ c: w.when, at: ['steps', st.index, 'when', i] as JsonPath }))),
    ...(after?.when ?? []).map((w, i) => ({ c: w.when, at: ['after', 'when', i] as JsonPath })),
  ];
  for (const { c, at } of conditions) problems.push(...conditionProblems(c, at, catalog));
  Object.keys(after?.deviations ?? {}).forEach((id) => checkDev(id, ['after', 'deviations', id]));
  if (problems.length) return undefined;
  const id = s.id as string;
  return {
    runId: id + runSuffix(combo.labels),
    id,
    vary: Object.keys(combo.labels).length ? combo.labels : undefined,
    title: s.title as string,
    behaviour: s.behaviour as string[],
    refs,
    requires,
    file,
    line: lineOf(['id']),
    layers,
    steps,
    after,
    timeoutMs: s.timeout as number | undefined,
    ...(typeof s.finalOpen === 'string' ? { finalOpen: s.finalOpen } : {}),
    ...(typeof s.baselineOpen === 'string' ? { baselineOpen: s.baselineOpen } : {}),
    mentions: [...mentions].sort(),
  };
}
