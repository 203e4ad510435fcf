// tier: system
// A seeded fuzz of the scenario loader: byte-level and YAML-feature mutants of the real suite
// files (anchors and aliases, merge keys, tags, ${…} lookups on Object.prototype names, deep
// nesting, duplicate and prototype keys, huge numbers, control bytes). Every mutant loads or
// ends in file:line:col errors; none throws. fast-check shrinks a failure to its smallest mutant.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../language/root.js';
import { loadScenarioFile } from '../../../language/loader/scenario.js';
import { formatLoadError } from '../../../language/model.js';
import { apply, catchWarnings, mutation } from '../../helpers/mutate.js';
import { realCatalog } from '../../helpers/scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'loader-fuzz-'));
const SEED = 20261206;

/** every scenario file of the package's suites, as bytes (a fixed sample keeps the run short) */
function suiteFiles(): Buffer[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.yaml')) out.push(p);
    }
  };
  walk(join(packageRoot(), 'suites'));
  return out.filter((_, i) => i % Math.max(1, Math.floor(out.length / 60)) === 0).map((p) => readFileSync(p));
}
const FILES = suiteFiles();

const warned = catchWarnings();

const POS = /^m\.yaml:\d+:\d+: /;
let n = 0;
/** load a mutant; fails the property on an exception or an error without a position */
function loads(bytes: Buffer): void {
  const file = join(dir, `m${n++ % 8}.yaml`);
  writeFileSync(file, bytes);
  const r = loadScenarioFile(file, realCatalog(), 'm.yaml'); // an exception fails the property
  if (warned.length) throw new Error(`the loader warned instead of refusing: ${warned.splice(0).join('; ')}`);
  for (const e of r.errors) if (!POS.test(formatLoadError(e))) throw new Error(`an error without file:line:col: ${formatLoadError(e)}`);
}

test('2,000 byte-level and YAML-feature mutants of the suite files load or end in file:line:col errors, never an exception', () => {
  assert.ok(FILES.length >= 30, `a sample of suite files (${FILES.length})`);
  let errored = 0;
  const before = n;
  fc.assert(
    fc.property(fc.nat(FILES.length - 1), fc.array(mutation, { minLength: 1, maxLength: 6 }), (i, ms) => {
      loads(apply(FILES[i], ms));
    }),
    { seed: SEED, numRuns: 2000, endOnFailure: true },
  );
  assert.ok(n - before >= 2000, `${n - before} mutants loaded`);
  // the mutants reach the loader's error paths, not only its happy path
  for (let i = 0; i < 50; i++) {
    const file = join(dir, 'm0.yaml');
    writeFileSync(file, apply(FILES[i % FILES.length], [{ kind: 'insert', at: 0.5, what: '&r [*r]' }]));
    if (loadScenarioFile(file, realCatalog(), 'm.yaml').errors.length) errored++;
  }
  assert.ok(errored > 25, `${errored} of 50 self-referencing mutants were refused`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
