// Loading spec/known-failures/<implementation>.yaml: the expected failures of each shipped
// implementation, checked against the schema (file:line:col on every problem).

import { existsSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { LoadError } from '../model.js';
import { packageRoot } from '../root.js';
import { KnownFailuresFileSrc, type KnownFailuresFile } from '../schema/known.js';
import { cachedValue } from './cache.js';
import { errorAt, loadChecked } from './file.js';

/** One expected failure, ready to match results against. */
export interface KnownFailure {
  id: string;
  implementation: string;
  title: string;
  ref: string;
  scenarios: string[];
  variants?: string[];
  verdict: 'fail' | 'error';
  observed?: RegExp;
  flaky: boolean;
  /** file:line of the entry, for messages */
  at: string;
}

/** implementation → its known failures */
export type KnownFailures = Map<string, KnownFailure[]>;

/** Load one known-failures file (built-in or a user's). */
export function loadKnownFile(file: string, display = file): { implementation?: string; failures: KnownFailure[]; errors: LoadError[] } {
  const { value, doc, errors } = loadChecked<KnownFailuresFile>(file, KnownFailuresFileSrc, display);
  if (!value) return { failures: [], errors };
  const seen = new Set<string>();
  const failures: KnownFailure[] = [];
  value.failures.forEach((f, i) => {
    const at = (path: (string | number)[], message: string) => errors.push(errorAt(display, doc, { path: ['failures', i, ...path], key: false, message }));
    if (seen.has(f.id)) at(['id'], `duplicate known-failure id ${f.id}`);
    seen.add(f.id);
    let observed: RegExp | undefined;
    if (f.observed !== undefined) {
      try {
        observed = new RegExp(f.observed);
      } catch (e) {
        at(['observed'], `not a regular expression: ${(e as Error).message}`);
      }
    }
    const line = doc ? doc.locate(['failures', i], false).line : 1;
    failures.push({
      id: f.id, implementation: value.implementation, title: f.title, ref: f.ref, scenarios: f.scenarios, variants: f.variants,
      verdict: f.verdict ?? 'fail', observed, flaky: f.flaky ?? false, at: `${display}:${line}`,
    });
  });
  return { implementation: value.implementation, failures, errors };
}

/** Load spec/known-failures/ (file name = implementation) plus extra files; problems collected, never thrown. */
export function loadKnownFailures(extra: string[] = [], dir = join(packageRoot(), 'spec', 'known-failures')): { known: KnownFailures; errors: LoadError[] } {
  // the package's own files are cached (cache.ts); the user's --known files are read every time
  const own = dir === join(packageRoot(), 'spec', 'known-failures') ? cachedValue('known', () => readKnown(dir, [])) : readKnown(dir, []);
  return extra.length ? readKnown(undefined, extra, own) : own;
}

/** the files of dir (file name = implementation), then extra, added to `into` (copied) */
function readKnown(dir: string | undefined, extra: string[], into?: { known: KnownFailures; errors: LoadError[] }): { known: KnownFailures; errors: LoadError[] } {
  const known: KnownFailures = new Map(into?.known);
  const errors: LoadError[] = [...(into?.errors ?? [])];
  const files = dir && existsSync(dir) ? readdirSync(dir).filter((n) => /\.(ya?ml|json)$/.test(n)).sort().map((n) => join(dir, n)) : [];
  for (const file of [...files, ...extra]) {
    const display = relative(process.cwd(), file) || file;
    const r = loadKnownFile(file, display);
    errors.push(...r.errors);
    if (!r.implementation) continue;
    if (files.includes(file) && basename(file).replace(/\.(ya?ml|json)$/, '') !== r.implementation)
      errors.push({ file: display, line: 1, col: 1, path: '/implementation', message: `implementation "${r.implementation}" must match the file name` });
    known.set(r.implementation, [...(known.get(r.implementation) ?? []), ...r.failures]);
  }
  return { known, errors };
}
