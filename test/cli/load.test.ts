// The whole-load cache of cli/load.ts: a warm start gives exactly what the cold start gave, the
// kept load names its scenarios by file key (they are stored once, in the per-file cache), and a
// per-file cache that lost them, or a changed file, means loading again, never a partial suite.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { loadAll } from '../../cli/load.js';

const base = mkdtempSync(join(tmpdir(), 'ovlconf-load-'));
const suiteDir = join(base, 'suite');
const cacheDir = join(base, 'cache');
mkdirSync(suiteDir);
process.env.OVLCONF_CACHE_DIR = cacheDir;
delete process.env.OVLCONF_CACHE;
test.after(() => rmSync(base, { recursive: true, force: true }));

const text = (id: string, title: string) =>
  `id: ${id}\ntitle: ${title}\nbehaviour: [WH-001]\nvary:\n  n: [one, two]\nlayers: { lower: [{ a: "\${n}" }], upper: {} }\nsteps:\n  - readfile: a\n    expect: { data: "\${n}" }\n`;
for (const c of 'abc') writeFileSync(join(suiteDir, `${c}.yaml`), text(`l/${c}`, `title ${c}`));

const load = () => loadAll({ suites: [suiteDir] });
/** what a start gives, without the profiles (rebuilt from the catalog on every start) */
const given = async () => {
  const { catalog, suite, scenarios, errors, known } = await load();
  return { catalog, suite, scenarios, errors, known };
};
const suiteFiles = () => readdirSync(cacheDir).filter((n) => n.startsWith('suite-'));

test('a warm start gives exactly what the cold start gave', async () => {
  const cold = await given();
  assert.is(cold.scenarios.length, 6);
  assert.equal(cold.errors, []);
  assert.equal(await given(), cold);
});

test('the kept load holds no scenarios: it names each file\'s entry in the per-file cache', async () => {
  await load();
  const kept = deserialize(readFileSync(join(cacheDir, 'load.bin'))) as { value: { suite: Record<string, unknown>; fileKeys: string[] } };
  assert.not.ok('scenarios' in kept.value.suite);
  assert.is(kept.value.fileKeys.length, 3);
  assert.is(suiteFiles().length, 1);
});

test('without the per-file cache the start loads the files again and gives the same suite', async () => {
  const before = await given();
  for (const f of suiteFiles()) rmSync(join(cacheDir, f));
  assert.equal(await given(), before);
  assert.is(suiteFiles().length, 1, 'the load wrote the per-file cache again');
  assert.equal(await given(), before);
});

test('a changed file is loaded again; the others come from the cache', async () => {
  writeFileSync(join(suiteDir, 'b.yaml'), text('l/b', 'a new title'));
  const after = await given();
  assert.equal(after.scenarios.filter((s) => s.id === 'l/b').map((s) => s.title), ['a new title', 'a new title']);
  assert.equal(await given(), after);
  writeFileSync(join(suiteDir, 'b.yaml'), text('l/b', 'title b'));
});

test.run();
