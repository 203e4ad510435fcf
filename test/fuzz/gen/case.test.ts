// Every generated case is a valid scenario: the loader (schema, vocabulary, bindings) accepts the
// document, whatever the stack and actions drawn, with every capability on or most of them off.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseArb, caseDoc, capsOf } from '../../../fuzz/gen/case.js';
import { docText } from '../../../fuzz/load.js';
import { loadCatalog } from '../../../language/loader/catalog.js';
import { loadScenarioFile } from '../../../language/loader/scenario.js';
import { formatLoadError } from '../../../language/model.js';
import { requirementsOf } from '../../../engine/requirements.js';

const catalog = loadCatalog();
const dir = mkdtempSync(join(tmpdir(), 'ovlconf-gen-'));
const all = Object.fromEntries(['multi-lower', 'whiteout', 'opaque', 'redirect', 'hardlink', 'symlink', 'fifo', 'xattr', 'chown', 'mmap', 'remount', 'drop-caches', 'other-user', 'renameat2'].map((k) => [k, true as const]));
const few = { whiteout: true as const };

for (const [label, caps] of [['every capability', all], ['only whiteouts', few]] as const) {
  test(`generated cases load as valid scenarios (${label})`, () => {
    const c = capsOf([caps], 500);
    fc.assert(fc.property(caseArb(c), (k) => {
      const { doc } = caseDoc(k, 'fuzz/generated', { xattr: c.stack.xattr });
      const file = join(dir, 'g.yaml');
      writeFileSync(file, docText(doc));
      const r = loadScenarioFile(file, catalog, 'g.yaml');
      if (r.errors.length) throw new Error(r.errors.map(formatLoadError).join('\n') + '\n' + docText(doc));
      const needs = requirementsOf(r.scenarios[0]).filter((n) => !(n in caps) && n !== 'timestamps');
      return needs.length === 0 || (() => { throw new Error(`needs ${needs.join(', ')} it was not given`); })();
    }), { seed: 11, numRuns: 60 });
  });
}

test('with every capability the generator draws every path class and the weighted ops', () => {
  const seen = new Set<string>();
  const ops = new Set<string>();
  for (const k of fc.sample(caseArb(capsOf([all], 500)), { seed: 3, numRuns: 300 })) {
    Object.values(k.stack.classes).forEach((c) => seen.add(c));
    k.actions.forEach((a) => ops.add(a.op));
  }
  for (const c of ['lower-only', 'upper-only', 'merged-dir', 'opaque-dir', 'whiteout', 'redirect-dir', 'hard-link', 'symlink', 'fifo', 'xattr', 'long-name', 'lower-whiteout'])
    assert.ok(seen.has(c), `never drew ${c}`);
  for (const o of ['open', 'write', 'rename', 'unlink', 'rmdir', 'mkdir', 'mmap', 'mread', 'remount', 'dropCaches', 'pread', 'link', 'setxattr'])
    assert.ok(ops.has(o), `never drew ${o}`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
