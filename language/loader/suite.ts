// Loading a whole suite: every scenario file below the given paths, duplicate ids rejected,
// broken files reported while the rest load. A load is planned (scan, byte limit), its files are
// loaded (here one after another; pool.ts shares them with helper threads), then merged in order.

import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadError, Scenario } from '../model.js';
import { packageRoot } from '../root.js';
import type { Catalog } from './catalog.js';
import { cacheKeyFrom, readCache, writeCache } from './cache.js';
import { LIMITS } from './limits.js';
import { loadScenarioFile, type FileResult } from './scenario.js';
import { displayName, lstatOrUndefined, scanScenarioFiles } from './scan.js';

export { displayName, findScenarioFiles, scanScenarioFiles } from './scan.js';

export interface Suite {
  scenarios: Scenario[];
  errors: LoadError[];
  files: string[];
}

/** One step of a load, in order: problems found while scanning, or a file to load. */
export type SuiteItem = { errors: LoadError[] } | { file: string; display: string };

/** What a load reads, in order; `truncated` when the byte limit stopped it (nothing is cached then). */
export interface SuitePlan {
  items: SuiteItem[];
  files: string[];
  truncated: boolean;
}

/** Scan the paths and stop at the suite byte limit: what a load of them reads, in order. */
export function planSuite(paths: string[]): SuitePlan {
  const items: SuiteItem[] = [];
  const files: string[] = [];
  let bytes = 0;
  for (const p of paths) {
    const { files: found, errors: refused } = scanScenarioFiles(p);
    if (refused.length) items.push({ errors: refused });
    if (found.length === 0 && refused.length === 0) items.push({ errors: [{ file: displayName(p), line: 1, col: 1, path: '', message: existsSync(p) ? 'no scenario files (*.yaml, *.yml, *.json) here' : 'no such file or directory' }] });
    for (const f of found) {
      const display = displayName(f);
      files.push(display);
      bytes += Number(lstatOrUndefined(f)?.size ?? 0);
      if (bytes > LIMITS.suiteBytes) {
        items.push({ errors: [{ file: display, line: 1, col: 1, path: '', message: `the suite passes ${LIMITS.suiteBytes >> 20} MiB of scenario files here; the rest is not loaded (docs/scenario-limits.md)` }] });
        return { items, files, truncated: true };
      }
      items.push({ file: f, display });
    }
  }
  return { items, files, truncated: false };
}

/** A file's result, or the message of a loader failure on it. */
export type Outcome = FileResult | { failed: string };

/** Load one file; a loader bug must not take the other files down, so it becomes a message. */
export function loadOutcome(file: string, catalog: Catalog, display: string): Outcome {
  try {
    return loadScenarioFile(file, catalog, display);
  } catch (e) {
    return { failed: (e as Error).message };
  }
}

/** The results of a plan's files (by item index) as one suite: errors in order, duplicate ids rejected. */
export function mergeSuite(plan: SuitePlan, outcome: (item: number) => Outcome): Suite {
  const errors: LoadError[] = [];
  const scenarios: Scenario[] = [];
  const firstFile = new Map<string, string>();
  plan.items.forEach((item, i) => {
    if (!('file' in item)) return void errors.push(...item.errors);
    const { display } = item;
    const r = outcome(i);
    if ('failed' in r) return void errors.push({ file: display, line: 1, col: 1, path: '', message: `the loader failed on this file: ${r.failed}` });
    errors.push(...r.errors);
    const id = r.scenarios[0]?.id;
    if (id === undefined) return;
    const prior = firstFile.get(id);
    if (prior !== undefined && prior !== display) return void errors.push({ file: display, line: r.scenarios[0].line, col: 1, path: '/id', message: `duplicate scenario id "${id}": already used by ${prior}` });
    firstFile.set(id, display);
    scenarios.push(...r.scenarios);
  });
  return { scenarios, errors, files: plan.files };
}

/** A file's key in the per-file cache (its name and exact bytes), or undefined when it cannot be read plainly (then it is loaded, never cached). */
export function cacheKeyOf(file: string, display: string): string | undefined {
  try {
    const st = lstatSync(file);
    return st.isFile() && st.size <= 4 << 20 ? cacheKeyFrom(display, st, readFileSync(file)) : undefined;
  } catch {
    return undefined;
  }
}

/** The per-file cache a load may use: none when the catalog has errors (it is checked against partly). */
export const suiteCache = (catalog: Catalog): Map<string, FileResult> => (catalog.errors.length ? new Map() : readCache<FileResult>());

/** Keep the results a load used when any was new (not with catalog errors, nor a truncated load). */
export function keepResults(catalog: Catalog, plan: SuitePlan, cache: Map<string, FileResult>, used: Map<string, FileResult>): void {
  if (!catalog.errors.length && !plan.truncated && [...used.keys()].some((k) => !cache.has(k))) writeCache(new Map([...cache, ...used]));
}

/** Load every scenario below `paths` (default: the package's suites/), one file after another. */
export function loadSuite(catalog: Catalog, paths: string[] = [join(packageRoot(), 'suites')]): Suite {
  const plan = planSuite(paths);
  const cache = suiteCache(catalog);
  const used = new Map<string, FileResult>();
  const outcomes = plan.items.map((item): Outcome | undefined => {
    if (!('file' in item)) return undefined;
    const key = cacheKeyOf(item.file, item.display);
    const hit = key === undefined ? undefined : cache.get(key);
    const r = hit ?? loadOutcome(item.file, catalog, item.display);
    if (key !== undefined && !('failed' in r)) used.set(key, r);
    return r;
  });
  keepResults(catalog, plan, cache, used);
  return mergeSuite(plan, (i) => outcomes[i]!);
}
