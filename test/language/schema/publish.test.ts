import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { staleSchemas } from '../../../language/schema/publish.js';
import { packageRoot } from '../../../language/root.js';

test('the published JSON Schemas match their TypeBox source (run scripts/gen-schemas.js after a change)', () => {
  assert.equal(staleSchemas(), []);
});

test('the results schema is a 2020-12 schema naming the six verdicts', () => {
  const s = JSON.parse(readFileSync(join(packageRoot(), 'spec', 'results.schema.json'), 'utf8'));
  assert.is(s.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const verdict = s.properties.results.items.properties.verdict;
  assert.equal(verdict.anyOf.map((v: { const: string }) => v.const), ['pass', 'deviation', 'fail', 'xpass', 'skip', 'error']);
});

test.run();
