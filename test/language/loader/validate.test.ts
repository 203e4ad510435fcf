// The validators: every schema the loaders check against was compiled at build time
// (scripts/build-validators.js), and a precompiled validator finds exactly the problems one
// compiled here finds, with the same messages and paths.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadCommandConfig } from '../../../adapters/command/config.js';
import { OPS } from '../../../language/ops.js';
import { packageRoot } from '../../../language/root.js';
import { loadKnownFailures } from '../../../language/loader/known.js';
import { check, compiledAtRunTime, schemaKey } from '../../../language/loader/validate.js';
import { opArgsSchema } from '../../../language/schema/scenario.js';
import { validateResults } from '../../../results/results.js';
import { realCatalog, scenario } from '../../helpers/scenario.js';

test('Loading the spec data, scenarios, known failures, configs and results compiles no schema at run time', () => {
  assert.equal(realCatalog().errors, []);
  scenario(`id: v/all-parts
title: a scenario using vary, layers, modifiers and after
behaviour: [WH-001]
vary: { d: [a, b] }
layers: { lower: [{ "\${d}": "x" }], upper: {} }
steps:
  - unlink: \${d}
    expect: { ok: true }
  - stat: \${d}
    expect: { errno: ENOENT }
    user: { uid: 1000, gid: 1000 }
`);
  for (const op of Object.keys(OPS) as (keyof typeof OPS)[]) check(opArgsSchema(op), {});
  assert.equal(loadKnownFailures().errors, []);
  assert.equal(loadCommandConfig(join(packageRoot(), 'examples', 'kernel-mount.yaml')).errors, []);
  assert.ok(validateResults({}).length > 0, 'an empty results file is refused');
  assert.equal(compiledAtRunTime(), [], 'schemas missing from scripts/build-validators.js (or `npm run build` did not run)');
});

test('A schema not compiled at build time is compiled here and checks the same way', () => {
  const schema = { ...opArgsSchema('rename'), description: 'a copy the build never saw' };
  const bad = { from: 7, to: 'b', flagz: ['NOREPLACE'] };
  const here = check(schema, bad, ['steps', 0, 'rename']);
  assert.ok(compiledAtRunTime().includes(schemaKey(schema)), 'it was compiled in this process');
  assert.equal(here, check(opArgsSchema('rename'), bad, ['steps', 0, 'rename']), 'the precompiled validator reports the same problems');
  assert.ok(here.some((p) => p.key && /unknown field "flagz"/.test(p.message)), JSON.stringify(here));
  assert.ok(here.some((p) => p.path.join('/') === 'steps/0/rename/from'), JSON.stringify(here));
});

test.run();
