// What every subcommand loads first: the catalog, the suite (filtered), and the profiles
// (built-in plus the user's --profile files).

import { resolve } from 'node:path';
import { loadCatalog, loadProfile, type Catalog } from '../language/loader/catalog.js';
import { displayName, loadSuite, type Suite } from '../language/loader/suite.js';
import type { LoadError, Profile, Scenario } from '../language/model.js';
import { loadKnownFailures, type KnownFailures } from '../language/loader/known.js';
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

/** Load catalog, suite and profiles; `grep` filters run ids and titles by a regular expression. */
export function loadAll(opts: { suites: string[]; grep?: string; profiles?: string[]; known?: string[] }): Loaded {
  const catalog = loadCatalog();
  const suite = loadSuite(catalog, opts.suites.length ? opts.suites.map((p) => resolve(p)) : undefined);
  let re: RegExp | undefined;
  if (opts.grep) {
    try {
      re = new RegExp(opts.grep);
    } catch (e) {
      throw new UsageError(`--grep: ${(e as Error).message}`);
    }
  }
  const scenarios = re ? suite.scenarios.filter((s) => re!.test(s.runId) || re!.test(s.title)) : suite.scenarios;
  const errors = [...catalog.errors, ...suite.errors];
  const profiles = new Map<string, Profile[]>();
  for (const p of catalog.profiles.values()) profiles.set(p.implementation, [p]);
  for (const f of opts.profiles ?? []) {
    const r = loadProfile(resolve(f), catalog.deviations, displayName(f));
    errors.push(...r.errors);
    if (r.profile) profiles.set(r.profile.implementation, [...(profiles.get(r.profile.implementation) ?? []), r.profile]);
  }
  const known = loadKnownFailures((opts.known ?? []).map((f) => resolve(f)));
  errors.push(...known.errors);
  return { catalog, suite, scenarios, errors, profiles, known: known.known };
}
