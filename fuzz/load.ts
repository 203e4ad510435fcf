// Generated documents go through the real loader (schema, vocabulary, normalisation), so every
// case the fuzzer runs — and every finding it writes — is a valid scenario file.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Catalog } from '../language/loader/catalog.js';
import { loadScenarioFile, loadScenarioValue } from '../language/loader/scenario.js';
import { formatLoadError, type Scenario } from '../language/model.js';

/** A document as scenario YAML text. */
export function docText(doc: Record<string, unknown>): string {
  return stringify(doc, { lineWidth: 0, flowCollectionPadding: true });
}

/** Write a document to `dir/name` and load it; a load error is a bug in the generator. */
export function loadDoc(doc: Record<string, unknown>, dir: string, name: string, catalog: Catalog): Scenario {
  const file = join(dir, name);
  writeFileSync(file, docText(doc));
  return loadFile(file, catalog, name);
}

/**
 * Load a document through the loader without the YAML round trip (a generated case on its way
 * to the sides: a third of a kernel case's time went to writing and parsing its text). What
 * loads is the same scenario as loadDoc's, step lines aside (a test samples cases to keep it
 * so); findings are still written and re-read as YAML.
 */
export function loadValue(doc: Record<string, unknown>, name: string, catalog: Catalog): Scenario {
  const r = loadScenarioValue(doc, catalog, name);
  if (r.errors.length) throw new Error(`generated scenario is invalid:\n${r.errors.map(formatLoadError).join('\n')}`);
  return r.scenarios[0];
}

/** Load a scenario file that must hold exactly one run. */
export function loadFile(file: string, catalog: Catalog, display = file): Scenario {
  const r = loadScenarioFile(file, catalog, display);
  if (r.errors.length) throw new Error(`generated scenario is invalid:\n${r.errors.map(formatLoadError).join('\n')}`);
  return r.scenarios[0];
}
