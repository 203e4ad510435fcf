// A generated case loaded from its value (no YAML round trip, the fast path every case takes)
// is the same scenario as the one loaded from its YAML text, step lines aside; a broken value
// is refused with the loader's message.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseArb, caseDoc, capsOf } from '../../fuzz/gen/case.js';
import { loadDoc, loadValue } from '../../fuzz/load.js';
import { loadCatalog } from '../../language/loader/catalog.js';

const catalog = loadCatalog();
const dir = mkdtempSync(join(tmpdir(), 'ovlconf-load-'));
const all = Object.fromEntries(['multi-lower', 'whiteout', 'opaque', 'redirect', 'hardlink', 'symlink', 'fifo', 'xattr', 'chown', 'mmap', 'remount', 'drop-caches', 'other-user', 'renameat2'].map((k) => [k, true as const]));

/** the scenario without source lines (a value has none) */
const unlined = (s: unknown): unknown => JSON.parse(JSON.stringify(s, (k, v) => (k === 'line' ? undefined : v)));

test('a generated case loaded from its value equals the one loaded from its YAML text', () => {
  const c = capsOf([all], 500);
  fc.assert(fc.property(caseArb(c), (k) => {
    const { doc } = caseDoc(k, 'fuzz/generated', { xattr: true });
    const fromText = loadDoc(doc, dir, 'case.yaml', catalog);
    const fromValue = loadValue(doc, 'case.yaml', catalog);
    assert.equal(unlined(fromValue), unlined(fromText));
  }), { seed: 11, numRuns: 300 });
});

test('a value the schema refuses is an error naming the field', () => {
  assert.throws(() => loadValue({ id: 'x', title: 't', behaviour: ['LK-001'], refs: ['posix:rename'], layers: { lower: [{}] }, steps: [{ lstat: 'a', expect: { errno: 'nope' } }] }, 'bad.yaml', catalog), /bad\.yaml.*errno/s);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
