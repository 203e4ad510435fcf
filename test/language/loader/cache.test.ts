// The loaded-suite cache: a warm load gives exactly what a fresh load gives, a changed byte or a
// changed loader misses, and a cache file that is not the user's own, or is writable by others,
// is never believed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { codeKey, fileKey, readCache } from '../../../language/loader/cache.js';
import { displayName, loadSuite } from '../../../language/loader/suite.js';
import { realCatalog } from '../../helpers/scenario.js';

const base = mkdtempSync(join(tmpdir(), 'ovlconf-cache-'));
const suiteDir = join(base, 'suite');
const cacheDir = join(base, 'cache');
mkdirSync(suiteDir);
process.env.OVLCONF_CACHE_DIR = cacheDir;
test.after(() => rmSync(base, { recursive: true, force: true }));

const text = (id: string, title: string) => `id: ${id}\ntitle: ${title}\nbehaviour: [WH-001]\nlayers: { lower: [{ a: "x" }], upper: {} }\nsteps:\n  - unlink: a\n  - stat: a\n    expect: { errno: ENOENT }\n`;
const fileA = join(suiteDir, 'a.yaml');
writeFileSync(fileA, text('c/a', 'the real title'));
writeFileSync(join(suiteDir, 'b.yaml'), text('c/b', 'another'));
const load = () => loadSuite(realCatalog(), [suiteDir]);

/** a cache file whose entry for a.yaml carries a forged title, with this mode and loader key */
function forge(mode: number, key = codeKey()): void {
  const real = load();
  const forged = { scenarios: real.scenarios.filter((s) => s.id === 'c/a').map((s) => ({ ...s, title: 'forged' })), errors: [] };
  const entries = { [fileKey(displayName(fileA), text('c/a', 'the real title'))]: forged };
  mkdirSync(cacheDir, { recursive: true });
  const f = join(cacheDir, 'suite.bin');
  writeFileSync(f, serialize({ format: 'ovlconf-suite-cache/1', codeKey: key, entries }));
  chmodSync(f, mode);
}
const titleOfA = () => load().scenarios.find((s) => s.id === 'c/a')?.title;

test('A warm load gives exactly the scenarios and errors a fresh load gives', () => {
  process.env.OVLCONF_CACHE = 'off';
  const fresh = load();
  delete process.env.OVLCONF_CACHE;
  const first = load();
  assert.ok(readCache().size >= 2, 'the first load filled the cache');
  const warm = load();
  assert.equal(warm, fresh);
  assert.equal(first, fresh);
});

test('A changed byte in a file is loaded again, not taken from the cache', () => {
  load();
  writeFileSync(fileA, text('c/a', 'the real title!'));
  assert.is(titleOfA(), 'the real title!');
  writeFileSync(fileA, text('c/a', 'the real title'));
});

test('The cache is believed only when it is the user\'s own, private file made by this loader', () => {
  forge(0o600);
  assert.is(titleOfA(), 'forged', 'a trusted cache entry is used (this is how the test sees a hit)');
  forge(0o666);
  assert.is(titleOfA(), 'the real title', 'a world-writable cache is ignored');
  forge(0o620);
  assert.is(titleOfA(), 'the real title', 'a group-writable cache is ignored');
  forge(0o600, 'another loader');
  assert.is(titleOfA(), 'the real title', 'a cache made by other loader code or spec data is ignored');
  forge(0o600);
  process.env.OVLCONF_CACHE = 'off';
  assert.is(titleOfA(), 'the real title', 'OVLCONF_CACHE=off ignores it');
  delete process.env.OVLCONF_CACHE;
});

test.run();
