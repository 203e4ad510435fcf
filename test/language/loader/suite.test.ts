import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSuite } from '../../../language/loader/suite.js';
import { realCatalog } from '../../helpers/scenario.js';
import { formatLoadError } from '../../../language/model.js';

test('the repository suite and spec data load without errors', () => {
  const catalog = realCatalog();
  assert.equal(catalog.errors.map(formatLoadError), []);
  const suite = loadSuite(catalog);
  assert.equal(suite.errors.map(formatLoadError), []);
  assert.ok(suite.scenarios.length >= 30, `only ${suite.scenarios.length} scenarios`);
});

test('a duplicate id is rejected and a broken file does not stop the others from loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovlconf-suite-'));
  mkdirSync(join(dir, 'g'));
  const body = (id: string) => `id: ${id}\ntitle: t\nbehaviour: [WH-001]\nsteps:\n  - stat: .\n`;
  writeFileSync(join(dir, 'g', 'a.yaml'), body('g/same'));
  writeFileSync(join(dir, 'g', 'b.yaml'), body('g/same'));
  writeFileSync(join(dir, 'g', 'c.yaml'), 'id: [broken\n');
  writeFileSync(join(dir, 'g', 'd.yaml'), body('g/other'));
  const suite = loadSuite(realCatalog(), [dir]);
  assert.equal(suite.scenarios.map((s) => s.id).sort(), ['g/other', 'g/same']);
  const msgs = suite.errors.map((e) => e.message);
  assert.ok(msgs.some((m) => m.startsWith('duplicate scenario id "g/same": already used by')), msgs.join('\n'));
  assert.ok(msgs.some((m) => m.startsWith('invalid YAML')), msgs.join('\n'));
  rmSync(dir, { recursive: true, force: true });
});

test.run();
