// Writing scenario text to a temp file and loading it through the real loader, for tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog, type Catalog } from '../../language/loader/catalog.js';
import { loadScenarioFile, type FileResult } from '../../language/loader/scenario.js';
import { formatLoadError, type Scenario } from '../../language/model.js';

let catalog: Catalog | undefined;
/** the package's real catalog, loaded once */
export function realCatalog(): Catalog {
  return (catalog ??= loadCatalog());
}

const dir = mkdtempSync(join(tmpdir(), 'ovlconf-test-'));
let n = 0;
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** load scenario text (YAML unless name ends in .json) as a file named `name` */
export function loadText(text: string, name = `s${++n}.yaml`): FileResult {
  const file = join(dir, name);
  writeFileSync(file, text);
  return loadScenarioFile(file, realCatalog(), name);
}

/** load text that must be valid; throws with the formatted errors otherwise */
export function scenario(text: string): Scenario[] {
  const r = loadText(text);
  if (r.errors.length) throw new Error(r.errors.map(formatLoadError).join('\n'));
  return r.scenarios;
}

/** the formatted errors of loading text */
export function errorsOf(text: string, name?: string): string[] {
  return loadText(text, name).errors.map(formatLoadError);
}
