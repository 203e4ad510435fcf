// tier: system
// A seeded fuzz of command adapter configs (adapters/command/config.ts loadCommandConfig):
// byte-level and YAML-feature mutants of the shipped configs (adapters/command/configs/) and the
// examples (examples/*.yaml). Every mutant loads or ends in file:line:col errors; none throws.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../language/root.js';
import { loadCommandConfig } from '../../../adapters/command/config.js';
import { formatLoadError } from '../../../language/model.js';
import { apply, catchWarnings, mutationOf } from '../../helpers/mutate.js';

const dir = mkdtempSync(join(tmpdir(), 'config-fuzz-'));
const SEED = 20261206;
const yamls = (d: string) => readdirSync(join(packageRoot(), d)).filter((f) => f.endsWith('.yaml')).sort().map((f) => readFileSync(join(packageRoot(), d, f)));
const FILES = [...yamls('adapters/command/configs'), ...yamls('examples')];
/** config-shaped pieces: templates, option names with separators, paths, env, formats */
const EXTRA = ['"{merged}"', '"{lowers}"', '"{lower99999999999}"', '"{dir}"', '"{__proto__}"', '"{upper"', 'argv: []\n', 'options: { upperdir: /etc }\n',
  'options: { "a,b": x }\n', 'env: { LD_PRELOAD: /tmp/x.so }\n', 'format: ./nope.js\n', 'format: constructor\n', 'ready: { file: /etc/passwd }\n', 'variants: [{}]\n', 'name: "../x"\n'];
const mutation = mutationOf(EXTRA);
const warned = catchWarnings();

const POS = /^c\.yaml:\d+:\d+: /;
let n = 0;
let loaded = 0;
/** load a mutant; fails the property on an exception or an error without a position */
function loads(bytes: Buffer): void {
  const file = join(dir, `c${n++ % 8}.yaml`);
  writeFileSync(file, bytes);
  const r = loadCommandConfig(file, 'c.yaml'); // an exception fails the property
  if (warned.length) throw new Error(`the loader warned instead of refusing: ${warned.splice(0).join('; ')}`);
  for (const e of r.errors) if (!POS.test(formatLoadError(e))) throw new Error(`an error without file:line:col: ${formatLoadError(e)}`);
  if (r.config) loaded++;
}

test('2,000 mutants of the shipped command configs and examples load or end in file:line:col errors, never an exception', () => {
  assert.ok(FILES.length >= 5, `the shipped configs (${FILES.length})`);
  fc.assert(
    fc.property(fc.nat(FILES.length - 1), fc.array(mutation, { minLength: 1, maxLength: 6 }), (i, ms) => loads(apply(FILES[i], ms))),
    { seed: SEED, numRuns: 2000, endOnFailure: true },
  );
  assert.ok(n >= 2000, `${n} mutants`);
  assert.ok(loaded > 50 && loaded < n - 200, `${loaded} of ${n} mutants loaded`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
