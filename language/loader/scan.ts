// Finding scenario files below the given paths and naming them, without loading any: the
// suite's files are known (and hashed for the load cache) before a parser is loaded.

import { existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { LoadError } from '../model.js';
import { packageRoot } from '../root.js';
import { LIMITS } from './limits.js';

const SCENARIO_FILE = /\.(ya?ml|json)$/;

/** Scenario files below a path, and what was refused there (special files, symlinks leading out). */
export function scanScenarioFiles(path: string): { files: string[]; errors: LoadError[] } {
  const files: string[] = [];
  const errors: LoadError[] = [];
  const refuse = (p: string, message: string) => errors.push({ file: displayName(p), line: 1, col: 1, path: '', message });
  let top: ReturnType<typeof statSync>;
  try {
    top = statSync(path);
  } catch (e) {
    if (existsSync(path) || lstatOrUndefined(path)) refuse(path, `cannot read: ${(e as Error).message}`);
    return { files, errors };
  }
  if (!top.isDirectory()) return { files: [path], errors };
  const root = realpathSync(path);
  const seen = new Set<string>([root]);
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      refuse(dir, `cannot list: ${(e as Error).message}`);
      return;
    }
    for (const name of names) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const p = join(dir, name);
      const l = lstatOrUndefined(p);
      if (!l) continue;
      let st = l;
      if (l.isSymbolicLink()) {
        let real: string;
        try {
          real = realpathSync(p);
          st = statSync(real);
        } catch (e) {
          if (SCENARIO_FILE.test(name)) refuse(p, `a symlink that cannot be followed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): not read`);
          continue;
        }
        const rel = relative(root, real);
        if (rel.startsWith('..') || isAbsolute(rel)) {
          if (st.isDirectory() || SCENARIO_FILE.test(name)) refuse(p, `a symlink to ${real}, outside the suite directory ${root}: not followed`);
          continue;
        }
        if (st.isDirectory() && seen.has(real)) continue;
        if (st.isDirectory()) seen.add(real);
      }
      if (st.isDirectory()) walk(p);
      else if (!SCENARIO_FILE.test(name)) continue;
      else if (!st.isFile()) refuse(p, 'not a regular file (a FIFO, device or socket); only regular files are read');
      else files.push(p);
      if (files.length > LIMITS.suiteFiles) return;
    }
  };
  walk(path);
  if (files.length > LIMITS.suiteFiles) {
    refuse(path, `more than ${LIMITS.suiteFiles} scenario files; the limit is ${LIMITS.suiteFiles} (docs/scenario-limits.md)`);
    files.length = LIMITS.suiteFiles;
  }
  return { files, errors };
}

/** lstat, or undefined when the path cannot be looked at */
export function lstatOrUndefined(p: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** scenario files below a path (a file is taken as is), sorted */
export function findScenarioFiles(path: string): string[] {
  return scanScenarioFiles(path).files;
}

/** how a file is named in messages and results: relative to the package, else to cwd */
export function displayName(file: string): string {
  const abs = resolve(file);
  const inPkg = relative(packageRoot(), abs);
  if (!inPkg.startsWith('..') && !isAbsolute(inPkg)) return inPkg;
  const inCwd = relative(process.cwd(), abs);
  return !inCwd.startsWith('..') && !isAbsolute(inCwd) ? inCwd : abs;
}

