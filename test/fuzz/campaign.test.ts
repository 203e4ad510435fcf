// A fixed-seed, fixed-size fuzz run finds the fault planted in a copy of the reference model,
// shrinks it to a handful of steps, and writes it as a scenario file the loader accepts and that
// fails on the faulty model while passing on the model itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { campaign } from '../../fuzz/campaign.js';
import { writeFinding, type IndexEntry } from '../../fuzz/findings.js';
import type { Case } from '../../fuzz/gen/case.js';
import { loadCatalog } from '../../language/loader/catalog.js';
import { loadScenarioFile } from '../../language/loader/scenario.js';
import { plantedFault } from '../fixtures/fuzz/planted-fault.js';

const catalog = loadCatalog();
const profiles = new Map([...catalog.profiles.values()].map((p) => [p.implementation, [p]]));
const dir = mkdtempSync(join(tmpdir(), 'ovlconf-fuzz-test-'));

test('a fixed-seed run finds the planted rename fault and shrinks it to a valid scenario of a few steps', async () => {
  const found: { entry: IndexEntry; shrunk: Case }[] = [];
  const stats = await campaign({
    adapter: plantedFault, variant: 'default', against: 'memory', seed: 4242, budgetMs: 600_000, maxCases: 60, maxFindings: 1, shrinkRuns: 150,
    workdir: join(dir, 'work'), catalog, profiles,
    onFinding: async (f, c, ctx) => {
      found.push({ entry: await writeFinding(join(dir, 'findings'), f, c, ctx, 'test'), shrunk: c });
    },
  });
  assert.ok(stats.findings.length >= 1, `no finding in ${stats.cases} cases`);
  const rename = found.find((f) => f.entry.signature.startsWith('rename →EEXIST'));
  assert.ok(rename, `the planted fault was not among ${stats.findings.join('; ')}`);
  assert.ok(rename.shrunk.actions.length <= 4, `shrunk to ${rename.shrunk.actions.length} actions`);
  assert.ok(rename.entry.steps <= 5, `the scenario has ${rename.entry.steps} steps`);
  const loaded = loadScenarioFile(rename.entry.file, catalog);
  assert.equal(loaded.errors, []);
  assert.ok(rename.entry.checked, 'the written scenario should fail on the faulty model and pass on the model');
  assert.match(readFileSync(rename.entry.file, 'utf8'), /observed on planted-fault\/default: errno EEXIST/);
  const index = readFileSync(join(dir, 'findings', 'INDEX.md'), 'utf8');
  assert.match(index, /rename →EEXIST/);
  // the campaign removed every directory it made under its workdir
  assert.equal(readdirSync(join(dir, 'work')), []);
});

test('the same seed and size draw the same cases and find the same signatures again', async () => {
  const run = () => campaign({ adapter: plantedFault, variant: 'default', against: 'memory', seed: 7, budgetMs: 600_000, maxCases: 15, maxFindings: 1, shrinkRuns: 10, workdir: join(dir, 'work'), catalog, profiles });
  const a = await run();
  const b = await run();
  assert.equal(a.findings, b.findings);
  assert.equal(a.agree, b.agree);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
