// The loaded-suite cache: a warm load gives exactly what a fresh load gives, a changed byte or a
// changed loader misses, and a cache file that is not the user's own, or is writable by others,
// is never believed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { cachedValue, cacheFile, cacheKeyFrom, codeKey, fileKey, keyedSettings, readCache } from '../../../language/loader/cache.js';
import { loadCatalog } from '../../../language/loader/catalog.js';
import { loadKnownFailures } from '../../../language/loader/known.js';
import { cacheKeyOf, displayName, loadSuite } from '../../../language/loader/suite.js';
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
  const f = cacheFile();
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

test('Caches of other loader code stay beside this one (a few of them), never replacing it', () => {
  rmSync(cacheFile(), { force: true }); // the forged one the test above left
  const others = Array.from({ length: 10 }, (_, i) => join(cacheDir, `suite-${i.toString(16).padStart(16, '0')}.bin`));
  others.forEach((f, i) => {
    writeFileSync(f, serialize({ format: 'ovlconf-suite-cache/1', codeKey: `other ${i}`, entries: {} }), { mode: 0o600 });
    utimesSync(f, 1_000_000 + i, 1_000_000 + i);
  });
  writeFileSync(fileA, text('c/a', 'changed again'));
  assert.is(titleOfA(), 'changed again');
  writeFileSync(fileA, text('c/a', 'the real title'));
  assert.is(titleOfA(), 'the real title');
  assert.ok(existsSync(cacheFile()), "this loader's cache was written");
  assert.ok(readCache().size >= 2, 'and holds this suite');
  const left = readdirSync(cacheDir).filter((n) => n.endsWith('.bin'));
  assert.is(left.length, 8, 'the eight most recent cache files are kept');
  assert.ok(existsSync(others[9]) && !existsSync(others[0]), 'the oldest went first');
});

test('The catalog and the built-in known failures from the cache equal a fresh load, and are made once', () => {
  process.env.OVLCONF_CACHE = 'off';
  const fresh = { catalog: loadCatalog(), known: loadKnownFailures() };
  delete process.env.OVLCONF_CACHE;
  const first = { catalog: loadCatalog(), known: loadKnownFailures() };
  const warm = { catalog: loadCatalog(), known: loadKnownFailures() };
  assert.equal(first, fresh);
  assert.equal(warm, fresh);
  assert.ok(readdirSync(cacheDir).some((n) => n.startsWith('catalog-')) && readdirSync(cacheDir).some((n) => n.startsWith('known-')));
  let made = 0;
  const make = () => ({ n: ++made, re: /x+/g, m: new Map([['a', 1]]) });
  assert.equal(cachedValue('probe', make), { n: 1, re: /x+/g, m: new Map([['a', 1]]) });
  assert.equal(cachedValue('probe', make), { n: 1, re: /x+/g, m: new Map([['a', 1]]) }, 'the second call reads the first value');
  assert.is(made, 1);
});

test('a key made from bytes already read (cacheKeyFrom) is the key the loader makes by reading: none for a symlink or a file over 4 MiB', () => {
  const link = join(suiteDir, 'link.yml');
  const big = join(base, 'big.yaml');
  symlinkSync(fileA, link);
  writeFileSync(big, Buffer.alloc((4 << 20) + 1, 0x61));
  try {
    for (const f of [fileA, join(suiteDir, 'b.yaml'), link, big]) {
      const display = displayName(f);
      assert.is(cacheKeyFrom(display, lstatSync(f), readFileSync(f)), cacheKeyOf(f, display), f);
    }
    assert.is(cacheKeyFrom('l', lstatSync(link), readFileSync(link)), undefined);
    assert.is(cacheKeyFrom('b', lstatSync(big), readFileSync(big)), undefined);
    assert.ok(cacheKeyFrom('a', lstatSync(fileA), readFileSync(fileA)));
  } finally {
    rmSync(link);
    rmSync(big);
  }
});

test('the cache key covers the OVLCONF_ settings a load may read, not the cache settings nor how many threads load', () => {
  const env = { OVLCONF_LOAD_HELPERS: '1', OVLCONF_CACHE_DIR: '/x', OVLCONF_CACHE: 'on', OVLCONF_MAX_STEPS: '9', OVLCONF_LOAD_HELPERSX: 'y', HOME: '/root' };
  assert.equal(keyedSettings(env), ['OVLCONF_LOAD_HELPERSX=y', 'OVLCONF_MAX_STEPS=9']);
});

test.run();
