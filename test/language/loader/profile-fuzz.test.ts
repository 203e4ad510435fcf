// tier: system
// A seeded fuzz of profile loading (language/loader/catalog.ts loadProfile): byte-level and
// YAML-feature mutants of every shipped profile (spec/profiles/), each loaded and, when it
// loads, used the way a run uses it (its deviations matched against a scenario and a variant's
// fingerprint). Every mutant loads or ends in file:line:col errors; none throws.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../language/root.js';
import { loadProfile } from '../../../language/loader/catalog.js';
import { formatLoadError } from '../../../language/model.js';
import { documented } from '../../../engine/profile.js';
import { apply, catchWarnings, mutationOf } from '../../helpers/mutate.js';
import { realCatalog } from '../../helpers/scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'profile-fuzz-'));
const SEED = 20261206;
const root = join(packageRoot(), 'spec', 'profiles');
const FILES = readdirSync(root).filter((f) => f.endsWith('.yaml')).sort().map((f) => readFileSync(join(root, f)));
/** profile-shaped pieces: conditions, globs, version ranges, final entries */
const EXTRA = ['when: { variant: "*" }\n', 'scenarios: ["**"]\n', 'scenarios: ["[", "a{b"]\n', 'version: ">=99999999999999999999"\n', 'version: "<1.x"\n',
  'options: { __proto__: on }\n', 'final: ["*"]\n', 'final: { __proto__: [] }\n', 'optional: yes\n', 'id: DEV-NOPE\n', 'observed: [1, 2]\n', 'implementation: constructor\n'];
const mutation = mutationOf(EXTRA);
const warned = catchWarnings();
const catalog = realCatalog();
const fp = { implementation: 'kernel', version: '6.18.44', options: { redirect_dir: 'on', index: 'off' }, details: {} };

const POS = /^p\.yaml:\d+:\d+: /;
let n = 0;
let loaded = 0;
/** load a mutant and use it; fails the property on an exception or an error without a position */
function loads(bytes: Buffer): void {
  const file = join(dir, `p${n++ % 8}.yaml`);
  writeFileSync(file, bytes);
  const r = loadProfile(file, catalog.deviations, 'p.yaml'); // an exception fails the property
  if (warned.length) throw new Error(`the loader warned instead of refusing: ${warned.splice(0).join('; ')}`);
  for (const e of r.errors) if (!POS.test(formatLoadError(e))) throw new Error(`an error without file:line:col: ${formatLoadError(e)}`);
  if (r.profile) {
    loaded++;
    documented([r.profile], 'default', { ...fp, implementation: r.profile.implementation }, 'rename/lower-dir', 'rename/lower-dir[x=1]');
  }
}

test('2,000 mutants of the shipped profiles load (and match) or end in file:line:col errors, never an exception', () => {
  assert.ok(FILES.length >= 10, `the shipped profiles (${FILES.length})`);
  fc.assert(
    fc.property(fc.nat(FILES.length - 1), fc.array(mutation, { minLength: 1, maxLength: 6 }), (i, ms) => loads(apply(FILES[i], ms))),
    { seed: SEED, numRuns: 2000, endOnFailure: true },
  );
  assert.ok(n >= 2000, `${n} mutants`);
  // both paths were reached: some mutants still load, many are refused
  assert.ok(loaded > 50 && loaded < n - 200, `${loaded} of ${n} mutants loaded`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
