// What every subcommand loads first: the catalog, the suite (filtered), and the profiles
// (built-in plus the user's --profile files).

import { lstatSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog } from '../language/loader/catalog.js';
import type { Suite } from '../language/loader/suite.js';
import type { LoadError, Profile, Scenario } from '../language/model.js';
import type { KnownFailures, loadKnownFailures } from '../language/loader/known.js';

/** what loadKnownFailures gives */
type KnownLoad = ReturnType<typeof loadKnownFailures>;
import { cacheKeyFrom, readCache, readWhole, wholeKey, writeWhole } from '../language/loader/cache.js';
import type { LoadPool, SuiteJob } from '../language/loader/pool.js';
import type { FileResult } from '../language/loader/scenario.js';
import { displayName, scanScenarioFiles } from '../language/loader/scan.js';
import { packageRoot } from '../language/root.js';
import { UsageError } from './args.js';

export interface Loaded {
  catalog: Catalog;
  suite: Suite;
  scenarios: Scenario[];
  errors: LoadError[];
  profiles: Map<string, Profile[]>;
  /** expected failures by implementation: spec/known-failures/ plus --known files */
  known: KnownFailures;
}

/** What a whole load gives: everything but the --grep filter. */
type Whole = Pick<Loaded, 'catalog' | 'suite' | 'known'> & { knownErrors: LoadError[] };

/**
 * What the whole-load cache keeps of a clean load: all of it but the scenarios, which stay in the
 * per-file cache (the load wrote them there) and are named by each file's key, so that a cold
 * start serialises them once (it was twice: ~3.5 MB of small objects, the costliest write).
 */
type Kept = Omit<Whole, 'suite'> & { suite: Omit<Suite, 'scenarios'>; fileKeys: string[] };

/** A kept load with its scenarios taken from the per-file cache, or undefined when an entry is gone. */
function fromKept(kept: Kept, entries: Map<string, FileResult>): Whole | undefined {
  const scenarios: Scenario[] = [];
  for (const k of kept.fileKeys) {
    const r = entries.get(k);
    if (!r || r.errors.length) return undefined;
    scenarios.push(...r.scenarios);
  }
  return { catalog: kept.catalog, known: kept.known, knownErrors: kept.knownErrors, suite: { scenarios, ...kept.suite } };
}

/**
 * The whole-load cache key for these suites: the loader's code and spec data (codeKey), this
 * file, the working directory (names in messages are relative to it) and every scenario file's
 * name and bytes. Undefined when something there cannot be read plainly: then no cache. With it,
 * each file's per-file cache key (cacheKeyFrom), so a cold load does not read the files again for them.
 */
function loadKey(suites: string[]): { key: string; fileKeys: Map<string, string | undefined> } | undefined {
  const parts: (string | Uint8Array)[] = [readFileSync(fileURLToPath(import.meta.url)), process.cwd()];
  const fileKeys = new Map<string, string | undefined>();
  for (const p of suites.length ? suites.map((x) => resolve(x)) : [join(packageRoot(), 'suites')]) {
    const { files, errors } = scanScenarioFiles(p);
    if (errors.length || files.length === 0) return undefined;
    parts.push(`suite ${p}`);
    for (const f of files) {
      try {
        const display = displayName(f);
        const st = lstatSync(f);
        const bytes = readFileSync(f);
        parts.push(display, bytes);
        fileKeys.set(f, cacheKeyFrom(display, st, bytes));
      } catch {
        return undefined;
      }
    }
  }
  return { key: wholeKey(parts), fileKeys };
}

/** Catalog, suite and known failures: from the whole-load cache, else loaded (and kept when clean). */
async function loadWhole(suites: string[]): Promise<Whole> {
  const { key, fileKeys: readKeys } = loadKey(suites) ?? {};
  const kept = key ? readWhole<Kept>(key) : undefined;
  const hit = kept && fromKept(kept, readCache<FileResult>());
  if (hit) return hit;
  // helper threads start first and load their modules while this one loads its own (helpers.ts),
  // then load the known failures while this one parses the catalog (pool.ts)
  const workers = (await import('../language/loader/helpers.js')).startHelpers();
  let pool: LoadPool | undefined;
  let catalog: Catalog, suite: Suite, known: KnownLoad, job: SuiteJob;
  try {
    const [{ loadCatalog }, { LoadPool }, { loadKnownFailures }] = await Promise.all([
      import('../language/loader/catalog.js'),
      import('../language/loader/pool.js'),
      import('../language/loader/known.js'),
    ]);
    pool = new LoadPool(workers);
    const helped = pool.known();
    catalog = loadCatalog();
    job = pool.begin(catalog, suites.length ? suites.map((p) => resolve(p)) : undefined, { keys: readKeys });
    suite = await job.finish();
    known = (await helped) ?? loadKnownFailures();
  } finally {
    if (pool) pool.close();
    else for (const w of workers) void w.terminate();
  }
  const whole: Whole = { catalog, suite, known: known.known, knownErrors: known.errors };
  const fileKeys = job.fileKeys.filter((k): k is string => k !== undefined);
  if (key && !catalog.errors.length && !suite.errors.length && !known.errors.length && fileKeys.length === job.fileKeys.length) {
    const { scenarios: _kept, ...rest } = suite;
    writeWhole(key, { catalog, known: known.known, knownErrors: known.errors, suite: rest, fileKeys } satisfies Kept);
  }
  return whole;
}

/** Load catalog, suite and profiles; `grep` filters run ids and titles by a regular expression. */
export async function loadAll(opts: { suites: string[]; grep?: string; profiles?: string[]; known?: string[] }): Promise<Loaded> {
  let re: RegExp | undefined;
  if (opts.grep) {
    try {
      re = new RegExp(opts.grep);
    } catch (e) {
      throw new UsageError(`--grep: ${(e as Error).message}`);
    }
  }
  const { catalog, suite, known, knownErrors } = await loadWhole(opts.suites);
  const scenarios = re ? suite.scenarios.filter((s) => re!.test(s.runId) || re!.test(s.title)) : suite.scenarios;
  const errors = [...catalog.errors, ...suite.errors];
  const profiles = new Map<string, Profile[]>();
  for (const p of catalog.profiles.values()) profiles.set(p.implementation, [p]);
  if (!opts.profiles?.length && !opts.known?.length) return { catalog, suite, scenarios, errors: [...errors, ...knownErrors], profiles, known };
  // the user's own --profile and --known files are read on every start
  const [{ loadProfile }, { loadKnownFailures }] = await Promise.all([import('../language/loader/catalog.js'), import('../language/loader/known.js')]);
  for (const f of opts.profiles ?? []) {
    const r = loadProfile(resolve(f), catalog.deviations, displayName(f));
    errors.push(...r.errors);
    if (r.profile) profiles.set(r.profile.implementation, [...(profiles.get(r.profile.implementation) ?? []), r.profile]);
  }
  if (!opts.known?.length) return { catalog, suite, scenarios, errors: [...errors, ...knownErrors], profiles, known };
  const withExtra = loadKnownFailures(opts.known.map((f) => resolve(f)));
  errors.push(...withExtra.errors);
  return { catalog, suite, scenarios, errors, profiles, known: withExtra.known };
}
