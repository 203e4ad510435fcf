// Loading a whole suite: every scenario file below the given paths, duplicate ids rejected,
// broken files reported while the rest load.

import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { LoadError, Scenario } from '../model.js';
import { packageRoot } from '../root.js';
import type { Catalog } from './catalog.js';
import { fileKey, readCache, writeCache } from './cache.js';
import { loadScenarioFile, type FileResult } from './scenario.js';

export interface Suite {
  scenarios: Scenario[];
  errors: LoadError[];
  files: string[];
}

const SCENARIO_FILE = /\.(ya?ml|json)$/;

/** scenario files below a path (a file is taken as is), sorted */
export function findScenarioFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const p = join(path, name);
    if (statSync(p).isDirectory()) out.push(...findScenarioFiles(p));
    else if (SCENARIO_FILE.test(name)) out.push(p);
  }
  return out;
}

/** how a file is named in messages and results: relative to the package, else to cwd */
export function displayName(file: string): string {
  const abs = resolve(file);
  const inPkg = relative(packageRoot(), abs);
  if (!inPkg.startsWith('..') && !isAbsolute(inPkg)) return inPkg;
  const inCwd = relative(process.cwd(), abs);
  return !inCwd.startsWith('..') && !isAbsolute(inCwd) ? inCwd : abs;
}

/** Load every scenario below `paths` (default: the package's suites/). */
export function loadSuite(catalog: Catalog, paths: string[] = [join(packageRoot(), 'suites')]): Suite {
  const errors: LoadError[] = [];
  const scenarios: Scenario[] = [];
  const files: string[] = [];
  const firstFile = new Map<string, string>();
  const cache = catalog.errors.length ? new Map<string, FileResult>() : readCache();
  const used = new Map<string, FileResult>();
  for (const p of paths) {
    const found = findScenarioFiles(p);
    if (found.length === 0) errors.push({ file: displayName(p), line: 1, col: 1, path: '', message: existsSync(p) ? 'no scenario files (*.yaml, *.yml, *.json) here' : 'no such file or directory' });
    for (const f of found) {
      const display = displayName(f);
      files.push(display);
      const r = cachedLoad(f, catalog, display, cache, used);
      errors.push(...r.errors);
      const id = r.scenarios[0]?.id;
      if (id === undefined) continue;
      const prior = firstFile.get(id);
      if (prior !== undefined && prior !== display) {
        errors.push({ file: display, line: r.scenarios[0].line, col: 1, path: '/id', message: `duplicate scenario id "${id}": already used by ${prior}` });
        continue;
      }
      firstFile.set(id, display);
      scenarios.push(...r.scenarios);
    }
  }
  // a catalog with errors is checked against partly: its results are not kept
  if (!catalog.errors.length && [...used.keys()].some((k) => !cache.has(k))) writeCache(new Map([...cache, ...used]));
  return { scenarios, errors, files };
}

/**
 * One file's result from the cache when its name and bytes are unchanged, else loaded (and kept
 * in `used` for the next cache). Files that cannot be read plainly are loaded, never cached.
 */
function cachedLoad(file: string, catalog: Catalog, display: string, cache: Map<string, FileResult>, used: Map<string, FileResult>): FileResult {
  let bytes: string;
  try {
    const st = lstatSync(file);
    if (!st.isFile() || st.size > 4 << 20) return loadScenarioFile(file, catalog, display);
    bytes = readFileSync(file, 'latin1');
  } catch {
    return loadScenarioFile(file, catalog, display);
  }
  const key = fileKey(display, bytes);
  const hit = cache.get(key);
  if (hit) {
    used.set(key, hit);
    return hit;
  }
  const r = loadScenarioFile(file, catalog, display);
  used.set(key, r);
  return r;
}
