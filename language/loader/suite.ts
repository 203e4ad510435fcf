// Loading a whole suite: every scenario file below the given paths, duplicate ids rejected,
// broken files reported while the rest load.

import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadError, Scenario } from '../model.js';
import { packageRoot } from '../root.js';
import type { Catalog } from './catalog.js';
import { fileKey, readCache, writeCache } from './cache.js';
import { LIMITS } from './limits.js';
import { loadScenarioFile, type FileResult } from './scenario.js';
import { displayName, lstatOrUndefined, scanScenarioFiles } from './scan.js';

export { displayName, findScenarioFiles, scanScenarioFiles } from './scan.js';

export interface Suite {
  scenarios: Scenario[];
  errors: LoadError[];
  files: string[];
}

/** Load every scenario below `paths` (default: the package's suites/). */
export function loadSuite(catalog: Catalog, paths: string[] = [join(packageRoot(), 'suites')]): Suite {
  const errors: LoadError[] = [];
  const scenarios: Scenario[] = [];
  const files: string[] = [];
  const firstFile = new Map<string, string>();
  const cache = catalog.errors.length ? new Map<string, FileResult>() : readCache<FileResult>();
  const used = new Map<string, FileResult>();
  let bytes = 0;
  for (const p of paths) {
    const { files: found, errors: refused } = scanScenarioFiles(p);
    errors.push(...refused);
    if (found.length === 0 && refused.length === 0) errors.push({ file: displayName(p), line: 1, col: 1, path: '', message: existsSync(p) ? 'no scenario files (*.yaml, *.yml, *.json) here' : 'no such file or directory' });
    for (const f of found) {
      const display = displayName(f);
      files.push(display);
      bytes += Number(lstatOrUndefined(f)?.size ?? 0);
      if (bytes > LIMITS.suiteBytes) {
        errors.push({ file: display, line: 1, col: 1, path: '', message: `the suite passes ${LIMITS.suiteBytes >> 20} MiB of scenario files here; the rest is not loaded (docs/scenario-limits.md)` });
        return { scenarios, errors, files };
      }
      let r: ReturnType<typeof loadScenarioFile>;
      try {
        r = cachedLoad(f, catalog, display, cache, used);
      } catch (e) {
        // a loader bug must not take the other files down: the file is reported, the rest load
        errors.push({ file: display, line: 1, col: 1, path: '', message: `the loader failed on this file: ${(e as Error).message}` });
        continue;
      }
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
