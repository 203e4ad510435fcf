// ENAMETOOLONG from a step that names the 255-byte name anywhere (a rename's destination, not
// only its source) is what the reserved-whiteout-prefix deviation predicts; elsewhere it is not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Divergence } from '../../fuzz/compare.js';
import { LONG } from '../../fuzz/gen/pool.js';
import { EXPLAINERS, factsOf } from '../../fuzz/triage.js';

const d: Divergence = { step: 0, observed: { key: 'ENAMETOOLONG', status: 'ENAMETOOLONG' }, expected: { key: 'ok {}', status: 'ok', fields: {} }, oracle: 'memory/default', what: ['errno'], oracleSteps: [] };

test('a rename onto the long name that fails with ENAMETOOLONG is explained by DEV-NAMEMAX-WH-RESERVED', () => {
  const f = factsOf(d, 'rename', 'a', { a: 'upper-only' }, { from: 'a', to: LONG });
  assert.is(f.long, true);
  assert.is(f.pathClass, 'upper-only');
  assert.ok(EXPLAINERS['DEV-NAMEMAX-WH-RESERVED'](f));
});

test('a rename between short names that fails with ENAMETOOLONG is not', () => {
  const f = factsOf(d, 'rename', 'a', { a: 'upper-only' }, { from: 'a', to: 'b' });
  assert.is(f.long, false);
  assert.not.ok(EXPLAINERS['DEV-NAMEMAX-WH-RESERVED'](f));
});

test("unionfs-fuse's metadata directory in the final tree is the documented listed-metadir deviation", () => {
  const fin: Divergence = { ...d, observed: { key: 'ok', status: 'ok', fields: {} }, expected: { key: 'absent', status: 'ENOENT' }, what: ['entries'] };
  assert.ok(EXPLAINERS['DEV-UNIONFS-METADIR-LISTED'](factsOf(fin, 'final-tree', '.unionfs-fuse/m_HIDDEN~', {})));
  assert.not.ok(EXPLAINERS['DEV-UNIONFS-METADIR-LISTED'](factsOf(fin, 'final-tree', 'm', {})));
});

test.run();
